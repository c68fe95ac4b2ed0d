"""Préparer l'OMI d'un mois à partir de l'OMP validé, montrer le calendrier du mois, cocher ou décocher un jour.

`preparer_omi` crée un OMI en brouillon : une ligne de trajet par trajet habituel qui a au moins une date dans le
mois, avec ses jours et le commentaire des dates (« L 1, 8, 15 juin »), et un repas par jour pour les trajets
qui en prévoient un. Les dates écartent week-ends, jours fériés et vacances scolaires du département de la
résidence administrative, et les absences de l'agent (règles dans docs/calendrier.md). L'agent corrige ensuite
jour par jour avec `basculer_jour`, en s'aidant du calendrier rendu par `dates_possibles`.

Ces services ne vérifient pas qui agit : la vue le fait avant de les appeler.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from agents.models import Vehicule
from missions.calendrier import (
    INITIALES,
    dates_du_mois,
    dernier_jour,
    jours_feries_entre,
    libelle_mois,
    premier_jour,
    vacances_scolaires,
    zone_scolaire,
)
from missions.calendrier import commentaire_dates as commenter
from missions.enums import Depart, Etat, Periode, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Absence, Frais, JourTrajet, LigneTrajet, OrdreMission, PeriodeVacances, TrajetHabituel

CONTRAINTE_UN_OMI_PAR_MOIS = "omi_un_par_agent_mois_omp"
OBJET_MAX = OrdreMission._meta.get_field("objet").max_length
COMMENTAIRE_MAX = LigneTrajet._meta.get_field("commentaire").max_length


class PrefillRefuse(Exception):
    """La préparation ou la modification est refusée ; rien n'a changé. Le message, en français, dit pourquoi."""


# --- Le calendrier d'un agent -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendrierAgent:
    """Ce qui écarte un jour, pour un agent et une période : fériés, vacances scolaires, absences."""

    departement: str
    feries: dict[datetime.date, str]
    vacances: dict[datetime.date, str]
    absences: list[tuple[datetime.date, datetime.date, str]]

    @property
    def periodes_absence(self) -> list[tuple[datetime.date, datetime.date]]:
        return [(debut, fin) for debut, fin, _ in self.absences]

    def absence(self, jour: datetime.date) -> str | None:
        """Le motif de l'absence qui couvre ce jour (« Absence » sans motif), ou None."""
        for debut, fin, motif in self.absences:
            if debut <= jour <= fin:
                return motif or "Absence"
        return None


def commentaire_ligne(dates, horaires: str) -> str:
    """« L 5, 12 octobre ; J 8 octobre — 8 h 30 – 16 h 30 » : les dates, puis les horaires de mission s'il y en a
    (ils restent d'un jour coché ou décoché à l'autre)."""
    texte = commenter(dates)
    if horaires:
        texte = f"{texte}{LigneTrajet.SEPARATEUR_HORAIRES}{horaires}"
    return texte[:COMMENTAIRE_MAX]


def calendrier_agent(agent, debut: datetime.date, fin: datetime.date) -> CalendrierAgent:
    """Fériés et vacances du département de la résidence administrative, absences de l'agent, entre deux dates."""
    departement = agent.residence_administrative.commune.departement
    periodes = PeriodeVacances.objects.filter(departement=departement, date_debut__lte=fin, date_fin__gte=debut)
    absences = Absence.objects.filter(agent=agent, date_debut__lte=fin, date_fin__gte=debut).order_by("date_debut")
    return CalendrierAgent(
        departement=departement,
        feries=jours_feries_entre(debut, fin, departement),
        vacances=vacances_scolaires(debut, fin, departement, periodes),
        absences=list(absences.values_list("date_debut", "date_fin", "motif")),
    )


# --- Préparer l'OMI du mois ---------------------------------------------------------------------------------------


def _verrouiller_omp(omp: OrdreMission) -> OrdreMission:
    return (
        OrdreMission.objects.select_for_update(of=("self",))
        .select_related("agent__residence_administrative__commune", "agent__commune_familiale")
        .get(pk=omp.pk)
    )


