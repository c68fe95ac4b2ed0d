"""Le calendrier d'un mois : fériés, vacances scolaires, dates retenues et commentaire, sur de vrais calendriers."""

import datetime
import logging
from dataclasses import dataclass

import pytest
from vacances_scolaires_france import SchoolHolidayDates

from missions import calendrier
from missions.calendrier import (
    commentaire_dates,
    dates_du_mois,
    jours_feries,
    jours_feries_entre,
    vacances_scolaires,
    zone_scolaire,
)

D = datetime.date


@dataclass(frozen=True)
class Periode:
    """La forme d'une `PeriodeVacances`, sans base de données."""

    departement: str
    libelle: str
    date_debut: datetime.date
    date_fin: datetime.date


def jours(annee, mois, *numeros):
    return [D(annee, mois, numero) for numero in numeros]


# --- Jours fériés -------------------------------------------------------------------------------------------------


def test_jours_feries_2026_en_metropole():
    assert jours_feries(2026, "25") == {
        D(2026, 1, 1): "Jour de l'an",
        D(2026, 4, 6): "Lundi de Pâques",
        D(2026, 5, 1): "Fête du Travail",
        D(2026, 5, 8): "Fête de la Victoire",
        D(2026, 5, 14): "Ascension",
        D(2026, 5, 25): "Lundi de Pentecôte",
        D(2026, 7, 14): "Fête nationale",
        D(2026, 8, 15): "Assomption",
        D(2026, 11, 1): "Toussaint",
        D(2026, 11, 11): "Armistice",
        D(2026, 12, 25): "Noël",
    }


@pytest.mark.parametrize("departement", ["57", "67", "68"])
def test_alsace_moselle_ajoute_vendredi_saint_et_26_decembre(departement):
    feries = jours_feries(2026, departement)
    assert feries[D(2026, 4, 3)] == "Vendredi saint"
    assert feries[D(2026, 12, 26)] == "Saint-Étienne"
    assert len(feries) == 13


@pytest.mark.parametrize("departement", ["25", "54", "75", "2A"])
def test_hors_alsace_moselle_ni_vendredi_saint_ni_26_decembre(departement):
    feries = jours_feries(2026, departement)
    assert D(2026, 4, 3) not in feries
    assert D(2026, 12, 26) not in feries


@pytest.mark.parametrize(
    ("departement", "abolition"),
    [
        ("971", D(2026, 5, 27)),
        ("972", D(2026, 5, 22)),
        ("973", D(2026, 6, 10)),
        ("974", D(2026, 12, 20)),
        ("976", D(2026, 4, 27)),
    ],
)
def test_outre_mer_abolition_de_l_esclavage(departement, abolition):
    feries = jours_feries(2026, departement)
    assert feries[abolition] == "Abolition de l'esclavage"


def test_martinique_fete_victor_schoelcher():
    assert jours_feries(2026, "972")[D(2026, 7, 21)] == "Fête de Victor Schoelcher"


def test_lundi_de_pentecote_reste_ferie():
    """Pâques 2026 tombe le 5 avril, la Pentecôte le 24 mai : le lundi 25 mai est férié (pas en juin)."""
    assert jours_feries(2026, "25")[D(2026, 5, 25)] == "Lundi de Pentecôte"
    assert [jour for jour in jours_feries(2026, "25") if jour.month == 6] == []


def test_jours_feries_entre_deux_annees():
    assert jours_feries_entre(D(2026, 12, 20), D(2027, 1, 10), "57") == {
        D(2026, 12, 25): "Noël",
        D(2026, 12, 26): "Saint-Étienne",
        D(2027, 1, 1): "Jour de l'an",
    }


# --- Zones et vacances scolaires ----------------------------------------------------------------------------------


def test_chaque_departement_metropolitain_a_sa_zone():
    departements = [f"{numero:02d}" for numero in range(1, 96) if numero != 20] + ["2A", "2B"]
    assert {departement: zone_scolaire(departement) is not None for departement in departements} == dict.fromkeys(
        departements, True
    )


