"""Les calculs purs, sans base : exemples des documents, cas limites et propriétés."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bareme import calcul, referentiel
from bareme.calcul import (
    LieuEligibilite,
    LieuMission,
    LigneIK,
    Mission,
    Tranche,
    VersionForfaits,
    VersionIK,
)

D = Decimal
NBSP = calcul.ESPACE_INSECABLE
CV5 = calcul.CLASSE_5CV_ET_MOINS
CV8 = calcul.CLASSE_8CV_ET_PLUS
VELOMOTEUR = calcul.CLASSE_VELOMOTEUR
VERSIONS_IK = referentiel.versions_ik_calcul()
GRAND_PARIS = referentiel.lire_grand_paris()


def _forfaits(type_bareme: str) -> list[VersionForfaits]:
    versions = []
    for version in referentiel.lire_versions():
        if version.type == type_bareme:
            versions.append(
                VersionForfaits(
                    libelle=f"{type_bareme} {version.date_debut}",
                    date_debut=version.date_debut,
                    date_fin=version.date_fin,
                    montants=dict(version.taux_mission),
                )
            )
    return versions


REPAS = _forfaits("repas")
NUITEES = _forfaits("nuitee")


def ik(jour, km, trajets=1, cumul=0, classe=CV5, versions=VERSIONS_IK):
    return calcul.calculer_ik(LigneIK(jour, classe, D(km), trajets), versions, D(cumul))


def _parts(resultat):
    return [(part.km, part.taux, part.montant) for part in resultat.parts]


def test_calcul_ne_depend_ni_de_django_ni_de_la_base():
    source = Path(calcul.__file__).read_text(encoding="utf-8")
    modules = set()
    for noeud in ast.walk(ast.parse(source)):
        if isinstance(noeud, ast.Import):
            modules.update(alias.name for alias in noeud.names)
        elif isinstance(noeud, ast.ImportFrom):
            modules.add(noeud.module)
    assert not {module for module in modules if module.split(".")[0] in ("django", "agents", "bareme")}


# Indemnités kilométriques : exemples des documents.


def test_un_mois_de_12_trajets_de_34_km():
    resultat = ik(datetime.date(2026, 3, 2), 34, trajets=12)
    assert resultat.km == 408
    assert resultat.montant == D("130.56")  # 408 km × 0,32 €
    assert _parts(resultat) == [(D(408), D("0.32"), D("130.56"))]
    assert resultat.cumul_apres == 408


def test_lignes_aller_et_retour_de_21_km_six_fois_chacune():
    """Guide de Nice : « Nice-Antibes 21 km aller, 6 trajets » puis « Antibes-Nice 21 km retour, 6 trajets »."""
    lignes = [
        LigneIK(datetime.date(2025, 9, 1), CV5, D(21), 6),
        LigneIK(datetime.date(2025, 9, 30), CV5, D(21), 6),
    ]
    resultat = calcul.calculer_ik_lignes(lignes, VERSIONS_IK)
    assert [ligne.montant for ligne in resultat.lignes] == [D("40.32"), D("40.32")]
    assert [ligne.cumul_avant for ligne in resultat.lignes] == [0, 126]
    assert resultat.montant == D("80.64")
    assert resultat.cumul_apres == 252


def test_exemple_de_l_api_franchit_2000_km():
    resultat = ik(datetime.date(2026, 3, 2), 34, trajets=12, cumul=1990)
    assert _parts(resultat) == [(D(10), D("0.32"), D("3.20")), (D(398), D("0.40"), D("159.20"))]
    assert resultat.montant == D("162.40")
    assert resultat.cumul_apres == 2398
    assert "franchit le seuil de 2" in resultat.explication
    assert "2 tranches" in resultat.explication


def test_une_ligne_franchit_10000_km():
    resultat = ik(datetime.date(2026, 5, 4), 20, cumul=9990)
    assert _parts(resultat) == [(D(10), D("0.40"), D("4.00")), (D(10), D("0.23"), D("2.30"))]
    assert resultat.montant == D("6.30")


def test_une_ligne_franchit_les_deux_seuils():
    resultat = ik(datetime.date(2026, 5, 4), 9000, cumul=1500)
    assert _parts(resultat) == [
        (D(500), D("0.32"), D("160.00")),
        (D(8000), D("0.40"), D("3200.00")),
        (D(500), D("0.23"), D("115.00")),
    ]
    assert resultat.montant == D("3475.00")
    assert "les seuils de 2" in resultat.explication


def test_cumul_exactement_a_2000_km_tout_au_second_taux():
    resultat = ik(datetime.date(2026, 5, 4), 10, cumul=2000)
    assert _parts(resultat) == [(D(10), D("0.40"), D("4.00"))]


def test_ligne_qui_finit_exactement_a_2000_km_reste_au_premier_taux():
    resultat = ik(datetime.date(2026, 5, 4), 10, cumul=1990)
    assert _parts(resultat) == [(D(10), D("0.32"), D("3.20"))]
    assert resultat.cumul_apres == 2000


def test_le_cumul_repart_de_zero_au_1er_janvier():
    lignes = [
        LigneIK(datetime.date(2026, 1, 2), CV5, D(10)),
        LigneIK(datetime.date(2025, 12, 31), CV5, D(10)),
    ]
    resultat = calcul.calculer_ik_lignes(lignes, VERSIONS_IK, cumul_avant=D(1995))
    decembre, janvier = resultat.lignes
    assert decembre.ligne.date.year == 2025
    assert _parts(decembre) == [(D(5), D("0.32"), D("1.60")), (D(5), D("0.40"), D("2.00"))]
    assert janvier.cumul_avant == 0
    assert janvier.cumul_remis_a_zero
    assert _parts(janvier) == [(D(10), D("0.32"), D("3.20"))]
    assert "repart de 0 au 1er janvier 2026" in janvier.explication


def test_changement_de_taux_entre_deux_trajets_du_meme_mois():
    tranches = {CV5: (Tranche.depuis_bornes(0, 2000, D("0.30")), Tranche.depuis_bornes(2001, None, D("0.40")))}
    ancienne = VersionIK("Ancien barème", datetime.date(2030, 1, 1), datetime.date(2030, 3, 15), tranches)
    nouvelle_tranches = {CV5: (Tranche.depuis_bornes(0, 2000, D("0.35")), Tranche.depuis_bornes(2001, None, D("0.45")))}
    nouvelle = VersionIK("Nouveau barème", datetime.date(2030, 3, 16), None, nouvelle_tranches)
    lignes = [LigneIK(datetime.date(2030, 3, 20), CV5, D(100)), LigneIK(datetime.date(2030, 3, 10), CV5, D(100))]
    premiere, seconde = calcul.calculer_ik_lignes(lignes, [ancienne, nouvelle], cumul_avant=D(1900)).lignes
    assert premiere.version is ancienne
    assert _parts(premiere) == [(D(100), D("0.30"), D("30.00"))]
    assert seconde.version is nouvelle
    assert seconde.cumul_avant == 2000
    assert _parts(seconde) == [(D(100), D("0.45"), D("45.00"))]


def test_version_retroactive_de_2022_s_applique_aux_trajets_de_janvier():
    avant = ik(datetime.date(2021, 12, 31), 100)
    apres = ik(datetime.date(2022, 1, 10), 100)
    assert avant.montant == D("29.00")
    assert apres.montant == D("32.00")
    assert apres.version.date_publication == datetime.date(2022, 3, 15)
    assert "publié le 15 mars 2022 avec effet rétroactif" in apres.explication


def test_aucun_bareme_avant_le_1er_mars_2019():
    with pytest.raises(calcul.AucunBaremeEnVigueur, match="28 février 2019"):
        ik(datetime.date(2019, 2, 28), 10)


def test_arrondi_une_seule_fois_par_ligne_au_demi_superieur():
    # 0,1 km à 0,45 € = 0,045 € et 0,1 km à 0,55 € = 0,055 € : les parts affichées (0,05 et 0,06) font 0,11 €,
    # mais la ligne additionne les parts exactes (0,100 €) et n'arrondit qu'à la fin.
    resultat = ik(datetime.date(2026, 5, 4), "0.2", cumul="1999.9", classe=CV8)
    assert [part.montant_exact for part in resultat.parts] == [D("0.045"), D("0.055")]
    assert [part.montant for part in resultat.parts] == [D("0.05"), D("0.06")]
    assert resultat.montant == D("0.10")


def test_arrondi_demi_superieur_et_non_au_pair():
    assert calcul.arrondir(D("0.045")) == D("0.05")
    assert calcul.arrondir(D("0.125")) == D("0.13")
    assert calcul.arrondir(D("0.124999")) == D("0.12")


def test_distance_avec_une_decimale():
    resultat = ik(datetime.date(2026, 5, 4), "12.5", trajets=3)
    assert resultat.km == D("37.5")
    assert resultat.montant == D("12.00")


def test_motocyclette_un_seul_taux():
    resultat = ik(datetime.date(2026, 5, 4), 100, cumul=15000, classe=calcul.CLASSE_MOTOCYCLETTE)
    assert _parts(resultat) == [(D(100), D("0.15"), D("15.00"))]
    assert resultat.complement_minimum == 0


@pytest.mark.parametrize("distance", [0, -5])
def test_distance_nulle_ou_negative_refusee(distance):
    with pytest.raises(calcul.ErreurCalcul, match="positive"):
        ik(datetime.date(2026, 5, 4), distance)


# Minimum forfaitaire mensuel des vélomoteurs.


def test_velomoteur_minimum_mensuel_de_10_euros():
    resultat = ik(datetime.date(2026, 5, 4), 5, classe=VELOMOTEUR)
    assert resultat.montant_bareme == D("0.60")
    assert resultat.complement_minimum == D("9.40")
    assert resultat.montant == D("10.00")
    assert "minimum forfaitaire mensuel" in resultat.explication


def test_velomoteur_minimum_par_mois_et_non_par_ligne():
    lignes = [
        LigneIK(datetime.date(2026, 5, 4), VELOMOTEUR, D(20)),
        LigneIK(datetime.date(2026, 5, 18), VELOMOTEUR, D(30)),
        LigneIK(datetime.date(2026, 6, 2), VELOMOTEUR, D(100)),
    ]
    mai_1, mai_2, juin = calcul.calculer_ik_lignes(lignes, VERSIONS_IK).lignes
    assert (mai_1.montant, mai_2.montant_bareme) == (D("2.40"), D("3.60"))
    assert mai_1.complement_minimum == 0
    assert mai_2.complement_minimum == D("4.00")  # 2,40 + 3,60 + 4,00 = 10,00
    assert juin.montant == D("12.00")
    assert juin.complement_minimum == 0


def test_pas_de_minimum_pour_les_voitures():
    assert ik(datetime.date(2026, 5, 4), 1).montant == D("0.32")


# Propriétés.

MOIS_DE_MAI = st.dates(min_value=datetime.date(2026, 5, 1), max_value=datetime.date(2026, 5, 31))
DIXIEMES = st.integers(min_value=1, max_value=30_000)  # de 0,1 à 3 000 km
CUMULS = st.integers(min_value=0, max_value=150_000).map(lambda dixiemes: D(dixiemes) / 10)


@settings(max_examples=150, deadline=None)
@given(morceaux=st.lists(st.tuples(MOIS_DE_MAI, DIXIEMES), min_size=1, max_size=12), cumul=CUMULS)
def test_decouper_un_mois_en_lignes_ne_change_le_total_que_des_arrondis(morceaux, cumul):
    lignes = [LigneIK(jour, CV5, D(dixiemes) / 10) for jour, dixiemes in morceaux]
    decoupe = calcul.calculer_ik_lignes(lignes, VERSIONS_IK, cumul)
    total_km = sum((ligne.distance for ligne in lignes), D(0))
    seule = ik(datetime.date(2026, 5, 31), total_km, cumul=cumul)
    assert decoupe.cumul_apres == seule.cumul_apres
    assert sum((ligne.montant_exact for ligne in decoupe.lignes), D(0)) == seule.montant_exact
    assert abs(decoupe.montant - seule.montant) <= D("0.005") * (len(lignes) + 1)


@settings(max_examples=150, deadline=None)
@given(
    a=DIXIEMES,
    b=DIXIEMES,
    cumul=CUMULS,
    classe=st.sampled_from([CV5, calcul.CLASSE_6_7CV, CV8, calcul.CLASSE_MOTOCYCLETTE, VELOMOTEUR]),
)
def test_le_montant_ne_baisse_jamais_quand_les_km_augmentent(a, b, cumul, classe):
    petit, grand = sorted((D(a) / 10, D(b) / 10))
    jour = datetime.date(2026, 5, 4)
    assert ik(jour, petit, cumul=cumul, classe=classe).montant <= ik(jour, grand, cumul=cumul, classe=classe).montant


@settings(max_examples=150, deadline=None)
@given(dixiemes=DIXIEMES, trajets=st.integers(min_value=1, max_value=60), cumul=CUMULS)
def test_cumul_apres_egale_cumul_avant_plus_km(dixiemes, trajets, cumul):
    resultat = ik(datetime.date(2026, 5, 4), D(dixiemes) / 10, trajets=trajets, cumul=cumul)
    assert resultat.km == D(dixiemes) / 10 * trajets
    assert resultat.cumul_apres == cumul + resultat.km
    assert sum((part.km for part in resultat.parts), D(0)) == resultat.km


# Repas et nuitées.


def mission(depart, retour, lieu=None, **options):
    lieu = lieu or LieuMission("06004", "Antibes", "06", 72999)
    return calcul.calculer_mission(Mission(depart, retour, lieu, **options), REPAS, NUITEES, GRAND_PARIS)


def le(jour: int, heure: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, jour, heure, minute)


def test_un_dejeuner_entre_11_h_et_14_h():
    resultat = mission(le(10, 8), le(10, 17))
    assert resultat.decompte.dejeuners == (datetime.date(2026, 3, 10),)
    assert (resultat.repas.nombre, resultat.repas.taux, resultat.repas.montant) == (1, D("20.00"), D("20.00"))
    assert resultat.nuitees.nombre == 0
    assert resultat.total == D("20.00")


@pytest.mark.parametrize(
    ("depart", "retour", "dejeuners"),
    [
        (le(10, 11), le(10, 14), 1),
        (le(10, 11, 1), le(10, 14), 0),
        (le(10, 11), le(10, 13, 59), 0),
        (le(10, 10, 59), le(10, 14, 1), 1),
    ],
)
def test_fenetre_du_dejeuner_a_ses_bords(depart, retour, dejeuners):
    assert mission(depart, retour).repas.nombre == dejeuners


@pytest.mark.parametrize(
    ("depart", "retour", "diners"),
    [(le(10, 18), le(10, 21), 1), (le(10, 18, 1), le(10, 21), 0), (le(10, 18), le(10, 20, 59), 0)],
)
def test_fenetre_du_diner_a_ses_bords(depart, retour, diners):
    assert len(mission(depart, retour).decompte.diners) == diners


@pytest.mark.parametrize(
    ("depart", "retour", "nuits"),
    [
        (le(10, 23), le(11, 5), 1),
        (le(10, 23), le(11, 4, 59), 0),
        (le(11, 0), le(11, 5), 1),
        (le(11, 0, 1), le(11, 6), 0),
    ],
)
def test_fenetre_de_la_nuit_a_ses_bords(depart, retour, nuits):
    assert mission(depart, retour).nuitees.nombre == nuits


def test_pas_de_dejeuner_explique_pourquoi():
    resultat = mission(le(10, 11, 1), le(10, 13, 59))
    assert resultat.total == 0
    assert f"départ à 11{NBSP}h{NBSP}01, après le début de la plage 11{NBSP}h–14{NBSP}h" in resultat.explication


def test_exemple_de_l_api_marseille():
    marseille = LieuMission("13055", "Marseille", "13", 863310)
    resultat = mission(le(10, 7, 30), le(11, 19), marseille)
    assert (resultat.repas.nombre, resultat.repas.montant) == (3, D("60.00"))
    assert (resultat.nuitees.nombre, resultat.nuitees.zone, resultat.nuitees.montant) == (
        1,
        calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS,
        D("120.00"),
    )
    assert resultat.total == D("180.00")


PARIS = LieuMission("75056", "Paris", "75", 2113705)
BOULOGNE = LieuMission("92012", "Boulogne-Billancourt", "92", 121334)
ARGENTEUIL = LieuMission("95018", "Argenteuil", "95", 111000)
MARSEILLE_1ER = LieuMission("13055", "Marseille", "13", 863310, arrondissement="Marseille 1er Arrondissement")
ANTIBES = LieuMission("06004", "Antibes", "06", 72999)
FORT_DE_FRANCE = LieuMission("97209", "Fort-de-France", "972", 80041)
PONTOISE = LieuMission("95500", "Pontoise", "95", 32000)


@pytest.mark.parametrize(
    ("lieu", "rqth", "zone", "taux"),
    [
        (PARIS, False, calcul.ZONE_PARIS, "140.00"),
        (BOULOGNE, False, calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS, "120.00"),
        (ARGENTEUIL, False, calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS, "120.00"),
        (MARSEILLE_1ER, False, calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS, "120.00"),
        (ANTIBES, False, calcul.ZONE_BASE, "90.00"),
        (PONTOISE, False, calcul.ZONE_BASE, "90.00"),
        (FORT_DE_FRANCE, False, calcul.ZONE_OUTRE_MER, "120.00"),
        (ANTIBES, True, calcul.ZONE_RQTH, "150.00"),
        (PARIS, True, calcul.ZONE_RQTH, "150.00"),
        (FORT_DE_FRANCE, True, calcul.ZONE_RQTH, "150.00"),
    ],
)
def test_mission_de_trois_jours_selon_la_zone(lieu, rqth, zone, taux):
    # Du lundi 8 h au mercredi 20 h : 3 déjeuners, 2 dîners (mercredi retour avant 21 h), 2 nuits.
    resultat = mission(le(9, 8), le(11, 20), lieu, rqth=rqth)
    assert resultat.decompte.dejeuners == tuple(datetime.date(2026, 3, jour) for jour in (9, 10, 11))
    assert resultat.decompte.diners == (datetime.date(2026, 3, 9), datetime.date(2026, 3, 10))
    assert (resultat.repas.nombre, resultat.repas.montant) == (5, D("100.00"))
    assert (resultat.nuitees.nombre, resultat.nuitees.zone, resultat.nuitees.taux) == (2, zone, D(taux))
    assert resultat.nuitees.montant == 2 * D(taux)
    assert resultat.total == D("100.00") + 2 * D(taux)


def test_arrondissement_compte_pour_sa_ville_dans_l_explication():
    resultat = mission(le(9, 8), le(10, 20), MARSEILLE_1ER)
    assert "Marseille 1er Arrondissement (arrondissement de Marseille)" in resultat.explication
    assert "au moins 200" in resultat.explication


def test_repas_au_restaurant_administratif_a_demi_tarif_et_repas_gratuit():
    assert mission(le(10, 8), le(10, 17), repas=calcul.REPAS_ADMINISTRATIF).repas.montant == D("10.00")
    gratuit = mission(le(10, 8), le(10, 17), repas=calcul.REPAS_GRATUIT)
    assert (gratuit.repas.nombre, gratuit.repas.montant) == (1, D("0.00"))
    assert "fournis gratuitement" in gratuit.explication


def test_demi_tarif_de_2019_au_centime_publie():
    depart = datetime.datetime(2019, 6, 3, 8)
    resultat = mission(depart, depart + datetime.timedelta(hours=9), repas=calcul.REPAS_ADMINISTRATIF)
    assert resultat.repas.taux == D("7.63")  # 15,25 € / 2, taux réduit publié


def test_nuitee_gratuite_rien_n_est_du():
    resultat = mission(le(9, 8), le(10, 20), PARIS, nuitee=calcul.NUITEE_GRATUITE)
    assert (resultat.nuitees.nombre, resultat.nuitees.montant) == (1, D("0.00"))
    assert "fourni gratuitement" in resultat.explication


def test_taux_de_mission_du_jour_du_depart():
    veille = datetime.datetime(2023, 9, 21, 8)
    jour_j = datetime.datetime(2023, 9, 22, 8)
    avant = mission(veille, veille + datetime.timedelta(days=1, hours=12))
    apres = mission(jour_j, jour_j + datetime.timedelta(days=1, hours=12))
    assert (avant.repas.taux, avant.nuitees.taux) == (D("17.50"), D("70.00"))
    assert (apres.repas.taux, apres.nuitees.taux) == (D("20.00"), D("90.00"))


def test_retour_avant_depart_refuse():
    with pytest.raises(calcul.ErreurCalcul, match="postérieur au départ"):
        mission(le(10, 12), le(10, 11))


def test_grand_paris_lu_du_fichier():
    assert GRAND_PARIS.departements == frozenset({"92", "93", "94"})
    assert "95018" in GRAND_PARIS.communes
    assert "75056" not in GRAND_PARIS.communes


# Éligibilité.

ANTIBES_E = LieuEligibilite("06004", "Antibes", 43.58065, 7.12767)
VALLAURIS_E = LieuEligibilite("06155", "Vallauris", 43.57976, 7.05554)
NICE_E = LieuEligibilite("06088", "Nice", 43.69611, 7.27178)
CANNES_E = LieuEligibilite("06029", "Cannes", 43.55135, 7.01275)
BIOT_E = LieuEligibilite("06018", "Biot", 43.62826, 7.09582)
DESSERVIES = {calcul.paire("06004", "06155")}


def eligibilite(administrative, familiale, destination, paires=DESSERVIES):
    return calcul.eligibilite(
        residence_administrative=administrative,
        residence_familiale=familiale,
        destination=destination,
        paires_desservies=paires,
    )


def test_agent_qui_habite_une_commune_limitrophe_desservie():
    """Résidence administrative à Antibes, domicile à Vallauris (limitrophe, desservie) : rien entre les deux."""
    resultat = eligibilite(ANTIBES_E, NICE_E, VALLAURIS_E)
    assert not resultat.eligible
    assert resultat.motif.startswith(
        "Antibes et Vallauris sont limitrophes et desservies par les transports en commun : "
        "ces communes comptent comme une seule."
    )


def test_destination_limitrophe_de_la_residence_familiale():
    resultat = eligibilite(NICE_E, VALLAURIS_E, ANTIBES_E)
    assert not resultat.eligible
    assert "résidence familiale" in resultat.motif


def test_pas_d_indemnite_dans_la_commune_de_la_residence_administrative():
    resultat = eligibilite(ANTIBES_E, VALLAURIS_E, ANTIBES_E)
    assert not resultat.eligible
    assert resultat.motif == (
        "Le déplacement a lieu à Antibes, commune de la résidence administrative : il n'ouvre pas droit à indemnité."
    )


def test_pas_d_indemnite_dans_la_commune_de_la_residence_familiale():
    resultat = eligibilite(NICE_E, CANNES_E, CANNES_E)
    assert not resultat.eligible
    assert "commune de la résidence familiale" in resultat.motif


def test_limitrophe_non_desservie_ouvre_droit():
    resultat = eligibilite(ANTIBES_E, ANTIBES_E, BIOT_E)
    assert resultat.eligible
    assert resultat.residence_origine == calcul.RESIDENCE_ADMINISTRATIVE


def test_le_trajet_part_de_la_residence_familiale_si_elle_est_plus_proche():
    resultat = eligibilite(NICE_E, VALLAURIS_E, CANNES_E, paires=set())
    assert resultat.eligible
    assert resultat.origine == VALLAURIS_E
    assert resultat.residence_origine == calcul.RESIDENCE_FAMILIALE
    assert "résidence familiale (Vallauris), plus proche de Cannes" in resultat.motif


def test_le_trajet_part_de_la_residence_administrative_si_elle_est_plus_proche():
    resultat = eligibilite(VALLAURIS_E, NICE_E, CANNES_E, paires=set())
    assert resultat.origine == VALLAURIS_E
    assert resultat.residence_origine == calcul.RESIDENCE_ADMINISTRATIVE


def test_sans_coordonnees_le_trajet_part_de_la_residence_administrative():
    sans_point = LieuEligibilite("06029", "Cannes")
    resultat = eligibilite(NICE_E, VALLAURIS_E, sans_point, paires=set())
    assert resultat.residence_origine == calcul.RESIDENCE_ADMINISTRATIVE
    assert "distances ne sont pas connues" in resultat.motif


def test_distances_fournies_priment_sur_les_coordonnees():
    resultat = calcul.eligibilite(
        residence_administrative=NICE_E,
        residence_familiale=VALLAURIS_E,
        destination=CANNES_E,
        paires_desservies=set(),
        distances={calcul.paire("06088", "06029"): 5.0, calcul.paire("06155", "06029"): 9.0},
    )
    assert resultat.residence_origine == calcul.RESIDENCE_ADMINISTRATIVE


def test_circulaire_de_martinique_fort_de_france_et_schoelcher():
    fort_de_france = LieuEligibilite("97209", "Fort-de-France")
    schoelcher = LieuEligibilite("97229", "Schœlcher")
    resultat = eligibilite(schoelcher, schoelcher, fort_de_france, paires={calcul.paire("97209", "97229")})
    assert not resultat.eligible
    assert "Schœlcher et Fort-de-France sont limitrophes" in resultat.motif


# Mise en forme.


def test_mise_en_forme_francaise():
    assert calcul.euros_fr(D("3200")) == f"3{NBSP}200,00{NBSP}€"
    assert calcul.km_fr(D("12.50")) == f"12,5{NBSP}km"
    assert calcul.km_texte(D("400")) == "400"
    assert calcul.date_fr(datetime.date(2022, 1, 1)) == "1er janvier 2022"


@pytest.mark.parametrize(
    ("vehicule", "cv", "classe"),
    [
        ("voiture", 4, CV5),
        ("voiture", 5, CV5),
        ("voiture", 6, calcul.CLASSE_6_7CV),
        ("voiture", 7, calcul.CLASSE_6_7CV),
        ("voiture", 8, CV8),
        ("motocyclette", None, calcul.CLASSE_MOTOCYCLETTE),
        ("velomoteur", None, VELOMOTEUR),
    ],
)
def test_classe_du_vehicule(vehicule, cv, classe):
    assert calcul.classe_vehicule(vehicule, cv) == classe


def test_voiture_sans_puissance_fiscale_refusee():
    with pytest.raises(calcul.ErreurCalcul, match="puissance fiscale"):
        calcul.classe_vehicule("voiture", None)


# --- Horaires de mission d'une ligne d'OMI -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("8 h 30 – 16 h 30", (datetime.time(8, 30), datetime.time(16, 30))),
        ("8h30-16h30", (datetime.time(8, 30), datetime.time(16, 30))),
        ("08:30 à 16:30", (datetime.time(8, 30), datetime.time(16, 30))),
        ("réunion de PIAL 14h - 16h", (datetime.time(14), datetime.time(16))),
        ("9 H — 17 H", (datetime.time(9), datetime.time(17))),
        ("16 h – 8 h", None),  # la fin avant le début
        ("25 h – 26 h", None),
        ("8 h 30", None),
        ("", None),
    ],
)
def test_lire_horaires(texte, attendu):
    assert calcul.lire_horaires(texte) == attendu


def test_horaires_ecrits_et_plage_du_dejeuner():
    assert calcul.horaires_texte(datetime.time(8, 30), datetime.time(16)) == "8 h 30 – 16 h"
    assert calcul.couvre_la_plage((datetime.time(11), datetime.time(14)), calcul.DEJEUNER)
    assert not calcul.couvre_la_plage((datetime.time(11, 1), datetime.time(16)), calcul.DEJEUNER)
    assert not calcul.couvre_la_plage((datetime.time(8), datetime.time(13, 59)), calcul.DEJEUNER)
