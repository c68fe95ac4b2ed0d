"""Écritures sur les ordres de mission en cours de création (OMP et leurs trajets habituels).

Les changements d'état passent par `validation.services` ; ici, seulement le contenu d'un brouillon.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agents.models import Agent
from agents.selectors import perimetre_q
from missions import fichiers, prefill
from missions.calculs import actualiser_estimation
from missions.distances import DistanceInconnue, km_de_reference
from missions.enums import Depart, Periode, SourceKm, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Absence, Frais, JourTrajet, LigneTrajet, OrdreMission, TrajetHabituel
from missions.periodes import bornes_periode
from validation.regles import perimetre_de_gestion_q

CHAMPS_OMP = (
    "objet",
    "commentaire",
    "vehicule_personnel",
    "transports_publics",
    "vehicule_service",
    "enveloppe_budgetaire",
    "centre_couts",
    "domaine_fonctionnel",
)


def peut_rediger(user, ordre: OrdreMission) -> bool:
    """L'agent rédige ses brouillons ; un gestionnaire ceux des agents de son périmètre."""
    if not ordre.est_modifiable_par_agent:
        return False
    if ordre.agent.user_id == user.pk:
        return True
    return OrdreMission.objects.filter(perimetre_de_gestion_q(user), pk=ordre.pk).exists()


def peut_creer_pour(user, agent: Agent) -> bool:
    """L'agent pour lui-même, ou un gestionnaire pour un agent de son périmètre."""
    if agent.user_id == user.pk:
        return True
    gestionnaire = getattr(user, "gestionnaire", None)
    return gestionnaire is not None and Agent.objects.filter(perimetre_q(gestionnaire), pk=agent.pk).exists()


def _verifier_redaction(user, ordre: OrdreMission) -> None:
    if not peut_rediger(user, ordre):
        raise PermissionDenied(
            "Cet ordre de mission n'est plus modifiable : il a été soumis ou vous n'en êtes pas l'auteur."
        )


@transaction.atomic
def creer_omp(*, agent: Agent, par, periode: str, annee: int, donnees: dict) -> OrdreMission:
    if not peut_creer_pour(par, agent):
        raise PermissionDenied("Vous ne pouvez pas créer d'ordre de mission pour cet agent.")
    debut, fin = bornes_periode(periode, annee)
    vehicule = agent.vehicules.filter(actif=True).first()
    ordre = OrdreMission(
        type=TypeOrdre.PERMANENT,
        agent=agent,
        periode=periode,
        date_debut=debut,
        date_fin=fin,
        vehicule=vehicule,
        created_by=par,
        **{champ: donnees[champ] for champ in CHAMPS_OMP if champ in donnees},
    )
    ordre.full_clean(exclude=["etat"])  # l'état est protégé : seules les transitions le changent
    ordre.save()
    return ordre


@transaction.atomic
def modifier_omp(*, ordre: OrdreMission, par, periode: str, annee: int, donnees: dict) -> OrdreMission:
    ordre = OrdreMission.objects.select_for_update(of=("self",)).get(pk=ordre.pk)
    _verifier_redaction(par, ordre)
    ordre.periode = periode
    ordre.date_debut, ordre.date_fin = bornes_periode(periode, annee)
    for champ in CHAMPS_OMP:
        if champ in donnees:
            setattr(ordre, champ, donnees[champ])
    ordre.full_clean(exclude=["etat"])  # l'état est protégé : seules les transitions le changent
    ordre.save()
    return ordre


def km_propose(agent: Agent, depart: str, destination) -> tuple:
    """Les kilomètres de référence d'un trajet habituel : distancier, sinon estimation ; (None, None) si inconnus."""
    origine = agent.residence_administrative.commune if depart == Depart.ADMINISTRATIVE else agent.commune_familiale
    try:
        return km_de_reference(origine, destination)
    except DistanceInconnue:
        return None, None


