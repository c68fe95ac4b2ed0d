"""Distances entre communes : le distancier de l'académie, sinon une estimation à vol d'oiseau corrigée.

- `distance_orthodromique_km` et `estimation_routiere_km` sont des calculs purs (méthode dans docs/calendrier.md).
- `km_de_reference` lit le distancier (`Distance`), sinon estime à partir des points de référence des communes.
- `importer_distancier` charge un fichier CSV `insee_a,insee_b,km` : tout est validé avant d'écrire, tout ou rien,
  et un nouvel import du même fichier ne change rien.
"""

import csv
import io
import logging
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

from agents.imports import Compteurs, ErreurImport, RapportImport
from agents.models import Commune
from agents.validators import validate_insee
from missions.enums import SourceKm
from missions.models import Distance

logger = logging.getLogger(__name__)

RAYON_TERRE_KM = Decimal("6371")
# Coefficient de détour : la route est en moyenne 30 % plus longue que la ligne droite entre deux communes.
COEFFICIENT_ROUTIER = Decimal("1.3")
UN_DIXIEME = Decimal("0.1")
UN_MILLIEME = Decimal("0.001")

COLONNES_DISTANCIER = ("insee_a", "insee_b", "km")
KM_MAX = Decimal("9999999.9")  # max_digits=8, decimal_places=1
TAILLE_LOT = 2000


class DistanceInconnue(Exception):
    """Ni le distancier ni les points de référence des communes ne donnent de distance."""


# --- Calculs purs -------------------------------------------------------------------------------------------------


def _orthodromie(lat1, lon1, lat2, lon2) -> Decimal:
    """La distance du grand cercle (formule de haversine), non arrondie."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    delta_phi = phi2 - phi1
    delta_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(delta_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    angle = 2 * math.asin(min(1.0, math.sqrt(a)))
    return Decimal(repr(angle)) * RAYON_TERRE_KM


def distance_orthodromique_km(lat1, lon1, lat2, lon2) -> Decimal:
    """La distance à vol d'oiseau entre deux points (degrés WGS 84), en km au mètre près.

    Formule de haversine sur une sphère de 6 371 km de rayon.
    """
    return _orthodromie(lat1, lon1, lat2, lon2).quantize(UN_MILLIEME, rounding=ROUND_HALF_UP)


def estimation_routiere_km(lat1, lon1, lat2, lon2) -> Decimal:
    """La distance routière estimée : vol d'oiseau × 1,3, arrondie une fois au dixième de km (ROUND_HALF_UP)."""
    return (_orthodromie(lat1, lon1, lat2, lon2) * COEFFICIENT_ROUTIER).quantize(UN_DIXIEME, rounding=ROUND_HALF_UP)


# --- Sélecteur ----------------------------------------------------------------------------------------------------


def _paire(insee_a: str, insee_b: str) -> tuple[str, str]:
    return (insee_a, insee_b) if insee_a < insee_b else (insee_b, insee_a)


def _distancier(insee_a: str, insee_b: str) -> Decimal | None:
    commune_a, commune_b = _paire(insee_a, insee_b)
    return Distance.objects.filter(commune_a_id=commune_a, commune_b_id=commune_b).values_list("km", flat=True).first()


def km_de_reference(commune_a: Commune, commune_b: Commune) -> tuple[Decimal, SourceKm]:
    """Les kilomètres de référence (aller) entre deux communes, et leur origine.

    1. Le distancier de l'académie pour la paire ; pour un arrondissement municipal (Paris, Lyon, Marseille)
       absent du distancier, celui de sa commune.
    2. Sinon l'estimation routière à partir des points de référence des deux communes (un arrondissement garde
       le sien, plus précis que celui de sa commune).

    Deux fois la même commune : 0 km. Lève `DistanceInconnue` si une commune n'a pas de point de référence.
    """
    if commune_a.pk == commune_b.pk:
        return Decimal("0.0"), SourceKm.ESTIMATION
    paires = [(commune_a.pk, commune_b.pk)]
    rattachement = (commune_a.commune_de_rattachement.pk, commune_b.commune_de_rattachement.pk)
    if rattachement != paires[0] and rattachement[0] != rattachement[1]:
        paires.append(rattachement)
    for insee_a, insee_b in paires:
        km = _distancier(insee_a, insee_b)
        if km is not None:
            return km, SourceKm.DISTANCIER
    points = (commune_a.latitude, commune_a.longitude, commune_b.latitude, commune_b.longitude)
    if any(valeur is None for valeur in points):
        sans_point = commune_a if commune_a.latitude is None or commune_a.longitude is None else commune_b
        raise DistanceInconnue(
            f"La distance entre {commune_a.nom} et {commune_b.nom} est inconnue : {sans_point.nom} n'a pas de point "
            "de référence et la paire n'est pas au distancier. Indiquez les kilomètres."
        )
    return estimation_routiere_km(*points), SourceKm.ESTIMATION


