"""Import des données de référence : communes, communes limitrophes et référentiels budgétaires.

Chaque import lit un fichier CSV encodé en UTF-8 (`.csv`, ou `.csv.gz` compressé en gzip), valide
**toutes** ses lignes avant d'écrire quoi que ce soit, puis écrit tout ou rien dans une transaction.

L'import est idempotent : chaque ligne est rapprochée de la base par son code (INSEE, paire de codes,
code budgétaire) ; seules les lignes nouvelles ou modifiées sont écrites, en masse
(`INSERT … ON CONFLICT DO UPDATE`). Rien n'est jamais supprimé : ce qui est en base mais absent du
fichier est conservé tel quel et compté dans le rapport. Le drapeau
`Limitrophe.desservie_transports_publics`, tenu par l'administration, n'est jamais réécrit.

Les numéros de ligne sont ceux d'un éditeur de texte : l'en-tête est la ligne 1.
"""

import csv
import gzip
import io
import logging
import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from agents.enums import Contact
from agents.models import CentreCouts, Commune, DomaineFonctionnel, EnveloppeBudgetaire, Limitrophe
from agents.validators import validate_insee

logger = logging.getLogger(__name__)

DOSSIER_COMMUNES = Path(settings.BASE_DIR) / "data" / "communes"
FICHIER_COMMUNES = DOSSIER_COMMUNES / "communes.csv.gz"
FICHIER_LIMITROPHES = DOSSIER_COMMUNES / "communes_limitrophes.csv.gz"
FICHIER_COMMUNES_DEMO = DOSSIER_COMMUNES / "communes_demo.csv"
FICHIER_LIMITROPHES_DEMO = DOSSIER_COMMUNES / "communes_limitrophes_demo.csv"
# Hors de l'académie de démonstration, les villes où l'on est convoqué (ministère, formations nationales).
FICHIER_VILLES_CONVOCATION_DEMO = DOSSIER_COMMUNES / "communes_convocations_demo.csv"

# Lignes par requête d'écriture : assez pour amortir les allers-retours, assez peu pour des requêtes raisonnables.
TAILLE_LOT = 2000
# Nombre d'erreurs détaillées dans le texte du rapport (toutes restent dans `RapportImport.erreurs`).
ERREURS_AFFICHEES = 50

COLONNES_COMMUNES = ("insee", "nom", "departement", "population", "codes_postaux", "lat", "lon", "arrondissement_de")
COLONNES_LIMITROPHES = ("insee_a", "insee_b", "contact")
COLONNES_REFERENTIEL = ("code", "libelle")
COLONNES_REFERENTIEL_FACULTATIVES = ("actif",)

CHAMPS_COMMUNE = ("nom", "departement", "codes_postaux", "latitude", "longitude", "population", "arrondissement_de")

DEPARTEMENT_PATTERN = re.compile(r"^(\d{2}|2[AB]|97\d)$")
CODE_POSTAL_PATTERN = re.compile(r"^\d{5}$")
UN_CENT_MILLIEME = Decimal("0.00001")

VALEURS_ACTIF = {"oui": True, "1": True, "true": True, "non": False, "0": False, "false": False}

REFERENTIELS_BUDGETAIRES: dict[str, type[models.Model]] = {
    "enveloppe": EnveloppeBudgetaire,
    "centre_couts": CentreCouts,
    "domaine_fonctionnel": DomaineFonctionnel,
}


# --- Rapport -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErreurImport:
    fichier: str
    ligne: int | None
    message: str

    def __str__(self):
        if self.ligne is None:
            return f"{self.fichier} : {self.message}"
        return f"{self.fichier}, ligne {self.ligne} : {self.message}"


