"""Fiche profil de l'agent, et fiches des agents pour les gestionnaires, les VH1 et les administrateurs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents import selectors, services
from agents.enums import Role
from agents.forms import AgentRechercheForm, CoordonneesBancairesForm, CoordonneesForm, VehiculeForm
from agents.models import Agent, Vehicule
from agents.permissions import role_required
from config.formulaires import enregistrer_si_valide, statut

AGENTS_PAR_PAGE = 50


def _fil_profil(page: str) -> dict:
    return {"links": [{"url": reverse("agents:profil"), "title": "Mon profil"}], "current": page}


@login_required
def profil(request):
    if not request.user.is_agent:
        roles = [Role(role).label for role in request.user.roles]
        return render(request, "agents/sans_fiche.html", {"title": "Mon profil", "roles": roles})
    agent = selectors.fiche_agent(Agent.objects.filter(user=request.user), request.user.agent.pk)
    return render(request, "agents/profil.html", {"title": "Mon profil", "agent": agent, "modifiable": True})


@role_required(Role.AGENT)
def modifier_coordonnees(request):
    agent = request.user.agent
    form = CoordonneesForm(request.POST or None, instance=agent)
    if request.method == "POST":
        enregistrer_si_valide(form, lambda donnees: services.modifier_coordonnees(agent, donnees))
        if not form.errors:
            messages.success(request, "Vos coordonnées sont enregistrées.")
            return redirect("agents:profil")
    context = {
        "title": "Modifier mes coordonnées",
        "form": form,
        "agent": agent,
        "breadcrumb_data": _fil_profil("Coordonnées"),
    }
    return render(request, "agents/coordonnees.html", context, status=statut(form))


@role_required(Role.AGENT)
def modifier_coordonnees_bancaires(request):
    agent = request.user.agent
    form = CoordonneesBancairesForm(request.POST or None, instance=agent)
    if request.method == "POST":
        enregistrer_si_valide(form, lambda donnees: services.modifier_coordonnees_bancaires(agent, donnees))
        if not form.errors:
            messages.success(request, "Vos coordonnées bancaires sont enregistrées.")
            return redirect("agents:profil")
    context = {
        "title": "Modifier mes coordonnées bancaires",
        "form": form,
        "intro": (
            "Les indemnités sont versées sur ce compte. Recopiez l'IBAN et le BIC de votre relevé d'identité bancaire."
        ),
        "breadcrumb_data": _fil_profil("Coordonnées bancaires"),
    }
    return render(request, "agents/formulaire.html", context, status=statut(form))


@role_required(Role.AGENT)
def enregistrer_vehicule(request, pk=None):
    agent = request.user.agent
    vehicule = get_object_or_404(Vehicule, pk=pk, agent=agent) if pk else None
    form = VehiculeForm(request.POST or None, instance=vehicule or Vehicule(agent=agent))
    if request.method == "POST":
        enregistre = enregistrer_si_valide(
            form, lambda donnees: services.enregistrer_vehicule(agent=agent, vehicule=vehicule, data=donnees)
        )
        if not form.errors:
            messages.success(request, f"Le véhicule {enregistre.immatriculation} est enregistré.")
            return redirect("agents:profil")
    titre = f"Modifier le véhicule {vehicule.immatriculation}" if vehicule else "Ajouter un véhicule"
    context = {"title": titre, "form": form, "breadcrumb_data": _fil_profil(titre)}
    return render(request, "agents/formulaire.html", context, status=statut(form))


@require_POST
@role_required(Role.AGENT)
def activer_vehicule(request, pk):
    vehicule = get_object_or_404(Vehicule, pk=pk, agent__user=request.user)
    try:
        services.activer_vehicule(vehicule)
    except ValidationError as exc:
        for erreurs in exc.message_dict.values():
            for erreur in erreurs:
                messages.error(request, f"Véhicule {vehicule.immatriculation} : {erreur}")
    else:
        messages.success(
            request, f"Le véhicule {vehicule.immatriculation} est désormais utilisé pour les indemnités kilométriques."
        )
    return redirect("agents:profil")


@require_POST
@role_required(Role.AGENT)
def desactiver_vehicule(request, pk):
    vehicule = get_object_or_404(Vehicule, pk=pk, agent__user=request.user)
    services.desactiver_vehicule(vehicule)
    messages.success(
        request, f"Le véhicule {vehicule.immatriculation} n'est plus utilisé pour les indemnités kilométriques."
    )
    return redirect("agents:profil")


@require_GET
@login_required
def communes_suggestions(request):
    """Fragment htmx : les options du <datalist> des communes."""
    # Le champ qui appelle envoie sa valeur sous son propre nom (commune_familiale, destination_commune, q…).
    saisie = next((valeur for valeur in request.GET.values() if valeur), "")
    communes = selectors.communes_suggerees(saisie)
    return render(request, "agents/includes/communes_options.html", {"communes": communes})


@login_required
def liste(request):
    if not (request.user.is_staff or request.user.is_gestionnaire):
        raise PermissionDenied("La liste des agents est réservée aux gestionnaires et aux administrateurs.")
    form = AgentRechercheForm(request.GET or None)
    filtres = form.cleaned_data if form.is_valid() else {}
    agents = selectors.agents_de_la_liste(
        request.user, recherche=filtres.get("q", ""), categorie=filtres.get("categorie", "")
    )
    page = Paginator(agents, AGENTS_PAR_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Agents",
        "espace_courant": Role.GESTIONNAIRE if request.user.is_gestionnaire else Role.ADMIN,
        "form": form,
        "page_obj": page,
    }
    return render(request, "agents/liste.html", context)


@login_required
def detail(request, pk):
    """Une fiche, pour qui en a la charge ; 404 pour tous les autres, sans dire si l'agent existe."""
    try:
        agent = selectors.fiche_agent(selectors.agents_visibles_par(request.user), pk)
    except Agent.DoesNotExist as exc:
        raise Http404("Aucun agent de votre périmètre ne correspond.") from exc
    context = {"title": str(agent), "agent": agent, "modifiable": False}
    if request.user.is_staff or request.user.is_gestionnaire:
        context["breadcrumb_data"] = {
            "links": [{"url": reverse("agents:liste"), "title": "Agents"}],
            "current": str(agent),
        }
    return render(request, "agents/detail.html", context)
