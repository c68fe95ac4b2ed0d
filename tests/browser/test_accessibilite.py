"""Les pages principales passées à axe-core (règles WCAG 2.1 A et AA) : aucune violation grave ou critique."""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from agents.imports import FICHIER_VILLES_CONVOCATION_DEMO, importer_communes
from agents.models import Gestionnaire
from missions import ponctuel_etats_frais as declaration
from missions.enums import TypeFrais
from missions.models import OrdreMission
from tests.browser.pages import PageConnexion
from validation import etats_frais
from validation.demo import charger_ordres_demo, charger_ponctuels_demo

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


# --- OM ponctuels et déclaration réelle de l'état de frais ---------------------------------------------------------------


@pytest.fixture
def convocations_demo(settings, tmp_path):
    """L'académie et ses OM ponctuels de démonstration ; l'enseignant dont les billets sont émis établit son
    état de frais (en cours de saisie)."""
    settings.MEDIA_ROOT = tmp_path
    call_command("importer_communes", demo=True, wet_run=True, verbosity=0)
    call_command("charger_baremes", verbosity=0)
    importer_communes(FICHIER_VILLES_CONVOCATION_DEMO, enregistrer=True)
    charger_academie_demo()
    charger_ponctuels_demo()
    billets, soumis, a_venir, _a_commander = (
        OrdreMission.objects.filter(type="ponctuel").select_related("agent__user").order_by("pk")
    )
    en_saisie = etats_frais.etablir(ordre=billets, par=billets.agent.user)
    declaration.enregistrer_frais(
        etat_frais=en_saisie,
        par=billets.agent.user,
        donnees={"type": TypeFrais.TRANSPORT_PUBLIC, "date": billets.date_debut, "montant": Decimal("2.15")},
    )
    return {"billets": billets, "en_saisie": en_saisie, "soumis": soumis, "a_venir": a_venir}


def se_connecter(page, email):
    page.context.clear_cookies()
    PageConnexion(page).ouvrir().se_connecter(email, DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/connexion/" not in url)


def pages_en_violation(page, chemins) -> dict[str, list[str]]:
    resultat = {}
    for chemin in chemins:
        reponse = page.goto(chemin)
        assert reponse.status == 200, chemin
        if violations := violations_graves(page):
            resultat[chemin] = violations
    return resultat


def formulaire_refuse(page, bouton: str) -> list[str]:
    """Envoie vide le formulaire de la page ouverte, puis passe axe-core sur la page refusée."""
    with page.expect_response(lambda reponse: reponse.request.method == "POST") as envoi:
        page.get_by_role("button", name=bouton).click()
    assert envoi.value.status == 422, bouton
    return violations_graves(page)


def test_pages_des_om_ponctuels_et_de_la_declaration_reelle(page, convocations_demo):
    billets, en_saisie = convocations_demo["billets"], convocations_demo["en_saisie"]
    etape = en_saisie.etapes.order_by("date", "pk").first()
    frais = en_saisie.frais_reels.get()
    se_connecter(page, billets.agent.user.email)
    chemins = [
        "/deplacements/ponctuels/nouveau/",
        f"/deplacements/ordres/{billets.pk}/",
        f"/etats-frais/{en_saisie.pk}/",
        f"/deplacements/ponctuels/etats-frais/{en_saisie.pk}/horaires/",
        f"/deplacements/ponctuels/etats-frais/{en_saisie.pk}/etapes/{etape.pk}/",
        f"/deplacements/ponctuels/etats-frais/{en_saisie.pk}/frais/ajouter/",
        f"/deplacements/ponctuels/etats-frais/{en_saisie.pk}/frais/{frais.pk}/",
        f"/deplacements/ponctuels/etats-frais/{en_saisie.pk}/justificatifs/ajouter/",
    ]
    assert pages_en_violation(page, chemins) == {}
    # Les mêmes formulaires refusés (422) : chaque erreur près de son champ, reliée à lui.
    assert formulaire_refuse(page, "Joindre le justificatif") == []
    expect(page.locator("input#id_fichier")).to_have_attribute("aria-describedby", "id_fichier-desc-error")
    expect(page.locator("#id_fichier-desc-error")).to_have_text("Choisissez le fichier du justificatif.")
    expect(page.locator(".fr-upload-group .fr-hint-text")).to_contain_text("PDF, JPEG ou PNG")  # aide du formulaire
    page.goto("/deplacements/ponctuels/nouveau/")
    assert formulaire_refuse(page, "Créer l'ordre de mission") == []

    # L'agence de voyage (le gestionnaire du second degré) : sa file, le formulaire d'un billet, un ordre à billets,
    # l'état de frais soumis.
    agence = Gestionnaire.objects.filter(est_agence_voyage=True).select_related("user").get()
    soumis = convocations_demo["soumis"].etats_frais.get()
    se_connecter(page, agence.user.email)
    demande = billets.demandes_billets.order_by("pk").first()
    chemins = [
        "/deplacements/ponctuels/agence/",
        f"/deplacements/ponctuels/{billets.pk}/demandes/{demande.pk}/billet/",
        f"/deplacements/ordres/{billets.pk}/",
        f"/etats-frais/{soumis.pk}/",
    ]
    assert pages_en_violation(page, chemins) == {}

    # Le valideur de l'ordre à venir (une nuit à Lyon).
    a_venir = convocations_demo["a_venir"]
    se_connecter(page, a_venir.destinataire.email)
    assert pages_en_violation(page, [f"/deplacements/ordres/{a_venir.pk}/"]) == {}
