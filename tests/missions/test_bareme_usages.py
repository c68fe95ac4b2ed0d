"""Les versions de barème connaissent les ordres qui les ont utilisées, et ceux qu'une version rétroactive touche."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bareme import services as bareme_services
from bareme.models import Bareme
from missions.enums import Etat
from missions.models import JourTrajet, OrdreMission
from tests.agents.factories import AgentFactory, PerimetreGestionnaireFactory, UserFactory, VehiculeFactory
from tests.missions.factories import LigneTrajetFactory, OmiFactory
from validation import services

pytestmark = pytest.mark.usefixtures("baremes_officiels")


@pytest.fixture
def omi_de_mars(db):
    vh1 = UserFactory(valideur=True)
    agent = AgentFactory(categorie="aesh", valideurs=[vh1])
    VehiculeFactory(agent=agent, puissance_fiscale=5)
    omi = OmiFactory(
        agent=agent, mois=datetime.date(2026, 3, 1), date_debut=datetime.date(2026, 3, 1),
        date_fin=datetime.date(2026, 3, 31), omp__date_debut=datetime.date(2025, 9, 1),
        omp__date_fin=datetime.date(2026, 8, 31),
    )  # fmt: skip
    ligne = LigneTrajetFactory(ordre=omi, km_aller=Decimal("30"))
    JourTrajet.objects.create(ligne=ligne, date=datetime.date(2026, 3, 2))
    return omi


def ik_voiture_2022():
    return Bareme.objects.get(type="ik_voiture", date_debut=datetime.date(2022, 1, 1))


def test_un_brouillon_n_engage_pas_la_version(omi_de_mars):
    assert not bareme_services.version_est_utilisee(ik_voiture_2022())


def test_une_version_utilisee_par_un_ordre_soumis_ne_se_modifie_plus(omi_de_mars):
    services.soumettre(ordre=omi_de_mars, par=omi_de_mars.agent.user)
    version = ik_voiture_2022()
    assert list(omi_de_mars.baremes.all()) == [version]
    assert bareme_services.version_est_utilisee(version)
    with pytest.raises(ValidationError, match="a déjà servi"):
        bareme_services.supprimer_version(version=version)
    with pytest.raises(ValidationError, match="a déjà servi"):
        bareme_services.cloturer_version(version=version, date_fin=datetime.date(2026, 12, 31))


def test_une_version_retroactive_liste_les_ordres_a_regulariser(omi_de_mars):
    ordre = OrdreMission.objects.get(pk=omi_de_mars.pk)
    OrdreMission.objects.filter(pk=ordre.pk).update(etat=Etat.ATTENTE_GESTIONNAIRE)
    gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
    services.valider(ordre=OrdreMission.objects.get(pk=ordre.pk), par=gestionnaire)
    precedente = ik_voiture_2022()
    taux = bareme_services.lignes_taux(precedente)[0]
    nouvelle = bareme_services.creer_version_suivante(
        precedente=precedente,
        date_debut=datetime.date(2026, 1, 1),
        texte_reference="arrêté fictif du 1er juin 2026",
        texte_date=datetime.date(2026, 6, 1),
        texte_publication=datetime.date(2026, 6, 2),
        taux_ik=taux,
    )
    (concerne,) = bareme_services.ordres_a_regulariser(nouvelle)
    assert concerne.libelle.startswith(ordre.numero)
    assert concerne.url == f"/deplacements/ordres/{ordre.pk}/"
