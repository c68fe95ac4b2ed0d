"""Délégations de validation : un VH1 ou un gestionnaire confie sa validation à une autre personne pour une période.

Qui agit par délégation, et dans quelles files les ordres apparaissent, relève de `validation.regles`
(`delegations_actives`) : ce module ne fait que créer, terminer et lister les délégations.
"""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from agents.models import User
from validation.enums import RoleDelegue
from validation.models import Delegation, Notification
from validation.tasks import envoyer_courriel

A_SOI_MEME = "Vous ne pouvez pas vous déléguer votre propre validation : choisissez une autre personne."
FIN_AVANT_DEBUT = "La date de fin doit être égale ou postérieure à la date de début."
DEBUT_PASSE = "La délégation ne peut pas commencer dans le passé : choisissez aujourd'hui ou une date à venir."
ROLE_INCONNU = "Choisissez la validation à déléguer."
PAS_VH1 = "Seul un valideur hiérarchique (VH1) peut déléguer la validation hiérarchique."
PAS_GESTIONNAIRE = "Seul un gestionnaire peut déléguer la validation du gestionnaire."
DELEGATAIRE_INACTIF = "Le compte de {nom} ({email}) est désactivé : choisissez une personne active du portail."
CHEVAUCHEMENT = (
    "Cette validation est déjà déléguée à {nom} du {debut:%d/%m/%Y} au {fin:%d/%m/%Y} : "
    "terminez cette délégation ou choisissez d'autres dates."
)
PAS_LE_DELEGANT = "Seule la personne qui a donné cette délégation, ou un administrateur, peut y mettre fin."
DEJA_TERMINEE = "Cette délégation est déjà terminée depuis le {le:%d/%m/%Y à %H:%M}."
DEJA_ARRIVEE_A_TERME = "Cette délégation est déjà arrivée à son terme le {fin:%d/%m/%Y}."

EN_COURS, A_VENIR, PASSEE = "en_cours", "a_venir", "passee"
FILE_DU_ROLE = {RoleDelegue.VH1: "validation:a_valider", RoleDelegue.GESTIONNAIRE: "validation:gestion"}


class DelegationRefusee(ValidationError):
    """La délégation n'est pas créée ou pas terminée ; les messages disent pourquoi (par champ si possible)."""


# --- Lectures ---------------------------------------------------------------------------------------------------------


def delegations_donnees(user) -> QuerySet[Delegation]:
    return Delegation.objects.filter(delegant=user).select_related("delegataire").order_by("-date_debut", "-pk")


def delegations_recues(user) -> QuerySet[Delegation]:
    return Delegation.objects.filter(delegataire=user).select_related("delegant").order_by("-date_debut", "-pk")


def utilisateur_actif(email: str) -> User | None:
    """Le compte actif qui porte exactement cette adresse (la casse n'a pas d'importance), sinon None."""
    return User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()


def statut(delegation: Delegation, jour: datetime.date) -> str:
    """En cours, à venir ou passée (arrivée à son terme, ou terminée par anticipation)."""
    if delegation.terminee_le is not None or delegation.date_fin < jour:
        return PASSEE
    if delegation.date_debut > jour:
        return A_VENIR
    return EN_COURS


def classer(delegations, jour: datetime.date) -> dict[str, list[Delegation]]:
    classees = {EN_COURS: [], A_VENIR: [], PASSEE: []}
    for delegation in delegations:
        classees[statut(delegation, jour)].append(delegation)
    return classees


# --- Règles -----------------------------------------------------------------------------------------------------------


def _peut_deleguer(user, role: str) -> bool:
    if role == RoleDelegue.VH1:
        return user.is_valideur
    return user.is_gestionnaire