@pytest.mark.parametrize(
    ("departement", "zone"),
    [
        ("25", "A"),
        ("90", "A"),
        ("69", "A"),
        ("06", "B"),
        ("13", "B"),
        ("57", "B"),
        ("67", "B"),
        ("14", "B"),
        ("75", "C"),
        ("93", "C"),
        ("31", "C"),
        ("2A", "Corse"),
        ("2B", "Corse"),
        ("972", None),
        ("976", None),
        ("99", None),
    ],
)
def test_zone_scolaire(departement, zone):
    assert zone_scolaire(departement) == zone


def test_vacances_d_hiver_2027_par_zone():
    """Février 2027 : zone C du 6 au 21, zone A du 13 au 28, zone B du 20 février au 7 mars."""
    fevrier = (D(2027, 2, 1), D(2027, 2, 28))
    assert list(vacances_scolaires(*fevrier, "75")) == jours(2027, 2, *range(6, 22))
    assert list(vacances_scolaires(*fevrier, "25")) == jours(2027, 2, *range(13, 29))
    assert list(vacances_scolaires(*fevrier, "06")) == jours(2027, 2, *range(20, 29))
    assert set(vacances_scolaires(*fevrier, "06").values()) == {"Vacances d'hiver"}
    assert list(vacances_scolaires(D(2027, 3, 1), D(2027, 3, 31), "06")) == jours(2027, 3, *range(1, 8))


def test_pont_de_l_ascension_2026_dans_toutes_les_zones():
    """Absent des données de la bibliothèque pour 2026, ajouté par le complément documenté : jeudi 14 au
    dimanche 17 mai. La zone C finit aussi ses vacances de printemps le 3 mai."""
    mai = (D(2026, 5, 1), D(2026, 5, 31))
    pont = dict.fromkeys(jours(2026, 5, 14, 15, 16, 17), "Pont de l'Ascension")
    assert vacances_scolaires(*mai, "25") == pont
    assert vacances_scolaires(*mai, "06") == pont
    assert vacances_scolaires(*mai, "75") == dict.fromkeys(jours(2026, 5, 1, 2, 3), "Vacances de printemps") | pont


def test_la_bibliotheque_n_a_toujours_pas_le_pont_de_l_ascension_2023_a_2026():
    """Si une nouvelle version de vacances-scolaires-france comble le manque, ce test le dit : le complément
    `PONTS_DE_L_ASCENSION_MANQUANTS` pourra être retiré (il s'efface déjà de lui-même)."""
    donnees = SchoolHolidayDates().data
    annees = {jour.year for jour, ligne in donnees.items() if ligne["nom_vacances"] == "Pont de l'Ascension"}
    assert annees & set(calendrier.PONTS_DE_L_ASCENSION_MANQUANTS) == set()
    assert {2022, 2027} <= annees


def test_pont_de_l_ascension_2027_vient_de_la_bibliotheque():
    assert vacances_scolaires(D(2027, 5, 1), D(2027, 5, 31), "25") == dict.fromkeys(
        jours(2027, 5, 6, 7, 8), "Pont de l'Ascension"
    )


def test_corse_et_outre_mer_sans_periode_saisie_n_ont_pas_de_vacances():
    assert vacances_scolaires(D(2027, 2, 1), D(2027, 2, 28), "2A") == {}
    assert vacances_scolaires(D(2027, 2, 1), D(2027, 2, 28), "972") == {}


def test_outre_mer_les_periodes_saisies_du_departement_seulement():
    periodes = [
        Periode("972", "Vacances de Carnaval", D(2027, 2, 6), D(2027, 2, 14)),
        Periode("971", "Vacances de Carnaval", D(2027, 2, 13), D(2027, 2, 21)),
        Periode("972", "Vacances de Pâques", D(2027, 3, 20), D(2027, 4, 4)),
    ]
    assert vacances_scolaires(D(2027, 2, 1), D(2027, 2, 28), "972", periodes) == dict.fromkeys(
        jours(2027, 2, *range(6, 15)), "Vacances de Carnaval"
    )


