"""La matrice complète : chaque état × chaque action × chaque rôle.

Permis : le nouvel état et exactement une ligne d'historique. Interdit : refus, rien de changé, aucune ligne.
"""

import itertools

import pytest
from django_fsm import can_proceed

from missions.enums import Etat
from missions.models import OrdreMission
from tests.agents.factories import AgentFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import DelegationFactory
from validation import services
from validation.enums import Action
from validation.models import HistoriqueTransition

pytestmark = pytest.mark.django_db

ROLES = ["agent", "vh1", "delegue", "autre_vh1", "gestionnaire", "gestionnaire_hors_perimetre", "admin"]
ANNULABLES = [Etat.BROUILLON, Etat.ATTENTE_VH1, Etat.ATTENTE_GESTIONNAIRE, Etat.VALIDE, Etat.REFUSE]

PERMIS = {
    (Etat.BROUILLON, Action.SOUMETTRE): ({"agent", "gestionnaire"}, Etat.ATTENTE_VH1),
    (Etat.ATTENTE_VH1, Action.VALIDER): ({"vh1", "delegue"}, Etat.ATTENTE_GESTIONNAIRE),
    (Etat.ATTENTE_VH1, Action.REFUSER): ({"vh1", "delegue"}, Etat.REFUSE),
    (Etat.ATTENTE_VH1, Action.RETIRER): ({"agent"}, Etat.BROUILLON),
    (Etat.ATTENTE_GESTIONNAIRE, Action.VALIDER): ({"gestionnaire"}, Etat.VALIDE),
    (Etat.ATTENTE_GESTIONNAIRE, Action.REFUSER): ({"gestionnaire"}, Etat.REFUSE),
    (Etat.REFUSE, Action.REPRENDRE): ({"agent"}, Etat.BROUILLON),
    **{(etat, Action.ANNULER): ({"gestionnaire"}, Etat.ANNULE) for etat in ANNULABLES},
}

CAS = list(itertools.product(Etat.values, Action.values, ROLES))


@pytest.fixture
def scene():
    vh1 = UserFactory(valideur=True)
    agent = AgentFactory(categorie="aesh", valideurs=[vh1])
    gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
    return {
        "agent": agent.user,
        "vh1": vh1,
        "delegue": DelegationFactory(delegant=vh1).delegataire,
        "autre_vh1": UserFactory(valideur=True),
        "gestionnaire": gestionnaire,
        "gestionnaire_hors_perimetre": PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user,
        "admin": UserFactory(admin=True),
        "_agent": agent,
    }


def agir(action: str, ordre: OrdreMission, par):
    fonction = getattr(services, action)
    if action in (Action.REFUSER, Action.ANNULER):
        return fonction(ordre=ordre, par=par, motif="Justificatif illisible.")
    return fonction(ordre=ordre, par=par)


@pytest.mark.parametrize("etat,action,role", CAS)
def test_matrice_des_transitions(scene, etat, action, role):
    ordre = OrdreMissionFactory(agent=scene["_agent"], etat=etat, destinataire=scene["vh1"])
    personnes, cible = PERMIS.get((etat, action), (set(), None))
    if role in personnes:
        resultat = agir(action, ordre, scene[role])
        ordre.refresh_from_db()
        assert ordre.etat == resultat.etat == cible
        ligne = HistoriqueTransition.objects.get(ordre=ordre)
        assert (ligne.transition, ligne.source, ligne.cible, ligne.par) == (action, etat, cible, scene[role])
        assert ligne.pour_le_compte_de == (scene["vh1"] if role == "delegue" else None)
    else:
        avant = OrdreMission.objects.filter(pk=ordre.pk).values().get()
        with pytest.raises(services.ActionRefusee):
            agir(action, ordre, scene[role])
        assert OrdreMission.objects.filter(pk=ordre.pk).values().get() == avant
        assert not HistoriqueTransition.objects.filter(ordre=ordre).exists()


def test_la_matrice_est_celle_de_la_machine_a_etats():
    """Les transitions que le modèle déclare sont exactement celles de la matrice : une transition ajoutée au modèle
    sans ses droits et ses tests, ou retirée, fait échouer ce test."""
    declarees = {
        (etat, action)
        for etat in Etat.values
        for action in Action.values
        if can_proceed(getattr(OrdreMission(etat=etat), action))
    }
    assert declarees == set(PERMIS)
    assert len(CAS) == len(Etat.values) * len(Action.values) * len(ROLES)
