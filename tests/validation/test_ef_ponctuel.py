"""L'état de frais d'un OM ponctuel, après la mission : l'agent part du prévisionnel, corrige le réel (horaires qui
régénèrent les étapes, repas, frais), joint ses justificatifs et le soumet ; rejet, reprise, validation, paiement."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions import ponctuel_etats_frais as declaration
from missions import ponctuels
from missions.enums import ClasseTrain, Etat, LieuDepart, ModeEtape, TypeEtape, TypeFrais, TypeOrdre
from missions.models import Billet
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    EtablissementFactory,
    GestionnaireFactory,
    PerimetreGestionnaireFactory,
    UserFactory,
)
from tests.validation.factories import EtatFraisFactory
from validation import etats_frais, paiement
from validation import services as circuit
from validation.etats_frais import EtatFraisRefuse
from validation.models import (
    ActionEF,
    AjustementEtatFrais,
    EtatEF,
    EtatFrais,
    EtatLot,
    JustificatifEtatFrais,
    NatureLigne,
    Notification,
)

pytestmark = pytest.mark.usefixtures("baremes_officiels")

PARIS_TZ = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
D = datetime.date
EXECUTION = datetime.date.today() + datetime.timedelta(days=7)


def le(annee, mois, jour, heure, minute=0):
    return datetime.datetime(annee, mois, jour, heure, minute, tzinfo=PARIS_TZ)


def pdf(nom="justificatif.pdf", contenu=PDF):
    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


@pytest.fixture(autouse=True)
def stockage_vide(settings):
    """Un stockage de fichiers neuf pour chaque test : on y compte les fichiers déposés."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def communes(db):
    return {
        "aix": CommuneFactory(insee="13001", nom="Aix-en-Provence", departement="13", population=147478),
        "paris": CommuneFactory(insee="75056", nom="Paris", departement="75", population=2113705),
    }


@pytest.fixture
def valideur(db):
    return UserFactory(valideur=True)


@pytest.fixture
def agent(communes, valideur):
    return AgentFactory(
        categorie="tzr",
        residence_administrative=EtablissementFactory(commune=communes["aix"]),
        commune_familiale=communes["aix"],
        valideurs=[valideur],
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        titulaire_compte="Agent de test",
    )


@pytest.fixture
def gestionnaire(db):
    return PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user


@pytest.fixture
def agence(db):
    return PerimetreGestionnaireFactory(categorie="tzr", gestionnaire__est_agence_voyage=True).gestionnaire.user


@pytest.fixture
def ordre(agent, communes, valideur, gestionnaire, agence):
    """Convocation à Paris le 22 octobre 2026, train de 5 h 51 et retour en gare à 20 h 09, billets par l'agence :
    déjeuner au restaurant administratif (10 €), dîner (20 €), un ticket de métro, un stationnement plafonné à 16 €.
    Validé (48,15 €), le billet aller enregistré par l'agence."""
    ordre, _ = ponctuels.creer_ponctuel(
        agent=agent,
        par=agent.user,
        donnees={
            "objet": "Réunion des référents le 22/10/2026",
            "destination_principale": communes["paris"],
            "depart_le": le(2026, 10, 22, 5, 51),
            "retour_le": le(2026, 10, 22, 20, 9),
            "lieu_depart": LieuDepart.GARE,
            "transports_publics": True,
            "vehicule_personnel": False,
            "demande_billets": True,
            "convocation": pdf("convocation.pdf"),
        },
    )
    demande = ponctuels.enregistrer_demande_billet(
        ordre=ordre,
        par=agent.user,
        sens="aller",
        donnees={
            "gare_depart": "Aix-en-Provence TGV",
            "gare_arrivee": "Paris Gare de Lyon",
            "date": D(2026, 10, 22),
            "heure_min": datetime.time(5, 51),
            "heure_max": datetime.time(6, 30),
            "classe": ClasseTrain.SECONDE,
            "cartes": "",
            "e_billet": True,
            "cout_estime": Decimal("116.00"),
        },
    )
    dejeuner = ordre.etapes.get(type=TypeEtape.DEJEUNER)
    ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.ADMINISTRATIF)
    for type_frais, montant in ((TypeFrais.TRANSPORT_PUBLIC, "2.15"), (TypeFrais.PARKING, "20.00")):
        ponctuels.enregistrer_frais_ponctuel(
            ordre=ordre,
            par=agent.user,
            donnees={"type": type_frais, "date": D(2026, 10, 22), "montant": Decimal(montant), "commentaire": ""},
        )
    ordre = circuit.soumettre(ordre=ordre, par=agent.user, destinataire=valideur)
    if ordre.etat == Etat.ATTENTE_VH1:
        ordre = circuit.valider(ordre=ordre, par=valideur)
    ordre = circuit.valider(ordre=ordre, par=gestionnaire)
    assert (ordre.etat, ordre.montant_total) == (Etat.VALIDE, Decimal("48.15"))
    ponctuels.enregistrer_billet(demande=demande, par=agence, donnees={"reference": "QZX4RT", "cout": Decimal("98.40")})
    return ordre


