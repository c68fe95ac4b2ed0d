"""Préparer l'OMI d'un mois depuis l'OMP, le calendrier du mois et les jours cochés, sur de vrais calendriers."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions import prefill
from missions.enums import Depart, Etat, Periode, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Frais, JourTrajet, LigneTrajet, OrdreMission, TrajetHabituel
from missions.prefill import (
    PrefillRefuse,
    basculer_jour,
    calendrier_du_mois,
    dates_possibles,
    lignes_avec_jours,
    preparer_omi,
)
from tests.agents.factories import (
    AgentFactory,
    CentreCoutsFactory,
    CommuneFactory,
    EtablissementFactory,
    UserFactory,
    VehiculeFactory,
)
from tests.missions.factories import (
    AbsenceFactory,
    OmiFactory,
    OrdreMissionFactory,
    PeriodeVacancesFactory,
    TrajetHabituelFactory,
)
from validation.anomalies import detecter

D = datetime.date


def jours(annee, mois, *numeros):
    return [D(annee, mois, numero) for numero in numeros]


def commune(insee, nom, departement, lat, lon):
    return CommuneFactory(insee=insee, nom=nom, departement=departement, latitude=lat, longitude=lon)


def agent_a(residence, familiale=None):
    return AgentFactory(
        residence_administrative=EtablissementFactory(commune=residence),
        commune_familiale=familiale or residence,
    )


def omp_de(agent, debut, fin, **kwargs):
    return OrdreMissionFactory(
        agent=agent, valide=True, periode=Periode.LIBRE, date_debut=debut, date_fin=fin, **kwargs
    )


def lignes(omi):
    """Chaque ligne : départ, de, à, km, trajets par jour, commentaire, dates."""
    return [
        (
            ligne.depart,
            ligne.commune_depart_id,
            ligne.commune_arrivee_id,
            ligne.km_aller,
            ligne.trajets_par_jour,
            ligne.commentaire,
            [jour.date for jour in ligne.jours.order_by("date")],
        )
        for ligne in LigneTrajet.objects.filter(ordre=omi).order_by("pk")
    ]


def repas(omi):
    return [(frais.date, frais.type_repas) for frais in Frais.objects.filter(ordre=omi, type=TypeFrais.REPAS)]


def nombre_d_omi():
    return OrdreMission.objects.filter(type=TypeOrdre.ITINERANT).count()


@pytest.fixture
def doubs(db):
    """Une AESH de Besançon (zone A), familiale à Thise : trois trajets habituels sur l'OMP de janvier à août 2026."""
    besancon = commune("25056", "Besançon", "25", "47.23673", "6.02231")
    thise = commune("25560", "Thise", "25", "47.28390", "6.08009")
    belfort = commune("90010", "Belfort", "90", "47.63859", "6.86283")
    montbeliard = commune("25388", "Montbéliard", "25", "47.51000", "6.79815")
    pontarlier = commune("25462", "Pontarlier", "25", "46.90410", "6.35420")
    agent = agent_a(besancon, thise)
    vehicule = VehiculeFactory(agent=agent)
    omp = omp_de(
        agent,
        D(2026, 1, 1),
        D(2026, 8, 31),
        objet="Accompagnement d'élèves en service partagé",
        enveloppe_budgetaire=None,
        centre_couts=CentreCoutsFactory(code="RECMISS006"),
    )
    trajets = [
        TrajetHabituelFactory(
            ordre=omp, destination_commune=belfort, km_aller=Decimal("92.0"), jours_semaine="0,3", repas=TypeRepas.PLEIN
        ),
        TrajetHabituelFactory(
            ordre=omp,
            depart=Depart.FAMILIALE,
            destination_commune=montbeliard,
            km_aller=Decimal("78.5"),
            jours_semaine="1,4",
            trajets_par_jour=1,
        ),
        TrajetHabituelFactory(
            ordre=omp,
            destination_commune=pontarlier,
            km_aller=Decimal("59.0"),
            jours_semaine="2",
            repas=TypeRepas.ADMINISTRATIF,
        ),
    ]
    gestionnaire = UserFactory()
    return {
        "agent": agent,
        "omp": omp,
        "trajets": trajets,
        "vehicule": vehicule,
        "gestionnaire": gestionnaire,
        "communes": {c.nom: c for c in (besancon, thise, belfort, montbeliard, pontarlier)},
    }


# --- Préparer l'OMI -----------------------------------------------------------------------------------------------


