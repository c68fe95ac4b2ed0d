"""Mise en forme française des montants et des kilomètres dans les gabarits du barème."""

from decimal import Decimal

from django import template

from bareme import calcul

register = template.Library()


@register.filter
def euros(montant) -> str:
    if montant in (None, ""):
        return ""
    return calcul.euros_fr(Decimal(montant))


@register.filter
def km(valeur) -> str:
    if valeur in (None, ""):
        return ""
    return calcul.km_fr(Decimal(valeur))


@register.filter
def taux_km(taux) -> str:
    if taux in (None, ""):
        return ""
    return f"{calcul.nombre_fr(Decimal(taux), 2)}{calcul.ESPACE_INSECABLE}€/km"


@register.filter
def date_longue(jour) -> str:
    return calcul.date_fr(jour) if jour else ""
