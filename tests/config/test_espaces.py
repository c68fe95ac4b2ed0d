import pytest
from django.urls import reverse

from tests.agents.factories import AgentFactory, PerimetreGestionnaireFactory, UserFactory

pytestmark = pytest.mark.django_db

ESPACES = {
    "missions:mes_deplacements": "Mes déplacements",
    "validation:a_valider": "À valider",
    "validation:gestion": "Gestion",
    "administration": "Administration",
}


@pytest.fixture
def agent():
    return AgentFactory().user


@pytest.fixture
def valideur():
    return UserFactory(valideur=True)


@pytest.fixture
def gestionnaire():
    return PerimetreGestionnaireFactory().gestionnaire.user


@pytest.fixture
def admin():
    return UserFactory(admin=True)


@pytest.fixture
def chef_etablissement():
    """Une directrice d'école : agent et valideuse à la fois."""
    return AgentFactory(user__is_valideur=True).user


PERSONNES_AUTORISEES = {
    "missions:mes_deplacements": "agent",
    "validation:a_valider": "valideur",
    "validation:gestion": "gestionnaire",
    "administration": "admin",
}


@pytest.mark.parametrize("url_name", ESPACES)
def test_anonyme_renvoye_vers_la_connexion(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('connexion')}?next={url}"


@pytest.mark.parametrize("url_name,personne", PERSONNES_AUTORISEES.items())
def test_chaque_espace_s_ouvre_a_son_role_avec_un_etat_vide(client, request, url_name, personne):
    client.force_login(request.getfixturevalue(personne))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert f"<h1>{ESPACES[url_name]}</h1>" in response.text
    assert "itinera-vide" in response.text


@pytest.mark.parametrize(
    "url_name,personne",
    [
        (url, autre)
        for url, titulaire in PERSONNES_AUTORISEES.items()
        for autre in PERSONNES_AUTORISEES.values()
        if autre != titulaire
    ],
)
def test_chaque_espace_refuse_les_autres_roles(client, request, url_name, personne):
    client.force_login(request.getfixturevalue(personne))
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "Cet espace est réservé au rôle" in response.text


def test_le_menu_ne_montre_que_les_espaces_de_la_personne(client, chef_etablissement):
    client.force_login(chef_etablissement)
    response = client.get(reverse("missions:mes_deplacements"))
    menu = response.text.split('id="fr-navigation"')[1].split("</nav>")[0]
    assert "Mes déplacements" in menu
    assert "À valider" in menu
    assert "Gestion" not in menu
    assert "Administration" not in menu


def test_le_tableau_de_bord_mene_au_premier_espace(client, chef_etablissement, valideur, gestionnaire):
    client.force_login(chef_etablissement)
    assert client.get(reverse("tableau_de_bord")).url == reverse("missions:mes_deplacements")
    client.force_login(valideur)
    assert client.get(reverse("tableau_de_bord")).url == reverse("validation:a_valider")
    client.force_login(gestionnaire)
    assert client.get(reverse("tableau_de_bord")).url == reverse("validation:gestion")


def test_sans_role_une_page_qui_explique(client):
    client.force_login(UserFactory())
    response = client.get(reverse("tableau_de_bord"))
    assert response.status_code == 200
    assert "Votre compte n'a encore aucun rôle" in response.text


def test_pages_d_erreur_dans_la_mise_en_page(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.text
    assert "fr-header" in response.text


def test_titres_de_page(client, agent):
    client.force_login(agent)
    response = client.get(reverse("missions:mes_deplacements"))
    assert "<title>Mes déplacements — Itinera</title>" in response.text
    client.logout()
    assert client.get(reverse("connexion")).text.count("<title>Connexion — Itinera</title>") == 1
