"""Écritures sur les barèmes : créer une version, créer la suivante, clore, supprimer.

Une version qui a déjà servi au calcul d'un ordre soumis ou validé ne peut plus être modifiée ni supprimée : elle ne
peut qu'être suivie d'une nouvelle version. Les ordres vivent dans d'autres applications ; ils se déclarent ici par
deux registres, remplis au démarrage (dans `AppConfig.ready()`) :

    from bareme import services

    @services.utilisations.enregistrer
    def ordres_utilisant(version) -> bool:
        # Vrai si un ordre soumis ou validé a été calculé avec cette version.
        return LigneIK.objects.filter(bareme=version, ordre__etat__in=SOUMIS_OU_VALIDES).exists()

    @services.regularisations.enregistrer
    def ordres_a_regulariser(version) -> Iterable[services.OrdreConcerne]:
        # Les ordres dont un trajet tombe dans la période de la version mais qui ont été calculés avec une autre.
        ...

`version_est_utilisee()` et `ordres_a_regulariser()` interrogent ces registres ; sans inscription, aucune version
n'est utilisée et il n'y a rien à régulariser.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bareme.enums import CLASSES_PAR_TYPE, TYPES_IK, ZONES_PAR_TYPE, ClasseVehicule, TypeBareme, ZoneMission
from bareme.models import Bareme, TauxIK, TauxMission

MESSAGE_VERSION_UTILISEE = (
    "La version « {libelle} » a déjà servi au calcul d'ordres de mission soumis ou validés : elle ne peut plus être "
    "modifiée ni supprimée. Pour changer les taux, créez une nouvelle version qui lui succède."
)


class Registre:
    """Une liste de fonctions que d'autres applications inscrivent (décorateur `enregistrer`)."""

    def __init__(self, description: str):
        self.description = description
        self._fonctions: list[Callable] = []

    def enregistrer(self, fonction: Callable) -> Callable:
        if fonction not in self._fonctions:
            self._fonctions.append(fonction)
        return fonction

    def retirer(self, fonction: Callable) -> None:
        if fonction in self._fonctions:
            self._fonctions.remove(fonction)

    def __iter__(self) -> Iterator[Callable]:
        return iter(list(self._fonctions))


@dataclass(frozen=True)
class OrdreConcerne:
    """Un ordre touché par une version rétroactive, tel qu'une autre application le décrit."""

    libelle: str
    url: str = ""
    etat: str = ""


utilisations = Registre("fonction(version) -> bool : un ordre soumis ou validé a-t-il été calculé avec la version ?")
regularisations = Registre(
    "fonction(version) -> Iterable[OrdreConcerne] : ordres dont un trajet tombe dans la période de la version, "
    "calculés avec une autre"
)


def version_est_utilisee(version: Bareme) -> bool:
    return any(fonction(version) for fonction in utilisations)


def ordres_a_regulariser(version: Bareme) -> list[OrdreConcerne]:
    return [ordre for fonction in regularisations for ordre in fonction(version)]


def verifier_modifiable(version: Bareme) -> None:
    if version.pk and version_est_utilisee(version):
        raise ValidationError(MESSAGE_VERSION_UTILISEE.format(libelle=version.libelle), code="version_utilisee")


# Vérification des taux.


@dataclass(frozen=True)
class LigneTauxIK:
    classe: str
    km_min: int
    km_max: int | None
    taux: Decimal


@dataclass(frozen=True)
class LigneTauxMission:
    zone: str
    montant: Decimal


