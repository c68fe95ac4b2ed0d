"""Lots de paiement : un état de frais dans un seul lot, fichiers identiques à chaque production, SEPA valide."""

import csv
import datetime
import io
import threading
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import xmlschema
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agents.models import Agent
from tests.agents.factories import AgentFactory, GestionnaireFactory, PerimetreGestionnaireFactory
from tests.validation.factories import EtatFraisFactory
from validation import etats_frais, paiement
from validation.etats_frais import EtatFraisRefuse
from validation.models import (
    ActionEF,
    ElementLot,
    EtatEF,
    EtatFrais,
    EtatLot,
    HistoriqueEtatFrais,
    LotPaiement,
    Notification,
)

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
EXECUTION = datetime.date(2026, 12, 4)


@pytest.fixture
def gestionnaire(db):
    gestionnaire = GestionnaireFactory()
    PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
    return gestionnaire.user


@pytest.fixture
def alice(db):
    return AgentFactory(
        categorie="aesh",
        user__first_name="Alice",
        user__last_name="Martin",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        titulaire_compte="Alice Martin",
    )


@pytest.fixture
def benoit(db):
    return AgentFactory(
        categorie="aesh",
        user__first_name="Benoît",
        user__last_name="Durand",
        iban="FR1420041010050500013M02606",
        bic="PSSTFRPP",
        titulaire_compte="Benoît Durand",
    )


def ef_valide(agent, montant: str, mois: int = 10) -> EtatFrais:
    return EtatFraisFactory(
        ordre__agent=agent,
        ordre__mois=datetime.date(2026, mois, 1),
        ordre__date_debut=datetime.date(2026, mois, 1),
        ordre__date_fin=datetime.date(2026, mois, 28),
        valide=True,
        montant_initial=Decimal(montant),
    )


@pytest.fixture
def trois_ef(alice, benoit):
    return [ef_valide(alice, "130.56", 10), ef_valide(alice, "20.05", 11), ef_valide(benoit, "1234.50", 10)]


