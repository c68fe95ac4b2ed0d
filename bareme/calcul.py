"""Les calculs des indemnités : fonctions pures, sans base de données ni Django.

Entrées : des dataclasses figées et des valeurs simples (les taux arrivent déjà lus, voir `bareme.selectors`) ;
sorties : des `Decimal`. L'arrondi n'a lieu qu'à un seul endroit, `arrondir()`, appliqué une fois au total de
chaque ligne (au centime, la demie vers le haut) ; les parts par tranche sont additionnées exactement et ne sont
arrondies que pour l'affichage. Chaque résultat porte son explication en français (`explication`), pour que les
écrans puissent dire pourquoi un montant vaut 0 ou a été partagé entre deux taux.

Les règles appliquées sont décrites dans docs/bareme.md.
"""

import datetime
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import NamedTuple, TypeVar

ZERO = Decimal(0)
CENTIME = Decimal("0.01")

# Classes de véhicule (mêmes valeurs que `bareme.enums.ClasseVehicule` et `Vehicule.classe_bareme`).
CLASSE_5CV_ET_MOINS = "5cv_et_moins"
CLASSE_6_7CV = "6_7cv"
CLASSE_8CV_ET_PLUS = "8cv_et_plus"
CLASSE_MOTOCYCLETTE = "plus_de_125cm3"
CLASSE_VELOMOTEUR = "autres_vehicules_a_moteur"
LIBELLES_CLASSES = {
    CLASSE_5CV_ET_MOINS: "5 CV et moins",
    CLASSE_6_7CV: "6 et 7 CV",
    CLASSE_8CV_ET_PLUS: "8 CV et plus",
    CLASSE_MOTOCYCLETTE: "motocyclette de plus de 125 cm³",
    CLASSE_VELOMOTEUR: "vélomoteur ou autre véhicule à moteur",
}

# Zones des indemnités de mission (mêmes valeurs que `bareme.enums.ZoneMission`).
ZONE_METROPOLE = "metropole"
ZONE_BASE = "metropole_base"
ZONE_GRANDE_VILLE_OU_GRAND_PARIS = "grande_ville_ou_grand_paris"
ZONE_PARIS = "paris"
ZONE_RQTH = "travailleur_handicape_mobilite_reduite"
ZONE_OUTRE_MER = "outre_mer_dom"
LIBELLES_ZONES = {
    ZONE_METROPOLE: "métropole",
    ZONE_BASE: "taux de base",
    ZONE_GRANDE_VILLE_OU_GRAND_PARIS: "grande ville ou Grand Paris",
    ZONE_PARIS: "Paris",
    ZONE_RQTH: "travailleur handicapé à mobilité réduite (RQTH)",
    ZONE_OUTRE_MER: "départements d'outre-mer",
}

REPAS_PLEIN = "plein"
REPAS_ADMINISTRATIF = "administratif"
REPAS_GRATUIT = "gratuit"
NUITEE_PAYANTE = "payante"
NUITEE_GRATUITE = "gratuite"

# Une « grande ville » compte au moins 200 000 habitants (population légale ; un arrondissement compte pour sa ville).
SEUIL_GRANDE_VILLE = 200_000
INSEE_PARIS = "75056"
DEPARTEMENTS_OUTRE_MER = frozenset({"971", "972", "973", "974", "976"})

# Plages horaires qui ouvrent droit à un repas ou à une nuitée : la mission doit les couvrir entièrement.
DEJEUNER = (datetime.time(11), datetime.time(14))
DINER = (datetime.time(18), datetime.time(21))
NUIT = (datetime.time(0), datetime.time(5))

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
ESPACE_INSECABLE = "\u00a0"


class ErreurCalcul(ValueError):
    """Une donnée d'entrée ne permet pas le calcul ; le message, en français, peut être montré tel quel."""


class AucunBaremeEnVigueur(ErreurCalcul):
    def __init__(self, nature: str, jour: datetime.date):
        self.nature = nature
        self.jour = jour
        super().__init__(f"Aucun barème {nature} n'est en vigueur le {date_fr(jour)}.")


def arrondir(montant: Decimal) -> Decimal:
    """Le point d'arrondi unique : le total d'une ligne, au centime, la demie vers le haut (ROUND_HALF_UP)."""
    return montant.quantize(CENTIME, rounding=ROUND_HALF_UP)


# Mise en forme française (pour les explications).


def date_fr(jour: datetime.date) -> str:
    return f"{'1er' if jour.day == 1 else jour.day} {MOIS[jour.month - 1]} {jour.year}"


