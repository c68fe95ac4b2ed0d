"""Pages des états de frais, des lots et du budget : qui voit quoi, formulaires, nombre de requêtes constant."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from missions.enums import Etat, TypeOrdre
from tests.agents.factories import (
    AgentFactory,
    EnveloppeBudgetaireFactory,
    GestionnaireFactory,
    PerimetreGestionnaireFactory,
    ServiceGestionnaireFactory,
    UserFactory,
)
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import DelegationFactory, DotationBudgetaireFactory, EtatFraisFactory
from validation import etats_frais, paiement
from validation.enums import RoleDelegue
from validation.models import AjustementEtatFrais, EtatEF, EtatFrais, EtatLot, LotPaiement

pytestmark = pytest.mark.django_db
EXECUTION = timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def gestionnaire():
    gestionnaire = GestionnaireFactory()
    PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
    return gestionnaire.user


@pytest.fixture
def agent():
    return AgentFactory(categorie="aesh", user__first_name="Alice", user__last_name="Martin")


def ef_de(agent, mois=10, **kwargs) -> EtatFrais:
    return EtatFraisFactory(
        ordre__agent=agent,
        ordre__mois=datetime.date(2026, mois, 1),
        ordre__date_debut=datetime.date(2026, mois, 1),
        ordre__date_fin=datetime.date(2026, mois, 28),
        **kwargs,
    )


def url(nom, *args):
    return reverse(f"validation:{nom}", args=args)


class TestAgent:
    def test_l_agent_suit_ses_etats_de_frais_en_mots_simples(self, client, agent, gestionnaire):
        a_valider = ef_de(agent, 9)
        paye = ef_de(agent, 10, etat=EtatEF.PAYE, paye_le=datetime.date(2026, 11, 20))
        autre = ef_de(AgentFactory(categorie="aesh"), 10)
        client.force_login(agent.user)
        page = client.get(url("mes_etats_frais")).text
        assert a_valider.numero in page and paye.numero in page
        assert autre.numero not in page
        assert "En attente de validation par le service gestionnaire" in page
        assert "Payé le 20 novembre 2026" in page

    def test_sa_liste_garde_le_meme_nombre_de_requetes(self, client, agent, gestionnaire):
        paiement.creer_lot(etats=[ef_de(agent, 1, valide=True)], par=gestionnaire, date_execution=EXECUTION)
        client.force_login(agent.user)
        client.get(url("mes_etats_frais"))
        with CaptureQueriesContext(connection) as premiere:
            client.get(url("mes_etats_frais"))
        for mois in range(2, 8):
            ef = ef_de(agent, mois, valide=True)
            if mois % 2:
                paiement.creer_lot(etats=[ef], par=gestionnaire, date_execution=EXECUTION)
        with CaptureQueriesContext(connection) as ensuite:
            response = client.get(url("mes_etats_frais"))
        assert len(ensuite.captured_queries) == len(premiere.captured_queries)
        assert response.text.count("paiement prévu dans le lot du") == 4

    def test_l_agent_voit_un_lot_prevu_avec_sa_date(self, client, agent, gestionnaire):
        ef = ef_de(agent, valide=True)
        lot = paiement.creer_lot(etats=[ef], par=gestionnaire, date_execution=EXECUTION).lot
        client.force_login(agent.user)
        page = client.get(url("ef_detail", ef.pk)).text
        assert "Validé, paiement prévu dans le lot du" in page
        assert lot.numero in page
        assert url("lot_detail", lot.pk) not in page  # le lot lui-même est réservé aux gestionnaires

    def test_l_agent_voit_les_ajustements_avec_motif_avant_et_apres(self, client, agent, gestionnaire):
        ef = ef_de(agent, montant_initial=Decimal("150.56"), lignes=[Decimal("130.56"), Decimal("20.00")])
        repas = etats_frais.lignes(ef)[1]
        etats_frais.ajuster_ligne(etat_frais=ef, ligne=repas, montant="0", motif="Pas de ticket.", par=gestionnaire)
        client.force_login(agent.user)
        page = client.get(url("ef_detail", ef.pk)).text
        assert "« Pas de ticket. »" in page
        assert "20,00\u00a0€ → 0,00\u00a0€" in page
        assert "Ajuster cette ligne" not in page
        assert "Valider l&#x27;état de frais" not in page

    def test_l_agent_telecharge_le_pdf_de_son_etat_de_frais(self, client, agent):
        ef = ef_de(agent)
        client.force_login(agent.user)
        response = client.get(url("ef_pdf", ef.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert f"{ef.numero}-provisoire.pdf" in response["Content-Disposition"]

    @pytest.mark.parametrize("page", ["ef_detail", "ef_pdf"])
    def test_l_etat_de_frais_d_un_autre_agent_est_introuvable(self, client, agent, page):
        ef = ef_de(AgentFactory(categorie="aesh"))
        client.force_login(agent.user)
        assert client.get(url(page, ef.pk)).status_code == 404

    def test_l_agent_ne_peut_ni_valider_ni_ajuster_son_etat_de_frais(self, client, agent):
        ef = ef_de(agent)
        client.force_login(agent.user)
        response = client.post(url("ef_agir", ef.pk, "valider"), follow=True)
        assert "votre propre état de frais" in response.text
        ligne = ef.lignes.get()
        client.post(
            url("ef_ajuster", ef.pk, ligne.pk), {f"ligne-{ligne.pk}-montant": "0", f"ligne-{ligne.pk}-motif": "x"}
        )
        ef.refresh_from_db()
        assert (ef.etat, ef.montant_total) == (EtatEF.A_VALIDER, Decimal("100.00"))
        assert not AjustementEtatFrais.objects.exists()

    def test_l_agent_etablit_l_etat_de_frais_de_son_om_ponctuel(self, client, agent):
        ordre = OrdreMissionFactory(
            agent=agent,
            type=TypeOrdre.PONCTUEL,
            etat=Etat.VALIDE,
            date_debut=datetime.date(2026, 11, 18),
            date_fin=datetime.date(2026, 11, 18),
            montant_total=Decimal("0.00"),
            calcul_fige={"lignes": [], "frais": []},
        )
        client.force_login(agent.user)
        response = client.post(url("ef_etablir", ordre.pk))
        ef = EtatFrais.objects.get(ordre=ordre)
        assert response.url == url("ef_detail", ef.pk)


class TestGestionnaire:
    def test_la_liste_ne_montre_que_le_perimetre_et_filtre(self, client, gestionnaire, agent):
        octobre = ef_de(agent, 10)
        novembre = ef_de(agent, 11)
        hors = ef_de(AgentFactory(categorie="tzr"), 10)
        client.force_login(gestionnaire)
        page = client.get(url("ef_liste")).text
        assert octobre.numero in page and novembre.numero in page
        assert hors.numero not in page
        page = client.get(url("ef_liste"), {"mois": "2026-10", "etat": "a_valider"}).text
        assert octobre.numero in page and novembre.numero not in page
        enveloppe = EnveloppeBudgetaireFactory()
        page = client.get(url("ef_liste"), {"enveloppe": enveloppe.pk, "etat": ""}).text
        assert octobre.numero not in page
        page = client.get(url("ef_liste"), {"service": agent.service_gestionnaire.pk, "etat": ""}).text
        assert octobre.numero in page
        page = client.get(url("ef_liste"), {"service": ServiceGestionnaireFactory().pk, "etat": ""}).text
        assert octobre.numero not in page

    def test_un_etat_de_frais_hors_perimetre_est_introuvable(self, client, gestionnaire):
        ef = ef_de(AgentFactory(categorie="tzr"))
        client.force_login(gestionnaire)
        assert client.get(url("ef_detail", ef.pk)).status_code == 404
        assert client.post(url("ef_agir", ef.pk, "valider")).status_code == 404
        ef.refresh_from_db()
        assert ef.etat == EtatEF.A_VALIDER

    def test_la_liste_garde_le_meme_nombre_de_requetes(self, client, gestionnaire, agent, django_assert_num_queries):
        ef_de(agent, 1)
        client.force_login(gestionnaire)
        client.get(url("ef_liste"))  # session et cache chauds
        with CaptureQueriesContext(connection) as premiere:
            client.get(url("ef_liste"), {"etat": ""})
        for mois in range(2, 8):
            ef_de(AgentFactory(categorie="aesh"), mois, valide=True)
        with django_assert_num_queries(len(premiere.captured_queries)):
            response = client.get(url("ef_liste"), {"etat": ""})
        assert response.text.count(">EF-2026-") == 7

    def test_ajuster_une_ligne_depuis_la_page(self, client, gestionnaire, agent):
        ef = ef_de(agent)
        ligne = ef.lignes.get()
        client.force_login(gestionnaire)
        response = client.post(
            url("ef_ajuster", ef.pk, ligne.pk),
            {f"ligne-{ligne.pk}-montant": "87,50", f"ligne-{ligne.pk}-motif": "Distance du distancier."},
        )
        assert response.status_code == 302
        ef.refresh_from_db()
        assert ef.montant_total == Decimal("87.50")

    def test_un_ajustement_sans_motif_garde_la_saisie_et_dit_quoi_corriger(self, client, gestionnaire, agent):
        ef = ef_de(agent)
        ligne = ef.lignes.get()
        client.force_login(gestionnaire)
        response = client.post(
            url("ef_ajuster", ef.pk, ligne.pk), {f"ligne-{ligne.pk}-montant": "12,34", f"ligne-{ligne.pk}-motif": ""}
        )
        assert response.status_code == 422
        assert "Indiquez le motif de l&#x27;ajustement" in response.text
        assert 'value="12,34"' in response.text
        assert not AjustementEtatFrais.objects.exists()

    def test_un_ajustement_refuse_par_le_service_garde_montant_et_motif(self, client, gestionnaire, agent):
        ef = ef_de(agent)
        ligne = ef.lignes.get()
        client.force_login(gestionnaire)
        montant = str(ligne.montant).replace(".", ",")
        response = client.post(
            url("ef_ajuster", ef.pk, ligne.pk),
            {f"ligne-{ligne.pk}-montant": montant, f"ligne-{ligne.pk}-motif": "Vérifié sur le distancier."},
        )
        assert response.status_code == 422
        assert "Le montant saisi est celui déjà retenu : rien à ajuster." in response.text
        assert "Vérifié sur le distancier." in response.text
        assert not AjustementEtatFrais.objects.exists()

    def test_valider_puis_telecharger_le_pdf_archive(self, client, gestionnaire, agent):
        ef = ef_de(agent)
        client.force_login(gestionnaire)
        response = client.post(url("ef_agir", ef.pk, "valider"), {"etat": "a_valider"}, follow=True)
        assert "État de frais validé" in response.text
        ef.refresh_from_db()
        pdf = client.get(url("ef_pdf", ef.pk))
        assert f'filename="{ef.numero}.pdf"' in pdf["Content-Disposition"]
        assert client.get(url("ef_pdf", ef.pk)).content == pdf.content

    def test_rejeter_sans_motif_est_refuse_a_cote_du_champ(self, client, gestionnaire, agent):
        ef = ef_de(agent)
        client.force_login(gestionnaire)
        response = client.post(url("ef_agir", ef.pk, "rejeter"), {"etat": "a_valider", "motif": ""})
        assert response.status_code == 422
        assert "Indiquez le motif : l&#x27;agent le lira." in response.text
        response = client.post(url("ef_agir", ef.pk, "rejeter"), {"etat": "a_valider", "motif": "Service non fait."})
        ef.refresh_from_db()
        assert (ef.etat, ef.motif) == (EtatEF.REJETE, "Service non fait.")

    def test_une_action_deja_faite_ne_change_rien(self, client, gestionnaire, agent):
        ef = ef_de(agent, valide=True)
        client.force_login(gestionnaire)
        response = client.post(url("ef_agir", ef.pk, "rejeter"), {"etat": "a_valider", "motif": "Non."}, follow=True)
        assert "Action déjà effectuée ou plus possible" in response.text
        ef.refresh_from_db()
        assert ef.etat == EtatEF.VALIDE

    @pytest.mark.parametrize("action", ["payer", "mettre_en_paiement", "inconnue"])
    def test_les_transitions_de_paiement_ne_se_font_pas_a_la_main(self, client, gestionnaire, agent, action):
        ef = ef_de(agent, valide=True)
        client.force_login(gestionnaire)
        assert client.post(url("ef_agir", ef.pk, action)).status_code == 404


class TestLots:
    def test_creer_un_lot_ecarte_l_agent_sans_iban_avec_un_message_clair(self, client, gestionnaire, agent):
        sans_iban = AgentFactory(categorie="aesh", iban="", bic="", user__first_name="Léa", user__last_name="Petit")
        payable, bloque = ef_de(agent, valide=True), ef_de(sans_iban, valide=True)
        client.force_login(gestionnaire)
        page = client.get(url("lot_nouveau")).text
        assert "Léa PETIT n&#x27;a pas renseigné ses coordonnées bancaires" in page
        assert f'value="{bloque.pk}" id="ef-{bloque.pk}" disabled' in page
        response = client.post(
            url("lot_nouveau"),
            {"etats": [payable.pk, bloque.pk], "date_execution": EXECUTION.isoformat()},
            follow=True,
        )
        lot = LotPaiement.objects.get()
        assert response.redirect_chain[-1][0] == url("lot_detail", lot.pk)
        assert lot.nombre == 1
        assert f"{bloque.numero} laissé hors du lot : Léa PETIT n&#x27;a pas renseigné" in response.text
        bloque.refresh_from_db()
        assert bloque.etat == EtatEF.VALIDE

    def test_un_lot_refuse_garde_la_selection_et_dit_pourquoi(self, client, gestionnaire, agent, settings):
        settings.ITINERA_SEPA_DEBITEUR = {"name": "", "IBAN": "", "BIC": ""}
        payable = ef_de(agent, valide=True)
        client.force_login(gestionnaire)
        response = client.post(url("lot_nouveau"), {"etats": [payable.pk], "date_execution": EXECUTION.isoformat()})
        assert response.status_code == 422
        assert "n&#x27;est pas renseigné" in response.text
        assert re.search(rf'value="{payable.pk}" id="ef-{payable.pk}"[^>]* checked', response.text)
        assert not LotPaiement.objects.exists()

    def test_la_page_de_creation_garde_le_meme_nombre_de_requetes(
        self, client, gestionnaire, agent, django_assert_num_queries
    ):
        ef_de(agent, 1, valide=True)
        client.force_login(gestionnaire)
        client.get(url("lot_nouveau"))
        with CaptureQueriesContext(connection) as premiere:
            client.get(url("lot_nouveau"))
        for mois in range(2, 7):
            ef_de(
                AgentFactory(categorie="aesh", iban="" if mois == 3 else "FR7630006000011234567890189"),
                mois,
                valide=True,
            )
        with django_assert_num_queries(len(premiere.captured_queries)):
            client.get(url("lot_nouveau"))

    def test_une_date_d_execution_passee_est_refusee(self, client, gestionnaire, agent):
        ef = ef_de(agent, valide=True)
        client.force_login(gestionnaire)
        hier = timezone.localdate() - datetime.timedelta(days=1)
        response = client.post(url("lot_nouveau"), {"etats": [ef.pk], "date_execution": hier.isoformat()})
        assert response.status_code == 422
        assert "ne peut pas être passée" in response.text
        assert not LotPaiement.objects.exists()

    @pytest.fixture
    def lot(self, gestionnaire, agent):
        return paiement.creer_lot(etats=[ef_de(agent, valide=True)], par=gestionnaire, date_execution=EXECUTION).lot

    def test_le_gestionnaire_telecharge_les_fichiers_du_lot(self, client, gestionnaire, lot):
        client.force_login(gestionnaire)
        csv = client.get(url("lot_fichier", lot.pk, "csv"))
        assert (csv.status_code, csv["Content-Type"]) == (200, "text/csv; charset=utf-8")
        assert csv.content == paiement.generer_fichiers(lot)[0]
        sepa = client.get(url("lot_fichier", lot.pk, "sepa"))
        assert sepa.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert f'attachment; filename="{lot.numero}-virements-sepa.xml"' == sepa["Content-Disposition"]

    @pytest.mark.parametrize("qui", ["agent_du_lot", "vh1", "gestionnaire_hors_perimetre", "admin"])
    def test_les_fichiers_du_lot_ne_sont_qu_aux_gestionnaires_du_perimetre(self, client, lot, agent, qui):
        personnes = {
            "agent_du_lot": lambda: agent.user,
            "vh1": lambda: UserFactory(valideur=True),
            "gestionnaire_hors_perimetre": lambda: PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user,
            "admin": lambda: UserFactory(admin=True),
        }
        client.force_login(personnes[qui]())
        for adresse in (
            url("lot_detail", lot.pk),
            url("lot_fichier", lot.pk, "csv"),
            url("lot_fichier", lot.pk, "sepa"),
        ):
            assert client.get(adresse).status_code == 404
        assert client.post(url("lot_agir", lot.pk, "annuler"), {"motif": "x"}).status_code == 404
        lot.refresh_from_db()
        assert lot.etat == EtatLot.PREPARE

    def test_un_lot_qui_deborde_du_perimetre_n_est_visible_que_de_qui_le_couvre_entier(
        self, client, gestionnaire, agent
    ):
        """Un lot fait par un gestionnaire des AESH et des TZR : celui des seuls AESH ne le voit pas."""
        tzr = AgentFactory(categorie="tzr")
        deux_perimetres = GestionnaireFactory()
        for categorie in ("aesh", "tzr"):
            PerimetreGestionnaireFactory(gestionnaire=deux_perimetres, categorie=categorie)
        lot = paiement.creer_lot(
            etats=[ef_de(agent, valide=True), ef_de(tzr, valide=True)],
            par=deux_perimetres.user,
            date_execution=EXECUTION,
        ).lot
        assert lot.nombre == 2
        client.force_login(gestionnaire)
        assert client.get(url("lot_detail", lot.pk)).status_code == 404
        assert lot.numero not in client.get(url("lot_liste")).text
        client.force_login(deux_perimetres.user)
        assert client.get(url("lot_detail", lot.pk)).status_code == 200

    def test_un_suppleant_sans_role_de_gestionnaire_n_ouvre_pas_les_lots(self, client, gestionnaire, lot):
        suppleant = UserFactory()
        DelegationFactory(delegant=gestionnaire, delegataire=suppleant, role=RoleDelegue.GESTIONNAIRE)
        client.force_login(suppleant)
        assert client.get(reverse("validation:gestion")).status_code == 200  # la file, oui
        assert client.get(url("lot_liste")).status_code == 403
        assert client.get(url("lot_detail", lot.pk)).status_code in (403, 404)
        assert client.get(reverse("validation:delegations")).status_code == 403  # ni redéléguer

    def test_liste_et_page_d_un_lot_gardent_le_meme_nombre_de_requetes(
        self, client, gestionnaire, agent, django_assert_num_queries
    ):
        def nouveau_lot(nombre: int):
            etats = [ef_de(AgentFactory(categorie="aesh"), valide=True) for _ in range(nombre)]
            return paiement.creer_lot(etats=etats, par=gestionnaire, date_execution=EXECUTION).lot

        petit = nouveau_lot(1)
        client.force_login(gestionnaire)
        with CaptureQueriesContext(connection) as liste:
            client.get(url("lot_liste"))
        with CaptureQueriesContext(connection) as detail:
            client.get(url("lot_detail", petit.pk))
        grand = nouveau_lot(6)
        for _ in range(3):
            nouveau_lot(1)
        with django_assert_num_queries(len(liste)):
            assert client.get(url("lot_liste")).status_code == 200
        with django_assert_num_queries(len(detail)):
            assert client.get(url("lot_detail", grand.pk)).context["lot"].nombre == 6

    def test_transmettre_puis_payer_le_lot(self, client, gestionnaire, lot):
        client.force_login(gestionnaire)
        client.post(url("lot_agir", lot.pk, "envoyer"))
        page = client.post(url("lot_agir", lot.pk, "payer"), {"le": timezone.localdate().isoformat()}, follow=True)
        assert "Lot payé : chaque agent est prévenu." in page.text
        lot.refresh_from_db()
        assert lot.etat == EtatLot.PAYE
        assert EtatFrais.objects.get().etat == EtatEF.PAYE

    def test_annuler_le_lot_puis_ses_fichiers_ne_se_telechargent_plus(self, client, gestionnaire, lot):
        client.force_login(gestionnaire)
        assert client.post(url("lot_agir", lot.pk, "annuler"), {"motif": ""}).status_code == 422
        client.post(url("lot_agir", lot.pk, "annuler"), {"motif": "Erreur de date."})
        lot.refresh_from_db()
        assert lot.etat == EtatLot.ANNULE
        assert client.get(url("lot_fichier", lot.pk, "csv")).status_code == 410
        assert EtatFrais.objects.get().etat == EtatEF.VALIDE

    def test_la_liste_des_lots(self, client, gestionnaire, lot):
        client.force_login(gestionnaire)
        assert lot.numero in client.get(url("lot_liste")).text
        autre = PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user
        client.force_login(autre)
        assert lot.numero not in client.get(url("lot_liste")).text


class TestBudget:
    def test_l_administrateur_voit_le_suivi_et_l_alerte(self, client):
        admin = UserFactory(admin=True)
        enveloppe = EnveloppeBudgetaireFactory(code="ENV-ALERTE")
        DotationBudgetaireFactory(annee=2026, enveloppe_budgetaire=enveloppe, montant=Decimal("100.00"))
        ef = ef_de(AgentFactory(enveloppe_budgetaire=enveloppe), valide=True)
        EtatFrais.objects.filter(pk=ef.pk).update(enveloppe_budgetaire=enveloppe)
        type(ef.ordre).objects.filter(pk=ef.ordre_id).update(enveloppe_budgetaire=enveloppe)
        client.force_login(admin)
        page = client.get(url("budget"), {"annee": 2026}).text
        assert "ENV-ALERTE : 100,0 % de la dotation engagés" in page
        export = client.get(url("budget_export"), {"annee": 2026, "axe": "enveloppes"})
        assert export["Content-Type"] == "text/csv; charset=utf-8"
        assert "ENV-ALERTE" in export.content.decode()

    def test_le_budget_est_reserve_aux_administrateurs(self, client, gestionnaire):
        client.force_login(gestionnaire)
        assert client.get(url("budget")).status_code == 403
        assert client.get(url("budget_export")).status_code == 403


def test_le_menu_des_pages_de_gestion(gestionnaire):
    requete = RequestFactory().get("/gestion/")
    requete.resolver_match = None
    html = render_to_string("validation/ef/includes/nav.html", {"request": requete})
    for nom in ("ef_liste", "lot_nouveau", "lot_liste"):
        assert url(nom) in html


class TestAdministration:
    @pytest.mark.parametrize(
        ("modele", "titre"),
        [
            ("etatfrais", "États de frais"),
            ("historiqueetatfrais", "Historique des états de frais"),
            ("lotpaiement", "Lots de paiement"),
            ("dotationbudgetaire", "Dotations budgétaires"),
        ],
    )
    def test_listes_en_francais(self, client, gestionnaire, agent, modele, titre):
        ef = ef_de(agent, valide=True)
        paiement.creer_lot(etats=[ef], par=gestionnaire, date_execution=EXECUTION)
        DotationBudgetaireFactory()
        client.force_login(UserFactory(admin=True))
        response = client.get(reverse(f"admin:validation_{modele}_changelist"))
        assert response.status_code == 200
        assert titre in response.text

    def test_un_etat_de_frais_se_consulte_sans_se_modifier(self, client, agent):
        ef = ef_de(agent)
        client.force_login(UserFactory(admin=True))
        response = client.get(reverse("admin:validation_etatfrais_change", args=[ef.pk]))
        assert response.status_code == 200
        assert 'name="_save"' not in response.text
        assert (
            client.post(reverse("admin:validation_etatfrais_delete", args=[ef.pk]), {"post": "yes"}).status_code == 403
        )
        assert EtatFrais.objects.filter(pk=ef.pk).exists()

    def test_une_dotation_se_saisit(self, client):
        enveloppe = EnveloppeBudgetaireFactory()
        client.force_login(UserFactory(admin=True))
        response = client.post(
            reverse("admin:validation_dotationbudgetaire_add"),
            {"annee": 2026, "enveloppe_budgetaire": enveloppe.pk, "montant": "12000.00", "commentaire": ""},
        )
        assert response.status_code == 302
        assert enveloppe.dotations.get().montant == Decimal("12000.00")


class TestPageDeLOrdre:
    def test_l_encart_propose_d_etablir_l_etat_de_frais_puis_le_montre(self, agent):
        ordre = OrdreMissionFactory(
            agent=agent,
            type=TypeOrdre.PONCTUEL,
            etat=Etat.VALIDE,
            date_debut=datetime.date(2026, 11, 18),
            date_fin=datetime.date(2026, 11, 18),
            montant_total=Decimal("0.00"),
            calcul_fige={"lignes": [], "frais": []},
        )
        html = render_to_string("validation/ef/includes/ordre.html", {"ordre": ordre, "user": agent.user})
        assert url("ef_etablir", ordre.pk) in html
        ef = etats_frais.etablir(ordre=ordre, par=agent.user)
        html = render_to_string("validation/ef/includes/ordre.html", {"ordre": ordre, "user": agent.user})
        assert url("ef_detail", ef.pk) in html and url("ef_etablir", ordre.pk) not in html
