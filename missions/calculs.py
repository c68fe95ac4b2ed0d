"""Le montant d'un ordre de mission, calculé par `bareme` à partir de ses lignes, ses repas et ses frais.

Les données sont lues ici, en un nombre constant de requêtes ; les calculs sont ceux, purs, de `bareme.calcul`.
Chaque ligne est arrondie une seule fois au centime (voir docs/bareme.md) ; le total additionne les lignes.

Un OM ponctuel ajoute ses étapes (repas et nuitées dus d'après ses horaires, chacun au barème de sa date et au taux
du lieu où l'agent se trouve), les plafonds de la politique de voyage (stationnement, tickets de bus ou de métro) et,
sans véhicule personnel autorisé, des IK sur la base transports en commun (voir docs/om_ponctuels.md).
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone

from bareme import calcul
from bareme.enums import TypeBareme
from bareme.models import Bareme
from bareme.selectors import grand_paris, lieu_mission, versions_forfaits, versions_ik
from missions.enums import Etat, LieuDepart, ModeEtape, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Etape, EtapeBase, Frais, JourTrajet, LigneTrajet, OrdreMission, PolitiqueVoyage

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


@dataclass(frozen=True)
class EtapeCalculee:
    """Un repas ou une nuitée d'un OM ponctuel : le taux du lieu à sa date, selon le mode choisi par l'agent."""

    etape: Etape
    montant: Decimal
    taux: Decimal
    bareme: str
    zone: str
    explication: str


@dataclass
class CalculOrdre:
    cumul_avant: Decimal
    lignes: list[LigneCalculee] = field(default_factory=list)
    frais: list[FraisCalcule] = field(default_factory=list)
    erreurs: list[str] = field(default_factory=list)
    etapes: list[EtapeCalculee] = field(default_factory=list)
    # OM ponctuel : les horaires d'où viennent les étapes (None pour les autres types d'ordre).
    horaires: dict | None = None
    # Lignes payées sur la base transports en commun : hors du cumul annuel des IK (pk des lignes).
    lignes_base_transport_public: set[int] = field(default_factory=set)

    @property
    def km(self) -> Decimal:
        """Les kilomètres payés au barème IK, ceux qui comptent dans le cumul annuel de l'agent."""
        return sum((ligne.km for ligne in self.lignes if ligne.ligne.pk not in self.lignes_base_transport_public), ZERO)

    @property
    def montant_ik(self) -> Decimal:
        return sum((ligne.montant for ligne in self.lignes), ZERO)

    @property
    def montant_etapes(self) -> Decimal:
        return sum((etape.montant for etape in self.etapes), ZERO)

    @property
    def montant_frais(self) -> Decimal:
        """Tout ce qui n'est pas IK : repas et frais au réel, plus les étapes d'un OM ponctuel."""
        return sum((frais.montant for frais in self.frais), ZERO) + self.montant_etapes

    @property
    def total(self) -> Decimal:
        return self.montant_ik + self.montant_frais

    @property
    def cumul_apres(self) -> Decimal:
        return self.cumul_avant + self.km

    @property
    def baremes(self) -> set[str]:
        versions = {resultat.version.libelle for ligne in self.lignes for resultat in ligne.resultats}
        return (
            versions
            | {frais.bareme for frais in self.frais if frais.bareme}
            | {etape.bareme for etape in self.etapes if etape.bareme}
        )


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