@pytest.fixture
def ef(ordre, agent) -> EtatFrais:
    return etats_frais.etablir(ordre=ordre, par=agent.user)


def lignes(ef) -> list[tuple]:
    return [(ligne.nature, ligne.date.day, ligne.montant) for ligne in etats_frais.lignes(ef)]


def etapes(ef) -> list[tuple]:
    return [(etape.type, etape.date.day, etape.mode) for etape in declaration._etapes_declarees(ef)]


def joindre(ef, agent, nom="facture.pdf", contenu=PDF, libelle="Tickets et stationnement"):
    return declaration.joindre_justificatif(etat_frais=ef, par=agent.user, libelle=libelle, fichier=pdf(nom, contenu))


def fichiers_deposes() -> list[str]:
    if not default_storage.exists("justificatifs_ef"):
        return []
    return [
        f"{annee}/{nom}"
        for annee in default_storage.listdir("justificatifs_ef")[0]
        for nom in default_storage.listdir(f"justificatifs_ef/{annee}")[1]
    ]


def historique(ef) -> list[tuple]:
    return list(ef.historique.order_by("created_at", "pk").values_list("transition", "cible"))


# --- Établir : le prévisionnel recopié, en cours de saisie --------------------------------------------------------------


class TestEtablir:
    def test_l_etat_de_frais_part_du_previsionnel_en_cours_de_saisie(self, ef, ordre):
        assert ef.etat == EtatEF.BROUILLON
        assert (ef.depart_le, ef.retour_le) == (ordre.depart_le, ordre.retour_le)
        assert etapes(ef) == [("dejeuner", 22, ModeEtape.ADMINISTRATIF), ("diner", 22, ModeEtape.PLEIN)]
        assert ef.etapes.get(type=TypeEtape.DEJEUNER).ajuste
        assert sorted((f.type, f.montant) for f in ef.frais_reels.all()) == [
            (TypeFrais.PARKING, Decimal("20.00")),
            (TypeFrais.TRANSPORT_PUBLIC, Decimal("2.15")),
        ]
        assert ef.montant_total == ef.montant_initial == Decimal("48.15")
        assert historique(ef) == [(ActionEF.CREER, EtatEF.BROUILLON)]

    def test_un_brouillon_ne_se_valide_pas(self, ef, gestionnaire):
        with pytest.raises(EtatFraisRefuse, match="plus possible"):
            etats_frais.valider(etat_frais=ef, par=gestionnaire)
        ef.refresh_from_db()
        assert ef.etat == EtatEF.BROUILLON

    def test_les_etats_de_frais_d_omi_naissent_toujours_a_valider(self, db):
        ef = EtatFraisFactory(rejete=True)
        assert ef.ordre.type == TypeOrdre.ITINERANT
        with pytest.raises(EtatFraisRefuse, match="Seul l'agent"):
            etats_frais.reprendre(etat_frais=ef, par=ef.agent.user)
        assert etats_frais.actions_de_l_agent(ef.agent.user, ef) == []