# --- Import du distancier -----------------------------------------------------------------------------------------


def _texte(source: Path | str | IO) -> tuple[str, str]:
    """Le contenu du fichier (UTF-8, BOM toléré) et son nom pour les messages."""
    if isinstance(source, str | Path):
        chemin = Path(source)
        return chemin.read_bytes().decode("utf-8-sig"), chemin.name
    contenu = source.read()
    nom = Path(getattr(source, "name", "") or "distancier.csv").name
    if isinstance(contenu, bytes):
        contenu = contenu.decode("utf-8-sig")
    return contenu.removeprefix("\ufeff"), nom


def _km(valeur: str) -> Decimal | None:
    """Des kilomètres positifs, au dixième au plus (« 12.5 » ou « 12,5 »), ou None."""
    try:
        km = Decimal(valeur.replace(",", "."))
    except InvalidOperation:
        return None
    if not km.is_finite() or km <= 0 or km > KM_MAX or km != km.quantize(UN_DIXIEME):
        return None
    return km.quantize(UN_DIXIEME)


def _insee_invalide(valeur: str, colonne: str) -> str | None:
    if not valeur:
        return f"Le code INSEE est manquant (colonne {colonne})."
    try:
        validate_insee(valeur)
    except ValidationError as exc:
        return f"Le code INSEE « {valeur} » (colonne {colonne}) n'est pas valide. {exc.messages[0]}"
    return None


def _lire(texte: str, fichier: str, rapport: RapportImport, compteurs: Compteurs) -> list[tuple[int, list[str]]]:
    """Les lignes de données avec leur numéro (l'en-tête est la ligne 1) ; les erreurs de forme vont au rapport."""

    def erreur(ligne, message):
        rapport.erreurs.append(ErreurImport(fichier, ligne, message))

    lecteur = csv.reader(io.StringIO(texte, newline=""), strict=True)
    lignes: list[tuple[int, list[str]]] = []
    try:
        entete = next(lecteur, None)
        if entete is None:
            erreur(1, "Le fichier est vide : la ligne 1 doit être l'en-tête insee_a,insee_b,km.")
            return []
        if [colonne.strip() for colonne in entete] != list(COLONNES_DISTANCIER):
            erreur(
                1, f"En-tête incorrect (« {','.join(entete)} ») : la ligne 1 doit être exactement insee_a,insee_b,km."
            )
            return []
        debut = lecteur.line_num + 1
        for valeurs in lecteur:
            numero, debut = debut, lecteur.line_num + 1
            if not any(valeur.strip() for valeur in valeurs):
                continue
            compteurs.lues += 1
            if len(valeurs) != len(COLONNES_DISTANCIER):
                erreur(numero, f"La ligne compte {len(valeurs)} champ(s) au lieu de 3 : vérifiez les virgules.")
                continue
            lignes.append((numero, [valeur.strip() for valeur in valeurs]))
    except csv.Error:
        compteurs.lues += 1
        erreur(debut, "Ligne CSV mal formée (guillemet non fermé ou mal placé) : le fichier n'est pas lu au-delà.")
    return lignes


