"""Le calendrier d'un mois de déplacements : jours fériés, vacances scolaires, dates travaillées, commentaire.

Fonctions pures, sans ORM : des dates et des valeurs simples en entrée, des dates et du texte en sortie.
Les sources, leur couverture et les règles retenues sont décrites dans docs/calendrier.md.

- Jours fériés : bibliothèque `holidays` (France et ses subdivisions : Moselle, Alsace, départements d'outre-mer).
  Le lundi de Pentecôte reste un jour férié : la journée de solidarité ne concerne pas les déplacements.
- Vacances scolaires : bibliothèque `vacances-scolaires-france` (zones A, B et C, données embarquées, sans réseau),
  complétée des périodes saisies par l'académie (`PeriodeVacances`), seule source pour l'outre-mer et la Corse.
"""

import calendar
import datetime
import functools
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

import holidays
from vacances_scolaires_france import SchoolHolidayDates

from bareme.calcul import MOIS

logger = logging.getLogger(__name__)

LUNDI, SAMEDI, DIMANCHE = 0, 5, 6

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# L'initiale du jour ; mardi et mercredi, qui commencent par la même lettre, gardent leurs deux premières lettres.
INITIALES = ("L", "Ma", "Me", "J", "V", "S", "D")

# --- Jours fériés -------------------------------------------------------------------------------------------------

# Les subdivisions de `holidays.France` qui ont des jours fériés propres : Moselle (57), Alsace (67 et 68, la
# Collectivité européenne d'Alsace, « 6AE »), et les cinq départements d'outre-mer.
SUBDIVISION_FERIES = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}


@functools.lru_cache(maxsize=256)
def _feries(annee: int, subdivision: str | None) -> tuple[tuple[datetime.date, str], ...]:
    return tuple(sorted(holidays.France(years=annee, subdiv=subdivision, language="fr").items()))


def jours_feries(annee: int, departement: str) -> dict[datetime.date, str]:
    """Les jours fériés de l'année dans le département, avec leur nom français.

    Partout : 1er janvier, lundi de Pâques, 1er et 8 mai, Ascension, lundi de Pentecôte, 14 juillet, 15 août,
    1er et 11 novembre, 25 décembre. En Moselle, dans le Bas-Rhin et le Haut-Rhin, en plus : Vendredi saint et
    26 décembre (Saint-Étienne). Outre-mer, en plus : l'abolition de l'esclavage (22 mai en Martinique, 27 mai en
    Guadeloupe, 10 juin en Guyane, 20 décembre à La Réunion, 27 avril à Mayotte) et les autres fêtes locales.
    """
    return dict(_feries(annee, SUBDIVISION_FERIES.get(departement)))


def jours_feries_entre(debut: datetime.date, fin: datetime.date, departement: str) -> dict[datetime.date, str]:
    """Les jours fériés du département entre deux dates incluses (la période peut chevaucher deux années)."""
    return {
        jour: nom
        for annee in range(debut.year, fin.year + 1)
        for jour, nom in _feries(annee, SUBDIVISION_FERIES.get(departement))
        if debut <= jour <= fin
    }


# --- Vacances scolaires -------------------------------------------------------------------------------------------

ZONES_ACADEMIES = {
    "A": ("Besançon", "Bordeaux", "Clermont-Ferrand", "Dijon", "Grenoble", "Limoges", "Lyon", "Poitiers"),
    "B": (
        "Aix-Marseille",
        "Amiens",
        "Lille",
        "Nancy-Metz",
        "Nantes",
        "Nice",
        "Normandie",
        "Orléans-Tours",
        "Reims",
        "Rennes",
        "Strasbourg",
    ),
    "C": ("Créteil", "Montpellier", "Paris", "Toulouse", "Versailles"),
}
CORSE = "Corse"

# Les départements de chaque académie (métropole et Corse ; l'outre-mer a ses propres calendriers).
ACADEMIES = {
    "Aix-Marseille": ("04", "05", "13", "84"),
    "Amiens": ("02", "60", "80"),
    "Besançon": ("25", "39", "70", "90"),
    "Bordeaux": ("24", "33", "40", "47", "64"),
    "Clermont-Ferrand": ("03", "15", "43", "63"),
    "Corse": ("2A", "2B"),
    "Créteil": ("77", "93", "94"),
    "Dijon": ("21", "58", "71", "89"),
    "Grenoble": ("07", "26", "38", "73", "74"),
    "Lille": ("59", "62"),
    "Limoges": ("19", "23", "87"),
    "Lyon": ("01", "42", "69"),
    "Montpellier": ("11", "30", "34", "48", "66"),
    "Nancy-Metz": ("54", "55", "57", "88"),
    "Nantes": ("44", "49", "53", "72", "85"),
    "Nice": ("06", "83"),
    "Normandie": ("14", "27", "50", "61", "76"),
    "Orléans-Tours": ("18", "28", "36", "37", "41", "45"),
    "Paris": ("75",),
    "Poitiers": ("16", "17", "79", "86"),
    "Reims": ("08", "10", "51", "52"),
    "Rennes": ("22", "29", "35", "56"),
    "Strasbourg": ("67", "68"),
    "Toulouse": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "Versailles": ("78", "91", "92", "95"),
}
ACADEMIE_DU_DEPARTEMENT = {departement: academie for academie, deps in ACADEMIES.items() for departement in deps}
ZONE_DE_L_ACADEMIE = {academie: zone for zone, academies in ZONES_ACADEMIES.items() for academie in academies}
ZONE_DE_L_ACADEMIE[CORSE] = CORSE