def _omi_existant(omp: OrdreMission, mois: datetime.date) -> OrdreMission | None:
    return (
        OrdreMission.objects.filter(type=TypeOrdre.ITINERANT, agent_id=omp.agent_id, mois=mois, omp=omp)
        .exclude(etat=Etat.ANNULE)
        .order_by("pk")
        .first()
    )


def _message_doublon(mois: datetime.date, existant: OrdreMission | None) -> str:
    numero = f" ({existant.numero})" if existant else ""
    return (
        f"Un ordre de mission itinérant existe déjà pour {libelle_mois(mois)} et cet OMP{numero} : "
        "complétez-le plutôt que d'en créer un second."
    )


def _verifier_preparable(omp: OrdreMission, mois: datetime.date) -> None:
    if omp.type != TypeOrdre.PERMANENT:
        raise PrefillRefuse(
            "Cet ordre n'est pas un ordre de mission permanent : un OMI se prépare à partir de l'OMP de l'agent."
        )
    if omp.etat != Etat.VALIDE:
        raise PrefillRefuse(
            f"L'ordre de mission permanent {omp.numero} n'est pas validé (état : {omp.get_etat_display()}) : "
            "un OMI ne peut être préparé qu'une fois l'OMP validé par le service gestionnaire."
        )
    if dernier_jour(mois) < omp.date_debut or mois > omp.date_fin:
        raise PrefillRefuse(
            f"Le mois de {libelle_mois(mois)} est hors de la période de l'ordre de mission permanent "
            f"(du {omp.date_debut:%d/%m/%Y} au {omp.date_fin:%d/%m/%Y})."
        )
    if existant := _omi_existant(omp, mois):
        raise PrefillRefuse(_message_doublon(mois, existant))


def _objet(omp: OrdreMission, mois: datetime.date) -> str:
    suffixe = f" — {libelle_mois(mois)}"
    return omp.objet[: OBJET_MAX - len(suffixe)] + suffixe


def _commune_de_depart(agent, depart: str):
    return agent.commune_familiale if depart == Depart.FAMILIALE else agent.residence_administrative.commune


def _est_la_contrainte(exc: IntegrityError, nom: str) -> bool:
    diagnostic = getattr(exc.__cause__, "diag", None)
    return getattr(diagnostic, "constraint_name", None) == nom


