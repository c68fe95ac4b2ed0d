"""Les contrôles d'un ordre de mission : une seule liste de règles, chacune expliquée en français.

Les bloquantes empêchent la soumission ; les autres voyagent avec l'ordre jusqu'aux valideurs, dans leurs files.
Les données sont lues une fois (`contexte`), puis chaque règle est une fonction pure de ce contexte.
"""

import datetime
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from bareme import calcul
from bareme.selectors import lieu_eligibilite, paires_desservies
from missions.calendrier import commentaire_dates, jours_feries_entre
from missions.enums import Etat, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Distance, Frais, JourTrajet, LigneTrajet, OrdreMission

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FRAIS_A_JUSTIFIER = {TypeFrais.PEAGE, TypeFrais.PARKING, TypeFrais.TRANSPORT_PUBLIC}
SEUIL_INHABITUEL = Decimal(2)  # un mois à plus du double de la médiane des mois validés de l'agent
MOIS_DE_REFERENCE = 3  # il faut au moins trois mois validés pour parler d'habitude


@dataclass(frozen=True)
class Anomalie:
    code: str
    message: str
    bloquante: bool = False
    ligne: int | None = None


@dataclass
class Contexte:
    ordre: OrdreMission
    lignes: list[LigneTrajet]
    frais: list[Frais]
    feries: dict[datetime.date, str]
    distancier: dict[frozenset[str], Decimal]
    eligibilites: dict[int, calcul.ResultatEligibilite]  # par ligne
    dates_autres_ordres: dict[datetime.date, str]  # date → numéro de l'autre ordre
    montants_habituels: list[Decimal]
    montant: Decimal | None
    dates_par_ligne: dict[int, list[datetime.date]] = field(default_factory=dict)
    nb_trajets_habituels: int = 0


def date_fr(jour: datetime.date) -> str:
    return f"{JOURS[jour.weekday()]} {calcul.date_fr(jour)}"


# --- Règles ---------------------------------------------------------------------------------------------------------


def omp_sans_trajet_habituel(ctx: Contexte) -> list[Anomalie]:
    if ctx.ordre.type == TypeOrdre.PERMANENT and ctx.ordre.vehicule_personnel and not ctx.nb_trajets_habituels:
        return [
            Anomalie("sans_trajet", "Ajoutez au moins un trajet habituel à votre ordre de mission permanent.", True)
        ]
    return []


def ligne_sans_km_ni_date(ctx: Contexte) -> list[Anomalie]:
    anomalies = []
    for ligne in ctx.lignes:
        trajet = f"{ligne.commune_depart.nom} → {ligne.commune_arrivee.nom}"
        if ligne.km_aller <= 0:
            anomalies.append(Anomalie("zero_km", f"Le trajet {trajet} compte 0 km.", True, ligne.pk))
        if not ctx.dates_par_ligne[ligne.pk]:
            anomalies.append(Anomalie("sans_date", f"Le trajet {trajet} n'a aucune date.", True, ligne.pk))
    return anomalies


def dates_hors_periode(ctx: Contexte) -> list[Anomalie]:
    ordre = ctx.ordre
    debut, fin = ordre.date_debut, ordre.date_fin
    if ordre.omp_id:
        debut, fin = max(debut, ordre.omp.date_debut), min(fin, ordre.omp.date_fin)
    anomalies = []
    for ligne in ctx.lignes:
        for jour in ctx.dates_par_ligne[ligne.pk]:
            if not debut <= jour <= fin:
                anomalies.append(
                    Anomalie(
                        "hors_periode",
                        f"Le trajet du {date_fr(jour)} est hors de la période de l'ordre "
                        f"(du {calcul.date_fr(debut)} au {calcul.date_fr(fin)}).",
                        True,
                        ligne.pk,
                    )
                )
    for frais in ctx.frais:
        if not debut <= frais.date <= fin:
            anomalies.append(
                Anomalie("hors_periode", f"{frais.get_type_display()} du {date_fr(frais.date)} : hors période.", True)
            )
    return anomalies


