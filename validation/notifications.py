"""Qui est prévenu de quoi à chaque transition : une notification dans le portail et un courriel après validation."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from missions.enums import Etat
from validation.enums import Action
from validation.models import Notification
from validation.tasks import envoyer_courriel


def _destinataires(ordre, action: Action, cible: str) -> list[tuple[object, str]]:
    agent_user = ordre.agent.user
    nom = ordre.agent.user.get_full_name()
    if action == Action.SOUMETTRE and cible == Etat.ATTENTE_VH1:
        return [(ordre.destinataire, f"{nom} vous a adressé l'ordre de mission {ordre.numero} à valider.")]
    if action == Action.SOUMETTRE or (action == Action.VALIDER and cible == Etat.ATTENTE_GESTIONNAIRE):
        gestionnaires = ordre.agent.service_gestionnaire.gestionnaires.select_related("user")
        message = f"L'ordre de mission {ordre.numero} de {nom} attend le contrôle du service gestionnaire."
        personnes = [(g.user, message) for g in gestionnaires]
        if action == Action.VALIDER:
            personnes.append((agent_user, f"Votre ordre de mission {ordre.numero} a été validé par votre valideur."))
        return personnes
    if action == Action.VALIDER and cible == Etat.VALIDE:
        return [(agent_user, f"Votre ordre de mission {ordre.numero} est validé par le service gestionnaire.")]
    if action == Action.REFUSER:
        return [(agent_user, f"Votre ordre de mission {ordre.numero} a été refusé : {ordre.motif_refus}")]
    if action == Action.ANNULER:
        return [(agent_user, f"Votre ordre de mission {ordre.numero} a été annulé.")]
    return []


def notifier_transition(ordre, action: Action, cible: str, par) -> None:
    lien = reverse("missions:ordre", args=[ordre.pk])
    for destinataire, message in _destinataires(ordre, action, cible):
        if destinataire is None or destinataire.pk == par.pk:
            continue
        Notification.objects.create(destinataire=destinataire, message=message, lien=lien)
        corps = f"Bonjour,\n\n{message}\n\nPour le consulter : {settings.SITE_URL}{lien}\n\nItinera"
        transaction.on_commit(
            lambda email=destinataire.email, corps=corps, message=message: envoyer_courriel.enqueue(
                email, f"Itinera : {message[:80]}", corps
            )
        )