def preparer_omi(*, omp: OrdreMission, mois: datetime.date, par) -> OrdreMission:
    """Crée l'OMI en brouillon du mois (`mois` : un jour quelconque du mois) à partir de l'OMP validé.

    Refuse (`PrefillRefuse`, rien n'est créé) si l'OMP n'est pas validé, si le mois est hors de sa période, ou si
    un OMI non annulé existe déjà pour cet agent, ce mois et cet OMP.
    """
    mois = premier_jour(mois)
    with transaction.atomic():
        omp = _verrouiller_omp(omp)
        _verifier_preparable(omp, mois)
        agent = omp.agent
        debut, fin = max(mois, omp.date_debut), min(dernier_jour(mois), omp.date_fin)
        trajets = list(TrajetHabituel.objects.filter(ordre=omp).select_related("destination_commune").order_by("pk"))
        vehicule_id = omp.vehicule_id or (
            Vehicule.objects.filter(agent=agent, actif=True).values_list("pk", flat=True).first()
        )
        omi = OrdreMission(
            type=TypeOrdre.ITINERANT,
            agent=agent,
            omp=omp,
            mois=mois,
            objet=_objet(omp, mois),
            periode=Periode.LIBRE,
            date_debut=debut,
            date_fin=fin,
            destination_principale=trajets[0].destination_commune if trajets else None,
            vehicule_personnel=omp.vehicule_personnel,
            transports_publics=omp.transports_publics,
            vehicule_service=omp.vehicule_service,
            vehicule_id=vehicule_id,
            enveloppe_budgetaire_id=omp.enveloppe_budgetaire_id or agent.enveloppe_budgetaire_id,
            centre_couts_id=omp.centre_couts_id or agent.centre_couts_id,
            domaine_fonctionnel_id=omp.domaine_fonctionnel_id or agent.domaine_fonctionnel_id,
            created_by=par,
        )
        try:
            omi.save()
        except IntegrityError as exc:
            # Un OMI créé entre-temps par un autre chemin que ce service : la contrainte d'unicité tranche. Le refus
            # sort de la transaction, qui est annulée : rien n'est écrit.
            if _est_la_contrainte(exc, CONTRAINTE_UN_OMI_PAR_MOIS):
                raise PrefillRefuse(_message_doublon(mois, None)) from exc
            raise

        contexte = calendrier_agent(agent, debut, fin)
        lignes, dates_par_ligne, repas_par_date = [], [], {}
        for trajet in trajets:
            dates = dates_du_mois(
                mois, trajet.jours, contexte.feries, contexte.vacances, contexte.periodes_absence, debut, fin
            )
            if not dates:
                continue
            lignes.append(
                LigneTrajet(
                    ordre=omi,
                    trajet_habituel=trajet,
                    depart=trajet.depart,
                    commune_depart=_commune_de_depart(agent, trajet.depart),
                    commune_arrivee=trajet.destination_commune,
                    km_aller=trajet.km_aller,
                    trajets_par_jour=trajet.trajets_par_jour,
                    commentaire=commentaire_ligne(dates, trajet.horaires),
                )
            )
            dates_par_ligne.append(dates)
            if trajet.repas != TypeRepas.AUCUN:
                # Un seul repas de midi par jour, même si deux trajets habituels en prévoient un ce jour-là.
                for jour in dates:
                    repas_par_date.setdefault(jour, trajet.repas)
        LigneTrajet.objects.bulk_create(lignes)
        JourTrajet.objects.bulk_create(
            JourTrajet(ligne=ligne, date=jour)
            for ligne, dates in zip(lignes, dates_par_ligne, strict=True)
            for jour in dates
        )
        Frais.objects.bulk_create(
            Frais(ordre=omi, type=TypeFrais.REPAS, date=jour, type_repas=repas)
            for jour, repas in sorted(repas_par_date.items())
        )
    return omi


# --- Le calendrier du mois, pour l'écran de l'OMI -----------------------------------------------------------------


def _statut(jour: dict) -> tuple[str, str]:
    """Le statut d'un jour pour l'affichage, et son libellé : ce qui prime quand plusieurs raisons se cumulent."""
    if jour["travaille"]:
        return "travaille", ""
    if jour["hors_periode"]:
        return "hors_periode", "Hors de la période de l'ordre"
    if jour["absence"]:
        return "absence", jour["absence"]
    if jour["ferie"]:
        return "ferie", jour["ferie"]
    if jour["weekend"]:
        return "weekend", "Week-end"
    if jour["vacances"]:
        return "vacances", jour["vacances"]
    return "libre", ""


def lignes_avec_jours(omi: OrdreMission) -> list[LigneTrajet]:
    """Les lignes de l'ordre avec leurs communes, leur trajet habituel et leurs jours (triés par date), en deux
    requêtes : ce que lisent le calendrier, le calcul et les contrôles d'un OMI, qui peuvent se les passer."""
    return list(
        LigneTrajet.objects.filter(ordre=omi)
        .select_related("commune_depart__arrondissement_de", "commune_arrivee__arrondissement_de", "trajet_habituel")
        .prefetch_related(Prefetch("jours", queryset=JourTrajet.objects.order_by("date")))
        .order_by("pk")
    )


def _jours_du_mois(omi: OrdreMission, mois: datetime.date, contexte: CalendrierAgent) -> list[dict]:
    """Ce qui ne dépend pas de la ligne, pour chaque jour du mois : calculé une fois, pas une fois par ligne."""
    modifiable = omi.est_modifiable_par_agent
    jours = []
    for numero in range(1, dernier_jour(mois).day + 1):
        date = mois.replace(day=numero)
        hors_periode = not omi.date_debut <= date <= omi.date_fin
        jours.append(
            {
                "date": date,
                "numero": numero,
                "initiale": INITIALES[date.weekday()],
                "weekend": date.weekday() >= 5,
                "ferie": contexte.feries.get(date, ""),
                "vacances": contexte.vacances.get(date, ""),
                "absence": contexte.absence(date) or "",
                "hors_periode": hors_periode,
                "modifiable": modifiable and not hors_periode,
            }
        )
    return jours