# --- Corriger le réel ---------------------------------------------------------------------------------------------------


class TestHorairesReels:
    def test_un_retour_plus_tot_supprime_le_diner_et_le_dit(self, ef, agent):
        rapport = declaration.modifier_horaires(
            etat_frais=ef, par=agent.user, depart_le=le(2026, 10, 22, 5, 51), retour_le=le(2026, 10, 22, 17, 2)
        )
        assert etapes(ef) == [("dejeuner", 22, ModeEtape.ADMINISTRATIF)]
        assert rapport.resume.replace("\u202f", " ").replace("\xa0", " ") == (
            "Étapes mises à jour. Supprimé : dîner du 22 octobre 2026 (retour à 18 h 02, avant la fin de la plage "
            "18 h–21 h). Vos choix sont conservés : déjeuner du 22 octobre 2026 (restaurant administratif ou assimilé "
            "(déduction, demi-taux))."
        )
        ef.refresh_from_db()
        assert lignes(ef) == [
            (NatureLigne.REPAS, 22, Decimal("10.00")),
            (NatureLigne.TRANSPORT_PUBLIC, 22, Decimal("2.15")),
            (NatureLigne.PARKING, 22, Decimal("16.00")),
        ]
        assert ef.montant_total == Decimal("28.15")

    def test_une_nuit_sur_place_ajoute_le_diner_et_la_nuitee(self, ef, agent):
        rapport = declaration.modifier_horaires(
            etat_frais=ef, par=agent.user, depart_le=le(2026, 10, 22, 5, 51), retour_le=le(2026, 10, 23, 9, 30)
        )
        assert etapes(ef) == [
            ("dejeuner", 22, ModeEtape.ADMINISTRATIF),
            ("diner", 22, ModeEtape.PLEIN),
            ("nuitee", 23, ModeEtape.PAYANTE),
        ]
        assert rapport.ajoutees == ["nuit du 22 au 23 octobre 2026 (Paris)"]
        ef.refresh_from_db()
        nuitee = ef.lignes.get(nature=NatureLigne.NUITEE)
        assert nuitee.montant > 0 and nuitee.libelle == "Nuit du 22 au 23 octobre 2026 — Paris"
        # deux jours de stationnement : le plafond passe à 32 €, les 20 € payés sont pris en charge
        assert ef.lignes.get(nature=NatureLigne.PARKING).montant == Decimal("20.00")
        assert ef.montant_total == Decimal("10.00") + Decimal("20.00") + nuitee.montant + Decimal("22.15")

    def test_retour_avant_depart_refuse_sans_rien_changer(self, ef, agent):
        with pytest.raises(ValidationError) as erreur:
            declaration.modifier_horaires(
                etat_frais=ef, par=agent.user, depart_le=le(2026, 10, 22, 9), retour_le=le(2026, 10, 22, 8)
            )
        assert "retour_le" in erreur.value.message_dict
        ef.refresh_from_db()
        assert ef.retour_le == le(2026, 10, 22, 20, 9)


