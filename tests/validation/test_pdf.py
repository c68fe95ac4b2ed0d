"""Le PDF d'un état de frais : HTML comparé à un instantané, PDF lu par extraction de texte, archive immuable."""

import datetime
import io
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from agents.models import (
    Agent,
    CentreCouts,
    Commune,
    DomaineFonctionnel,
    EnveloppeBudgetaire,
    Etablissement,
    ServiceGestionnaire,
    User,
)
from missions.enums import TypeOrdre
from missions.models import OrdreMission
from tests.agents.factories import GestionnaireFactory, PerimetreGestionnaireFactory
from tests.validation.factories import EtatFraisFactory
from validation import etats_frais, pdf
from validation.models import AjustementEtatFrais, EtatEF, EtatFrais, LigneEtatFrais, NatureLigne

INSTANTANE = Path(__file__).parent / "instantanes" / "etat_frais_pdf.html"
IK_2022 = "IK voiture — arrêté du 14 mars 2022"
REPAS_2023 = "Repas — arrêté du 20 septembre 2023"


def exemple(nombre_de_trajets: int = 1):
    """Un état de frais validé, en mémoire (aucune base) : toujours le même, pour l'instantané."""
    nice = Commune(insee="06088", nom="Nice", departement="06")
    agent = Agent(
        pk=7,
        user=User(pk=70, first_name="Camille", last_name="Exemple", email="camille.exemple@ac-test.fr"),
        civilite="mme",
        categorie="aesh",
        residence_administrative=Etablissement(uai="0060001U", nom="École des Oliviers", commune=nice),
        service_gestionnaire=ServiceGestionnaire(code="DT", nom="Service des déplacements temporaires"),
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    ordre = OrdreMission(
        pk=1234,
        type=TypeOrdre.ITINERANT,
        agent=agent,
        objet="Accompagnement d'élèves — mars 2026",
        date_debut=datetime.date(2026, 3, 1),
        date_fin=datetime.date(2026, 3, 31),
        mois=datetime.date(2026, 3, 1),
    )
    gestionnaire = User(pk=71, first_name="Dominique", last_name="Gestion", email="dominique.gestion@ac-test.fr")
    ef = EtatFrais(
        pk=42,
        ordre=ordre,
        agent=agent,
        etat=EtatEF.VALIDE,
        mois=datetime.date(2026, 3, 1),
        enveloppe_budgetaire=EnveloppeBudgetaire(code="0141RECT-SP-COLLEGE", libelle="Service partagé collège"),
        centre_couts=CentreCouts(code="RECMISS006", libelle="Missions"),
        domaine_fonctionnel=DomaineFonctionnel(code="0141-01", libelle="Collège"),
        montant_initial=Decimal("185.96"),
        montant_total=Decimal("165.96"),
        valide_par=gestionnaire,
        valide_le=datetime.datetime(2026, 4, 3, 8, 30, tzinfo=datetime.UTC),
    )
    jours = ["2026-03-02", "2026-03-03", "2026-03-05", "2026-03-09", "2026-03-10", "2026-03-12"]
    lignes = [
        LigneEtatFrais(
            pk=1,
            etat_frais=ef,
            position=1,
            nature=NatureLigne.IK,
            date=datetime.date(2026, 3, 2),
            dates=jours,
            libelle="Nice → Antibes",
            km=Decimal("408.0"),
            taux=None,
            parts=[
                {"bareme": IK_2022, "km": "10", "taux": "0.32", "montant": "3.20"},
                {"bareme": IK_2022, "km": "398", "taux": "0.40", "montant": "159.20"},
            ],
            bareme=IK_2022,
            commentaire="6 jour(s) × 2 trajet(s) de 34 km — 8 h 15 – 16 h 30",
            montant_initial=Decimal("162.40"),
            montant=Decimal("162.40"),
        ),
        LigneEtatFrais(
            pk=2,
            etat_frais=ef,
            position=2,
            nature=NatureLigne.REPAS,
            date=datetime.date(2026, 3, 2),
            libelle="Repas au taux plein (avec justificatif)",
            taux=Decimal("20.00"),
            bareme=REPAS_2023,
            montant_initial=Decimal("20.00"),
            montant=Decimal("0.00"),
        ),
        LigneEtatFrais(
            pk=3,
            etat_frais=ef,
            position=3,
            nature=NatureLigne.PEAGE,
            date=datetime.date(2026, 3, 3),
            libelle="Péage : A8 Nice – Antibes",
            montant_initial=Decimal("3.56"),
            montant=Decimal("3.56"),
        ),
    ]
    for rang in range(1, nombre_de_trajets):
        lignes.append(
            LigneEtatFrais(
                pk=10 + rang,
                etat_frais=ef,
                position=3 + rang,
                nature=NatureLigne.IK,
                date=datetime.date(2026, 3, 1 + rang % 28),
                dates=["2026-03-16"],
                libelle=f"Nice → Commune {rang}",
                km=Decimal("42.0"),
                taux=Decimal("0.40"),
                parts=[{"bareme": IK_2022, "km": "42", "taux": "0.40", "montant": "16.80"}],
                bareme=IK_2022,
                montant_initial=Decimal("16.80"),
                montant=Decimal("16.80"),
            )
        )
    ajustements = [
        AjustementEtatFrais(
            pk=1,
            etat_frais=ef,
            ligne=lignes[1],
            montant_avant=Decimal("20.00"),
            montant_apres=Decimal("0.00"),
            motif="Justificatif du repas du 2 mars manquant.",
            par=gestionnaire,
            created_at=datetime.datetime(2026, 4, 2, 14, 0, tzinfo=datetime.UTC),
        )
    ]
    return ef, lignes, ajustements


def test_le_html_du_pdf_est_celui_de_l_instantane():
    """Pour mettre l'instantané à jour après un changement voulu : ITINERA_INSTANTANES=1 pytest tests/validation/test_pdf.py"""
    html = pdf.rendre_html(*exemple())
    if os.environ.get("ITINERA_INSTANTANES") == "1":
        INSTANTANE.parent.mkdir(exist_ok=True)
        INSTANTANE.write_text(html, encoding="utf-8")
    assert html == INSTANTANE.read_text(encoding="utf-8")


def test_le_html_porte_ce_que_le_pdf_doit_montrer():
    html = pdf.rendre_html(*exemple())
    for attendu in (
        "EF-2026-000042",  # référence
        "Camille EXEMPLE",  # agent
        "OMI-2026-001234",  # mission
        "Nice → Antibes",  # trajet
        "408\u00a0km",
        "0,40\u00a0€/km",  # taux d'une tranche
        "159,20\u00a0€",
        "165,96\u00a0€",  # total
        "au lieu de 20,00\u00a0€",  # ligne ajustée
        "Justificatif du repas du 2 mars manquant.",
        IK_2022,  # barèmes
        REPAS_2023,
        "validé le 03/04/2026 à 10:30",  # signature (heure de Paris)
        "par Dominique GESTION",
        "FR76 •••• ",  # IBAN masqué, jamais en entier
    ):
        assert attendu in html, attendu
    assert "FR7630006000011234567890189" not in html
    assert "Document provisoire" not in html


def test_le_pdf_est_un_pdf_d_une_page():
    document = pdf.document(pdf.rendre_html(*exemple()))
    assert len(document.pages) == 1
    assert document.write_pdf().startswith(b"%PDF-")


def test_un_long_etat_de_frais_tient_sur_plusieurs_pages():
    assert 2 <= len(pdf.document(pdf.rendre_html(*exemple(nombre_de_trajets=60))).pages) <= 4


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) n'est pas installé")
def test_le_texte_extrait_du_pdf(tmp_path):
    chemin = tmp_path / "ef.pdf"
    chemin.write_bytes(pdf.html_vers_pdf(pdf.rendre_html(*exemple())))
    texte = subprocess.run(["pdftotext", "-layout", str(chemin), "-"], capture_output=True, check=True, text=True)
    lignes = " ".join(texte.stdout.split())
    for attendu in ("EF-2026-000042", "Camille EXEMPLE", "Nice → Antibes", "Total à payer 165,96 €", IK_2022):
        assert " ".join(attendu.split()) in lignes.replace("\u00a0", " "), attendu


