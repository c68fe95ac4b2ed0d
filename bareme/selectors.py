"""Lectures des barèmes : la version en vigueur à une date, les taux en données simples pour `bareme.calcul`,
les communes vues par le calcul (zone, éligibilité) et les simulations (lecture + calcul, sans écriture)."""

import datetime
import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from agents.models import Commune, Limitrophe
from bareme import calcul, referentiel
from bareme.enums import TYPE_PAR_VEHICULE, TYPES_IK, TypeBareme
from bareme.models import Bareme, TauxIK, TauxMission

CODE_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
CODE_INSEE_DANS_SAISIE = re.compile(r"(?<![0-9A-Z])(\d{5}|2[AB]\d{3})(?![0-9A-Z])")


def version_en_vigueur(type_bareme: str, jour: datetime.date) -> Bareme | None:
    """La version d'un type en vigueur à cette date (au plus une : les périodes ne se chevauchent pas)."""
    return Bareme.objects.du_type(type_bareme).en_vigueur_le(jour).order_by("-date_debut").first()


def _avec_taux(versions: QuerySet[Bareme], *, ik: bool = True, mission: bool = True) -> QuerySet[Bareme]:
    prefetch = []
    if ik:
        prefetch.append(Prefetch("taux_ik", queryset=TauxIK.objects.order_by("classe", "km_min", "pk")))
    if mission:
        prefetch.append(Prefetch("taux_mission", queryset=TauxMission.objects.order_by("zone", "pk")))
    return versions.prefetch_related(*prefetch)


def version_ik(bareme: Bareme) -> calcul.VersionIK:
    tranches: dict[str, list[calcul.Tranche]] = {}
    for taux in sorted(bareme.taux_ik.all(), key=lambda taux: (taux.classe, taux.km_min)):
        tranches.setdefault(taux.classe, []).append(taux.tranche)
    return calcul.VersionIK(
        libelle=bareme.libelle,
        date_debut=bareme.date_debut,
        date_fin=bareme.date_fin,
        tranches={classe: tuple(liste) for classe, liste in tranches.items()},
        minimum=bareme.montant_minimum,
        date_publication=bareme.texte_publication,
    )


def version_forfaits(bareme: Bareme) -> calcul.VersionForfaits:
    return calcul.VersionForfaits(
        libelle=bareme.libelle,
        date_debut=bareme.date_debut,
        date_fin=bareme.date_fin,
        montants={taux.zone: taux.montant for taux in bareme.taux_mission.all()},
        date_publication=bareme.texte_publication,
    )


# Les versions en données simples, gardées par processus : chaque page qui calcule un montant les relisait toutes
# (quatre requêtes et une cinquantaine d'objets). Le cache est vérifié à chaque lecture par une empreinte du contenu
# des trois tables, calculée par PostgreSQL en une requête (0,2 ms) : une version créée, close, supprimée ou un taux
# corrigé, par ce processus ou par un autre (les autres travailleurs gunicorn, le travailleur de tâches), dans
# l'admin ou par `QuerySet.update`, change l'empreinte et est pris en compte à la lecture suivante. Des signaux
# n'auraient prévenu que le processus qui écrit, et ni `bulk_create` (les taux d'une version) ni une transaction
# annulée ne les émettent.
_TABLES_BAREME = (Bareme, TauxIK, TauxMission)
_versions_en_cache: tuple[str | None, dict] = (None, {})


