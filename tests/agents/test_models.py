import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agents import services
from agents.enums import Role, TypeVehicule
from agents.forms import CoordonneesForm
from agents.models import Etablissement, Vehicule
from agents.validators import mask_iban, uai_check_letter
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    GestionnaireFactory,
    UserFactory,
    VehiculeFactory,
)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date.today()
IBAN_VALIDE = "FR7630006000011234567890189"


def messages_de(exc: pytest.ExceptionInfo, champ: str) -> str:
    return " ".join(exc.value.message_dict[champ])


# --- Établissement : code UAI ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("006001U", "7 chiffres suivis d'une lettre"),  # un chiffre de moins
        ("0060001u", "7 chiffres suivis d'une lettre"),  # minuscule
        ("A060001U", "7 chiffres suivis d'une lettre"),
        ("00600012", "7 chiffres suivis d'une lettre"),
        ("0060001K", "lettre clé du code UAI ne correspond pas"),  # 60001 mod 23 = 17, soit U
        ("0750655F", "lettre clé du code UAI ne correspond pas"),  # 750655 mod 23 = 4, soit E
    ],
)
def test_un_uai_invalide_est_refuse_et_rien_n_est_enregistre(uai, message):
    etablissement = Etablissement(uai=uai, nom="École des Tilleuls", type="ecole", commune=CommuneFactory())
    with pytest.raises(ValidationError) as exc:
        etablissement.full_clean()
    assert message in messages_de(exc, "uai")
    assert not Etablissement.objects.filter(uai=uai).exists()


@pytest.mark.parametrize("uai", ["0060001U", "0750655E", "9710001" + uai_check_letter("9710001")])
def test_un_uai_valide_est_accepte(uai):
    etablissement = Etablissement(uai=uai, nom="Collège des Pins", type="college", commune=CommuneFactory())
    etablissement.full_clean()
    etablissement.save()
    assert Etablissement.objects.get(uai=uai).nom == "Collège des Pins"


def test_la_lettre_cle_saute_i_o_et_q():
    # 8 → J (I sauté), 13 → P (O sauté), 14 → R (Q sauté), 22 → Z
    assert [uai_check_letter(f"{n:07d}") for n in (8, 13, 14, 22, 23)] == ["J", "P", "R", "Z", "A"]


# --- Agent : coordonnées bancaires ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        ({"iban": "FR7630006000011234567890188", "bic": "AGRIFRPP"}, "iban", "IBAN n'est pas valide"),
        ({"iban": "FR76300060000112345", "bic": "AGRIFRPP"}, "iban", "IBAN n'est pas valide"),
        ({"iban": IBAN_VALIDE, "bic": "AGRIF"}, "bic", "BIC n'est pas valide"),
        ({"iban": IBAN_VALIDE, "bic": "AGRI1RPP"}, "bic", "BIC n'est pas valide"),
        ({"iban": IBAN_VALIDE, "bic": ""}, "bic", "Renseignez l'IBAN et le BIC ensemble."),
        ({"iban": "", "bic": "AGRIFRPP"}, "iban", "Renseignez l'IBAN et le BIC ensemble."),
    ],
)
def test_des_coordonnees_bancaires_invalides_sont_refusees_et_rien_n_est_enregistre(donnees, champ, message):
    agent = AgentFactory(iban="FR1420041010050500013M02606", bic="PSSTFRPPPAR", titulaire_compte="Ancien titulaire")
    with pytest.raises(ValidationError) as exc:
        services.modifier_coordonnees_bancaires(agent, {**donnees, "titulaire_compte": "Nouveau titulaire"})
    assert message in messages_de(exc, champ)
    agent.refresh_from_db()
    assert (agent.iban, agent.bic, agent.titulaire_compte) == (
        "FR1420041010050500013M02606",
        "PSSTFRPPPAR",
        "Ancien titulaire",
    )


def test_des_coordonnees_bancaires_valides_sont_normalisees_et_enregistrees():
    agent = AgentFactory(iban="", bic="")
    services.modifier_coordonnees_bancaires(
        agent, {"iban": "fr76 3000 6000 0112 3456 7890 189", "bic": "agrifrpp", "titulaire_compte": "Lou MARTIN"}
    )
    agent.refresh_from_db()
    assert (agent.iban, agent.bic, agent.titulaire_compte) == (IBAN_VALIDE, "AGRIFRPP", "Lou MARTIN")