class TestRepasEtFrais:
    def test_un_repas_fourni_ne_se_paie_pas(self, ef, agent):
        diner = ef.etapes.get(type=TypeEtape.DINER)
        declaration.modifier_etape(etape=diner, par=agent.user, mode=ModeEtape.GRATUIT, commentaire="Offert")
        ef.refresh_from_db()
        assert ef.montant_total == Decimal("28.15")
        with pytest.raises(ValidationError):
            declaration.modifier_etape(etape=diner, par=agent.user, mode=ModeEtape.PAYANTE)

    def test_ajouter_corriger_supprimer_un_frais(self, ef, agent):
        def enregistrer(type_frais, montant, jour=None, frais=None):
            return declaration.enregistrer_frais(
                etat_frais=ef,
                par=agent.user,
                donnees={"type": type_frais, "date": jour or D(2026, 10, 22), "montant": Decimal(montant)},
                frais=frais,
            )

        second = enregistrer(TypeFrais.TRANSPORT_PUBLIC, "2.15")
        with pytest.raises(ValidationError, match="Au plus 2 tickets"):
            enregistrer(TypeFrais.TRANSPORT_PUBLIC, "2.15")
        with pytest.raises(ValidationError, match="achetés par l'agence"):
            enregistrer(TypeFrais.TRAIN, "98.40")
        with pytest.raises(ValidationError, match="mission réelle"):
            enregistrer(TypeFrais.PEAGE, "9.60", jour=D(2026, 10, 24))
        assert ef.frais_reels.count() == 3
        parking = ef.frais_reels.get(type=TypeFrais.PARKING)
        enregistrer(TypeFrais.PARKING, "12.00", frais=parking)
        declaration.supprimer_frais(frais=second, par=agent.user)
        ef.refresh_from_db()
        assert lignes(ef) == [
            (NatureLigne.REPAS, 22, Decimal("10.00")),
            (NatureLigne.REPAS, 22, Decimal("20.00")),
            (NatureLigne.TRANSPORT_PUBLIC, 22, Decimal("2.15")),
            (NatureLigne.PARKING, 22, Decimal("12.00")),
        ]
        assert ef.montant_total == Decimal("44.15")


class TestJustificatifs:
    def test_un_pdf_est_joint(self, ef, agent):
        justificatif = joindre(ef, agent)
        assert justificatif.fichier.name.endswith(".pdf") and justificatif.fichier.read() == PDF
        assert fichiers_deposes() == [justificatif.fichier.name.removeprefix("justificatifs_ef/")]

    def test_un_texte_renomme_pdf_est_refuse_et_rien_n_est_garde(self, ef, agent):
        with pytest.raises(ValidationError) as erreur:
            joindre(ef, agent, nom="facture.pdf", contenu=b"ceci est un texte")
        assert "ni un PDF" in erreur.value.message_dict["fichier"][0]
        assert not JustificatifEtatFrais.objects.exists() and fichiers_deposes() == []

    def test_un_fichier_trop_gros_est_refuse(self, ef, agent, settings):
        settings.ITINERA_TAILLE_MAX_JUSTIFICATIF = 1024
        with pytest.raises(ValidationError) as erreur:
            joindre(ef, agent, contenu=PDF + b"0" * 2048)
        assert "la limite est de 1 ko" in erreur.value.message_dict["fichier"][0]
        assert not JustificatifEtatFrais.objects.exists() and fichiers_deposes() == []

    def test_un_echec_a_l_enregistrement_efface_le_fichier(self, ef, agent, monkeypatch):
        def panne(*args, **kwargs):
            raise RuntimeError("base indisponible")

        monkeypatch.setattr(JustificatifEtatFrais, "save", panne)
        with pytest.raises(RuntimeError):
            joindre(ef, agent)
        assert fichiers_deposes() == []

    def test_retirer_un_justificatif(self, ef, agent, django_capture_on_commit_callbacks):
        justificatif = joindre(ef, agent)
        with django_capture_on_commit_callbacks(execute=True):
            declaration.supprimer_justificatif(justificatif=justificatif, par=agent.user)
        assert not ef.justificatifs.exists() and fichiers_deposes() == []


# --- Soumettre, rejeter, reprendre, valider, payer ----------------------------------------------------------------------


