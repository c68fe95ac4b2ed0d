import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from bareme.enums import TypeBareme
from bareme.models import Bareme, TauxIK, TauxMission


class BaremeFactory(DjangoModelFactory):
    """Une version sans taux ; `TauxIKFactory` / `TauxMissionFactory` pour les lignes."""

    class Meta:
        model = Bareme

    type = TypeBareme.IK_VOITURE
    date_debut = datetime.date(2030, 1, 1)
    date_fin = None
    texte_reference = factory.Sequence(lambda n: f"arrêté fictif n° {n}")
    texte_date = factory.LazyAttribute(lambda o: o.date_debut)


class TauxIKFactory(DjangoModelFactory):
    class Meta:
        model = TauxIK

    bareme = factory.SubFactory(BaremeFactory)
    classe = "5cv_et_moins"
    km_min = 0
    km_max = None
    taux = Decimal("0.30")


class TauxMissionFactory(DjangoModelFactory):
    class Meta:
        model = TauxMission

    bareme = factory.SubFactory(BaremeFactory, type=TypeBareme.NUITEE)
    zone = "metropole_base"
    montant = Decimal("90.00")