def calculer_ordre(
    ordre: OrdreMission, *, lignes: list[LigneTrajet] | None = None, frais: list[Frais] | None = None
) -> CalculOrdre:
    """Le calcul complet d'un ordre : IK ligne par ligne avec le cumul annuel, repas au barème, autres frais au réel.

    Un OM ponctuel ajoute ses étapes et applique les plafonds de la politique de voyage à ses frais.
    `lignes` (avec communes et jours préchargés, triées par pk) et `frais` (triés par date puis pk) : ceux de l'ordre,
    quand l'appelant les a déjà lus, comme la page d'un OMI ; sinon ils sont lus ici.
    """
    if lignes is None:
        lignes = list(
            LigneTrajet.objects.filter(ordre=ordre)
            .select_related("commune_depart", "commune_arrivee")
            .prefetch_related(Prefetch("jours", queryset=JourTrajet.objects.order_by("date")))
            .order_by("pk")
        )
    if frais is None:
        frais = list(ordre.frais.order_by("date", "pk"))
    annee = ordre.date_debut.year
    resultat = CalculOrdre(cumul_avant=km_deja_payes(ordre.agent, annee, sauf=ordre))
    ponctuel = ordre.type == TypeOrdre.PONCTUEL
    politique = PolitiqueVoyage.courante() if ponctuel else None
    if lignes and ponctuel and not ordre.vehicule_personnel:
        _lignes_base_transport_public(lignes, politique, resultat)
    elif lignes:
        classe = _classe(ordre)
        if classe is None:
            resultat.erreurs.append(
                "Aucun véhicule actif : ajoutez votre véhicule à votre profil pour calculer les IK."
            )
        else:
            _lignes_ik(ordre, lignes, classe, resultat.cumul_avant, resultat)
    if ponctuel:
        resultat.horaires = horaires_ponctuel(ordre, politique)
        _etapes(ordre, politique, resultat)
        calculer_frais_ponctuels(ordre, frais, politique, resultat)
    elif frais:
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


# --- OM ponctuels ---------------------------------------------------------------------------------------------------

BASE_TRANSPORT_PUBLIC = "transport_public"  # « classe » de la version fictive qui porte le taux de la politique


