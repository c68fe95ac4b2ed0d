from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents.enums import Role
from agents.permissions import role_required
from missions.selectors import ordre_visible_ou_404
from missions.views import render_ordre
from validation import selectors, services
from validation.enums import Action
from validation.forms import FiltreFileForm, RefusForm, SoumissionForm, ValidationGroupeeForm

PAR_PAGE = 50
MESSAGES_SUCCES = {
    Action.SOUMETTRE: "Ordre de mission soumis.",
    Action.VALIDER: "Ordre de mission validé.",
    Action.REFUSER: "Ordre de mission refusé ; l'agent est prévenu avec votre motif.",
    Action.REPRENDRE: "Ordre de mission repris : corrigez-le puis soumettez-le de nouveau.",
    Action.RETIRER: "Ordre de mission retiré : il est de nouveau en cours de création.",
    Action.ANNULER: "Ordre de mission annulé.",
}
FILES = {
    Role.VH1: {"titre": "À valider", "url_name": "validation:a_valider", "avec_etat": False},
    Role.GESTIONNAIRE: {"titre": "Gestion", "url_name": "validation:gestion", "avec_etat": True},
}


def _file(request, role: Role):
    if role == Role.VH1:
        base = selectors.ordres_file_vh1(request.user)
        initial = {}
    else:
        base = selectors.ordres_file_gestion(request.user)
        initial = {"etat": "attente_gestionnaire"}
    donnees = request.GET if request.GET else initial
    form = FiltreFileForm(donnees or None, avec_etat=FILES[role]["avec_etat"])
    filtres = form.cleaned_data if form.is_bound and form.is_valid() else initial
    ordres = selectors.filtrer(base, filtres)
    page = Paginator(ordres, PAR_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return {
        "title": FILES[role]["titre"],
        "espace_courant": role,
        "file": FILES[role],
        "form": form,
        "page": page,
        "compteurs": selectors.compter(ordres),
        "compteurs_file": selectors.compter(base),
        "parametres": parametres.urlencode(),
        "peut_valider": role == Role.VH1 or filtres.get("etat") == "attente_gestionnaire",
    }


@role_required(Role.VH1)
def a_valider(request):
    return render(request, "validation/file.html", _file(request, Role.VH1))


@role_required(Role.GESTIONNAIRE)
def gestion(request):
    context = _file(request, Role.GESTIONNAIRE)
    context["gestionnaire"] = request.user.gestionnaire
    return render(request, "validation/file.html", context)


@login_required
@require_POST
def validation_groupee(request):
    """Deux temps : la sélection mène à une confirmation ; la confirmation valide et rend compte."""
    role = Role.GESTIONNAIRE if request.POST.get("file") == Role.GESTIONNAIRE else Role.VH1
    if role not in request.user.roles:
        raise Http404
    base = selectors.ordres_file_vh1(request.user) if role == Role.VH1 else selectors.ordres_file_gestion(request.user)
    form = ValidationGroupeeForm(request.POST, queryset=base.order_by("soumis_le", "pk"))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["ordres"]))
        return redirect(FILES[role]["url_name"])
    ordres = list(form.cleaned_data["ordres"])
    context = {"title": "Validation groupée", "espace_courant": role, "file": FILES[role], "role": role}
    if request.POST.get("confirme") != "1":
        context["ordres"] = ordres
        context["sans_anomalie"] = [ordre for ordre in ordres if not ordre.nb_anomalies]
        return render(request, "validation/validation_groupee_confirmation.html", context)
    context["rapport"] = services.valider_en_lot(ordres=ordres, par=request.user)
    return render(request, "validation/validation_groupee_rapport.html", context)


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
