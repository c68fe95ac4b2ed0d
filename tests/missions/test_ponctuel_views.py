"""Les pages des OM ponctuels : création, en-tête, étapes, frais, demandes de billets, agence de voyage, politique.

Chaque page : ce qu'elle enregistre, ce qu'elle refuse (message près du champ, saisie gardée, rien d'écrit) et à qui
elle est fermée (404 si l'ordre n'est pas visible, 403 si la personne le voit sans pouvoir agir).
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions import ponctuels
from missions.enums import ClasseTrain, Etat, LieuDepart, ModeEtape, TypeEtape, TypeFrais
from missions.models import Billet, DemandeBillet, Etape, Frais, OrdreMission, PolitiqueVoyage
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    EtablissementFactory,
    GestionnaireFactory,
    PerimetreGestionnaireFactory,
    UserFactory,
)
from tests.missions.factories import (
    BilletFactory,
    DemandeBilletFactory,
    OrdreMissionFactory,
    PolitiqueVoyageFactory,
    PonctuelFactory,
)

pytestmark = pytest.mark.usefixtures("baremes_officiels")

PARIS_TZ = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
D = datetime.date


def le(annee, mois, jour, heure, minute=0):
    return datetime.datetime(annee, mois, jour, heure, minute, tzinfo=PARIS_TZ)


def url(nom, *args):
    return reverse(f"ponctuels:{nom}", args=args)


@pytest.fixture
def communes(db):
    return {
        "aix": CommuneFactory(insee="13001", nom="Aix-en-Provence", departement="13", population=147478),
        "paris": CommuneFactory(insee="75056", nom="Paris", departement="75", population=2113705),
        "lyon": CommuneFactory(insee="69123", nom="Lyon", departement="69", population=522250),
    }


@pytest.fixture
def valideur(db):
    return UserFactory(valideur=True)


@pytest.fixture
def agent(communes, valideur):
    return AgentFactory(
        categorie="ien",
        residence_administrative=EtablissementFactory(commune=communes["aix"]),
        commune_familiale=communes["aix"],
        valideurs=[valideur],
    )


@pytest.fixture
def agence(db):
    return PerimetreGestionnaireFactory(categorie="ien", gestionnaire__est_agence_voyage=True).gestionnaire


@pytest.fixture
def gestionnaire(db):
    return PerimetreGestionnaireFactory(categorie="ien").gestionnaire


def formulaire(communes, **autres) -> dict:
    return {
        "destination_principale": "Paris (75056)",
        "objet": "Réunion des IEN le 22/10/2026, 10 h – 16 h",
        "depart_date": "2026-10-22",
        "depart_heure": "05:51",
        "retour_date": "2026-10-22",
        "retour_heure": "20:09",
        "lieu_depart": LieuDepart.GARE,
        "transports_publics": "on",
        **autres,
    }


@pytest.fixture
def ordre(agent, communes):
    """Un OM ponctuel en brouillon, créé par le service : déjeuner et dîner à Paris le 22 octobre 2026."""
    ordre, _ = ponctuels.creer_ponctuel(
        agent=agent,
        par=agent.user,
        donnees={
            "objet": "Réunion des IEN",
            "destination_principale": communes["paris"],
            "depart_le": le(2026, 10, 22, 5, 51),
            "retour_le": le(2026, 10, 22, 20, 9),
            "lieu_depart": LieuDepart.GARE,
            "transports_publics": True,
            "vehicule_personnel": False,
            "demande_billets": True,
        },
    )
    return ordre


def messages_de(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Création et en-tête --------------------------------------------------------------------------------------------


class TestCreation:
    def test_creer_genere_les_etapes_et_le_dit(self, client, agent, communes):
        client.force_login(agent.user)
        response = client.post(url("creer"), formulaire(communes), follow=False)
        ordre = OrdreMission.objects.get(agent=agent)
        assert response.status_code == 302
        assert response["Location"] == reverse("missions:ordre", args=[ordre.pk]) + "#ponctuel-etapes"
        assert ordre.type == "ponctuel"
        assert (ordre.lieu_depart, ordre.destination_principale_id) == (LieuDepart.GARE, "75056")
        assert list(ordre.etapes.order_by("type").values_list("type", flat=True)) == ["dejeuner", "diner"]
        assert ordre.montant_estime == Decimal("40.00")
        suite = client.get(response["Location"])
        textes = [str(message) for message in suite.context["messages"]]
        assert textes[0] == f"Ordre de mission {ordre.numero} créé."
        assert textes[1].startswith("Étapes générées. Ajoutés : déjeuner du 22 octobre 2026 (Paris)")

    def test_saisie_refusee_message_pres_du_champ_saisie_gardee(self, client, agent, communes):
        client.force_login(agent.user)
        response = client.post(url("creer"), formulaire(communes, retour_heure="05:00"))
        assert response.status_code == 422
        assert response.context["form"].errors["retour_heure"] == ["Le retour doit suivre le départ."]
        assert "Réunion des IEN le 22/10/2026, 10 h – 16 h" in response.content.decode()
        assert not OrdreMission.objects.filter(agent=agent).exists()

    def test_commune_inconnue(self, client, agent, communes):
        client.force_login(agent.user)
        response = client.post(url("creer"), formulaire(communes, destination_principale="Atlantide"))
        assert response.status_code == 422
        assert (
            "Aucune commune ne s'appelle « Atlantide »" in response.context["form"].errors["destination_principale"][0]
        )

    def test_erreur_du_service_sur_son_champ(self, client, agent, communes):
        client.force_login(agent.user)
        response = client.post(
            url("creer"), formulaire(communes, transports_publics="", vehicule_personnel="", demande_billets="on")
        )
        assert response.status_code == 422
        erreurs = response.context["form"].errors
        assert erreurs["transports_publics"] == ["Cochez au moins un moyen de transport."]
        assert erreurs["demande_billets"] == [
            "Une demande de titres de transport suppose le transport en commun : cochez-le."
        ]

    def test_rattache_a_un_omp_prerempli(self, client, agent):
        omp = OrdreMissionFactory(agent=agent, valide=True, objet="Inspection des écoles de la circonscription")
        client.force_login(agent.user)
        response = client.get(url("creer") + f"?omp={omp.pk}")
        assert response.status_code == 200
        assert response.context["form"].initial["objet"] == "Inspection des écoles de la circonscription"
        assert response.context["form"].initial["omp"] == omp.pk
        autre = OrdreMissionFactory(valide=True)
        response = client.get(url("creer") + f"?omp={autre.pk}")
        assert "omp" not in response.context["form"].initial

    def test_convocation_qui_n_est_pas_un_pdf(self, client, agent, communes):
        client.force_login(agent.user)
        depot = SimpleUploadedFile("convocation.pdf", b"texte", content_type="application/pdf")
        response = client.post(url("creer"), {**formulaire(communes), "convocation": depot})
        assert response.status_code == 422
        assert "convocation" in response.context["form"].errors
        assert "la convocation est à déposer de nouveau" in response.content.decode()

    def test_reserve_aux_agents(self, client, gestionnaire):
        assert client.get(url("creer")).status_code == 302  # vers la connexion
        client.force_login(gestionnaire.user)
        assert client.get(url("creer")).status_code == 403


class TestEntete:
    def test_changer_les_horaires_dit_ce_qui_change(self, client, agent, ordre, communes):
        client.force_login(agent.user)
        response = client.post(url("modifier", ordre.pk), formulaire(communes, lieu_depart=LieuDepart.ADMINISTRATIVE))
        assert response.status_code == 302
        suite = client.get(response["Location"])
        textes = [str(message) for message in suite.context["messages"]]
        assert textes[0] == "En-tête de l'ordre de mission enregistré."
        assert "Supprimé : dîner du 22 octobre 2026" in textes[1]
        assert list(ordre.etapes.values_list("type", flat=True)) == ["dejeuner"]

    def test_formulaire_pre_rempli_en_heure_locale(self, client, agent, ordre):
        client.force_login(agent.user)
        initial = client.get(url("modifier", ordre.pk)).context["form"].initial
        assert (initial["depart_date"], initial["depart_heure"]) == (D(2026, 10, 22), datetime.time(5, 51))
        assert initial["destination_principale"] == "Paris (75056)"

    def test_droits(self, client, agent, ordre, gestionnaire, communes):
        client.force_login(AgentFactory().user)
        assert client.get(url("modifier", ordre.pk)).status_code == 404
        assert client.post(url("generer", ordre.pk)).status_code == 404
        client.force_login(gestionnaire.user)  # un gestionnaire rédige les brouillons de son périmètre
        assert client.get(url("modifier", ordre.pk)).status_code == 200
        OrdreMission.objects.filter(pk=ordre.pk).update(etat=Etat.ATTENTE_GESTIONNAIRE)
        client.force_login(agent.user)
        assert client.get(url("modifier", ordre.pk)).status_code == 403
        response = client.post(url("modifier", ordre.pk), formulaire(communes, objet="Changé"))
        assert response.status_code == 403
        assert OrdreMission.objects.get(pk=ordre.pk).objet == "Réunion des IEN"

    def test_un_autre_type_d_ordre_n_a_pas_ces_pages(self, client, agent):
        omp = OrdreMissionFactory(agent=agent)
        client.force_login(agent.user)
        assert client.get(url("modifier", omp.pk)).status_code == 404

    def test_convocation_visible_de_qui_voit_l_ordre(self, client, agent, ordre):
        ordre.convocation.save("convocation.pdf", ContentFile(PDF))
        client.force_login(agent.user)
        response = client.get(url("convocation", ordre.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        client.force_login(AgentFactory().user)
        assert client.get(url("convocation", ordre.pk)).status_code == 404


# --- Étapes, lieux, frais -------------------------------------------------------------------------------------------


class TestEtapes:
    def test_choisir_le_restaurant_administratif(self, client, agent, ordre):
        dejeuner = ordre.etapes.get(type=TypeEtape.DEJEUNER)
        client.force_login(agent.user)
        page = client.get(url("etape", ordre.pk, dejeuner.pk))
        assert [valeur for valeur, _ in page.context["form"].fields["mode"].choices] == [
            "plein",
            "administratif",
            "reduit",
            "gratuit",
            "autre_organisme",
        ]
        response = client.post(url("etape", ordre.pk, dejeuner.pk), {"mode": ModeEtape.ADMINISTRATIF})
        assert response.status_code == 302
        dejeuner.refresh_from_db()
        assert (dejeuner.mode, dejeuner.ajuste) == (ModeEtape.ADMINISTRATIF, True)
        ordre.refresh_from_db()
        assert ordre.montant_estime == Decimal("30.00")

    def test_mode_d_une_nuitee_refuse_pour_un_repas(self, client, agent, ordre):
        dejeuner = ordre.etapes.get(type=TypeEtape.DEJEUNER)
        client.force_login(agent.user)
        response = client.post(url("etape", ordre.pk, dejeuner.pk), {"mode": ModeEtape.PAYANTE})
        assert response.status_code == 422
        assert "mode" in response.context["form"].errors
        dejeuner.refresh_from_db()
        assert dejeuner.mode == ModeEtape.PLEIN

    def test_etape_d_un_autre_ordre_introuvable(self, client, agent, ordre):
        autre = PonctuelFactory(agent=agent)
        etape = Etape.objects.create(
            ordre=autre,
            type=TypeEtape.DEJEUNER,
            date=D(2026, 10, 22),
            commune=autre.destination_principale,
            mode="plein",
        )
        client.force_login(agent.user)
        assert client.get(url("etape", ordre.pk, etape.pk)).status_code == 404

    def test_generer_les_etapes(self, client, agent, ordre):
        ordre.etapes.all().delete()
        client.force_login(agent.user)
        response = client.post(url("generer", ordre.pk))
        assert response.status_code == 302
        assert ordre.etapes.count() == 2
        assert client.get(url("generer", ordre.pk)).status_code == 405

    def test_ajouter_un_lieu(self, client, agent, ordre, communes):
        client.force_login(agent.user)
        response = client.post(
            url("ajouter_sejour", ordre.pk), {"commune": "69123", "date": "2026-10-22", "heure": "15:00"}
        )
        assert response.status_code == 302
        assert ordre.etapes.get(type=TypeEtape.DINER).commune_id == "69123"
        refus = client.post(
            url("ajouter_sejour", ordre.pk), {"commune": "69123", "date": "2026-10-23", "heure": "15:00"}
        )
        assert refus.status_code == 422
        assert refus.context["form"].errors["heure"][0].startswith("Choisissez un moment de la mission")
        sejour = ordre.sejours.get()
        assert client.post(url("supprimer_sejour", ordre.pk, sejour.pk)).status_code == 302
        assert ordre.etapes.get(type=TypeEtape.DINER).commune_id == "75056"


class TestFrais:
    def test_troisieme_ticket_du_jour_refuse_pres_de_la_date(self, client, agent, ordre):
        client.force_login(agent.user)
        ticket = {"type": TypeFrais.TRANSPORT_PUBLIC, "date": "2026-10-22", "montant": "2,15"}
        for _ in range(2):
            assert client.post(url("ajouter_frais", ordre.pk), ticket).status_code == 302
        response = client.post(url("ajouter_frais", ordre.pk), {**ticket, "commentaire": "Métro retour"})
        assert response.status_code == 422
        assert response.context["form"].errors["date"] == [
            "Au plus 2 tickets de bus ou de métro par jour de mission : le 22 octobre 2026 en compte déjà 2."
        ]
        assert "Métro retour" in response.content.decode()
        assert Frais.objects.filter(ordre=ordre).count() == 2

    def test_pas_de_train_a_saisir_quand_l_agence_achete(self, client, agent, ordre):
        client.force_login(agent.user)
        page = client.get(url("ajouter_frais", ordre.pk))
        assert TypeFrais.TRAIN not in [valeur for valeur, _ in page.context["form"].fields["type"].choices]
        response = client.post(
            url("ajouter_frais", ordre.pk), {"type": "train", "date": "2026-10-22", "montant": "116"}
        )
        assert response.status_code == 422

    def test_modifier_et_supprimer(self, client, agent, ordre):
        frais = Frais.objects.create(ordre=ordre, type=TypeFrais.PARKING, date=D(2026, 10, 22), montant=Decimal("12"))
        client.force_login(agent.user)
        response = client.post(
            url("modifier_frais", ordre.pk, frais.pk), {"type": "parking", "date": "2026-10-22", "montant": "18,50"}
        )
        assert response.status_code == 302
        frais.refresh_from_db()
        assert frais.montant == Decimal("18.50")
        ordre.refresh_from_db()
        assert ordre.montant_estime == Decimal("56.00")  # 40 € de repas + stationnement plafonné à 16 €
        assert client.post(url("supprimer_frais", ordre.pk, frais.pk)).status_code == 302
        assert not Frais.objects.filter(pk=frais.pk).exists()

    def test_trajet_vers_la_gare(self, client, agent, ordre, communes):
        PolitiqueVoyageFactory(taux_km_transport_public=Decimal("0.125"))
        client.force_login(agent.user)
        response = client.post(
            url("ajouter_trajet", ordre.pk),
            {
                "depart": "adm",
                "commune_arrivee": "Paris (75056)",
                "km_aller": "32",
                "trajets": "2",
                "date": "2026-10-22",
            },
        )
        assert response.status_code == 302
        ligne = ordre.lignes.get()
        assert ligne.jours.get().date == D(2026, 10, 22)
        refus = client.post(
            url("ajouter_trajet", ordre.pk),
            {"depart": "adm", "commune_arrivee": "Lyon", "km_aller": "32", "trajets": "2", "date": "2026-10-25"},
        )
        assert refus.status_code == 422
        assert "date" in refus.context["form"].errors
        assert client.post(url("supprimer_trajet", ordre.pk, ligne.pk)).status_code == 302
        assert not ordre.lignes.exists()


# --- Demandes de billets ------------------------------------------------------------------------------------------


def demande_formulaire(**autres) -> dict:
    return {
        "gare_depart": "Aix-en-Provence TGV",
        "gare_arrivee": "Paris Gare de Lyon",
        "date": "2026-10-22",
        "heure_min": "05:51",
        "heure_max": "06:30",
        "classe": ClasseTrain.SECONDE,
        "cartes": "",
        "e_billet": "on",
        "cout_estime": "116",
        **autres,
    }


class TestDemandes:
    def test_demande_pre_remplie_puis_enregistree(self, client, agent, ordre):
        client.force_login(agent.user)
        initial = client.get(url("demande", ordre.pk, "aller")).context["form"].initial
        assert (initial["date"], initial["heure_min"], initial["classe"]) == (
            D(2026, 10, 22),
            datetime.time(5, 51),
            "2",
        )
        response = client.post(url("demande", ordre.pk, "aller"), demande_formulaire())
        assert response.status_code == 302
        demande = DemandeBillet.objects.get(ordre=ordre)
        assert (demande.sens, demande.cout_estime, demande.e_billet) == ("aller", Decimal("116"), True)
        initial_retour = client.get(url("demande", ordre.pk, "retour")).context["form"].initial
        assert (initial_retour["gare_depart"], initial_retour["heure_min"]) == (
            "Paris Gare de Lyon",
            datetime.time(20, 9),
        )

    def test_premiere_classe_refusee_sans_derogation(self, client, agent, ordre):
        client.force_login(agent.user)
        response = client.post(url("demande", ordre.pk, "aller"), demande_formulaire(classe=ClasseTrain.PREMIERE))
        assert response.status_code == 422
        assert response.context["form"].errors["classe"] == [
            "La politique de voyage de l'académie prévoit la 2de classe : choisissez-la."
        ]
        assert not DemandeBillet.objects.exists()

    def test_sens_inconnu(self, client, agent, ordre):
        client.force_login(agent.user)
        assert client.get(url("demande", ordre.pk, "detour")).status_code == 404

    def test_supprimer(self, client, agent, ordre):
        DemandeBilletFactory(ordre=ordre)
        client.force_login(agent.user)
        assert client.post(url("supprimer_demande", ordre.pk, "aller")).status_code == 302
        assert not DemandeBillet.objects.exists()


# --- Agence de voyage ---------------------------------------------------------------------------------------------


@pytest.fixture
def valide(ordre):
    OrdreMission.objects.filter(pk=ordre.pk).update(etat=Etat.VALIDE)
    ordre.refresh_from_db()
    return ordre


class TestAgence:
    def test_file_reservee_a_l_agence(self, client, agence, gestionnaire, agent):
        client.force_login(agence.user)
        assert client.get(url("agence")).status_code == 200
        for intrus in (gestionnaire.user, agent.user, UserFactory(valideur=True)):
            client.force_login(intrus)
            assert client.get(url("agence")).status_code == 403

    def test_nombre_de_requetes_constant(self, client, agence, communes):
        def ordres(nombre):
            for _ in range(nombre):
                ordre = PonctuelFactory(agent__categorie="ien", valide=True, demande_billets=True)
                BilletFactory(demande__ordre=ordre)
                DemandeBilletFactory(ordre=ordre, sens="retour")

        ordres(1)
        client.force_login(agence.user)
        with CaptureQueriesContext(connection) as avant:
            response = client.get(url("agence"))
        assert len(response.context["a_traiter"]) == 1
        ordres(4)
        with CaptureQueriesContext(connection) as apres:
            response = client.get(url("agence"))
        assert len(response.context["a_traiter"]) == 5
        assert len(apres) == len(avant)

    def test_enregistrer_un_billet(self, client, agence, agent, valide):
        demande = DemandeBilletFactory(ordre=valide)
        client.force_login(agence.user)
        page = client.get(url("billet", valide.pk, demande.pk))
        assert page.status_code == 200
        assert page.context["form"].initial["cout"] == Decimal("116.00")
        response = client.post(
            url("billet", valide.pk, demande.pk),
            {
                "reference": "QZX4RT",
                "cout": "98,40",
                "fichier": SimpleUploadedFile("billet.pdf", PDF, content_type="application/pdf"),
            },
        )
        assert response.status_code == 302
        assert response["Location"] == url("agence")
        billet = Billet.objects.get(demande=demande)
        assert (billet.reference, billet.cout, billet.enregistre_par) == ("QZX4RT", Decimal("98.40"), agence.user)
        client.force_login(agent.user)
        fichier = client.get(url("billet_fichier", valide.pk, billet.pk))
        assert fichier.status_code == 200
        assert b"".join(fichier.streaming_content) == PDF
        client.force_login(AgentFactory().user)
        assert client.get(url("billet_fichier", valide.pk, billet.pk)).status_code == 404

    def test_billet_refuse_garde_la_saisie(self, client, agence, valide):
        demande = DemandeBilletFactory(ordre=valide)
        client.force_login(agence.user)
        response = client.post(url("billet", valide.pk, demande.pk), {"reference": "QZX4RT", "cout": "beaucoup"})
        assert response.status_code == 422
        assert response.context["form"].errors["cout"] == ["Indiquez un montant en euros, par exemple 116 ou 3,70."]
        assert 'value="QZX4RT"' in response.content.decode()
        assert not Billet.objects.exists()

    def test_seule_l_agence_du_perimetre_enregistre_un_billet_d_un_ordre_valide(
        self, client, agence, gestionnaire, agent, ordre
    ):
        demande = DemandeBilletFactory(ordre=ordre)
        billet = {"reference": "QZX4RT", "cout": "98"}
        client.force_login(agence.user)
        assert client.post(url("billet", ordre.pk, demande.pk), billet).status_code == 403  # brouillon
        OrdreMission.objects.filter(pk=ordre.pk).update(etat=Etat.VALIDE)
        for intrus in (gestionnaire.user, agent.user):
            client.force_login(intrus)
            assert client.post(url("billet", ordre.pk, demande.pk), billet).status_code == 403
        ailleurs = PerimetreGestionnaireFactory(categorie="aesh", gestionnaire__est_agence_voyage=True).gestionnaire
        client.force_login(ailleurs.user)
        assert client.post(url("billet", ordre.pk, demande.pk), billet).status_code == 404
        assert not Billet.objects.exists()


# --- Politique de voyage ------------------------------------------------------------------------------------------


class TestPolitique:
    def test_reglee_par_un_administrateur(self, client, communes):
        admin = UserFactory(admin=True)
        client.force_login(admin)
        assert client.get(url("politique")).status_code == 200
        response = client.post(
            url("politique"),
            {
                "classe_par_defaut": "2",
                "derogation_libelle": "IA-IPR et IEN convoqués à Paris, aller et retour dans la journée",
                "derogation_categories": ["ia_ipr", "ien"],
                "derogation_commune": "Paris",
                "derogation_meme_journee": "on",
                "parking_heures_max": "48",
                "parking_plafond_jour": "16",
                "tickets_par_jour": "2",
                "delai_acces_gare": "45",
                "pourcentage_repas_reduit": "50",
                "taux_km_transport_public": "0,125",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        politique = PolitiqueVoyage.objects.get()
        assert politique.derogation_categories == ["ia_ipr", "ien"]
        assert (politique.derogation_commune_id, politique.delai_acces_gare) == ("75056", 45)
        assert politique.taux_km_transport_public == Decimal("0.125")
        assert politique.updated_by == admin

    def test_derogation_sans_nom_refusee(self, client):
        client.force_login(UserFactory(admin=True))
        response = client.post(
            url("politique"),
            {
                "classe_par_defaut": "2",
                "derogation_categories": ["ien"],
                "parking_heures_max": "48",
                "parking_plafond_jour": "16",
                "tickets_par_jour": "2",
                "delai_acces_gare": "60",
                "pourcentage_repas_reduit": "150",
            },
        )
        assert response.status_code == 422
        assert set(response.context["form"].errors) == {"derogation_libelle", "pourcentage_repas_reduit"}
        assert not PolitiqueVoyage.objects.exists()

    def test_fermee_aux_autres(self, client, agence, agent):
        for personne in (agence.user, agent.user):
            client.force_login(personne)
            assert client.get(url("politique")).status_code == 403


# --- Ce que montre la page de l'ordre -----------------------------------------------------------------------------


def detail(ordre, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    contexte = {"ordre": ordre, "ponctuel": ponctuels.page_ponctuel(ordre, user)}
    return render_to_string("ponctuels/includes/detail.html", contexte, request=request)


class TestDetail:
    def test_l_agent_voit_etapes_montants_controles_et_liens(self, agent, ordre):
        html = detail(ordre, agent.user)
        assert "Déjeuner du 22 octobre 2026" in html
        assert "20,00\xa0€" in html  # écrit par le filtre `euros`, espace insécable
        assert "Déposez la convocation" in html
        assert url("modifier", ordre.pk) in html
        assert url("generer", ordre.pk) in html
        assert url("demande", ordre.pk, "aller") in html
        assert "la mission compte du 22 octobre à 04:51 au 22 octobre à 21:09" in html

    def test_apres_validation_lecture_seule_et_billets_visibles(self, agent, agence, valide):
        demande = DemandeBilletFactory(ordre=valide)
        billet = BilletFactory(demande=demande, reference="QZX4RT", fichier=ContentFile(PDF, name="billet.pdf"))
        html = detail(valide, agent.user)
        assert url("modifier", valide.pk) not in html
        assert "Billet QZX4RT — 98,40 €" in html
        assert url("billet_fichier", valide.pk, billet.pk) in html
        assert url("billet", valide.pk, demande.pk) not in html
        assert url("billet", valide.pk, demande.pk) in detail(valide, agence.user)

    def test_nombre_de_requetes_constant(self, agent, ordre):
        with CaptureQueriesContext(connection) as avant:
            ponctuels.page_ponctuel(ordre, agent.user)
        ponctuels.modifier_ponctuel(ordre=ordre, par=agent.user, donnees={"retour_le": le(2026, 10, 24, 20)})
        for jour in (22, 23, 24):
            Frais.objects.create(ordre=ordre, type=TypeFrais.PARKING, date=D(2026, 10, jour), montant=Decimal("5"))
        DemandeBilletFactory(ordre=ordre)
        with CaptureQueriesContext(connection) as apres:
            page = ponctuels.page_ponctuel(ordre, agent.user)
        assert len(page["etapes"]) == 8
        assert len(apres) == len(avant)

    def test_liens_des_tableaux_de_bord(self, agent, agence):
        request = RequestFactory().get("/")
        request.user = agent.user
        assert url("creer") in render_to_string("ponctuels/includes/creer.html", {}, request=request)
        assert url("agence") in render_to_string("ponctuels/includes/agence_lien.html", {"user": agence.user})
        assert url("agence") not in render_to_string("ponctuels/includes/agence_lien.html", {"user": agent.user})
        assert GestionnaireFactory().est_agence_voyage is False
