"""Le montant d'un ordre de mission, calculé par `bareme` à partir de ses lignes, ses repas et ses frais.

Les données sont lues ici, en un nombre constant de requêtes ; les calculs sont ceux, purs, de `bareme.calcul`.
Chaque ligne est arrondie une seule fois au centime (voir docs/bareme.md) ; le total additionne les lignes.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone

from bareme import calcul
from bareme.enums import TypeBareme
from bareme.models import Bareme
from bareme.selectors import lieu_mission, versions_forfaits, versions_ik
from missions.enums import Etat, TypeFrais, TypeRepas
from missions.models import Frais, JourTrajet, LigneTrajet, OrdreMission

ZERO = Decimal(0)


@dataclass(frozen=True)
class LigneCalculee:
    ligne: LigneTrajet
    dates: tuple[datetime.date, ...]
    resultats: tuple[calcul.ResultatIK, ...]

    @property
    def km(self) -> Decimal:
        return sum((resultat.km for resultat in self.resultats), ZERO)

    @property
    def montant(self) -> Decimal:
        return sum((resultat.montant for resultat in self.resultats), ZERO)


@dataclass(frozen=True)
class FraisCalcule:
    frais: Frais
    montant: Decimal
    taux: Decimal | None = None
    bareme: str | None = None
    explication: str = ""


@dataclass
class CalculOrdre:
    cumul_avant: Decimal
    lignes: list[LigneCalculee] = field(default_factory=list)
    frais: list[FraisCalcule] = field(default_factory=list)
    erreurs: list[str] = field(default_factory=list)

    @property
    def km(self) -> Decimal:
        return sum((ligne.km for ligne in self.lignes), ZERO)

    @property
    def montant_ik(self) -> Decimal:
        return sum((ligne.montant for ligne in self.lignes), ZERO)

    @property
    def montant_frais(self) -> Decimal:
        return sum((frais.montant for frais in self.frais), ZERO)

    @property
    def total(self) -> Decimal:
        return self.montant_ik + self.montant_frais

    @property
    def cumul_apres(self) -> Decimal:
        return self.cumul_avant + self.km

    @property
    def baremes(self) -> set[str]:
        versions = {resultat.version.libelle for ligne in self.lignes for resultat in ligne.resultats}
        return versions | {frais.bareme for frais in self.frais if frais.bareme}


def km_deja_payes(agent, annee: int, sauf: OrdreMission | None = None) -> Decimal:
    """Les kilomètres payés en IK à l'agent depuis le 1er janvier : ceux de ses ordres validés, figés."""
    ordres = OrdreMission.objects.filter(
        agent=agent, etat=Etat.VALIDE, fige_le__isnull=False, date_debut__year=annee, km_total__isnull=False
    )
    if sauf is not None and sauf.pk:
        ordres = ordres.exclude(pk=sauf.pk)
    return ordres.aggregate(total=Sum("km_total"))["total"] or ZERO


def _classe(ordre: OrdreMission) -> str | None:
    vehicule = ordre.vehicule or ordre.agent.vehicules.filter(actif=True).first()
    return vehicule.classe_bareme if vehicule else None


def _segments(dates: list[datetime.date], versions: list[calcul.VersionIK]) -> list[list[datetime.date]]:
    """Les dates d'une ligne coupées là où le barème change (un arrêté qui entre en vigueur en cours de mois)."""
    segments: list[list[datetime.date]] = []
    courante = None
    for jour in sorted(dates):
        version = next((v for v in versions if v.couvre(jour)), None)
        if not segments or version is not courante:
            segments.append([])
            courante = version
        segments[-1].append(jour)
    return segments


def _lignes_ik(ordre, lignes, classe, cumul_avant, resultat: CalculOrdre) -> None:
    versions = [version for version in versions_ik() if classe in version.tranches]
    a_calculer = []  # (LigneTrajet, dates du segment, LigneIK)
    for ligne in lignes:
        dates = [jour.date for jour in ligne.jours.all()]
        if not dates or ligne.km_aller <= 0:
            resultat.lignes.append(LigneCalculee(ligne, tuple(sorted(dates)), ()))
            continue
        for segment in _segments(dates, versions):
            ligne_ik = calcul.LigneIK(
                date=segment[0], classe=classe, distance=ligne.km_aller, trajets=ligne.trajets_par_jour * len(segment)
            )
            a_calculer.append((ligne, tuple(segment), ligne_ik))
    try:
        calcules = calcul.calculer_ik_lignes([item[2] for item in a_calculer], versions, cumul_avant)
    except calcul.ErreurCalcul as erreur:
        resultat.erreurs.append(str(erreur))
        return
    # calculer_ik_lignes trie par date : on retrouve chaque résultat par sa ligne d'entrée.
    par_ligne_ik = {id(r.ligne): r for r in calcules.lignes}
    regroupes: dict[int, tuple[LigneTrajet, list, list]] = {}
    for ligne, segment, ligne_ik in a_calculer:
        _, dates, resultats = regroupes.setdefault(ligne.pk, (ligne, [], []))
        dates.extend(segment)
        resultats.append(par_ligne_ik[id(ligne_ik)])
    for ligne, dates, resultats in regroupes.values():
        resultat.lignes.append(LigneCalculee(ligne, tuple(dates), tuple(resultats)))
    resultat.lignes.sort(key=lambda calculee: (calculee.dates[:1], calculee.ligne.pk))


