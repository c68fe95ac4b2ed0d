"""OM ponctuels : étapes calculées à partir des horaires, frais prévisionnels et leurs plafonds, demandes de billets.

Montants au barème officiel : repas 17,50 € jusqu'au 21 septembre 2023, 20 € dès le 22 ; nuitée Paris 110 € puis
140 €, grande ville 90 € puis 120 €, taux de base 70 € puis 90 €, RQTH 120 € puis 150 €.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from missions import ponctuels
from missions.calculs import calculer_ordre, jours_de_stationnement
from missions.enums import CasRattachement, ClasseTrain, Depart, Etat, LieuDepart, ModeEtape, TypeEtape, TypeFrais
from missions.models import Billet, DemandeBillet, Etape, Frais, OrdreMission, PolitiqueVoyage
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    EnveloppeBudgetaireFactory,
    EtablissementFactory,
    GestionnaireFactory,
    PerimetreGestionnaireFactory,
    UserFactory,
    VehiculeFactory,
)
from tests.missions.factories import OrdreMissionFactory, PolitiqueVoyageFactory
from validation import services as validation
from validation.models import Notification

pytestmark = pytest.mark.usefixtures("baremes_officiels")

PARIS_TZ = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NBSP = "\u00a0"


def le(annee, mois, jour, heure, minute=0) -> datetime.datetime:
    return datetime.datetime(annee, mois, jour, heure, minute, tzinfo=PARIS_TZ)


def D(annee, mois, jour) -> datetime.date:
    return datetime.date(annee, mois, jour)


@pytest.fixture
def communes(db):
    return {
        "aix": CommuneFactory(insee="13001", nom="Aix-en-Provence", departement="13", population=147478),
        "marseille": CommuneFactory(insee="13055", nom="Marseille", departement="13", population=873076),
        "paris": CommuneFactory(insee="75056", nom="Paris", departement="75", population=2113705),
        "lyon": CommuneFactory(insee="69123", nom="Lyon", departement="69", population=522250),
        "gap": CommuneFactory(insee="05061", nom="Gap", departement="05", population=40761),
        "boulogne": CommuneFactory(insee="92012", nom="Boulogne-Billancourt", departement="92", population=121334),
    }


@pytest.fixture
def valideur(db):
    return UserFactory(valideur=True)


@pytest.fixture
def agent(communes, valideur):
    return AgentFactory(
        categorie="ia_ipr",
        residence_administrative=EtablissementFactory(commune=communes["aix"]),
        commune_familiale=communes["aix"],
        valideurs=[valideur],
    )


@pytest.fixture
def gestionnaire(db):
    return PerimetreGestionnaireFactory(categorie="ia_ipr").gestionnaire


@pytest.fixture
def agence(db):
    return PerimetreGestionnaireFactory(categorie="ia_ipr", gestionnaire__est_agence_voyage=True).gestionnaire


def donnees(destination, depart, retour, **autres) -> dict:
    return {
        "objet": "Réunion nationale des IA-IPR",
        "destination_principale": destination,
        "depart_le": depart,
        "retour_le": retour,
        "lieu_depart": LieuDepart.ADMINISTRATIVE,
        "vehicule_personnel": False,
        "transports_publics": True,
        "vehicule_service": False,
        "demande_billets": False,
        **autres,
    }


def creer(agent, destination, depart, retour, **autres):
    return ponctuels.creer_ponctuel(agent=agent, par=agent.user, donnees=donnees(destination, depart, retour, **autres))


def etapes(ordre) -> list[tuple]:
    return [
        (etape.type, etape.date.day, etape.commune.nom)
        for etape in ponctuels.trier_etapes(Etape.objects.filter(ordre=ordre).select_related("commune"))
    ]


def montants(ordre) -> list[tuple]:
    calcul = calculer_ordre(ordre)
    assert calcul.erreurs == []
    return [(item.etape.type, item.etape.date.day, item.montant) for item in calcul.etapes]


# --- Étapes sur des cas travaillés -----------------------------------------------------------------------------------


class TestEtapes:
    def test_journee_a_paris_en_train_dejeuner_et_diner(self, agent, communes):
        """Horaires du train 5 h 51 – 20 h 09 : le délai d'accès à la gare (1 h) couvre la plage du dîner."""
        ordre, rapport = creer(
            agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9), lieu_depart=LieuDepart.GARE
        )
        assert etapes(ordre) == [("dejeuner", 22, "Paris"), ("diner", 22, "Paris")]
        assert montants(ordre) == [("dejeuner", 22, Decimal("20.00")), ("diner", 22, Decimal("20.00"))]
        assert rapport.ajoutees == ["déjeuner du 22 octobre 2026 (Paris)", "dîner du 22 octobre 2026 (Paris)"]
        ordre.refresh_from_db()
        assert ordre.montant_estime == Decimal("40.00")
        assert (ordre.date_debut, ordre.date_fin) == (D(2026, 10, 22), D(2026, 10, 22))

    def test_memes_horaires_depuis_la_residence_pas_de_diner(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        assert etapes(ordre) == [("dejeuner", 22, "Paris")]

    def test_delai_d_acces_a_la_gare_regle_par_l_administration(self, agent, communes):
        PolitiqueVoyageFactory(delai_acces_gare=30)
        ordre, _ = creer(
            agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9), lieu_depart=LieuDepart.GARE
        )
        assert etapes(ordre) == [("dejeuner", 22, "Paris")]  # 20 h 39 : la plage 18 h – 21 h n'est pas couverte

    def test_reunion_de_matinee_dans_l_academie_sans_dejeuner(self, agent, communes):
        ordre, rapport = creer(agent, communes["marseille"], le(2026, 10, 22, 8, 15), le(2026, 10, 22, 12, 45))
        assert etapes(ordre) == []
        assert rapport.resume == "Aucun repas ni nuitée n'est dû pour ces horaires."
        assert calculer_ordre(ordre).total == Decimal("0")

    def test_deux_jours_une_nuit_a_paris_une_dans_une_grande_ville(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 7), le(2026, 10, 21, 19))
        ponctuels.ajouter_sejour(ordre=ordre, par=agent.user, commune=communes["lyon"], arrivee_le=le(2026, 10, 20, 15))
        assert etapes(ordre) == [
            ("dejeuner", 19, "Paris"),
            ("diner", 19, "Paris"),
            ("nuitee", 20, "Paris"),  # nuit du 19 au 20 : à Paris à minuit
            ("dejeuner", 20, "Paris"),  # à Paris à 11 h
            ("diner", 20, "Lyon"),
            ("nuitee", 21, "Lyon"),
            ("dejeuner", 21, "Lyon"),
        ]
        assert montants(ordre) == [
            ("dejeuner", 19, Decimal("20.00")),
            ("diner", 19, Decimal("20.00")),
            ("nuitee", 20, Decimal("140.00")),
            ("dejeuner", 20, Decimal("20.00")),
            ("diner", 20, Decimal("20.00")),
            ("nuitee", 21, Decimal("120.00")),  # Lyon : plus de 200 000 habitants
            ("dejeuner", 21, Decimal("20.00")),
        ]
        assert calculer_ordre(ordre).total == Decimal("360.00")

    def test_grand_paris_et_taux_de_base(self, agent, communes):
        ordre, _ = creer(agent, communes["boulogne"], le(2026, 10, 19, 17), le(2026, 10, 20, 7))
        assert montants(ordre) == [("diner", 19, Decimal("20.00")), ("nuitee", 20, Decimal("120.00"))]
        ordre, _ = creer(agent, communes["gap"], le(2026, 11, 19, 17), le(2026, 11, 20, 7))
        assert montants(ordre) == [("diner", 19, Decimal("20.00")), ("nuitee", 20, Decimal("90.00"))]

    @pytest.mark.parametrize(
        ("depart", "retour", "attendues"),
        [
            ((22, 11, 0), (22, 14, 0), [("dejeuner", 22)]),
            ((22, 10, 59), (22, 14, 0), [("dejeuner", 22)]),
            ((22, 10, 59), (22, 13, 59), []),
            ((22, 11, 1), (22, 15, 0), []),
            ((22, 17, 0), (22, 21, 0), [("diner", 22)]),
            ((22, 18, 0), (22, 20, 59), []),
            ((22, 13, 59), (22, 21, 0), [("diner", 22)]),
            ((22, 14, 0), (22, 18, 0), []),
            ((21, 17, 0), (22, 5, 0), [("diner", 21), ("nuitee", 22)]),
            ((21, 17, 0), (22, 4, 59), [("diner", 21)]),
            ((21, 22, 0), (22, 5, 0), [("nuitee", 22)]),
            ((22, 0, 1), (22, 9, 0), []),
        ],
    )
    def test_heures_limites(self, agent, communes, depart, retour, attendues):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, *depart), le(2026, 10, *retour))
        assert [(type_, jour) for type_, jour, _ in etapes(ordre)] == attendues

    def test_changement_de_bareme_entre_les_deux_jours(self, agent, communes):
        """Arrêté du 20 septembre 2023, en vigueur le 22 : chaque étape au barème de sa date."""
        ordre, _ = creer(agent, communes["paris"], le(2023, 9, 21, 8), le(2023, 9, 22, 20))
        assert montants(ordre) == [
            ("dejeuner", 21, Decimal("17.50")),
            ("diner", 21, Decimal("17.50")),
            ("nuitee", 22, Decimal("140.00")),  # la nuit du 21 au 22 finit le 22 : nouveau taux
            ("dejeuner", 22, Decimal("20.00")),
        ]
        calcul = calculer_ordre(ordre)
        assert calcul.total == Decimal("195.00")
        assert calcul.baremes == {
            "Repas — arrêté du 11 octobre 2019",
            "Repas — arrêté du 20 septembre 2023",
            "Nuitée — arrêté du 20 septembre 2023",
        }

    def test_rqth_taux_rqth_partout(self, communes, valideur):
        agent = AgentFactory(
            rqth=True,
            residence_administrative=EtablissementFactory(commune=communes["aix"]),
            commune_familiale=communes["aix"],
        )
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 17), le(2026, 10, 20, 7))
        assert montants(ordre) == [("diner", 19, Decimal("20.00")), ("nuitee", 20, Decimal("150.00"))]

    def test_mission_dans_la_commune_de_residence_sans_indemnite(self, agent, communes):
        ordre, rapport = creer(agent, communes["aix"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        assert etapes(ordre) == []
        assert "commune de la résidence administrative" in rapport.resume


class TestRegeneration:
    def test_changer_les_horaires_garde_les_choix_et_dit_ce_qui_change(self, agent, communes):
        ordre, _ = creer(
            agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9), lieu_depart=LieuDepart.GARE
        )
        dejeuner = Etape.objects.get(ordre=ordre, type=TypeEtape.DEJEUNER)
        ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.ADMINISTRATIF)

        rapport = ponctuels.modifier_ponctuel(
            ordre=ordre,
            par=agent.user,
            donnees={"lieu_depart": LieuDepart.ADMINISTRATIVE, "depart_le": le(2026, 10, 22, 6, 30)},
        )

        assert etapes(ordre) == [("dejeuner", 22, "Paris")]
        dejeuner.refresh_from_db()
        assert (dejeuner.mode, dejeuner.ajuste) == (ModeEtape.ADMINISTRATIF, True)
        assert rapport.supprimees == [
            f"dîner du 22 octobre 2026 (retour à 20{NBSP}h{NBSP}09, avant la fin de la plage 18{NBSP}h–21{NBSP}h)"
        ]
        assert rapport.conservees == [
            "déjeuner du 22 octobre 2026 (restaurant administratif ou assimilé (déduction, demi-taux))"
        ]
        assert rapport.resume.startswith("Étapes mises à jour. Supprimé : dîner du 22 octobre 2026")
        assert "Vos choix sont conservés : déjeuner du 22 octobre 2026" in rapport.resume
        assert montants(ordre) == [("dejeuner", 22, Decimal("10.00"))]

    def test_un_choix_qui_ne_s_applique_plus_est_abandonne_et_dit(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        dejeuner = Etape.objects.get(ordre=ordre, type=TypeEtape.DEJEUNER)
        ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.GRATUIT)
        rapport = ponctuels.modifier_ponctuel(ordre=ordre, par=agent.user, donnees={"depart_le": le(2026, 10, 22, 12)})
        assert etapes(ordre) == []
        assert rapport.supprimees == [
            f"déjeuner du 22 octobre 2026 (départ à 12{NBSP}h, après le début de la plage 11{NBSP}h–14{NBSP}h ; "
            "votre choix « repas fourni gratuitement » est abandonné)"
        ]

    def test_nouvelle_etape_au_mode_par_defaut_et_lieu_change(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 7), le(2026, 10, 20, 10))
        nuit = Etape.objects.get(ordre=ordre, type=TypeEtape.NUITEE)
        ponctuels.modifier_etape(etape=nuit, par=agent.user, mode=ModeEtape.GRATUITE)
        rapport = ponctuels.ajouter_sejour(
            ordre=ordre, par=agent.user, commune=communes["lyon"], arrivee_le=le(2026, 10, 19, 16)
        )
        assert rapport.deplacees == [
            "dîner du 19 octobre 2026, à Lyon au lieu de Paris",
            "nuit du 19 au 20 octobre 2026, à Lyon au lieu de Paris",
        ]
        nuit.refresh_from_db()
        assert (nuit.commune.nom, nuit.mode) == ("Lyon", ModeEtape.GRATUITE)

        rapport = ponctuels.modifier_ponctuel(ordre=ordre, par=agent.user, donnees={"retour_le": le(2026, 10, 20, 15)})
        assert rapport.ajoutees == ["déjeuner du 20 octobre 2026 (Lyon)"]
        assert Etape.objects.get(ordre=ordre, type=TypeEtape.DEJEUNER, date=D(2026, 10, 20)).mode == ModeEtape.PLEIN

    def test_generer_sans_changement_le_dit(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        rapport = ponctuels.generer_etapes(ordre=ordre, par=agent.user)
        assert not rapport.a_change
        assert rapport.resume == "Les étapes sont à jour (1 repas ou nuitée) : rien n'a changé."

    def test_mode_incompatible_refuse(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        dejeuner = Etape.objects.get(ordre=ordre)
        with pytest.raises(ValidationError) as erreur:
            ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.PAYANTE)
        assert "mode" in erreur.value.message_dict
        dejeuner.refresh_from_db()
        assert dejeuner.mode == ModeEtape.PLEIN

    def test_revenir_au_mode_propose_n_est_plus_un_ajustement(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        dejeuner = Etape.objects.get(ordre=ordre)
        ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.REDUIT)
        etape = ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.PLEIN)
        assert etape.ajuste is False


