"""Un enseignant de la démo convoqué à Paris saisit son OM ponctuel avec une demande de billets ; l'ordre validé, l'agence
de voyage enregistre les billets ; l'agent les voit, puis, après la réunion, établit son état de frais : il corrige
l'heure de retour (le dîner n'est plus dû), joint un justificatif et le soumet."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from agents.enums import Categorie
from agents.imports import FICHIER_VILLES_CONVOCATION_DEMO, importer_communes
from agents.models import Agent, Gestionnaire
from missions.enums import Etat, TypeOrdre
from missions.models import Billet, OrdreMission
from tests.browser.pages import (
    PageAgence,
    PageConnexion,
    PageEtatFraisPonctuel,
    PageNouveauPonctuel,
    PageOrdrePonctuel,
)
from validation import services as circuit
from validation.models import ActionEF, EtatEF, EtatFrais, NatureLigne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def fichier_pdf(nom: str) -> dict:
    return {"name": nom, "mimeType": "application/pdf", "buffer": PDF}


@pytest.fixture
def enseignant_et_agence():
    """La démo (ses communes, et les villes de convocation dont Paris), un enseignant convocable et l'agence de
    voyage dont le périmètre le couvre."""
    call_command("importer_communes", demo=True, wet_run=True, verbosity=0)
    call_command("charger_baremes", verbosity=0)
    importer_communes(FICHIER_VILLES_CONVOCATION_DEMO, enregistrer=True)  # comme `charger_demo`
    charger_academie_demo()
    enseignants = Agent.objects.filter(
        categorie__in=(Categorie.TZR, Categorie.SERVICE_PARTAGE), valideurs__isnull=False
    ).select_related("user", "service_gestionnaire")
    for agent in enseignants.order_by("pk"):
        agence = Gestionnaire.objects.filter(est_agence_voyage=True, service=agent.service_gestionnaire).first()
        if agence:
            return agent, agence
    pytest.fail("La démo n'a pas d'enseignant avec un valideur et une agence de voyage dans son service.")


def se_connecter(page, email):
    page.context.clear_cookies()
    PageConnexion(page).ouvrir().se_connecter(email, DEMO_PASSWORD)


def valider(ordre: OrdreMission, gestionnaire_user) -> OrdreMission:
    """L'ordre passe le circuit : le valideur hiérarchique s'il y en a un, puis le service gestionnaire."""
    if ordre.etat == Etat.ATTENTE_VH1:
        ordre = circuit.valider(ordre=ordre, par=ordre.destinataire)
    return circuit.valider(ordre=ordre, par=gestionnaire_user)


def test_convocation_a_paris_billets_puis_etat_de_frais(page, enseignant_et_agence):
    agent, agence = enseignant_et_agence
    jour = timezone.localdate() - datetime.timedelta(days=14)

    # L'enseignant saisit l'ordre, demande ses billets et le soumet.
    se_connecter(page, agent.user.email)
    nouveau = PageNouveauPonctuel(page).ouvrir()
    nouveau.saisir(
        commune="Paris (75056)",
        objet=f"Réunion académique au ministère le {jour:%d/%m/%Y}, 10 h – 16 h",
        jour=jour.isoformat(),
        depart="05:51",
        retour="20:09",
    )
    nouveau.demander_des_billets(fichier_pdf("convocation.pdf"))
    nouveau.creer()
    ordre = OrdreMission.objects.get(agent=agent, type=TypeOrdre.PONCTUEL)
    page_ordre = PageOrdrePonctuel(page)
    page_ordre.demander_le_billet("aller", gare_depart="Gare de départ", gare_arrivee="Paris Gare de Lyon", cout="116")
    page_ordre.demander_le_billet("retour", gare_depart="Paris Gare de Lyon", gare_arrivee="Gare de départ", cout="116")
    page_ordre.soumettre()

    # L'ordre est validé ; les demandes partent à l'agence.
    ordre = valider(OrdreMission.objects.get(pk=ordre.pk), agence.user)
    assert ordre.etat == Etat.VALIDE and ordre.demandes_billets.filter(transmise_le__isnull=False).count() == 2

    # L'agence enregistre les deux billets.
    se_connecter(page, agence.user.email)
    file = PageAgence(page).ouvrir()
    file.enregistrer_le_billet("aller", ordre.numero, reference="QZX4RT", cout="98,40", fichier=fichier_pdf("a.pdf"))
    file.enregistrer_le_billet("retour", ordre.numero, reference="QZX4RU", cout="98,40", fichier=fichier_pdf("r.pdf"))
    assert Billet.objects.filter(demande__ordre=ordre).count() == 2

    # L'agent voit ses billets, puis, après la réunion, établit son état de frais.
    se_connecter(page, agent.user.email)
    page.goto(f"/deplacements/ordres/{ordre.pk}/")
    page_ordre = PageOrdrePonctuel(page)
    expect(page.locator("#ponctuel-billets")).to_contain_text("Billet QZX4RT")
    expect(page.locator("#ponctuel-billets")).to_contain_text("Billet QZX4RU")
    etat_frais = page_ordre.etablir_l_etat_de_frais()
    expect(page.locator("#ef-billets")).to_contain_text("ne vous sont pas remboursés")
    assert [etape.split(" ")[0] for etape in etat_frais.etapes()] == ["Déjeuner", "Dîner"]

    # Le train du retour est parti plus tôt : retour en gare à 17 h 02, le dîner n'est plus dû.
    etat_frais.corriger_le_retour("17:02")
    expect(page.get_by_text("Supprimé : dîner du")).to_be_visible()
    assert [etape.split(" ")[0] for etape in PageEtatFraisPonctuel(page).etapes()] == ["Déjeuner"]
    etat_frais.joindre("Reçu du déjeuner", fichier_pdf("recu.pdf"))
    etat_frais.soumettre()

    ef = EtatFrais.objects.get(ordre=ordre)
    assert ef.etat == EtatEF.A_VALIDER
    assert [ligne.nature for ligne in ef.lignes.order_by("position")] == [NatureLigne.REPAS]
    assert ef.montant_total == ef.lignes.get().montant > 0
    assert list(ef.historique.values_list("transition", flat=True)) == [ActionEF.CREER, ActionEF.SOUMETTRE]