def _repas(frais: Frais, lieu, versions_repas) -> FraisCalcule:
    version = calcul.en_vigueur(versions_repas, frais.date, "de repas")
    zone, raison = calcul.zone_repas(lieu)
    base = version.montants[zone]
    mode = frais.type_repas or TypeRepas.PLEIN
    taux = calcul.taux_repas(base, mode)
    explication = (
        f"Repas du {calcul.date_fr(frais.date)} : {TypeRepas(mode).label.lower()}, "
        f"{calcul.euros_fr(taux)} ({version.libelle} ; {raison})."
    )
    return FraisCalcule(frais, taux, taux, version.libelle, explication)


def calculer_ordre(ordre: OrdreMission) -> CalculOrdre:
    """Le calcul complet d'un ordre : IK ligne par ligne avec le cumul annuel, repas au barème, autres frais au réel."""
    lignes = list(
        LigneTrajet.objects.filter(ordre=ordre)
        .select_related("commune_depart", "commune_arrivee")
        .prefetch_related(Prefetch("jours", queryset=JourTrajet.objects.order_by("date")))
        .order_by("pk")
    )
    frais = list(ordre.frais.order_by("date", "pk"))
    annee = ordre.date_debut.year
    resultat = CalculOrdre(cumul_avant=km_deja_payes(ordre.agent, annee, sauf=ordre))
    if lignes:
        classe = _classe(ordre)
        if classe is None:
            resultat.erreurs.append(
                "Aucun véhicule actif : ajoutez votre véhicule à votre profil pour calculer les IK."
            )
        else:
            _lignes_ik(ordre, lignes, classe, resultat.cumul_avant, resultat)
    if frais:
        destination = ordre.destination_principale or ordre.agent.residence_administrative.commune
        lieu = lieu_mission(destination)
        versions_repas = versions_forfaits(TypeBareme.REPAS)
        for item in frais:
            if item.type == TypeFrais.REPAS:
                try:
                    resultat.frais.append(_repas(item, lieu, versions_repas))
                except calcul.ErreurCalcul as erreur:
                    resultat.erreurs.append(str(erreur))
            else:
                montant = calcul.arrondir(item.montant or ZERO)
                resultat.frais.append(FraisCalcule(item, montant, explication=f"{item.get_type_display()} : au réel."))
    return resultat


def _texte(valeur: Decimal) -> str:
    return f"{valeur:.2f}"


def _km(valeur: Decimal) -> str:
    """« 408 » ou « 12.5 », comme l'API du simulateur."""
    return f"{valeur.normalize():f}"


def detail_fige(calcul_ordre: CalculOrdre) -> dict:
    """Ce qui est archivé à la validation : chaque ligne avec ses tranches, ses taux et la version du barème."""
    return {
        "cumul_avant": _km(calcul_ordre.cumul_avant),
        "cumul_apres": _km(calcul_ordre.cumul_apres),
        "lignes": [
            {
                "ligne": calculee.ligne.pk,
                "trajet": f"{calculee.ligne.commune_depart.nom} → {calculee.ligne.commune_arrivee.nom}",
                "dates": [jour.isoformat() for jour in calculee.dates],
                "km": _km(calculee.km),
                "montant": _texte(calculee.montant),
                "parts": [
                    {
                        "bareme": resultat.version.libelle,
                        "km": _km(part.km),
                        "taux": str(part.taux),
                        "montant": _texte(part.montant),
                    }
                    for resultat in calculee.resultats
                    for part in resultat.parts
                ],
            }
            for calculee in calcul_ordre.lignes
        ],
        "frais": [
            {
                "frais": item.frais.pk,
                "type": item.frais.type,
                "date": item.frais.date.isoformat(),
                "taux": None if item.taux is None else _texte(item.taux),
                "montant": _texte(item.montant),
                "bareme": item.bareme,
            }
            for item in calcul_ordre.frais
        ],
        "baremes": sorted(calcul_ordre.baremes),
        "montant_ik": _texte(calcul_ordre.montant_ik),
        "montant_frais": _texte(calcul_ordre.montant_frais),
        "total": _texte(calcul_ordre.total),
    }


class CalculImpossible(Exception):
    pass


def figer_montants(ordre: OrdreMission) -> None:
    """À la validation du gestionnaire : montants et versions de barème figés sur l'ordre et ses lignes."""
    calcul_ordre = calculer_ordre(ordre)
    if calcul_ordre.erreurs:
        raise CalculImpossible(" ".join(calcul_ordre.erreurs))
    for calculee in calcul_ordre.lignes:
        LigneTrajet.objects.filter(pk=calculee.ligne.pk).update(montant=calculee.montant)
    ordre.km_total = calcul_ordre.km
    ordre.montant_ik = calcul_ordre.montant_ik
    ordre.montant_frais = calcul_ordre.montant_frais
    ordre.montant_total = calcul_ordre.total
    ordre.montant_estime = calcul_ordre.total
    ordre.calcul_fige = detail_fige(calcul_ordre)
    ordre.fige_le = timezone.now()
    enregistrer_baremes(ordre, calcul_ordre)


def enregistrer_baremes(ordre: OrdreMission, calcul_ordre: CalculOrdre) -> None:
    """Relie l'ordre aux versions de barème de son calcul : une version utilisée ne se modifie plus."""
    libelles = calcul_ordre.baremes
    versions = [bareme for bareme in Bareme.objects.all() if bareme.libelle in libelles] if libelles else []
    ordre.baremes.set(versions)


def actualiser_estimation(ordre: OrdreMission) -> CalculOrdre:
    """Recalcule le montant estimé d'un ordre qui n'est pas encore figé, et l'enregistre."""
    calcul_ordre = calculer_ordre(ordre)
    montant = None if calcul_ordre.erreurs else calcul_ordre.total
    OrdreMission.objects.filter(pk=ordre.pk, fige_le__isnull=True).update(montant_estime=montant)
    ordre.montant_estime = montant
    return calcul_ordre