def test_juin_2026(doubs):
    omp, agent = doubs["omp"], doubs["agent"]
    omi = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=agent.user)

    omi.refresh_from_db()
    assert omi.type == TypeOrdre.ITINERANT
    assert omi.etat == Etat.BROUILLON
    assert (omi.agent, omi.omp, omi.mois) == (agent, omp, D(2026, 6, 1))
    assert omi.objet == "Accompagnement d'élèves en service partagé — juin 2026"
    assert (omi.periode, omi.date_debut, omi.date_fin) == (Periode.LIBRE, D(2026, 6, 1), D(2026, 6, 30))
    assert omi.destination_principale.nom == "Belfort"
    assert omi.vehicule == doubs["vehicule"]
    assert omi.enveloppe_budgetaire == agent.enveloppe_budgetaire  # absente de l'OMP : celle de l'agent
    assert omi.centre_couts.code == "RECMISS006"  # celle de l'OMP
    assert omi.domaine_fonctionnel == omp.domaine_fonctionnel
    assert omi.created_by == agent.user

    assert lignes(omi) == [
        (
            Depart.ADMINISTRATIVE,
            "25056",
            "90010",
            Decimal("92.0"),
            2,
            "L 1, 8, 15, 22, 29 juin ; J 4, 11, 18, 25 juin",
            jours(2026, 6, 1, 4, 8, 11, 15, 18, 22, 25, 29),
        ),
        (
            Depart.FAMILIALE,
            "25560",
            "25388",
            Decimal("78.5"),
            1,
            "Ma 2, 9, 16, 23, 30 juin ; V 5, 12, 19, 26 juin",
            jours(2026, 6, 2, 5, 9, 12, 16, 19, 23, 26, 30),
        ),
        (
            Depart.ADMINISTRATIVE,
            "25056",
            "25462",
            Decimal("59.0"),
            2,
            "Me 3, 10, 17, 24 juin",
            jours(2026, 6, 3, 10, 17, 24),
        ),
    ]
    assert LigneTrajet.objects.filter(ordre=omi, trajet_habituel__isnull=True).count() == 0
    assert repas(omi) == [
        (D(2026, 6, 1), TypeRepas.PLEIN),
        (D(2026, 6, 3), TypeRepas.ADMINISTRATIF),
        (D(2026, 6, 4), TypeRepas.PLEIN),
        (D(2026, 6, 8), TypeRepas.PLEIN),
        (D(2026, 6, 10), TypeRepas.ADMINISTRATIF),
        (D(2026, 6, 11), TypeRepas.PLEIN),
        (D(2026, 6, 15), TypeRepas.PLEIN),
        (D(2026, 6, 17), TypeRepas.ADMINISTRATIF),
        (D(2026, 6, 18), TypeRepas.PLEIN),
        (D(2026, 6, 22), TypeRepas.PLEIN),
        (D(2026, 6, 24), TypeRepas.ADMINISTRATIF),
        (D(2026, 6, 25), TypeRepas.PLEIN),
        (D(2026, 6, 29), TypeRepas.PLEIN),
    ]


def test_mai_2026_feries_pont_et_absence(doubs):
    """1er et 8 mai, Ascension (14), pont (vendredi 15, vacances scolaires), Pentecôte (lundi 25) ; absente les
    18 et 19 mai. Le mercredi 13, veille de l'Ascension, reste travaillé."""
    AbsenceFactory(agent=doubs["agent"], date_debut=D(2026, 5, 18), date_fin=D(2026, 5, 19), motif="Formation")
    AbsenceFactory(agent=doubs["agent"], date_debut=D(2026, 4, 20), date_fin=D(2026, 4, 30))  # un autre mois
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 5, 1), par=doubs["agent"].user)

    assert [(commentaire, dates) for *_, commentaire, dates in lignes(omi)] == [
        ("L 4, 11 mai ; J 7, 21, 28 mai", jours(2026, 5, 4, 7, 11, 21, 28)),
        ("Ma 5, 12, 26 mai ; V 22, 29 mai", jours(2026, 5, 5, 12, 22, 26, 29)),
        ("Me 6, 13, 20, 27 mai", jours(2026, 5, 6, 13, 20, 27)),
    ]
    assert [date for date, _ in repas(omi)] == jours(2026, 5, 4, 6, 7, 11, 13, 20, 21, 27, 28)