@dataclass
class Compteurs:
    """Ce que l'import fait des lignes d'un fichier (ou ferait, lors d'un essai à blanc)."""

    libelle: str
    fichier: str = ""
    lues: int = 0
    creees: int = 0
    modifiees: int = 0
    inchangees: int = 0
    rejetees: int = 0
    # En base mais absentes du fichier : conservées telles quelles, jamais supprimées.
    absentes: int = 0

    def a_ecrire(self, actuel, nouveau) -> bool:
        """Compte une ligne valide du fichier d'après sa valeur en base (`actuel`, None si elle n'y est pas) :
        créée, modifiée ou inchangée ; vrai s'il faut l'écrire."""
        if actuel is None:
            self.creees += 1
        elif actuel != nouveau:
            self.modifiees += 1
        else:
            self.inchangees += 1
            return False
        return True

    def texte(self) -> str:
        texte = (
            f"{self.libelle} ({self.fichier}) : {_nombre(self.lues)} ligne(s) lue(s) — "
            f"{_nombre(self.creees)} nouvelle(s), {_nombre(self.modifiees)} modifiée(s), "
            f"{_nombre(self.inchangees)} inchangée(s), {_nombre(self.rejetees)} rejetée(s)."
        )
        if self.absentes:
            texte += (
                f" {_nombre(self.absentes)} enregistrement(s) de la base absent(s) du fichier : "
                "conservé(s) tel(s) quel(s), rien n'est supprimé."
            )
        return texte


@dataclass
class RapportImport:
    titre: str
    compteurs: dict[str, Compteurs] = field(default_factory=dict)
    erreurs: list[ErreurImport] = field(default_factory=list)
    enregistre: bool = False

    @property
    def est_valide(self) -> bool:
        return not self.erreurs

    @property
    def rejetees(self) -> int:
        return sum(c.rejetees for c in self.compteurs.values())

    def texte(self) -> str:
        lignes = [self.titre]
        lignes += [compteurs.texte() for compteurs in self.compteurs.values()]
        if self.erreurs:
            lignes.append(
                f"Fichier refusé : {_nombre(len(self.erreurs))} erreur(s), "
                f"{_nombre(self.rejetees)} ligne(s) rejetée(s). Rien n'a été importé."
            )
            lignes += [f"  - {erreur}" for erreur in self.erreurs[:ERREURS_AFFICHEES]]
            if len(self.erreurs) > ERREURS_AFFICHEES:
                lignes.append(f"  … et {_nombre(len(self.erreurs) - ERREURS_AFFICHEES)} autre(s) erreur(s).")
        elif self.enregistre:
            lignes.append("Import enregistré.")
        else:
            lignes.append("Essai à blanc : les données sont valides, rien n'a été enregistré.")
        return "\n".join(lignes)

    def __str__(self):
        return self.texte()


def _nombre(n: int) -> str:
    """1 234 : les milliers séparés par une espace fine insécable, à la française."""
    return f"{n:,}".replace(",", "\u202f")


# --- Lecture des fichiers ----------------------------------------------------------------------------------------


@dataclass
class _Lecture:
    """Les lignes de données d'un fichier, avec leur numéro, et les erreurs de forme (en-tête, champs)."""

    fichier: str
    lignes: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    erreurs: list[ErreurImport] = field(default_factory=list)
    lues: int = 0
    # Le fichier n'a pas pu être lu jusqu'au bout (en-tête, encodage, compression, guillemets) : son contenu est inconnu.
    illisible: bool = False

    @property
    def erreurs_par_ligne(self) -> list[ErreurImport]:
        return sorted(self.erreurs, key=lambda erreur: erreur.ligne or 0)

    def compteurs(self, libelle: str) -> Compteurs:
        """Les compteurs du fichier une fois ses lignes validées : une ligne est rejetée une fois, même fautive
        de plusieurs façons ; un en-tête incorrect ne rejette aucune ligne, car aucune n'a été lue."""
        rejetees = {erreur.ligne for erreur in self.erreurs if erreur.ligne is not None and erreur.ligne > 1}
        return Compteurs(libelle, self.fichier, lues=self.lues, rejetees=len(rejetees))


