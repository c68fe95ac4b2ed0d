"""L'API publique du simulateur : contrat JSON, exemples, et chaque erreur en HTTP 400 (jamais 500)."""

import pytest

pytestmark = pytest.mark.django_db

IK = "/api/simulation/ik"
MISSION = "/api/simulation/mission"
ELIGIBILITE = "/api/simulation/eligibilite"


def test_ik_exemple_du_contrat(client, baremes):
    reponse = client.get(
        IK, {"date": "2026-03-02", "vehicule": "voiture", "cv": "5", "km": "34", "trajets": "12", "cumul": "1990"}
    )
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json"
    donnees = reponse.json()
    assert {cle: donnees[cle] for cle in ("montant", "km", "cumul_avant", "cumul_apres", "bareme", "tranches")} == {
        "montant": "162.40",
        "km": "408",
        "cumul_avant": "1990",
        "cumul_apres": "2398",
        "bareme": "IK voiture — arrêté du 14 mars 2022",
        "tranches": [
            {"km": "10", "taux": "0.32", "montant": "3.20"},
            {"km": "398", "taux": "0.40", "montant": "159.20"},
        ],
    }
    assert "franchit le seuil" in donnees["explication"]


def test_ik_valeurs_par_defaut_et_km_decimaux(client, baremes):
    donnees = client.get(IK, {"date": "2026-03-02", "vehicule": "voiture", "cv": "8", "km": "12.5"}).json()
    assert (donnees["km"], donnees["cumul_avant"], donnees["cumul_apres"]) == ("12.5", "0", "12.5")
    assert donnees["montant"] == "5.63"  # 12,5 km × 0,45 € = 5,625 €, arrondi au demi supérieur
    assert donnees["tranches"] == [{"km": "12.5", "taux": "0.45", "montant": "5.63"}]


def test_ik_velomoteur_minimum(client, baremes):
    donnees = client.get(IK, {"date": "2026-03-02", "vehicule": "velomoteur", "km": "5"}).json()
    assert (donnees["montant"], donnees["complement_minimum"]) == ("10.00", "9.40")


def test_ik_retroactif_2022(client, baremes):
    donnees = client.get(IK, {"date": "2022-02-15", "vehicule": "motocyclette", "km": "100"}).json()
    assert donnees["montant"] == "15.00"
    assert "effet rétroactif" in donnees["explication"]


def test_mission_exemple_du_contrat(client, baremes, communes):
    reponse = client.get(
        MISSION,
        {
            "depart": "2026-03-10T07:30",
            "retour": "2026-03-11T19:00",
            "commune": "13055",
            "repas": "plein",
            "nuitee": "payante",
            "rqth": "0",
        },
    )
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["repas"] == {"nombre": 3, "taux": "20.00", "montant": "60.00"}
    assert {cle: donnees["nuitees"][cle] for cle in ("nombre", "zone", "taux", "montant")} == {
        "nombre": 1,
        "zone": "grande_ville_ou_grand_paris",
        "taux": "120.00",
        "montant": "120.00",
    }
    assert donnees["total"] == "180.00"
    assert "déjeuner et dîner le 10 mars 2026" in donnees["explication"]


def test_mission_dans_un_arrondissement_et_agent_rqth(client, baremes, communes):
    arrondissement = client.get(
        MISSION, {"depart": "2026-03-10T07:30", "retour": "2026-03-11T19:00", "commune": "13201"}
    )
    assert arrondissement.json()["nuitees"]["zone"] == "grande_ville_ou_grand_paris"
    rqth = client.get(
        MISSION, {"depart": "2026-03-10T07:30", "retour": "2026-03-11T19:00", "commune": "75107", "rqth": "1"}
    )
    assert rqth.json()["nuitees"] | {"zone_libelle": ""} == {
        "nombre": 1,
        "zone": "travailleur_handicape_mobilite_reduite",
        "zone_libelle": "",
        "taux": "150.00",
        "montant": "150.00",
    }


def test_mission_demi_tarif_et_nuitee_gratuite(client, baremes, communes):
    donnees = client.get(
        MISSION,
        {
            "depart": "2026-03-10T07:30",
            "retour": "2026-03-11T19:00",
            "commune": "75056",
            "repas": "administratif",
            "nuitee": "gratuite",
        },
    ).json()
    assert donnees["repas"] == {"nombre": 3, "taux": "10.00", "montant": "30.00"}
    assert (donnees["nuitees"]["nombre"], donnees["nuitees"]["montant"]) == (1, "0.00")
    assert donnees["total"] == "30.00"


def test_eligibilite_exemple_du_contrat(client, communes):
    reponse = client.get(
        ELIGIBILITE, {"residence_administrative": "06004", "residence_familiale": "06155", "destination": "06004"}
    )
    assert reponse.status_code == 200
    assert reponse.json() == {
        "eligible": False,
        "motif": "Le déplacement a lieu à Antibes, commune de la résidence administrative : "
        "il n'ouvre pas droit à indemnité.",
        "origine": None,
    }


def test_eligibilite_limitrophe_desservie_et_origine(client, communes):
    refuse = client.get(
        ELIGIBILITE, {"residence_administrative": "06004", "residence_familiale": "06088", "destination": "06155"}
    ).json()
    assert not refuse["eligible"]
    assert refuse["motif"].startswith(
        "Antibes et Vallauris sont limitrophes et desservies par les transports en commun : "
        "ces communes comptent comme une seule."
    )
    accepte = client.get(
        ELIGIBILITE, {"residence_administrative": "06088", "residence_familiale": "06155", "destination": "06029"}
    ).json()
    assert accepte["eligible"]
    assert accepte["origine"] == {"insee": "06155", "nom": "Vallauris", "residence": "familiale"}


