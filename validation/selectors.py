"""Les files de validation : ce qui attend une personne, filtré, trié, compté."""

import datetime

from django.db.models import Count, Q, QuerySet

from missions.enums import Etat
from missions.models import OrdreMission
from validation.enums import RoleDelegue
from validation.regles import delegations_actives, perimetre_de_gestion_q

TRIS = {
    "anciennete": ("soumis_le", "pk"),
    "recent": ("-soumis_le", "-pk"),
    "agent": ("agent__user__last_name", "agent__user__first_name", "pk"),
    "montant": ("-montant_estime", "pk"),
    "mois": ("-date_debut", "pk"),
}


def _lignes(queryset: QuerySet) -> QuerySet:
    """Seulement ce que la file affiche : chaque jointure de trop coûte aussi à la planification."""
    return queryset.select_related("agent__user", "agent__residence_administrative")


def ordres_file_vh1(user, jour: datetime.date | None = None) -> QuerySet[OrdreMission]:
    """Les ordres en attente de validation hiérarchique adressés à moi, ou à qui m'a délégué sa validation."""
    jour = jour or datetime.date.today()
    # Une liste plutôt qu'un OU avec une sous-requête : PostgreSQL garde l'index (etat, destinataire, soumis_le).
    delegants = delegations_actives(user, RoleDelegue.VH1, jour).values_list("delegant_id", flat=True)
    return _lignes(OrdreMission.objects.filter(etat=Etat.ATTENTE_VH1, destinataire__in=[user.pk, *delegants]))


def ordres_file_gestion(user, jour: datetime.date | None = None) -> QuerySet[OrdreMission]:
    return _lignes(OrdreMission.objects.filter(perimetre_de_gestion_q(user, jour)))


def filtrer(queryset: QuerySet, filtres: dict) -> QuerySet:
    """Applique les filtres validés d'une file (formulaire `FiltreFileForm`)."""
    if filtres.get("etat"):
        queryset = queryset.filter(etat=filtres["etat"])
    if filtres.get("mois"):
        # Un intervalle de dates plutôt qu'EXTRACT(month) : l'estimation des lignes reste juste, le plan aussi.
        debut = filtres["mois"].replace(day=1)
        fin = (debut + datetime.timedelta(days=32)).replace(day=1)
        queryset = queryset.filter(date_debut__gte=debut, date_debut__lt=fin)
    if filtres.get("categorie"):
        queryset = queryset.filter(agent__categorie=filtres["categorie"])
    if filtres.get("etablissement"):
        queryset = queryset.filter(agent__residence_administrative=filtres["etablissement"])
    if filtres.get("commune"):
        queryset = queryset.filter(agent__residence_administrative__commune=filtres["commune"])
    if filtres.get("montant_min") is not None:
        queryset = queryset.filter(montant_estime__gte=filtres["montant_min"])
    if filtres.get("montant_max") is not None:
        queryset = queryset.filter(montant_estime__lte=filtres["montant_max"])
    if filtres.get("anomalie") == "avec":
        queryset = queryset.filter(nb_anomalies__gt=0)
    elif filtres.get("anomalie") == "sans":
        queryset = queryset.filter(nb_anomalies=0)
    return queryset.order_by(*TRIS.get(filtres.get("tri") or "anciennete", TRIS["anciennete"]))


EN_VALIDATION = (Etat.ATTENTE_VH1, Etat.ATTENTE_GESTIONNAIRE)


def compter(queryset: QuerySet) -> dict:
    """Les compteurs de la sélection filtrée (et le nombre de lignes de la pagination), en une requête."""
    return queryset.order_by().aggregate(
        total=Count("etat"),
        avec_anomalie=Count("etat", filter=Q(nb_anomalies__gt=0)),
        sans_anomalie=Count("etat", filter=Q(nb_anomalies=0)),
    )


def compter_file(queryset: QuerySet) -> dict:
    """Ce qui attend une décision dans toute la file, filtres ôtés, en une requête.

    Seulement les ordres en cours de validation : compter aussi les ordres validés d'un périmètre de gestion
    reviendrait à parcourir des années d'archives à chaque affichage.
    """
    en_validation = queryset.filter(etat__in=EN_VALIDATION).order_by()
    return en_validation.aggregate(
        total=Count("etat"),
        sans_anomalie=Count("etat", filter=Q(nb_anomalies=0)),
        avec_anomalie=Count("etat", filter=Q(nb_anomalies__gt=0)),
        attente_vh1=Count("etat", filter=Q(etat=Etat.ATTENTE_VH1)),
        attente_gestionnaire=Count("etat", filter=Q(etat=Etat.ATTENTE_GESTIONNAIRE)),
    )