def verifier_tranches(type_bareme: str, lignes: Iterable[LigneTauxIK]) -> None:
    """Chaque classe du type a des tranches contiguës : la première part de 0 (ou 1), chacune commence au kilomètre
    qui suit la fin de la précédente, seule la dernière est ouverte ; chaque taux est positif."""
    classes_attendues = CLASSES_PAR_TYPE[type_bareme]
    par_classe: dict[str, list[LigneTauxIK]] = {}
    erreurs = []
    for ligne in lignes:
        if ligne.classe not in classes_attendues:
            erreurs.append(
                f"La classe « {ClasseVehicule(ligne.classe).label} » n'appartient pas au barème "
                f"« {TypeBareme(type_bareme).label} »."
            )
            continue
        par_classe.setdefault(ligne.classe, []).append(ligne)
    for classe in classes_attendues:
        libelle = ClasseVehicule(classe).label
        tranches = sorted(par_classe.get(classe, []), key=lambda ligne: ligne.km_min)
        if not tranches:
            erreurs.append(f"{libelle} : indiquez au moins une tranche.")
            continue
        if tranches[0].km_min > 1:
            erreurs.append(f"{libelle} : la première tranche doit commencer au premier kilomètre (0 ou 1).")
        for ligne in tranches:
            if ligne.taux is None or ligne.taux <= 0:
                erreurs.append(f"{libelle} : chaque taux doit être positif.")
            if ligne.km_max is not None and ligne.km_max < ligne.km_min:
                erreurs.append(f"{libelle} : la tranche qui commence à {ligne.km_min} km finit avant de commencer.")
        for precedente, suivante in zip(tranches, tranches[1:], strict=False):
            if precedente.km_max is None:
                erreurs.append(f"{libelle} : seule la dernière tranche peut être sans limite.")
            elif suivante.km_min != precedente.km_max + 1:
                erreurs.append(
                    f"{libelle} : les tranches doivent se suivre sans trou ni chevauchement ; après une tranche qui "
                    f"finit à {precedente.km_max} km, la suivante commence à {precedente.km_max + 1} km "
                    f"(et non à {suivante.km_min} km)."
                )
        if tranches[-1].km_max is not None:
            erreurs.append(f"{libelle} : la dernière tranche doit être sans limite (« à » vide).")
    if erreurs:
        raise ValidationError(list(dict.fromkeys(erreurs)), code="tranches")


def verifier_zones(type_bareme: str, lignes: Iterable[LigneTauxMission]) -> None:
    """Chaque zone du type a exactement un montant positif."""
    zones_attendues = ZONES_PAR_TYPE[type_bareme]
    erreurs = []
    vues: list[str] = []
    for ligne in lignes:
        if ligne.zone not in zones_attendues:
            erreurs.append(
                f"La zone « {ZoneMission(ligne.zone).label} » n'appartient pas au barème "
                f"« {TypeBareme(type_bareme).label} »."
            )
        elif ligne.zone in vues:
            erreurs.append(f"La zone « {ZoneMission(ligne.zone).label} » a plusieurs montants.")
        if ligne.montant is None or ligne.montant <= 0:
            erreurs.append(f"{ZoneMission(ligne.zone).label} : le montant doit être positif.")
        vues.append(ligne.zone)
    erreurs += [f"{ZoneMission(zone).label} : indiquez un montant." for zone in zones_attendues if zone not in vues]
    if erreurs:
        raise ValidationError(list(dict.fromkeys(erreurs)), code="zones")


# Actions.


@transaction.atomic
def creer_version(
    *,
    type: str,
    date_debut: datetime.date,
    texte_reference: str,
    texte_date: datetime.date,
    date_fin: datetime.date | None = None,
    texte_titre: str = "",
    texte_publication: datetime.date | None = None,
    texte_lien: str = "",
    texte_code: str = "",
    montant_minimum: Decimal | None = None,
    taux_ik: Iterable[LigneTauxIK] = (),
    taux_mission: Iterable[LigneTauxMission] = (),
    par=None,
) -> Bareme:
    """Crée une version complète : période sans chevauchement, tranches contiguës ou zones complètes."""
    # Verrouille les versions du type : deux créations simultanées ne peuvent pas se croiser.
    list(Bareme.objects.select_for_update().filter(type=type).values_list("pk", flat=True))
    bareme = Bareme(
        type=type,
        date_debut=date_debut,
        date_fin=date_fin,
        texte_reference=texte_reference,
        texte_titre=texte_titre,
        texte_date=texte_date,
        texte_publication=texte_publication,
        texte_lien=texte_lien,
        texte_code=texte_code,
        montant_minimum=montant_minimum,
        created_by=par,
    )
    bareme.full_clean()
    taux_ik, taux_mission = list(taux_ik), list(taux_mission)
    if type in TYPES_IK:
        if taux_mission:
            raise ValidationError("Un barème d'indemnités kilométriques n'a pas de taux par zone.")
        verifier_tranches(type, taux_ik)
    else:
        if taux_ik:
            raise ValidationError("Un barème de repas ou de nuitées n'a pas de taux kilométriques.")
        verifier_zones(type, taux_mission)
    try:
        with transaction.atomic():
            bareme.save()
    except IntegrityError as erreur:
        raise ValidationError(
            {"date_debut": "Cette période chevauche celle d'une autre version de ce barème."}
        ) from erreur
    TauxIK.objects.bulk_create(
        TauxIK(bareme=bareme, classe=ligne.classe, km_min=ligne.km_min, km_max=ligne.km_max, taux=ligne.taux)
        for ligne in taux_ik
    )
    TauxMission.objects.bulk_create(
        TauxMission(bareme=bareme, zone=ligne.zone, montant=ligne.montant) for ligne in taux_mission
    )
    return bareme


