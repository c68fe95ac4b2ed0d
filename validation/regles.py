"""Qui peut faire quelle action sur quel ordre : la seule source de ces règles.

Les vues, les files et les services l'interrogent ; aucune autre partie du code ne décide d'un droit d'agir.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from agents.enums import Role
from agents.selectors import perimetre_q
from missions.enums import Etat
from missions.models import OrdreMission
from validation.enums import Action, RoleDelegue
from validation.models import Delegation, EtatEF


@dataclass(frozen=True)
class Autorisation:
    accordee: bool
    motif: str = ""
    pour_le_compte_de: object = None  # l'utilisateur représenté, quand on agit par délégation

    def __bool__(self):
        return self.accordee


REFUS_PAS_A_VOUS = "Cette action ne vous revient pas pour cet ordre de mission."
# Un ordre s'annule dans tout état « avant paiement » : plus une fois son état de frais parti en paiement.
EN_PAIEMENT = (EtatEF.MIS_EN_PAIEMENT, EtatEF.PAYE)
REFUS_EN_PAIEMENT = (
    "L'état de frais de cet ordre de mission est déjà en paiement ou payé : l'ordre ne peut plus être annulé."
)


def delegations_actives(user, role: RoleDelegue, jour: datetime.date):
    return Delegation.objects.filter(
        delegataire=user, role=role, date_debut__lte=jour, date_fin__gte=jour, terminee_le__isnull=True
    )


ROLE_DE_LA_DELEGATION = {RoleDelegue.VH1: Role.VH1, RoleDelegue.GESTIONNAIRE: Role.GESTIONNAIRE}


def roles_recus_par_delegation(user, jour: datetime.date | None = None) -> set[Role]:
    """Les files qu'ouvrent à cette personne les délégations en cours qu'elle a reçues (une requête)."""
    jour = jour or datetime.date.today()
    recus = Delegation.objects.filter(
        delegataire=user, date_debut__lte=jour, date_fin__gte=jour, terminee_le__isnull=True
    ).values_list("role", flat=True)
    return {ROLE_DE_LA_DELEGATION[role] for role in set(recus)}


def _est_dans_le_perimetre(user, ordre: OrdreMission) -> bool:
    gestionnaire = getattr(user, "gestionnaire", None)
    if gestionnaire is None:
        return False
    return type(ordre.agent).objects.filter(perimetre_q(gestionnaire), pk=ordre.agent_id).exists()


def _gestionnaire_ou_delegue(user, ordre: OrdreMission, jour: datetime.date) -> Autorisation:
    if _est_dans_le_perimetre(user, ordre):
        return Autorisation(True)
    for delegation in delegations_actives(user, RoleDelegue.GESTIONNAIRE, jour).select_related(
        "delegant__gestionnaire"
    ):
        if _est_dans_le_perimetre(delegation.delegant, ordre):
            return Autorisation(True, pour_le_compte_de=delegation.delegant)
    return Autorisation(False, "Cet ordre de mission n'est pas dans votre périmètre de gestion.")


def _valideur_ou_delegue(user, ordre: OrdreMission, jour: datetime.date) -> Autorisation:
    if ordre.destinataire_id == user.pk:
        return Autorisation(True)
    delegation = delegations_actives(user, RoleDelegue.VH1, jour).filter(delegant_id=ordre.destinataire_id).first()
    if delegation:
        return Autorisation(True, pour_le_compte_de=delegation.delegant)
    return Autorisation(False, "Cet ordre de mission n'a pas été adressé à vous, ni à une personne qui vous a délégué.")


def autoriser(user, ordre: OrdreMission, action: Action, jour: datetime.date | None = None) -> Autorisation:
    jour = jour or datetime.date.today()
    est_titulaire = ordre.agent.user_id == user.pk
    if action in (Action.RETIRER, Action.REPRENDRE):
        return Autorisation(True) if est_titulaire else Autorisation(False, REFUS_PAS_A_VOUS)
    if action == Action.SOUMETTRE:
        if est_titulaire:
            return Autorisation(True)
        return _gestionnaire_ou_delegue(user, ordre, jour)
    if action in (Action.VALIDER, Action.REFUSER):
        if est_titulaire:
            return Autorisation(False, "Vous ne pouvez pas valider ni refuser votre propre ordre de mission.")
        if ordre.etat == Etat.ATTENTE_VH1:
            return _valideur_ou_delegue(user, ordre, jour)
        return _gestionnaire_ou_delegue(user, ordre, jour)
    if action == Action.ANNULER:
        autorisation = _gestionnaire_ou_delegue(user, ordre, jour)
        # Seul un ordre validé a un état de frais qui peut être parti en paiement.
        if autorisation and ordre.etat == Etat.VALIDE and ordre.etats_frais.filter(etat__in=EN_PAIEMENT).exists():
            return Autorisation(False, REFUS_EN_PAIEMENT)
        return autorisation
    return Autorisation(False, REFUS_PAS_A_VOUS)


def perimetre_de_gestion_q(user, jour: datetime.date | None = None) -> Q:
    """Les ordres de mon périmètre, plus ceux du périmètre des gestionnaires qui m'ont délégué leur validation."""
    jour = jour or datetime.date.today()
    q = Q(pk__in=[])
    gestionnaire = getattr(user, "gestionnaire", None)
    if gestionnaire is not None:
        q |= perimetre_q(gestionnaire, prefix="agent__")
    delegations = (
        delegations_actives(user, RoleDelegue.GESTIONNAIRE, jour)
        .select_related("delegant__gestionnaire")
        .prefetch_related("delegant__gestionnaire__perimetres")
    )
    for delegation in delegations:
        delegant = getattr(delegation.delegant, "gestionnaire", None)
        if delegant is not None:
            q |= perimetre_q(delegant, prefix="agent__")
    return q


def ordres_visibles_q(user, jour: datetime.date | None = None) -> Q:
    """Les ordres qu'une personne peut consulter : les siens, ceux qui lui sont adressés ou délégués, son périmètre."""
    jour = jour or datetime.date.today()
    delegants_vh1 = delegations_actives(user, RoleDelegue.VH1, jour).values("delegant_id")
    return (
        Q(agent__user=user)
        | Q(destinataire=user)
        | Q(destinataire__in=delegants_vh1)
        | perimetre_de_gestion_q(user, jour)
    )


def actions_possibles(user, ordre: OrdreMission, jour: datetime.date | None = None) -> list[Action]:
    """Les actions que cette personne peut faire maintenant sur cet ordre (pour afficher les bons boutons)."""
    from django_fsm import can_proceed

    return [
        action
        for action in Action
        if can_proceed(getattr(ordre, action.value)) and autoriser(user, ordre, action, jour)
    ]
