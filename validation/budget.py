"""Suivi budgétaire : dotations, engagé, liquidé, payé, reste, alerte à 90 % et projection de l'année.

- **Engagé** : le montant figé des ordres de mission validés (OMI et OM ponctuels), au mois de l'ordre.
- **Liquidé** : le montant des états de frais validés (validés, mis en paiement ou payés), au mois des frais.
- **Payé** : le montant des états de frais payés, au mois des frais.
- **Reste** : la dotation moins l'engagé.
- **Alerte** : l'engagé atteint 90 % de la dotation de l'enveloppe.
- **Projection** : l'engagé de l'année, plus les indemnités kilométriques à venir des OMP validés : pour chaque trajet
  habituel, km aller × trajets par jour × jours de la semaine restants jusqu'au 31 décembre (ou la fin de l'OMP),
  à partir du mois qui suit le dernier OMI validé, au barème IK en vigueur aujourd'hui pour la classe du véhicule
  (tranches comprises, en partant des kilomètres déjà payés à l'agent dans l'année). Les jours fériés et les vacances
  ne sont pas retirés : la projection est un majorant.

Les codes budgétaires d'un ordre sont les siens, ou à défaut ceux de la fiche de l'agent (comme pour ses états de frais).
Tous les montants sont des sommes de montants déjà arrondis au centime : aucun arrondi ici, sauf le pourcentage affiché.
"""

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DateField, Max, Sum
from django.db.models.functions import Coalesce, TruncMonth

from agents.models import CentreCouts, DomaineFonctionnel, EnveloppeBudgetaire
from bareme import calcul
from bareme.selectors import versions_ik
from missions.enums import Etat, TypeOrdre
from missions.models import OrdreMission
from validation.models import DotationBudgetaire, EtatEF, EtatFrais

ZERO = Decimal(0)
SEUIL_ALERTE = Decimal("0.9")
LIQUIDES = (EtatEF.VALIDE, EtatEF.MIS_EN_PAIEMENT, EtatEF.PAYE)
SANS_CODE = "Non imputé"
SAMEDI, DIMANCHE = 5, 6
MOIS = [mois.capitalize() for mois in calcul.MOIS]


@dataclass
class Ligne:
    code: str
    libelle: str
    dotation: Decimal | None = None
    engage: Decimal = ZERO
    liquide: Decimal = ZERO
    paye: Decimal = ZERO
    projection: Decimal | None = None

    @property
    def reste(self) -> Decimal | None:
        return None if self.dotation is None else self.dotation - self.engage

    @property
    def taux(self) -> Decimal | None:
        """Part de la dotation engagée, en %, au dixième."""
        if not self.dotation:
            return None
        return (self.engage * 100 / self.dotation).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def alerte(self) -> bool:
        return bool(self.dotation) and self.engage >= self.dotation * SEUIL_ALERTE

    @property
    def projection_depasse(self) -> bool:
        return self.dotation is not None and self.projection is not None and self.projection > self.dotation


@dataclass
class SuiviBudget:
    annee: int
    enveloppes: list[Ligne] = field(default_factory=list)
    centres: list[Ligne] = field(default_factory=list)
    domaines: list[Ligne] = field(default_factory=list)
    mois: list[Ligne] = field(default_factory=list)
    total: Ligne = field(default_factory=lambda: Ligne("", "Total"))
    detail: list[dict] = field(default_factory=list)  # une ligne par mois × enveloppe × centre × domaine
    projections: list = field(default_factory=list)  # ProjectionOmp, une par OMP validé qui a des trajets à venir

    @property
    def alertes(self) -> list[Ligne]:
        return [ligne for ligne in self.enveloppes if ligne.alerte]

    @property
    def reste(self) -> Decimal | None:
        """Le reste des enveloppes dotées (une enveloppe sans dotation n'a pas de reste)."""
        restes = [ligne.reste for ligne in self.enveloppes if ligne.reste is not None]
        return sum(restes, ZERO) if restes else None

    @property
    def km_projetes(self) -> Decimal:
        return sum((projection.km for projection in self.projections), ZERO)

    @property
    def montant_projete(self) -> Decimal:
        return sum((projection.montant for projection in self.projections), ZERO)

    @property
    def graphique_mois(self) -> list[dict]:
        """Pour les barres du graphique mensuel : chaque mesure en % du plus grand montant du tableau."""
        maximum = max((max(ligne.engage, ligne.liquide, ligne.paye) for ligne in self.mois), default=ZERO)

        def largeur(valeur: Decimal) -> int:
            return int(valeur * 100 / maximum) if maximum else 0

        return [
            {
                "ligne": ligne,
                "engage": largeur(ligne.engage),
                "liquide": largeur(ligne.liquide),
                "paye": largeur(ligne.paye),
            }
            for ligne in self.mois
        ]


