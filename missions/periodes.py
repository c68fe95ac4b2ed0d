"""Bornes des périodes d'un ordre de mission permanent (fonctions pures)."""

import datetime

from bareme.calcul import MOIS
from missions.enums import Periode


def bornes_periode(periode: str, annee: int) -> tuple[datetime.date, datetime.date]:
    """L'année civile `annee`, l'année scolaire qui commence en septembre `annee`, ou l'un de ses deux morceaux."""
    if periode == Periode.ANNEE_CIVILE:
        return datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    if periode == Periode.ANNEE_SCOLAIRE:
        return datetime.date(annee, 9, 1), datetime.date(annee + 1, 8, 31)
    if periode == Periode.SEPT_DEC:
        return datetime.date(annee, 9, 1), datetime.date(annee, 12, 31)
    if periode == Periode.JANV_AOUT:
        return datetime.date(annee, 1, 1), datetime.date(annee, 8, 31)
    raise ValueError(f"Période sans bornes calculables : {periode}")


def mois_fr(mois: datetime.date) -> str:
    return f"{MOIS[mois.month - 1]} {mois.year}"


def premier_du_mois(jour: datetime.date) -> datetime.date:
    return jour.replace(day=1)


def mois_couverts(debut: datetime.date, fin: datetime.date) -> list[datetime.date]:
    """Le premier jour de chaque mois qui touche [debut, fin]."""
    mois, dernier = premier_du_mois(debut), premier_du_mois(fin)
    resultat = []
    while mois <= dernier:
        resultat.append(mois)
        mois = (mois + datetime.timedelta(days=32)).replace(day=1)
    return resultat