@transaction.atomic
def enregistrer_trajet_habituel(
    *, ordre: OrdreMission, par, donnees: dict, trajet: TrajetHabituel | None = None
) -> TrajetHabituel:
    """Crée ou modifie un trajet habituel ; une distance différente de la référence exige un motif."""
    ordre = OrdreMission.objects.select_for_update(of=("self",)).select_related("agent").get(pk=ordre.pk)
    _verifier_redaction(par, ordre)
    if ordre.type != TypeOrdre.PERMANENT:
        raise ValidationError("Les trajets habituels appartiennent à un ordre de mission permanent.")
    trajet = trajet or TrajetHabituel(ordre=ordre)
    for champ in (
        "depart",
        "destination_etablissement",
        "destination_commune",
        "jours_semaine",
        "trajets_par_jour",
        "repas",
    ):
        setattr(trajet, champ, donnees[champ])
    trajet.horaires = (donnees.get("horaires") or "").strip()
    reference, source = km_propose(ordre.agent, trajet.depart, trajet.destination_commune)
    trajet.km_reference = reference
    km_declare = donnees.get("km_aller")
    if km_declare is None or km_declare == reference:
        trajet.km_aller, trajet.source_km, trajet.motif_km = reference, source, ""
    elif reference is None:
        trajet.km_aller, trajet.source_km, trajet.motif_km = km_declare, SourceKm.DECLARE, donnees.get("motif_km") or ""
    else:
        if not (donnees.get("motif_km") or "").strip():
            raise ValidationError(
                {
                    "motif_km": "Vous déclarez une distance différente de la référence : indiquez pourquoi (itinéraire, travaux…)."
                }
            )
        trajet.km_aller, trajet.source_km, trajet.motif_km = km_declare, SourceKm.DECLARE, donnees["motif_km"].strip()
    if trajet.km_aller is None:
        raise ValidationError({"km_aller": "Aucune distance de référence connue : indiquez les kilomètres de l'aller."})
    trajet.full_clean()
    trajet.save()
    return trajet


@transaction.atomic
def supprimer_trajet_habituel(*, trajet: TrajetHabituel, par) -> None:
    _verifier_redaction(par, trajet.ordre)
    trajet.delete()


PERIODES_OMP = [choix for choix in Periode.choices if choix[0] != Periode.LIBRE]


# --- OMI : lignes de trajet, jours cochés et frais du mois --------------------------------------------------------
#
# Le commentaire d'une ligne d'OMI est fait des dates (« L 5, 12, 19 octobre », refait à chaque jour coché ou
# décoché) puis, après « — », des horaires de mission saisis par l'agent, qui sont conservés d'un changement à l'autre.

REFUS_OMI = "Seul un ordre de mission itinérant (OMI) se complète ligne par ligne et jour par jour."


def _verrouiller_omi(ordre: OrdreMission, par) -> OrdreMission:
    """L'OMI verrouillé pour la durée de la transaction, après vérification que `par` peut le rédiger."""
    ordre = (
        OrdreMission.objects.select_for_update(of=("self",))
        .select_related("agent__residence_administrative__commune", "agent__commune_familiale")
        .get(pk=ordre.pk)
    )
    _verifier_redaction(par, ordre)
    if ordre.type != TypeOrdre.ITINERANT:
        raise ValidationError(REFUS_OMI)
    return ordre


def _verifier_dates(ordre: OrdreMission, dates: Iterable[datetime.date], champ: str) -> None:
    for jour in dates:
        if not ordre.date_debut <= jour <= ordre.date_fin:
            raise ValidationError(
                {
                    champ: f"Le {jour:%d/%m/%Y} est hors de la période de l'ordre "
                    f"(du {ordre.date_debut:%d/%m/%Y} au {ordre.date_fin:%d/%m/%Y})."
                }
            )