def week_end_ou_ferie(ctx: Contexte) -> list[Anomalie]:
    anomalies = []
    for ligne in ctx.lignes:
        for jour in ctx.dates_par_ligne[ligne.pk]:
            if jour in ctx.feries:
                raison = f"un jour férié ({ctx.feries[jour]})"
            elif jour.weekday() >= 5:
                raison = "un jour de week-end"
            else:
                continue
            anomalies.append(
                Anomalie("week_end_ferie", f"Trajet déclaré le {date_fr(jour)}, {raison}.", False, ligne.pk)
            )
    return anomalies


def communes_comptant_pour_une(ctx: Contexte) -> list[Anomalie]:
    return [
        Anomalie("non_eligible", resultat.motif, True, ligne_pk)
        for ligne_pk, resultat in ctx.eligibilites.items()
        if not resultat.eligible
    ]


def km_au_dessus_du_distancier(ctx: Contexte) -> list[Anomalie]:
    anomalies = []
    for ligne in ctx.lignes:
        reference = ctx.distancier.get(frozenset((ligne.commune_depart_id, ligne.commune_arrivee_id)))
        if reference is not None and ligne.km_aller > reference:
            anomalies.append(
                Anomalie(
                    "km_distancier",
                    f"{ligne.commune_depart.nom} → {ligne.commune_arrivee.nom} : {calcul.km_fr(ligne.km_aller)} déclarés, "
                    f"{calcul.km_fr(reference)} au distancier.",
                    False,
                    ligne.pk,
                )
            )
    return anomalies


def repas_sans_deplacement(ctx: Contexte) -> list[Anomalie]:
    jours_de_trajet = {jour for dates in ctx.dates_par_ligne.values() for jour in dates}
    if ctx.ordre.type == TypeOrdre.PONCTUEL:
        return []  # les repas d'un OM ponctuel viennent des horaires, contrôlés à la génération des étapes
    return [
        Anomalie(
            "repas_sans_deplacement",
            f"Repas du {date_fr(frais.date)} sans déplacement ce jour-là : "
            "un repas n'est dû que si la mission couvre toute la plage de 11 h à 14 h.",
            False,
        )
        for frais in ctx.frais
        if frais.type == TypeFrais.REPAS and frais.type_repas != TypeRepas.GRATUIT and frais.date not in jours_de_trajet
    ]


def repas_hors_horaires(ctx: Contexte) -> list[Anomalie]:
    """Un repas un jour où les horaires de mission saisis sur les trajets ne couvrent pas la plage 11 h–14 h.

    Seuls les horaires lisibles comptent (`calcul.lire_horaires`) : un jour dont aucun trajet n'a d'horaires n'est
    pas signalé ici, et un seul trajet qui couvre la plage suffit."""
    if ctx.ordre.type == TypeOrdre.PONCTUEL:
        return []
    horaires_par_jour: dict[datetime.date, list[tuple[datetime.time, datetime.time]]] = {}
    for ligne in ctx.lignes:
        horaires = calcul.lire_horaires(ligne.horaires)
        if horaires is not None:
            for jour in ctx.dates_par_ligne[ligne.pk]:
                horaires_par_jour.setdefault(jour, []).append(horaires)
    # Les jours en cause, regroupés par horaires déclarés : une phrase par horaires, pas une par repas.
    jours_par_horaires: dict[str, list[datetime.date]] = {}
    for frais in ctx.frais:
        declares = horaires_par_jour.get(frais.date)
        if frais.type != TypeFrais.REPAS or frais.type_repas == TypeRepas.GRATUIT or not declares:
            continue
        if not any(calcul.couvre_la_plage(horaires, calcul.DEJEUNER) for horaires in declares):
            textes = ", ".join(calcul.horaires_texte(*horaires) for horaires in declares)
            jours_par_horaires.setdefault(textes, []).append(frais.date)
    plage = calcul.plage_fr(calcul.DEJEUNER)
    return [
        Anomalie(
            "repas_hors_horaires",
            f"Repas du {date_fr(jours[0])} : les horaires de mission de ce jour ({textes}) ne couvrent pas toute "
            f"la plage {plage}."
            if len(jours) == 1
            else f"Repas des {commentaire_dates(jours)} : les horaires de mission de ces jours ({textes}) ne couvrent "
            f"pas toute la plage {plage}.",
            False,
        )
        for textes, jours in jours_par_horaires.items()
    ]


