"""Écritures sur la fiche profil : chaque action valide le modèle entier et s'exécute d'un bloc.

Seuls les champs que l'agent tient lui-même sont modifiables ici ; les champs de
`Agent.CHAMPS_ADMINISTRATION` sont ignorés même s'ils figurent dans les données reçues.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from agents.models import Agent, Vehicule

CHAMPS_COORDONNEES = ("email_secondaire", "telephone", "adresse_familiale", "commune_familiale")
CHAMPS_BANCAIRES = ("iban", "bic", "titulaire_compte")
CHAMPS_VEHICULE = (
    "immatriculation",
    "type",
    "puissance_fiscale",
    "assurance_valide_jusqu_au",
    "auvp_debut",
    "auvp_fin",
    "actif",
)


def _verrouiller_agent(agent_id: int) -> None:
    """Sérialise les écritures concurrentes sur une même fiche (deux onglets, deux véhicules activés)."""
    list(Agent.objects.select_for_update().filter(pk=agent_id).values_list("pk", flat=True))


def _appliquer(instance, data: Mapping[str, Any], champs: tuple[str, ...]) -> list[str]:
    modifies = [champ for champ in champs if champ in data]
    for champ in modifies:
        setattr(instance, champ, data[champ])
    return modifies


@transaction.atomic
def modifier_coordonnees(agent: Agent, data: Mapping[str, Any]) -> Agent:
    """Seconde adresse électronique, téléphone, adresse et commune de la résidence familiale."""
    _verrouiller_agent(agent.pk)
    modifies = _appliquer(agent, data, CHAMPS_COORDONNEES)
    agent.full_clean()
    agent.save(update_fields=[*modifies, "updated_at"])
    return agent


@transaction.atomic
def modifier_coordonnees_bancaires(agent: Agent, data: Mapping[str, Any]) -> Agent:
    """IBAN, BIC et titulaire du compte ; le modèle refuse un IBAN sans BIC et inversement."""
    _verrouiller_agent(agent.pk)
    modifies = _appliquer(agent, data, CHAMPS_BANCAIRES)
    agent.full_clean()
    agent.save(update_fields=[*modifies, "updated_at"])
    return agent


@transaction.atomic
def enregistrer_vehicule(*, agent: Agent, data: Mapping[str, Any], vehicule: Vehicule | None = None) -> Vehicule:
    """Ajoute un véhicule à l'agent, ou modifie l'un des siens."""
    if vehicule is None:
        vehicule = Vehicule(agent=agent)
    elif vehicule.agent_id != agent.pk:
        raise ValueError("Ce véhicule n'appartient pas à cet agent.")
    _verrouiller_agent(agent.pk)
    _appliquer(vehicule, data, CHAMPS_VEHICULE)
    vehicule.full_clean()
    vehicule.save()
    return vehicule


@transaction.atomic
def activer_vehicule(vehicule: Vehicule) -> Vehicule:
    """Fait de ce véhicule celui des indemnités kilométriques, en désactivant l'autre dans la même transaction."""
    _verrouiller_agent(vehicule.agent_id)
    Vehicule.objects.filter(agent_id=vehicule.agent_id, actif=True).exclude(pk=vehicule.pk).update(actif=False)
    vehicule.actif = True
    vehicule.full_clean()
    vehicule.save(update_fields=["actif"])
    return vehicule


@transaction.atomic
def desactiver_vehicule(vehicule: Vehicule) -> Vehicule:
    vehicule.actif = False
    vehicule.save(update_fields=["actif"])
    return vehicule
