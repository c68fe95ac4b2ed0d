"""Les PDF d'un ordre : le HTML qui les nourrit (contrôlé comme un instantané) et le PDF produit (texte extrait)."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest

from missions import documents
from missions.models import Frais, JourTrajet
from tests.agents.factories import AgentFactory, CommuneFactory, VehiculeFactory
from tests.missions.factories import LigneTrajetFactory, OmiFactory, TrajetHabituelFactory

pytestmark = pytest.mark.usefixtures("baremes_officiels")


@pytest.fixture
def omi(db):
    agent = AgentFactory(user__first_name="Camille", user__last_name="Essai", categorie="aesh")
    VehiculeFactory(agent=agent, puissance_fiscale=5)
    omi = OmiFactory(agent=agent)
    ligne = LigneTrajetFactory(
        ordre=omi,
        commune_arrivee=CommuneFactory(nom="Grasse"),
        km_aller=Decimal("21"),
        commentaire="L 5, 12 octobre",
    )
    for jour in (5, 12):
        JourTrajet.objects.create(ligne=ligne, date=datetime.date(2026, 10, jour))
    Frais.objects.create(ordre=omi, type="repas", date=datetime.date(2026, 10, 5), type_repas="administratif")
    return omi


def test_le_html_de_l_ordre_porte_lignes_taux_et_totaux(omi):
    html = documents.html_ordre(omi)
    assert "Ordre de mission itinérant (OMI)" in html
    assert "Madame Camille ESSAI" in html
    assert "→ Grasse" in html
    assert "L 5, 12 octobre" in html
    assert "84\u00a0km" in html  # 2 jours × 2 trajets × 21 km
    assert "0,32\u00a0€/km" in html
    assert "26,88\u00a0€" in html  # 84 × 0,32
    assert "10,00\u00a0€" in html  # repas au restaurant administratif : demi-taux de 20 €
    assert "36,88\u00a0€" in html
    assert "Estimation" in html


def test_l_attestation_de_service_fait_est_pre_remplie(omi):
    html = documents.html_attestation_service_fait(omi)
    assert "Mois de octobre 2026" in html
    assert "a effectué pour les besoins du service les déplacements suivants" in html
    assert "L 5, 12 octobre" in html
    assert "2 × 2" in html


def test_l_omp_liste_ses_trajets_habituels(db):
    trajet = TrajetHabituelFactory(destination_commune=CommuneFactory(nom="Biot"), jours_semaine="0,3")
    html = documents.html_ordre(trajet.ordre)
    assert "Trajets habituels autorisés" in html
    assert "lundi, jeudi" in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) absent")
def test_le_pdf_se_lit(omi, tmp_path):
    pdf = documents.en_pdf(documents.html_ordre(omi))
    assert pdf.startswith(b"%PDF-")
    fichier = tmp_path / "ordre.pdf"
    fichier.write_bytes(pdf)
    texte = subprocess.run(["pdftotext", "-layout", str(fichier), "-"], capture_output=True, text=True).stdout
    assert omi.numero in texte
    assert "36,88" in texte