def calendrier_du_mois(omi: OrdreMission, lignes: list[LigneTrajet] | None = None) -> dict:
    """Le calendrier du mois de l'OMI, une fois pour toutes ses lignes, et les jours cochés de chaque ligne.

    Rend {"mois", "libelle", "debut", "fin", "departement", "zone", "jours": [...], "grille": [...],
    "lignes": [...]}. `jours` : chaque jour du mois, avec ce qui ne dépend pas de la ligne (date, numéro, initiale,
    `weekend`, `ferie`, `vacances`, `absence`, `hors_periode`, `modifiable` ; voir `dates_possibles`). `grille` :
    les semaines du lundi au dimanche, en numéros de jour (None hors du mois). Chaque ligne : {"ligne", "libelle",
    "jours_habituels", "nombre_jours", "coches"} (`coches` : l'ensemble des dates cochées).

    C'est ce que lit la page d'un OMI : 40 lignes × 31 jours en dictionnaires (`dates_possibles`) coûtaient plus
    de temps, et de ramasse-miettes, que tout le reste du calendrier. `lignes` : celles de `lignes_avec_jours(omi)`,
    quand l'appelant les a déjà lues (sinon elles sont lues ici).
    """
    mois = premier_jour(omi.mois or omi.date_debut)
    contexte = calendrier_agent(omi.agent, mois, dernier_jour(mois))
    grille = [
        [date.day if date.month == mois.month else None for date in semaine]
        for semaine in calendar.Calendar(firstweekday=0).monthdatescalendar(mois.year, mois.month)
    ]
    resultat_lignes = []
    for ligne in lignes_avec_jours(omi) if lignes is None else lignes:
        coches = {jour.date for jour in ligne.jours.all()}
        habituels = set(ligne.trajet_habituel.jours) if ligne.trajet_habituel else set()
        resultat_lignes.append(
            {
                "ligne": ligne,
                "libelle": f"{ligne.commune_depart.nom} → {ligne.commune_arrivee.nom}",
                "jours_habituels": sorted(habituels),
                "nombre_jours": len(coches),
                "coches": coches,
            }
        )
    return {
        "mois": mois,
        "libelle": libelle_mois(mois),
        "debut": omi.date_debut,
        "fin": omi.date_fin,
        "departement": contexte.departement,
        "zone": zone_scolaire(contexte.departement),
        "jours": _jours_du_mois(omi, mois, contexte),
        "grille": grille,
        "lignes": resultat_lignes,
    }


def dates_possibles(omi: OrdreMission, lignes: list[LigneTrajet] | None = None) -> dict:
    """Le calendrier du mois de l'OMI, ligne par ligne, pour un écran qui coche et décoche les jours.

    Rend {"mois", "libelle", "debut", "fin", "departement", "zone", "lignes": [...]} ; chaque ligne donne
    {"ligne", "libelle", "jours_habituels", "nombre_jours", "jours": [...], "semaines": [...]}. Chaque jour :
    date, numéro, initiale, `travaille` (coché), `habituel` (jour de la semaine du trajet habituel), `weekend`,
    `ferie` (nom ou ""), `vacances` (nom ou ""), `absence` (motif ou ""), `hors_periode`, `modifiable`, et
    `statut` / `libelle` : travaille, hors_periode, absence, ferie, weekend, vacances ou libre, dans cet ordre de
    priorité. `semaines` range les mêmes jours par semaine du lundi au dimanche (None hors du mois).

    `calendrier_du_mois` donne la même chose sans un dictionnaire par ligne et par jour.
    """
    calendrier = calendrier_du_mois(omi, lignes)
    du_mois, grille = calendrier.pop("jours"), calendrier.pop("grille")
    for item in calendrier["lignes"]:
        coches = item.pop("coches")
        habituels = set(item["jours_habituels"])
        jours = []
        for commun in du_mois:
            date = commun["date"]
            jour = {**commun, "travaille": date in coches, "habituel": date.weekday() in habituels}
            jour["statut"], jour["libelle"] = _statut(jour)
            jours.append(jour)
        item["jours"] = jours
        item["semaines"] = [[None if numero is None else jours[numero - 1] for numero in semaine] for semaine in grille]
    return calendrier