@pytest.mark.parametrize(
    ("insee", "nom", "departement", "point", "attendues", "commentaire"),
    [
        (
            "25056",
            "Besançon",
            "25",
            ("47.23673", "6.02231"),
            jours(2027, 2, 1, 4, 8, 11),
            "L 1, 8 février ; J 4, 11 février",
        ),
        (
            "06088",
            "Nice",
            "06",
            ("43.69611", "7.27178"),
            jours(2027, 2, 1, 4, 8, 11, 15, 18),
            "L 1, 8, 15 février ; J 4, 11, 18 février",
        ),
    ],
)
def test_fevrier_2027_zone_a_et_zone_b(db, insee, nom, departement, point, attendues, commentaire):
    """Vacances d'hiver 2027 : du 13 au 28 février en zone A (Besançon), à partir du 20 en zone B (Nice)."""
    agent = agent_a(commune(insee, nom, departement, *point))
    omp = OrdreMissionFactory(agent=agent, valide=True)  # année scolaire 2026-2027
    TrajetHabituelFactory(ordre=omp, jours_semaine="0,3")
    omi = preparer_omi(omp=omp, mois=D(2027, 2, 14), par=agent.user)
    assert omi.mois == D(2027, 2, 1)
    assert [(commentaire, dates) for *_, commentaire, dates in lignes(omi)] == [(commentaire, attendues)]


@pytest.mark.parametrize(
    ("insee", "nom", "departement", "attendues", "commentaire"),
    [
        ("57463", "Metz", "57", jours(2026, 4, 10), "V 10 avril"),
        ("54395", "Nancy", "54", jours(2026, 4, 3, 10), "V 3, 10 avril"),
    ],
)
def test_avril_2026_vendredi_saint_en_moselle(db, insee, nom, departement, attendues, commentaire):
    """Même académie (Nancy-Metz, zone B, vacances du 11 au 26 avril) ; le Vendredi saint (3 avril) n'est férié
    qu'en Moselle."""
    agent = agent_a(commune(insee, nom, departement, "49.0", "6.1"))
    omp = omp_de(agent, D(2026, 1, 1), D(2026, 8, 31))
    TrajetHabituelFactory(ordre=omp, jours_semaine="4")
    omi = preparer_omi(omp=omp, mois=D(2026, 4, 1), par=agent.user)
    assert [(commentaire, dates) for *_, commentaire, dates in lignes(omi)] == [(commentaire, attendues)]


def test_decembre_2025_le_26_est_ferie_en_moselle(db):
    metz = agent_a(commune("57463", "Metz", "57", "49.11972", "6.17626"))
    omp = omp_de(metz, D(2025, 9, 1), D(2025, 12, 31))
    TrajetHabituelFactory(ordre=omp, jours_semaine="4")
    omi = preparer_omi(omp=omp, mois=D(2025, 12, 1), par=metz.user)
    assert lignes(omi)[0][-2:] == ("V 5, 12, 19 décembre", jours(2025, 12, 5, 12, 19))

    calendrier = dates_possibles(omi)["lignes"][0]["jours"]
    vendredi_26 = calendrier[25]
    assert (vendredi_26["date"], vendredi_26["statut"], vendredi_26["libelle"]) == (
        D(2025, 12, 26),
        "ferie",
        "Saint-Étienne",
    )
    assert vendredi_26["vacances"] == "Vacances de Noël"
    assert (calendrier[21]["statut"], calendrier[21]["libelle"]) == ("vacances", "Vacances de Noël")  # lundi 22