class TestModesEtMontants:
    @pytest.mark.parametrize(
        ("mode", "montant"),
        [
            (ModeEtape.PLEIN, Decimal("20.00")),
            (ModeEtape.ADMINISTRATIF, Decimal("10.00")),
            (ModeEtape.REDUIT, Decimal("10.00")),
            (ModeEtape.GRATUIT, Decimal("0")),
            (ModeEtape.AUTRE_ORGANISME, Decimal("0")),
        ],
    )
    def test_repas(self, agent, communes, mode, montant):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        ponctuels.modifier_etape(etape=Etape.objects.get(ordre=ordre), par=agent.user, mode=mode)
        assert montants(ordre) == [("dejeuner", 22, montant)]

    def test_taux_reduit_regle_par_l_administration(self, agent, communes):
        PolitiqueVoyageFactory(pourcentage_repas_reduit=60)
        ordre, _ = creer(agent, communes["paris"], le(2023, 9, 20, 8), le(2023, 9, 20, 19))
        ponctuels.modifier_etape(etape=Etape.objects.get(ordre=ordre), par=agent.user, mode=ModeEtape.REDUIT)
        assert montants(ordre) == [("dejeuner", 20, Decimal("10.50"))]  # 60 % de 17,50 €

    def test_demi_taux_publie_au_centime(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2019, 5, 20, 8), le(2019, 5, 20, 19))
        ponctuels.modifier_etape(etape=Etape.objects.get(ordre=ordre), par=agent.user, mode=ModeEtape.ADMINISTRATIF)
        assert montants(ordre) == [("dejeuner", 20, Decimal("7.63"))]  # moitié de 15,25 €

    @pytest.mark.parametrize(
        ("mode", "montant"),
        [(ModeEtape.PAYANTE, Decimal("140.00")), (ModeEtape.GRATUITE, Decimal("0")), (ModeEtape.AUTRE_ORGANISME, 0)],
    )
    def test_nuitee(self, agent, communes, mode, montant):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 17), le(2026, 10, 20, 7))
        nuit = Etape.objects.get(ordre=ordre, type=TypeEtape.NUITEE)
        ponctuels.modifier_etape(etape=nuit, par=agent.user, mode=mode)
        assert montants(ordre)[1] == ("nuitee", 20, montant)