def basculer_jour_omi(*, ligne: LigneTrajet, date: datetime.date, actif: bool, par) -> LigneTrajet:
    """Coche ou décoche un jour d'une ligne (`prefill.basculer_jour`), garde les horaires, recalcule l'estimation.

    `PermissionDenied` si `par` ne peut pas rédiger l'ordre ; `prefill.PrefillRefuse` si le jour est refusé.
    """
    with transaction.atomic():
        ordre = _verrouiller_omi(ligne.ordre, par)
        ligne = prefill.basculer_jour(ligne, date, actif)
        actualiser_estimation(ordre)
    return ligne


def _commune_de_residence(agent: Agent, depart: str):
    return agent.commune_familiale if depart == Depart.FAMILIALE else agent.residence_administrative.commune


def enregistrer_ligne_omi(*, ordre: OrdreMission, par, donnees: dict, ligne: LigneTrajet | None = None) -> LigneTrajet:
    """Ajoute ou modifie une ligne de trajet saisie à la main sur un OMI en brouillon.

    `donnees` : depart, commune_depart (None : la résidence du départ choisi), commune_arrivee, km_aller (None :
    la distance de référence), trajets_par_jour, horaires, et `dates` (liste de jours) à l'ajout ; les jours d'une
    ligne existante se changent sur son calendrier. `ValidationError` par champ, en français ; rien n'est enregistré.
    """
    with transaction.atomic():
        ordre = _verrouiller_omi(ordre, par)
        if ligne is not None:
            ligne = LigneTrajet.objects.select_for_update().get(pk=ligne.pk, ordre=ordre)
            dates = list(ligne.jours.values_list("date", flat=True))
        else:
            ligne = LigneTrajet(ordre=ordre)
            dates = sorted(set(donnees.get("dates") or []))
            if not dates:
                raise ValidationError({"dates": "Cochez au moins un jour où vous avez fait ce trajet."})
            _verifier_dates(ordre, dates, "dates")
        ligne.depart = donnees["depart"]
        ligne.commune_depart = donnees.get("commune_depart") or _commune_de_residence(ordre.agent, ligne.depart)
        ligne.commune_arrivee = donnees["commune_arrivee"]
        if ligne.commune_depart.pk == ligne.commune_arrivee.pk:
            raise ValidationError(
                {
                    "commune_arrivee": f"Le départ et l'arrivée sont la même commune ({ligne.commune_arrivee.nom}) : "
                    "un trajet dans une même commune n'ouvre pas droit à des indemnités kilométriques."
                }
            )
        km = donnees.get("km_aller")
        if km is None:
            try:
                km, _ = km_de_reference(ligne.commune_depart, ligne.commune_arrivee)
            except DistanceInconnue as exc:
                raise ValidationError({"km_aller": str(exc)}) from exc
        ligne.km_aller = km
        ligne.trajets_par_jour = donnees["trajets_par_jour"]
        ligne.commentaire = prefill.commentaire_ligne(dates, (donnees.get("horaires") or "").strip())
        ligne.full_clean(exclude=["ordre", "trajet_habituel"])
        nouvelle = ligne.pk is None
        ligne.save()
        if nouvelle:
            JourTrajet.objects.bulk_create(JourTrajet(ligne=ligne, date=jour) for jour in dates)
        actualiser_estimation(ordre)
    return ligne


def supprimer_ligne_omi(*, ligne: LigneTrajet, par) -> None:
    """Supprime une ligne ; ses jours sont d'abord décochés, pour que les repas de ces jours suivent (sauf justifiés)."""
    with transaction.atomic():
        ordre = _verrouiller_omi(ligne.ordre, par)
        ligne = LigneTrajet.objects.get(pk=ligne.pk, ordre=ordre)
        for jour in ligne.jours.filter(date__range=(ordre.date_debut, ordre.date_fin)).values_list("date", flat=True):
            prefill.basculer_jour(ligne, jour, False)
        ligne.delete()
        actualiser_estimation(ordre)


def _supprimer_fichier_apres_validation(storage, nom: str | None) -> None:
    """Le fichier remplacé ou supprimé n'est effacé qu'une fois la transaction validée."""
    if nom:
        transaction.on_commit(lambda: storage.delete(nom))


