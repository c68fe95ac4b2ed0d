"""Les pages de la déclaration réelle d'un état de frais d'OM ponctuel : horaires réels, étapes, frais, justificatifs.

Chaque vue : 404 si l'état de frais n'est pas visible (`validation.etats_frais.etat_frais_visible_ou_404`) ou n'est
pas celui d'un OM ponctuel, 403 si la personne le voit sans pouvoir le déclarer (un gestionnaire, ou l'agent une
fois l'EF soumis) ; puis un seul service de `missions.ponctuel_etats_frais`. La page de l'EF reste
`validation:ef_detail`, qui montre `templates/validation/ef/includes/declaration.html`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from config.formulaires import enregistrer_si_valide, statut
from missions import fichiers
from missions import ponctuel_etats_frais as declaration
from missions.ponctuel_forms import EtapeForm, FraisReelForm, HorairesReelsForm, JustificatifForm
from missions.ponctuel_views import CHAMPS_DU_FORMULAIRE, _dire_le_rapport
from validation.etats_frais import etat_frais_visible_ou_404
from validation.models import EtatFrais, FraisEtatFrais, JustificatifEtatFrais


def _url_ef(etat_frais: EtatFrais, ancre: str = "") -> str:
    return reverse("validation:ef_detail", args=[etat_frais.pk]) + (f"#{ancre}" if ancre else "")


def _ef_visible(request, pk) -> EtatFrais:
    etat_frais = etat_frais_visible_ou_404(request.user, pk)
    if not declaration.est_declaratif(etat_frais):
        raise Http404
    return etat_frais


def _ef_declarable(request, pk) -> EtatFrais:
    """404 si l'EF n'est pas visible (ou pas d'un OM ponctuel), 403 si la personne ne peut pas le déclarer."""
    etat_frais = _ef_visible(request, pk)
    if not declaration.peut_declarer(request.user, etat_frais):
        raise PermissionDenied(declaration.REFUS_DECLARATION)
    return etat_frais


def _contexte(etat_frais: EtatFrais, title: str, form, **autres) -> dict:
    return {"title": title, "form": form, "ef": etat_frais, "ordre": etat_frais.ordre, **autres}


@login_required
def horaires(request, pk):
    """Les horaires réels : changés, ils régénèrent les étapes de l'état de frais."""
    etat_frais = _ef_declarable(request, pk)
    if request.method == "POST":
        form = HorairesReelsForm(request.POST)
        rapport = enregistrer_si_valide(
            form,
            lambda donnees: declaration.modifier_horaires(
                etat_frais=etat_frais,
                par=request.user,
                depart_le=donnees["depart_le"],
                retour_le=donnees["retour_le"],
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, "Horaires réels enregistrés.")
            _dire_le_rapport(request, rapport)
            return redirect(_url_ef(etat_frais, "ef-etapes"))
    else:
        form = HorairesReelsForm(initial=HorairesReelsForm.initial_depuis(etat_frais))
    context = _contexte(etat_frais, f"Horaires réels — {etat_frais.numero}", form)
    return render(request, "ponctuels/ef_horaires.html", context, status=statut(form))


@login_required
def etape(request, pk, etape_pk):
    etat_frais = _ef_declarable(request, pk)
    etape = get_object_or_404(etat_frais.etapes.select_related("commune"), pk=etape_pk)
    if request.method == "POST":
        form = EtapeForm(request.POST, etape=etape)
        modifiee = enregistrer_si_valide(
            form,
            lambda donnees: declaration.modifier_etape(
                etape=etape,
                par=request.user,
                mode=donnees["mode"],
                commentaire=donnees["commentaire"],
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"{modifiee.libelle.capitalize()} : {modifiee.get_mode_display().lower()}.")
            return redirect(_url_ef(etat_frais, f"ef-etape-{modifiee.pk}"))
    else:
        form = EtapeForm(initial={"mode": etape.mode, "commentaire": etape.commentaire}, etape=etape)
    context = _contexte(etat_frais, f"Modifier le {etape.libelle}", form, etape=etape)
    return render(request, "ponctuels/ef_etape.html", context, status=statut(form))


@login_required
def frais(request, pk, frais_pk=None):
    etat_frais = _ef_declarable(request, pk)
    existant = get_object_or_404(FraisEtatFrais, pk=frais_pk, etat_frais=etat_frais) if frais_pk else None
    jours = declaration.jours_reels(etat_frais)
    if request.method == "POST":
        form = FraisReelForm(request.POST, etat_frais=etat_frais, jours=jours)
        enregistre = enregistrer_si_valide(
            form,
            lambda donnees: declaration.enregistrer_frais(
                etat_frais=etat_frais, par=request.user, donnees=donnees, frais=existant
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"{enregistre} enregistré.")
            return redirect(_url_ef(etat_frais, "ef-frais"))
    else:
        initial = FraisReelForm.initial_depuis(existant) if existant else {"date": jours[0] if jours else None}
        form = FraisReelForm(initial=initial, etat_frais=etat_frais, jours=jours)
    titre = "Modifier un frais réel" if existant else "Ajouter un frais réel"
    context = _contexte(etat_frais, titre, form, frais=existant)
    return render(request, "ponctuels/ef_frais.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_frais(request, pk, frais_pk):
    etat_frais = _ef_declarable(request, pk)
    existant = get_object_or_404(FraisEtatFrais, pk=frais_pk, etat_frais=etat_frais)
    declaration.supprimer_frais(frais=existant, par=request.user)
    messages.success(request, f"{existant} supprimé.")
    return redirect(_url_ef(etat_frais, "ef-frais"))


@login_required
def justificatif(request, pk):
    """Joindre un justificatif : rien n'est gardé (ni fichier ni ligne) si le fichier est refusé."""
    etat_frais = _ef_declarable(request, pk)
    if request.method == "POST":
        form = JustificatifForm(request.POST, request.FILES)
        enregistrer_si_valide(
            form,
            lambda donnees: declaration.joindre_justificatif(
                etat_frais=etat_frais,
                par=request.user,
                libelle=donnees["libelle"],
                fichier=donnees["fichier"],
            ),
            CHAMPS_DU_FORMULAIRE,
        )
        if not form.errors:
            messages.success(request, f"Justificatif « {form.cleaned_data['libelle']} » joint.")
            return redirect(_url_ef(etat_frais, "ef-justificatifs"))
    else:
        form = JustificatifForm()
    context = _contexte(etat_frais, f"Joindre un justificatif — {etat_frais.numero}", form)
    return render(request, "ponctuels/ef_justificatif.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_justificatif(request, pk, justificatif_pk):
    etat_frais = _ef_declarable(request, pk)
    existant = get_object_or_404(JustificatifEtatFrais, pk=justificatif_pk, etat_frais=etat_frais)
    declaration.supprimer_justificatif(justificatif=existant, par=request.user)
    messages.success(request, f"Justificatif « {existant.libelle} » retiré.")
    return redirect(_url_ef(etat_frais, "ef-justificatifs"))


@login_required
@require_GET
def fichier_justificatif(request, pk, justificatif_pk):
    """Le fichier, pour qui voit l'état de frais (l'agent, les gestionnaires de son périmètre) ; 404 pour les autres."""
    etat_frais = _ef_visible(request, pk)
    existant = get_object_or_404(JustificatifEtatFrais, pk=justificatif_pk, etat_frais=etat_frais)
    return fichiers.servir(existant.fichier, f"justificatif-{existant.pk}")