def _lire_csv(chemin: Path, obligatoires: tuple[str, ...], facultatives: tuple[str, ...] = ()) -> _Lecture:
    chemin = Path(chemin)
    lecture = _Lecture(fichier=chemin.name)

    def erreur(ligne: int | None, message: str, *, illisible: bool = True) -> _Lecture:
        lecture.erreurs.append(ErreurImport(lecture.fichier, ligne, message))
        lecture.illisible = lecture.illisible or illisible
        return lecture

    donnees = chemin.read_bytes()
    if chemin.suffix == ".gz":
        try:
            donnees = gzip.decompress(donnees)
        except (OSError, EOFError, zlib.error):
            return erreur(None, "Le fichier compressé est illisible : un fichier « .gz » doit être compressé en gzip.")
    try:
        texte = donnees.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ligne = donnees.count(b"\n", 0, exc.start) + 1
        return erreur(ligne, "Caractère illisible : le fichier doit être encodé en UTF-8.")

    attendues = ", ".join(obligatoires + tuple(f"{c} (facultative)" for c in facultatives))
    lecteur = csv.reader(io.StringIO(texte, newline=""), strict=True)
    try:
        entete = next(lecteur, None)
        if entete is None:
            return erreur(1, f"Le fichier est vide : la ligne 1 doit être l'en-tête ({attendues}).")
        entete = [colonne.strip() for colonne in entete]
        manquantes = [c for c in obligatoires if c not in entete]
        inconnues = [c for c in entete if c not in obligatoires + facultatives]
        doublons = sorted({c for c in entete if entete.count(c) > 1})
        if manquantes or inconnues or doublons:
            details = []
            if manquantes:
                details.append(f"colonne(s) manquante(s) : {', '.join(manquantes)}")
            if inconnues:
                details.append(f"colonne(s) inconnue(s) : {', '.join(inconnues) or '(vide)'}")
            if doublons:
                details.append(f"colonne(s) en double : {', '.join(doublons)}")
            return erreur(1, f"En-tête incorrect ({' ; '.join(details)}). Colonnes attendues : {attendues}.")
        # Un champ entre guillemets peut couvrir plusieurs lignes : une ligne CSV est repérée par sa première ligne.
        debut = lecteur.line_num + 1
        for valeurs in lecteur:
            numero, debut = debut, lecteur.line_num + 1
            if not any(valeur.strip() for valeur in valeurs):
                continue
            lecture.lues += 1
            if len(valeurs) != len(entete):
                erreur(
                    numero,
                    f"La ligne compte {len(valeurs)} champ(s) au lieu de {len(entete)} : "
                    "vérifiez les virgules et les guillemets.",
                    illisible=False,
                )
                continue
            lecture.lignes.append((numero, dict(zip(entete, (v.strip() for v in valeurs), strict=True))))
    except csv.Error:
        lecture.lues += 1
        erreur(debut, "Ligne CSV mal formée (guillemet non fermé ou mal placé) : le fichier n'est pas lu au-delà.")
    return lecture


def _insee_invalide(valeur: str, colonne: str) -> str | None:
    if not valeur:
        return f"Le code INSEE est manquant (colonne {colonne})."
    try:
        validate_insee(valeur)
    except ValidationError as exc:
        return f"Le code INSEE « {valeur} » (colonne {colonne}) n'est pas valide. {exc.messages[0]}"
    return None


def _decimal(valeur: str, minimum: int, maximum: int) -> Decimal | None:
    """La coordonnée arrondie au cent-millième de degré (environ 1 m), ou None si elle est hors bornes."""
    try:
        nombre = Decimal(valeur)
    except InvalidOperation:
        return None
    if not nombre.is_finite() or not minimum <= nombre <= maximum:
        return None
    return nombre.quantize(UN_CENT_MILLIEME)


# --- Communes ----------------------------------------------------------------------------------------------------


