import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions.enums import Etat
from missions.tableau_de_bord import prochain_seuil, synthese_agent
from tests.agents.factories import AgentFactory
from tests.missions.factories import OmiFactory, OrdreMissionFactory


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


@pytest.mark.django_db
def test_le_tableau_de_bord_garde_le_meme_nombre_de_requetes(client, django_assert_num_queries):
    agent = AgentFactory()
    omp = OrdreMissionFactory(
        agent=agent, valide=True, date_debut=datetime.date(2025, 9, 1), date_fin=datetime.date(2026, 8, 31)
    )

    def omi(mois: int, annee: int = 2025):
        debut = datetime.date(annee, mois, 1)
        fin = (debut + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return OmiFactory(
            agent=agent, omp=omp, mois=debut, date_debut=debut, date_fin=fin, etat=Etat.VALIDE, montant_total=50
        )

    omi(9)
    client.force_login(agent.user)
    with CaptureQueriesContext(connection) as premiere:
        assert client.get(reverse("missions:mes_deplacements")).status_code == 200
    for mois in (10, 11, 12):
        omi(mois)
    for mois in (1, 2):
        omi(mois, 2026)
    with django_assert_num_queries(len(premiere)):
        response = client.get(reverse("missions:mes_deplacements"))
    assert len(response.context["ordres"]) == 7  # l'OMP et ses six OMI