# --- Agent : commune de la résidence familiale ----------------------------------------------------------------------


def donnees_coordonnees(**valeurs):
    return {
        "email_secondaire": "lou.perso@exemple.fr",
        "telephone": "04 93 00 00 00",
        "adresse_familiale": "12 rue des Mimosas",
        "commune_familiale": "06088",
        **valeurs,
    }


def test_un_code_insee_inconnu_est_refuse_par_le_formulaire_du_profil():
    CommuneFactory(insee="06088", nom="Nice")
    agent = AgentFactory(telephone="", adresse_familiale="3 chemin des Oliviers")
    commune_avant = agent.commune_familiale_id
    form = CoordonneesForm(donnees_coordonnees(commune_familiale="99999"), instance=agent)
    assert not form.is_valid()
    assert form.errors["commune_familiale"] == [
        "Aucune commune ne porte le code INSEE « 99999 » : vérifiez le code, ou saisissez le nom de la commune."
    ]
    agent.refresh_from_db()
    assert (agent.commune_familiale_id, agent.telephone, agent.adresse_familiale) == (
        commune_avant,
        "",
        "3 chemin des Oliviers",
    )


@pytest.mark.parametrize(
    ("saisie", "insee"), [("06088", "06088"), ("Nice (06088)", "06088"), ("nice", "06088"), ("2A004", "2A004")]
)
def test_la_commune_se_designe_par_son_code_insee_ou_son_nom(saisie, insee):
    CommuneFactory(insee="06088", nom="Nice")
    CommuneFactory(insee="2A004", nom="Ajaccio", departement="2A")
    agent = AgentFactory()
    form = CoordonneesForm(donnees_coordonnees(commune_familiale=saisie), instance=agent)
    assert form.is_valid(), form.errors
    services.modifier_coordonnees(agent, form.cleaned_data)
    agent.refresh_from_db()
    assert agent.commune_familiale_id == insee


def test_un_nom_porte_par_plusieurs_communes_demande_le_code_insee():
    CommuneFactory(insee="14001", nom="Saint-Martin")
    CommuneFactory(insee="38002", nom="Saint-Martin")
    form = CoordonneesForm(donnees_coordonnees(commune_familiale="Saint-Martin"), instance=AgentFactory())
    assert not form.is_valid()
    assert "Plusieurs communes s'appellent « Saint-Martin »" in form.errors["commune_familiale"][0]


def test_le_service_refuse_une_commune_qui_n_existe_pas():
    agent = AgentFactory()
    commune_avant = agent.commune_familiale_id
    agent.commune_familiale_id = "99999"
    with pytest.raises(ValidationError) as exc:
        services.modifier_coordonnees(agent, {"telephone": "04 93 00 00 00"})
    assert "99999" in messages_de(exc, "commune_familiale")
    agent.refresh_from_db()
    assert agent.commune_familiale_id == commune_avant
    assert agent.telephone == ""


# --- Véhicules -------------------------------------------------------------------------------------------------------


def donnees_vehicule(**valeurs):
    return {
        "immatriculation": "ab-123-cd",
        "type": TypeVehicule.VOITURE,
        "puissance_fiscale": 5,
        "assurance_valide_jusqu_au": AUJOURD_HUI + datetime.timedelta(days=30),
        "auvp_debut": None,
        "auvp_fin": None,
        "actif": True,
        **valeurs,
    }


def test_une_assurance_expiree_est_refusee_pour_le_vehicule_actif():
    agent = AgentFactory()
    hier = AUJOURD_HUI - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_vehicule(agent=agent, data=donnees_vehicule(assurance_valide_jusqu_au=hier))
    assert "L'assurance de ce véhicule est expirée" in messages_de(exc, "assurance_valide_jusqu_au")
    assert not Vehicule.objects.filter(agent=agent).exists()


def test_une_assurance_expiree_est_admise_sur_un_vehicule_qui_n_est_plus_utilise():
    agent = AgentFactory()
    hier = AUJOURD_HUI - datetime.timedelta(days=1)
    vehicule = services.enregistrer_vehicule(
        agent=agent, data=donnees_vehicule(assurance_valide_jusqu_au=hier, actif=False)
    )
    assert Vehicule.objects.get(pk=vehicule.pk).immatriculation == "AB-123-CD"