def _valider_commune(valeurs: dict[str, str]) -> tuple[dict, list[str]]:
    """Les champs d'une `Commune` tirés d'une ligne, et les problèmes trouvés (hors `arrondissement_de` connu)."""
    problemes = []
    insee = valeurs["insee"]
    if message := _insee_invalide(insee, "insee"):
        problemes.append(message)

    nom = valeurs["nom"]
    if not nom:
        problemes.append("Le nom de la commune est manquant (colonne nom).")
    elif len(nom) > Commune._meta.get_field("nom").max_length:
        problemes.append(f"Le nom de la commune dépasse {Commune._meta.get_field('nom').max_length} caractères.")

    departement = valeurs["departement"]
    if not DEPARTEMENT_PATTERN.match(departement):
        problemes.append(
            f"Le département « {departement} » (colonne departement) n'est pas valide : "
            "il s'écrit 01 à 95, 2A, 2B ou 971 à 976."
        )
    elif not problemes and not insee.startswith(departement):
        problemes.append(f"Le code INSEE « {insee} » ne commence pas par celui de son département « {departement} ».")

    population = None
    if valeurs["population"]:
        if valeurs["population"].isascii() and valeurs["population"].isdigit():
            population = int(valeurs["population"])
        else:
            problemes.append(
                f"La population « {valeurs['population']} » (colonne population) doit être un nombre entier "
                "positif, ou rester vide."
            )

    codes_postaux = valeurs["codes_postaux"]
    if codes_postaux:
        if not all(CODE_POSTAL_PATTERN.match(code) for code in codes_postaux.split(";")):
            problemes.append(
                f"Les codes postaux « {codes_postaux} » (colonne codes_postaux) doivent comporter 5 chiffres "
                "chacun et être séparés par « ; »."
            )
        elif len(codes_postaux) > Commune._meta.get_field("codes_postaux").max_length:
            problemes.append("La liste des codes postaux est trop longue (400 caractères au plus).")

    latitude = longitude = None
    if valeurs["lat"] and (latitude := _decimal(valeurs["lat"], -90, 90)) is None:
        problemes.append(
            f"La latitude « {valeurs['lat']} » (colonne lat) doit être un nombre décimal entre -90 et 90, "
            "ou rester vide."
        )
    if valeurs["lon"] and (longitude := _decimal(valeurs["lon"], -180, 180)) is None:
        problemes.append(
            f"La longitude « {valeurs['lon']} » (colonne lon) doit être un nombre décimal entre -180 et 180, "
            "ou rester vide."
        )
    if bool(valeurs["lat"]) != bool(valeurs["lon"]):
        problemes.append("Renseignez la latitude et la longitude ensemble, ou laissez-les vides toutes les deux.")

    arrondissement_de = valeurs["arrondissement_de"] or None
    if arrondissement_de:
        if message := _insee_invalide(arrondissement_de, "arrondissement_de"):
            problemes.append(message)
        elif arrondissement_de == insee:
            problemes.append("Une commune ne peut pas être un arrondissement d'elle-même (colonne arrondissement_de).")

    champs = {
        "insee": insee,
        "nom": nom,
        "departement": departement,
        "codes_postaux": codes_postaux,
        "latitude": latitude,
        "longitude": longitude,
        "population": population,
        "arrondissement_de": arrondissement_de,
    }
    return champs, problemes


def _valeurs_commune(champs: dict) -> tuple:
    return tuple(champs[nom] for nom in CHAMPS_COMMUNE)


def _communes_en_base() -> dict[str, tuple]:
    colonnes = [nom if nom != "arrondissement_de" else "arrondissement_de_id" for nom in CHAMPS_COMMUNE]
    return {insee: tuple(reste) for insee, *reste in Commune.objects.order_by().values_list("insee", *colonnes)}


