"""Montants d'OMI calculés par le barème, puis figés à la validation du gestionnaire."""

import datetime
from decimal import Decimal

import pytest

from missions.calculs import actualiser_estimation, calculer_ordre, km_deja_payes
from missions.enums import Etat, TypeFrais, TypeRepas
from missions.models import Frais, JourTrajet
from tests.agents.factories import AgentFactory, CommuneFactory, PerimetreGestionnaireFactory, VehiculeFactory
from tests.missions.factories import LigneTrajetFactory, OmiFactory
from validation import services

pytestmark = pytest.mark.usefixtures("baremes_officiels")


@pytest.fixture
def agent(db):
    agent = AgentFactory(categorie="aesh", residence_administrative__commune=CommuneFactory(departement="06"))
    VehiculeFactory(agent=agent, puissance_fiscale=5)
    return agent


def omi_avec_ligne(agent, dates, km="34", trajets_par_jour=2, **kwargs):
    mois = dates[0].replace(day=1)
    omi = OmiFactory(
        agent=agent,
        mois=mois,
        date_debut=mois,
        date_fin=(mois + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1),
        omp__date_debut=datetime.date(mois.year - 1, 9, 1) if mois.month < 9 else datetime.date(mois.year, 9, 1),
        omp__date_fin=datetime.date(mois.year, 8, 31) if mois.month < 9 else datetime.date(mois.year + 1, 8, 31),
        **kwargs,
    )
    ligne = LigneTrajetFactory(ordre=omi, km_aller=Decimal(km), trajets_par_jour=trajets_par_jour)
    JourTrajet.objects.bulk_create(JourTrajet(ligne=ligne, date=jour) for jour in dates)
    return omi


MARS_2026 = [datetime.date(2026, 3, jour) for jour in (2, 3, 5, 9, 10, 12)]


def test_douze_trajets_de_34_km_qui_franchissent_2000_km(agent):
    precedent = omi_avec_ligne(agent, [datetime.date(2026, 2, 2)], km="995")  # 2 × 995 = 1 990 km
    gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
    services.valider(ordre=_en_attente(precedent), par=gestionnaire)
    assert km_deja_payes(agent, 2026) == Decimal("1990")

    omi = omi_avec_ligne(agent, MARS_2026)
    calcul = calculer_ordre(omi)
    (ligne,) = calcul.lignes
    assert ligne.km == Decimal("408")
    parts = [(part.km, part.taux, part.montant) for resultat in ligne.resultats for part in resultat.parts]
    assert parts == [
        (Decimal("10"), Decimal("0.32"), Decimal("3.20")),
        (Decimal("398"), Decimal("0.40"), Decimal("159.20")),
    ]
    assert calcul.total == Decimal("162.40")
    assert (calcul.cumul_avant, calcul.cumul_apres) == (Decimal("1990"), Decimal("2398"))


def _en_attente(omi):
    from missions.models import OrdreMission

    OrdreMission.objects.filter(pk=omi.pk).update(etat=Etat.ATTENTE_GESTIONNAIRE)
    return OrdreMission.objects.get(pk=omi.pk)


def test_aller_et_retour_de_21_km_six_fois_chacun(agent):
    omi = omi_avec_ligne(agent, MARS_2026, km="21", trajets_par_jour=1)
    retour = LigneTrajetFactory(ordre=omi, km_aller=Decimal("21"), trajets_par_jour=1)
    JourTrajet.objects.bulk_create(JourTrajet(ligne=retour, date=jour) for jour in MARS_2026)
    calcul = calculer_ordre(omi)
    assert [ligne.montant for ligne in calcul.lignes] == [Decimal("40.32"), Decimal("40.32")]  # 126 km × 0,32 €
    assert calcul.total == Decimal("80.64")


def test_repas_au_taux_du_jour_du_repas_et_demi_taux(agent):
    omi = omi_avec_ligne(agent, [datetime.date(2023, 9, 21), datetime.date(2023, 9, 22)])
    for jour, mode in (
        (21, TypeRepas.PLEIN),
        (22, TypeRepas.PLEIN),
        (25, TypeRepas.ADMINISTRATIF),
        (26, TypeRepas.GRATUIT),
    ):
        Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=datetime.date(2023, 9, jour), type_repas=mode)
    Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=datetime.date(2023, 9, 21), montant=Decimal("3.40"))
    calcul = calculer_ordre(omi)
    assert [frais.montant for frais in calcul.frais] == [
        Decimal("17.50"),  # arrêté du 11 octobre 2019, jusqu'au 21 septembre 2023
        Decimal("3.40"),
        Decimal("20.00"),  # arrêté du 20 septembre 2023, dès le 22
        Decimal("10.00"),
        Decimal("0.00"),
    ]
    assert calcul.montant_frais == Decimal("50.90")


def test_sans_vehicule_le_calcul_le_dit(db):
    omi = omi_avec_ligne(AgentFactory(), MARS_2026)
    calcul = calculer_ordre(omi)
    assert calcul.erreurs == ["Aucun véhicule actif : ajoutez votre véhicule à votre profil pour calculer les IK."]
    assert actualiser_estimation(omi).erreurs
    omi.refresh_from_db()
    assert omi.montant_estime is None


def test_la_validation_du_gestionnaire_fige_montants_et_baremes(agent):
    omi = _en_attente(omi_avec_ligne(agent, MARS_2026))
    Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=MARS_2026[0], type_repas=TypeRepas.PLEIN)
    gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
    services.valider(ordre=omi, par=gestionnaire)
    omi.refresh_from_db()
    assert (omi.etat, omi.km_total, omi.montant_ik, omi.montant_frais, omi.montant_total) == (
        Etat.VALIDE,
        Decimal("408.0"),
        Decimal("130.56"),
        Decimal("20.00"),
        Decimal("150.56"),
    )
    assert omi.calcul_fige["baremes"] == ["IK voiture — arrêté du 14 mars 2022", "Repas — arrêté du 20 septembre 2023"]
    assert omi.calcul_fige["lignes"][0]["parts"] == [
        {"bareme": "IK voiture — arrêté du 14 mars 2022", "km": "408", "taux": "0.32", "montant": "130.56"}
    ]
    assert omi.lignes.get().montant == Decimal("130.56")
    assert km_deja_payes(agent, 2026) == Decimal("408")
    assert km_deja_payes(agent, 2027) == 0


def test_une_validation_sans_vehicule_est_refusee_et_ne_change_rien(db):
    agent = AgentFactory(categorie="aesh")
    omi = _en_attente(omi_avec_ligne(agent, MARS_2026))
    gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
    with pytest.raises(services.ActionRefusee, match="Validation impossible : Aucun véhicule actif"):
        services.valider(ordre=omi, par=gestionnaire)
    omi.refresh_from_db()
    assert (omi.etat, omi.montant_total, omi.fige_le) == (Etat.ATTENTE_GESTIONNAIRE, None, None)
