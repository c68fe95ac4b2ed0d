"""Les pages principales passées à axe-core (règles WCAG 2.1 A et AA) : aucune violation grave ou critique."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from missions.models import OrdreMission
from tests.browser.pages import PageConnexion
from validation.demo import charger_ordres_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations_graves(page) -> list[str]:
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)  # le DSFR et Itinera finissent de préparer les tableaux
    resultats = Axe().run(page, options=OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}) : {violation['help']} — {len(violation['nodes'])} élément(s), "
        f"ex. {violation['nodes'][0]['target']}"
        for violation in resultats.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def academie_demo():
    call_command("importer_communes", demo=True, wet_run=True, verbosity=0)
    call_command("charger_baremes", verbosity=0)
    charger_academie_demo()
    charger_ordres_demo()


def test_pages_publiques_de_l_agent_et_du_valideur(page, academie_demo):
    for chemin in ("/", "/connexion/", "/bareme/simulateur/", "/mot-de-passe/oubli/"):
        page.goto(chemin)
        assert violations_graves(page) == [], chemin
    ordre = OrdreMission.objects.filter(type="itinerant", etat="attente_vh1").select_related("agent__user").first()
    PageConnexion(page).ouvrir().se_connecter(ordre.agent.user.email, DEMO_PASSWORD)
    for chemin in ("/deplacements/", f"/deplacements/ordres/{ordre.pk}/", "/profil/", "/deplacements/omp/nouveau/"):
        page.goto(chemin)
        assert violations_graves(page) == [], chemin
    page.context.clear_cookies()
    PageConnexion(page).ouvrir().se_connecter(ordre.destinataire.email, DEMO_PASSWORD)
    for chemin in ("/a-valider/", f"/deplacements/ordres/{ordre.pk}/", "/delegations/", "/notifications/"):
        page.goto(chemin)
        assert violations_graves(page) == [], chemin