# --- Frais prévisionnels : plafonds -----------------------------------------------------------------------------------


def frais(ordre, agent, type_frais, jour, montant, **autres):
    return ponctuels.enregistrer_frais_ponctuel(
        ordre=ordre,
        par=agent.user,
        donnees={"type": type_frais, "date": jour, "montant": Decimal(montant), "commentaire": "", **autres},
    )


def retenus(ordre) -> list[Decimal]:
    return [item.montant for item in calculer_ordre(ordre).frais]


class TestFrais:
    def test_stationnement_plafonne_par_jour(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        frais(ordre, agent, TypeFrais.PARKING, D(2026, 10, 22), "25.00")
        assert retenus(ordre) == [Decimal("16.00")]
        (item,) = calculer_ordre(ordre).frais
        assert item.explication == (
            f"Stationnement : 25,00{NBSP}€ payés, pris en charge dans la limite de 48 h et 16,00{NBSP}€ par jour de "
            f"mission, soit 16,00{NBSP}€ pour 1 jour : 16,00{NBSP}€."
        )

    def test_stationnement_limite_a_48_heures(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 6), le(2026, 10, 21, 20))  # 62 h
        frais(ordre, agent, TypeFrais.PARKING, D(2026, 10, 19), "30.00")
        frais(ordre, agent, TypeFrais.PARKING, D(2026, 10, 21), "15.00")
        assert retenus(ordre) == [Decimal("30.00"), Decimal("2.00")]  # 2 jours × 16 € = 32 €

    def test_plafond_de_stationnement_regle_par_l_administration(self, agent, communes):
        PolitiqueVoyageFactory(parking_heures_max=72, parking_plafond_jour=Decimal("10"))
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 6), le(2026, 10, 21, 20))
        frais(ordre, agent, TypeFrais.PARKING, D(2026, 10, 19), "45.00")
        assert retenus(ordre) == [Decimal("30.00")]

    @pytest.mark.parametrize(
        ("heures", "heures_max", "jours"), [(1, 48, 1), (24, 48, 1), (25, 48, 2), (62, 48, 2), (62, 72, 3), (5, 12, 1)]
    )
    def test_jours_de_stationnement(self, heures, heures_max, jours):
        depart = datetime.datetime(2026, 10, 19, 6)
        assert jours_de_stationnement(depart, depart + datetime.timedelta(hours=heures), heures_max) == jours

    def test_deux_tickets_de_bus_par_jour_au_plus(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 6), le(2026, 10, 20, 20))
        frais(ordre, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 19), "2.15")
        frais(ordre, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 19), "2.15")
        with pytest.raises(ValidationError) as erreur:
            frais(ordre, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 19), "2.15")
        assert erreur.value.message_dict["date"] == [
            "Au plus 2 tickets de bus ou de métro par jour de mission : le 19 octobre 2026 en compte déjà 2."
        ]
        frais(ordre, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 20), "2.15")
        assert Frais.objects.filter(ordre=ordre).count() == 3
        assert sum(retenus(ordre)) == Decimal("6.45")

    def test_tickets_au_dela_de_la_limite_non_pris_en_charge(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 19, 6), le(2026, 10, 19, 20))
        frais(ordre, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 19), "2.15")
        frais(ordre, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 19), "2.15")
        PolitiqueVoyageFactory(tickets_par_jour=1)  # la politique change après la saisie
        calcul = calculer_ordre(ordre)
        assert [item.montant for item in calcul.frais] == [Decimal("2.15"), Decimal("0")]
        assert "au-delà de 1 tickets par jour" in calcul.frais[1].explication

    def test_train_paye_par_l_agent_au_reel_sauf_si_billets_demandes(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        frais(ordre, agent, TypeFrais.TRAIN, D(2026, 10, 22), "232.00")
        assert retenus(ordre) == [Decimal("232.00")]
        avec_billets, _ = creer(
            agent, communes["paris"], le(2026, 10, 23, 5, 51), le(2026, 10, 23, 20, 9), demande_billets=True
        )
        with pytest.raises(ValidationError) as erreur:
            frais(avec_billets, agent, TypeFrais.TRAIN, D(2026, 10, 23), "232.00")
        assert "agence de voyage" in erreur.value.message_dict["type"][0]

    def test_frais_hors_des_jours_de_mission_refuse(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        with pytest.raises(ValidationError) as erreur:
            frais(ordre, agent, TypeFrais.PARKING, D(2026, 10, 23), "10.00")
        assert erreur.value.message_dict["date"] == ["Choisissez le jour de la mission, le 22/10/2026."]
        assert not Frais.objects.filter(ordre=ordre).exists()

    def test_un_repas_ne_se_saisit_pas_en_frais(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        with pytest.raises(ValidationError):
            frais(ordre, agent, TypeFrais.REPAS, D(2026, 10, 22), "20.00")


class TestTrajetVersLaGare:
    def trajet(self, ordre, agent, communes, km="32"):
        return ponctuels.enregistrer_trajet_gare(
            ordre=ordre,
            par=agent.user,
            donnees={
                "depart": Depart.ADMINISTRATIVE,
                "commune_arrivee": communes["marseille"],
                "km_aller": Decimal(km),
                "trajets": 2,
                "date": D(2026, 10, 22),
            },
        )

    def test_au_bareme_de_la_voiture_quand_l_ordre_l_autorise(self, agent, communes):
        VehiculeFactory(agent=agent, puissance_fiscale=5)
        ordre, _ = creer(
            agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9), vehicule_personnel=True
        )
        self.trajet(ordre, agent, communes)
        calcul = calculer_ordre(ordre)
        assert calcul.montant_ik == Decimal("20.48")  # 64 km × 0,32 €
        assert calcul.km == Decimal("64")

    def test_sur_la_base_transports_en_commun_sinon(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        self.trajet(ordre, agent, communes)
        assert calculer_ordre(ordre).erreurs == [
            "Le taux kilométrique de la base transports en commun n'est pas fixé dans la politique de voyage : "
            "le service gestionnaire doit le renseigner avant le calcul de ce trajet."
        ]
        PolitiqueVoyageFactory(taux_km_transport_public=Decimal("0.125"))
        calcul = calculer_ordre(ordre)
        assert calcul.montant_ik == Decimal("8.00")  # 64 km × 0,125 €
        assert calcul.km == Decimal("0")  # hors du cumul annuel des IK

    def test_meme_commune_refuse(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        with pytest.raises(ValidationError) as erreur:
            ponctuels.enregistrer_trajet_gare(
                ordre=ordre,
                par=agent.user,
                donnees={
                    "depart": Depart.ADMINISTRATIVE,
                    "commune_arrivee": communes["aix"],
                    "km_aller": Decimal("5"),
                    "trajets": 2,
                    "date": D(2026, 10, 22),
                },
            )
        assert "commune_arrivee" in erreur.value.message_dict


# --- En-tête : règles ---------------------------------------------------------------------------------------------


class TestEntete:
    def test_retour_avant_depart_refuse_rien_n_est_cree(self, agent, communes):
        with pytest.raises(ValidationError) as erreur:
            creer(agent, communes["paris"], le(2026, 10, 22, 18), le(2026, 10, 22, 8))
        assert erreur.value.message_dict["retour_le"] == [
            f"Le retour doit suivre le départ (22 octobre 2026 à 18{NBSP}h)."
        ]
        assert not OrdreMission.objects.filter(agent=agent).exists()

    def test_axe_analytique_exige_par_l_enveloppe(self, agent, communes):
        enveloppe = EnveloppeBudgetaireFactory(code="0214RECT-CONVOCSCENTRALE")
        PolitiqueVoyageFactory().enveloppes_avec_axe.add(enveloppe)
        depart, retour = le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9)
        with pytest.raises(ValidationError) as erreur:
            creer(agent, communes["paris"], depart, retour, enveloppe_budgetaire=enveloppe, axe_analytique="")
        assert "axe_analytique" in erreur.value.message_dict
        ordre, _ = creer(
            agent, communes["paris"], depart, retour, enveloppe_budgetaire=enveloppe, axe_analytique="CC-DGESCO"
        )
        assert ordre.axe_analytique == "CC-DGESCO"

    def test_rattachement_a_un_omp_valide_qui_couvre_les_dates(self, agent, communes):
        omp = OrdreMissionFactory(agent=agent, valide=True)  # 1er septembre 2026 – 31 août 2027
        depart, retour = le(2026, 10, 19, 7), le(2026, 10, 20, 19)
        with pytest.raises(ValidationError) as erreur:
            creer(agent, communes["gap"], depart, retour, omp=omp)
        assert "cas_rattachement" in erreur.value.message_dict
        ordre, _ = creer(agent, communes["gap"], depart, retour, omp=omp, cas_rattachement=CasRattachement.NUITEE)
        assert ordre.omp == omp

        brouillon = OrdreMissionFactory(agent=agent)
        with pytest.raises(ValidationError) as erreur:
            creer(agent, communes["gap"], depart, retour, omp=brouillon, cas_rattachement=CasRattachement.NUITEE)
        assert erreur.value.message_dict["omp"] == ["Choisissez un de vos ordres de mission permanents validés."]
        with pytest.raises(ValidationError) as erreur:
            creer(
                agent,
                communes["gap"],
                le(2027, 9, 6, 7),
                le(2027, 9, 6, 19),
                omp=omp,
                cas_rattachement=CasRattachement.NUITEE,
            )
        assert "sort de la période" in erreur.value.message_dict["omp"][0]

    def test_transport_avec_billet_exige_la_demande(self, agent, communes):
        omp = OrdreMissionFactory(agent=agent, valide=True)
        with pytest.raises(ValidationError) as erreur:
            creer(
                agent,
                communes["paris"],
                le(2026, 10, 22, 5, 51),
                le(2026, 10, 22, 20, 9),
                omp=omp,
                cas_rattachement=CasRattachement.TRANSPORT_AVEC_BILLET,
            )
        assert "demande_billets" in erreur.value.message_dict

    def test_un_autre_agent_ne_modifie_pas(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19))
        with pytest.raises(PermissionDenied):
            ponctuels.modifier_ponctuel(ordre=ordre, par=UserFactory(), donnees={"objet": "Autre"})
        with pytest.raises(PermissionDenied):
            ponctuels.generer_etapes(ordre=ordre, par=AgentFactory().user)

    def test_convocation_deposee_verifiee(self, agent, communes):
        depot = SimpleUploadedFile("convocation.txt", b"pas un pdf", content_type="application/pdf")
        with pytest.raises(ValidationError) as erreur:
            creer(agent, communes["paris"], le(2026, 10, 22, 8), le(2026, 10, 22, 19), convocation=depot)
        assert "convocation" in erreur.value.message_dict
        ordre, _ = creer(
            agent,
            communes["paris"],
            le(2026, 10, 22, 8),
            le(2026, 10, 22, 19),
            convocation=SimpleUploadedFile("convocation.pdf", PDF, content_type="application/pdf"),
        )
        assert ordre.convocation.name.endswith(".pdf")


# --- Demandes de billets, circuit et agence de voyage ----------------------------------------------------------------


def demande(ordre, agent, sens="aller", **autres):
    valeurs = {
        "gare_depart": "Aix-en-Provence TGV",
        "gare_arrivee": "Paris Gare de Lyon",
        "date": D(2026, 10, 22),
        "heure_min": datetime.time(5, 51),
        "heure_max": datetime.time(6, 30),
        "classe": ClasseTrain.SECONDE,
        "cartes": "Carte Avantage n° 29090000000",
        "e_billet": True,
        "cout_estime": Decimal("116.00"),
        "commentaire": "",
        **autres,
    }
    return ponctuels.enregistrer_demande_billet(ordre=ordre, par=agent.user, sens=sens, donnees=valeurs)


@pytest.fixture
def ordre_billets(agent, communes):
    ordre, _ = creer(
        agent,
        communes["paris"],
        le(2026, 10, 22, 5, 51),
        le(2026, 10, 22, 20, 9),
        lieu_depart=LieuDepart.GARE,
        demande_billets=True,
    )
    return ordre


class TestDemandeBillets:
    def test_demande_a_la_date_de_l_en_tete(self, agent, ordre_billets):
        demande(ordre_billets, agent)
        with pytest.raises(ValidationError) as erreur:
            demande(ordre_billets, agent, sens="retour", date=D(2026, 10, 23))
        assert erreur.value.message_dict["date"] == [
            "Le retour de la mission est le 22/10/2026 : la demande doit porter la même date que l'en-tête."
        ]
        demande(
            ordre_billets, agent, sens="retour", gare_depart="Paris Gare de Lyon", gare_arrivee="Aix-en-Provence TGV"
        )
        assert DemandeBillet.objects.filter(ordre=ordre_billets).count() == 2

    def test_pas_de_demande_sans_la_case_cochee(self, agent, communes):
        ordre, _ = creer(agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 22, 20, 9))
        with pytest.raises(ValidationError):
            demande(ordre, agent)

    def test_premiere_classe_seulement_par_derogation(self, agent, ordre_billets, communes):
        with pytest.raises(ValidationError) as erreur:
            demande(ordre_billets, agent, classe=ClasseTrain.PREMIERE)
        assert erreur.value.message_dict["classe"] == [
            "La politique de voyage de l'académie prévoit la 2de classe : choisissez-la."
        ]
        PolitiqueVoyageFactory(
            derogation_libelle="IA-IPR et IEN-ET convoqués à Paris, aller et retour dans la journée",
            derogation_categories=["ia_ipr", "ien"],
            derogation_commune=communes["paris"],
            derogation_meme_journee=True,
        )
        assert demande(ordre_billets, agent, classe=ClasseTrain.PREMIERE).classe == ClasseTrain.PREMIERE

    def test_derogation_hors_conditions_refusee(self, agent, communes):
        PolitiqueVoyageFactory(
            derogation_libelle="IA-IPR et IEN-ET convoqués à Paris, aller et retour dans la journée",
            derogation_categories=["ia_ipr", "ien"],
            derogation_commune=communes["paris"],
            derogation_meme_journee=True,
        )
        deux_jours, _ = creer(
            agent, communes["paris"], le(2026, 10, 22, 5, 51), le(2026, 10, 23, 20, 9), demande_billets=True
        )
        with pytest.raises(ValidationError) as erreur:
            demande(deux_jours, agent, classe=ClasseTrain.PREMIERE)
        assert erreur.value.message_dict["classe"] == [
            "La 1re classe n'est accordée que par dérogation : IA-IPR et IEN-ET convoqués à Paris, aller et retour "
            "dans la journée. Votre mission n'y entre pas : choisissez la 2de classe."
        ]
        lyon, _ = creer(agent, communes["lyon"], le(2026, 10, 26, 5, 51), le(2026, 10, 26, 20, 9), demande_billets=True)
        with pytest.raises(ValidationError):
            demande(lyon, agent, classe=ClasseTrain.PREMIERE, date=D(2026, 10, 26))

    def test_cartes_reprises_de_la_derniere_demande(self, agent, ordre_billets, communes):
        demande(ordre_billets, agent)
        autre, _ = creer(agent, communes["lyon"], le(2026, 11, 5, 7), le(2026, 11, 5, 21), demande_billets=True)
        initiales = ponctuels.valeurs_initiales_demande(autre, "aller")
        assert initiales["cartes"] == "Carte Avantage n° 29090000000"
        assert (initiales["date"], initiales["heure_min"]) == (D(2026, 11, 5), datetime.time(7))
        assert initiales["classe"] == ClasseTrain.SECONDE

    def test_controles_bloquants(self, agent, ordre_billets):
        assert ponctuels.controles_ponctuel(ordre_billets) == [
            "Déposez la convocation : aucun ordre avec demande de billets n'est validé, ni aucun billet commandé, "
            "sans convocation.",
            "Vous demandez des titres de transport : décrivez le trajet aller et le trajet retour.",
        ]
        ponctuels.modifier_ponctuel(
            ordre=ordre_billets,
            par=agent.user,
            donnees={"convocation": SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")},
        )
        demande(ordre_billets, agent)
        ordre_billets.refresh_from_db()
        assert ponctuels.controles_ponctuel(ordre_billets) == []
        OrdreMission.objects.filter(pk=ordre_billets.pk).update(depart_le=le(2026, 10, 21, 18))
        ordre_billets.refresh_from_db()
        assert ponctuels.controles_ponctuel(ordre_billets) == [
            "Les étapes ne correspondent plus aux horaires : cliquez sur « Générer les étapes ».",
            "La demande de billet aller est pour le 22/10/2026, mais la mission part le 21/10/2026 : "
            "mettez les mêmes dates.",
        ]

    def test_controles_d_un_autre_type_d_ordre(self, agent):
        assert ponctuels.controles_ponctuel(OrdreMissionFactory(agent=agent)) == []


def valider_jusqu_au_bout(ordre, agent, valideur, gestionnaire):
    ordre = validation.soumettre(ordre=ordre, par=agent.user, destinataire=valideur)
    assert ordre.etat == Etat.ATTENTE_VH1
    ordre = validation.valider(ordre=ordre, par=valideur)
    return validation.valider(ordre=ordre, par=gestionnaire.user)


class TestCircuitEtAgence:
    @pytest.fixture
    def ordre_complet(self, agent, ordre_billets):
        ponctuels.modifier_ponctuel(
            ordre=ordre_billets,
            par=agent.user,
            donnees={"convocation": SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")},
        )
        demande(ordre_billets, agent)
        dejeuner = Etape.objects.get(ordre=ordre_billets, type=TypeEtape.DEJEUNER)
        ponctuels.modifier_etape(etape=dejeuner, par=agent.user, mode=ModeEtape.ADMINISTRATIF)
        frais(ordre_billets, agent, TypeFrais.TRANSPORT_PUBLIC, D(2026, 10, 22), "2.15")
        frais(ordre_billets, agent, TypeFrais.PARKING, D(2026, 10, 22), "20.00")
        ordre_billets.refresh_from_db()
        return ordre_billets

    def test_validation_fige_etapes_et_frais_pour_l_etat_de_frais(
        self, agent, valideur, gestionnaire, ordre_complet, monkeypatch
    ):
        monkeypatch.setattr(validation, "APRES_VALIDATION_FINALE", [ponctuels.transmettre_a_l_agence])
        ordre = valider_jusqu_au_bout(ordre_complet, agent, valideur, gestionnaire)
        assert ordre.etat == Etat.VALIDE
        fige = ordre.calcul_fige
        assert [(e["type"], e["mode"], e["taux"], e["montant"], e["lieu_nom"], e["zone"]) for e in fige["etapes"]] == [
            ("dejeuner", "administratif", "10.00", "10.00", "Paris", "metropole"),
            ("diner", "plein", "20.00", "20.00", "Paris", "metropole"),
        ]
        assert [(f["type"], f["montant_declare"], f["montant"]) for f in fige["frais"]] == [
            ("transport_public", "2.15", "2.15"),
            ("parking", "20.00", "16.00"),
        ]
        assert fige["horaires"] == {
            "depart_le": "2026-10-22T05:51",
            "retour_le": "2026-10-22T20:09",
            "lieu_depart": "gare",
            "debut_mission": "2026-10-22T04:51",
            "fin_mission": "2026-10-22T21:09",
        }
        assert (fige["montant_etapes"], fige["montant_frais"], fige["total"]) == ("30.00", "48.15", "48.15")
        assert ordre.montant_total == Decimal("48.15")
        assert set(ordre.baremes.values_list("type", flat=True)) == {"repas"}
        assert ordre.demandes_billets.get().transmise_le is not None

    def test_l_agence_est_prevenue_et_seule_elle_enregistre_les_billets(
        self, agent, valideur, gestionnaire, agence, ordre_complet
    ):
        hors_perimetre = PerimetreGestionnaireFactory(categorie="aesh", gestionnaire__est_agence_voyage=True)
        demande_aller = ordre_complet.demandes_billets.get()
        billet = {"reference": "QZX4RT", "cout": Decimal("98.40")}
        with pytest.raises(PermissionDenied):  # pas encore validé
            ponctuels.enregistrer_billet(demande=demande_aller, par=agence.user, donnees=billet)

        ordre = valider_jusqu_au_bout(ordre_complet, agent, valideur, gestionnaire)
        ponctuels.transmettre_a_l_agence(ordre)
        assert Notification.objects.filter(destinataire=agence.user, message__contains=ordre.numero).count() == 1
        assert not Notification.objects.filter(destinataire=hors_perimetre.gestionnaire.user).exists()

        for intrus in (agent.user, valideur, gestionnaire.user, hors_perimetre.gestionnaire.user):
            with pytest.raises(PermissionDenied):
                ponctuels.enregistrer_billet(demande=demande_aller, par=intrus, donnees=billet)
        assert not Billet.objects.exists()

        enregistre = ponctuels.enregistrer_billet(
            demande=demande_aller,
            par=agence.user,
            donnees={**billet, "fichier": SimpleUploadedFile("billet.pdf", PDF, content_type="application/pdf")},
        )
        assert (enregistre.reference, enregistre.cout, enregistre.enregistre_par) == (
            "QZX4RT",
            Decimal("98.40"),
            agence.user,
        )
        assert Notification.objects.filter(destinataire=agent.user, message__contains="billet aller").exists()
        assert ponctuels.file_agence(agence.user)["traites"][0]["ordre"] == ordre
        assert ponctuels.file_agence(hors_perimetre.gestionnaire.user) == {"a_traiter": [], "traites": []}

    def test_billet_sans_reference_refuse(self, agent, valideur, gestionnaire, agence, ordre_complet):
        ordre = valider_jusqu_au_bout(ordre_complet, agent, valideur, gestionnaire)
        with pytest.raises(ValidationError) as erreur:
            ponctuels.enregistrer_billet(
                demande=ordre.demandes_billets.get(), par=agence.user, donnees={"reference": " ", "cout": Decimal("1")}
            )
        assert "reference" in erreur.value.message_dict

    def test_un_gestionnaire_sans_le_role_d_agence_ne_voit_pas_la_file(self, gestionnaire):
        assert ponctuels.file_agence(gestionnaire.user) == {"a_traiter": [], "traites": []}
        assert ponctuels.file_agence(UserFactory()) == {"a_traiter": [], "traites": []}

    def test_politique_par_defaut_sans_ligne_enregistree(self, db):
        politique = PolitiqueVoyage.courante()
        assert politique._state.adding
        assert (politique.classe_par_defaut, politique.parking_heures_max, politique.tickets_par_jour) == ("2", 48, 2)
        assert GestionnaireFactory().est_agence_voyage is False


def test_demandes_restantes_quand_la_case_est_decochee(agent, ordre_billets):
    demande(ordre_billets, agent)
    ponctuels.modifier_ponctuel(ordre=ordre_billets, par=agent.user, donnees={"demande_billets": False})
    ordre_billets.refresh_from_db()
    assert ponctuels.controles_ponctuel(ordre_billets) == [
        "Vous ne demandez plus de titres de transport : supprimez les demandes de billets restantes, "
        "ou cochez de nouveau la demande dans l'en-tête."
    ]
    ponctuels.transmettre_a_l_agence(ordre_billets)
    assert DemandeBillet.objects.get(ordre=ordre_billets).transmise_le is None


def test_branche_comme_regle_bloquante_les_controles_empechent_la_soumission(
    agent, valideur, ordre_billets, monkeypatch
):
    """Le branchement attendu dans `validation.anomalies.REGLES` : chaque message devient une anomalie bloquante."""
    from validation import anomalies

    def controles_om_ponctuel(ctx):
        return [anomalies.Anomalie("ponctuel", message, True) for message in ponctuels.controles_ponctuel(ctx.ordre)]

    monkeypatch.setattr(anomalies, "REGLES", [*anomalies.REGLES, controles_om_ponctuel])
    with pytest.raises(validation.ActionRefusee) as refus:
        validation.soumettre(ordre=ordre_billets, par=agent.user, destinataire=valideur)
    assert "Déposez la convocation" in str(refus.value)
    ordre_billets.refresh_from_db()
    assert ordre_billets.etat == Etat.BROUILLON

    ponctuels.modifier_ponctuel(
        ordre=ordre_billets,
        par=agent.user,
        donnees={"convocation": SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")},
    )
    demande(ordre_billets, agent)
    ordre = validation.soumettre(ordre=ordre_billets, par=agent.user, destinataire=valideur)
    assert ordre.etat == Etat.ATTENTE_VH1