def lire_csv(contenu: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8")), delimiter=";"))


def montant_csv(texte: str) -> Decimal:
    return Decimal(texte.replace(",", "."))


class TestCreerLot:
    def test_le_lot_recopie_ses_etats_et_les_met_en_paiement(self, gestionnaire, trois_ef):
        rapport = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION)
        lot = rapport.lot
        assert rapport.ecartes == []
        assert (lot.etat, lot.nombre, lot.montant_total) == (EtatLot.PREPARE, 3, Decimal("1385.11"))
        for etat_frais in trois_ef:
            etat_frais.refresh_from_db()
            assert etat_frais.etat == EtatEF.MIS_EN_PAIEMENT
            dernier = HistoriqueEtatFrais.objects.filter(etat_frais=etat_frais).latest("pk")
            assert (dernier.transition, dernier.source, dernier.par) == (
                ActionEF.METTRE_EN_PAIEMENT,
                EtatEF.VALIDE,
                gestionnaire,
            )
            assert lot.numero in dernier.commentaire
        # Par agent (Durand avant Martin), puis par mois.
        assert [element.reference for element in paiement.elements(lot)] == [
            trois_ef[2].numero,
            trois_ef[0].numero,
            trois_ef[1].numero,
        ]
        assert etats_frais.statut_pour_l_agent(trois_ef[0]).startswith("Validé, paiement prévu dans le lot du ")

    def test_le_csv_a_une_ligne_par_etat_et_son_total_est_celui_des_etats(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        lignes = lire_csv(paiement.lire_fichier(lot, "csv"))
        assert [ligne["etat_de_frais"] for ligne in lignes] == [element.reference for element in paiement.elements(lot)]
        assert sum(montant_csv(ligne["montant"]) for ligne in lignes) == sum(ef.montant_total for ef in trois_ef)
        durand = lignes[0]
        ef = trois_ef[2]
        assert durand == {
            "lot": lot.numero,
            "etat_de_frais": ef.numero,
            "mois": "2026-10",
            "agent": "Benoît DURAND",
            "titulaire_du_compte": "Benoît Durand",
            "iban": "FR1420041010050500013M02606",
            "bic": "PSSTFRPP",
            "montant": "1234,50",
            "enveloppe_budgetaire": ef.enveloppe_budgetaire.code,
            "centre_de_couts": ef.centre_couts.code,
            "domaine_fonctionnel": ef.domaine_fonctionnel.code,
        }

    def test_un_nom_ne_devient_pas_une_formule_dans_le_tableur(self, gestionnaire, alice):
        Agent.objects.filter(pk=alice.pk).update(titulaire_compte='=HYPERLINK("http://exemple.invalid")')
        etat_frais = EtatFrais.objects.select_related("agent__user").get(pk=ef_valide(alice, "10.00").pk)
        lot = paiement.creer_lot(etats=[etat_frais], par=gestionnaire, date_execution=EXECUTION).lot
        (ligne,) = lire_csv(paiement.lire_fichier(lot, "csv"))
        assert ligne["titulaire_du_compte"] == '\'=HYPERLINK("http://exemple.invalid")'

    def test_le_fichier_sepa_respecte_le_schema_et_fait_un_virement_par_agent(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        contenu = paiement.lire_fichier(lot, "sepa")
        paiement.valider_schema_sepa(contenu)  # lève une erreur si le fichier ne respecte pas pain.001.001.03
        racine = ET.fromstring(contenu)
        entete = racine.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
        assert entete.find("p:MsgId", NS).text == f"ITINERA-{lot.numero}"
        assert entete.find("p:CreDtTm", NS).text == timezone.localtime(lot.created_at).strftime("%Y-%m-%dT%H:%M:%S")
        assert (entete.find("p:NbOfTxs", NS).text, entete.find("p:CtrlSum", NS).text) == ("2", "1385.11")
        info = racine.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
        assert info.find("p:ReqdExctnDt", NS).text == "2026-12-04"
        assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == paiement.DEBITEUR_DEMO["IBAN"]
        virements = [
            (
                tx.find("p:Cdtr/p:Nm", NS).text,
                tx.find("p:CdtrAcct/p:Id/p:IBAN", NS).text,
                tx.find("p:Amt/p:InstdAmt", NS).text,
                tx.find("p:RmtInf/p:Ustrd", NS).text,
            )
            for tx in info.findall("p:CdtTrfTxInf", NS)
        ]
        assert virements == [
            ("Benoit Durand", "FR1420041010050500013M02606", "1234.50", f"Frais de deplacement {trois_ef[2].numero}"),
            (
                "Alice Martin",
                "FR7630006000011234567890189",
                "150.61",
                f"Frais de deplacement {trois_ef[0].numero} {trois_ef[1].numero}",
            ),
        ]

    def test_un_fichier_qui_ne_respecte_pas_le_schema_est_detecte(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        altere = paiement.lire_fichier(lot, "sepa").replace(b"<NbOfTxs>2</NbOfTxs>", b"<NbOfTxs>deux</NbOfTxs>", 1)
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            paiement.valider_schema_sepa(altere)

    def test_produire_deux_fois_les_fichiers_donne_les_memes_octets(self, gestionnaire, trois_ef, alice, settings):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        csv_enregistre, sepa_enregistre = paiement.lire_fichier(lot, "csv"), paiement.lire_fichier(lot, "sepa")
        # Ce qui change ensuite (IBAN de l'agent, compte débité) ne change pas les fichiers du lot.
        Agent.objects.filter(pk=alice.pk).update(iban="FR7630001000640000000000137", titulaire_compte="Autre")
        settings.ITINERA_SEPA_DEBITEUR = {"name": "Autre", "IBAN": "FR1420041010050500013M02606", "BIC": "PSSTFRPP"}
        lot = LotPaiement.objects.get(pk=lot.pk)
        assert paiement.generer_fichiers(lot) == (csv_enregistre, sepa_enregistre)
        assert paiement.generer_fichiers(lot) == (csv_enregistre, sepa_enregistre)
        assert (paiement.empreinte(csv_enregistre), paiement.empreinte(sepa_enregistre)) == (
            lot.csv_sha256,
            lot.sepa_sha256,
        )

    def test_un_fichier_modifie_apres_coup_est_refuse(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        lot.fichier_csv.storage.delete(lot.fichier_csv.name)
        lot.fichier_csv.storage.save(lot.fichier_csv.name, io.BytesIO(b"lot;montant\r\nX;1000000,00\r\n"))
        with pytest.raises(paiement.FichierAltere):
            paiement.lire_fichier(lot, "csv")

    def test_le_compte_debite_vient_du_reglage(self, gestionnaire, trois_ef, settings):
        settings.ITINERA_SEPA_DEBITEUR = {
            "name": "Agence comptable du rectorat",
            "IBAN": "FR76 3000 1000 6400 0000 0000 137",
            "BIC": "bdfefrppcct",
        }
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        assert lot.debiteur == {
            "name": "Agence comptable du rectorat",
            "IBAN": "FR7630001000640000000000137",
            "BIC": "BDFEFRPPCCT",
        }
        assert b"<Nm>Agence comptable du rectorat</Nm>" in paiement.lire_fichier(lot, "sepa")

    def test_un_compte_debite_invalide_empeche_le_lot(self, gestionnaire, trois_ef, settings):
        settings.ITINERA_SEPA_DEBITEUR = {"name": "Rectorat", "IBAN": "FR7600000000000000000000000", "BIC": "X"}
        with pytest.raises(EtatFraisRefuse, match="ITINERA_SEPA_DEBITEUR"):
            paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION)
        assert not LotPaiement.objects.exists()


class TestCeQuiResteHorsDuLot:
    def test_un_agent_sans_coordonnees_bancaires_ne_bloque_que_son_etat(self, gestionnaire, alice, benoit):
        sans_iban = AgentFactory(categorie="aesh", iban="", bic="", user__last_name="Petit", user__first_name="Léa")
        etats = [ef_valide(alice, "10.00"), ef_valide(sans_iban, "20.00"), ef_valide(benoit, "30.00")]
        rapport = paiement.creer_lot(etats=etats, par=gestionnaire, date_execution=EXECUTION)
        assert rapport.lot.nombre == 2
        ((ecarte, motif),) = rapport.ecartes
        assert ecarte.pk == etats[1].pk
        assert motif.startswith("Léa PETIT n'a pas renseigné ses coordonnées bancaires (IBAN et BIC)")
        etats[1].refresh_from_db()
        assert etats[1].etat == EtatEF.VALIDE

    def test_un_iban_invalide_est_signale(self, gestionnaire, alice):
        etat_frais = ef_valide(alice, "10.00")
        Agent.objects.filter(pk=alice.pk).update(iban="FR7630006000011234567890100")  # clé fausse
        etat_frais = EtatFrais.objects.select_related("agent__user").get(pk=etat_frais.pk)
        assert "coordonnées bancaires de Alice MARTIN sont invalides" in paiement.motif_blocage(etat_frais)
        with pytest.raises(EtatFraisRefuse, match="Aucun lot créé"):
            paiement.creer_lot(etats=[etat_frais], par=gestionnaire, date_execution=EXECUTION)
        assert not LotPaiement.objects.exists()

    @pytest.mark.parametrize(
        ("etat", "message"), [(EtatEF.A_VALIDER, "n'est pas validé"), (EtatEF.PAYE, "n'est pas validé")]
    )
    def test_un_etat_non_valide_est_ecarte(self, gestionnaire, alice, etat, message):
        etat_frais = EtatFraisFactory(ordre__agent=alice, etat=etat)
        with pytest.raises(EtatFraisRefuse, match=message):
            paiement.creer_lot(etats=[etat_frais], par=gestionnaire, date_execution=EXECUTION)

    def test_un_etat_a_zero_euro_est_ecarte(self, gestionnaire, alice):
        with pytest.raises(EtatFraisRefuse, match="0 € : il n'y a rien à payer"):
            paiement.creer_lot(etats=[ef_valide(alice, "0.00")], par=gestionnaire, date_execution=EXECUTION)

    def test_un_etat_hors_du_perimetre_est_ecarte(self, gestionnaire):
        tzr = AgentFactory(categorie="tzr")
        with pytest.raises(EtatFraisRefuse, match="pas dans votre périmètre"):
            paiement.creer_lot(etats=[ef_valide(tzr, "10.00")], par=gestionnaire, date_execution=EXECUTION)


class TestUnSeulLot:
    def test_un_etat_deja_dans_un_lot_n_entre_pas_dans_un_second(self, gestionnaire, trois_ef):
        premier = paiement.creer_lot(etats=trois_ef[:2], par=gestionnaire, date_execution=EXECUTION).lot
        rapport = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION)
        assert [element.etat_frais_id for element in paiement.elements(rapport.lot)] == [trois_ef[2].pk]
        assert [motif for _, motif in rapport.ecartes] == [
            f"{trois_ef[0].numero} est déjà dans un lot de paiement.",
            f"{trois_ef[1].numero} est déjà dans un lot de paiement.",
        ]
        assert ElementLot.objects.filter(lot=premier).count() == 2

    def test_la_base_refuse_un_etat_actif_dans_deux_lots(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef[:1], par=gestionnaire, date_execution=EXECUTION).lot
        autre = LotPaiement.objects.create(date_execution=EXECUTION, debiteur={}, created_by=gestionnaire)
        element = paiement.elements(lot)[0]
        element.pk, element.lot = None, autre
        with pytest.raises(IntegrityError), transaction.atomic():
            element.save()

    def test_annuler_un_lot_libere_ses_etats_pour_un_autre(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        paiement.annuler_lot(lot=lot, par=gestionnaire, motif="Date d'exécution erronée.")
        lot.refresh_from_db()
        assert (lot.etat, lot.motif_annulation, lot.annule_par) == (
            EtatLot.ANNULE,
            "Date d'exécution erronée.",
            gestionnaire,
        )
        assert not ElementLot.objects.filter(lot=lot, actif=True).exists()
        assert ElementLot.objects.filter(lot=lot).count() == 3  # la trace reste
        for etat_frais in trois_ef:
            etat_frais.refresh_from_db()
            assert etat_frais.etat == EtatEF.VALIDE
            assert HistoriqueEtatFrais.objects.filter(
                etat_frais=etat_frais, transition=ActionEF.RETIRER_DU_LOT
            ).exists()
        nouveau = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        assert nouveau.nombre == 3
        assert paiement.generer_fichiers(LotPaiement.objects.get(pk=lot.pk))[0] == paiement.lire_fichier(lot, "csv")

    def test_un_lot_transmis_ne_s_annule_plus(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        paiement.marquer_envoye(lot=lot, par=gestionnaire)
        with pytest.raises(EtatFraisRefuse, match="ne s'annule plus"):
            paiement.annuler_lot(lot=lot, par=gestionnaire, motif="Trop tard.")
        lot.refresh_from_db()
        assert lot.etat == EtatLot.ENVOYE
        assert ElementLot.objects.filter(lot=lot, actif=True).count() == 3

    def test_annuler_sans_motif_est_refuse(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        with pytest.raises(EtatFraisRefuse, match="Indiquez le motif"):
            paiement.annuler_lot(lot=lot, par=gestionnaire, motif=" ")


@pytest.mark.django_db(transaction=True)
def test_deux_lots_crees_en_meme_temps_avec_le_meme_etat_un_seul_le_prend():
    """Sur PostgreSQL, deux connexions créent chacune un lot avec le même état de frais au même instant."""
    gestionnaire = GestionnaireFactory()
    PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
    etat_frais = ef_valide(AgentFactory(categorie="aesh"), "42.00")
    depart = threading.Barrier(2)
    resultats = {}

    def creer(nom):
        try:
            depart.wait()
            rapport = paiement.creer_lot(
                etats=[EtatFrais.objects.get(pk=etat_frais.pk)], par=gestionnaire.user, date_execution=EXECUTION
            )
            resultats[nom] = rapport.lot.pk
        except EtatFraisRefuse as refus:
            resultats[nom] = str(refus)
        finally:
            connection.close()

    fils = [threading.Thread(target=creer, args=(nom,)) for nom in ("premier", "second")]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    lots = [valeur for valeur in resultats.values() if isinstance(valeur, int)]
    refus = [valeur for valeur in resultats.values() if isinstance(valeur, str)]
    assert len(lots) == 1 and len(refus) == 1
    assert "déjà dans un lot de paiement" in refus[0]
    assert LotPaiement.objects.count() == 1
    assert list(ElementLot.objects.filter(etat_frais=etat_frais, actif=True).values_list("lot_id", flat=True)) == lots
    assert HistoriqueEtatFrais.objects.filter(etat_frais=etat_frais).count() == 1


class TestPayer:
    def test_payer_un_lot_paie_ses_etats_et_previent_chaque_agent(
        self, gestionnaire, trois_ef, alice, benoit, django_capture_on_commit_callbacks
    ):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        paiement.marquer_envoye(lot=lot, par=gestionnaire)
        jour = timezone.localdate()
        with django_capture_on_commit_callbacks(execute=True) as rappels:
            paiement.marquer_paye(lot=lot, par=gestionnaire, le=jour)
        lot.refresh_from_db()
        assert (lot.etat, lot.paye_le, lot.paye_par) == (EtatLot.PAYE, jour, gestionnaire)
        for etat_frais in trois_ef:
            etat_frais.refresh_from_db()
            assert (etat_frais.etat, etat_frais.paye_le) == (EtatEF.PAYE, jour)
            assert etats_frais.statut_pour_l_agent(etat_frais).startswith("Payé le ")
        assert Notification.objects.filter(destinataire=alice.user, message__contains="a été payé le").count() == 2
        assert (
            Notification.objects.filter(destinataire=benoit.user, message__contains="1\u00a0234,50\u00a0€").count() == 1
        )
        assert len(rappels) == 3

    def test_un_lot_non_transmis_ne_se_paie_pas(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        with pytest.raises(EtatFraisRefuse, match="Action déjà effectuée ou plus possible"):
            paiement.marquer_paye(lot=lot, par=gestionnaire, le=timezone.localdate())
        assert EtatFrais.objects.filter(etat=EtatEF.PAYE).count() == 0

    def test_une_date_de_paiement_future_est_refusee(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        paiement.marquer_envoye(lot=lot, par=gestionnaire)
        with pytest.raises(EtatFraisRefuse, match="futur"):
            paiement.marquer_paye(lot=lot, par=gestionnaire, le=timezone.localdate() + datetime.timedelta(days=1))

    def test_un_gestionnaire_hors_perimetre_n_agit_pas_sur_le_lot(self, gestionnaire, trois_ef):
        lot = paiement.creer_lot(etats=trois_ef, par=gestionnaire, date_execution=EXECUTION).lot
        autre = PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user
        for action in (paiement.marquer_envoye, paiement.annuler_lot):
            kwargs = {"motif": "x"} if action is paiement.annuler_lot else {}
            with pytest.raises(EtatFraisRefuse, match="périmètre"):
                action(lot=lot, par=autre, **kwargs)
        lot.refresh_from_db()
        assert lot.etat == EtatLot.PREPARE


def test_le_libelle_d_un_virement_tient_en_140_caracteres():
    references = [f"EF-2026-{numero:06d}" for numero in range(1, 21)]
    libelle = paiement._libelle_virement(references)
    assert len(libelle) <= 140
    assert libelle.startswith("Frais de deplacement EF-2026-000001 EF-2026-000002")
    assert libelle.endswith("autres EF")
