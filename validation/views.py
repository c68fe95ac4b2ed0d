from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents.enums import Role
from agents.permissions import role_required
from agents.selectors import agents_du_perimetre, agents_valides_par
from missions.selectors import ordre_visible_ou_404
from missions.views import render_ordre
from validation import services
from validation.enums import Action
from validation.forms import RefusForm, SoumissionForm

MESSAGES_SUCCES = {
    Action.SOUMETTRE: "Ordre de mission soumis.",
    Action.VALIDER: "Ordre de mission validé.",
    Action.REFUSER: "Ordre de mission refusé ; l'agent est prévenu avec votre motif.",
    Action.REPRENDRE: "Ordre de mission repris : corrigez-le puis soumettez-le de nouveau.",
    Action.RETIRER: "Ordre de mission retiré : il est de nouveau en cours de création.",
    Action.ANNULER: "Ordre de mission annulé.",
}


@role_required(Role.VH1)
def a_valider(request):
    context = {
        "title": "À valider",
        "espace_courant": Role.VH1,
        "nombre_agents": agents_valides_par(request.user).count(),
    }
    return render(request, "espaces/a_valider.html", context)


@role_required(Role.GESTIONNAIRE)
def gestion(request):
    gestionnaire = request.user.gestionnaire
    context = {
        "title": "Gestion",
        "espace_courant": Role.GESTIONNAIRE,
        "gestionnaire": gestionnaire,
        "perimetres": list(gestionnaire.perimetres.all()),
        "nombre_agents": agents_du_perimetre(gestionnaire).count(),
    }
    return render(request, "espaces/gestion.html", context)


@login_required
@require_POST
def agir(request, pk, action):
    try:
        action = Action(action)
    except ValueError as exc:
        raise Http404 from exc
    ordre = ordre_visible_ou_404(request.user, pk)
    params = {"etat_attendu": request.POST.get("etat") or None}
    if action == Action.SOUMETTRE:
        form = SoumissionForm(request.POST, ordre=ordre)
        if form.is_valid():
            params["destinataire"] = form.cleaned_data["destinataire"]
    elif action in (Action.REFUSER, Action.ANNULER):
        form = RefusForm(request.POST)
        if form.is_valid():
            params["motif"] = form.cleaned_data["motif"]
    else:
        form = None
    if form is not None and not form.is_valid():
        formulaires = {"soumission_form" if action == Action.SOUMETTRE else "refus_form": form}
        return render_ordre(request, ordre, status=422, **formulaires)
    try:
        getattr(services, action.value)(ordre=ordre, par=request.user, **params)
    except services.ActionRefusee as refus:
        messages.error(request, str(refus))
    else:
        messages.success(request, MESSAGES_SUCCES[action])
    return redirect("missions:ordre", pk=ordre.pk)
