import pytest
from django.urls import reverse

from missions.enums import Etat
from tests.agents.factories import AgentFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from validation.models import HistoriqueTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def vh1():
    return UserFactory(valideur=True)


@pytest.fixture
def ordre(vh1):
    return OrdreMissionFactory(agent=AgentFactory(categorie="aesh", valideurs=[vh1]))


def url_action(ordre, action):
    return reverse("validation:agir", args=[ordre.pk, action])


def test_l_agent_voit_son_ordre_et_peut_le_soumettre(client, ordre):
    client.force_login(ordre.agent.user)
    response = client.get(reverse("missions:ordre", args=[ordre.pk]))
    assert response.status_code == 200
    assert "Soumettre à validation" in response.text
    response = client.post(url_action(ordre, "soumettre"), {"destinataire": ordre.agent.valideurs.get().pk})
    assert response.status_code == 302
    ordre.refresh_from_db()
    assert ordre.etat == Etat.ATTENTE_VH1


@pytest.mark.parametrize("qui", ["autre_agent", "autre_vh1", "gestionnaire_hors_perimetre", "admin"])
def test_un_ordre_est_invisible_a_qui_n_a_rien_a_y_voir(client, ordre, qui):
    personnes = {
        "autre_agent": lambda: AgentFactory().user,
        "autre_vh1": lambda: UserFactory(valideur=True),
        "gestionnaire_hors_perimetre": lambda: PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user,
        "admin": lambda: UserFactory(admin=True),
    }
    client.force_login(personnes[qui]())
    assert client.get(reverse("missions:ordre", args=[ordre.pk])).status_code == 404
    assert client.post(url_action(ordre, "annuler"), {"motif": "x"}).status_code == 404
    ordre.refresh_from_db()
    assert ordre.etat == Etat.BROUILLON


def test_le_valideur_destinataire_voit_l_ordre_et_ses_boutons(client, ordre, vh1):
    ordre = OrdreMissionFactory(agent=ordre.agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
    client.force_login(vh1)
    response = client.get(reverse("missions:ordre", args=[ordre.pk]))
    assert response.status_code == 200
    assert ">Valider</button>" in response.text
    assert "Refuser" in response.text


def test_refus_sans_motif_message_a_cote_du_champ_et_rien_ne_change(client, vh1, ordre):
    ordre = OrdreMissionFactory(agent=ordre.agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
    client.force_login(vh1)
    response = client.post(url_action(ordre, "refuser"), {"motif": ""})
    assert response.status_code == 422
    assert "Indiquez le motif" in response.text
    ordre.refresh_from_db()
    assert ordre.etat == Etat.ATTENTE_VH1
    assert not HistoriqueTransition.objects.exists()


def test_le_motif_du_refus_et_l_historique_s_affichent_a_l_agent(client, vh1, ordre):
    ordre = OrdreMissionFactory(agent=ordre.agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
    client.force_login(vh1)
    client.post(url_action(ordre, "refuser"), {"motif": "Il manque le mardi 6."})
    client.force_login(ordre.agent.user)
    response = client.get(reverse("missions:ordre", args=[ordre.pk]))
    assert "Il manque le mardi 6." in response.text
    assert "Reprendre pour correction" in response.text
    assert f"par {vh1.get_full_name()}" in response.text


def test_action_deja_faite_message_clair(client, vh1, ordre):
    ordre = OrdreMissionFactory(agent=ordre.agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
    client.force_login(vh1)
    client.post(url_action(ordre, "valider"), {"etat": "attente_vh1"})
    response = client.post(url_action(ordre, "valider"), {"etat": "attente_vh1"}, follow=True)
    assert "Action déjà effectuée ou plus possible" in response.text
    assert HistoriqueTransition.objects.filter(ordre=ordre).count() == 1


def test_action_inconnue_404(client, ordre):
    client.force_login(ordre.agent.user)
    assert client.post(url_action(ordre, "payer")).status_code == 404


def test_actions_en_get_refusees(client, ordre):
    client.force_login(ordre.agent.user)
    assert client.get(url_action(ordre, "soumettre")).status_code == 405


def test_anonyme_renvoye_a_la_connexion(client, ordre):
    response = client.get(reverse("missions:ordre", args=[ordre.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("connexion"))
