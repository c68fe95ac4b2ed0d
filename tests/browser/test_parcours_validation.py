"""Une valideuse de la démo valide d'un coup les dossiers propres, en refuse un ; l'agent corrige et soumet de nouveau."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from missions.enums import Etat
from missions.models import OrdreMission
from tests.browser.pages import PageConnexion, PageFileAValider, PageOrdre
from validation.demo import charger_ordres_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def academie_demo(settings):
    call_command("importer_communes", demo=True, wet_run=True, verbosity=0)
    call_command("charger_baremes", verbosity=0)
    charger_academie_demo()
    charger_ordres_demo()


def valideuse_avec_des_dossiers_propres_et_douteux():
    """La personne de la démo dont la file mêle des dossiers sans anomalie et au moins un autre."""
    en_attente = OrdreMission.objects.filter(etat=Etat.ATTENTE_VH1).select_related("destinataire")
    par_valideur = {}
    for ordre in en_attente:
        par_valideur.setdefault(ordre.destinataire, []).append(ordre)
    for valideur, ordres in par_valideur.items():
        if any(not o.nb_anomalies for o in ordres) and len(ordres) >= 2:
            return valideur, ordres
    pytest.fail("La démo n'a pas de file de valideur avec des dossiers propres et au moins deux dossiers.")


def se_connecter(page, email):
    page.context.clear_cookies()
    PageConnexion(page).ouvrir().se_connecter(email, DEMO_PASSWORD)


def test_validation_groupee_refus_puis_correction(page, academie_demo):
    valideuse, ordres = valideuse_avec_des_dossiers_propres_et_douteux()
    douteux = [o for o in ordres if o.nb_anomalies]
    a_refuser = douteux[0] if douteux else ordres[-1]
    propres = [o for o in ordres if not o.nb_anomalies and o != a_refuser]

    se_connecter(page, valideuse.email)
    file = PageFileAValider(page).ouvrir()
    assert {o.numero for o in ordres} <= set(file.numeros())

    # Refuser un dossier, avec un motif.
    file.ouvrir_ordre(a_refuser.numero)
    PageOrdre(page).refuser("Le 3 est un samedi : retirez ce jour.")
    expect(page.get_by_text("Ordre de mission refusé ; l'agent est prévenu avec votre motif.")).to_be_visible()

    # Valider d'un coup les dossiers sans anomalie.
    file = PageFileAValider(page).ouvrir()
    assert propres, "la file doit garder au moins un dossier sans anomalie après le refus"
    file.selectionner_les_dossiers_sans_anomalie()  # le bouton coche les dossiers propres de la page
    file.cocher(o.pk for o in propres)  # et la sélection envoyée est bien celle-là
    file.valider_la_selection()
    expect(page.get_by_text(f"{len(propres)} ordre")).to_be_visible()
    for ordre in propres:
        ordre.refresh_from_db()
        assert ordre.etat == Etat.ATTENTE_GESTIONNAIRE

    # L'agent voit le motif, reprend son ordre et le soumet de nouveau.
    se_connecter(page, a_refuser.agent.user.email)
    page.goto(f"/deplacements/ordres/{a_refuser.pk}/")
    expect(page.get_by_text("Le 3 est un samedi : retirez ce jour.", exact=True)).to_be_visible()
    PageOrdre(page).cliquer("Reprendre pour correction")
    PageOrdre(page).cliquer("Soumettre à validation")
    expect(page.get_by_text("Ordre de mission soumis.")).to_be_visible()
    a_refuser.refresh_from_db()
    assert a_refuser.etat == Etat.ATTENTE_VH1
    assert list(a_refuser.historique.values_list("transition", flat=True)) == [
        "soumettre",
        "refuser",
        "reprendre",
        "soumettre",
    ]