@pytest.mark.django_db
class TestArchive:
    @pytest.fixture
    def valide(self):
        gestionnaire = GestionnaireFactory()
        PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
        return etats_frais.valider(etat_frais=EtatFraisFactory(), par=gestionnaire.user)

    def test_a_la_validation_le_pdf_est_archive_avec_son_empreinte(self, valide):
        valide.refresh_from_db()
        contenu, definitif = pdf.pdf_de(valide)
        assert definitif
        assert contenu.startswith(b"%PDF-")
        assert pdf.empreinte(contenu) == valide.pdf_sha256

    def test_l_archive_n_est_jamais_reproduite_autrement(self, valide):
        valide.refresh_from_db()
        avant, _ = pdf.pdf_de(valide)
        User.objects.filter(pk=valide.agent.user_id).update(last_name="Autrement")
        valide = EtatFrais.objects.get(pk=valide.pk)
        assert pdf.pdf_de(valide) == (avant, True)
        with pytest.raises(pdf.ArchiveAlteree, match="déjà archivé"):
            pdf.archiver(valide)

    def test_une_archive_modifiee_est_detectee(self, valide):
        valide.refresh_from_db()
        stockage = valide.pdf.storage
        stockage.delete(valide.pdf.name)
        stockage.save(valide.pdf.name, io.BytesIO(b"%PDF-1.7 faux"))
        with pytest.raises(pdf.ArchiveAlteree, match="ne correspond plus à son empreinte"):
            pdf.pdf_de(valide)

    def test_avant_la_validation_le_pdf_est_provisoire(self):
        ef = EtatFraisFactory()
        contenu, definitif = pdf.pdf_de(ef)
        assert (contenu.startswith(b"%PDF-"), definitif) == (True, False)
        assert "Document provisoire" in pdf.rendre_html(ef)
        assert not ef.pdf_sha256
        ef.refresh_from_db()  # rien n'est enregistré : l'état de frais reste sans archive
        assert not ef.pdf