def lignes_taux(version: Bareme) -> tuple[list[LigneTauxIK], list[LigneTauxMission]]:
    """Les taux d'une version, sous la forme attendue par `creer_version` (pour pré-remplir la suivante)."""
    taux_ik = [
        LigneTauxIK(taux.classe, taux.km_min, taux.km_max, taux.taux)
        for taux in sorted(version.taux_ik.all(), key=lambda taux: (taux.classe, taux.km_min))
    ]
    taux_mission = [
        LigneTauxMission(taux.zone, taux.montant) for taux in sorted(version.taux_mission.all(), key=lambda t: t.zone)
    ]
    return taux_ik, taux_mission


@transaction.atomic
def creer_version_suivante(*, precedente: Bareme, date_debut: datetime.date, par=None, **donnees) -> Bareme:
    """Crée la version qui succède à la dernière version d'un type, et clôt celle-ci la veille.

    La nouvelle version peut commencer dans le passé (texte rétroactif) : la précédente est alors raccourcie, même si
    elle a déjà servi ; les ordres touchés sont listés par `ordres_a_regulariser()` pour régularisation.
    """
    precedente = Bareme.objects.select_for_update().get(pk=precedente.pk)
    if Bareme.objects.filter(type=precedente.type, date_debut__gt=precedente.date_debut).exists():
        raise ValidationError(
            f"La version « {precedente.libelle} » a déjà une suivante : partez de la dernière version de ce barème."
        )
    if date_debut <= precedente.date_debut:
        raise ValidationError(
            {
                "date_debut": f"La nouvelle version doit commencer après le début de la version actuelle "
                f"({precedente.periode})."
            }
        )
    if precedente.date_fin is None or precedente.date_fin >= date_debut:
        precedente.date_fin = date_debut - datetime.timedelta(days=1)
        precedente.save(update_fields=["date_fin"])
    return creer_version(type=precedente.type, date_debut=date_debut, par=par, **donnees)


@transaction.atomic
def cloturer_version(*, version: Bareme, date_fin: datetime.date) -> Bareme:
    """Fixe la fin de validité de la version en cours, si elle n'a pas encore servi."""
    version = Bareme.objects.select_for_update().get(pk=version.pk)
    if version.date_fin is not None:
        raise ValidationError({"date_fin": f"Cette version est déjà close ({version.periode})."})
    if version_est_utilisee(version):
        raise ValidationError(
            f"La version « {version.libelle} » a déjà servi au calcul d'ordres de mission soumis ou validés : "
            "elle ne peut être close que par la création de la version qui lui succède.",
            code="version_utilisee",
        )
    if date_fin < version.date_debut:
        raise ValidationError({"date_fin": "La fin de validité doit suivre le début."})
    version.date_fin = date_fin
    version.save(update_fields=["date_fin"])
    return version


@transaction.atomic
def supprimer_version(*, version: Bareme) -> None:
    verifier_modifiable(version)
    version.delete()
