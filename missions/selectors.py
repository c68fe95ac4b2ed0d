"""Lectures des ordres de mission."""

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from missions.calendrier import dernier_jour
from missions.enums import Etat, TypeOrdre
from missions.models import OrdreMission
from missions.periodes import mois_fr
from validation.regles import ordres_visibles_q


def ordres_visibles(user) -> QuerySet[OrdreMission]:
    return OrdreMission.objects.filter(ordres_visibles_q(user)).distinct()


def ordre_visible_ou_404(user, pk: int) -> OrdreMission:
    """L'ordre, s'il est visible de cette personne ; sinon 404, sans révéler qu'il existe."""
    queryset = ordres_visibles(user).select_related(
        "agent__user",
        "agent__residence_administrative__commune",
        "destinataire",
        "omp",
        "enveloppe_budgetaire",
        "centre_couts",
        "domaine_fonctionnel",
    )
    return get_object_or_404(queryset, pk=pk)


def historique(ordre: OrdreMission):
    return ordre.historique.select_related("par", "pour_le_compte_de").order_by("created_at", "pk")


def ordres_de_l_agent(agent) -> QuerySet[OrdreMission]:
    return OrdreMission.objects.filter(agent=agent).select_related("destinataire", "omp").order_by("-date_debut", "-pk")


def trajets_habituels(ordre: OrdreMission):
    return ordre.trajets_habituels.select_related("destination_commune", "destination_etablissement").order_by("pk")


def mois_a_declarer(agent, aujourd_hui: datetime.date) -> list[dict]:
    """Le mois précédent et le mois en cours de chaque OMP validé, tant que leur OMI n'est pas créé."""
    courant = aujourd_hui.replace(day=1)
    precedent = (courant - datetime.timedelta(days=1)).replace(day=1)
    omps = list(
        OrdreMission.objects.filter(
            agent=agent,
            type=TypeOrdre.PERMANENT,
            etat=Etat.VALIDE,
            date_debut__lte=aujourd_hui,
            date_fin__gte=precedent,
        ).order_by("date_debut", "pk")
    )
    deja = set(
        OrdreMission.objects.filter(omp__in=omps, type=TypeOrdre.ITINERANT)
        .exclude(etat=Etat.ANNULE)
        .values_list("omp_id", "mois")
    )
    resultat = []
    for omp in omps:
        for mois in (precedent, courant):
            dans_la_periode = omp.date_debut <= dernier_jour(mois) and mois <= omp.date_fin
            if dans_la_periode and (omp.pk, mois) not in deja:
                resultat.append({"omp": omp, "mois": mois, "libelle": mois_fr(mois)})
    return resultat
