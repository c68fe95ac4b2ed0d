"""Chaque règle de contrôle, sur un cas qui la déclenche et un cas qui ne la déclenche pas."""

import datetime
from decimal import Decimal

import pytest

from missions.enums import Etat, TypeFrais, TypeRepas
from missions.models import Frais, JourTrajet
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    EtablissementFactory,
    LimitropheFactory,
    UserFactory,
    VehiculeFactory,
)
from tests.missions.factories import DistanceFactory, LigneTrajetFactory, OmiFactory, OrdreMissionFactory
from validation import anomalies, services

pytestmark = pytest.mark.usefixtures("baremes_officiels")

LUNDI = datetime.date(2026, 10, 5)


@pytest.fixture
def antibes(db):
    return CommuneFactory(insee="06004", nom="Antibes", departement="06", latitude="43.58065", longitude="7.12767")


@pytest.fixture
def agent(antibes):
    agent = AgentFactory(
        residence_administrative=EtablissementFactory(commune=antibes), commune_familiale=antibes, categorie="aesh"
    )
    VehiculeFactory(agent=agent)
    return agent


@pytest.fixture
def grasse(db):
    return CommuneFactory(insee="06069", nom="Grasse", departement="06", latitude="43.65894", longitude="6.92441")


def omi(agent, destination, dates, km="21", **ligne):
    ordre = OmiFactory(agent=agent)
    ligne = LigneTrajetFactory(
        ordre=ordre,
        commune_depart=agent.residence_administrative.commune,
        commune_arrivee=destination,
        km_aller=Decimal(km),
        **ligne,
    )
    JourTrajet.objects.bulk_create(JourTrajet(ligne=ligne, date=jour) for jour in dates)
    return ordre


def codes(ordre):
    return [(a.code, a.bloquante) for a in anomalies.detecter(ordre)]


def test_un_omi_propre_n_a_aucune_anomalie(agent, grasse):
    assert codes(omi(agent, grasse, [LUNDI, LUNDI + datetime.timedelta(days=3)])) == []


def test_week_end_et_jour_ferie(agent, grasse):
    samedi, armistice = datetime.date(2026, 10, 10), datetime.date(2026, 11, 11)
    ordre = omi(agent, grasse, [samedi, armistice])
    ordre.date_fin = datetime.date(2026, 11, 30)
    ordre.save()
    messages = [a.message for a in anomalies.detecter(ordre)]
    assert "Trajet déclaré le samedi 10 octobre 2026, un jour de week-end." in messages
    assert "Trajet déclaré le mercredi 11 novembre 2026, un jour férié (Armistice)." in messages


def test_dates_hors_de_la_periode_bloquent(agent, grasse):
    assert ("hors_periode", True) in codes(omi(agent, grasse, [datetime.date(2026, 11, 2)]))


def test_limitrophes_desservies_comptent_comme_une_seule_commune(agent, antibes):
    vallauris = CommuneFactory(
        insee="06155", nom="Vallauris", departement="06", latitude="43.57976", longitude="7.05554"
    )
    paire = LimitropheFactory(commune_a=antibes, commune_b=vallauris)
    ordre = omi(agent, vallauris, [LUNDI])
    (anomalie,) = anomalies.detecter(ordre)
    assert anomalie.bloquante
    assert anomalie.message.startswith(
        "Antibes et Vallauris sont limitrophes et desservies par les transports en commun"
    )
    paire.desservie_transports_publics = False
    paire.save()
    assert codes(ordre) == []


def test_dans_la_commune_de_residence(agent, antibes):
    assert ("non_eligible", True) in codes(omi(agent, antibes, [LUNDI]))


def test_km_au_dessus_du_distancier(agent, antibes, grasse):
    DistanceFactory(commune_a=antibes, commune_b=grasse, km=Decimal("19.5"))
    (anomalie,) = anomalies.detecter(omi(agent, grasse, [LUNDI], km="24"))
    assert anomalie.message.replace("\u00a0", " ") == "Antibes → Grasse : 24 km déclarés, 19,5 km au distancier."
    assert not anomalie.bloquante


def test_omp_en_vehicule_personnel_sans_trajet_habituel_bloque(agent):
    omp = OrdreMissionFactory(agent=agent, vehicule_personnel=True)
    assert codes(omp) == [("sans_trajet", True)]
    omp.vehicule_personnel = False
    assert codes(omp) == []  # en transports en commun, un OMP n'a pas à décrire de trajet


def test_zero_km_et_ligne_sans_date(agent, grasse):
    assert ("zero_km", True) in codes(omi(agent, grasse, [LUNDI], km="0"))
    assert ("sans_date", True) in codes(omi(agent, grasse, []))


def test_repas_sans_deplacement_et_justificatif_manquant(agent, grasse):
    ordre = omi(agent, grasse, [LUNDI])
    Frais.objects.create(ordre=ordre, type=TypeFrais.REPAS, date=LUNDI, type_repas=TypeRepas.ADMINISTRATIF)
    Frais.objects.create(ordre=ordre, type=TypeFrais.REPAS, date=LUNDI + datetime.timedelta(days=1), type_repas="plein")
    Frais.objects.create(ordre=ordre, type=TypeFrais.PEAGE, date=LUNDI, montant=Decimal("2.10"))
    assert sorted(codes(ordre)) == [
        ("justificatif", False),
        ("justificatif", False),
        ("repas_sans_deplacement", False),
    ]