def test_en_metropole_une_periode_saisie_complete_la_bibliotheque():
    periodes = [Periode("25", "Fermeture exceptionnelle", D(2026, 6, 12), D(2026, 6, 12))]
    assert vacances_scolaires(D(2026, 6, 1), D(2026, 6, 30), "25", periodes) == {
        D(2026, 6, 12): "Fermeture exceptionnelle"
    }


def test_couverture_de_la_bibliotheque():
    premier, dernier = calendrier.couverture_vacances_zones()
    assert premier.year == 1990
    assert dernier == D(2028, 8, 31)


def test_au_dela_de_la_couverture_un_avertissement(caplog):
    with caplog.at_level(logging.WARNING, logger="missions.calendrier"):
        assert vacances_scolaires(D(2028, 10, 1), D(2028, 10, 31), "25") == {}
    assert "inconnues après le 2028-08-31" in caplog.text


# --- Dates du mois ------------------------------------------------------------------------------------------------


def test_juin_2026_lundi_et_jeudi_dans_le_doubs():
    feries = jours_feries(2026, "25")
    vacances = vacances_scolaires(D(2026, 6, 1), D(2026, 6, 30), "25")
    assert dates_du_mois(D(2026, 6, 1), [0, 3], feries, vacances) == jours(2026, 6, 1, 4, 8, 11, 15, 18, 22, 25, 29)


def test_mai_2026_feries_et_pont_de_l_ascension():
    """Lundi, jeudi, vendredi : sans les 1er et 8 mai (vendredis fériés), l'Ascension (jeudi 14), le pont
    (vendredi 15, vacances scolaires) et le lundi de Pentecôte (25)."""
    feries = jours_feries(2026, "25")
    vacances = vacances_scolaires(D(2026, 5, 1), D(2026, 5, 31), "25")
    assert dates_du_mois(D(2026, 5, 1), "0,3,4", feries, vacances) == jours(2026, 5, 4, 7, 11, 18, 21, 22, 28, 29)


def test_mai_2026_sans_vacances_le_vendredi_du_pont_est_travaille():
    """Seules les vacances scolaires écartent le vendredi 15 mai : ce n'est pas un jour férié."""
    assert D(2026, 5, 15) not in jours_feries(2026, "25")
    assert dates_du_mois(D(2026, 5, 1), [4], jours_feries(2026, "25"), {}) == jours(2026, 5, 15, 22, 29)


@pytest.mark.parametrize(
    ("departement", "attendues"),
    [
        ("25", jours(2027, 2, 1, 4, 8, 11)),  # zone A : vacances du 13 au 28 février
        ("06", jours(2027, 2, 1, 4, 8, 11, 15, 18)),  # zone B : vacances à partir du 20 février
        ("75", jours(2027, 2, 1, 4, 22, 25)),  # zone C : vacances du 6 au 21 février
    ],
)
def test_fevrier_2027_selon_la_zone(departement, attendues):
    mois = D(2027, 2, 1)
    feries = jours_feries(2027, departement)
    vacances = vacances_scolaires(D(2027, 2, 1), D(2027, 2, 28), departement)
    assert dates_du_mois(mois, [0, 3], feries, vacances) == attendues


@pytest.mark.parametrize(
    ("departement", "attendues"),
    [
        ("57", jours(2026, 4, 10)),  # Moselle : Vendredi saint le 3 avril, puis vacances de printemps (zone B)
        ("54", jours(2026, 4, 3, 10)),  # Meurthe-et-Moselle, même académie : le 3 avril est travaillé
    ],
)
def test_avril_2026_vendredi_saint_en_moselle(departement, attendues):
    vacances = vacances_scolaires(D(2026, 4, 1), D(2026, 4, 30), departement)
    assert list(vacances) == jours(2026, 4, *range(11, 27))
    assert dates_du_mois(D(2026, 4, 1), [4], jours_feries(2026, departement), vacances) == attendues