def nombre_fr(valeur: Decimal, decimales: int | None = None) -> str:
    """1 990 ; 12,5 ; 0,32 (avec `decimales`, le nombre est montré arrondi à ce nombre de décimales)."""
    if decimales is not None:
        valeur = valeur.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
        texte = f"{valeur:,.{decimales}f}"
    else:
        texte = km_texte(valeur)
        entier, _, fraction = texte.partition(".")
        texte = f"{int(entier):,}" + (f".{fraction}" if fraction else "")
        if valeur < 0 and not texte.startswith("-"):
            texte = "-" + texte
    return texte.replace(",", ESPACE_INSECABLE).replace(".", ",")


def euros_fr(montant: Decimal) -> str:
    return f"{nombre_fr(montant, 2)}{ESPACE_INSECABLE}€"


def km_fr(km: Decimal) -> str:
    return f"{nombre_fr(km)}{ESPACE_INSECABLE}km"


def km_texte(km: Decimal) -> str:
    """Des kilomètres sans zéro inutile : « 408 », « 12.5 »."""
    return f"{km.normalize():f}"


def heure_fr(moment: datetime.datetime | datetime.time) -> str:
    """« 11 h », « 11 h 01 »."""
    minutes = f"{ESPACE_INSECABLE}{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour}{ESPACE_INSECABLE}h{minutes}"


def plage_fr(plage: tuple[datetime.time, datetime.time]) -> str:
    return f"{heure_fr(plage[0])}–{heure_fr(plage[1])}"


# « 8 h 30 – 16 h 30 », « 8h30-16h30 », « 08:30 à 16:30 », « 9 h – 17 h » : les horaires de mission d'une ligne d'OMI,
# cherchés dans son commentaire (le reste du texte est libre).
_HEURE = r"(\d{1,2})\s*(?:h|H|:)\s*(\d{2})?"
_HORAIRES = re.compile(rf"{_HEURE}\s*(?:-|–|—|à|a)\s*{_HEURE}")


