import pytest
from django.urls import reverse

from tests.agents.factories import UserFactory
from tests.missions.factories import DistanceFactory, JourTrajetFactory, OmiFactory, TrajetHabituelFactory

pytestmark = pytest.mark.django_db

PAGES = ["ordremission", "distance", "periodevacances", "absence", "piecejointe"]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(admin=True))
    return client


@pytest.mark.parametrize("modele", PAGES)
def test_chaque_liste_s_affiche(admin_client, modele):
    OmiFactory()
    DistanceFactory()
    response = admin_client.get(reverse(f"admin:missions_{modele}_changelist"), {"q": "a"})
    assert response.status_code == 200


def test_un_ordre_se_consulte_sans_se_modifier(admin_client):
    jour = JourTrajetFactory()
    TrajetHabituelFactory()
    url = reverse("admin:missions_ordremission_change", args=[jour.ligne.ordre.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Enregistrer" not in response.text
    assert admin_client.post(url, {"objet": "changé"}).status_code == 403
    assert admin_client.get(reverse("admin:missions_ordremission_add")).status_code == 403


def test_l_administration_est_fermee_aux_agents(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:missions_ordremission_changelist"))
    assert response.status_code == 302
