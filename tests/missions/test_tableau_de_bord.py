import datetime
from decimal import Decimal

import pytest

from missions.enums import Etat
from missions.tableau_de_bord import prochain_seuil, synthese_agent
from tests.agents.factories import AgentFactory
from tests.missions.factories import OmiFactory


@pytest.mark.parametrize(
    "km,seuil",
    [
        (Decimal(0), Decimal(2000)),
        (Decimal(1999.9), Decimal(2000)),
        (Decimal(2000), Decimal(10000)),
        (Decimal(10000), None),
    ],
)
def test_prochain_seuil(km, seuil):
    assert prochain_seuil(km) == seuil


@pytest.mark.django_db
def test_synthese_par_mois_et_cumul(django_assert_num_queries):
    agent = AgentFactory()
    for mois, km, montant in ((9, "300", "96.00"), (10, "1500", "480.00")):
        OmiFactory(
            agent=agent, etat=Etat.VALIDE, mois=datetime.date(2026, mois, 1), date_debut=datetime.date(2026, mois, 1),
            date_fin=datetime.date(2026, mois, 28), km_total=Decimal(km), montant_total=Decimal(montant),
            fige_le=datetime.datetime(2026, mois, 28, tzinfo=datetime.UTC),
        )  # fmt: skip
    OmiFactory(
        agent=agent,
        etat=Etat.ATTENTE_VH1,
        mois=datetime.date(2026, 11, 1),
        date_debut=datetime.date(2026, 11, 1),
        date_fin=datetime.date(2026, 11, 30),
    )
    with django_assert_num_queries(1):
        synthese = synthese_agent(agent, datetime.date(2026, 11, 27))
    assert [m.montant for m in synthese.mois][8:] == [Decimal("96.00"), Decimal("480.00"), Decimal(0)]
    assert (synthese.km_annee, synthese.montant_annee) == (Decimal("1800"), Decimal("576.00"))
    assert synthese.km_avant_seuil == Decimal("200")
    assert synthese.mois[9].part == 100 and synthese.mois[8].part == 20