def test_martinique_periodes_saisies_et_22_mai(db):
    """Fort-de-France : pas de zone A, B ou C ; les vacances viennent des périodes saisies pour la Martinique
    (celles de la Guadeloupe sont ignorées). Le 22 mai, abolition de l'esclavage, est férié."""
    fort_de_france = commune("97209", "Fort-de-France", "972", "14.60737", "-61.06944")
    le_robert = commune("97222", "Le Robert", "972", "14.67756", "-60.93924")
    agent = agent_a(fort_de_france)
    omp = omp_de(agent, D(2025, 9, 1), D(2026, 8, 31))
    TrajetHabituelFactory(ordre=omp, destination_commune=le_robert, jours_semaine="0,4", repas=TypeRepas.PLEIN)
    PeriodeVacancesFactory(
        departement="972", libelle="Pont de l'Ascension", date_debut=D(2026, 5, 14), date_fin=D(2026, 5, 17)
    )
    PeriodeVacancesFactory(departement="971", libelle="Congé local", date_debut=D(2026, 5, 4), date_fin=D(2026, 5, 4))

    omi = preparer_omi(omp=omp, mois=D(2026, 5, 1), par=agent.user)
    assert [(commentaire, dates) for *_, commentaire, dates in lignes(omi)] == [
        ("L 4, 11, 18 mai ; V 29 mai", jours(2026, 5, 4, 11, 18, 29))
    ]
    assert repas(omi) == [(jour, TypeRepas.PLEIN) for jour in jours(2026, 5, 4, 11, 18, 29)]

    calendrier = {jour["date"]: jour for jour in dates_possibles(omi)["lignes"][0]["jours"]}
    assert (calendrier[D(2026, 5, 22)]["statut"], calendrier[D(2026, 5, 22)]["libelle"]) == (
        "ferie",
        "Abolition de l'esclavage",
    )
    assert (calendrier[D(2026, 5, 15)]["statut"], calendrier[D(2026, 5, 15)]["libelle"]) == (
        "vacances",
        "Pont de l'Ascension",
    )
    assert dates_possibles(omi)["zone"] is None


def test_un_trajet_sans_date_dans_le_mois_ne_donne_pas_de_ligne(doubs):
    """Juillet 2026 : vacances d'été dès le samedi 4. Seuls les 1er (mercredi), 2 (jeudi) et 3 (vendredi)."""
    omp = doubs["omp"]
    TrajetHabituelFactory(ordre=omp, jours_semaine="0", repas=TypeRepas.PLEIN)  # lundis : tous en vacances
    omi = preparer_omi(omp=omp, mois=D(2026, 7, 1), par=doubs["agent"].user)
    assert [(commentaire, dates) for *_, commentaire, dates in lignes(omi)] == [
        ("J 2 juillet", [D(2026, 7, 2)]),
        ("V 3 juillet", [D(2026, 7, 3)]),
        ("Me 1 juillet", [D(2026, 7, 1)]),
    ]
    assert repas(omi) == [(D(2026, 7, 1), TypeRepas.ADMINISTRATIF), (D(2026, 7, 2), TypeRepas.PLEIN)]


def test_aout_2026_un_omi_sans_ligne(doubs):
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 8, 1), par=doubs["agent"].user)
    assert lignes(omi) == []
    assert repas(omi) == []
    assert omi.destination_principale.nom == "Belfort"


def test_mois_partiel_limite_a_la_periode_de_l_omp(db):
    agent = agent_a(commune("25056", "Besançon", "25", "47.23673", "6.02231"))
    omp = omp_de(agent, D(2026, 6, 10), D(2026, 12, 31))
    TrajetHabituelFactory(ordre=omp, jours_semaine="0")
    omi = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=agent.user)
    assert (omi.date_debut, omi.date_fin) == (D(2026, 6, 10), D(2026, 6, 30))
    assert lignes(omi)[0][-1] == jours(2026, 6, 15, 22, 29)


def test_un_seul_repas_par_jour_pour_deux_trajets(doubs):
    omp = doubs["omp"]
    TrajetHabituelFactory(ordre=omp, jours_semaine="0", repas=TypeRepas.GRATUIT)
    omi = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=doubs["agent"].user)
    lundis = jours(2026, 6, 1, 8, 15, 22, 29)
    assert lignes(omi)[3][-1] == lundis
    repas_des_lundis = [(date, type_repas) for date, type_repas in repas(omi) if date in lundis]
    assert repas_des_lundis == [(lundi, TypeRepas.PLEIN) for lundi in lundis]


def test_objet_tronque_a_la_longueur_du_champ(doubs):
    omp = doubs["omp"]
    OrdreMission.objects.filter(pk=omp.pk).update(objet="x" * 250)
    omi = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=doubs["agent"].user)
    assert len(omi.objet) == 250
    assert omi.objet.endswith("x — juin 2026")


def test_prepare_par_un_gestionnaire_pour_l_agent(doubs):
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=doubs["gestionnaire"])
    assert (omi.agent, omi.created_by) == (doubs["agent"], doubs["gestionnaire"])


def test_nombre_de_requetes_independant_du_nombre_de_trajets(doubs):
    omp = doubs["omp"]
    with CaptureQueriesContext(connection) as trois_trajets:
        preparer_omi(omp=omp, mois=D(2026, 6, 1), par=doubs["agent"].user)
    TrajetHabituelFactory.create_batch(4, ordre=omp, jours_semaine="0,1,2,3,4", repas=TypeRepas.PLEIN)
    with CaptureQueriesContext(connection) as sept_trajets:
        preparer_omi(omp=omp, mois=D(2026, 5, 1), par=doubs["agent"].user)
    assert len(sept_trajets) == len(trois_trajets)


