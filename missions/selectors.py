"""Lectures des ordres de mission."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from bareme import calcul
from missions import fichiers
from missions.calculs import CalculOrdre, calculer_ordre
from missions.enums import Etat, TypeOrdre
from missions.models import OrdreMission
from missions.periodes import mois_couverts, mois_fr
from missions.prefill import calendrier_du_mois, lignes_avec_jours
from validation.anomalies import detecter
from validation.regles import ordres_visibles_q


def ordres_visibles(user) -> QuerySet[OrdreMission]:
    return OrdreMission.objects.filter(ordres_visibles_q(user)).distinct()


def ordre_visible_ou_404(user, pk: int) -> OrdreMission:
    """L'ordre, s'il est visible de cette personne ; sinon 404, sans révéler qu'il existe.

    La visibilité est une sous-requête (`id IN (…)`), pas un DISTINCT sur la jointure : PostgreSQL mettait 12 ms à
    planifier le tri DISTINCT des colonnes des neuf tables jointes, pour une seule ligne. Et la lecture se fait sans
    LIMIT (pas de `get`) : la clé primaire suffit à n'avoir qu'une ligne, et le LIMIT doublait le temps de
    planification de cette jointure (1,5 ms au lieu de 3,7 ; voir benchmarks/README.md, page d'un OMI).
    """
    visibles = OrdreMission.objects.filter(ordres_visibles_q(user)).values("pk")
    queryset = OrdreMission.objects.filter(pk__in=visibles).select_related(
        "agent__user",
        "agent__residence_administrative__commune",
        "destinataire",
        "omp",
        "enveloppe_budgetaire",
        "centre_couts",
        "domaine_fonctionnel",
    )
    trouves = list(queryset.filter(pk=pk))
    if not trouves:
        raise Http404("Aucun ordre de mission visible ne correspond.")
    return trouves[0]


def historique(ordre: OrdreMission):
    return ordre.historique.select_related("par", "pour_le_compte_de").order_by("created_at", "pk")


def ordres_de_l_agent(agent) -> QuerySet[OrdreMission]:
    return OrdreMission.objects.filter(agent=agent).select_related("destinataire", "omp").order_by("-date_debut", "-pk")


def trajets_habituels(ordre: OrdreMission):
    return ordre.trajets_habituels.select_related("destination_commune", "destination_etablissement").order_by("pk")


def mois_disponibles(agent, aujourd_hui: datetime.date) -> list[dict]:
    """Chaque mois écoulé ou en cours des OMP validés de l'agent dont l'OMI n'est pas encore créé, du plus récent."""
    courant = aujourd_hui.replace(day=1)
    omps = list(
        OrdreMission.objects.filter(
            agent=agent, type=TypeOrdre.PERMANENT, etat=Etat.VALIDE, date_debut__lte=aujourd_hui
        ).order_by("date_debut", "pk")
    )
    deja = set(
        OrdreMission.objects.filter(omp__in=omps, type=TypeOrdre.ITINERANT)
        .exclude(etat=Etat.ANNULE)
        .values_list("omp_id", "mois")
    )
    resultat = []
    for omp in omps:
        for mois in mois_couverts(omp.date_debut, min(omp.date_fin, aujourd_hui)):
            if mois <= courant and (omp.pk, mois) not in deja:
                resultat.append({"omp": omp, "mois": mois, "libelle": mois_fr(mois), "choix": f"{omp.pk}|{mois:%Y-%m}"})
    return sorted(resultat, key=lambda item: (item["mois"], item["omp"].pk), reverse=True)


def mois_a_declarer(disponibles: list[dict], aujourd_hui: datetime.date) -> list[dict]:
    """Parmi les mois disponibles (`mois_disponibles`, déjà lus), le mois précédent et le mois en cours : ceux que le
    tableau de bord met en avant."""
    courant = aujourd_hui.replace(day=1)
    precedent = (courant - datetime.timedelta(days=1)).replace(day=1)
    return [item for item in disponibles if item["mois"] in (precedent, courant)]


# --- La page d'un OMI ---------------------------------------------------------------------------------------------

SEUILS_KM_DEFAUT = (Decimal(2000), Decimal(10000))  # seuils du barème IK voiture, quand aucune ligne n'est calculée


def _tranches_appliquees(calcul_ordre: CalculOrdre) -> tuple[calcul.Tranche, ...]:
    """Les tranches du barème appliqué à la dernière ligne calculée (classe du véhicule, version en vigueur)."""
    resultats = [resultat for ligne in calcul_ordre.lignes for resultat in ligne.resultats]
    if not resultats:
        return ()
    dernier = max(resultats, key=lambda resultat: resultat.ligne.date)
    return dernier.version.tranches.get(dernier.ligne.classe, ())


def situation_cumul(calcul_ordre: CalculOrdre) -> dict:
    """Les kilomètres de l'année face aux seuils du barème : « il vous reste 412 km avant le seuil de 2 000 km »."""
    tranches = _tranches_appliquees(calcul_ordre)
    seuils = tuple(tranche.fin for tranche in tranches if tranche.fin is not None) or SEUILS_KM_DEFAUT
    cumul = calcul_ordre.cumul_apres
    prochain = next((seuil for seuil in seuils if seuil > cumul), None)
    situation = {
        "cumul_avant": calcul_ordre.cumul_avant,
        "km": calcul_ordre.km,
        "cumul_apres": cumul,
        "seuils": seuils,
        "seuil": prochain,
        "reste": None if prochain is None else prochain - cumul,
    }
    if prochain is None:
        situation["message"] = (
            f"Vous avez dépassé le seuil de {calcul.km_fr(seuils[-1])} cette année : "
            "chaque kilomètre est payé au taux de la dernière tranche."
        )
        return situation
    message = f"Il vous reste {calcul.km_fr(prochain - cumul)} avant le seuil de {calcul.km_fr(prochain)}"
    avant = next((tranche for tranche in tranches if tranche.fin == prochain), None)
    apres = next((tranche for tranche in tranches if tranche.debut == prochain), None)
    if avant and apres:
        message += f" : au-delà, le kilomètre passe de {calcul.euros_fr(avant.taux)} à {calcul.euros_fr(apres.taux)}"
    situation["message"] = message + "."
    return situation


def page_omi(ordre: OrdreMission) -> dict:
    """Tout ce que montre la page d'un OMI, en un nombre de requêtes qui ne dépend ni des lignes ni des jours.

    Chaque ligne : ses jours cochés dans le calendrier du mois (`prefill.calendrier_du_mois`), son calcul
    (`calculs.calculer_ordre` : km par tranche, taux, montant, version du barème) et ses anomalies
    (`validation.anomalies.detecter`) ; puis les frais avec leur montant et leur justificatif, les totaux, le cumul
    annuel face aux seuils, les contrôles.
    """
    # Lignes, jours et frais lus une fois pour les trois, qui les relisaient chacun (6 requêtes et, pour 40 lignes,
    # 8 ms de processeur de plus).
    lignes_ordre = lignes_avec_jours(ordre)
    frais_ordre = list(ordre.frais.order_by("date", "pk"))
    calendrier = calendrier_du_mois(ordre, lignes_ordre)
    calcul_ordre = calculer_ordre(ordre, lignes=lignes_ordre, frais=frais_ordre)
    anomalies = detecter(ordre, lignes=lignes_ordre, frais=frais_ordre)
    calculees = {calculee.ligne.pk: calculee for calculee in calcul_ordre.lignes}
    par_ligne: dict[int | None, list] = {}
    for anomalie in anomalies:
        par_ligne.setdefault(anomalie.ligne, []).append(anomalie)
    lignes = []
    for item in calendrier["lignes"]:
        ligne = item["ligne"]
        calculee = calculees.get(ligne.pk)
        lignes.append(
            {
                **item,
                "nombre_trajets": item["nombre_jours"] * ligne.trajets_par_jour,
                "calcul": calculee,
                "parts": [
                    {"bareme": resultat.version.libelle, "part": part}
                    for resultat in (calculee.resultats if calculee else ())
                    for part in resultat.parts
                ],
                "anomalies": par_ligne.get(ligne.pk, []),
            }
        )
    montants = {item.frais.pk: item for item in calcul_ordre.frais}
    frais = [
        {
            "frais": item,
            "calcul": montants.get(item.pk),
            "format": fichiers.format_du_nom(item.justificatif.name) if item.justificatif else None,
        }
        for item in frais_ordre
    ]
    connues = {ligne["ligne"].pk for ligne in lignes}
    resume: dict[tuple, dict] = {}
    for item in calcul_ordre.frais:
        frais_calcule = item.frais
        libelle = frais_calcule.get_type_display()
        if frais_calcule.type_repas:
            libelle = f"{libelle} — {frais_calcule.get_type_repas_display().lower()}"
        groupe = resume.setdefault(
            (libelle, item.taux, item.bareme),
            {"libelle": libelle, "taux": item.taux, "bareme": item.bareme, "nombre": 0, "montant": Decimal(0)},
        )
        groupe["nombre"] += 1
        groupe["montant"] += item.montant
    return {
        "calendrier": calendrier,
        "lignes": lignes,
        "frais": frais,
        "frais_resume": list(resume.values()),
        "calcul": calcul_ordre,
        "cumul": situation_cumul(calcul_ordre),
        "anomalies": anomalies,
        "anomalies_ordre": [anomalie for anomalie in anomalies if anomalie.ligne not in connues],
        "nb_bloquantes": sum(1 for anomalie in anomalies if anomalie.bloquante),
        "nb_avertissements": sum(1 for anomalie in anomalies if not anomalie.bloquante),
    }