def meme_jour_dans_deux_ordres(ctx: Contexte) -> list[Anomalie]:
    anomalies = []
    deja_vus = set()
    for ligne in ctx.lignes:
        for jour in ctx.dates_par_ligne[ligne.pk]:
            autre = ctx.dates_autres_ordres.get(jour)
            if autre and jour not in deja_vus:
                deja_vus.add(jour)
                anomalies.append(
                    Anomalie(
                        "double_declaration",
                        f"Le {date_fr(jour)} est aussi déclaré dans l'ordre {autre}.",
                        False,
                        ligne.pk,
                    )
                )
    return anomalies


def justificatif_manquant(ctx: Contexte) -> list[Anomalie]:
    """Un message par type de frais, avec ses dates : « Repas : justificatif manquant les 5, 8 et 12 octobre 2026. »

    Les frais d'un OM ponctuel sont prévisionnels : leurs justificatifs viennent avec l'état de frais.
    """
    if ctx.ordre.type == TypeOrdre.PONCTUEL:
        return []
    sans_justificatif: dict[str, list[Frais]] = {}
    for frais in ctx.frais:
        a_justifier = frais.type in FRAIS_A_JUSTIFIER or (
            frais.type == TypeFrais.REPAS and frais.type_repas == TypeRepas.PLEIN
        )
        if a_justifier and not frais.justificatif:
            sans_justificatif.setdefault(frais.type, []).append(frais)
    return [
        Anomalie(
            "justificatif",
            f"{liste[0].get_type_display()} : justificatif manquant "
            f"{'le' if len(liste) == 1 else 'les'} {_liste_de_dates([frais.date for frais in liste])}.",
        )
        for liste in sans_justificatif.values()
    ]


def _liste_de_dates(dates: list[datetime.date]) -> str:
    """« 5, 8 et 12 octobre 2026 » (le mois et l'année une fois, à la fin de chaque groupe)."""
    groupes: dict[tuple[int, int], list[int]] = {}
    for jour in sorted(dates):
        groupes.setdefault((jour.year, jour.month), []).append(jour.day)
    morceaux = []
    for (annee, mois), jours in groupes.items():
        numeros = [("1er" if jour == 1 else str(jour)) for jour in jours]
        texte = numeros[0] if len(numeros) == 1 else ", ".join(numeros[:-1]) + " et " + numeros[-1]
        morceaux.append(f"{texte} {calcul.MOIS[mois - 1]} {annee}")
    return " ; ".join(morceaux)


def controles_om_ponctuel(ctx: Contexte) -> list[Anomalie]:
    """Convocation, horaires, demande de billets : les contrôles propres aux OM ponctuels, tous bloquants."""
    if ctx.ordre.type != TypeOrdre.PONCTUEL:
        return []
    from missions.ponctuels import controles_ponctuel

    return [Anomalie("ponctuel", message, True) for message in controles_ponctuel(ctx.ordre)]


def montant_inhabituel(ctx: Contexte) -> list[Anomalie]:
    if ctx.montant is None or len(ctx.montants_habituels) < MOIS_DE_REFERENCE:
        return []
    mediane = statistics.median(ctx.montants_habituels)
    if mediane > 0 and ctx.montant > SEUIL_INHABITUEL * mediane:
        return [
            Anomalie(
                "montant_inhabituel",
                f"Montant de {calcul.euros_fr(ctx.montant)}, plus du double du mois habituel de l'agent "
                f"({calcul.euros_fr(Decimal(mediane))}).",
            )
        ]
    return []


REGLES: list[Callable[[Contexte], list[Anomalie]]] = [
    omp_sans_trajet_habituel,
    ligne_sans_km_ni_date,
    dates_hors_periode,
    communes_comptant_pour_une,
    week_end_ou_ferie,
    km_au_dessus_du_distancier,
    repas_sans_deplacement,
    repas_hors_horaires,
    meme_jour_dans_deux_ordres,
    justificatif_manquant,
    montant_inhabituel,
    controles_om_ponctuel,
]


# --- Lecture des données --------------------------------------------------------------------------------------------


def _destination(ligne: LigneTrajet, residences: set[str]):
    """Le lieu de la mission : l'arrivée, sauf si c'est une résidence (ligne de retour) ; alors le départ."""
    return ligne.commune_depart if ligne.commune_arrivee_id in residences else ligne.commune_arrivee


