import datetime
import html

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents import services
from agents.enums import Categorie, TypeVehicule
from agents.models import Agent, Vehicule
from tests.agents.factories import (
    AgentFactory,
    CentreCoutsFactory,
    CommuneFactory,
    DomaineFonctionnelFactory,
    EnveloppeBudgetaireFactory,
    EtablissementFactory,
    GestionnaireFactory,
    PerimetreGestionnaireFactory,
    ServiceGestionnaireFactory,
    UserFactory,
    VehiculeFactory,
)

pytestmark = pytest.mark.django_db

IBAN_VALIDE = "FR7630006000011234567890189"
AUTRE_IBAN = "FR1420041010050500013M02606"
DANS_UN_AN = datetime.date.today() + datetime.timedelta(days=365)


@pytest.fixture
def agent():
    return AgentFactory(
        user=UserFactory(first_name="Lou", last_name="Martin", email="lou.martin@ac-test.fr"),
        categorie=Categorie.AESH,
        residence_administrative=EtablissementFactory(nom="École des Tilleuls", commune=CommuneFactory(nom="Grasse")),
        commune_familiale=CommuneFactory(insee="06029", nom="Cannes"),
        adresse_familiale="3 chemin des Oliviers",
        telephone="04 93 00 00 00",
        iban=IBAN_VALIDE,
        bic="AGRIFRPP",
        titulaire_compte="Lou MARTIN",
        service_gestionnaire=ServiceGestionnaireFactory(nom="Service des déplacements du 06"),
        enveloppe_budgetaire=EnveloppeBudgetaireFactory(code="ENV-AESH"),
        valideurs=[UserFactory(valideur=True, first_name="Claire", last_name="Dupré")],
    )


@pytest.fixture
def client_agent(client, agent):
    client.force_login(agent.user)
    return client


