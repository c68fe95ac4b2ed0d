"""Le cache des versions de barème (`selectors.versions_ik`, `versions_forfaits`) : une requête quand rien n'a changé,
et toute écriture prise en compte à la lecture suivante, qu'elle passe par les services, par `QuerySet.update`
(sans signal), par une transaction annulée ou par un autre processus."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from bareme import selectors, services
from bareme.enums import TypeBareme
from bareme.models import Bareme, TauxIK, TauxMission
from bareme.services import LigneTauxMission

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cache_vide(monkeypatch):
    """Le cache tel qu'au démarrage d'un processus."""
    monkeypatch.setattr(selectors, "_versions_en_cache", (None, {}))


def _libelles(versions):
    return [version.libelle for version in versions]


def _version_ik_ouverte():
    return Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_fin__isnull=True)


def test_les_versions_se_lisent_une_fois_puis_en_une_requete(baremes, cache_vide, django_assert_num_queries):
    with django_assert_num_queries(3):  # l'empreinte, les versions, leurs taux
        premieres = selectors.versions_ik()
    with django_assert_num_queries(1):  # l'empreinte seule
        suivantes = selectors.versions_ik()
    assert suivantes == premieres and len(suivantes) == 6
    with django_assert_num_queries(3):  # une autre clé : lue une fois elle aussi
        repas = selectors.versions_forfaits(TypeBareme.REPAS)
    with django_assert_num_queries(1):
        assert selectors.versions_forfaits(TypeBareme.REPAS) == repas


def test_les_versions_en_cache_sont_celles_de_la_base(baremes, cache_vide):
    selectors.versions_ik()
    assert selectors.versions_ik() == selectors._lire_versions_ik(list(selectors.TYPES_IK))
    assert selectors.versions_ik([TypeBareme.IK_VOITURE]) == selectors._lire_versions_ik([TypeBareme.IK_VOITURE])


def test_une_liste_rendue_modifiee_ne_change_pas_le_cache(baremes):
    versions = selectors.versions_ik()
    versions.clear()
    assert len(selectors.versions_ik()) == 6


def test_une_nouvelle_version_est_prise_en_compte_tout_de_suite(baremes):
    actuelle = Bareme.objects.get(type=TypeBareme.REPAS, date_fin__isnull=True)
    avant = selectors.versions_forfaits(TypeBareme.REPAS)
    nouvelle = services.creer_version_suivante(
        precedente=actuelle,
        date_debut=datetime.date(2027, 1, 1),
        texte_reference="arrêté fictif",
        texte_date=datetime.date(2026, 12, 1),
        taux_mission=[LigneTauxMission("metropole", D("22.00")), LigneTauxMission("outre_mer_dom", D("22.00"))],
    )
    apres = selectors.versions_forfaits(TypeBareme.REPAS)
    assert len(apres) == len(avant) + 1
    assert apres[-1].libelle == nouvelle.libelle and apres[-1].montants["metropole"] == D("22.00")
    # La précédente est close la veille (modifiée, pas seulement suivie d'une nouvelle ligne).
    assert apres[-2].date_fin == datetime.date(2026, 12, 31) and avant[-1].date_fin is None


def test_une_version_supprimee_disparait_tout_de_suite(baremes):
    version = services.creer_version_suivante(
        precedente=_version_ik_ouverte(),
        date_debut=datetime.date(2027, 1, 1),
        texte_reference="arrêté fictif de 2027",
        texte_date=datetime.date(2026, 12, 1),
        taux_ik=services.lignes_taux(_version_ik_ouverte())[0],
    )
    assert version.libelle in _libelles(selectors.versions_ik())
    services.supprimer_version(version=version)
    assert version.libelle not in _libelles(selectors.versions_ik())


def test_un_taux_corrige_sans_signal_est_pris_en_compte(baremes):
    """`QuerySet.update` n'émet aucun signal : seule l'empreinte du contenu le voit (comme l'écriture d'un autre
    processus, que les signaux de ce processus n'auraient pas vue)."""
    selectors.versions_ik()
    selectors.versions_forfaits(TypeBareme.NUITEE)
    version = _version_ik_ouverte()
    TauxIK.objects.filter(bareme=version, classe="5cv_et_moins", km_min__lte=1).update(taux=D("9.99"))
    TauxMission.objects.filter(bareme__type=TypeBareme.NUITEE).update(montant=D("123.45"))
    ouverte = next(v for v in selectors.versions_ik() if v.libelle == version.libelle)
    assert ouverte.tranches["5cv_et_moins"][0].taux == D("9.99")
    assert {montant for v in selectors.versions_forfaits(TypeBareme.NUITEE) for montant in v.montants.values()} == {
        D("123.45")
    }


def test_une_version_d_une_transaction_annulee_ne_reste_pas_en_cache(baremes):
    avant = _libelles(selectors.versions_ik())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.creer_version_suivante(
            precedente=_version_ik_ouverte(),
            date_debut=datetime.date(2027, 1, 1),
            texte_reference="arrêté annulé",
            texte_date=datetime.date(2026, 12, 1),
            taux_ik=services.lignes_taux(_version_ik_ouverte())[0],
        )
        assert len(selectors.versions_ik()) == len(avant) + 1  # vue dans la transaction…
        raise RuntimeError("annulation")
    assert _libelles(selectors.versions_ik()) == avant  # … et plus après son annulation


def test_sans_bareme_aucune_version(db, cache_vide):
    assert selectors.versions_ik() == [] and selectors.versions_forfaits(TypeBareme.REPAS) == []