# Le pont de l'Ascension (du jeudi de l'Ascension au dimanche, dans toutes les zones) manque aux données de
# `vacances-scolaires-france` 0.12.0 pour 2023 à 2026, alors que les calendriers scolaires officiels le
# prévoient (les élèves n'ont pas classe le vendredi). Il n'est ajouté que si la bibliothèque n'en donne aucun
# pour l'année : une version corrigée de la bibliothèque reprend la main d'elle-même.
PONT_DE_L_ASCENSION = "Pont de l'Ascension"
PONTS_DE_L_ASCENSION_MANQUANTS = {
    2023: (datetime.date(2023, 5, 18), datetime.date(2023, 5, 21)),
    2024: (datetime.date(2024, 5, 9), datetime.date(2024, 5, 12)),
    2025: (datetime.date(2025, 5, 29), datetime.date(2025, 6, 1)),
    2026: (datetime.date(2026, 5, 14), datetime.date(2026, 5, 17)),
}


class PeriodeDeVacances(Protocol):
    """Une période saisie par l'académie : `missions.models.PeriodeVacances` ou tout objet de même forme."""

    departement: str
    libelle: str
    date_debut: datetime.date
    date_fin: datetime.date


def zone_scolaire(departement: str) -> str | None:
    """« A », « B », « C » ou « Corse » ; None hors métropole (outre-mer) ou pour un code inconnu."""
    academie = ACADEMIE_DU_DEPARTEMENT.get(departement)
    return ZONE_DE_L_ACADEMIE.get(academie) if academie else None


@dataclass(frozen=True)
class _DonneesZones:
    par_zone: dict[str, dict[datetime.date, str]]
    premier_jour: datetime.date
    dernier_jour: datetime.date


@functools.lru_cache(maxsize=1)
def _donnees_zones() -> _DonneesZones:
    """Les vacances des zones A, B et C, lues une fois dans les données embarquées de la bibliothèque."""
    donnees = SchoolHolidayDates().data  # {date: ligne}, seulement les jours de vacances d'au moins une zone
    par_zone: dict[str, dict[datetime.date, str]] = {zone: {} for zone in ZONES_ACADEMIES}
    for jour, ligne in donnees.items():
        for zone in ZONES_ACADEMIES:
            if ligne[f"vacances_zone_{zone.lower()}"]:
                par_zone[zone][jour] = ligne["nom_vacances"]

    annees_avec_pont = {jour.year for jour, ligne in donnees.items() if ligne["nom_vacances"] == PONT_DE_L_ASCENSION}
    for annee, (debut, fin) in PONTS_DE_L_ASCENSION_MANQUANTS.items():
        if annee not in annees_avec_pont:
            for jour in _jours(debut, fin):
                for zone in ZONES_ACADEMIES:
                    par_zone[zone].setdefault(jour, PONT_DE_L_ASCENSION)

    # Les données vont jusqu'aux dernières vacances d'été publiées : au-delà, l'absence de vacances ne prouve rien.
    ete = [jour for jour, ligne in donnees.items() if ligne["nom_vacances"] == "Vacances d'été"]
    return _DonneesZones(par_zone=par_zone, premier_jour=min(donnees), dernier_jour=max(ete))


def couverture_vacances_zones() -> tuple[datetime.date, datetime.date]:
    """Premier et dernier jour que les données des zones A, B et C couvrent."""
    donnees = _donnees_zones()
    return donnees.premier_jour, donnees.dernier_jour


def vacances_scolaires(
    debut: datetime.date,
    fin: datetime.date,
    departement: str,
    periodes: Iterable[PeriodeDeVacances] = (),
) -> dict[datetime.date, str]:
    """Les jours de vacances scolaires du département entre deux dates incluses, avec le nom des vacances.

    En métropole, la zone (A, B ou C) vient de l'académie du département. Les `periodes` saisies par l'académie
    (outre-mer, Corse, ou correction ponctuelle en métropole) s'ajoutent ; seules celles du département comptent,
    on peut donc passer toutes les périodes. Pour un jour donné, le nom tiré de la bibliothèque l'emporte.
    """
    if fin < debut:
        return {}
    vacances: dict[datetime.date, str] = {}
    zone = zone_scolaire(departement)
    if zone in ZONES_ACADEMIES:
        donnees = _donnees_zones()
        if fin > donnees.dernier_jour:
            logger.warning(
                "Vacances scolaires de la zone %s inconnues après le %s : seules les périodes saisies comptent.",
                zone,
                donnees.dernier_jour.isoformat(),
            )
        par_jour = donnees.par_zone[zone]
        vacances.update((jour, par_jour[jour]) for jour in _jours(debut, fin) if jour in par_jour)
    for periode in periodes:
        if periode.departement != departement:
            continue
        for jour in _jours(max(debut, periode.date_debut), min(fin, periode.date_fin)):
            vacances.setdefault(jour, periode.libelle)
    return dict(sorted(vacances.items()))