def _valider_communes(lecture: _Lecture, en_base: dict[str, tuple]) -> tuple[list[dict], set[str]]:
    """Les communes valides du fichier, et tous les codes INSEE bien formés qu'il contient."""
    lignes = [(numero, *_valider_commune(valeurs)) for numero, valeurs in lecture.lignes]

    # Premier passage : les codes du fichier, pour vérifier `arrondissement_de` quel que soit l'ordre des lignes.
    premiere_ligne: dict[str, int] = {}
    arrondissement_dans_fichier: dict[str, bool] = {}
    for numero, champs, _ in lignes:
        insee = champs["insee"]
        if _insee_invalide(insee, "insee") is None and insee not in premiere_ligne:
            premiere_ligne[insee] = numero
            arrondissement_dans_fichier[insee] = champs["arrondissement_de"] is not None

    valides = []
    for numero, champs, problemes in lignes:
        insee = champs["insee"]
        if premiere_ligne.get(insee, numero) != numero:
            problemes.append(
                f"Le code INSEE « {insee} » figure déjà ligne {premiere_ligne[insee]} : "
                "chaque commune ne doit apparaître qu'une fois."
            )
        commune = champs["arrondissement_de"]
        if commune and not any("arrondissement_de" in probleme for probleme in problemes):
            if commune in arrondissement_dans_fichier:
                est_arrondissement = arrondissement_dans_fichier[commune]
            elif commune in en_base:
                est_arrondissement = en_base[commune][-1] is not None
            else:
                est_arrondissement = None
            if est_arrondissement is None:
                problemes.append(
                    f"La commune « {commune} » (colonne arrondissement_de) ne figure ni dans le fichier "
                    "ni dans la base."
                )
            elif est_arrondissement:
                problemes.append(
                    f"« {commune} » (colonne arrondissement_de) est lui-même un arrondissement municipal : "
                    "indiquez le code de sa commune."
                )
        if problemes:
            lecture.erreurs.append(ErreurImport(lecture.fichier, numero, " ".join(problemes)))
        else:
            valides.append(champs)
    return valides, set(premiere_ligne)


def _ecrire_communes(valides: list[dict], en_base: dict[str, tuple], compteurs: Compteurs) -> None:
    a_ecrire = []
    for champs in valides:
        if compteurs.a_ecrire(en_base.get(champs["insee"]), _valeurs_commune(champs)):
            a_ecrire.append(champs)
    compteurs.absentes = len(en_base.keys() - {champs["insee"] for champs in valides})

    # Les communes d'abord, puis les arrondissements qui les désignent.
    for arrondissements in (False, True):
        objets = [
            Commune(
                insee=champs["insee"],
                arrondissement_de_id=champs["arrondissement_de"],
                **{nom: champs[nom] for nom in CHAMPS_COMMUNE if nom != "arrondissement_de"},
            )
            for champs in a_ecrire
            if (champs["arrondissement_de"] is not None) == arrondissements
        ]
        Commune.objects.bulk_create(
            objets,
            batch_size=TAILLE_LOT,
            update_conflicts=True,
            unique_fields=["insee"],
            update_fields=list(CHAMPS_COMMUNE),
        )


# --- Communes limitrophes ----------------------------------------------------------------------------------------


def _valider_limitrophes(
    lecture: _Lecture, communes_connues: set[str] | None, arrondissements: set[str]
) -> dict[tuple[str, str], str]:
    """Les paires valides du fichier : (insee_a, insee_b) -> contact.

    `communes_connues` vaut None quand le fichier des communes est illisible : l'existence des communes n'est
    alors pas vérifiée, pour ne pas noyer l'erreur du fichier des communes sous une erreur par paire.
    """
    *autres, dernier = [f"« {valeur} »" for valeur in Contact.values]
    contacts = f"{', '.join(autres)} ou {dernier}"
    paires: dict[tuple[str, str], str] = {}
    premiere_ligne: dict[tuple[str, str], int] = {}
    for numero, valeurs in lecture.lignes:
        problemes = []
        insee_a, insee_b, contact = valeurs["insee_a"], valeurs["insee_b"], valeurs["contact"]
        codes_valides = True
        for colonne, insee in (("insee_a", insee_a), ("insee_b", insee_b)):
            if message := _insee_invalide(insee, colonne):
                problemes.append(message)
                codes_valides = False
            elif insee in arrondissements:
                problemes.append(
                    f"« {insee} » (colonne {colonne}) est un arrondissement municipal : une paire relie deux "
                    "communes, utilisez le code de sa commune."
                )
            elif communes_connues is not None and insee not in communes_connues:
                problemes.append(
                    f"La commune « {insee} » (colonne {colonne}) ne figure ni dans le fichier des communes "
                    "ni dans la base."
                )
        if codes_valides and insee_a == insee_b:
            problemes.append(f"Une commune ne peut pas être limitrophe d'elle-même ({insee_a}).")
        elif codes_valides and insee_a > insee_b:
            problemes.append(
                f"Les codes doivent être dans l'ordre croissant, insee_a avant insee_b : écrivez {insee_b},{insee_a}."
            )
        if contact not in Contact.values:
            problemes.append(f"Le contact « {contact} » (colonne contact) doit valoir {contacts}.")
        cle = (insee_a, insee_b)
        if codes_valides and cle in premiere_ligne:
            problemes.append(
                f"La paire {insee_a}–{insee_b} figure déjà ligne {premiere_ligne[cle]} : "
                "chaque paire ne doit apparaître qu'une fois."
            )
        premiere_ligne.setdefault(cle, numero)
        if problemes:
            lecture.erreurs.append(ErreurImport(lecture.fichier, numero, " ".join(problemes)))
        else:
            paires[cle] = contact
    return paires


