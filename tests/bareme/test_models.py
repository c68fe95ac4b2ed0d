"""Les invariants tenus par la base : on essaie de casser chacun."""

import datetime
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from bareme.enums import TypeBareme
from bareme.models import CONTRAINTE_SANS_CHEVAUCHEMENT, Bareme
from tests.bareme.factories import BaremeFactory, TauxIKFactory, TauxMissionFactory

pytestmark = pytest.mark.django_db
JANVIER_2030 = datetime.date(2030, 1, 1)


def _casse(**kwargs):
    with pytest.raises(IntegrityError) as erreur, transaction.atomic():
        kwargs.pop("factory")(**kwargs)
    return str(erreur.value)


def test_la_contrainte_d_exclusion_existe_sous_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        contraintes = connection.introspection.get_constraints(cursor, Bareme._meta.db_table)
    assert CONTRAINTE_SANS_CHEVAUCHEMENT in contraintes


@pytest.mark.parametrize(
    ("existante", "nouvelle"),
    [
        ((JANVIER_2030, None), (datetime.date(2031, 6, 1), None)),  # une version ouverte couvre l'avenir
        ((JANVIER_2030, datetime.date(2030, 12, 31)), (datetime.date(2030, 12, 31), None)),  # un jour commun
        ((datetime.date(2030, 6, 1), None), (JANVIER_2030, datetime.date(2030, 6, 1))),  # finit le jour du début
        ((JANVIER_2030, datetime.date(2030, 12, 31)), (datetime.date(2030, 3, 1), datetime.date(2030, 4, 1))),
    ],
)
def test_deux_versions_du_meme_type_ne_se_chevauchent_pas(existante, nouvelle):
    BaremeFactory(date_debut=existante[0], date_fin=existante[1])
    message = _casse(factory=BaremeFactory, date_debut=nouvelle[0], date_fin=nouvelle[1])
    assert CONTRAINTE_SANS_CHEVAUCHEMENT in message


def test_versions_qui_se_suivent_sans_chevauchement_acceptees():
    BaremeFactory(date_debut=JANVIER_2030, date_fin=datetime.date(2030, 12, 31))
    BaremeFactory(date_debut=datetime.date(2031, 1, 1))
    assert Bareme.objects.count() == 2


def test_deux_types_differents_peuvent_couvrir_la_meme_periode():
    BaremeFactory(type=TypeBareme.IK_VOITURE, date_debut=JANVIER_2030)
    BaremeFactory(type=TypeBareme.IK_MOTOCYCLETTE, date_debut=JANVIER_2030)
    assert Bareme.objects.count() == 2


def test_la_fin_suit_le_debut():
    message = _casse(factory=BaremeFactory, date_debut=JANVIER_2030, date_fin=datetime.date(2029, 12, 31))
    assert "bareme_fin_apres_debut" in message


def test_minimum_forfaitaire_reserve_aux_velomoteurs_et_positif():
    assert "bareme_minimum_velomoteur_seulement" in _casse(
        factory=BaremeFactory, type=TypeBareme.IK_VOITURE, montant_minimum=Decimal("10")
    )
    assert "bareme_minimum_positif" in _casse(
        factory=BaremeFactory, type=TypeBareme.IK_VELOMOTEUR, montant_minimum=Decimal("0")
    )


@pytest.mark.parametrize("taux", [Decimal("0"), Decimal("-0.32")])
def test_un_taux_kilometrique_est_positif(taux):
    assert "tauxik_taux_positif" in _casse(factory=TauxIKFactory, taux=taux)


@pytest.mark.parametrize("montant", [Decimal("0"), Decimal("-20")])
def test_un_forfait_de_mission_est_positif(montant):
    assert "tauxmission_montant_positif" in _casse(factory=TauxMissionFactory, montant=montant)


def test_une_tranche_finit_apres_son_debut():
    assert "tauxik_tranche_ordonnee" in _casse(factory=TauxIKFactory, km_min=2001, km_max=2000)


def test_une_seule_tranche_par_debut_et_une_seule_ouverte_par_classe():
    tranche = TauxIKFactory(km_min=0, km_max=2000)
    assert "tauxik_tranche_unique" in _casse(factory=TauxIKFactory, bareme=tranche.bareme, km_min=0, km_max=1000)
    TauxIKFactory(bareme=tranche.bareme, km_min=2001, km_max=None)
    assert "tauxik_une_tranche_ouverte" in _casse(factory=TauxIKFactory, bareme=tranche.bareme, km_min=10001)


def test_une_zone_par_version():
    taux = TauxMissionFactory()
    assert "tauxmission_zone_unique" in _casse(factory=TauxMissionFactory, bareme=taux.bareme, zone=taux.zone)


def test_clean_refuse_le_chevauchement_sur_toute_base():
    existante = BaremeFactory(date_debut=JANVIER_2030)
    nouvelle = Bareme(
        type=existante.type,
        date_debut=datetime.date(2030, 5, 1),
        texte_reference="arrêté fictif",
        texte_date=JANVIER_2030,
    )
    with pytest.raises(ValidationError) as erreur:
        nouvelle.full_clean()
    assert "chevauche" in erreur.value.message_dict["date_debut"][0]
    existante.date_fin = datetime.date(2030, 4, 30)
    existante.save()
    nouvelle.full_clean()


def test_version_retroactive_quand_le_texte_est_publie_apres_son_debut():
    assert BaremeFactory(date_debut=JANVIER_2030, texte_publication=datetime.date(2030, 3, 15)).est_retroactive
    assert not BaremeFactory(
        type=TypeBareme.REPAS, date_debut=JANVIER_2030, texte_publication=datetime.date(2029, 12, 20)
    ).est_retroactive


def test_libelle_et_periode():
    version = BaremeFactory(
        texte_reference="arrêté du 14 mars 2022", date_debut=JANVIER_2030, date_fin=datetime.date(2030, 12, 31)
    )
    assert str(version) == "IK voiture — arrêté du 14 mars 2022"
    assert version.periode == "du 1er janvier 2030 au 31 décembre 2030"


def test_la_migration_de_la_contrainte_ne_fait_rien_hors_postgresql():
    """La démo tourne sous SQLite : l'opération saute la contrainte d'exclusion (Bareme.clean() la remplace)."""
    migration = import_module("bareme.migrations.0002_contrainte_exclusion")
    executees = []
    editeur = SimpleNamespace(
        connection=SimpleNamespace(vendor="sqlite"),
        execute=executees.append,
        add_constraint=lambda *args: executees.append(args),
        remove_constraint=lambda *args: executees.append(args),
    )
    migration.creer(None, editeur)
    migration.supprimer(None, editeur)
    assert executees == []