# --- Refus --------------------------------------------------------------------------------------------------------


def rien_n_est_cree():
    return (nombre_d_omi(), LigneTrajet.objects.count(), JourTrajet.objects.count(), Frais.objects.count()) == (
        0,
        0,
        0,
        0,
    )


@pytest.mark.parametrize(
    ("trait", "etat"),
    [
        ("brouillon", "1 – En cours de création"),
        ("attente_vh1", "2 – En attente de validation hiérarchique"),
        ("attente_gestionnaire", "3 – En attente de validation du gestionnaire"),
        ("refuse", "Refusé"),
        ("annule", "Annulé"),
    ],
)
def test_refus_omp_non_valide(db, trait, etat):
    omp = OrdreMissionFactory(**{trait: True} if trait != "brouillon" else {})
    TrajetHabituelFactory(ordre=omp)
    with pytest.raises(PrefillRefuse) as refus:
        preparer_omi(omp=omp, mois=D(2026, 10, 1), par=omp.agent.user)
    assert str(refus.value) == (
        f"L'ordre de mission permanent {omp.numero} n'est pas validé (état : {etat}) : "
        "un OMI ne peut être préparé qu'une fois l'OMP validé par le service gestionnaire."
    )
    assert rien_n_est_cree()


@pytest.mark.parametrize("mois", [D(2025, 12, 1), D(2026, 9, 1), D(2027, 1, 1)])
def test_refus_mois_hors_de_l_omp(doubs, mois):
    with pytest.raises(
        PrefillRefuse, match=r"hors de la période de l'ordre de mission permanent \(du 01/01/2026 au 31/08/2026\)"
    ):
        preparer_omi(omp=doubs["omp"], mois=mois, par=doubs["agent"].user)
    assert rien_n_est_cree()


def test_refus_d_un_ordre_qui_n_est_pas_un_omp(db):
    omi = OmiFactory()
    with pytest.raises(PrefillRefuse, match="pas un ordre de mission permanent"):
        preparer_omi(omp=omi, mois=D(2026, 10, 1), par=omi.agent.user)
    assert nombre_d_omi() == 1


def test_refus_doublon_puis_possible_apres_annulation(doubs):
    omp, par = doubs["omp"], doubs["agent"].user
    premier = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=par)
    avant = (LigneTrajet.objects.count(), JourTrajet.objects.count(), Frais.objects.count())
    with pytest.raises(PrefillRefuse) as refus:
        preparer_omi(omp=omp, mois=D(2026, 6, 15), par=par)
    assert str(refus.value) == (
        f"Un ordre de mission itinérant existe déjà pour juin 2026 et cet OMP ({premier.numero}) : "
        "complétez-le plutôt que d'en créer un second."
    )
    assert nombre_d_omi() == 1
    assert (LigneTrajet.objects.count(), JourTrajet.objects.count(), Frais.objects.count()) == avant

    OrdreMission.objects.filter(pk=premier.pk).update(etat=Etat.ANNULE)
    second = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=par)
    assert second.pk != premier.pk
    assert nombre_d_omi() == 2


def test_un_omi_d_un_autre_omp_n_empeche_rien(doubs):
    agent = doubs["agent"]
    autre_omp = omp_de(agent, D(2026, 1, 1), D(2026, 8, 31))
    OmiFactory(agent=agent, omp=autre_omp, mois=D(2026, 6, 1), date_debut=D(2026, 6, 1), date_fin=D(2026, 6, 30))
    preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=agent.user)
    assert nombre_d_omi() == 2


def test_course_la_contrainte_d_unicite_tranche(doubs, monkeypatch):
    """Un OMI créé par un autre chemin entre la vérification et l'écriture : refus en français, rien de créé."""
    omp, agent = doubs["omp"], doubs["agent"]
    existant = OmiFactory(agent=agent, omp=omp, mois=D(2026, 6, 1), date_debut=D(2026, 6, 1), date_fin=D(2026, 6, 30))
    monkeypatch.setattr(prefill, "_omi_existant", lambda omp, mois: None)
    with pytest.raises(PrefillRefuse, match="existe déjà pour juin 2026 et cet OMP"):
        preparer_omi(omp=omp, mois=D(2026, 6, 1), par=agent.user)
    assert list(OrdreMission.objects.filter(type=TypeOrdre.ITINERANT)) == [existant]
    assert (LigneTrajet.objects.count(), Frais.objects.count()) == (0, 0)


