"""Écritures sur les ordres de mission en cours de création (OMP et leurs trajets habituels).

Les changements d'état passent par `validation.services` ; ici, seulement le contenu d'un brouillon.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agents.models import Agent
from agents.selectors import perimetre_q
from missions.distances import DistanceInconnue, km_de_reference
from missions.enums import Depart, Periode, SourceKm, TypeOrdre
from missions.models import OrdreMission, TrajetHabituel
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
