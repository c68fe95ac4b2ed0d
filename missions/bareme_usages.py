"""Ce que `bareme` doit savoir des ordres : quelles versions ils utilisent, lesquels une version rétroactive touche."""

from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from bareme import services as bareme_services
from bareme.enums import TYPES_IK, TypeBareme
from missions.enums import Etat
from missions.models import OrdreMission

ETATS_SANS_CALCUL_ENGAGE = [Etat.BROUILLON, Etat.ANNULE]


def ordre_utilise_la_version(version) -> bool:
    """Vrai si un ordre soumis, en validation ou validé a été calculé avec cette version."""
    return OrdreMission.objects.filter(baremes=version).exclude(etat__in=ETATS_SANS_CALCUL_ENGAGE).exists()


def ordres_a_regulariser(version) -> Iterable[bareme_services.OrdreConcerne]:
    """Les ordres validés dont des dates tombent dans la période de la version, mais figés avec une autre."""
    periode = Q(date_fin__gte=version.date_debut)
    if version.date_fin:
        periode &= Q(date_debut__lte=version.date_fin)
    ordres = OrdreMission.objects.filter(periode, etat=Etat.VALIDE, fige_le__isnull=False).exclude(baremes=version)
    if version.type in TYPES_IK:
        ordres = ordres.filter(lignes__isnull=False, baremes__type=version.type)
    elif version.type == TypeBareme.REPAS:
        ordres = ordres.filter(Q(frais__type="repas") | Q(etapes__type__in=["dejeuner", "diner"]))
    elif version.type == TypeBareme.NUITEE:
        ordres = ordres.filter(etapes__type="nuitee")
    else:
        ordres = ordres.none()
    for ordre in ordres.select_related("agent__user").distinct().order_by("date_debut", "pk"):
        yield bareme_services.OrdreConcerne(
            libelle=f"{ordre.numero} — {ordre.agent.user.get_full_name()} ({ordre.montant_total} €)",
            url=reverse("missions:ordre", args=[ordre.pk]),
            etat=ordre.get_etat_display(),
        )


def inscrire() -> None:
    bareme_services.utilisations.enregistrer(ordre_utilise_la_version)
    bareme_services.regularisations.enregistrer(ordres_a_regulariser)