# --- Le calendrier du mois ----------------------------------------------------------------------------------------


def test_dates_possibles_juin_2026(doubs):
    AbsenceFactory(agent=doubs["agent"], date_debut=D(2026, 6, 16), date_fin=D(2026, 6, 16), motif="Stage")
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=doubs["agent"].user)
    calendrier = dates_possibles(omi)
    assert (calendrier["mois"], calendrier["libelle"], calendrier["departement"], calendrier["zone"]) == (
        D(2026, 6, 1),
        "juin 2026",
        "25",
        "A",
    )
    belfort, montbeliard, pontarlier = calendrier["lignes"]
    assert belfort["libelle"] == "Besançon → Belfort"
    assert montbeliard["libelle"] == "Thise → Montbéliard"
    assert (belfort["jours_habituels"], belfort["nombre_jours"]) == ([0, 3], 9)
    assert montbeliard["nombre_jours"] == 8  # 9 mardis et vendredis, sans le mardi 16 (absence)

    statuts = [(jour["numero"], jour["initiale"], jour["statut"]) for jour in belfort["jours"][:8]]
    assert statuts == [
        (1, "L", "travaille"),
        (2, "Ma", "libre"),
        (3, "Me", "libre"),
        (4, "J", "travaille"),
        (5, "V", "libre"),
        (6, "S", "weekend"),
        (7, "D", "weekend"),
        (8, "L", "travaille"),
    ]
    mardi_16 = montbeliard["jours"][15]
    assert (mardi_16["statut"], mardi_16["libelle"], mardi_16["habituel"], mardi_16["modifiable"]) == (
        "absence",
        "Stage",
        True,
        True,
    )
    assert pontarlier["jours"][2]["travaille"] is True

    semaines = belfort["semaines"]
    assert len(semaines) == 5
    assert [jour["numero"] for jour in semaines[0]] == [1, 2, 3, 4, 5, 6, 7]
    assert [jour and jour["numero"] for jour in semaines[4]] == [29, 30, None, None, None, None, None]


def test_calendrier_du_mois_dit_la_meme_chose_que_dates_possibles_sans_un_jour_par_ligne(doubs):
    """La page d'un OMI lit `calendrier_du_mois` (le mois une fois, les coches de chaque ligne) : mêmes jours, mêmes
    coches, même grille que `dates_possibles`, y compris avec les lignes déjà lues par l'appelant."""
    AbsenceFactory(agent=doubs["agent"], date_debut=D(2026, 6, 16), date_fin=D(2026, 6, 16), motif="Stage")
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=doubs["agent"].user)
    complet = dates_possibles(omi)
    for calendrier in (calendrier_du_mois(omi), calendrier_du_mois(omi, lignes_avec_jours(omi))):
        assert {cle: calendrier[cle] for cle in complet if cle != "lignes"} == {
            cle: valeur for cle, valeur in complet.items() if cle != "lignes"
        }
        for leger, detail in zip(calendrier["lignes"], complet["lignes"], strict=True):
            assert leger["coches"] == {jour["date"] for jour in detail["jours"] if jour["travaille"]}
            assert {cle: leger[cle] for cle in ("ligne", "libelle", "jours_habituels", "nombre_jours")} == {
                cle: detail[cle] for cle in ("ligne", "libelle", "jours_habituels", "nombre_jours")
            }
            for commun, jour in zip(calendrier["jours"], detail["jours"], strict=True):
                assert commun.items() <= jour.items()
            assert calendrier["grille"] == [
                [jour and jour["numero"] for jour in semaine] for semaine in detail["semaines"]
            ]
    assert calendrier["jours"][15]["absence"] == "Stage"


def test_dates_possibles_mois_partiel_et_ordre_soumis(db):
    agent = agent_a(commune("25056", "Besançon", "25", "47.23673", "6.02231"))
    omp = omp_de(agent, D(2026, 6, 10), D(2026, 12, 31))
    TrajetHabituelFactory(ordre=omp, jours_semaine="0")
    omi = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=agent.user)
    lundi_8 = dates_possibles(omi)["lignes"][0]["jours"][7]
    assert (lundi_8["statut"], lundi_8["libelle"], lundi_8["modifiable"]) == (
        "hors_periode",
        "Hors de la période de l'ordre",
        False,
    )
    OrdreMission.objects.filter(pk=omi.pk).update(etat=Etat.ATTENTE_VH1)
    omi = OrdreMission.objects.get(pk=omi.pk)
    assert not any(jour["modifiable"] for jour in dates_possibles(omi)["lignes"][0]["jours"])


