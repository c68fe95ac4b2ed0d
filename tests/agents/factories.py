import datetime

import factory
from factory.django import DjangoModelFactory

from agents import models
from agents.enums import Categorie, Civilite, TypeEtablissement, TypeVehicule
from agents.validators import uai_check_letter

MOT_DE_PASSE = "mot-de-passe-de-test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("email",)

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"personne{n}@ac-test.fr")
    password = factory.django.Password(MOT_DE_PASSE)

    class Params:
        valideur = factory.Trait(is_valideur=True)
        admin = factory.Trait(is_staff=True, is_superuser=True)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = models.Commune
        django_get_or_create = ("insee",)

    insee = factory.Sequence(lambda n: f"{90000 + n:05d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.LazyAttribute(lambda o: o.insee[:2])
    codes_postaux = factory.LazyAttribute(lambda o: o.insee)
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=5, min_value=42, max_value=50)
    longitude = factory.Faker("pydecimal", left_digits=1, right_digits=5, min_value=0, max_value=7)
    population = 5000


class LimitropheFactory(DjangoModelFactory):
    class Meta:
        model = models.Limitrophe

    commune_a = factory.SubFactory(CommuneFactory)
    commune_b = factory.SubFactory(CommuneFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        a, b = kwargs["commune_a"], kwargs["commune_b"]
        if a.pk > b.pk:
            kwargs["commune_a"], kwargs["commune_b"] = b, a
        return super()._create(model_class, *args, **kwargs)


def uai_valide(n: int) -> str:
    chiffres = f"{60000 + n:07d}"
    return chiffres + uai_check_letter(chiffres)


class EtablissementFactory(DjangoModelFactory):
    class Meta:
        model = models.Etablissement
        django_get_or_create = ("uai",)

    uai = factory.Sequence(uai_valide)
    nom = factory.Sequence(lambda n: f"École {n}")
    type = TypeEtablissement.ECOLE
    commune = factory.SubFactory(CommuneFactory)
    adresse = "1 rue de l'École"


class EnveloppeBudgetaireFactory(DjangoModelFactory):
    class Meta:
        model = models.EnveloppeBudgetaire
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ENV{n:03d}")
    libelle = factory.Sequence(lambda n: f"Enveloppe {n}")


class CentreCoutsFactory(DjangoModelFactory):
    class Meta:
        model = models.CentreCouts
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CC{n:04d}")
    libelle = factory.Sequence(lambda n: f"Centre de coûts {n}")


class DomaineFonctionnelFactory(DjangoModelFactory):
    class Meta:
        model = models.DomaineFonctionnel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"0141-{n:02d}")
    libelle = factory.Sequence(lambda n: f"Domaine {n}")


class ServiceGestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceGestionnaire
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SG{n}")
    nom = factory.Sequence(lambda n: f"Service des déplacements {n}")
    email = factory.Sequence(lambda n: f"deplacements{n}@ac-test.fr")


class GestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = models.Gestionnaire

    user = factory.SubFactory(UserFactory)
    service = factory.SubFactory(ServiceGestionnaireFactory)


class PerimetreGestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = models.PerimetreGestionnaire

    gestionnaire = factory.SubFactory(GestionnaireFactory)
    categorie = Categorie.AESH
    departement = ""


class AgentFactory(DjangoModelFactory):
    class Meta:
        model = models.Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    civilite = Civilite.MADAME
    date_naissance = datetime.date(1985, 4, 12)
    categorie = Categorie.AESH
    residence_administrative = factory.SubFactory(EtablissementFactory)
    adresse_familiale = "3 chemin des Oliviers"
    commune_familiale = factory.SubFactory(CommuneFactory)
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    titulaire_compte = factory.LazyAttribute(lambda o: o.user.get_full_name())
    enveloppe_budgetaire = factory.SubFactory(EnveloppeBudgetaireFactory)
    centre_couts = factory.SubFactory(CentreCoutsFactory)
    domaine_fonctionnel = factory.SubFactory(DomaineFonctionnelFactory)
    service_gestionnaire = factory.SubFactory(ServiceGestionnaireFactory)

    @factory.post_generation
    def valideurs(self, create, extracted, **kwargs):
        if create and extracted:
            self.valideurs.set(extracted)


class VehiculeFactory(DjangoModelFactory):
    class Meta:
        model = models.Vehicule

    agent = factory.SubFactory(AgentFactory)
    immatriculation = factory.Sequence(lambda n: f"AB-{n % 1000:03d}-CD")
    type = TypeVehicule.VOITURE
    puissance_fiscale = 5
    assurance_valide_jusqu_au = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=200))
    auvp_debut = datetime.date(2026, 9, 1)
    auvp_fin = datetime.date(2027, 8, 31)
    actif = True