class TestCircuit:
    def test_sans_justificatif_rien_n_est_soumis(self, ef, agent):
        with pytest.raises(EtatFraisRefuse, match="Joignez vos justificatifs"):
            etats_frais.soumettre(etat_frais=ef, par=agent.user)
        ef.refresh_from_db()
        assert ef.etat == EtatEF.BROUILLON and historique(ef) == [(ActionEF.CREER, EtatEF.BROUILLON)]

    def test_soumis_il_n_est_plus_modifiable_par_l_agent(self, ef, agent):
        joindre(ef, agent)
        ef = etats_frais.soumettre(etat_frais=ef, par=agent.user)
        assert (ef.etat, ef.soumis_le is not None) == (EtatEF.A_VALIDER, True)
        with pytest.raises(PermissionDenied):
            declaration.modifier_horaires(
                etat_frais=ef, par=agent.user, depart_le=le(2026, 10, 22, 7), retour_le=le(2026, 10, 22, 19)
            )
        with pytest.raises(PermissionDenied):
            joindre(ef, agent)
        assert ef.justificatifs.count() == 1

    def test_les_gestionnaires_du_service_sont_prevenus(self, ef, agent, django_capture_on_commit_callbacks):
        du_service = GestionnaireFactory(service=agent.service_gestionnaire).user
        autre_service = GestionnaireFactory().user
        joindre(ef, agent)
        with django_capture_on_commit_callbacks(execute=True):
            etats_frais.soumettre(etat_frais=ef, par=agent.user)
        notification = Notification.objects.get(destinataire=du_service)
        assert f"L'état de frais {ef.numero}" in notification.message
        assert notification.lien == reverse("validation:ef_detail", args=[ef.pk])
        assert not Notification.objects.filter(destinataire=autre_service).exists()
        assert du_service.email in [destinataire for courriel in mail.outbox for destinataire in courriel.to]

    def test_un_autre_que_l_agent_ne_soumet_ni_ne_declare(self, ef, agent, gestionnaire):
        joindre(ef, agent)
        for intrus in (gestionnaire, AgentFactory(categorie="tzr").user):
            with pytest.raises(EtatFraisRefuse, match="Seul l'agent"):
                etats_frais.soumettre(etat_frais=ef, par=intrus)
            with pytest.raises(PermissionDenied):
                declaration.modifier_etape(etape=ef.etapes.first(), par=intrus, mode=ModeEtape.GRATUIT)
        ef.refresh_from_db()
        assert ef.etat == EtatEF.BROUILLON

    def test_rejet_reprise_correction_resoumission_validation(self, ef, agent, gestionnaire):
        joindre(ef, agent)
        etats_frais.soumettre(etat_frais=ef, par=agent.user)
        ligne_parking = ef.lignes.get(nature=NatureLigne.PARKING)
        etats_frais.ajuster_ligne(
            etat_frais=ef, ligne=ligne_parking, montant="0", motif="Ticket de parking illisible", par=gestionnaire
        )
        etats_frais.rejeter(etat_frais=ef, par=gestionnaire, motif="Le dîner était fourni par l'organisateur.")
        with pytest.raises(PermissionDenied):  # rejeté : l'agent le reprend d'abord
            declaration.modifier_etape(etape=ef.etapes.get(type=TypeEtape.DINER), par=agent.user, mode="gratuit")

        ef = etats_frais.reprendre(etat_frais=ef, par=agent.user)
        assert ef.etat == EtatEF.BROUILLON
        assert etats_frais.statut_pour_l_agent(ef) == (
            "À corriger puis soumettre de nouveau (rejeté : Le dîner était fourni par l'organisateur.)"
        )
        declaration.modifier_etape(etape=ef.etapes.get(type=TypeEtape.DINER), par=agent.user, mode="gratuit")
        ef = etats_frais.soumettre(etat_frais=ef, par=agent.user)
        assert (ef.etat, ef.motif) == (EtatEF.A_VALIDER, "")
        # la ligne ajustée reste (l'ajustement la désigne), avec le montant déclaré de nouveau
        ligne_parking.refresh_from_db()
        assert (ligne_parking.montant, AjustementEtatFrais.objects.get().ligne) == (Decimal("16.00"), ligne_parking)
        assert ef.montant_total == Decimal("28.15") == sum(ligne[2] for ligne in lignes(ef))

        with pytest.raises(EtatFraisRefuse, match="propre état de frais"):
            etats_frais.valider(etat_frais=ef, par=agent.user)
        hors_perimetre = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        with pytest.raises(EtatFraisRefuse, match="pas dans votre périmètre"):
            etats_frais.valider(etat_frais=ef, par=hors_perimetre)
        ef = etats_frais.valider(etat_frais=ef, par=gestionnaire)
        assert ef.etat == EtatEF.VALIDE and len(ef.pdf_sha256) == 64
        assert historique(ef) == [
            (ActionEF.CREER, EtatEF.BROUILLON),
            (ActionEF.SOUMETTRE, EtatEF.A_VALIDER),
            (ActionEF.REJETER, EtatEF.REJETE),
            (ActionEF.REPRENDRE, EtatEF.BROUILLON),
            (ActionEF.SOUMETTRE, EtatEF.A_VALIDER),
            (ActionEF.VALIDER, EtatEF.VALIDE),
        ]

    def test_une_ligne_ajustee_puis_retiree_par_l_agent_reste_a_zero(self, ef, agent, gestionnaire):
        """L'ajustement du gestionnaire (journal immuable) désigne la ligne : elle n'est pas supprimée quand l'agent
        retire le frais, elle passe à 0 € en disant pourquoi."""
        joindre(ef, agent)
        etats_frais.soumettre(etat_frais=ef, par=agent.user)
        ligne_parking = ef.lignes.get(nature=NatureLigne.PARKING)
        etats_frais.ajuster_ligne(
            etat_frais=ef, ligne=ligne_parking, montant="10", motif="Plafond de la politique", par=gestionnaire
        )
        etats_frais.rejeter(etat_frais=ef, par=gestionnaire, motif="Le stationnement était gratuit.")
        ef = etats_frais.reprendre(etat_frais=ef, par=agent.user)
        declaration.supprimer_frais(frais=ef.frais_reels.get(type=TypeFrais.PARKING), par=agent.user)
        ef = etats_frais.soumettre(etat_frais=ef, par=agent.user)
        ligne_parking.refresh_from_db()
        assert (ligne_parking.montant, ligne_parking.commentaire) == (
            Decimal("0.00"),
            "Ne figure plus dans la déclaration de l'agent.",
        )
        assert AjustementEtatFrais.objects.get().ligne == ligne_parking
        assert ef.montant_total == sum(ligne[2] for ligne in lignes(ef))

    def test_le_billet_de_l_agence_est_montre_mais_pas_rembourse(self, ef, agent):
        page = declaration.page_declaration(ef, agent.user)
        assert [billet.reference for billet in page["billets"]] == ["QZX4RT"]
        assert page["cout_billets"] == Decimal("98.40")
        assert Billet.objects.get().cout not in [ligne[2] for ligne in lignes(ef)]
        assert ef.montant_total == Decimal("48.15")

    def test_meme_chemin_de_paiement_que_les_autres(self, ef, agent, gestionnaire, settings):
        joindre(ef, agent)
        etats_frais.soumettre(etat_frais=ef, par=agent.user)
        etats_frais.valider(etat_frais=ef, par=gestionnaire)
        assert ef in paiement.etats_frais_payables(gestionnaire)
        lot = paiement.creer_lot(etats=[ef], par=gestionnaire, date_execution=EXECUTION).lot
        sepa = paiement.lire_fichier(lot, "sepa")
        paiement.valider_schema_sepa(sepa)
        assert b'<InstdAmt Ccy="EUR">48.15</InstdAmt>' in sepa and ef.numero.encode() in sepa
        paiement.marquer_envoye(lot=lot, par=gestionnaire)
        lot = paiement.marquer_paye(lot=lot, par=gestionnaire, le=datetime.date.today())
        ef.refresh_from_db()
        assert (lot.etat, ef.etat, ef.paye_le) == (EtatLot.PAYE, EtatEF.PAYE, datetime.date.today())