def empreinte_baremes() -> str:
    """Une empreinte (md5) de toutes les lignes des versions et de leurs taux, toutes colonnes comprises."""
    morceaux = ", '#', ".join(
        f"(SELECT string_agg(ligne::text, ';' ORDER BY ligne.id) FROM {modele._meta.db_table} AS ligne)"
        for modele in _TABLES_BAREME
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(concat({morceaux}))")
        return cursor.fetchone()[0]


def _en_cache(cle: tuple, lire: Callable[[], list]) -> list:
    """Les versions de `cle`, lues par `lire` si les barèmes ont changé depuis la dernière lecture (nouvelle liste à
    chaque appel ; les versions elles-mêmes sont partagées : à ne pas modifier)."""
    global _versions_en_cache
    if connection.vendor != "postgresql":  # l'empreinte s'écrit en SQL de PostgreSQL ; la démo SQLite relit tout
        return lire()
    empreinte = empreinte_baremes()
    connue, valeurs = _versions_en_cache
    if connue != empreinte:
        valeurs = {}
        _versions_en_cache = (empreinte, valeurs)
    if cle not in valeurs:
        valeurs[cle] = lire()
    return list(valeurs[cle])


def _lire_versions_ik(types: list[str]) -> list[calcul.VersionIK]:
    versions = _avec_taux(Bareme.objects.filter(type__in=types).order_by("type", "date_debut", "pk"), mission=False)
    return [version_ik(bareme) for bareme in versions]


def _lire_versions_forfaits(type_bareme: str) -> list[calcul.VersionForfaits]:
    versions = _avec_taux(Bareme.objects.du_type(type_bareme).order_by("date_debut", "pk"), ik=False)
    return [version_forfaits(bareme) for bareme in versions]


def versions_ik(types: Iterable[str] = TYPES_IK) -> list[calcul.VersionIK]:
    """Toutes les versions IK des types donnés, en données simples (pour calculer des milliers de lignes sans revenir
    à la base) : une requête (l'empreinte) quand rien n'a changé, trois sinon."""
    types = list(types)
    return _en_cache(("ik", *types), lambda: _lire_versions_ik(types))


def versions_forfaits(type_bareme: str) -> list[calcul.VersionForfaits]:
    """Les versions de repas ou de nuitées d'un type, comme `versions_ik`."""
    return _en_cache(("forfaits", type_bareme), lambda: _lire_versions_forfaits(type_bareme))


@functools.cache
def grand_paris() -> calcul.PerimetreGrandParis:
    """Le périmètre de la Métropole du Grand Paris, lu une fois dans `data/bareme/grand_paris.csv`."""
    return referentiel.lire_grand_paris()


# Communes.


def commune_par_code(code: str) -> Commune | None:
    return Commune.objects.select_related("arrondissement_de").filter(insee=code.strip().upper()).first()


def communes_par_nom(nom: str) -> list[Commune]:
    """Les communes (et arrondissements) qui portent exactement ce nom, les plus peuplées d'abord."""
    return list(
        Commune.objects.select_related("arrondissement_de")
        .filter(nom__iexact=nom.strip())
        .order_by("-population", "insee")[:5]
    )


def code_dans_saisie(saisie: str) -> str | None:
    """Le code INSEE d'une saisie : « 06088 » ou « Nice (06088) »."""
    trouve = CODE_INSEE_DANS_SAISIE.search(saisie.upper())
    return trouve.group(1) if trouve else None


def communes_suggerees(saisie: str, limite: int = 10) -> list[Commune]:
    """Les communes dont le nom ou le code INSEE commence par la saisie, les plus peuplées d'abord."""
    saisie = saisie.strip()
    if len(saisie) < 2:
        return []
    if saisie[:2].isdigit() or saisie[:2].upper() in ("2A", "2B"):
        condition = Q(insee__startswith=saisie.upper())
    else:
        condition = Q(nom__istartswith=saisie)
    return list(Commune.objects.filter(condition).order_by("-population", "nom", "insee")[:limite])


def lieu_mission(commune: Commune) -> calcul.LieuMission:
    """La commune de la mission pour le calcul : un arrondissement compte pour sa ville."""
    ville = commune.commune_de_rattachement
    return calcul.LieuMission(
        insee=ville.insee,
        nom=ville.nom,
        departement=ville.departement,
        population=ville.population,
        arrondissement=commune.nom if commune.arrondissement_de_id else None,
    )


def lieu_eligibilite(commune: Commune) -> calcul.LieuEligibilite:
    ville = commune.commune_de_rattachement
    latitude, longitude = ville.latitude, ville.longitude
    return calcul.LieuEligibilite(
        insee=ville.insee,
        nom=ville.nom,
        latitude=None if latitude is None else float(latitude),
        longitude=None if longitude is None else float(longitude),
    )


def paires_desservies(codes: Iterable[str]) -> frozenset[frozenset[str]]:
    """Les paires limitrophes desservies par les transports publics parmi ces communes."""
    codes = list(set(codes))
    paires = Limitrophe.objects.filter(
        commune_a_id__in=codes, commune_b_id__in=codes, desservie_transports_publics=True
    ).values_list("commune_a_id", "commune_b_id")
    return frozenset(calcul.paire(a, b) for a, b in paires)


# Simulations : lecture des taux, puis calcul pur.


def simuler_ik(
    *, date: datetime.date, vehicule: str, km: Decimal, cv: int | None = None, trajets: int = 1, cumul: Decimal = 0
) -> calcul.ResultatIK:
    """Une ligne d'IK au barème en vigueur à sa date ; `calcul.ErreurCalcul` si les données ne le permettent pas."""
    classe = calcul.classe_vehicule(vehicule, cv)
    ligne = calcul.LigneIK(date=date, classe=classe, distance=Decimal(km), trajets=trajets)
    return calcul.calculer_ik(ligne, versions_ik([TYPE_PAR_VEHICULE[vehicule]]), Decimal(cumul))


def simuler_mission(
    *,
    depart: datetime.datetime,
    retour: datetime.datetime,
    commune: Commune,
    repas: str = calcul.REPAS_PLEIN,
    nuitee: str = calcul.NUITEE_PAYANTE,
    rqth: bool = False,
) -> calcul.ResultatMission:
    mission = calcul.Mission(depart, retour, lieu_mission(commune), repas=repas, nuitee=nuitee, rqth=rqth)
    return calcul.calculer_mission(
        mission, versions_forfaits(TypeBareme.REPAS), versions_forfaits(TypeBareme.NUITEE), grand_paris()
    )


def simuler_eligibilite(
    *, residence_administrative: Commune, residence_familiale: Commune, destination: Commune
) -> calcul.ResultatEligibilite:
    lieux = [lieu_eligibilite(commune) for commune in (residence_administrative, residence_familiale, destination)]
    return calcul.eligibilite(
        residence_administrative=lieux[0],
        residence_familiale=lieux[1],
        destination=lieux[2],
        paires_desservies=paires_desservies(lieu.insee for lieu in lieux),
    )


# Page « Barèmes ».


def versions_par_type() -> list[dict]:
    """Les versions de chaque type, la plus récente d'abord, avec leurs taux (nombre de requêtes constant)."""
    versions = list(_avec_taux(Bareme.objects.order_by("type", "-date_debut", "-pk")))
    return [
        {
            "type": type_bareme,
            "libelle": type_bareme.label,
            "versions": [version for version in versions if version.type == type_bareme],
        }
        for type_bareme in TypeBareme
    ]


def version_avec_taux(pk: int) -> Bareme:
    return _avec_taux(Bareme.objects.select_related("created_by")).get(pk=pk)


def est_derniere_version(version: Bareme) -> bool:
    return not Bareme.objects.filter(type=version.type, date_debut__gt=version.date_debut).exists()
