"""Lectures des ordres de mission."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from missions.models import OrdreMission
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