def test_dates_possibles_nombre_de_requetes_constant(doubs):
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=doubs["agent"].user)
    omi = OrdreMission.objects.select_related("agent__residence_administrative__commune").get(pk=omi.pk)
    with CaptureQueriesContext(connection) as trois_lignes:
        dates_possibles(omi)
    for trajet in doubs["trajets"]:
        ligne = LigneTrajet.objects.create(
            ordre=omi,
            trajet_habituel=trajet,
            commune_depart=trajet.destination_commune,
            commune_arrivee=doubs["communes"]["Besançon"],
            km_aller=trajet.km_aller,
        )
        JourTrajet.objects.create(ligne=ligne, date=D(2026, 6, 2))
    with CaptureQueriesContext(connection) as six_lignes:
        assert len(dates_possibles(omi)["lignes"]) == 6
    assert len(six_lignes) == len(trois_lignes)


# --- Cocher et décocher -------------------------------------------------------------------------------------------


@pytest.fixture
def omi_juin(doubs):
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=doubs["agent"].user)
    return omi, list(LigneTrajet.objects.filter(ordre=omi).order_by("pk"))


def test_decocher_puis_recocher_un_jour(omi_juin):
    omi, (belfort, *_) = omi_juin
    basculer_jour(belfort, D(2026, 6, 8), False)
    belfort.refresh_from_db()
    assert belfort.commentaire == "L 1, 15, 22, 29 juin ; J 4, 11, 18, 25 juin"
    assert D(2026, 6, 8) not in belfort.jours.values_list("date", flat=True)
    assert not Frais.objects.filter(ordre=omi, date=D(2026, 6, 8)).exists()

    basculer_jour(belfort, D(2026, 6, 8), True)
    belfort.refresh_from_db()
    assert belfort.commentaire == "L 1, 8, 15, 22, 29 juin ; J 4, 11, 18, 25 juin"
    assert list(Frais.objects.filter(ordre=omi, date=D(2026, 6, 8)).values_list("type", "type_repas")) == [
        (TypeFrais.REPAS, TypeRepas.PLEIN)
    ]


def test_cocher_un_samedi_et_un_jour_ferie(omi_juin):
    omi, (belfort, *_) = omi_juin
    basculer_jour(belfort, D(2026, 6, 6), True)
    belfort.refresh_from_db()
    assert belfort.commentaire == "L 1, 8, 15, 22, 29 juin ; J 4, 11, 18, 25 juin ; S 6 juin"
    assert Frais.objects.filter(ordre=omi, date=D(2026, 6, 6), type_repas=TypeRepas.PLEIN).count() == 1


def test_cocher_deux_fois_ne_change_rien(omi_juin):
    omi, (belfort, *_) = omi_juin
    basculer_jour(belfort, D(2026, 6, 1), True)
    basculer_jour(belfort, D(2026, 6, 2), False)
    assert belfort.jours.count() == 9
    assert Frais.objects.filter(ordre=omi, date=D(2026, 6, 1)).count() == 1
    assert not Frais.objects.filter(ordre=omi, date=D(2026, 6, 2)).exists()


def test_ligne_sans_repas_ne_cree_pas_de_repas(omi_juin):
    omi, (_, montbeliard, _) = omi_juin
    basculer_jour(montbeliard, D(2026, 6, 3), True)
    # Le mercredi 3 a déjà le repas administratif du trajet de Pontarlier : rien de plus.
    assert list(Frais.objects.filter(ordre=omi, date=D(2026, 6, 3)).values_list("type_repas", flat=True)) == [
        TypeRepas.ADMINISTRATIF
    ]
    basculer_jour(montbeliard, D(2026, 6, 2), False)
    assert not Frais.objects.filter(ordre=omi, date=D(2026, 6, 2)).exists()