# --- Montants ---------------------------------------------------------------------------------------------------------


def _engages(annee: int):
    mois = Coalesce("mois", TruncMonth("date_debut", output_field=DateField()), output_field=DateField())
    return (
        OrdreMission.objects.filter(etat=Etat.VALIDE, montant_total__isnull=False)
        .exclude(type=TypeOrdre.PERMANENT)
        .annotate(
            m=mois,
            env=Coalesce("enveloppe_budgetaire_id", "agent__enveloppe_budgetaire_id"),
            cc=Coalesce("centre_couts_id", "agent__centre_couts_id"),
            df=Coalesce("domaine_fonctionnel_id", "agent__domaine_fonctionnel_id"),
        )
        .filter(m__year=annee)
        .order_by()
        .values("m", "env", "cc", "df")
        .annotate(total=Sum("montant_total"))
    )


def _etats_frais(annee: int, etats):
    return (
        EtatFrais.objects.filter(etat__in=etats, mois__year=annee)
        .order_by()
        .values("mois", "enveloppe_budgetaire_id", "centre_couts_id", "domaine_fonctionnel_id")
        .annotate(total=Sum("montant_total"))
    )


def _premier_du_mois(valeur: datetime.date) -> datetime.date:
    """Une clé de mois unique, que la base rende une date ou une date et heure."""
    return datetime.date(valeur.year, valeur.month, 1)


def _cumuls(annee: int) -> dict[tuple, dict[str, Decimal]]:
    """(mois, enveloppe, centre, domaine) → engagé, liquidé, payé : trois requêtes groupées."""
    cumuls: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: {"engage": ZERO, "liquide": ZERO, "paye": ZERO})
    for ligne in _engages(annee):
        cumuls[(_premier_du_mois(ligne["m"]), ligne["env"], ligne["cc"], ligne["df"])]["engage"] += ligne["total"]
    for mesure, etats in (("liquide", LIQUIDES), ("paye", (EtatEF.PAYE,))):
        for ligne in _etats_frais(annee, etats):
            cle = (
                _premier_du_mois(ligne["mois"]),
                ligne["enveloppe_budgetaire_id"],
                ligne["centre_couts_id"],
                ligne["domaine_fonctionnel_id"],
            )
            cumuls[cle][mesure] += ligne["total"]
    return cumuls


# --- Projection -------------------------------------------------------------------------------------------------------


def jours_restants(debut: datetime.date, fin: datetime.date, jour_semaine: int) -> int:
    """Combien de fois ce jour de la semaine (lundi = 0) tombe entre `debut` et `fin` inclus."""
    if fin < debut:
        return 0
    premier = debut + datetime.timedelta(days=(jour_semaine - debut.weekday()) % 7)
    return 0 if premier > fin else (fin - premier).days // 7 + 1