IK_VALIDE = {"date": "2026-03-02", "vehicule": "voiture", "cv": "5", "km": "34"}
MISSION_VALIDE = {"depart": "2026-03-10T07:30", "retour": "2026-03-11T19:00", "commune": "13055"}
ELIGIBILITE_VALIDE = {"residence_administrative": "06004", "residence_familiale": "06155", "destination": "06088"}


@pytest.mark.parametrize(
    ("url", "valides", "modifications", "champ", "message"),
    [
        (IK, IK_VALIDE, {"date": "2010-03-02"}, "date", "Aucun barème d'indemnités kilométriques"),
        (IK, IK_VALIDE, {"date": "2026-02-30"}, "date", "date valide"),
        (IK, IK_VALIDE, {"date": ""}, "date", "Indiquez la date"),
        (IK, IK_VALIDE, {"km": "-34"}, "km", "positif"),
        (IK, IK_VALIDE, {"km": "0"}, "km", "positif"),
        (IK, IK_VALIDE, {"km": "trente"}, "km", "Saisissez un nombre de kilomètres"),
        (IK, IK_VALIDE, {"km": "NaN"}, "km", "Saisissez un nombre de kilomètres"),
        (IK, IK_VALIDE, {"km": "Infinity"}, "km", "Saisissez un nombre de kilomètres"),
        (IK, IK_VALIDE, {"km": "12.55"}, "km", "au plus une décimale"),
        (IK, IK_VALIDE, {"km": "1e9"}, "km", "au plus 100"),
        (IK, IK_VALIDE, {"cumul": "-1"}, "cumul", "positif"),
        (IK, IK_VALIDE, {"cv": ""}, "cv", "puissance fiscale"),
        (IK, IK_VALIDE, {"cv": "cinq"}, "cv", "nombre entier"),
        (IK, IK_VALIDE, {"vehicule": "avion"}, "vehicule", "Choisissez voiture, motocyclette ou velomoteur"),
        (IK, IK_VALIDE, {"trajets": "0"}, "trajets", "supérieure ou égale à 1"),
        (IK, IK_VALIDE, {"trajets": "2.5"}, "trajets", "nombre entier"),
        (MISSION, MISSION_VALIDE, {"retour": "2026-03-10T07:00"}, "retour", "postérieur au départ"),
        (MISSION, MISSION_VALIDE, {"retour": "2026-03-10T07:30"}, "retour", "postérieur au départ"),
        (MISSION, MISSION_VALIDE, {"retour": "2028-03-10T07:30"}, "retour", "un an au plus"),
        (MISSION, MISSION_VALIDE, {"depart": "demain"}, "depart", "date et une heure"),
        (
            MISSION,
            MISSION_VALIDE,
            {"depart": "2010-03-10T07:30", "retour": "2010-03-11T19:00"},
            "depart",
            "Aucun barème des repas",
        ),
        (MISSION, MISSION_VALIDE, {"commune": "99999"}, "commune", "Aucune commune n'a le code INSEE « 99999 »"),
        (MISSION, MISSION_VALIDE, {"commune": "Marseille"}, "commune", "code INSEE à cinq caractères"),
        (MISSION, MISSION_VALIDE, {"commune": ""}, "commune", "Indiquez la commune"),
        (MISSION, MISSION_VALIDE, {"repas": "buffet"}, "repas", "plein, administratif ou gratuit"),
        (MISSION, MISSION_VALIDE, {"nuitee": "offerte"}, "nuitee", "payante ou gratuite"),
        (MISSION, MISSION_VALIDE, {"rqth": "peut-être"}, "rqth", "1 (oui) ou 0 (non)"),
        (ELIGIBILITE, ELIGIBILITE_VALIDE, {"destination": "00000"}, "destination", "Aucune commune"),
        (ELIGIBILITE, ELIGIBILITE_VALIDE, {"residence_familiale": ""}, "residence_familiale", "Indiquez la commune"),
        (ELIGIBILITE, ELIGIBILITE_VALIDE, {"residence_administrative": "6004"}, "residence_administrative", "INSEE"),
    ],
)
def test_chaque_erreur_donne_400_avec_un_message_en_francais(
    client, baremes, communes, url, valides, modifications, champ, message
):
    assert client.get(url, valides).status_code == 200
    reponse = client.get(url, valides | modifications)
    assert reponse.status_code == 400
    erreurs = reponse.json()["erreurs"]
    assert list(erreurs) == [champ]
    assert any(message in texte for texte in erreurs[champ]), erreurs


def test_parametres_absents(client):
    erreurs = client.get(IK).json()["erreurs"]
    assert set(erreurs) == {"date", "vehicule", "km"}
    assert set(client.get(MISSION).json()["erreurs"]) == {"depart", "retour", "commune"}
    assert set(client.get(ELIGIBILITE).json()["erreurs"]) == {
        "residence_administrative",
        "residence_familiale",
        "destination",
    }


def test_l_api_est_en_lecture_seule(client):
    assert client.post(IK, IK_VALIDE).status_code == 405


def test_l_api_est_publique_et_ouverte_aux_autres_origines(client, baremes):
    reponse = client.get(IK, IK_VALIDE)
    assert reponse.status_code == 200
    assert reponse["Access-Control-Allow-Origin"] == "*"