def messages_de(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def etat_administration(agent: Agent) -> tuple:
    agent.refresh_from_db()
    return (
        agent.categorie,
        agent.rqth,
        agent.residence_administrative_id,
        agent.enveloppe_budgetaire_id,
        agent.centre_couts_id,
        agent.domaine_fonctionnel_id,
        agent.service_gestionnaire_id,
        sorted(agent.valideurs.values_list("pk", flat=True)),
    )


def champs_administration_forges() -> dict:
    return {
        "categorie": Categorie.IA_IPR,
        "rqth": "on",
        "residence_administrative": EtablissementFactory().pk,
        "enveloppe_budgetaire": EnveloppeBudgetaireFactory().pk,
        "centre_couts": CentreCoutsFactory().pk,
        "domaine_fonctionnel": DomaineFonctionnelFactory().pk,
        "service_gestionnaire": ServiceGestionnaireFactory().pk,
        "valideurs": [UserFactory(valideur=True).pk],
        "user": UserFactory().pk,
    }


# --- La fiche de l'agent ---------------------------------------------------------------------------------------------


def test_l_agent_voit_sa_fiche(client_agent, agent):
    VehiculeFactory(agent=agent, immatriculation="AB-123-CD", puissance_fiscale=5)
    response = client_agent.get(reverse("agents:profil"))
    assert response.status_code == 200
    contenu = response.content.decode()
    for attendu in (
        "Lou MARTIN",
        "lou.martin@ac-test.fr",
        "École des Tilleuls",
        "Grasse",
        "3 chemin des Oliviers",
        "Cannes (06029)",
        "AB-123-CD",
        "5 CV",
        "FR76 •••• •••• •••• •••• ••90 189",
        "AGRIFRPP",
        "ENV-AESH",
        "Service des déplacements du 06",
        "Claire DUPRÉ",
        "AESH",
    ):
        assert attendu in contenu, attendu
    assert IBAN_VALIDE not in contenu


def test_un_compte_sans_fiche_agent_voit_son_compte(client):
    user = UserFactory(valideur=True, first_name="Paul", last_name="Renaud", email="paul.renaud@ac-test.fr")
    client.force_login(user)
    response = client.get(reverse("agents:profil"))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert "Paul RENAUD" in contenu
    assert "paul.renaud@ac-test.fr" in contenu
    assert "Valideur hiérarchique (VH1)" in contenu
    assert "pas de fiche agent" in contenu


@pytest.mark.parametrize(
    "url",
    [
        reverse("agents:modifier_coordonnees"),
        reverse("agents:modifier_coordonnees_bancaires"),
        reverse("agents:ajouter_vehicule"),
    ],
)
def test_les_pages_d_edition_sont_refusees_a_un_compte_sans_fiche(client, url):
    client.force_login(UserFactory(valideur=True))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        reverse("agents:profil"),
        reverse("agents:modifier_coordonnees"),
        reverse("agents:modifier_coordonnees_bancaires"),
        reverse("agents:ajouter_vehicule"),
        reverse("agents:liste"),
        reverse("agents:communes_suggestions"),
    ],
)
def test_l_anonyme_est_renvoye_vers_la_connexion(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={url}"


def test_l_anonyme_est_renvoye_vers_la_connexion_depuis_une_fiche(client, agent):
    url = reverse("agents:detail", args=[agent.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={url}"


# --- Coordonnées -----------------------------------------------------------------------------------------------------


def test_l_agent_modifie_ses_coordonnees(client_agent, agent):
    CommuneFactory(insee="06088", nom="Nice")
    response = client_agent.post(
        reverse("agents:modifier_coordonnees"),
        {
            "email_secondaire": "lou.perso@exemple.fr",
            "telephone": "06  12 34 56 78",
            "adresse_familiale": "12 rue des Mimosas",
            "commune_familiale": "Nice (06088)",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agents:profil")
    assert messages_de(response) == ["Vos coordonnées sont enregistrées."]
    agent.refresh_from_db()
    assert (agent.email_secondaire, agent.telephone, agent.adresse_familiale, agent.commune_familiale_id) == (
        "lou.perso@exemple.fr",
        "06 12 34 56 78",
        "12 rue des Mimosas",
        "06088",
    )


def test_le_formulaire_de_coordonnees_presente_la_commune_et_les_suggestions(client_agent):
    response = client_agent.get(reverse("agents:modifier_coordonnees"))
    contenu = response.content.decode()
    assert 'value="Cannes (06029)"' in contenu
    assert 'list="communes-suggestions"' in contenu
    assert f'hx-get="{reverse("agents:communes_suggestions")}"' in contenu


def test_une_commune_inconnue_garde_la_saisie_et_n_enregistre_rien(client_agent, agent):
    response = client_agent.post(
        reverse("agents:modifier_coordonnees"),
        {
            "email_secondaire": "lou.perso@exemple.fr",
            "telephone": "06 12 34 56 78",
            "adresse_familiale": "12 rue des Mimosas",
            "commune_familiale": "99999",
        },
    )
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    contenu = response.content.decode()
    assert "Aucune commune ne porte le code INSEE « 99999 »" in contenu
    assert 'id="id_commune_familiale-desc-error"' in contenu
    for saisie in ("lou.perso@exemple.fr", "06 12 34 56 78", "12 rue des Mimosas", 'value="99999"'):
        assert saisie in contenu
    agent.refresh_from_db()
    assert (agent.email_secondaire, agent.telephone, agent.adresse_familiale, agent.commune_familiale_id) == (
        "",
        "04 93 00 00 00",
        "3 chemin des Oliviers",
        "06029",
    )


def test_un_telephone_illisible_est_refuse(client_agent, agent):
    response = client_agent.post(
        reverse("agents:modifier_coordonnees"),
        {"telephone": "appelez-moi", "adresse_familiale": "12 rue des Mimosas", "commune_familiale": "06029"},
    )
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    assert "Saisissez un numéro de téléphone" in response.content.decode()
    agent.refresh_from_db()
    assert (agent.telephone, agent.adresse_familiale) == ("04 93 00 00 00", "3 chemin des Oliviers")


def test_un_refus_du_service_s_affiche_a_cote_des_champs_et_n_enregistre_rien(client_agent, agent, monkeypatch):
    def refuser(agent, data):
        raise ValidationError({"telephone": "Numéro refusé par le service.", NON_FIELD_ERRORS: "Fiche verrouillée."})

    monkeypatch.setattr(services, "modifier_coordonnees", refuser)
    response = client_agent.post(
        reverse("agents:modifier_coordonnees"),
        {"telephone": "06 12 34 56 78", "adresse_familiale": "12 rue des Mimosas", "commune_familiale": "06029"},
    )
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    contenu = response.content.decode()
    assert 'id="id_telephone-desc-error"' in contenu
    assert "Numéro refusé par le service." in contenu
    assert "Fiche verrouillée." in contenu
    assert 'value="12 rue des Mimosas"' in contenu
    agent.refresh_from_db()
    assert agent.telephone == "04 93 00 00 00"


def test_les_champs_de_l_administration_forges_sont_ignores_dans_les_coordonnees(client_agent, agent):
    avant = etat_administration(agent)
    response = client_agent.post(
        reverse("agents:modifier_coordonnees"),
        {
            "telephone": "06 12 34 56 78",
            "adresse_familiale": "3 chemin des Oliviers",
            "commune_familiale": "06029",
            **champs_administration_forges(),
        },
    )
    assert response.status_code == 302
    assert etat_administration(agent) == avant
    assert agent.telephone == "06 12 34 56 78"
    assert Agent.objects.get(pk=agent.pk).user_id == agent.user_id


def test_les_champs_de_l_administration_forges_sont_ignores_dans_les_coordonnees_bancaires(client_agent, agent):
    avant = etat_administration(agent)
    response = client_agent.post(
        reverse("agents:modifier_coordonnees_bancaires"),
        {"iban": AUTRE_IBAN, "bic": "PSSTFRPPPAR", "titulaire_compte": "Lou MARTIN", **champs_administration_forges()},
    )
    assert response.status_code == 302
    assert etat_administration(agent) == avant
    assert agent.iban == AUTRE_IBAN


def test_les_champs_de_l_administration_ne_sont_pas_des_champs_de_formulaire(client_agent):
    for url in (reverse("agents:modifier_coordonnees"), reverse("agents:modifier_coordonnees_bancaires")):
        contenu = client_agent.get(url).content.decode()
        for champ in Agent.CHAMPS_ADMINISTRATION:
            assert f'name="{champ}"' not in contenu, (url, champ)


# --- Coordonnées bancaires -------------------------------------------------------------------------------------------


def test_l_agent_modifie_ses_coordonnees_bancaires_et_le_changement_est_trace(client_agent, agent):
    entrees_avant = set(LogEntry.objects.get_for_object(agent).values_list("pk", flat=True))
    response = client_agent.post(
        reverse("agents:modifier_coordonnees_bancaires"),
        {"iban": "FR14 2004 1010 0505 0001 3M02 606", "bic": "psstfrpppar", "titulaire_compte": "Lou MARTIN"},
    )
    assert response.status_code == 302
    assert messages_de(response) == ["Vos coordonnées bancaires sont enregistrées."]
    agent.refresh_from_db()
    assert (agent.iban, agent.bic) == (AUTRE_IBAN, "PSSTFRPPPAR")
    entree = LogEntry.objects.get_for_object(agent).exclude(pk__in=entrees_avant).get()
    assert entree.action == LogEntry.Action.UPDATE
    assert entree.actor == agent.user
    assert set(entree.changes_dict) == {"iban", "bic"}
    assert AUTRE_IBAN not in str(entree.changes_dict)


def test_un_iban_invalide_garde_la_saisie_et_n_enregistre_rien(client_agent, agent):
    response = client_agent.post(
        reverse("agents:modifier_coordonnees_bancaires"),
        {"iban": "FR76 3000 6000 0112 3456 7890 188", "bic": "PSSTFRPPPAR", "titulaire_compte": "Lou Martin-Roux"},
    )
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    contenu = response.content.decode()
    assert "Cet IBAN n'est pas valide" in html.unescape(contenu)
    assert 'id="id_iban-desc-error"' in contenu
    assert "Lou Martin-Roux" in contenu
    assert "PSSTFRPPPAR" in contenu
    agent.refresh_from_db()
    assert (agent.iban, agent.bic, agent.titulaire_compte) == (IBAN_VALIDE, "AGRIFRPP", "Lou MARTIN")
    assert (
        not LogEntry.objects.get_for_object(agent)
        .filter(action=LogEntry.Action.UPDATE, changes__has_key="iban")
        .exists()
    )


def test_un_iban_sans_bic_est_refuse_a_cote_du_champ(client_agent, agent):
    response = client_agent.post(
        reverse("agents:modifier_coordonnees_bancaires"),
        {"iban": AUTRE_IBAN, "bic": "", "titulaire_compte": "Lou MARTIN"},
    )
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    contenu = response.content.decode()
    assert "Renseignez l'IBAN et le BIC ensemble." in html.unescape(contenu)
    assert 'id="id_bic-desc-error"' in contenu
    agent.refresh_from_db()
    assert agent.iban == IBAN_VALIDE


# --- Véhicules -------------------------------------------------------------------------------------------------------


def donnees_vehicule(**valeurs) -> dict:
    return {
        "immatriculation": "gh-789-ij",
        "type": TypeVehicule.VOITURE,
        "puissance_fiscale": "6",
        "assurance_valide_jusqu_au": DANS_UN_AN.isoformat(),
        "auvp_debut": "2026-09-01",
        "auvp_fin": "2027-08-31",
        **valeurs,
    }


def test_le_formulaire_de_vehicule_propose_des_dates_au_format_date(client_agent):
    contenu = client_agent.get(reverse("agents:ajouter_vehicule")).content.decode()
    assert contenu.count('type="date"') == 3


def test_l_agent_ajoute_un_vehicule(client_agent, agent):
    autre_agent = AgentFactory()
    response = client_agent.post(reverse("agents:ajouter_vehicule"), donnees_vehicule(actif="on", agent=autre_agent.pk))
    assert response.status_code == 302
    assert messages_de(response) == ["Le véhicule GH-789-IJ est enregistré."]
    vehicule = Vehicule.objects.get(immatriculation="GH-789-IJ")
    assert vehicule.agent == agent
    assert (vehicule.puissance_fiscale, vehicule.actif, vehicule.classe_bareme) == (6, True, "6_7cv")
    assert not autre_agent.vehicules.exists()


def test_l_agent_modifie_son_vehicule(client_agent, agent):
    vehicule = VehiculeFactory(agent=agent, immatriculation="AB-123-CD", puissance_fiscale=5)
    response = client_agent.post(
        reverse("agents:modifier_vehicule", args=[vehicule.pk]),
        donnees_vehicule(immatriculation="AB-123-CD", puissance_fiscale="8", actif="on"),
    )
    assert response.status_code == 302
    vehicule.refresh_from_db()
    assert (vehicule.puissance_fiscale, vehicule.classe_bareme) == (8, "8cv_et_plus")


def test_un_second_vehicule_actif_est_refuse_a_cote_du_champ(client_agent, agent):
    VehiculeFactory(agent=agent, immatriculation="AB-123-CD", actif=True)
    response = client_agent.post(reverse("agents:ajouter_vehicule"), donnees_vehicule(actif="on"))
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    contenu = response.content.decode()
    assert "Un autre véhicule est déjà utilisé pour les indemnités kilométriques" in contenu
    assert 'id="id_actif-desc-error"' in contenu
    assert 'value="gh-789-ij"' in contenu
    assert list(agent.vehicules.values_list("immatriculation", flat=True)) == ["AB-123-CD"]


def test_une_voiture_sans_puissance_est_refusee_a_cote_du_champ(client_agent, agent):
    response = client_agent.post(reverse("agents:ajouter_vehicule"), donnees_vehicule(puissance_fiscale=""))
    assert response.status_code == 422  # refusé : la saisie revient avec ses erreurs
    contenu = response.content.decode()
    assert "Indiquez la puissance fiscale d'une voiture" in html.unescape(contenu)
    assert 'id="id_puissance_fiscale-desc-error"' in contenu
    assert not agent.vehicules.exists()


def test_l_agent_change_de_vehicule_en_un_geste(client_agent, agent):
    ancien = VehiculeFactory(agent=agent, immatriculation="AB-123-CD", actif=True)
    nouveau = VehiculeFactory(agent=agent, immatriculation="EF-456-GH", actif=False)
    response = client_agent.post(reverse("agents:activer_vehicule", args=[nouveau.pk]))
    assert response.status_code == 302
    assert messages_de(response) == ["Le véhicule EF-456-GH est désormais utilisé pour les indemnités kilométriques."]
    assert list(agent.vehicules.filter(actif=True)) == [nouveau]
    ancien.refresh_from_db()
    assert not ancien.actif


def test_activer_un_vehicule_mal_assure_affiche_l_erreur_et_ne_change_rien(client_agent, agent):
    ancien = VehiculeFactory(agent=agent, actif=True)
    expire = VehiculeFactory(
        agent=agent,
        immatriculation="EF-456-GH",
        actif=False,
        assurance_valide_jusqu_au=datetime.date.today() - datetime.timedelta(days=1),
    )
    response = client_agent.post(reverse("agents:activer_vehicule", args=[expire.pk]))
    assert response.status_code == 302
    assert "L'assurance de ce véhicule est expirée" in messages_de(response)[0]
    assert list(agent.vehicules.filter(actif=True)) == [ancien]


def test_l_agent_desactive_son_vehicule(client_agent, agent):
    vehicule = VehiculeFactory(agent=agent, actif=True)
    response = client_agent.post(reverse("agents:desactiver_vehicule", args=[vehicule.pk]))
    assert response.status_code == 302
    vehicule.refresh_from_db()
    assert not vehicule.actif


def test_activer_ou_desactiver_demande_un_post(client_agent, agent):
    vehicule = VehiculeFactory(agent=agent, actif=False)
    assert client_agent.get(reverse("agents:activer_vehicule", args=[vehicule.pk])).status_code == 405
    vehicule.refresh_from_db()
    assert not vehicule.actif


@pytest.mark.parametrize(
    "nom_url", ["agents:modifier_vehicule", "agents:activer_vehicule", "agents:desactiver_vehicule"]
)
def test_le_vehicule_d_un_autre_agent_est_introuvable(client_agent, nom_url):
    vehicule = VehiculeFactory(immatriculation="ZZ-999-ZZ", actif=False, puissance_fiscale=4)
    response = client_agent.post(reverse(nom_url, args=[vehicule.pk]), donnees_vehicule(actif="on"))
    assert response.status_code == 404
    vehicule.refresh_from_db()
    assert (vehicule.immatriculation, vehicule.actif, vehicule.puissance_fiscale) == ("ZZ-999-ZZ", False, 4)


# --- Suggestions de communes -----------------------------------------------------------------------------------------


def test_les_suggestions_de_communes(client_agent):
    CommuneFactory(insee="06088", nom="Nice", population=340000)
    CommuneFactory(insee="06089", nom="Nicelle", population=100)
    CommuneFactory(insee="06004", nom="Antibes")
    response = client_agent.get(reverse("agents:communes_suggestions"), {"commune_familiale": "nic"})
    contenu = response.content.decode()
    assert contenu.index('value="Nice (06088)"') < contenu.index('value="Nicelle (06089)"')
    assert "Antibes" not in contenu
    par_code = client_agent.get(reverse("agents:communes_suggestions"), {"commune_familiale": "0600"}).content
    assert b"Antibes (06004)" in par_code
    assert b"Nice" not in par_code


# --- Fiche d'un agent pour le bureau ---------------------------------------------------------------------------------


def test_un_agent_ne_peut_pas_ouvrir_la_fiche_d_un_autre(client_agent):
    autre = AgentFactory()
    assert client_agent.get(reverse("agents:detail", args=[autre.pk])).status_code == 404


def test_un_agent_peut_ouvrir_sa_propre_fiche(client_agent, agent):
    assert client_agent.get(reverse("agents:detail", args=[agent.pk])).status_code == 200


@pytest.fixture
def gestionnaire_aesh():
    gestionnaire = GestionnaireFactory()
    PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie=Categorie.AESH)
    return gestionnaire


def test_le_gestionnaire_ouvre_la_fiche_d_un_agent_de_son_perimetre(client, agent, gestionnaire_aesh):
    client.force_login(gestionnaire_aesh.user)
    response = client.get(reverse("agents:detail", args=[agent.pk]))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert "Lou MARTIN" in contenu
    assert "FR76 •••• •••• •••• •••• ••90 189" in contenu
    assert IBAN_VALIDE not in contenu
    assert reverse("agents:modifier_coordonnees") not in contenu


def test_le_gestionnaire_ne_voit_pas_un_agent_hors_perimetre(client, gestionnaire_aesh):
    hors_perimetre = AgentFactory(categorie=Categorie.IEN)
    client.force_login(gestionnaire_aesh.user)
    assert client.get(reverse("agents:detail", args=[hors_perimetre.pk])).status_code == 404


def test_le_vh1_de_l_agent_ouvre_sa_fiche(client, agent):
    client.force_login(agent.valideurs.get())
    assert client.get(reverse("agents:detail", args=[agent.pk])).status_code == 200


def test_un_autre_vh1_ne_voit_pas_la_fiche(client, agent):
    autre_vh1 = UserFactory(valideur=True)
    AgentFactory(valideurs=[autre_vh1])
    client.force_login(autre_vh1)
    assert client.get(reverse("agents:detail", args=[agent.pk])).status_code == 404


def test_l_administrateur_ouvre_toute_fiche(client, agent):
    client.force_login(UserFactory(admin=True))
    assert client.get(reverse("agents:detail", args=[agent.pk])).status_code == 200
    assert client.get(reverse("agents:detail", args=[agent.pk + 1000])).status_code == 404


def test_un_compte_sans_role_ne_voit_aucune_fiche(client, agent):
    client.force_login(UserFactory())
    assert client.get(reverse("agents:detail", args=[agent.pk])).status_code == 404


# --- Liste des agents ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("compte", ["agent", "vh1", "sans_role"])
def test_la_liste_des_agents_est_refusee_sans_role_de_gestion(client, agent, compte):
    user = {"agent": agent.user, "vh1": agent.valideurs.get(), "sans_role": UserFactory()}[compte]
    client.force_login(user)
    response = client.get(reverse("agents:liste"))
    assert response.status_code == 403
    assert "réservée aux gestionnaires et aux administrateurs" in response.content.decode()
    assert "agents/liste.html" not in [template.name for template in response.templates]


def test_le_gestionnaire_liste_son_perimetre(client, agent, gestionnaire_aesh):
    AgentFactory(categorie=Categorie.IEN, user=UserFactory(last_name="Horsperimetre"))
    client.force_login(gestionnaire_aesh.user)
    response = client.get(reverse("agents:liste"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["page_obj"]] == [agent.pk]


def test_l_administrateur_liste_tous_les_agents_et_filtre(client, agent):
    ien = AgentFactory(categorie=Categorie.IEN, user=UserFactory(last_name="Bernard", email="b.bernard@ac-test.fr"))
    client.force_login(UserFactory(admin=True))
    url = reverse("agents:liste")
    assert {a.pk for a in client.get(url).context["page_obj"]} == {agent.pk, ien.pk}
    assert [a.pk for a in client.get(url, {"q": "martin"}).context["page_obj"]] == [agent.pk]
    assert [a.pk for a in client.get(url, {"q": "b.bernard@"}).context["page_obj"]] == [ien.pk]
    assert [a.pk for a in client.get(url, {"categorie": Categorie.IEN}).context["page_obj"]] == [ien.pk]
    assert [a.pk for a in client.get(url, {"q": "lou martin", "categorie": Categorie.IEN}).context["page_obj"]] == []


def test_la_liste_est_paginee_par_cinquante(client, gestionnaire_aesh):
    AgentFactory.create_batch(51, categorie=Categorie.AESH)
    client.force_login(gestionnaire_aesh.user)
    premiere = client.get(reverse("agents:liste"))
    assert len(premiere.context["page_obj"]) == 50
    assert premiere.context["page_obj"].paginator.count == 51
    assert len(client.get(reverse("agents:liste"), {"page": 2}).context["page_obj"]) == 1


@pytest.mark.parametrize("compte", ["gestionnaire", "admin"])
def test_le_nombre_de_requetes_de_la_liste_ne_depend_pas_du_nombre_d_agents(
    client, gestionnaire_aesh, django_assert_num_queries, compte
):
    user = gestionnaire_aesh.user if compte == "gestionnaire" else UserFactory(admin=True)
    AgentFactory(categorie=Categorie.AESH)
    client.force_login(user)
    url = reverse("agents:liste")
    with CaptureQueriesContext(connection) as avant:
        assert len(client.get(url).context["page_obj"]) == 1
    AgentFactory.create_batch(20, categorie=Categorie.AESH)
    with django_assert_num_queries(len(avant)):
        assert len(client.get(url).context["page_obj"]) == 21
    assert len(avant) <= 14  # dont les délégations reçues (elles ouvrent des files), lues une fois
