"""Le simulateur public et la page « Barèmes » des administrateurs."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from agents.enums import Role
from agents.permissions import role_required
from bareme import calcul, selectors, services
from bareme.forms import (
    ClotureForm,
    NouvelleVersionForm,
    SimulationEligibiliteForm,
    SimulationIKForm,
    SimulationMissionForm,
)
from bareme.models import Bareme
from config.formulaires import enregistrer_si_valide, statut

# Chaque simulation : son formulaire, son sélecteur, le champ qui porte l'erreur « aucun barème en vigueur ».
SIMULATIONS = {
    "ik": (SimulationIKForm, selectors.simuler_ik, "date"),
    "mission": (SimulationMissionForm, selectors.simuler_mission, "depart"),
    "eligibilite": (SimulationEligibiliteForm, selectors.simuler_eligibilite, None),
}


def simuler(nom: str, donnees, *, noms_acceptes: bool = True):
    """Lit les paramètres d'une simulation et la calcule : (formulaire, résultat ou None).

    Les erreurs, y compris « aucun barème en vigueur à cette date », restent dans le formulaire, à côté du champ.
    """
    form_class, simulation, champ_date = SIMULATIONS[nom]
    form = form_class(donnees, noms_acceptes=noms_acceptes)
    if not form.is_valid():
        return form, None
    try:
        return form, simulation(**form.cleaned_data)
    except calcul.AucunBaremeEnVigueur as erreur:
        form.add_error(champ_date, str(erreur))
    except calcul.ErreurCalcul as erreur:
        form.add_error(None, str(erreur))
    return form, None


@require_safe
def simulateur(request):
    """Public. Avec htmx, seule la section de la simulation demandée est renvoyée (formulaire et résultat)."""
    active = request.GET.get("simulation")
    sections = {}
    for nom, (form_class, _, _) in SIMULATIONS.items():
        if nom == active:
            form, resultat = simuler(nom, request.GET)
        else:
            form, resultat = form_class(), None
        sections[nom] = {"form": form, "resultat": resultat, "active": nom == active}
    if request.htmx and active in SIMULATIONS:
        return render(request, f"bareme/includes/simulation_{active}.html", {"section": sections[active]})
    context = {
        "title": "Simulateur",
        "espace_courant": "simulateur",
        "sections": sections,
        "onglet": active if active in SIMULATIONS else "ik",
    }
    return render(request, "bareme/simulateur.html", context)


@require_safe
def communes(request):
    """Suggestions de communes (options d'une liste `<datalist>`), pour le simulateur."""
    saisie = request.GET.get("q") or next((valeur for valeur in request.GET.values() if valeur.strip()), "")
    return render(request, "bareme/includes/communes_options.html", {"communes": selectors.communes_suggerees(saisie)})


# Page « Barèmes » (administrateurs).


def _fil_ariane(*liens, courant: str) -> dict:
    return {"id": "fil-ariane", "links": [{"url": url, "title": titre} for url, titre in liens], "current": courant}


@role_required(Role.ADMIN)
@require_safe
def baremes(request):
    context = {
        "title": "Barèmes",
        "espace_courant": Role.ADMIN,
        "types": selectors.versions_par_type(),
        "breadcrumb": _fil_ariane((reverse("administration"), "Administration"), courant="Barèmes"),
    }
    return render(request, "bareme/baremes.html", context)


def _version_ou_404(pk: int) -> Bareme:
    try:
        return selectors.version_avec_taux(pk)
    except Bareme.DoesNotExist:
        raise Http404("Cette version de barème n'existe pas.") from None


@role_required(Role.ADMIN)
@require_safe
def version(request, pk: int):
    return _render_version(request, _version_ou_404(pk))


def _render_version(request, bareme: Bareme, *, cloture_form=None):
    """La page d'une version ; après une clôture refusée, le formulaire revient avec la date saisie et l'erreur."""
    context = {
        "title": str(bareme),
        "espace_courant": Role.ADMIN,
        "version": bareme,
        "est_utilisee": services.version_est_utilisee(bareme),
        "est_derniere": selectors.est_derniere_version(bareme),
        "ordres_a_regulariser": services.ordres_a_regulariser(bareme),
        "cloture_form": cloture_form or (ClotureForm() if bareme.date_fin is None else None),
        "breadcrumb": _fil_ariane(
            (reverse("administration"), "Administration"), (reverse("bareme:baremes"), "Barèmes"), courant=str(bareme)
        ),
    }
    return render(request, "bareme/version.html", context, status=statut(cloture_form) if cloture_form else 200)


@role_required(Role.ADMIN)
def version_suivante(request, pk: int):
    precedente = _version_ou_404(pk)
    if not selectors.est_derniere_version(precedente):
        messages.error(request, "Cette version a déjà une suivante : partez de la dernière version de ce barème.")
        return redirect("bareme:version", pk=precedente.pk)
    form = NouvelleVersionForm(request.POST or None, precedente=precedente)
    if request.method == "POST":
        nouvelle = enregistrer_si_valide(
            form,
            lambda donnees: services.creer_version_suivante(
                precedente=precedente, date_debut=donnees["date_debut"], par=request.user, **form.donnees_service()
            ),
        )
        if not form.errors:
            messages.success(
                request,
                f"Version « {nouvelle.libelle} » créée, en vigueur {nouvelle.periode} ; "
                f"la précédente est close au {calcul.date_fr(nouvelle.date_debut - datetime.timedelta(days=1))}.",
            )
            return redirect("bareme:version", pk=nouvelle.pk)
    context = {
        "title": f"Nouvelle version : {precedente.get_type_display()}",
        "espace_courant": Role.ADMIN,
        "precedente": precedente,
        "form": form,
        "breadcrumb": _fil_ariane(
            (reverse("administration"), "Administration"),
            (reverse("bareme:baremes"), "Barèmes"),
            (reverse("bareme:version", args=[precedente.pk]), str(precedente)),
            courant="Nouvelle version",
        ),
    }
    return render(request, "bareme/version_suivante.html", context, status=statut(form))


@role_required(Role.ADMIN)
@require_POST
def version_cloturer(request, pk: int):
    bareme = _version_ou_404(pk)
    form = ClotureForm(request.POST)
    enregistrer_si_valide(form, lambda donnees: services.cloturer_version(version=bareme, date_fin=donnees["date_fin"]))
    if form.errors:
        return _render_version(request, bareme, cloture_form=form)
    bareme.refresh_from_db()
    messages.success(request, f"Version « {bareme.libelle} » close : en vigueur {bareme.periode}.")
    return redirect("bareme:version", pk=bareme.pk)