# --- Cocher ou décocher un jour -----------------------------------------------------------------------------------


def _synchroniser_repas(omi: OrdreMission, date: datetime.date) -> None:
    """Un repas ce jour-là si une ligne cochée ce jour prévoit un repas habituel, sinon aucun.

    Le repas créé prend le type de la première ligne (dans l'ordre des lignes) qui en prévoit un ; un repas déjà
    présent n'est pas modifié. Un repas qui porte un justificatif déposé par l'agent n'est jamais supprimé.
    """
    repas_prevu = (
        LigneTrajet.objects.filter(ordre=omi, jours__date=date, trajet_habituel__isnull=False)
        .exclude(trajet_habituel__repas=TypeRepas.AUCUN)
        .order_by("pk")
        .values_list("trajet_habituel__repas", flat=True)
        .first()
    )
    repas_du_jour = Frais.objects.filter(ordre=omi, type=TypeFrais.REPAS, date=date)
    if repas_prevu is None:
        repas_du_jour.filter(justificatif="").delete()
    elif not repas_du_jour.exists():
        Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=date, type_repas=repas_prevu)


def basculer_jour(ligne: LigneTrajet, date: datetime.date, actif: bool) -> LigneTrajet:
    """Coche (`actif`) ou décoche un jour d'une ligne de l'OMI, refait le commentaire des dates et les repas du jour.

    Tout jour du mois dans la période de l'OMI peut être coché, y compris un jour férié ou de vacances : l'agent
    déclare ce qu'il a fait. Refuse (`PrefillRefuse`, rien ne change) un jour hors du mois ou de la période, ou un
    ordre qui n'est plus en brouillon. Cocher un jour déjà coché, ou décocher un jour qui ne l'est pas, ne change rien.
    """
    with transaction.atomic():
        omi = OrdreMission.objects.select_for_update(of=("self",)).get(pk=ligne.ordre_id)
        if omi.type != TypeOrdre.ITINERANT or omi.mois is None:
            raise PrefillRefuse("Seules les lignes d'un ordre de mission itinérant (OMI) se cochent jour par jour.")
        if not omi.est_modifiable_par_agent:
            raise PrefillRefuse(
                f"L'ordre {omi.numero} n'est plus modifiable (état : {omi.get_etat_display()}) : "
                "seul un ordre en cours de création peut l'être."
            )
        if (date.year, date.month) != (omi.mois.year, omi.mois.month):
            raise PrefillRefuse(
                f"Le {date:%d/%m/%Y} n'est pas en {libelle_mois(omi.mois)} : "
                "un OMI ne déclare que les trajets de son mois."
            )
        if not omi.date_debut <= date <= omi.date_fin:
            raise PrefillRefuse(
                f"Le {date:%d/%m/%Y} est hors de la période de l'ordre "
                f"(du {omi.date_debut:%d/%m/%Y} au {omi.date_fin:%d/%m/%Y})."
            )
        ligne = LigneTrajet.objects.get(pk=ligne.pk, ordre=omi)
        if actif:
            JourTrajet.objects.get_or_create(ligne=ligne, date=date)
        else:
            JourTrajet.objects.filter(ligne=ligne, date=date).delete()
        ligne.commentaire = commentaire_ligne(
            JourTrajet.objects.filter(ligne=ligne).values_list("date", flat=True), ligne.horaires
        )
        ligne.save(update_fields=["commentaire"])
        _synchroniser_repas(omi, date)
    return ligne