def importer_distancier(source: Path | str | IO, *, enregistrer: bool = False) -> RapportImport:
    """Importe le distancier depuis un fichier CSV `insee_a,insee_b,km` (chemin ou fichier ouvert).

    L'ordre des deux communes est libre (la paire est rangée dans l'ordre croissant des codes). Les kilomètres
    sont positifs, au dixième au plus, avec un point ou une virgule décimale. Toutes les lignes sont validées
    avant d'écrire : au moindre problème, rien n'est écrit et le rapport donne chaque erreur avec son numéro de
    ligne. Seules les paires nouvelles ou dont les kilomètres changent sont écrites ; rien n'est supprimé.
    Sans `enregistrer`, c'est un essai à blanc : le rapport dit ce qui serait fait, rien n'est écrit.
    """
    rapport = RapportImport(titre="Import du distancier")
    try:
        texte, fichier = _texte(source)
    except UnicodeDecodeError:
        nom = Path(str(source)).name if isinstance(source, str | Path) else "distancier.csv"
        rapport.erreurs.append(ErreurImport(nom, None, "Caractère illisible : le fichier doit être encodé en UTF-8."))
        return rapport
    compteurs = rapport.compteurs.setdefault("distancier", Compteurs("Distancier", fichier))
    lignes = _lire(texte, fichier, rapport, compteurs)

    codes = {valeur for _, valeurs in lignes for valeur in valeurs[:2]}
    connues = set(Commune.objects.filter(insee__in=codes).values_list("insee", flat=True))
    paires: dict[tuple[str, str], Decimal] = {}
    premiere_ligne: dict[tuple[str, str], int] = {}
    for numero, (insee_a, insee_b, valeur_km) in lignes:
        problemes = []
        codes_valides = True
        for colonne, insee in (("insee_a", insee_a), ("insee_b", insee_b)):
            if message := _insee_invalide(insee, colonne):
                problemes.append(message)
                codes_valides = False
            elif insee not in connues:
                problemes.append(f"La commune « {insee} » (colonne {colonne}) n'existe pas dans le référentiel.")
                codes_valides = False
        if codes_valides and insee_a == insee_b:
            problemes.append(f"Les deux communes sont identiques ({insee_a}) : une distance relie deux communes.")
        km = _km(valeur_km)
        if km is None:
            problemes.append(
                f"Les kilomètres « {valeur_km} » (colonne km) doivent être un nombre positif, au dixième au plus "
                "(par exemple 12.5)."
            )
        cle = _paire(insee_a, insee_b)
        if codes_valides and cle in premiere_ligne:
            problemes.append(
                f"La paire {cle[0]}–{cle[1]} figure déjà ligne {premiere_ligne[cle]} : "
                "chaque paire ne doit apparaître qu'une fois, dans un sens ou dans l'autre."
            )
        premiere_ligne.setdefault(cle, numero)
        if problemes:
            rapport.erreurs.append(ErreurImport(fichier, numero, " ".join(problemes)))
        else:
            paires[cle] = km
    compteurs.rejetees = len({erreur.ligne for erreur in rapport.erreurs if erreur.ligne and erreur.ligne > 1})
    if rapport.erreurs:
        return rapport

    en_base = {
        (a, b): km
        for a, b, km in Distance.objects.filter(
            commune_a_id__in={a for a, _ in paires}, commune_b_id__in={b for _, b in paires}
        ).values_list("commune_a_id", "commune_b_id", "km")
    }
    a_ecrire = []
    for (insee_a, insee_b), km in paires.items():
        if compteurs.a_ecrire(en_base.get((insee_a, insee_b)), km):
            a_ecrire.append(Distance(commune_a_id=insee_a, commune_b_id=insee_b, km=km, source=fichier))
    if enregistrer:
        # Un seul ordre d'écriture par lot : une paire créée entre-temps par un autre import est mise à jour.
        with transaction.atomic():
            Distance.objects.bulk_create(
                a_ecrire,
                batch_size=TAILLE_LOT,
                update_conflicts=True,
                unique_fields=["commune_a", "commune_b"],
                update_fields=["km", "source"],
            )
        rapport.enregistre = True
        logger.info(
            "Distancier importé depuis %s : %s créée(s), %s modifiée(s).",
            fichier,
            compteurs.creees,
            compteurs.modifiees,
        )
    return rapport