def test_repas_garde_tant_qu_une_autre_ligne_le_prevoit(omi_juin):
    omi, (belfort, montbeliard, pontarlier) = omi_juin
    basculer_jour(pontarlier, D(2026, 6, 1), True)  # lundi 1er : Belfort (plein) et Pontarlier (administratif)
    basculer_jour(belfort, D(2026, 6, 1), False)
    assert list(Frais.objects.filter(ordre=omi, date=D(2026, 6, 1)).values_list("type_repas", flat=True)) == [
        TypeRepas.PLEIN
    ]
    basculer_jour(pontarlier, D(2026, 6, 1), False)
    assert not Frais.objects.filter(ordre=omi, date=D(2026, 6, 1)).exists()


def test_repas_avec_justificatif_jamais_supprime(omi_juin):
    omi, (belfort, *_) = omi_juin
    ticket = Frais.objects.get(ordre=omi, date=D(2026, 6, 4))
    ticket.justificatif = SimpleUploadedFile("ticket.pdf", b"%PDF-1.4 ticket", content_type="application/pdf")
    ticket.save()
    basculer_jour(belfort, D(2026, 6, 4), False)
    assert list(Frais.objects.filter(ordre=omi, date=D(2026, 6, 4))) == [ticket]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (D(2026, 7, 1), "Le 01/07/2026 n'est pas en juin 2026 : un OMI ne déclare que les trajets de son mois."),
        (D(2026, 5, 29), "Le 29/05/2026 n'est pas en juin 2026 : un OMI ne déclare que les trajets de son mois."),
    ],
)
def test_refus_jour_hors_du_mois(omi_juin, date, message):
    omi, (belfort, *_) = omi_juin
    avant = (belfort.commentaire, list(belfort.jours.values_list("date", flat=True)), Frais.objects.count())
    with pytest.raises(PrefillRefuse) as refus:
        basculer_jour(belfort, date, True)
    assert str(refus.value) == message
    belfort.refresh_from_db()
    assert (belfort.commentaire, list(belfort.jours.values_list("date", flat=True)), Frais.objects.count()) == avant


def test_refus_jour_hors_de_la_periode(db):
    agent = agent_a(commune("25056", "Besançon", "25", "47.23673", "6.02231"))
    omp = omp_de(agent, D(2026, 6, 10), D(2026, 12, 31))
    TrajetHabituelFactory(ordre=omp, jours_semaine="0")
    omi = preparer_omi(omp=omp, mois=D(2026, 6, 1), par=agent.user)
    ligne = LigneTrajet.objects.get(ordre=omi)
    with pytest.raises(PrefillRefuse) as refus:
        basculer_jour(ligne, D(2026, 6, 8), True)
    assert str(refus.value) == "Le 08/06/2026 est hors de la période de l'ordre (du 10/06/2026 au 30/06/2026)."
    assert list(ligne.jours.values_list("date", flat=True)) == jours(2026, 6, 15, 22, 29)


def test_refus_ordre_plus_en_brouillon(omi_juin):
    omi, (belfort, *_) = omi_juin
    OrdreMission.objects.filter(pk=omi.pk).update(etat=Etat.ATTENTE_GESTIONNAIRE)
    with pytest.raises(PrefillRefuse, match=r"n'est plus modifiable \(état : 3 – En attente de validation"):
        basculer_jour(belfort, D(2026, 6, 8), False)
    assert belfort.jours.filter(date=D(2026, 6, 8)).exists()
    assert Frais.objects.filter(ordre=omi, date=D(2026, 6, 8)).exists()


# --- Horaires habituels -----------------------------------------------------------------------------------------


def test_les_horaires_habituels_passent_sur_les_lignes_et_y_restent(doubs):
    belfort_habituel = TrajetHabituel.objects.get(ordre=doubs["omp"], destination_commune__nom="Belfort")
    belfort_habituel.horaires = "8 h 30 – 10 h 30"
    belfort_habituel.save()
    omi = preparer_omi(omp=doubs["omp"], mois=D(2026, 6, 1), par=doubs["agent"].user)
    belfort = LigneTrajet.objects.get(ordre=omi, trajet_habituel=belfort_habituel)
    assert belfort.commentaire == "L 1, 8, 15, 22, 29 juin ; J 4, 11, 18, 25 juin — 8 h 30 – 10 h 30"
    basculer_jour(belfort, D(2026, 6, 8), False)
    belfort.refresh_from_db()
    assert belfort.commentaire == "L 1, 15, 22, 29 juin ; J 4, 11, 18, 25 juin — 8 h 30 – 10 h 30"
    # Le déjeuner habituel de ce trajet tombe hors des horaires de mission : les valideurs le verront.
    assert "repas_hors_horaires" in {anomalie.code for anomalie in detecter(omi)}
