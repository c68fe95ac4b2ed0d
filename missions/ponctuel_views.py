"""Les pages des OM ponctuels : en-tête, étapes, lieux, frais prévisionnels, trajet vers la gare, demandes de billets ;
la file de l'agence de voyage et la politique de voyage.

Chaque vue : 404 si l'ordre n'est pas visible (`selectors.ordre_visible_ou_404`), 403 si la personne le voit sans
pouvoir agir ; puis un seul service de `missions.ponctuels`. La page de l'ordre reste `missions:ordre`, qui montre
`templates/ponctuels/includes/detail.html`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from agents.enums import Role
from agents.permissions import role_required
from config.formulaires import enregistrer_si_valide, statut
from missions import fichiers, ponctuels, selectors
from missions.enums import Etat, SensTrajet, TypeOrdre
from missions.models import Billet, DemandeBillet, Etape, Frais, LigneTrajet, OrdreMission, PolitiqueVoyage, Sejour
from missions.ponctuel_forms import (
    BilletForm,
    DemandeBilletForm,
    EtapeForm,
    FraisPonctuelForm,
    PolitiqueVoyageForm,
    PonctuelForm,
    SejourForm,
    TrajetGareForm,
)
from missions.services import peut_rediger
from missions.views import url_ordre

# Les erreurs des services portent le nom du champ du modèle ; le formulaire les montre près du champ saisi.
CHAMPS_DU_FORMULAIRE = {"depart_le": "depart_heure", "retour_le": "retour_heure", "arrivee_le": "heure"}


def _ponctuel_visible(request, pk) -> OrdreMission:
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    if ordre.type != TypeOrdre.PONCTUEL:
        raise Http404
    return ordre


def _ponctuel_redigeable(request, pk) -> OrdreMission:
    """404 si l'ordre n'est pas visible (ou n'est pas ponctuel), 403 si la personne ne peut pas le modifier."""
    ordre = _ponctuel_visible(request, pk)
    if not peut_rediger(request.user, ordre):
        raise PermissionDenied(ponctuels.REFUS_REDACTION)
    return ordre


def _dire_le_rapport(request, rapport: ponctuels.Regeneration) -> None:
    niveau = messages.info if rapport.a_change or not rapport.nombre else messages.success
    niveau(request, rapport.resume)


# --- En-tête --------------------------------------------------------------------------------------------------------


@role_required(Role.AGENT)
def creer(request):
    """« Nouvel ordre de mission ponctuel » : vierge, ou rattaché à un OMP validé (`?omp=<numéro>`)."""
    agent = request.user.agent
    if request.method == "POST":
        form = PonctuelForm(request.POST, request.FILES, agent=agent)
        cree = enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.creer_ponctuel(agent=agent, par=request.user, donnees=donnees),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            ordre, rapport = cree
            messages.success(request, f"Ordre de mission {ordre.numero} créé.")
            _dire_le_rapport(request, rapport)
            return redirect(url_ordre(ordre, "ponctuel-etapes"))
    else:
        omp = None
        if request.GET.get("omp", "").isdigit():
            omp = OrdreMission.objects.filter(
                pk=request.GET["omp"], agent=agent, type=TypeOrdre.PERMANENT, etat=Etat.VALIDE
            ).first()
        form = PonctuelForm(initial=PonctuelForm.initial_pour(agent, omp), agent=agent)
    context = {"title": "Nouvel ordre de mission ponctuel", "form": form, "espace_courant": Role.AGENT}
    return render(request, "ponctuels/formulaire.html", context, status=statut(form))


@login_required
def modifier(request, pk):
    ordre = _ponctuel_redigeable(request, pk)
    if request.method == "POST":
        form = PonctuelForm(request.POST, request.FILES, agent=ordre.agent, ordre=ordre)
        rapport = enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.modifier_ponctuel(ordre=ordre, par=request.user, donnees=donnees),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, "En-tête de l'ordre de mission enregistré.")
            if rapport.a_change:
                _dire_le_rapport(request, rapport)
            return redirect(url_ordre(ordre, "ponctuel-etapes" if rapport.a_change else ""))
    else:
        form = PonctuelForm(initial=PonctuelForm.initial_depuis(ordre), agent=ordre.agent, ordre=ordre)
    context = {"title": f"Modifier {ordre.numero}", "form": form, "ordre": ordre}
    return render(request, "ponctuels/formulaire.html", context, status=statut(form))


@login_required
@require_GET
def convocation(request, pk):
    """La convocation, pour qui peut voir l'ordre (l'agent, ses valideurs, ses gestionnaires, l'agence)."""
    ordre = _ponctuel_visible(request, pk)
    return fichiers.servir(ordre.convocation, f"convocation-{ordre.pk}")


# --- Étapes et lieux ------------------------------------------------------------------------------------------------