def contexte(
    ordre: OrdreMission, *, lignes: list[LigneTrajet] | None = None, frais: list[Frais] | None = None
) -> Contexte:
    """Les données des règles, lues une fois. `lignes` (communes avec leur ville de rattachement, jours triés par date,
    lignes triées par pk) et `frais` (triés par date puis pk) : ceux de l'ordre quand l'appelant les a déjà lus, comme
    la page d'un OMI ; sinon ils sont lus ici."""
    agent = ordre.agent
    if lignes is None:
        lignes = list(
            LigneTrajet.objects.filter(ordre=ordre)
            .select_related("commune_depart__arrondissement_de", "commune_arrivee__arrondissement_de")
            .prefetch_related(Prefetch("jours", queryset=JourTrajet.objects.order_by("date")))
            .order_by("pk")
        )
    if frais is None:
        frais = list(ordre.frais.order_by("date", "pk"))
    dates_par_ligne = {ligne.pk: [jour.date for jour in ligne.jours.all()] for ligne in lignes}
    toutes = [jour for dates in dates_par_ligne.values() for jour in dates]
    adm = agent.residence_administrative.commune
    fam = agent.commune_familiale
    residences = {adm.pk, fam.pk}
    codes = {adm.pk, fam.pk} | {c for ligne in lignes for c in (ligne.commune_depart_id, ligne.commune_arrivee_id)}
    desservies = paires_desservies(codes)
    lieux = {commune.pk: lieu_eligibilite(commune) for commune in (adm, fam)}
    eligibilites = {}
    for ligne in lignes:
        destination = _destination(ligne, residences)
        eligibilites[ligne.pk] = calcul.eligibilite(
            residence_administrative=lieux[adm.pk],
            residence_familiale=lieux[fam.pk],
            destination=lieu_eligibilite(destination),
            paires_desservies=desservies,
        )
    distancier = {
        frozenset((a, b)): km
        for a, b, km in Distance.objects.filter(commune_a__in=codes, commune_b__in=codes).values_list(
            "commune_a_id", "commune_b_id", "km"
        )
    }
    autres = {}
    if toutes:
        for jour, numero_pk, type_ordre, debut in (
            JourTrajet.objects.filter(ligne__ordre__agent=agent, date__in=toutes)
            .exclude(ligne__ordre=ordre)
            .exclude(ligne__ordre__etat=Etat.ANNULE)
            .values_list("date", "ligne__ordre_id", "ligne__ordre__type", "ligne__ordre__date_debut")
        ):
            autre = OrdreMission(pk=numero_pk, type=type_ordre, date_debut=debut)
            autres.setdefault(jour, autre.numero)
    habituels = list(
        OrdreMission.objects.filter(agent=agent, type=ordre.type, etat=Etat.VALIDE, montant_total__isnull=False)
        .exclude(pk=ordre.pk)
        .order_by("-date_debut")
        .values_list("montant_total", flat=True)[:6]
    )
    feries = {}
    if toutes:
        feries = jours_feries_entre(min(toutes), max(toutes), adm.departement)
    return Contexte(
        ordre=ordre,
        lignes=lignes,
        frais=frais,
        feries=feries,
        distancier=distancier,
        eligibilites=eligibilites,
        dates_autres_ordres=autres,
        montants_habituels=habituels,
        montant=ordre.montant_estime,
        dates_par_ligne=dates_par_ligne,
        nb_trajets_habituels=ordre.trajets_habituels.count() if ordre.type == TypeOrdre.PERMANENT else 0,
    )


def detecter(
    ordre: OrdreMission, *, lignes: list[LigneTrajet] | None = None, frais: list[Frais] | None = None
) -> list[Anomalie]:
    """Toutes les anomalies de l'ordre ; `lignes` et `frais` : voir `contexte`."""
    ctx = contexte(ordre, lignes=lignes, frais=frais)
    return [anomalie for regle in REGLES for anomalie in regle(ctx)]


def enregistrer(ordre: OrdreMission, anomalies: list[Anomalie]) -> None:
    """Les anomalies non bloquantes restent sur l'ordre, pour les files des valideurs."""
    ordre.anomalies = [asdict(anomalie) for anomalie in anomalies]
    ordre.nb_anomalies = len(anomalies)
    OrdreMission.objects.filter(pk=ordre.pk).update(anomalies=ordre.anomalies, nb_anomalies=ordre.nb_anomalies)
