import pytest
from playwright.sync_api import expect

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from agents.models import Agent
from tests.agents.factories import CommuneFactory
from tests.browser.pages import PageConnexion, PageMesDeplacements

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent_demo(db):
    from agents.demo import ELOIGNEE_DE, ETABLISSEMENTS, LIMITROPHE_DE

    insee = {e[3] for e in ETABLISSEMENTS} | set(LIMITROPHE_DE.values()) | set(ELOIGNEE_DE.values())
    for code in insee:
        CommuneFactory(insee=code, departement=code[:3] if code.startswith("97") else code[:2])
    charger_academie_demo()
    return Agent.objects.select_related("user").filter(categorie="aesh").first()


def test_un_agent_de_demo_se_connecte_et_voit_son_tableau_de_bord(page, agent_demo):
    connexion = PageConnexion(page).ouvrir()
    connexion.se_connecter(agent_demo.user.email, DEMO_PASSWORD)
    tableau = PageMesDeplacements(page).attendre()
    assert "Mes déplacements" in tableau.menu()
    expect(page.get_by_text("Aucun ordre de mission pour l'instant")).to_be_visible()


def test_un_mauvais_mot_de_passe_est_explique(page, agent_demo):
    connexion = PageConnexion(page).ouvrir()
    connexion.se_connecter(agent_demo.user.email, "pas-le-bon")
    assert "Adresse électronique ou mot de passe incorrect" in connexion.erreur()
    expect(page.get_by_label("Adresse électronique professionnelle")).to_have_value(agent_demo.user.email)