# --- Dates du mois ------------------------------------------------------------------------------------------------


def premier_jour(mois: datetime.date) -> datetime.date:
    return mois.replace(day=1)


def dernier_jour(mois: datetime.date) -> datetime.date:
    return mois.replace(day=calendar.monthrange(mois.year, mois.month)[1])


def libelle_mois(mois: datetime.date) -> str:
    """« juin 2026 »."""
    return f"{MOIS[mois.month - 1]} {mois.year}"


def jours_de_la_semaine(jours_semaine: Iterable[int] | str) -> set[int]:
    """Les numéros de jours (lundi = 0) d'une liste ou d'un texte « 0,3,4 »."""
    if isinstance(jours_semaine, str):
        jours_semaine = [int(jour) for jour in jours_semaine.split(",") if jour.strip()]
    jours = set(jours_semaine)
    if not jours <= set(range(7)):
        raise ValueError(f"Jours de la semaine invalides : {sorted(jours)} (lundi = 0 … dimanche = 6).")
    return jours


def _jours(debut: datetime.date, fin: datetime.date) -> Iterable[datetime.date]:
    jour = debut
    while jour <= fin:
        yield jour
        jour += datetime.timedelta(days=1)


def est_absent(jour: datetime.date, absences: Iterable[tuple[datetime.date, datetime.date]]) -> bool:
    return any(debut <= jour <= fin for debut, fin in absences)


def dates_du_mois(
    mois: datetime.date,
    jours_semaine: Iterable[int] | str,
    feries: Collection[datetime.date],
    vacances: Collection[datetime.date],
    absences: Iterable[tuple[datetime.date, datetime.date]] = (),
    debut: datetime.date | None = None,
    fin: datetime.date | None = None,
) -> list[datetime.date]:
    """Les dates du mois qui tombent un des `jours_semaine`, dans l'ordre.

    Sont écartés : samedis et dimanches (même s'ils figurent dans `jours_semaine`), jours fériés, jours de
    vacances scolaires, jours d'absence (paires de dates incluses) et jours hors de [`debut`, `fin`] (la période
    commune de l'OMP et de l'OMI ; sans borne si None). `feries` et `vacances` peuvent être les dictionnaires
    rendus par `jours_feries` et `vacances_scolaires`.
    """
    jours = jours_de_la_semaine(jours_semaine) - {SAMEDI, DIMANCHE}
    absences = list(absences)
    premier, dernier = premier_jour(mois), dernier_jour(mois)
    if debut is not None:
        premier = max(premier, debut)
    if fin is not None:
        dernier = min(dernier, fin)
    return [
        jour
        for jour in _jours(premier, dernier)
        if jour.weekday() in jours and jour not in feries and jour not in vacances and not est_absent(jour, absences)
    ]


# --- Commentaire des dates ----------------------------------------------------------------------------------------


def commentaire_dates(dates: Iterable[datetime.date]) -> str:
    """Les dates comme les services les écrivent : « L 1, 8, 15, 22, 29 juin ; J 4, 11 juin ».

    Un groupe par jour de la semaine, du lundi au dimanche, séparés par « ; » ; dans un groupe, l'initiale du
    jour (L, Ma, Me, J, V, S, D), puis les numéros des jours dans l'ordre, le nom du mois après le dernier jour
    de chaque mois (« L 29 juin, 6, 13 juillet »). L'année n'est écrite que si les dates en couvrent plusieurs.
    Les doublons sont ignorés ; aucune date donne un texte vide.
    """
    dates = sorted(set(dates))
    if not dates:
        return ""
    avec_annee = dates[0].year != dates[-1].year
    groupes = []
    for jour_semaine in range(7):
        du_jour = [jour for jour in dates if jour.weekday() == jour_semaine]
        if not du_jour:
            continue
        morceaux = []
        for (annee, mois), jours in _par_mois(du_jour):
            nom = f"{MOIS[mois - 1]} {annee}" if avec_annee else MOIS[mois - 1]
            morceaux.append(f"{', '.join(str(jour.day) for jour in jours)} {nom}")
        groupes.append(f"{INITIALES[jour_semaine]} {', '.join(morceaux)}")
    return " ; ".join(groupes)


def _par_mois(dates: list[datetime.date]) -> list[tuple[tuple[int, int], list[datetime.date]]]:
    groupes: list[tuple[tuple[int, int], list[datetime.date]]] = []
    for jour in dates:
        cle = (jour.year, jour.month)
        if groupes and groupes[-1][0] == cle:
            groupes[-1][1].append(jour)
        else:
            groupes.append((cle, [jour]))
    return groupes
