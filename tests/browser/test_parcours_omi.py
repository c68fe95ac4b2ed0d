"""Une AESH de la démo prépare l'OMI de juin depuis son OMP, retire un jour, voit le total changer et le soumet."""

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from agents.models import Agent, Etablissement
from missions.enums import Etat, TypeOrdre
from missions.models import OrdreMission
from tests.browser.pages import PageConnexion, PageMesDeplacementsAgent, PageOmi
from validation.demo import choisir_destination, creer_omp_valide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERACTIONS_MAX = 10


@pytest.fixture
def aesh_avec_omp_2025():
    call_command("importer_communes", demo=True, wet_run=True, verbosity=0)
    call_command("charger_baremes", verbosity=0)
    charger_academie_demo()
    etablissements = list(Etablissement.objects.select_related("commune").order_by("uai"))
    for agent in Agent.objects.filter(categorie="aesh", valideurs__isnull=False, vehicules__actif=True).order_by("pk"):
        destination = choisir_destination(agent, etablissements)
        gestionnaire = agent.service_gestionnaire.gestionnaires.select_related("user").first()
        if destination and gestionnaire:
            creer_omp_valide(agent, destination, 2025, gestionnaire.user)
            return agent
    pytest.fail("Aucune AESH de la démo n'a de véhicule, de valideur et d'établissement de destination.")


def test_omi_de_juin_en_moins_de_dix_interactions(page, aesh_avec_omp_2025):
    agent = aesh_avec_omp_2025
    PageConnexion(page).ouvrir().se_connecter(agent.user.email, DEMO_PASSWORD)
    interactions = 0

    PageMesDeplacementsAgent(page).attendre().preparer_le_mois("juin 2026 — " + agent.ordres.get().numero)
    interactions += 2  # choisir le mois, préparer
    omi = OrdreMission.objects.get(agent=agent, type=TypeOrdre.ITINERANT)
    assert omi.mois == datetime.date(2026, 6, 1)
    page_omi = PageOmi(page)
    expect(page.get_by_text("Votre ordre de mission de juin 2026 est prêt")).to_be_visible()
    avant = page_omi.total()

    page_omi.decocher_un_jour()
    interactions += 1
    expect(page.locator("#omi-total")).not_to_have_text(avant)

    page_omi.cliquer("Soumettre à validation")
    interactions += 1
    expect(page.get_by_text("Ordre de mission soumis.")).to_be_visible()
    omi.refresh_from_db()
    assert omi.etat == Etat.ATTENTE_VH1
    assert interactions == 4 <= INTERACTIONS_MAX