def enregistrer_frais_omi(*, ordre: OrdreMission, par, donnees: dict, frais: Frais | None = None) -> Frais:
    """Ajoute ou modifie un frais (repas, péage, stationnement, transport en commun) d'un OMI en brouillon.

    `donnees` : type, date, type_repas (repas), montant (autres frais ; celui d'un repas vient du barème),
    commentaire, justificatif (fichier déposé ou None), supprimer_justificatif. Tout est vérifié avant d'écrire :
    un justificatif refusé ou une donnée invalide ne change rien (`ValidationError` par champ, en français).
    """
    with transaction.atomic():
        ordre = _verrouiller_omi(ordre, par)
        frais = Frais.objects.get(pk=frais.pk, ordre=ordre) if frais is not None else Frais(ordre=ordre)
        type_frais, jour = donnees["type"], donnees["date"]
        _verifier_dates(ordre, [jour], "date")
        if type_frais == TypeFrais.REPAS:
            if not donnees.get("type_repas") or donnees["type_repas"] == TypeRepas.AUCUN:
                raise ValidationError(
                    {"type_repas": "Précisez le repas : taux plein, restaurant administratif ou gratuit."}
                )
            autre_repas = Frais.objects.filter(ordre=ordre, type=TypeFrais.REPAS, date=jour).exclude(pk=frais.pk)
            if autre_repas.exists():
                raise ValidationError(
                    {"date": f"Un repas est déjà déclaré le {jour:%d/%m/%Y} : modifiez-le plutôt que d'en ajouter un."}
                )
            frais.type_repas, frais.montant = donnees["type_repas"], None
        else:
            if donnees.get("montant") is None:
                raise ValidationError({"montant": "Indiquez le montant payé, en euros."})
            frais.type_repas, frais.montant = "", donnees["montant"]
        frais.type, frais.date = type_frais, jour
        frais.commentaire = (donnees.get("commentaire") or "").strip()
        depot = donnees.get("justificatif")
        format_depot = None
        if depot:
            try:
                format_depot = fichiers.verifier_justificatif(depot)
            except ValidationError as exc:
                raise ValidationError({"justificatif": exc.messages}) from exc
        frais.full_clean(exclude=["ordre", "justificatif"])
        storage, ancien = frais.justificatif.storage, frais.justificatif.name or None
        if depot:
            frais.justificatif.save(f"{uuid.uuid4().hex}.{format_depot.extension}", depot, save=False)
        elif donnees.get("supprimer_justificatif"):
            frais.justificatif = ""
        else:
            ancien = None
        try:
            frais.save()
        except Exception:
            if depot:
                storage.delete(frais.justificatif.name)
            raise
        _supprimer_fichier_apres_validation(storage, ancien)
        actualiser_estimation(ordre)
    return frais


def supprimer_frais_omi(*, frais: Frais, par) -> None:
    with transaction.atomic():
        ordre = _verrouiller_omi(frais.ordre, par)
        frais = Frais.objects.get(pk=frais.pk, ordre=ordre)
        storage, nom = frais.justificatif.storage, frais.justificatif.name or None
        frais.delete()
        _supprimer_fichier_apres_validation(storage, nom)
        actualiser_estimation(ordre)


@transaction.atomic
def declarer_absence(*, agent: Agent, date_debut, date_fin, motif: str = "") -> Absence:
    """Une absence déclarée : les prochains OMI préparés n'y placeront aucun trajet."""
    chevauchantes = agent.absences.filter(date_debut__lte=date_fin, date_fin__gte=date_debut)
    if chevauchantes.exists():
        raise ValidationError({"date_debut": "Une absence déjà déclarée couvre une partie de ces dates."})
    absence = Absence(agent=agent, date_debut=date_debut, date_fin=date_fin, motif=motif)
    absence.full_clean()
    absence.save()
    return absence