def test_une_assurance_valide_jusqu_a_aujourd_hui_est_acceptee():
    agent = AgentFactory()
    vehicule = services.enregistrer_vehicule(agent=agent, data=donnees_vehicule(assurance_valide_jusqu_au=AUJOURD_HUI))
    assert Vehicule.objects.get(pk=vehicule.pk).actif


def test_un_second_vehicule_actif_est_refuse_par_le_modele():
    premier = VehiculeFactory(actif=True)
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_vehicule(agent=premier.agent, data=donnees_vehicule(immatriculation="EF-456-GH"))
    assert "Un autre véhicule est déjà utilisé pour les indemnités kilométriques" in messages_de(exc, "actif")
    assert list(Vehicule.objects.filter(agent=premier.agent)) == [premier]


def test_un_second_vehicule_actif_est_refuse_par_la_base():
    premier = VehiculeFactory(actif=True)
    with pytest.raises(IntegrityError, match="vehicule_un_seul_actif"), transaction.atomic():
        Vehicule.objects.create(
            agent=premier.agent,
            immatriculation="EF-456-GH",
            puissance_fiscale=4,
            assurance_valide_jusqu_au=AUJOURD_HUI,
            actif=True,
        )
    assert Vehicule.objects.filter(agent=premier.agent).count() == 1


def test_deux_agents_ont_chacun_leur_vehicule_actif():
    VehiculeFactory(actif=True)
    VehiculeFactory(actif=True)
    assert Vehicule.objects.filter(actif=True).count() == 2


def test_activer_un_vehicule_desactive_l_autre_dans_la_meme_transaction():
    ancien = VehiculeFactory(actif=True)
    nouveau = VehiculeFactory(agent=ancien.agent, actif=False)
    services.activer_vehicule(nouveau)
    ancien.refresh_from_db()
    nouveau.refresh_from_db()
    assert (ancien.actif, nouveau.actif) == (False, True)


def test_activer_un_vehicule_mal_assure_ne_change_rien():
    ancien = VehiculeFactory(actif=True)
    expire = VehiculeFactory(
        agent=ancien.agent, actif=False, assurance_valide_jusqu_au=AUJOURD_HUI - datetime.timedelta(days=3)
    )
    with pytest.raises(ValidationError) as exc:
        services.activer_vehicule(expire)
    assert "L'assurance de ce véhicule est expirée" in messages_de(exc, "assurance_valide_jusqu_au")
    ancien.refresh_from_db()
    expire.refresh_from_db()
    assert (ancien.actif, expire.actif) == (True, False)


@pytest.mark.parametrize("puissance", [None, 0])
def test_une_voiture_sans_puissance_fiscale_est_refusee(puissance):
    agent = AgentFactory()
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_vehicule(agent=agent, data=donnees_vehicule(puissance_fiscale=puissance))
    assert "Indiquez la puissance fiscale d'une voiture" in messages_de(exc, "puissance_fiscale")
    assert not Vehicule.objects.filter(agent=agent).exists()


def test_une_voiture_de_puissance_nulle_est_refusee_par_la_base():
    agent = AgentFactory()
    with pytest.raises(IntegrityError, match="vehicule_voiture_puissance_fiscale"), transaction.atomic():
        Vehicule.objects.create(
            agent=agent,
            immatriculation="AB-123-CD",
            type=TypeVehicule.VOITURE,
            puissance_fiscale=0,
            assurance_valide_jusqu_au=AUJOURD_HUI,
        )
    assert not Vehicule.objects.filter(agent=agent).exists()


def test_une_voiture_sans_puissance_fiscale_est_refusee_par_la_base():
    agent = AgentFactory()
    try:
        with transaction.atomic():
            Vehicule.objects.create(
                agent=agent,
                immatriculation="AB-123-CD",
                type=TypeVehicule.VOITURE,
                puissance_fiscale=None,
                assurance_valide_jusqu_au=AUJOURD_HUI,
            )
    except IntegrityError as exc:
        assert "vehicule_voiture_puissance_fiscale" in str(exc)
    assert not Vehicule.objects.filter(agent=agent).exists()