def test_26_decembre_en_moselle_hors_vacances():
    """Le vendredi 26 décembre 2025 est férié en Moselle, pas dans le Doubs (vacances scolaires non comptées)."""
    assert dates_du_mois(D(2025, 12, 1), [4], jours_feries(2025, "57"), {}) == jours(2025, 12, 5, 12, 19)
    assert dates_du_mois(D(2025, 12, 1), [4], jours_feries(2025, "25"), {}) == jours(2025, 12, 5, 12, 19, 26)


def test_martinique_22_mai_et_periodes_saisies():
    periodes = [
        Periode("972", "Pont de l'Ascension", D(2026, 5, 14), D(2026, 5, 17)),
        Periode("971", "Congé local", D(2026, 5, 4), D(2026, 5, 4)),
    ]
    vacances = vacances_scolaires(D(2026, 5, 1), D(2026, 5, 31), "972", periodes)
    assert dates_du_mois(D(2026, 5, 1), [0, 4], jours_feries(2026, "972"), vacances) == jours(2026, 5, 4, 11, 18, 29)


def test_weekend_toujours_ecarte():
    assert dates_du_mois(D(2026, 6, 1), [5, 6], {}, {}) == []
    assert dates_du_mois(D(2026, 6, 1), [4, 5], {}, {}) == jours(2026, 6, 5, 12, 19, 26)


def test_absences_ecartees_bornes_incluses():
    absences = [(D(2026, 6, 8), D(2026, 6, 11)), (D(2026, 6, 29), D(2026, 7, 3))]
    assert dates_du_mois(D(2026, 6, 1), [0, 3], {}, {}, absences) == jours(2026, 6, 1, 4, 15, 18, 22, 25)


def test_dates_hors_de_la_periode_ecartees():
    assert dates_du_mois(D(2026, 6, 1), [0], {}, {}, [], D(2026, 6, 10), D(2026, 6, 22)) == jours(2026, 6, 15, 22)
    assert dates_du_mois(D(2026, 6, 1), [0], {}, {}, [], D(2026, 7, 1), None) == []


def test_mois_donne_par_un_jour_quelconque():
    assert dates_du_mois(D(2026, 6, 17), [0], {}, {}) == jours(2026, 6, 1, 8, 15, 22, 29)


@pytest.mark.parametrize("jours_semaine", [[7], [-1], "0,9"])
def test_jours_de_semaine_invalides(jours_semaine):
    with pytest.raises(ValueError, match="lundi = 0"):
        dates_du_mois(D(2026, 6, 1), jours_semaine, {}, {})


# --- Commentaire des dates ----------------------------------------------------------------------------------------


def test_commentaire_du_tutoriel_jeudis_de_juin_2017():
    jeudis = dates_du_mois(D(2017, 6, 1), [3], {}, {})
    assert commentaire_dates(jeudis) == "J 1, 8, 15, 22, 29 juin"


def test_commentaire_plusieurs_jours_de_la_semaine():
    assert commentaire_dates(jours(2026, 6, 11, 4, 8, 1)) == "L 1, 8 juin ; J 4, 11 juin"


def test_commentaire_initiales_de_mardi_et_mercredi():
    semaine = jours(2026, 6, 1, 2, 3, 4, 5, 6, 7)
    assert commentaire_dates(semaine) == "L 1 juin ; Ma 2 juin ; Me 3 juin ; J 4 juin ; V 5 juin ; S 6 juin ; D 7 juin"


def test_commentaire_sur_deux_mois_et_deux_annees():
    assert commentaire_dates(jours(2026, 6, 29) + jours(2026, 7, 6, 13)) == "L 29 juin, 6, 13 juillet"
    assert (
        commentaire_dates([D(2026, 12, 28), D(2027, 1, 4), D(2026, 12, 29)])
        == "L 28 décembre 2026, 4 janvier 2027 ; Ma 29 décembre 2026"
    )


def test_commentaire_doublons_et_vide():
    assert commentaire_dates(jours(2026, 8, 3, 3)) == "L 3 août"
    assert commentaire_dates([]) == ""
