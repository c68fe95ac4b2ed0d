"""La synthèse de l'agent : kilomètres et montants par mois, cumul de l'année, prochain seuil du barème."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractMonth

from bareme.calcul import MOIS
from missions.enums import Etat
from missions.models import OrdreMission

SEUILS_KM = (Decimal(2000), Decimal(10000))  # bornes des tranches du barème IK


@dataclass(frozen=True)
class Mois:
    mois: datetime.date
    km: Decimal
    montant: Decimal
    part: int  # pourcentage du mois le plus élevé, pour la barre du graphique

    @property
    def libelle(self) -> str:
        return MOIS[self.mois.month - 1]


@dataclass(frozen=True)
class Synthese:
    annee: int
    mois: list[Mois]
    km_annee: Decimal
    montant_annee: Decimal
    prochain_seuil: Decimal | None

    @property
    def km_avant_seuil(self) -> Decimal | None:
        return None if self.prochain_seuil is None else self.prochain_seuil - self.km_annee


def prochain_seuil(km: Decimal) -> Decimal | None:
    return next((seuil for seuil in SEUILS_KM if km < seuil), None)


def synthese_agent(agent, aujourd_hui: datetime.date) -> Synthese:
    """Une requête : les ordres validés (montants figés) de l'année, regroupés par mois."""
    lignes = (
        OrdreMission.objects.filter(
            agent=agent, etat=Etat.VALIDE, fige_le__isnull=False, date_debut__year=aujourd_hui.year
        )
        .annotate(numero_mois=ExtractMonth("date_debut"))
        .values("numero_mois")
        .annotate(km=Sum("km_total"), montant=Sum("montant_total"))
        .order_by("numero_mois")
    )
    par_mois = {ligne["numero_mois"]: ligne for ligne in lignes}
    maximum = max((ligne["montant"] or Decimal(0) for ligne in par_mois.values()), default=Decimal(0))
    mois = []
    for numero in range(1, aujourd_hui.month + 1):
        ligne = par_mois.get(numero, {})
        montant = ligne.get("montant") or Decimal(0)
        mois.append(
            Mois(
                mois=datetime.date(aujourd_hui.year, numero, 1),
                km=ligne.get("km") or Decimal(0),
                montant=montant,
                part=int(montant * 100 / maximum) if maximum else 0,
            )
        )
    km_annee = sum((m.km for m in mois), Decimal(0))
    return Synthese(
        annee=aujourd_hui.year,
        mois=mois,
        km_annee=km_annee,
        montant_annee=sum((m.montant for m in mois), Decimal(0)),
        prochain_seuil=prochain_seuil(km_annee),
    )