def _fin_de_mois(mois: datetime.date) -> datetime.date:
    suivant = (mois.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return suivant - datetime.timedelta(days=1)


@dataclass(frozen=True)
class ProjectionOmp:
    omp: OrdreMission
    debut: datetime.date
    fin: datetime.date
    km: Decimal
    montant: Decimal
    bareme: str


def projeter(annee: int, aujourd_hui: datetime.date) -> list[ProjectionOmp]:
    """Les IK à venir de chaque OMP validé couvrant l'année, de ses trajets habituels (voir la docstring du module)."""
    premier_janvier, trente_et_un = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    omps = list(
        OrdreMission.objects.filter(
            type=TypeOrdre.PERMANENT,
            etat=Etat.VALIDE,
            vehicule_personnel=True,
            date_debut__lte=trente_et_un,
            date_fin__gte=premier_janvier,
        )
        .select_related("agent", "vehicule")
        .prefetch_related("trajets_habituels", "agent__vehicules")
        .order_by("agent_id", "date_debut", "pk")
    )
    if not omps:
        return []
    derniers = dict(
        OrdreMission.objects.filter(type=TypeOrdre.ITINERANT, etat=Etat.VALIDE, omp__in=omps)
        .order_by()
        .values("omp_id")
        .annotate(dernier=Max("mois"))
        .values_list("omp_id", "dernier")
    )
    km_payes = dict(
        OrdreMission.objects.filter(
            agent_id__in={omp.agent_id for omp in omps},
            etat=Etat.VALIDE,
            fige_le__isnull=False,
            km_total__isnull=False,
            date_debut__year=annee,
        )
        .order_by()
        .values("agent_id")
        .annotate(km=Sum("km_total"))
        .values_list("agent_id", "km")
    )
    jour_du_taux = min(max(aujourd_hui, premier_janvier), trente_et_un)
    versions = [version for version in versions_ik() if version.couvre(jour_du_taux)]
    resultat = []
    for omp in omps:
        debut = max(premier_janvier, omp.date_debut)
        if derniers.get(omp.pk):
            debut = max(debut, _fin_de_mois(derniers[omp.pk]) + datetime.timedelta(days=1))
        fin = min(trente_et_un, omp.date_fin)
        km = ZERO
        for trajet in omp.trajets_habituels.all():
            jours = sum(jours_restants(debut, fin, jour) for jour in set(trajet.jours) - {SAMEDI, DIMANCHE})
            km += trajet.km_aller * trajet.trajets_par_jour * jours
        vehicule = omp.vehicule or next((v for v in omp.agent.vehicules.all() if v.actif), None)
        if km <= 0 or vehicule is None:
            continue
        classe = vehicule.classe_bareme
        version = next((v for v in versions if classe in v.tranches), None)
        if version is None:
            continue
        cumul = km_payes.get(omp.agent_id) or ZERO
        ik = calcul.calculer_ligne_ik(calcul.LigneIK(date=jour_du_taux, classe=classe, distance=km), version, cumul)
        km_payes[omp.agent_id] = cumul + km  # un second OMP du même agent part du cumul du premier
        resultat.append(ProjectionOmp(omp, debut, fin, km, ik.montant_bareme, version.libelle))
    return resultat


# --- Assemblage -------------------------------------------------------------------------------------------------------


def _referentiels(modele, identifiants) -> dict:
    return {objet.pk: objet for objet in modele.objects.filter(pk__in=[i for i in identifiants if i is not None])}


def _ligne(objet) -> Ligne:
    return Ligne(objet.code, objet.libelle) if objet is not None else Ligne("", SANS_CODE)


def _ajouter(ligne: Ligne, valeurs: dict) -> None:
    ligne.engage += valeurs["engage"]
    ligne.liquide += valeurs["liquide"]
    ligne.paye += valeurs["paye"]


def _trier(lignes: dict) -> list[Ligne]:
    return sorted(lignes.values(), key=lambda ligne: (ligne.code == "", ligne.code))


def suivi(annee: int, aujourd_hui: datetime.date | None = None) -> SuiviBudget:
    aujourd_hui = aujourd_hui or datetime.date.today()
    cumuls = _cumuls(annee)
    dotations = list(DotationBudgetaire.objects.filter(annee=annee))
    projections = projeter(annee, aujourd_hui)
    projection_par_enveloppe: dict = defaultdict(lambda: ZERO)
    for projection in projections:
        omp = projection.omp
        projection_par_enveloppe[omp.enveloppe_budgetaire_id or omp.agent.enveloppe_budgetaire_id] += projection.montant

    enveloppes = _referentiels(
        EnveloppeBudgetaire,
        {cle[1] for cle in cumuls} | {d.enveloppe_budgetaire_id for d in dotations} | set(projection_par_enveloppe),
    )
    centres = _referentiels(CentreCouts, {cle[2] for cle in cumuls} | {d.centre_couts_id for d in dotations})
    domaines = _referentiels(DomaineFonctionnel, {cle[3] for cle in cumuls})

    par_enveloppe = {pk: _ligne(objet) for pk, objet in enveloppes.items()}
    par_centre = {pk: _ligne(objet) for pk, objet in centres.items()}
    par_domaine: dict = {pk: _ligne(objet) for pk, objet in domaines.items()}
    par_mois = {mois: Ligne(f"{annee}-{mois:02d}", f"{MOIS[mois - 1]} {annee}") for mois in range(1, 13)}
    resultat = SuiviBudget(annee=annee, projections=projections)
    for (mois, enveloppe, centre, domaine), valeurs in sorted(cumuls.items(), key=lambda item: str(item[0])):
        for lignes, cle in ((par_enveloppe, enveloppe), (par_centre, centre), (par_domaine, domaine)):
            if cle not in lignes:
                lignes[cle] = Ligne("", SANS_CODE)
            _ajouter(lignes[cle], valeurs)
        _ajouter(par_mois[mois.month], valeurs)
        _ajouter(resultat.total, valeurs)
        resultat.detail.append(
            {
                "mois": mois.strftime("%Y-%m"),
                "enveloppe": getattr(enveloppes.get(enveloppe), "code", ""),
                "centre_couts": getattr(centres.get(centre), "code", ""),
                "domaine": getattr(domaines.get(domaine), "code", ""),
                **valeurs,
            }
        )
    resultat.detail.sort(key=lambda ligne: (ligne["mois"], ligne["enveloppe"], ligne["centre_couts"], ligne["domaine"]))

    globales = {d.enveloppe_budgetaire_id: d.montant for d in dotations if d.centre_couts_id is None}
    par_centre_de_l_enveloppe: dict = defaultdict(lambda: ZERO)
    for dotation in dotations:
        if dotation.centre_couts_id is not None:
            par_centre_de_l_enveloppe[dotation.enveloppe_budgetaire_id] += dotation.montant
            ligne = par_centre[dotation.centre_couts_id]
            ligne.dotation = (ligne.dotation or ZERO) + dotation.montant
    for pk, ligne in par_enveloppe.items():
        if pk in globales:
            ligne.dotation = globales[pk]
        elif pk in par_centre_de_l_enveloppe:
            ligne.dotation = par_centre_de_l_enveloppe[pk]
        ligne.projection = ligne.engage + projection_par_enveloppe.get(pk, ZERO)
    if any(ligne.dotation is not None for ligne in par_enveloppe.values()):
        resultat.total.dotation = sum((ligne.dotation or ZERO for ligne in par_enveloppe.values()), ZERO)
    resultat.total.projection = resultat.total.engage + sum(projection_par_enveloppe.values(), ZERO)

    resultat.enveloppes = _trier(par_enveloppe)
    resultat.centres = _trier(par_centre)
    resultat.domaines = _trier(par_domaine)
    resultat.mois = [par_mois[mois] for mois in range(1, 13)]
    return resultat


# --- Export -----------------------------------------------------------------------------------------------------------

AXES = {
    "enveloppes": "Enveloppe budgétaire",
    "centres": "Centre de coûts",
    "domaines": "Domaine fonctionnel",
    "mois": "Mois",
}


def _nombre(valeur: Decimal | None) -> str:
    return "" if valeur is None else f"{valeur:.2f}".replace(".", ",")


def export_csv(suivi_budget: SuiviBudget, axe: str = "detail") -> bytes:
    """Le tableau d'un axe (dotation, engagé, liquidé, payé, reste, taux), ou le détail mois × codes. « ; », UTF-8."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    if axe in AXES:
        ecrivain.writerow(
            ("annee", "code", "libelle", "dotation", "engage", "liquide", "paye", "reste", "taux_engage", "projection")
        )
        for ligne in getattr(suivi_budget, axe):
            ecrivain.writerow(
                (
                    suivi_budget.annee,
                    ligne.code,
                    ligne.libelle,
                    _nombre(ligne.dotation),
                    _nombre(ligne.engage),
                    _nombre(ligne.liquide),
                    _nombre(ligne.paye),
                    _nombre(ligne.reste),
                    "" if ligne.taux is None else str(ligne.taux).replace(".", ","),
                    _nombre(ligne.projection),
                )
            )
    else:
        ecrivain.writerow(
            ("mois", "enveloppe_budgetaire", "centre_de_couts", "domaine_fonctionnel", "engage", "liquide", "paye")
        )
        for ligne in suivi_budget.detail:
            ecrivain.writerow(
                (
                    ligne["mois"],
                    ligne["enveloppe"],
                    ligne["centre_couts"],
                    ligne["domaine"],
                    _nombre(ligne["engage"]),
                    _nombre(ligne["liquide"]),
                    _nombre(ligne["paye"]),
                )
            )
    return sortie.getvalue().encode("utf-8")