def _ecrire_limitrophes(paires: dict[tuple[str, str], str], compteurs: Compteurs) -> None:
    en_base = {
        (a, b): contact
        for a, b, contact in Limitrophe.objects.order_by().values_list("commune_a_id", "commune_b_id", "contact")
    }
    a_ecrire = []
    for (insee_a, insee_b), contact in paires.items():
        if compteurs.a_ecrire(en_base.get((insee_a, insee_b)), contact):
            a_ecrire.append(Limitrophe(commune_a_id=insee_a, commune_b_id=insee_b, contact=contact))
    compteurs.absentes = len(en_base.keys() - paires.keys())
    # Seul `contact` est mis à jour : `desservie_transports_publics` reste celui fixé par l'administration.
    Limitrophe.objects.bulk_create(
        a_ecrire,
        batch_size=TAILLE_LOT,
        update_conflicts=True,
        unique_fields=["commune_a", "commune_b"],
        update_fields=["contact"],
    )


def importer_communes(
    communes: Path | str, limitrophes: Path | str | None = None, *, enregistrer: bool = False
) -> RapportImport:
    """Importe les communes, puis les paires de communes limitrophes si un fichier est donné.

    Sans `enregistrer`, c'est un essai à blanc : tout est validé, écrit puis annulé.
    """
    rapport = RapportImport(titre="Import des communes et des communes limitrophes")
    with transaction.atomic():
        en_base = _communes_en_base()

        logger.info("Lecture des communes : %s", communes)
        lecture_communes = _lire_csv(Path(communes), COLONNES_COMMUNES)
        valides, codes_du_fichier = _valider_communes(lecture_communes, en_base)
        rapport.compteurs["communes"] = lecture_communes.compteurs("Communes")
        rapport.erreurs += lecture_communes.erreurs_par_ligne

        paires: dict[tuple[str, str], str] = {}
        if limitrophes is not None:
            logger.info("Lecture des communes limitrophes : %s", limitrophes)
            lecture_limitrophes = _lire_csv(Path(limitrophes), COLONNES_LIMITROPHES)
            arrondissements = {c["insee"] for c in valides if c["arrondissement_de"]} | {
                insee for insee, valeurs in en_base.items() if valeurs[-1] is not None and insee not in codes_du_fichier
            }
            communes_connues = None if lecture_communes.illisible else codes_du_fichier | en_base.keys()
            paires = _valider_limitrophes(lecture_limitrophes, communes_connues, arrondissements)
            rapport.compteurs["limitrophes"] = lecture_limitrophes.compteurs("Paires de communes limitrophes")
            rapport.erreurs += lecture_limitrophes.erreurs_par_ligne

        if rapport.erreurs:
            logger.warning("Import des communes refusé : %d erreur(s), rien n'est écrit.", len(rapport.erreurs))
            return rapport

        _ecrire_communes(valides, en_base, rapport.compteurs["communes"])
        if limitrophes is not None:
            _ecrire_limitrophes(paires, rapport.compteurs["limitrophes"])
        _conclure(rapport, enregistrer)
    return rapport


# --- Référentiels budgétaires ------------------------------------------------------------------------------------