# --- Les pages ----------------------------------------------------------------------------------------------------------


def url(nom, *args):
    return reverse(nom, args=args)


class TestPages:
    def test_l_agent_etablit_corrige_joint_et_soumet(self, client, ordre, agent):
        client.force_login(agent.user)
        response = client.post(url("validation:ef_etablir", ordre.pk))
        ef = EtatFrais.objects.get(ordre=ordre)
        assert response.url == url("validation:ef_detail", ef.pk)
        page = client.get(response.url).text
        assert "Horaires réels" in page and "Billets achetés par l'administration" in page
        assert "Joignez vos justificatifs" in page

        response = client.post(
            url("ponctuels:ef_horaires", ef.pk),
            {
                "depart_date": "2026-10-22",
                "depart_heure": "05:51",
                "retour_date": "2026-10-22",
                "retour_heure": "17:02",
            },
            follow=True,
        )
        assert "Supprimé : dîner du 22 octobre 2026" in response.text
        response = client.post(
            url("ponctuels:ef_justificatif", ef.pk), {"libelle": "Tickets", "fichier": pdf()}, follow=True
        )
        assert "Justificatif « Tickets » joint." in response.text
        response = client.post(url("validation:ef_agir", ef.pk, "soumettre"), {"etat": "brouillon"}, follow=True)
        assert "État de frais soumis" in response.text
        ef.refresh_from_db()
        assert (ef.etat, ef.montant_total) == (EtatEF.A_VALIDER, Decimal("28.15"))

    def test_saisie_refusee_gardee_et_rien_d_enregistre(self, client, ef, agent):
        client.force_login(agent.user)
        donnees = {"depart_date": "2026-10-22", "depart_heure": "09:00", "retour_date": "2026-10-22"}
        response = client.post(url("ponctuels:ef_horaires", ef.pk), {**donnees, "retour_heure": "08:00"})
        assert response.status_code == 422
        assert "Le retour doit suivre le départ." in response.text and 'value="09:00"' in response.text
        texte = SimpleUploadedFile("facture.pdf", b"pas un pdf", content_type="application/pdf")
        response = client.post(url("ponctuels:ef_justificatif", ef.pk), {"libelle": "Hôtel", "fichier": texte})
        assert response.status_code == 422
        assert "ni un PDF" in response.text and 'value="Hôtel"' in response.text
        assert not ef.justificatifs.exists() and fichiers_deposes() == []
        avant = ef.frais_reels.count()
        response = client.post(
            url("ponctuels:ef_ajouter_frais", ef.pk),
            {"type": "transport_public", "date": "2026-10-22", "montant": "", "commentaire": "Métro"},
        )
        assert response.status_code == 422
        assert "Indiquez le montant en euros, par exemple 116 ou 3,70." in response.text
        assert 'value="Métro"' in response.text and ef.frais_reels.count() == avant

    def test_un_autre_agent_ne_voit_rien(self, client, ef, agent):
        justificatif = joindre(ef, agent)
        client.force_login(AgentFactory(categorie="tzr").user)
        for adresse in (
            url("validation:ef_detail", ef.pk),
            url("ponctuels:ef_horaires", ef.pk),
            url("ponctuels:ef_justificatif", ef.pk),
            url("ponctuels:ef_fichier_justificatif", ef.pk, justificatif.pk),
        ):
            assert client.get(adresse).status_code == 404, adresse
        assert client.post(url("validation:ef_agir", ef.pk, "soumettre")).status_code == 404

    def test_le_gestionnaire_voit_sans_declarer(self, client, ef, agent, gestionnaire):
        justificatif = joindre(ef, agent)
        client.force_login(gestionnaire)
        response = client.get(url("ponctuels:ef_fichier_justificatif", ef.pk, justificatif.pk))
        assert (response["Content-Type"], b"".join(response.streaming_content)) == ("application/pdf", PDF)
        page = client.get(url("validation:ef_detail", ef.pk)).text
        assert "Horaires réels" in page and "Corriger les horaires réels" not in page
        assert "Soumettre l'état de frais" not in page and "Valider l'état de frais" not in page
        assert client.get(url("ponctuels:ef_horaires", ef.pk)).status_code == 403
        response = client.post(url("ponctuels:ef_justificatif", ef.pk), {"libelle": "x", "fichier": pdf()})
        assert response.status_code == 403
        assert ef.justificatifs.count() == 1

    def test_soumis_les_pages_de_saisie_sont_fermees_a_l_agent(self, client, ef, agent):
        joindre(ef, agent)
        etats_frais.soumettre(etat_frais=ef, par=agent.user)
        client.force_login(agent.user)
        assert client.get(url("ponctuels:ef_horaires", ef.pk)).status_code == 403
        assert client.post(url("ponctuels:ef_ajouter_frais", ef.pk), {}).status_code == 403
        page = client.get(url("validation:ef_detail", ef.pk)).text
        assert "Corriger les horaires réels" not in page and "Soumettre l'état de frais" not in page

    def test_le_motif_du_rejet_est_visible_et_l_agent_reprend(self, client, ef, agent, gestionnaire):
        joindre(ef, agent)
        etats_frais.soumettre(etat_frais=ef, par=agent.user)
        etats_frais.rejeter(etat_frais=ef, par=gestionnaire, motif="Facture d'hôtel manquante.")
        client.force_login(agent.user)
        page = client.get(url("validation:ef_detail", ef.pk)).text
        assert "Facture d&#x27;hôtel manquante." in page and "Reprendre pour correction" in page
        response = client.post(url("validation:ef_agir", ef.pk, "reprendre"), {"etat": "rejete"}, follow=True)
        assert "État de frais repris" in response.text and "Facture d&#x27;hôtel manquante." in response.text
        assert "Corriger les horaires réels" in response.text

    def test_nombre_de_requetes_constant_sur_la_page(self, client, ef, agent):
        client.force_login(agent.user)
        adresse = url("validation:ef_detail", ef.pk)
        client.get(adresse)
        with CaptureQueriesContext(connection) as avant:
            assert client.get(adresse).status_code == 200
        declaration.modifier_horaires(
            etat_frais=ef, par=agent.user, depart_le=le(2026, 10, 22, 5, 51), retour_le=le(2026, 10, 24, 20, 9)
        )
        for jour in (22, 23, 24):
            declaration.enregistrer_frais(
                etat_frais=ef,
                par=agent.user,
                donnees={"type": TypeFrais.PEAGE, "date": D(2026, 10, jour), "montant": Decimal("3.10")},
            )
            joindre(ef, agent, libelle=f"Péage du {jour}")
        assert ef.etapes.count() == 8
        with CaptureQueriesContext(connection) as apres:
            assert client.get(adresse).status_code == 200
        assert len(apres) == len(avant), [q["sql"] for q in apres.captured_queries]


def test_un_gestionnaire_peut_etablir_le_brouillon_pour_l_agent(ordre, agent, gestionnaire):
    ef = etats_frais.etablir(ordre=ordre, par=gestionnaire)
    assert (ef.etat, ef.created_by) == (EtatEF.BROUILLON, gestionnaire)
    assert declaration.peut_declarer(agent.user, ef) and not declaration.peut_declarer(gestionnaire, ef)


def test_reprendre_un_ancien_etat_de_frais_sans_declaration_la_recopie(ordre, agent, gestionnaire):
    """Un EF d'OM ponctuel établi avant la déclaration réelle (à valider, sans horaires ni étapes) : repris après un
    rejet, il part du prévisionnel."""
    ef = EtatFraisFactory(ordre=ordre, agent=agent, rejete=True, montant_initial=Decimal("48.15"), lignes=[])
    ef = etats_frais.reprendre(etat_frais=ef, par=agent.user)
    assert ef.depart_le == ordre.depart_le and len(etapes(ef)) == 2
    ef.justificatifs.create(libelle="x", fichier=ContentFile(PDF, name="x.pdf"), depose_par=agent.user)
    ef = etats_frais.soumettre(etat_frais=ef, par=agent.user)
    assert ef.montant_total == Decimal("48.15")