def erreurs_delegation(
    *, delegant, delegataire, role: str, date_debut: datetime.date, date_fin: datetime.date, aujourd_hui
) -> dict[str, list[str]]:
    """Toutes les raisons de refuser cette délégation, par champ ; un dictionnaire vide si elle est acceptable."""
    erreurs: dict[str, list[str]] = {}

    def refuser(champ: str, message: str) -> None:
        erreurs.setdefault(champ, []).append(message)

    if role not in RoleDelegue.values:
        refuser("role", ROLE_INCONNU)
    elif not _peut_deleguer(delegant, role):
        refuser("role", PAS_VH1 if role == RoleDelegue.VH1 else PAS_GESTIONNAIRE)
    if delegataire.pk == delegant.pk:
        refuser("delegataire", A_SOI_MEME)
    elif not delegataire.is_active:
        refuser("delegataire", DELEGATAIRE_INACTIF.format(nom=delegataire.get_full_name(), email=delegataire.email))
    if date_debut < aujourd_hui:
        refuser("date_debut", DEBUT_PASSE)
    if date_fin < date_debut:
        refuser("date_fin", FIN_AVANT_DEBUT)
    elif role in RoleDelegue.values:
        existante = (
            Delegation.objects.filter(
                delegant=delegant,
                role=role,
                terminee_le__isnull=True,
                date_debut__lte=date_fin,
                date_fin__gte=date_debut,
            )
            .select_related("delegataire")
            .order_by("date_debut", "pk")
            .first()
        )
        if existante is not None:
            refuser(
                NON_FIELD_ERRORS,
                CHEVAUCHEMENT.format(
                    nom=existante.delegataire.get_full_name(), debut=existante.date_debut, fin=existante.date_fin
                ),
            )
    return erreurs


# --- Actions ----------------------------------------------------------------------------------------------------------


def _prevenir(destinataire, message: str, lien: str) -> None:
    Notification.objects.create(destinataire=destinataire, message=message[:300], lien=lien)
    corps = f"Bonjour,\n\n{message}\n\nPour consulter le portail : {settings.SITE_URL}{lien}\n\nItinera"
    email, sujet = destinataire.email, f"Itinera : {message[:80]}"
    transaction.on_commit(lambda: envoyer_courriel.enqueue(email, sujet, corps))


def notifier_nouvelle_delegation(delegation: Delegation) -> None:
    role = RoleDelegue(delegation.role)
    _prevenir(
        delegation.delegataire,
        f"{delegation.delegant.get_full_name()} vous délègue sa {role.label.lower()} "
        f"du {delegation.date_debut:%d/%m/%Y} au {delegation.date_fin:%d/%m/%Y}.",
        reverse(FILE_DU_ROLE[role]),
    )


def creer_delegation(
    *,
    delegant,
    delegataire,
    role: str,
    date_debut: datetime.date,
    date_fin: datetime.date,
    aujourd_hui: datetime.date | None = None,
) -> Delegation:
    """Crée la délégation si elle est acceptable (sinon `DelegationRefusee`, rien n'est créé) et prévient le délégataire."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    with transaction.atomic():
        # Deux envois simultanés du même délégant ne peuvent pas créer deux délégations qui se chevauchent.
        list(User.objects.select_for_update().filter(pk=delegant.pk).values_list("pk", flat=True))
        erreurs = erreurs_delegation(
            delegant=delegant,
            delegataire=delegataire,
            role=role,
            date_debut=date_debut,
            date_fin=date_fin,
            aujourd_hui=aujourd_hui,
        )
        if erreurs:
            raise DelegationRefusee(erreurs)
        delegation = Delegation.objects.create(
            delegant=delegant, delegataire=delegataire, role=role, date_debut=date_debut, date_fin=date_fin
        )
        notifier_nouvelle_delegation(delegation)
    return delegation


def terminer_delegation(*, delegation: Delegation, par, aujourd_hui: datetime.date | None = None) -> Delegation:
    """Met fin à la délégation maintenant : seul le délégant (ou un administrateur) le peut, une seule fois."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("delegant", "delegataire")
            .get(pk=delegation.pk)
        )
        if delegation.delegant_id != par.pk and not par.is_staff:
            raise DelegationRefusee(PAS_LE_DELEGANT)
        if delegation.terminee_le is not None:
            raise DelegationRefusee(DEJA_TERMINEE.format(le=timezone.localtime(delegation.terminee_le)))
        if delegation.date_fin < aujourd_hui:
            raise DelegationRefusee(DEJA_ARRIVEE_A_TERME.format(fin=delegation.date_fin))
        delegation.terminee_le = timezone.now()
        delegation.save(update_fields=["terminee_le"])
        role = RoleDelegue(delegation.role)
        _prevenir(
            delegation.delegataire,
            f"{delegation.delegant.get_full_name()} a mis fin à la délégation de sa {role.label.lower()} : "
            "ses ordres de mission ne vous sont plus présentés.",
            reverse(FILE_DU_ROLE[role]),
        )
    return delegation