def _valider_referentiel(lecture: _Lecture, modele: type[models.Model]) -> list[dict]:
    longueur_code = modele._meta.get_field("code").max_length
    longueur_libelle = modele._meta.get_field("libelle").max_length
    valides = []
    premiere_ligne: dict[str, int] = {}
    for numero, valeurs in lecture.lignes:
        problemes = []
        code, libelle = valeurs["code"], valeurs["libelle"]
        if not code:
            problemes.append("Le code est manquant (colonne code).")
        elif len(code) > longueur_code:
            problemes.append(f"Le code « {code} » dépasse {longueur_code} caractères.")
        elif code in premiere_ligne:
            problemes.append(
                f"Le code « {code} » figure déjà ligne {premiere_ligne[code]} : "
                "chaque code ne doit apparaître qu'une fois."
            )
        else:
            premiere_ligne[code] = numero
        if not libelle:
            problemes.append("Le libellé est manquant (colonne libelle).")
        elif len(libelle) > longueur_libelle:
            problemes.append(f"Le libellé dépasse {longueur_libelle} caractères.")
        actif = VALEURS_ACTIF.get((valeurs.get("actif") or "oui").lower())
        if actif is None:
            problemes.append(
                f"La valeur « {valeurs['actif']} » (colonne actif) doit être oui, non, 1, 0, true ou false "
                "(vide : oui)."
            )
        if problemes:
            lecture.erreurs.append(ErreurImport(lecture.fichier, numero, " ".join(problemes)))
        else:
            valides.append({"code": code, "libelle": libelle, "actif": actif})
    return valides


def importer_referentiel_budgetaire(
    modele: type[models.Model], chemin: Path | str, *, enregistrer: bool = False
) -> RapportImport:
    """Importe un référentiel budgétaire (`code,libelle[,actif]`) : crée ou met à jour par code."""
    libelle = str(modele._meta.verbose_name_plural)
    rapport = RapportImport(titre=f"Import des {libelle}")
    with transaction.atomic():
        logger.info("Lecture des %s : %s", libelle, chemin)
        lecture = _lire_csv(Path(chemin), COLONNES_REFERENTIEL, COLONNES_REFERENTIEL_FACULTATIVES)
        valides = _valider_referentiel(lecture, modele)
        compteurs = rapport.compteurs["referentiel"] = lecture.compteurs(libelle.capitalize())
        rapport.erreurs += lecture.erreurs_par_ligne
        if rapport.erreurs:
            logger.warning("Import des %s refusé : %d erreur(s), rien n'est écrit.", libelle, len(rapport.erreurs))
            return rapport

        en_base = {
            code: (lib, actif) for code, lib, actif in modele.objects.order_by().values_list("code", "libelle", "actif")
        }
        a_ecrire = []
        for ligne in valides:
            if compteurs.a_ecrire(en_base.get(ligne["code"]), (ligne["libelle"], ligne["actif"])):
                a_ecrire.append(modele(**ligne))
        compteurs.absentes = len(en_base.keys() - {ligne["code"] for ligne in valides})
        modele.objects.bulk_create(
            a_ecrire,
            batch_size=TAILLE_LOT,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["libelle", "actif"],
        )
        _conclure(rapport, enregistrer)
    return rapport


# --- Commun ------------------------------------------------------------------------------------------------------


def _conclure(rapport: RapportImport, enregistrer: bool) -> None:
    """Valide la transaction ou, pour un essai à blanc, l'annule en gardant les comptes."""
    for cle, compteurs in rapport.compteurs.items():
        logger.info(
            "%s : %d nouvelle(s), %d modifiée(s), %d inchangée(s), %d absente(s) du fichier conservée(s).",
            cle,
            compteurs.creees,
            compteurs.modifiees,
            compteurs.inchangees,
            compteurs.absentes,
        )
    if enregistrer:
        rapport.enregistre = True
        logger.info("%s : enregistré.", rapport.titre)
    else:
        transaction.set_rollback(True)
        logger.info("%s : essai à blanc, annulé.", rapport.titre)
