"""Suivi budgétaire sur un petit jeu de données connu : chaque chiffre est calculé à la main dans les commentaires."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from missions.enums import Etat, TypeOrdre
from tests.agents.factories import (
    AgentFactory,
    CentreCoutsFactory,
    DomaineFonctionnelFactory,
    EnveloppeBudgetaireFactory,
    VehiculeFactory,
)
from tests.missions.factories import OmiFactory, OrdreMissionFactory, TrajetHabituelFactory
from tests.validation.factories import DotationBudgetaireFactory, EtatFraisFactory
from validation import budget
from validation.models import EtatEF

pytestmark = pytest.mark.django_db
AUJOURD_HUI = datetime.date(2026, 11, 2)


def D(texte: str) -> Decimal:
    return Decimal(texte)


@pytest.fixture
def jeu():
    e1 = EnveloppeBudgetaireFactory(code="ENV-A", libelle="Service partagé")
    e2 = EnveloppeBudgetaireFactory(code="ENV-B", libelle="AESH")
    c1 = CentreCoutsFactory(code="CC-1")
    c2 = CentreCoutsFactory(code="CC-2")
    d1 = DomaineFonctionnelFactory(code="0141-01")
    d2 = DomaineFonctionnelFactory(code="0230-01")
    DotationBudgetaireFactory(enveloppe_budgetaire=e1, montant=D("1000.00"))
    DotationBudgetaireFactory(enveloppe_budgetaire=e1, centre_couts=c1, montant=D("600.00"))
    DotationBudgetaireFactory(enveloppe_budgetaire=e2, montant=D("5000.00"))
    DotationBudgetaireFactory(annee=2025, enveloppe_budgetaire=e2, montant=D("1.00"))  # une autre année
    agent = AgentFactory(enveloppe_budgetaire=e2, centre_couts=c1, domaine_fonctionnel=d2)

    def omi(debut, montant, enveloppe=None, centre=None, domaine=None, etat=Etat.VALIDE):
        return OmiFactory(
            agent=agent,
            mois=debut,
            date_debut=debut,
            date_fin=debut + datetime.timedelta(days=27),
            etat=etat,
            montant_total=D(montant),
            enveloppe_budgetaire=enveloppe,
            centre_couts=centre,
            domaine_fonctionnel=domaine,
        )

    o1 = omi(datetime.date(2026, 3, 1), "400.00", e1, c1, d1)
    o2 = omi(datetime.date(2026, 4, 1), "520.00", e1, c2, d1)
    o3 = OrdreMissionFactory(
        agent=agent,
        type=TypeOrdre.PONCTUEL,
        etat=Etat.VALIDE,
        date_debut=datetime.date(2026, 4, 15),
        date_fin=datetime.date(2026, 4, 16),
        montant_total=D("300.00"),
        enveloppe_budgetaire=e2,
        centre_couts=c2,
        domaine_fonctionnel=d2,
    )
    omi(
        datetime.date(2026, 5, 1), "50.00"
    )  # sans codes sur l'ordre : ceux de la fiche de l'agent (ENV-B, CC-1, 0230-01)
    omi(datetime.date(2025, 12, 1), "999.00", e1, c1, d1)  # une autre année
    omi(datetime.date(2026, 6, 1), "777.00", e1, c1, d1, etat=Etat.ATTENTE_GESTIONNAIRE)  # pas encore engagé
    EtatFraisFactory(ordre=o1, etat=EtatEF.PAYE, montant_initial=D("400.00"))
    EtatFraisFactory(ordre=o2, valide=True, montant_initial=D("520.00"), montant_total=D("500.00"), lignes=[D("500")])
    EtatFraisFactory(ordre=o3, montant_initial=D("300.00"))  # à valider : pas encore liquidé
    return {"e1": e1, "e2": e2, "c1": c1, "c2": c2, "d1": d1, "d2": d2, "agent": agent}


def par_code(lignes):
    return {ligne.code: (ligne.dotation, ligne.engage, ligne.liquide, ligne.paye, ligne.reste) for ligne in lignes}


def test_les_chiffres_par_enveloppe_centre_domaine_et_mois(jeu):
    suivi = budget.suivi(2026, AUJOURD_HUI)
    assert par_code(suivi.enveloppes) == {
        # dotation, engagé (400 + 520), liquidé (400 payé + 500 validé après ajustement), payé, reste (1000 − 920)
        "ENV-A": (D("1000.00"), D("920.00"), D("900.00"), D("400.00"), D("80.00")),
        # 300 (OM ponctuel) + 50 (OMI imputé d'après la fiche de l'agent) ; l'état de frais de 300 est à valider
        "ENV-B": (D("5000.00"), D("350.00"), D("0"), D("0"), D("4650.00")),
    }
    assert par_code(suivi.centres) == {
        "CC-1": (D("600.00"), D("450.00"), D("400.00"), D("400.00"), D("150.00")),
        "CC-2": (None, D("820.00"), D("500.00"), D("0"), None),
    }
    assert par_code(suivi.domaines) == {
        "0141-01": (None, D("920.00"), D("900.00"), D("400.00"), None),
        "0230-01": (None, D("350.00"), D("0"), D("0"), None),
    }
    assert [(ligne.code, ligne.engage, ligne.liquide, ligne.paye) for ligne in suivi.mois if ligne.engage] == [
        ("2026-03", D("400.00"), D("400.00"), D("400.00")),
        ("2026-04", D("820.00"), D("500.00"), D("0")),
        ("2026-05", D("50.00"), D("0"), D("0")),
    ]
    total = suivi.total
    assert (total.dotation, total.engage, total.liquide, total.paye, suivi.reste) == (
        D("6000.00"),
        D("1270.00"),
        D("900.00"),
        D("400.00"),
        D("4730.00"),
    )


def test_l_alerte_a_90_pour_cent(jeu):
    suivi = budget.suivi(2026, AUJOURD_HUI)
    (alerte,) = suivi.alertes
    assert (alerte.code, alerte.taux) == ("ENV-A", D("92.0"))
    centre = next(ligne for ligne in suivi.centres if ligne.code == "CC-1")
    assert (centre.taux, centre.alerte) == (D("75.0"), False)


@pytest.mark.parametrize(("engage", "alerte"), [("899.99", False), ("900.00", True), ("1200.00", True)])
def test_le_seuil_d_alerte(engage, alerte):
    assert budget.Ligne("E", "E", dotation=D("1000.00"), engage=D(engage)).alerte is alerte


@pytest.mark.usefixtures("baremes_officiels")
def test_la_projection_de_l_annee_d_apres_les_trajets_habituels(jeu):
    agent = AgentFactory(enveloppe_budgetaire=jeu["e2"])
    VehiculeFactory(agent=agent, puissance_fiscale=5)
    omp = OrdreMissionFactory(
        agent=agent,
        etat=Etat.VALIDE,
        vehicule_personnel=True,
        date_debut=datetime.date(2026, 9, 1),
        date_fin=datetime.date(2027, 8, 31),
        enveloppe_budgetaire=jeu["e2"],
    )
    TrajetHabituelFactory(ordre=omp, km_aller=D("21.0"), jours_semaine="0,3", trajets_par_jour=2)
    OmiFactory(agent=agent, omp=omp, etat=Etat.VALIDE, mois=datetime.date(2026, 10, 1), montant_total=D("0.00"))
    (projection,) = budget.projeter(2026, AUJOURD_HUI)
    # Après l'OMI d'octobre : du 1er novembre au 31 décembre 2026, 9 lundis et 9 jeudis, 2 trajets de 21 km.
    assert (projection.debut, projection.fin) == (datetime.date(2026, 11, 1), datetime.date(2026, 12, 31))
    assert projection.km == D("756.0")
    assert projection.montant == D("241.92")  # 756 km × 0,32 €/km (5 CV, moins de 2 000 km dans l'année)
    assert projection.bareme == "IK voiture — arrêté du 14 mars 2022"
    suivi = budget.suivi(2026, AUJOURD_HUI)
    enveloppe = next(ligne for ligne in suivi.enveloppes if ligne.code == "ENV-B")
    assert enveloppe.projection == D("350.00") + D("241.92")
    assert suivi.total.projection == D("1270.00") + D("241.92")


@pytest.mark.parametrize(
    ("debut", "fin", "jour", "attendu"),
    [
        (datetime.date(2026, 11, 1), datetime.date(2026, 12, 31), 0, 9),
        (datetime.date(2026, 11, 2), datetime.date(2026, 11, 2), 0, 1),
        (datetime.date(2026, 11, 3), datetime.date(2026, 11, 8), 0, 0),
        (datetime.date(2026, 12, 31), datetime.date(2026, 11, 1), 3, 0),
    ],
)
def test_jours_restants(debut, fin, jour, attendu):
    assert budget.jours_restants(debut, fin, jour) == attendu


def test_l_export_csv_reprend_les_chiffres(jeu):
    suivi = budget.suivi(2026, AUJOURD_HUI)
    lignes = list(csv.DictReader(io.StringIO(budget.export_csv(suivi, "enveloppes").decode()), delimiter=";"))
    assert [
        (ligne["code"], ligne["dotation"], ligne["engage"], ligne["reste"], ligne["taux_engage"]) for ligne in lignes
    ] == [
        ("ENV-A", "1000,00", "920,00", "80,00", "92,0"),
        ("ENV-B", "5000,00", "350,00", "4650,00", "7,0"),
    ]
    detail = list(csv.DictReader(io.StringIO(budget.export_csv(suivi).decode()), delimiter=";"))
    assert sum(Decimal(ligne["engage"].replace(",", ".")) for ligne in detail) == D("1270.00")
    assert detail[0] == {
        "mois": "2026-03",
        "enveloppe_budgetaire": "ENV-A",
        "centre_de_couts": "CC-1",
        "domaine_fonctionnel": "0141-01",
        "engage": "400,00",
        "liquide": "400,00",
        "paye": "400,00",
    }


def test_le_nombre_de_requetes_ne_depend_pas_du_nombre_d_ordres(jeu, django_assert_num_queries):
    with django_assert_num_queries(8) as avant:
        budget.suivi(2026, AUJOURD_HUI)
    for mois in (7, 8, 9):
        EtatFraisFactory(
            ordre__agent=jeu["agent"],
            ordre__mois=datetime.date(2026, mois, 1),
            ordre__date_debut=datetime.date(2026, mois, 1),
            ordre__date_fin=datetime.date(2026, mois, 28),
            valide=True,
        )
    with django_assert_num_queries(len(avant.captured_queries)):
        budget.suivi(2026, AUJOURD_HUI)


def test_une_seule_dotation_par_enveloppe_et_par_an(jeu):
    with pytest.raises(IntegrityError), transaction.atomic():
        DotationBudgetaireFactory(enveloppe_budgetaire=jeu["e1"], montant=D("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DotationBudgetaireFactory(enveloppe_budgetaire=jeu["e1"], centre_couts=jeu["c1"], montant=D("1.00"))
