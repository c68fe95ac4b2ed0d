import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.admin import LimitropheAdminForm
from agents.enums import Contact
from agents.models import (
    Agent,
    CentreCouts,
    Commune,
    DomaineFonctionnel,
    EnveloppeBudgetaire,
    Etablissement,
    Gestionnaire,
    Limitrophe,
    PerimetreGestionnaire,
    ServiceGestionnaire,
    User,
    Vehicule,
)
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    EnveloppeBudgetaireFactory,
    GestionnaireFactory,
    LimitropheFactory,
    PerimetreGestionnaireFactory,
    UserFactory,
    VehiculeFactory,
)

pytestmark = pytest.mark.django_db

MODELES = [
    User,
    Commune,
    Limitrophe,
    Etablissement,
    EnveloppeBudgetaire,
    CentreCouts,
    DomaineFonctionnel,
    ServiceGestionnaire,
    Gestionnaire,
    PerimetreGestionnaire,
    Agent,
    Vehicule,
]
IBAN_VALIDE = "FR7630006000011234567890189"


def nom_url(modele, vue: str) -> str:
    return f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(admin=True, email="admin@ac-test.fr"))
    return client


@pytest.fixture
def donnees():
    agent = AgentFactory(
        user=UserFactory(valideur=True, last_name="Martin", first_name="Lou"),
        iban=IBAN_VALIDE,
        valideurs=[UserFactory(valideur=True)],
    )
    VehiculeFactory(agent=agent)
    LimitropheFactory()
    PerimetreGestionnaireFactory(gestionnaire=GestionnaireFactory())
    CommuneFactory(arrondissement_de=CommuneFactory())
    return agent


def test_chaque_modele_des_agents_est_administre():
    modeles_de_l_app = {m for m in admin.site._registry if m._meta.app_label == "agents"}
    assert modeles_de_l_app == set(MODELES)


@pytest.mark.parametrize("modele", MODELES, ids=lambda m: m._meta.model_name)
def test_liste_et_ajout_s_affichent(admin_client, donnees, modele):
    assert admin_client.get(reverse(nom_url(modele, "changelist"))).status_code == 200
    recherche = admin_client.get(reverse(nom_url(modele, "changelist")), {"q": "Martin"})
    assert recherche.status_code == 200
    assert admin_client.get(reverse(nom_url(modele, "add"))).status_code == 200


@pytest.mark.parametrize("modele", MODELES, ids=lambda m: m._meta.model_name)
def test_la_fiche_de_modification_s_affiche(admin_client, donnees, modele):
    objet = modele.objects.order_by("pk").first()
    assert admin_client.get(reverse(nom_url(modele, "change"), args=[objet.pk])).status_code == 200


def test_la_liste_des_agents_masque_l_iban(admin_client, donnees):
    contenu = admin_client.get(reverse(nom_url(Agent, "changelist"))).content.decode()
    assert "FR76 •••• •••• •••• •••• ••90 189" in contenu
    assert IBAN_VALIDE not in contenu


def test_la_recherche_d_agent_par_nom_filtre(admin_client, donnees):
    AgentFactory(user=UserFactory(last_name="Bernard"))
    response = admin_client.get(reverse(nom_url(Agent, "changelist")), {"q": "martin"})
    assert list(response.context["cl"].result_list) == [donnees]


def test_la_liste_des_utilisateurs_montre_les_roles(admin_client, donnees):
    contenu = admin_client.get(reverse(nom_url(User, "changelist")), {"q": "Martin"}).content.decode()
    assert "Agent, Valideur hiérarchique (VH1)" in contenu


@pytest.mark.parametrize("modele", [Agent, User, Limitrophe, Vehicule, Etablissement])
def test_le_nombre_de_requetes_des_listes_ne_depend_pas_du_nombre_de_lignes(
    admin_client, donnees, django_assert_max_num_queries, modele
):
    url = reverse(nom_url(modele, "changelist"))
    admin_client.get(url)
    with CaptureQueriesContext(connection) as avant:
        admin_client.get(url)
    for _ in range(5):
        VehiculeFactory(agent=AgentFactory(user=UserFactory(valideur=True)), actif=True)
        LimitropheFactory()
    with django_assert_max_num_queries(len(avant)):
        admin_client.get(url)


def test_l_administrateur_cree_un_utilisateur_avec_mot_de_passe(admin_client):
    response = admin_client.post(
        reverse(nom_url(User, "add")),
        {
            "email": "Nouvelle.Personne@AC-test.fr",
            "first_name": "Nina",
            "last_name": "Petit",
            "usable_password": "true",
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="nouvelle.personne@ac-test.fr")
    assert user.check_password("un-mot-de-passe-solide-42")
    assert not user.is_staff


def test_la_page_de_changement_de_mot_de_passe_s_affiche(admin_client, donnees):
    url = reverse("admin:auth_user_password_change", args=[donnees.user.pk])
    assert admin_client.get(url).status_code == 200


def test_le_drapeau_de_desserte_se_modifie_depuis_la_liste(admin_client):
    paire = LimitropheFactory(desservie_transports_publics=True)
    response = admin_client.post(
        reverse(nom_url(Limitrophe, "changelist")),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(paire.pk),
            "form-0-desservie_transports_publics": "",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302
    paire.refresh_from_db()
    assert not paire.desservie_transports_publics


def test_le_formulaire_de_limitrophes_range_la_paire():
    a, b = CommuneFactory(insee="06004"), CommuneFactory(insee="06088")
    form = LimitropheAdminForm(
        {"commune_a": b.pk, "commune_b": a.pk, "contact": Contact.LIGNE, "desservie_transports_publics": "on"}
    )
    assert form.is_valid(), form.errors
    paire = form.save()
    assert (paire.commune_a_id, paire.commune_b_id) == ("06004", "06088")


def test_le_formulaire_de_limitrophes_refuse_une_commune_avec_elle_meme():
    a = CommuneFactory(insee="06004")
    form = LimitropheAdminForm({"commune_a": a.pk, "commune_b": a.pk, "contact": Contact.LIGNE})
    assert not form.is_valid()
    assert form.errors["commune_b"] == ["Une commune ne peut pas être limitrophe d'elle-même."]


def test_les_referentiels_budgetaires_s_activent_depuis_la_liste(admin_client):
    enveloppe = EnveloppeBudgetaireFactory(actif=True)
    response = admin_client.post(
        reverse(nom_url(EnveloppeBudgetaire, "changelist")),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(enveloppe.pk),
            "form-0-actif": "",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302
    enveloppe.refresh_from_db()
    assert not enveloppe.actif


def test_l_agent_est_suivi_par_le_journal_d_audit_avec_l_iban_masque():
    assert auditlog.contains(Agent)
    agent = AgentFactory(iban=IBAN_VALIDE)
    agent.iban = "FR1420041010050500013M02606"
    agent.save()
    entree = LogEntry.objects.get_for_object(agent).filter(changes__has_key="iban").latest("timestamp")
    ancien, nouveau = entree.changes_dict["iban"]
    assert ancien == "FR76 •••• •••• •••• •••• ••90 189"
    assert nouveau == "FR14 •••• •••• •••• •••• ••02 606"
