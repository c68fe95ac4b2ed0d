"""Lectures des agents et des référentiels."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from agents.models import Agent, Gestionnaire


def perimetre_q(gestionnaire: Gestionnaire, prefix: str = "") -> Q:
    """Le filtre des agents du périmètre d'un gestionnaire : l'union de ses règles (aucune règle = personne)."""
    regles = [regle.as_q(prefix) for regle in gestionnaire.perimetres.all()]
    if not regles:
        return Q(**{f"{prefix}pk__in": []})
    return reduce(or_, regles)


def agents_du_perimetre(gestionnaire: Gestionnaire) -> QuerySet[Agent]:
    return (
        Agent.objects.filter(perimetre_q(gestionnaire))
        .select_related("user", "residence_administrative__commune")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def agents_valides_par(user) -> QuerySet[Agent]:
    return (
        Agent.objects.filter(valideurs=user)
        .select_related("user", "residence_administrative__commune")
        .order_by("user__last_name", "user__first_name", "pk")
    )