@pytest.mark.parametrize("type_vehicule", [TypeVehicule.MOTOCYCLETTE, TypeVehicule.VELOMOTEUR])
def test_un_deux_roues_n_a_pas_besoin_de_puissance_fiscale(type_vehicule):
    agent = AgentFactory()
    vehicule = services.enregistrer_vehicule(
        agent=agent, data=donnees_vehicule(type=type_vehicule, puissance_fiscale=None)
    )
    assert Vehicule.objects.get(pk=vehicule.pk).type == type_vehicule


def test_une_fin_d_auvp_avant_son_debut_est_refusee():
    agent = AgentFactory()
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_vehicule(
            agent=agent,
            data=donnees_vehicule(auvp_debut=datetime.date(2026, 9, 1), auvp_fin=datetime.date(2026, 8, 31)),
        )
    assert "La fin de l'autorisation doit suivre son début." in messages_de(exc, "auvp_fin")
    assert not Vehicule.objects.filter(agent=agent).exists()


def test_le_service_refuse_le_vehicule_d_un_autre_agent():
    vehicule = VehiculeFactory(immatriculation="AB-123-CD")
    with pytest.raises(ValueError, match="n'appartient pas"):
        services.enregistrer_vehicule(
            agent=AgentFactory(), vehicule=vehicule, data=donnees_vehicule(immatriculation="ZZ-999-ZZ")
        )
    vehicule.refresh_from_db()
    assert vehicule.immatriculation == "AB-123-CD"


@pytest.mark.parametrize(
    ("type_vehicule", "puissance", "classe"),
    [
        (TypeVehicule.VOITURE, 3, "5cv_et_moins"),
        (TypeVehicule.VOITURE, 4, "5cv_et_moins"),
        (TypeVehicule.VOITURE, 5, "5cv_et_moins"),
        (TypeVehicule.VOITURE, 6, "6_7cv"),
        (TypeVehicule.VOITURE, 7, "6_7cv"),
        (TypeVehicule.VOITURE, 8, "8cv_et_plus"),
        (TypeVehicule.VOITURE, 11, "8cv_et_plus"),
        (TypeVehicule.MOTOCYCLETTE, None, "plus_de_125cm3"),
        (TypeVehicule.MOTOCYCLETTE, 9, "plus_de_125cm3"),
        (TypeVehicule.VELOMOTEUR, None, "autres_vehicules_a_moteur"),
    ],
)
def test_classe_du_bareme(type_vehicule, puissance, classe):
    assert Vehicule(type=type_vehicule, puissance_fiscale=puissance).classe_bareme == classe


# --- IBAN masqué -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iban", "masque"),
    [
        (IBAN_VALIDE, "FR76 •••• •••• •••• •••• ••90 189"),
        ("fr76 3000 6000 0112 3456 7890 189", "FR76 •••• •••• •••• •••• ••90 189"),
        ("DE89370400440532013000", "DE89 •••• •••• •••• •130 00"),
        ("", ""),
        ("FR76", "••••"),
    ],
)
def test_mask_iban(iban, masque):
    assert mask_iban(iban) == masque


def test_l_agent_expose_son_iban_masque():
    agent = AgentFactory(iban=IBAN_VALIDE)
    assert agent.iban_masque == "FR76 •••• •••• •••• •••• ••90 189"
    assert "30006" not in agent.iban_masque


# --- Rôles -----------------------------------------------------------------------------------------------------------


def test_roles_d_un_compte_sans_fiche():
    assert UserFactory().roles == []


def test_roles_d_un_agent():
    assert AgentFactory().user.roles == [Role.AGENT]


def test_roles_d_un_chef_d_etablissement_agent_et_vh1():
    chef = AgentFactory(user=UserFactory(valideur=True)).user
    assert chef.roles == [Role.AGENT, Role.VH1]


def test_roles_d_un_valideur_sans_fiche_agent():
    assert UserFactory(valideur=True).roles == [Role.VH1]


def test_roles_d_un_gestionnaire_administrateur():
    user = GestionnaireFactory(user=UserFactory(admin=True)).user
    assert user.roles == [Role.GESTIONNAIRE, Role.ADMIN]


def test_roles_cumules():
    user = UserFactory(valideur=True, admin=True)
    AgentFactory(user=user)
    GestionnaireFactory(user=user)
    user.refresh_from_db()
    assert user.roles == [Role.AGENT, Role.VH1, Role.GESTIONNAIRE, Role.ADMIN]