def lire_horaires(texte: str) -> tuple[datetime.time, datetime.time] | None:
    """Les horaires (début, fin) écrits dans un texte, ou None s'il n'y en a pas de lisibles (fin avant début
    comprise)."""
    trouve = _HORAIRES.search(texte or "")
    if trouve is None:
        return None
    h1, m1, h2, m2 = (int(valeur) if valeur else 0 for valeur in trouve.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    debut, fin = datetime.time(h1, m1), datetime.time(h2, m2)
    return (debut, fin) if debut < fin else None


def horaires_texte(debut: datetime.time, fin: datetime.time) -> str:
    """« 8 h 30 – 16 h 30 », comme l'écrivent les services (espaces ordinaires : le texte va dans un commentaire)."""

    def heure(moment: datetime.time) -> str:
        return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"

    return f"{heure(debut)} – {heure(fin)}"


def couvre_la_plage(horaires: tuple[datetime.time, datetime.time], plage: tuple[datetime.time, datetime.time]) -> bool:
    """La mission couvre-t-elle toute la plage (11 h–14 h pour un déjeuner) ?"""
    return horaires[0] <= plage[0] and horaires[1] >= plage[1]


def classe_vehicule(vehicule: str, cv: int | None = None) -> str:
    """La classe du barème IK d'un véhicule : comme `Vehicule.classe_bareme`, à partir de valeurs simples."""
    if vehicule == "motocyclette":
        return CLASSE_MOTOCYCLETTE
    if vehicule == "velomoteur":
        return CLASSE_VELOMOTEUR
    if vehicule != "voiture":
        raise ErreurCalcul(f"Type de véhicule inconnu : « {vehicule} ».")
    if not cv or cv < 1:
        raise ErreurCalcul("Indiquez la puissance fiscale de la voiture (en CV) : elle fixe le barème.")
    if cv <= 5:
        return CLASSE_5CV_ET_MOINS
    if cv <= 7:
        return CLASSE_6_7CV
    return CLASSE_8CV_ET_PLUS


# Versions de barème, en données simples.


@dataclass(frozen=True, slots=True)
class Tranche:
    """Une tranche de kilomètres cumulés dans l'année : de `debut` (exclu) à `fin` (inclus, None = sans limite)."""

    debut: Decimal
    fin: Decimal | None
    taux: Decimal

    @classmethod
    def depuis_bornes(cls, km_min: int, km_max: int | None, taux: Decimal) -> "Tranche":
        """Depuis les bornes du texte (« de 2 001 à 10 000 km ») : le kilomètre `km_min` est le premier de la tranche."""
        return cls(Decimal(max(km_min - 1, 0)), None if km_max is None else Decimal(km_max), Decimal(taux))

    @property
    def libelle(self) -> str:
        if self.fin is None:
            return f"au-delà de {km_fr(self.debut)}" if self.debut else "dès le premier kilomètre"
        return f"de {nombre_fr(self.debut + 1)} à {km_fr(self.fin)}"


@dataclass(frozen=True, slots=True)
class Version:
    """Une version de barème en vigueur du `date_debut` au `date_fin` inclus (None = toujours en vigueur)."""

    libelle: str
    date_debut: datetime.date
    date_fin: datetime.date | None

    def couvre(self, jour: datetime.date) -> bool:
        return self.date_debut <= jour and (self.date_fin is None or jour <= self.date_fin)


@dataclass(frozen=True, slots=True)
class VersionIK(Version):
    tranches: Mapping[str, tuple[Tranche, ...]]  # par classe de véhicule, dans l'ordre des kilomètres
    minimum: Decimal | None = None  # minimum forfaitaire mensuel (vélomoteurs)
    date_publication: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class VersionForfaits(Version):
    montants: Mapping[str, Decimal]  # par zone
    date_publication: datetime.date | None = None


V = TypeVar("V", bound=Version)


def en_vigueur(versions: Iterable[V], jour: datetime.date, nature: str) -> V:
    """La version en vigueur à cette date ; `AucunBaremeEnVigueur` s'il n'y en a pas."""
    for version in versions:
        if version.couvre(jour):
            return version
    raise AucunBaremeEnVigueur(nature, jour)


def _precision_version(version: VersionIK | VersionForfaits) -> str:
    periode = (
        f"en vigueur depuis le {date_fr(version.date_debut)}"
        if version.date_fin is None
        else f"en vigueur du {date_fr(version.date_debut)} au {date_fr(version.date_fin)}"
    )
    if version.date_publication and version.date_publication > version.date_debut:
        periode += f", publié le {date_fr(version.date_publication)} avec effet rétroactif"
    return periode


# Indemnités kilométriques.


@dataclass(frozen=True, slots=True)
class LigneIK:
    """Une ligne déclarée : `trajets` trajets de `distance` km à la date `date`, avec un véhicule de la `classe`."""

    date: datetime.date
    classe: str
    distance: Decimal
    trajets: int = 1


# Les résultats IK sont des NamedTuple : immuables comme les dataclasses figées, mais trois fois plus rapides à
# construire, ce qui compte pour des centaines de milliers de lignes (voir benchmarks/ik.py).


class PartTranche(NamedTuple):
    tranche: Tranche
    km: Decimal
    montant_exact: Decimal

    @property
    def taux(self) -> Decimal:
        return self.tranche.taux

    @property
    def montant(self) -> Decimal:
        """Montant affiché de la part (arrondi pour l'affichage seulement : le total additionne les parts exactes)."""
        return arrondir(self.montant_exact)


class ResultatIK(NamedTuple):
    ligne: LigneIK
    version: VersionIK
    cumul_avant: Decimal
    km: Decimal
    parts: tuple[PartTranche, ...]
    montant_bareme: Decimal  # la somme exacte des parts, arrondie une fois au centime
    complement_minimum: Decimal = ZERO  # ajouté sur la dernière ligne du mois si le minimum mensuel n'est pas atteint
    cumul_remis_a_zero: bool = False  # la ligne ouvre une nouvelle année : le cumul est reparti de 0

    @property
    def cumul_apres(self) -> Decimal:
        return self.cumul_avant + self.km

    @property
    def montant_exact(self) -> Decimal:
        return sum((part.montant_exact for part in self.parts), ZERO)

    @property
    def montant(self) -> Decimal:
        return self.montant_bareme + self.complement_minimum

    @property
    def explication(self) -> str:
        ligne = self.ligne
        phrases = [
            f"Barème appliqué : {self.version.libelle} ({_precision_version(self.version)}), "
            f"celui en vigueur à la date du trajet ({date_fr(ligne.date)}).",
            f"Classe du véhicule : {LIBELLES_CLASSES.get(ligne.classe, ligne.classe)}.",
            f"{ligne.trajets} trajet{'s' if ligne.trajets > 1 else ''} de {km_fr(ligne.distance)} = {km_fr(self.km)}.",
        ]
        if self.cumul_remis_a_zero:
            phrases.append(f"Nouvelle année : le cumul annuel repart de 0 au 1er janvier {ligne.date.year}.")
        phrases.append(
            f"Kilomètres déjà payés en indemnités kilométriques depuis le 1er janvier : {km_fr(self.cumul_avant)} ; "
            f"après cette ligne : {km_fr(self.cumul_apres)}."
        )
        if len(self.parts) > 1:
            seuils = " et ".join(km_fr(part.tranche.fin) for part in self.parts[:-1])
            phrases.append(
                f"La ligne franchit {'le seuil' if len(self.parts) == 2 else 'les seuils'} de {seuils} : "
                f"elle est partagée entre {len(self.parts)} tranches, chaque kilomètre au taux de sa tranche."
            )
        detail = " ; ".join(
            f"{km_fr(part.km)} dans la tranche {part.tranche.libelle} à {nombre_fr(part.taux, 2)}{ESPACE_INSECABLE}€/km"
            f" = {euros_fr(part.montant)}"
            for part in self.parts
        )
        phrases.append(f"{detail}.")
        if self.montant_exact == self.montant_bareme:
            phrases.append(f"Total de la ligne : {euros_fr(self.montant_bareme)}.")
        else:
            phrases.append(
                f"Total de la ligne : {nombre_fr(self.montant_exact)}{ESPACE_INSECABLE}€ exactement, arrondi une seule "
                f"fois au centime : {euros_fr(self.montant_bareme)}."
            )
        if self.complement_minimum:
            phrases.append(
                f"Le total du mois est inférieur au minimum forfaitaire mensuel de {euros_fr(self.version.minimum)} "
                f"de cette classe : un complément de {euros_fr(self.complement_minimum)} est ajouté, "
                f"soit {euros_fr(self.montant)}."
            )
        return " ".join(phrases)


@dataclass(frozen=True, slots=True)
class ResultatIKLignes:
    lignes: tuple[ResultatIK, ...]
    cumul_avant: Decimal

    @property
    def montant(self) -> Decimal:
        return sum((ligne.montant for ligne in self.lignes), ZERO)

    @property
    def km(self) -> Decimal:
        return sum((ligne.km for ligne in self.lignes), ZERO)

    @property
    def cumul_apres(self) -> Decimal:
        return self.lignes[-1].cumul_apres if self.lignes else self.cumul_avant

    @property
    def explication(self) -> str:
        return "\n".join(ligne.explication for ligne in self.lignes)


def calculer_ligne_ik(ligne: LigneIK, version: VersionIK, cumul_avant: Decimal = ZERO) -> ResultatIK:
    """Une ligne au barème `version`, sans minimum mensuel : chaque kilomètre au taux de la tranche où il tombe."""
    if ligne.distance <= ZERO:
        raise ErreurCalcul("La distance d'un trajet doit être positive.")
    if ligne.trajets < 1:
        raise ErreurCalcul("Le nombre de trajets doit être au moins 1.")
    if cumul_avant < ZERO:
        raise ErreurCalcul("Le cumul annuel ne peut pas être négatif.")
    tranches = version.tranches.get(ligne.classe)
    if not tranches:
        raise ErreurCalcul(
            f"Le barème « {version.libelle} » n'a pas de taux pour la classe "
            f"« {LIBELLES_CLASSES.get(ligne.classe, ligne.classe)} »."
        )
    km = ligne.distance * ligne.trajets
    debut = cumul_avant
    fin = cumul_avant + km
    parts = []
    total = ZERO
    for tranche in tranches:
        plafond = tranche.fin
        if plafond is not None and plafond <= debut:
            continue  # tranche déjà remplie avant cette ligne
        bas = debut if debut > tranche.debut else tranche.debut
        if plafond is None or fin <= plafond:  # la ligne finit dans cette tranche
            montant = (fin - bas) * tranche.taux
            parts.append(PartTranche(tranche, fin - bas, montant))
            total += montant
            break
        montant = (plafond - bas) * tranche.taux  # la ligne franchit le plafond : la suite va à la tranche suivante
        parts.append(PartTranche(tranche, plafond - bas, montant))
        total += montant
    return ResultatIK(ligne, version, cumul_avant, km, tuple(parts), arrondir(total))


def _version_ik(versions: Sequence[VersionIK], jour: datetime.date, classe: str) -> VersionIK:
    for version in versions:
        if classe in version.tranches and version.couvre(jour):
            return version
    raise AucunBaremeEnVigueur(f"d'indemnités kilométriques ({LIBELLES_CLASSES.get(classe, classe)})", jour)


def calculer_ik_lignes(
    lignes: Iterable[LigneIK], versions: Sequence[VersionIK], cumul_avant: Decimal = ZERO
) -> ResultatIKLignes:
    """Des lignes d'un même agent, prises dans l'ordre des dates, avec un cumul annuel qui court de ligne en ligne.

    `cumul_avant` : les kilomètres déjà payés en IK depuis le 1er janvier de l'année de la première ligne. Le cumul
    repart de 0 au 1er janvier. Chaque ligne prend la version en vigueur à sa date. Le minimum forfaitaire mensuel
    (vélomoteurs) complète, sur la dernière ligne du mois, un total mensuel inférieur au minimum.
    """
    triees = sorted(lignes, key=attrgetter("date"))
    resultats: list[ResultatIK] = []
    if not triees:
        return ResultatIKLignes((), cumul_avant)
    cumul = cumul_avant
    annee = triees[0].date.year
    derniere_version: dict[str, VersionIK] = {}
    for ligne in triees:
        remise_a_zero = False
        if ligne.date.year != annee:
            annee = ligne.date.year
            cumul = ZERO
            remise_a_zero = True
        version = derniere_version.get(ligne.classe)
        if version is None or not version.couvre(ligne.date):
            version = derniere_version[ligne.classe] = _version_ik(versions, ligne.date, ligne.classe)
        resultat = calculer_ligne_ik(ligne, version, cumul)
        if remise_a_zero:
            resultat = resultat._replace(cumul_remis_a_zero=True)
        resultats.append(resultat)
        cumul = resultat.cumul_apres
    _appliquer_minimum_mensuel(resultats)
    return ResultatIKLignes(tuple(resultats), cumul_avant)


def _appliquer_minimum_mensuel(resultats: list[ResultatIK]) -> None:
    """Par mois et par classe dotée d'un minimum : complète la dernière ligne du mois si le total est sous le minimum."""
    groupes: dict[tuple[int, int, str], list[int]] = {}
    for index, resultat in enumerate(resultats):
        if resultat.version.minimum:
            cle = (resultat.ligne.date.year, resultat.ligne.date.month, resultat.ligne.classe)
            groupes.setdefault(cle, []).append(index)
    for indices in groupes.values():
        derniere = resultats[indices[-1]]
        total = sum((resultats[index].montant_bareme for index in indices), ZERO)
        if total < derniere.version.minimum:
            resultats[indices[-1]] = derniere._replace(complement_minimum=derniere.version.minimum - total)


def calculer_ik(ligne: LigneIK, versions: Sequence[VersionIK], cumul_avant: Decimal = ZERO) -> ResultatIK:
    """Une ligne seule, vue comme la déclaration d'un mois (c'est ce que fait le simulateur)."""
    return calculer_ik_lignes([ligne], versions, cumul_avant).lignes[0]


# Indemnités de mission : repas et nuitées.


@dataclass(frozen=True, slots=True)
class LieuMission:
    """La commune de la mission ; pour un arrondissement, sa ville (et `arrondissement` garde le nom saisi)."""

    insee: str
    nom: str
    departement: str
    population: int | None = None
    arrondissement: str | None = None


@dataclass(frozen=True, slots=True)
class PerimetreGrandParis:
    """La Métropole du Grand Paris (décret 2015-1212) : des départements entiers et quelques communes ; sans Paris."""

    departements: frozenset[str]
    communes: frozenset[str]

    def contient(self, lieu: LieuMission) -> bool:
        if lieu.insee == INSEE_PARIS:
            return False
        return lieu.insee in self.communes or lieu.departement in self.departements

    @classmethod
    def depuis_lignes(cls, lignes: Iterable[Mapping[str, str]]) -> "PerimetreGrandParis":
        """Depuis les lignes de `grand_paris.csv` (insee « 92* » = tout le département)."""
        departements, communes = set(), set()
        for ligne in lignes:
            if "grand paris" not in ligne["regle"].lower() or ligne["insee"] == INSEE_PARIS:
                continue
            code = ligne["insee"].strip()
            if code.endswith("*"):
                departements.add(code[:-1])
            else:
                communes.add(code)
        return cls(frozenset(departements), frozenset(communes))


def zone_repas(lieu: LieuMission) -> tuple[str, str]:
    if lieu.departement in DEPARTEMENTS_OUTRE_MER:
        return ZONE_OUTRE_MER, f"{lieu.nom} est dans un département d'outre-mer"
    return ZONE_METROPOLE, f"{lieu.nom} est en métropole"


def zone_nuitee(lieu: LieuMission, grand_paris: PerimetreGrandParis, *, rqth: bool = False) -> tuple[str, str]:
    """La zone du taux de nuitée et sa raison, dans l'ordre : RQTH, outre-mer, Paris, Grand Paris, grande ville."""
    nom = lieu.nom if not lieu.arrondissement else f"{lieu.arrondissement} (arrondissement de {lieu.nom})"
    if rqth:
        return ZONE_RQTH, "l'agent est reconnu travailleur handicapé à mobilité réduite : taux RQTH en toutes zones"
    if lieu.departement in DEPARTEMENTS_OUTRE_MER:
        return ZONE_OUTRE_MER, f"{nom} est dans un département d'outre-mer"
    if lieu.insee == INSEE_PARIS:
        return ZONE_PARIS, f"{nom} : taux de Paris"
    if grand_paris.contient(lieu):
        return ZONE_GRANDE_VILLE_OU_GRAND_PARIS, f"{nom} fait partie de la Métropole du Grand Paris"
    if lieu.population is not None and lieu.population >= SEUIL_GRANDE_VILLE:
        return (
            ZONE_GRANDE_VILLE_OU_GRAND_PARIS,
            f"{nom} : {lieu.nom} compte {nombre_fr(Decimal(lieu.population))} habitants, au moins "
            f"{nombre_fr(Decimal(SEUIL_GRANDE_VILLE))} (grande ville)",
        )
    return (
        ZONE_BASE,
        f"{nom} n'est ni Paris, ni dans le Grand Paris, ni une ville d'au moins 200{ESPACE_INSECABLE}000 habitants",
    )


@dataclass(frozen=True, slots=True)
class Decompte:
    """Les jours où chaque plage horaire est entièrement couverte (la nuit est datée du jour où elle finit)."""

    dejeuners: tuple[datetime.date, ...]
    diners: tuple[datetime.date, ...]
    nuits: tuple[datetime.date, ...]
    manques: tuple[str, ...] = ()  # plages entamées mais pas entièrement couvertes, avec leur raison

    @property
    def repas(self) -> int:
        return len(self.dejeuners) + len(self.diners)


def decompter(depart: datetime.datetime, retour: datetime.datetime) -> Decompte:
    """Compte les déjeuners (11 h–14 h), dîners (18 h–21 h) et nuits (0 h–5 h) entièrement couverts."""
    if retour <= depart:
        raise ErreurCalcul("Le retour doit être postérieur au départ.")
    plages = {"dejeuner": DEJEUNER, "diner": DINER, "nuit": NUIT}
    noms = {"dejeuner": "déjeuner", "diner": "dîner", "nuit": "nuitée"}
    couverts: dict[str, list[datetime.date]] = {cle: [] for cle in plages}
    manques = []
    jour = depart.date()
    while jour <= retour.date():
        for cle, (debut, fin) in plages.items():
            ouverture = datetime.datetime.combine(jour, debut)
            fermeture = datetime.datetime.combine(jour, fin)
            if depart <= ouverture and retour >= fermeture:
                couverts[cle].append(jour)
            elif depart < fermeture and retour > ouverture:
                plage = plage_fr((debut, fin))
                if depart > ouverture:
                    raison = f"départ à {heure_fr(depart)}, après le début de la plage {plage}"
                else:
                    raison = f"retour à {heure_fr(retour)}, avant la fin de la plage {plage}"
                manques.append(f"pas de {noms[cle]} le {date_fr(jour)} : {raison}")
        jour += datetime.timedelta(days=1)
    return Decompte(tuple(couverts["dejeuner"]), tuple(couverts["diner"]), tuple(couverts["nuit"]), tuple(manques))


@dataclass(frozen=True, slots=True)
class Mission:
    depart: datetime.datetime  # heure locale, sans fuseau
    retour: datetime.datetime
    lieu: LieuMission
    repas: str = REPAS_PLEIN
    nuitee: str = NUITEE_PAYANTE
    rqth: bool = False


@dataclass(frozen=True, slots=True)
class LigneForfait:
    nombre: int
    taux: Decimal
    montant: Decimal
    zone: str


@dataclass(frozen=True, slots=True)
class ResultatMission:
    mission: Mission
    decompte: Decompte
    version_repas: VersionForfaits
    version_nuitee: VersionForfaits
    repas: LigneForfait
    nuitees: LigneForfait
    raison_zone_nuitee: str

    @property
    def total(self) -> Decimal:
        return self.repas.montant + self.nuitees.montant

    @property
    def explication(self) -> str:
        mission, decompte = self.mission, self.decompte
        phrases = [
            f"Barèmes appliqués : {self.version_repas.libelle} ({_precision_version(self.version_repas)}) et "
            f"{self.version_nuitee.libelle} ({_precision_version(self.version_nuitee)}), ceux en vigueur au départ "
            f"de la mission ({date_fr(mission.depart.date())}).",
            f"Un déjeuner est dû quand la mission couvre toute la plage {plage_fr(DEJEUNER)}, un dîner toute la plage "
            f"{plage_fr(DINER)}, une nuitée toute la plage {plage_fr(NUIT)}.",
        ]
        jours = []
        for jour in sorted(set(decompte.dejeuners) | set(decompte.diners)):
            repas = [
                nom for nom, liste in (("déjeuner", decompte.dejeuners), ("dîner", decompte.diners)) if jour in liste
            ]
            jours.append(f"{' et '.join(repas)} le {date_fr(jour)}")
        phrases.append(f"Repas dus : {', '.join(jours)}." if jours else "Aucun repas dû.")
        phrases.extend(f"{manque[0].upper()}{manque[1:]}." for manque in decompte.manques)
        if decompte.repas:
            if mission.repas == REPAS_GRATUIT:
                phrases.append("Les repas sont fournis gratuitement : rien n'est dû.")
            elif mission.repas == REPAS_ADMINISTRATIF:
                phrases.append(
                    "L'agent peut déjeuner dans un restaurant administratif ou assimilé : le taux est réduit de moitié."
                )
            phrases.append(f"{decompte.repas} repas à {euros_fr(self.repas.taux)} = {euros_fr(self.repas.montant)}.")
        if decompte.nuits:
            nuits = ", ".join(f"nuit du {_veille_fr(jour)} au {date_fr(jour)}" for jour in decompte.nuits)
            phrases.append(f"Nuitées : {nuits}.")
            if mission.nuitee == NUITEE_GRATUITE:
                phrases.append("L'hébergement est fourni gratuitement : rien n'est dû.")
            else:
                phrases.append(
                    f"Zone « {LIBELLES_ZONES[self.nuitees.zone]} » : {self.raison_zone_nuitee}. "
                    f"{len(decompte.nuits)} nuitée{'s' if len(decompte.nuits) > 1 else ''} "
                    f"à {euros_fr(self.nuitees.taux)} = {euros_fr(self.nuitees.montant)}, sur facture."
                )
        else:
            phrases.append(f"Aucune nuitée : la plage {plage_fr(NUIT)} n'est jamais entièrement couverte.")
        phrases.append(f"Total : {euros_fr(self.total)}.")
        return " ".join(phrases)


def _veille_fr(jour: datetime.date) -> str:
    veille = jour - datetime.timedelta(days=1)
    if veille.month == jour.month:
        return "1er" if veille.day == 1 else str(veille.day)
    return date_fr(veille) if veille.year != jour.year else date_fr(veille).rsplit(" ", 1)[0]


def taux_repas(base: Decimal, mode: str) -> Decimal:
    """Le taux d'un repas : plein, réduit de moitié (taux publié, au centime : 7,63 € pour 15,25 €) ou nul."""
    if mode == REPAS_PLEIN:
        return base
    if mode == REPAS_ADMINISTRATIF:
        return arrondir(base / 2)
    if mode == REPAS_GRATUIT:
        return ZERO
    raise ErreurCalcul(f"Mode de repas inconnu : « {mode} ».")


def calculer_mission(
    mission: Mission,
    versions_repas: Sequence[VersionForfaits],
    versions_nuitee: Sequence[VersionForfaits],
    grand_paris: PerimetreGrandParis,
) -> ResultatMission:
    """Repas et nuitées d'une mission, aux taux en vigueur le jour du départ."""
    decompte = decompter(mission.depart, mission.retour)
    jour = mission.depart.date()
    version_repas = en_vigueur(versions_repas, jour, "des repas")
    version_nuitee = en_vigueur(versions_nuitee, jour, "des nuitées")
    zone_r, _ = zone_repas(mission.lieu)
    zone_n, raison = zone_nuitee(mission.lieu, grand_paris, rqth=mission.rqth)
    for version, zone in ((version_repas, zone_r), (version_nuitee, zone_n)):
        if zone not in version.montants:
            raise ErreurCalcul(
                f"Le barème « {version.libelle} » n'a pas de taux pour la zone « {LIBELLES_ZONES[zone]} »."
            )
    taux_r = taux_repas(version_repas.montants[zone_r], mission.repas)
    if mission.nuitee not in (NUITEE_PAYANTE, NUITEE_GRATUITE):
        raise ErreurCalcul(f"Mode de nuitée inconnu : « {mission.nuitee} ».")
    taux_n = version_nuitee.montants[zone_n] if mission.nuitee == NUITEE_PAYANTE else ZERO
    repas = LigneForfait(decompte.repas, taux_r, arrondir(decompte.repas * taux_r), zone_r)
    nuitees = LigneForfait(len(decompte.nuits), taux_n, arrondir(len(decompte.nuits) * taux_n), zone_n)
    return ResultatMission(mission, decompte, version_repas, version_nuitee, repas, nuitees, raison)


# Éligibilité d'un déplacement.

RESIDENCE_ADMINISTRATIVE = "administrative"
RESIDENCE_FAMILIALE = "familiale"


@dataclass(frozen=True, slots=True)
class LieuEligibilite:
    """Une commune (pour un arrondissement, sa ville), avec son point de référence s'il est connu."""

    insee: str
    nom: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class ResultatEligibilite:
    eligible: bool
    motif: str
    origine: LieuEligibilite | None = None
    residence_origine: str | None = None  # RESIDENCE_ADMINISTRATIVE ou RESIDENCE_FAMILIALE

    @property
    def explication(self) -> str:
        return self.motif


def distance_km(a: LieuEligibilite, b: LieuEligibilite) -> float | None:
    """Distance à vol d'oiseau entre les points de référence (formule de haversine), None si un point manque."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def paire(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def eligibilite(
    *,
    residence_administrative: LieuEligibilite,
    residence_familiale: LieuEligibilite,
    destination: LieuEligibilite,
    paires_desservies: Collection[frozenset[str]],
    distances: Mapping[frozenset[str], float] | None = None,
) -> ResultatEligibilite:
    """Un déplacement ouvre-t-il droit à indemnité, et d'où part le trajet payé ?

    Refusé : dans la commune d'une des deux résidences, ou vers une commune limitrophe d'une résidence et desservie
    par les transports publics avec elle (elles comptent comme une seule commune, décret 2006-781, art. 2). Sinon,
    le trajet part de la résidence administrative, ou de la résidence familiale si elle est plus proche.
    """
    residences = (
        (residence_administrative, "résidence administrative"),
        (residence_familiale, "résidence familiale"),
    )
    for residence, nom in residences:
        if destination.insee == residence.insee:
            return ResultatEligibilite(
                False,
                f"Le déplacement a lieu à {destination.nom}, commune de la {nom} : il n'ouvre pas droit à indemnité.",
            )
    for residence, nom in residences:
        if paire(residence.insee, destination.insee) in paires_desservies:
            return ResultatEligibilite(
                False,
                f"{residence.nom} et {destination.nom} sont limitrophes et desservies par les transports en commun : "
                f"ces communes comptent comme une seule. {destination.nom} compte donc comme la commune de la {nom} "
                f"et le déplacement n'ouvre pas droit à indemnité.",
            )
    distances = distances or {}

    def distance(lieu):
        cle = paire(lieu.insee, destination.insee)
        return distances[cle] if cle in distances else distance_km(lieu, destination)

    d_admin, d_familiale = distance(residence_administrative), distance(residence_familiale)
    if (
        residence_familiale.insee != residence_administrative.insee
        and d_admin is not None
        and d_familiale is not None
        and d_familiale < d_admin
    ):
        return ResultatEligibilite(
            True,
            f"Déplacement indemnisable. Le trajet part de la résidence familiale ({residence_familiale.nom}), "
            f"plus proche de {destination.nom} que la résidence administrative ({residence_administrative.nom}) : "
            f"environ {d_familiale:.0f} km contre {d_admin:.0f} km à vol d'oiseau.",
            residence_familiale,
            RESIDENCE_FAMILIALE,
        )
    if d_admin is None or d_familiale is None:
        precision = "les distances ne sont pas connues, le trajet part donc de la résidence administrative"
    elif residence_familiale.insee == residence_administrative.insee:
        precision = "les deux résidences sont dans la même commune"
    else:
        precision = (
            f"elle est au moins aussi proche de {destination.nom} que la résidence familiale "
            f"({residence_familiale.nom}) : environ {d_admin:.0f} km contre {d_familiale:.0f} km à vol d'oiseau"
        )
    return ResultatEligibilite(
        True,
        f"Déplacement indemnisable. Le trajet part de la résidence administrative ({residence_administrative.nom}) : "
        f"{precision}.",
        residence_administrative,
        RESIDENCE_ADMINISTRATIVE,
    )