@pytest.mark.parametrize(
    ("horaires", "attendu"),
    [
        ("L 5 octobre — 8 h 30 – 16 h 30", []),  # couvre 11 h–14 h
        ("L 5 octobre — 11 h – 14 h", []),  # bornes comprises
        ("L 5 octobre — 8 h – 10 h 30", [("repas_hors_horaires", False)]),
        ("L 5 octobre — 13 h – 17 h", [("repas_hors_horaires", False)]),
        ("L 5 octobre — réunion de PIAL", []),  # pas d'horaires lisibles : rien à contrôler
        ("L 5 octobre", []),
    ],
)
def test_repas_et_horaires_de_mission(agent, grasse, horaires, attendu):
    ordre = omi(agent, grasse, [LUNDI], commentaire=horaires)
    Frais.objects.create(ordre=ordre, type=TypeFrais.REPAS, date=LUNDI, type_repas=TypeRepas.ADMINISTRATIF)
    assert codes(ordre) == attendu


def test_repas_hors_horaires_une_phrase_pour_tous_les_jours(agent, grasse):
    jeudi = LUNDI + datetime.timedelta(days=3)
    ordre = omi(agent, grasse, [LUNDI, jeudi], commentaire="L 5 octobre ; J 8 octobre — 8 h – 12 h")
    for jour in (LUNDI, jeudi):
        Frais.objects.create(ordre=ordre, type=TypeFrais.REPAS, date=jour, type_repas=TypeRepas.ADMINISTRATIF)
    (anomalie,) = anomalies.detecter(ordre)
    assert anomalie.message == (
        "Repas des L 5 octobre ; J 8 octobre : les horaires de mission de ces jours (8 h – 12 h) ne couvrent pas "
        "toute la plage 11\xa0h–14\xa0h."
    )


def test_repas_hors_horaires_explique_et_un_trajet_qui_couvre_suffit(agent, grasse):
    ordre = omi(agent, grasse, [LUNDI], commentaire="L 5 octobre — 8 h – 10 h 30")
    Frais.objects.create(ordre=ordre, type=TypeFrais.REPAS, date=LUNDI, type_repas=TypeRepas.ADMINISTRATIF)
    (anomalie,) = anomalies.detecter(ordre)
    assert anomalie.message == (
        "Repas du lundi 5 octobre 2026 : les horaires de mission de ce jour (8 h – 10 h 30) ne couvrent pas toute "
        "la plage 11\xa0h–14\xa0h."
    )
    autre = LigneTrajetFactory(
        ordre=ordre, commune_depart=grasse, commune_arrivee=grasse, commentaire="L 5 octobre — 10 h 45 – 15 h"
    )
    JourTrajet.objects.create(ligne=autre, date=LUNDI)
    assert "repas_hors_horaires" not in [code for code, _ in codes(ordre)]


def test_meme_jour_dans_deux_ordres(agent, grasse):
    premier = omi(agent, grasse, [LUNDI])
    second = omi(agent, grasse, [LUNDI])
    (anomalie,) = anomalies.detecter(second)
    assert anomalie.message == f"Le lundi 5 octobre 2026 est aussi déclaré dans l'ordre {premier.numero}."
    premier.annuler()
    premier.save()
    assert codes(second) == []


def test_montant_bien_au_dessus_du_mois_habituel(agent, grasse):
    for mois in (3, 4, 5):
        OrdreMissionFactory(
            agent=agent, type="itinerant", etat=Etat.VALIDE, montant_total=Decimal("100.00"),
            omp=OrdreMissionFactory(agent=agent, valide=True), mois=datetime.date(2026, mois, 1),
            date_debut=datetime.date(2026, mois, 1), date_fin=datetime.date(2026, mois, 28),
        )  # fmt: skip
    ordre = omi(agent, grasse, [LUNDI])
    ordre.montant_estime = Decimal("250.00")
    assert codes(ordre) == [("montant_inhabituel", False)]
    ordre.montant_estime = Decimal("190.00")
    assert codes(ordre) == []


def test_sans_trois_mois_valides_pas_d_habitude_a_comparer(agent, grasse):
    for mois in (4, 5):
        OrdreMissionFactory(
            agent=agent, type="itinerant", etat=Etat.VALIDE, montant_total=Decimal("100.00"),
            omp=OrdreMissionFactory(agent=agent, valide=True), mois=datetime.date(2026, mois, 1),
            date_debut=datetime.date(2026, mois, 1), date_fin=datetime.date(2026, mois, 28),
        )  # fmt: skip
    ordre = omi(agent, grasse, [LUNDI])
    ordre.montant_estime = Decimal("900.00")
    assert codes(ordre) == []


def test_la_soumission_refuse_les_bloquantes_et_garde_les_autres(agent, antibes, grasse):
    vh1 = UserFactory(valideur=True)
    agent.valideurs.add(vh1)
    bloque = omi(agent, antibes, [LUNDI])
    with pytest.raises(services.ActionRefusee, match="À corriger avant de soumettre : Le déplacement a lieu à Antibes"):
        services.soumettre(ordre=bloque, par=agent.user)
    bloque.refresh_from_db()
    assert (bloque.etat, bloque.nb_anomalies) == (Etat.BROUILLON, 0)

    samedi = omi(agent, grasse, [datetime.date(2026, 10, 10)])
    services.soumettre(ordre=samedi, par=agent.user)
    samedi.refresh_from_db()
    assert samedi.etat == Etat.ATTENTE_VH1
    assert samedi.nb_anomalies == 1
    assert samedi.anomalies[0]["code"] == "week_end_ferie"
    assert samedi.montant_estime is not None