@login_required
@require_POST
def generer(request, pk):
    ordre = _ponctuel_redigeable(request, pk)
    _dire_le_rapport(request, ponctuels.generer_etapes(ordre=ordre, par=request.user))
    return redirect(url_ordre(ordre, "ponctuel-etapes"))


@login_required
def etape(request, pk, etape_pk):
    ordre = _ponctuel_redigeable(request, pk)
    etape = get_object_or_404(Etape.objects.select_related("commune"), pk=etape_pk, ordre=ordre)
    if request.method == "POST":
        form = EtapeForm(request.POST, etape=etape)
        modifiee = enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.modifier_etape(
                etape=etape,
                par=request.user,
                mode=donnees["mode"],
                commentaire=donnees["commentaire"],
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"{modifiee.libelle.capitalize()} : {modifiee.get_mode_display().lower()}.")
            return redirect(url_ordre(ordre, f"etape-{modifiee.pk}"))
    else:
        form = EtapeForm(initial={"mode": etape.mode, "commentaire": etape.commentaire}, etape=etape)
    context = {"title": f"Modifier le {etape.libelle}", "form": form, "ordre": ordre, "etape": etape}
    return render(request, "ponctuels/etape_formulaire.html", context, status=statut(form))


@login_required
def sejour(request, pk):
    """Ajouter un lieu : à partir de cette date et heure, la mission se poursuit dans une autre commune."""
    ordre = _ponctuel_redigeable(request, pk)
    if request.method == "POST":
        form = SejourForm(request.POST)
        rapport = enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.ajouter_sejour(
                ordre=ordre,
                par=request.user,
                commune=donnees["commune"],
                arrivee_le=donnees["arrivee_le"],
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"Lieu {form.cleaned_data['commune'].nom} ajouté.")
            _dire_le_rapport(request, rapport)
            return redirect(url_ordre(ordre, "ponctuel-etapes"))
    else:
        form = SejourForm()
    context = {"title": "Ajouter un lieu de mission", "form": form, "ordre": ordre}
    return render(request, "ponctuels/sejour_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_sejour(request, pk, sejour_pk):
    ordre = _ponctuel_redigeable(request, pk)
    sejour = get_object_or_404(Sejour, pk=sejour_pk, ordre=ordre)
    _dire_le_rapport(request, ponctuels.supprimer_sejour(sejour=sejour, par=request.user))
    return redirect(url_ordre(ordre, "ponctuel-etapes"))


# --- Frais prévisionnels et trajet vers la gare ---------------------------------------------------------------------


@login_required
def frais(request, pk, frais_pk=None):
    ordre = _ponctuel_redigeable(request, pk)
    frais = get_object_or_404(Frais, pk=frais_pk, ordre=ordre) if frais_pk else None
    if request.method == "POST":
        form = FraisPonctuelForm(request.POST, ordre=ordre)
        enregistre = enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.enregistrer_frais_ponctuel(
                ordre=ordre, par=request.user, donnees=donnees, frais=frais
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"{enregistre} enregistré.")
            return redirect(url_ordre(ordre, "ponctuel-frais"))
    else:
        initial = FraisPonctuelForm.initial_depuis(frais) if frais else {"date": ordre.date_debut}
        form = FraisPonctuelForm(initial=initial, ordre=ordre)
    context = {
        "title": "Modifier un frais prévisionnel" if frais else "Ajouter un frais prévisionnel",
        "form": form,
        "ordre": ordre,
        "frais": frais,
        "politique": PolitiqueVoyage.courante(),
    }
    return render(request, "ponctuels/frais_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_frais(request, pk, frais_pk):
    ordre = _ponctuel_redigeable(request, pk)
    frais = get_object_or_404(Frais, pk=frais_pk, ordre=ordre)
    libelle = str(frais)
    ponctuels.supprimer_frais_ponctuel(frais=frais, par=request.user)
    messages.success(request, f"{libelle} supprimé.")
    return redirect(url_ordre(ordre, "ponctuel-frais"))


@login_required
def trajet_gare(request, pk):
    ordre = _ponctuel_redigeable(request, pk)
    if request.method == "POST":
        form = TrajetGareForm(request.POST, ordre=ordre)
        ligne = enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.enregistrer_trajet_gare(ordre=ordre, par=request.user, donnees=donnees),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"Trajet {ligne} enregistré.")
            return redirect(url_ordre(ordre, "ponctuel-frais"))
    else:
        form = TrajetGareForm(initial={"date": ordre.date_debut.isoformat()}, ordre=ordre)
    context = {"title": "Trajet vers la gare", "form": form, "ordre": ordre}
    return render(request, "ponctuels/trajet_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_trajet_gare(request, pk, ligne_pk):
    ordre = _ponctuel_redigeable(request, pk)
    ligne = get_object_or_404(LigneTrajet, pk=ligne_pk, ordre=ordre)
    libelle = str(ligne)
    ponctuels.supprimer_trajet_gare(ligne=ligne, par=request.user)
    messages.success(request, f"Trajet {libelle} supprimé.")
    return redirect(url_ordre(ordre, "ponctuel-frais"))


# --- Demandes de titres de transport -------------------------------------------------------------------------------


def _sens(valeur: str) -> str:
    if valeur not in SensTrajet.values:
        raise Http404
    return valeur


@login_required
def demande(request, pk, sens):
    ordre = _ponctuel_redigeable(request, pk)
    sens = _sens(sens)
    existante = ordre.demandes_billets.filter(sens=sens).first()
    if request.method == "POST":
        form = DemandeBilletForm(request.POST, sens=sens)
        enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.enregistrer_demande_billet(
                ordre=ordre, par=request.user, sens=sens, donnees=donnees
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"Demande de billet {SensTrajet(sens).label.lower()} enregistrée.")
            return redirect(url_ordre(ordre, "ponctuel-billets"))
    else:
        initial = (
            DemandeBilletForm.initial_depuis(existante)
            if existante
            else ponctuels.valeurs_initiales_demande(ordre, sens)
        )
        form = DemandeBilletForm(initial=initial, sens=sens)
    context = {
        "title": f"Demande de billet {SensTrajet(sens).label.lower()}",
        "form": form,
        "ordre": ordre,
        "sens": SensTrajet(sens),
        "demande": existante,
        "politique": PolitiqueVoyage.courante(),
    }
    return render(request, "ponctuels/demande_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_demande(request, pk, sens):
    ordre = _ponctuel_redigeable(request, pk)
    demande = get_object_or_404(DemandeBillet, ordre=ordre, sens=_sens(sens))
    ponctuels.supprimer_demande_billet(demande=demande, par=request.user)
    messages.success(request, f"Demande de billet {demande.get_sens_display().lower()} supprimée.")
    return redirect(url_ordre(ordre, "ponctuel-billets"))


@login_required
@require_GET
def billet_fichier(request, pk, billet_pk):
    """Le billet émis, pour qui peut voir l'ordre ; 404 pour les autres."""
    ordre = _ponctuel_visible(request, pk)
    billet = get_object_or_404(Billet, pk=billet_pk, demande__ordre=ordre)
    return fichiers.servir(billet.fichier, f"billet-{billet.pk}")


# --- Agence de voyage ---------------------------------------------------------------------------------------------


def _agence_requise(request) -> None:
    if not ponctuels.est_agence_voyage(request.user):
        raise PermissionDenied("Cet espace est réservé à l'agence de voyage (cellule billetterie).")


@role_required(Role.GESTIONNAIRE)
def agence(request):
    """Les billets à commander : ordres validés avec demande de titres de transport, dans le périmètre."""
    _agence_requise(request)
    file = ponctuels.file_agence(request.user)
    context = {"title": "Billets à commander", "espace_courant": Role.GESTIONNAIRE, **file}
    return render(request, "ponctuels/agence.html", context)


@login_required
def billet(request, pk, demande_pk):
    """L'agence enregistre le billet acheté pour une demande (référence, coût, fichier)."""
    ordre = _ponctuel_visible(request, pk)
    demande = get_object_or_404(DemandeBillet, pk=demande_pk, ordre=ordre)
    if not ponctuels.peut_emettre_billets(request.user, ordre):
        raise PermissionDenied(ponctuels.REFUS_AGENCE)
    if request.method == "POST":
        form = BilletForm(request.POST, request.FILES)
        enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.enregistrer_billet(demande=demande, par=request.user, donnees=donnees),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"Billet enregistré pour {ordre.numero} : l'agent est prévenu.")
            return redirect("ponctuels:agence")
    else:
        form = BilletForm(initial={"cout": demande.cout_estime})
    context = {
        "title": f"Billet {demande.get_sens_display().lower()} — {ordre.numero}",
        "form": form,
        "ordre": ordre,
        "demande": demande,
        "espace_courant": Role.GESTIONNAIRE,
    }
    return render(request, "ponctuels/billet_formulaire.html", context, status=statut(form))


# --- Politique de voyage -------------------------------------------------------------------------------------------


@role_required(Role.ADMIN)
def politique(request):
    instance = PolitiqueVoyage.courante()
    if request.method == "POST":
        form = PolitiqueVoyageForm(request.POST, instance=instance)
        enregistrer_si_valide(
            form,
            lambda donnees: ponctuels.enregistrer_politique(par=request.user, donnees=donnees),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, "Politique de voyage enregistrée : elle vaut pour les calculs suivants.")
            return redirect("ponctuels:politique")
    else:
        form = PolitiqueVoyageForm(instance=instance)
    context = {"title": "Politique de voyage", "form": form, "espace_courant": Role.ADMIN}
    return render(request, "ponctuels/politique.html", context, status=statut(form))