def en_heure_locale(moment: datetime.datetime) -> datetime.datetime:
    """Une date et heure enregistrée (avec fuseau) vue en heure locale, sans fuseau, comme la lit `bareme.calcul`."""
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def bornes_mission(
    depart: datetime.datetime, retour: datetime.datetime, lieu_depart: str, delai_acces_gare: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """Le début et la fin de la mission pour le décompte : les horaires saisis, élargis du délai forfaitaire
    d'accès à la gare (avant le départ, après le retour) quand ce sont les horaires du train."""
    if lieu_depart == LieuDepart.GARE:
        delai = datetime.timedelta(minutes=delai_acces_gare)
        return depart - delai, retour + delai
    return depart, retour


def horaires_ponctuel(ordre: OrdreMission, politique: PolitiqueVoyage) -> dict | None:
    if ordre.depart_le is None or ordre.retour_le is None:
        return None
    depart, retour = en_heure_locale(ordre.depart_le), en_heure_locale(ordre.retour_le)
    debut, fin = bornes_mission(depart, retour, ordre.lieu_depart, politique.delai_acces_gare)
    return {
        "depart_le": depart.isoformat(timespec="minutes"),
        "retour_le": retour.isoformat(timespec="minutes"),
        "lieu_depart": ordre.lieu_depart,
        "debut_mission": debut.isoformat(timespec="minutes"),
        "fin_mission": fin.isoformat(timespec="minutes"),
    }


def _lignes_base_transport_public(lignes, politique: PolitiqueVoyage, resultat: CalculOrdre) -> None:
    """Sans véhicule personnel autorisé, le trajet vers la gare est payé sur la base transports en commun."""
    taux = politique.taux_km_transport_public
    if taux is None:
        resultat.erreurs.append(
            "Le taux kilométrique de la base transports en commun n'est pas fixé dans la politique de voyage : "
            "le service gestionnaire doit le renseigner avant le calcul de ce trajet."
        )
        return
    version = calcul.VersionIK(
        libelle="Base transports en commun (politique de voyage de l'académie)",
        date_debut=datetime.date.min,
        date_fin=None,
        tranches={BASE_TRANSPORT_PUBLIC: (calcul.Tranche(ZERO, None, taux),)},
    )
    for ligne in lignes:
        dates = tuple(sorted(jour.date for jour in ligne.jours.all()))
        resultat.lignes_base_transport_public.add(ligne.pk)
        if not dates or ligne.km_aller <= 0:
            resultat.lignes.append(LigneCalculee(ligne, dates, ()))
            continue
        ligne_ik = calcul.LigneIK(
            date=dates[0],
            classe=BASE_TRANSPORT_PUBLIC,
            distance=ligne.km_aller,
            trajets=ligne.trajets_par_jour * len(dates),
        )
        resultat.lignes.append(LigneCalculee(ligne, dates, (calcul.calculer_ligne_ik(ligne_ik, version),)))


def taux_etape(base: Decimal, mode: str, pourcentage_reduit: int) -> Decimal:
    """Le taux d'un repas ou d'une nuitée selon son mode : plein, demi-taux, taux réduit de la politique, ou rien."""
    if mode in (ModeEtape.PLEIN, ModeEtape.PAYANTE):
        return base
    if mode == ModeEtape.ADMINISTRATIF:
        return calcul.taux_repas(base, calcul.REPAS_ADMINISTRATIF)
    if mode == ModeEtape.REDUIT:
        return calcul.arrondir(base * pourcentage_reduit / 100)
    if mode in (ModeEtape.GRATUIT, ModeEtape.GRATUITE, ModeEtape.AUTRE_ORGANISME):
        return ZERO
    raise calcul.ErreurCalcul(f"Mode de prise en charge inconnu : « {mode} ».")


def calculer_etape(etape: EtapeBase, rqth: bool, politique, versions_repas, versions_nuitee) -> EtapeCalculee:
    """Le taux d'un repas ou d'une nuitée (prévu sur l'ordre ou réel sur l'état de frais) : barème de sa date, zone
    de son lieu, mode de prise en charge ; avec l'explication en français."""
    lieu = lieu_mission(etape.commune)
    if etape.est_nuitee:
        version = calcul.en_vigueur(versions_nuitee, etape.date, "des nuitées")
        zone, raison = calcul.zone_nuitee(lieu, grand_paris(), rqth=rqth)
    else:
        version = calcul.en_vigueur(versions_repas, etape.date, "des repas")
        zone, raison = calcul.zone_repas(lieu)
    if zone not in version.montants:
        raise calcul.ErreurCalcul(
            f"Le barème « {version.libelle} » n'a pas de taux pour la zone « {calcul.LIBELLES_ZONES[zone]} »."
        )
    taux = taux_etape(version.montants[zone], etape.mode, politique.pourcentage_repas_reduit)
    libelle = etape.libelle
    explication = (
        f"{libelle[0].upper()}{libelle[1:]} à {lieu.nom} : {etape.get_mode_display().lower()}, "
        f"{calcul.euros_fr(taux)} ({version.libelle} ; {raison})."
    )
    return EtapeCalculee(etape, taux, taux, version.libelle, zone, explication)


def _etapes(ordre: OrdreMission, politique: PolitiqueVoyage, resultat: CalculOrdre) -> None:
    etapes = trier_etapes(ordre.etapes.select_related("commune__arrondissement_de"))
    if not etapes:
        return
    versions_repas = versions_forfaits(TypeBareme.REPAS)
    versions_nuitee = versions_forfaits(TypeBareme.NUITEE)
    for etape in etapes:
        try:
            resultat.etapes.append(calculer_etape(etape, ordre.agent.rqth, politique, versions_repas, versions_nuitee))
        except calcul.ErreurCalcul as erreur:
            resultat.erreurs.append(str(erreur))


RANG_ETAPE = {"nuitee": 0, "dejeuner": 1, "diner": 2}  # dans une journée : la nuit (0 h–5 h), midi, soir


def trier_etapes(etapes) -> list[Etape]:
    return sorted(etapes, key=lambda etape: (etape.date, RANG_ETAPE[etape.type], etape.pk or 0))


def jours_de_stationnement(depart: datetime.datetime, retour: datetime.datetime, heures_max: int) -> int:
    """Les jours de mission pris en charge pour le stationnement : périodes de 24 h commencées, dans la limite
    de la durée maximale (48 h : 2 jours)."""
    periodes = max(1, math.ceil((retour - depart) / datetime.timedelta(hours=24)))
    return min(periodes, max(1, math.ceil(heures_max / 24)))


def calculer_frais_ponctuels(
    ordre: OrdreMission, frais: list[Frais], politique: PolitiqueVoyage, resultat: CalculOrdre
):
    """Les frais au réel, dans les limites de la politique : stationnement plafonné, tickets par jour comptés."""
    reste_parking = None
    if any(item.type == TypeFrais.PARKING for item in frais) and ordre.depart_le and ordre.retour_le:
        jours = jours_de_stationnement(ordre.depart_le, ordre.retour_le, politique.parking_heures_max)
        plafond_parking = politique.parking_plafond_jour * jours
        reste_parking = plafond_parking
        limite_parking = (
            f"dans la limite de {politique.parking_heures_max} h et {calcul.euros_fr(politique.parking_plafond_jour)} "
            f"par jour de mission, soit {calcul.euros_fr(plafond_parking)} pour {jours} jour{'s' if jours > 1 else ''}"
        )
    tickets_du_jour: dict[datetime.date, int] = {}
    for item in frais:
        paye = calcul.arrondir(item.montant or ZERO)
        nature = item.get_type_display()
        if item.type == TypeFrais.PARKING and reste_parking is not None:
            montant = min(paye, reste_parking)
            reste_parking -= montant
            explication = f"{nature} : {calcul.euros_fr(paye)} payés, pris en charge {limite_parking} : {calcul.euros_fr(montant)}."
        elif item.type == TypeFrais.TRANSPORT_PUBLIC:
            rang = tickets_du_jour[item.date] = tickets_du_jour.get(item.date, 0) + 1
            if rang > politique.tickets_par_jour:
                montant = ZERO
                explication = (
                    f"Ticket de bus ou de métro du {calcul.date_fr(item.date)} : au-delà de "
                    f"{politique.tickets_par_jour} tickets par jour de mission, il n'est pas pris en charge."
                )
            else:
                montant = paye
                explication = (
                    f"Ticket de bus ou de métro : au réel ({rang} sur {politique.tickets_par_jour} ce jour-là)."
                )
        else:
            montant = paye
            explication = f"{nature} : au réel."
        resultat.frais.append(FraisCalcule(item, calcul.arrondir(montant), explication=explication))


def _texte(valeur: Decimal) -> str:
    return f"{valeur:.2f}"


def _km(valeur: Decimal) -> str:
    """« 408 » ou « 12.5 », comme l'API du simulateur."""
    return f"{valeur.normalize():f}"


def detail_fige(calcul_ordre: CalculOrdre) -> dict:
    """Ce qui est archivé à la validation : chaque ligne avec ses tranches, ses taux et la version du barème."""
    detail = {
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
    if calcul_ordre.horaires is not None or calcul_ordre.etapes:
        _detail_ponctuel(detail, calcul_ordre)
    return detail


def _detail_ponctuel(detail: dict, calcul_ordre: CalculOrdre) -> None:
    """Ce qu'un état de frais reprend d'un OM ponctuel : horaires, étapes (repas et nuitées) et frais retenus."""
    detail["horaires"] = calcul_ordre.horaires
    detail["etapes"] = [
        {
            "etape": item.etape.pk,
            "type": item.etape.type,
            "date": item.etape.date.isoformat(),
            "libelle": item.etape.libelle,
            "lieu": item.etape.commune_id,
            "lieu_nom": item.etape.commune.nom,
            "zone": item.zone,
            "mode": item.etape.mode,
            "taux": _texte(item.taux),
            "montant": _texte(item.montant),
            "bareme": item.bareme,
        }
        for item in calcul_ordre.etapes
    ]
    detail["montant_etapes"] = _texte(calcul_ordre.montant_etapes)
    for entree, item in zip(detail["frais"], calcul_ordre.frais, strict=True):
        entree["montant_declare"] = None if item.frais.montant is None else _texte(item.frais.montant)
        entree["explication"] = item.explication
    for entree in detail["lignes"]:
        entree["base_transport_public"] = entree["ligne"] in calcul_ordre.lignes_base_transport_public


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
