"""Distances : vol d'oiseau, estimation routière, distancier et son import."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from missions.distances import (
    DistanceInconnue,
    distance_orthodromique_km,
    estimation_routiere_km,
    importer_distancier,
    km_de_reference,
)
from missions.enums import SourceKm
from missions.models import Distance
from tests.agents.factories import CommuneFactory
from tests.missions.factories import DistanceFactory

# Points de référence du référentiel des communes (data/communes/communes.csv.gz).
POINTS = {
    "Nice": ("43.69611", "7.27178"),
    "Antibes": ("43.58065", "7.12767"),
    "Besançon": ("47.23673", "6.02231"),
    "Belfort": ("47.63859", "6.86283"),
    "Aix-en-Provence": ("43.52994", "5.44765"),
    "Marseille": ("43.29760", "5.36943"),
    "Paris": ("48.85727", "2.32010"),
}


# --- Calculs purs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "vol_d_oiseau", "route"),
    [
        # Les distances du grand cercle publiées avec les données : 17, 77, 27 et 661 km.
        ("Nice", "Antibes", Decimal("17.301"), Decimal("22.5")),
        ("Besançon", "Belfort", Decimal("77.414"), Decimal("100.6")),
        ("Aix-en-Provence", "Marseille", Decimal("26.596"), Decimal("34.6")),
        ("Paris", "Marseille", Decimal("661.296"), Decimal("859.7")),
    ],
)
def test_distances_du_referentiel(a, b, vol_d_oiseau, route):
    assert distance_orthodromique_km(*POINTS[a], *POINTS[b]) == vol_d_oiseau
    assert distance_orthodromique_km(*POINTS[b], *POINTS[a]) == vol_d_oiseau
    assert estimation_routiere_km(*POINTS[a], *POINTS[b]) == route


def test_un_degre_de_meridien():
    """Un degré sur un grand cercle de 6 371 km de rayon : 2π × 6371 / 360 = 111,195 km ; × 1,3 = 144,553."""
    assert distance_orthodromique_km(0, 0, 1, 0) == Decimal("111.195")
    assert estimation_routiere_km(0, 0, 1, 0) == Decimal("144.6")


def test_meme_point():
    assert distance_orthodromique_km("43.5", "7.1", "43.5", "7.1") == Decimal("0.000")
    assert estimation_routiere_km("43.5", "7.1", "43.5", "7.1") == Decimal("0.0")


# --- Kilomètres de référence --------------------------------------------------------------------------------------


@pytest.fixture
def communes(db):
    def commune(insee, nom, departement, point, **kwargs):
        lat, lon = point if point else (None, None)
        return CommuneFactory(insee=insee, nom=nom, departement=departement, latitude=lat, longitude=lon, **kwargs)

    marseille = commune("13055", "Marseille", "13", POINTS["Marseille"])
    return {
        "nice": commune("06088", "Nice", "06", POINTS["Nice"]),
        "antibes": commune("06004", "Antibes", "06", POINTS["Antibes"]),
        "aix": commune("13001", "Aix-en-Provence", "13", POINTS["Aix-en-Provence"]),
        "marseille": marseille,
        "marseille_1er": commune(
            "13201", "Marseille 1er Arrondissement", "13", ("43.29701", "5.37901"), arrondissement_de=marseille
        ),
        "celles": commune("15031", "Celles", "15", None),
    }


def test_km_du_distancier_dans_les_deux_sens(communes):
    DistanceFactory(commune_a=communes["antibes"], commune_b=communes["nice"], km=Decimal("21.0"))
    assert km_de_reference(communes["nice"], communes["antibes"]) == (Decimal("21.0"), SourceKm.DISTANCIER)
    assert km_de_reference(communes["antibes"], communes["nice"]) == (Decimal("21.0"), SourceKm.DISTANCIER)


def test_km_estimes_hors_distancier(communes):
    assert km_de_reference(communes["nice"], communes["antibes"]) == (Decimal("22.5"), SourceKm.ESTIMATION)


def test_arrondissement_prend_le_distancier_de_sa_commune(communes):
    DistanceFactory(commune_a=communes["aix"], commune_b=communes["marseille"], km=Decimal("31.0"))
    assert km_de_reference(communes["marseille_1er"], communes["aix"]) == (Decimal("31.0"), SourceKm.DISTANCIER)


def test_arrondissement_au_distancier_avant_sa_commune(communes):
    DistanceFactory(commune_a=communes["aix"], commune_b=communes["marseille"], km=Decimal("31.0"))
    DistanceFactory(commune_a=communes["aix"], commune_b=communes["marseille_1er"], km=Decimal("33.5"))
    assert km_de_reference(communes["aix"], communes["marseille_1er"]) == (Decimal("33.5"), SourceKm.DISTANCIER)


def test_arrondissement_estime_avec_son_propre_point(communes):
    assert km_de_reference(communes["marseille_1er"], communes["aix"]) == (
        estimation_routiere_km("43.29701", "5.37901", *POINTS["Aix-en-Provence"]),
        SourceKm.ESTIMATION,
    )
    assert (
        km_de_reference(communes["marseille_1er"], communes["aix"])[0]
        != km_de_reference(communes["marseille"], communes["aix"])[0]
    )


def test_arrondissement_et_sa_commune_ne_se_confondent_pas(communes):
    km, source = km_de_reference(communes["marseille_1er"], communes["marseille"])
    assert source == SourceKm.ESTIMATION
    assert km == Decimal("1.0")


def test_meme_commune(communes):
    assert km_de_reference(communes["nice"], communes["nice"]) == (Decimal("0.0"), SourceKm.ESTIMATION)


def test_commune_sans_point_de_reference(communes):
    with pytest.raises(DistanceInconnue, match="Celles n'a pas de point de référence"):
        km_de_reference(communes["nice"], communes["celles"])
    DistanceFactory(commune_a=communes["nice"], commune_b=communes["celles"], km=Decimal("640.0"))
    assert km_de_reference(communes["celles"], communes["nice"]) == (Decimal("640.0"), SourceKm.DISTANCIER)


# --- Import du distancier -----------------------------------------------------------------------------------------


def ecrire(tmp_path, contenu, nom="distancier.csv"):
    chemin = tmp_path / nom
    chemin.write_text(contenu, encoding="utf-8")
    return chemin


def distancier():
    return {(d.commune_a_id, d.commune_b_id): d.km for d in Distance.objects.order_by("commune_a", "commune_b")}


def test_import_enregistre_les_paires_dans_l_ordre(communes, tmp_path):
    chemin = ecrire(tmp_path, 'insee_a,insee_b,km\n06088,06004,21\n13001,13055,"31,5"\n')
    rapport = importer_distancier(chemin, enregistrer=True)
    assert rapport.est_valide, rapport.texte()
    assert distancier() == {("06004", "06088"): Decimal("21.0"), ("13001", "13055"): Decimal("31.5")}
    assert set(Distance.objects.values_list("source", flat=True)) == {"distancier.csv"}
    compteurs = rapport.compteurs["distancier"]
    assert (compteurs.lues, compteurs.creees, compteurs.modifiees, compteurs.inchangees) == (2, 2, 0, 0)


def test_import_idempotent_puis_mise_a_jour(communes, tmp_path):
    chemin = ecrire(tmp_path, "insee_a,insee_b,km\n06004,06088,21\n13001,13055,31.5\n")
    importer_distancier(chemin, enregistrer=True)
    deuxieme = importer_distancier(chemin, enregistrer=True).compteurs["distancier"]
    assert (deuxieme.creees, deuxieme.modifiees, deuxieme.inchangees) == (0, 0, 2)

    ecrire(tmp_path, "insee_a,insee_b,km\n06088,06004,23.4\n13001,13055,31.5\n")
    troisieme = importer_distancier(chemin, enregistrer=True).compteurs["distancier"]
    assert (troisieme.creees, troisieme.modifiees, troisieme.inchangees) == (0, 1, 1)
    assert distancier() == {("06004", "06088"): Decimal("23.4"), ("13001", "13055"): Decimal("31.5")}
    assert Distance.objects.count() == 2


def test_essai_a_blanc_n_ecrit_rien(communes, tmp_path):
    rapport = importer_distancier(ecrire(tmp_path, "insee_a,insee_b,km\n06004,06088,21\n"))
    assert rapport.est_valide
    assert rapport.compteurs["distancier"].creees == 1
    assert "Essai à blanc" in rapport.texte()
    assert Distance.objects.count() == 0


def test_import_tout_ou_rien_avec_numeros_de_ligne(communes, tmp_path):
    DistanceFactory(commune_a=communes["antibes"], commune_b=communes["nice"], km=Decimal("21.0"))
    contenu = (
        "insee_a,insee_b,km\n"
        "13001,13055,31.5\n"  # ligne 2 : valide, mais rien ne sera écrit
        "06004,06088,25\n"  # ligne 3 : valide (modification)
        "06088,99999,10\n"  # ligne 4 : commune inconnue
        "06088,06088,3\n"  # ligne 5 : même commune
        "06004,13001,0\n"  # ligne 6 : km nul
        "06004,13055,12.25\n"  # ligne 7 : plus d'une décimale
        "06004,13201,abc\n"  # ligne 8 : pas un nombre
        "13055,13001,30\n"  # ligne 9 : paire de la ligne 2 dans l'autre sens
        "06004,13001\n"  # ligne 10 : champ manquant
        "6004,13001,4\n"  # ligne 11 : code mal formé
    )
    rapport = importer_distancier(ecrire(tmp_path, contenu), enregistrer=True)
    assert not rapport.est_valide
    messages = {erreur.ligne: erreur.message for erreur in rapport.erreurs}
    assert sorted(messages) == [4, 5, 6, 7, 8, 9, 10, 11]
    assert "« 99999 » (colonne insee_b) n'existe pas" in messages[4]
    assert "identiques" in messages[5]
    assert "« 0 »" in messages[6]
    assert "« 12.25 »" in messages[7]
    assert "« abc »" in messages[8]
    assert "figure déjà ligne 2" in messages[9]
    assert "3 champ(s)" in messages[10] or "au lieu de 3" in messages[10]
    assert "« 6004 »" in messages[11]
    assert "distancier.csv, ligne 4 :" in rapport.texte()
    assert "Rien n'a été importé" in rapport.texte()
    assert rapport.compteurs["distancier"].rejetees == 8
    assert distancier() == {("06004", "06088"): Decimal("21.0")}


@pytest.mark.parametrize("entete", ["insee_a,insee_b", "a,b,km", "insee_a;insee_b;km", ""])
def test_en_tete_incorrect(communes, tmp_path, entete):
    rapport = importer_distancier(ecrire(tmp_path, f"{entete}\n06004,06088,21\n"), enregistrer=True)
    assert [erreur.ligne for erreur in rapport.erreurs] == [1]
    assert "insee_a,insee_b,km" in rapport.erreurs[0].message
    assert Distance.objects.count() == 0


def test_import_depuis_un_fichier_ouvert_avec_bom(communes):
    fichier = io.BytesIO("\ufeffinsee_a,insee_b,km\r\n06088,06004,21\r\n".encode())
    rapport = importer_distancier(fichier, enregistrer=True)
    assert rapport.est_valide, rapport.texte()
    assert distancier() == {("06004", "06088"): Decimal("21.0")}


def test_fichier_non_utf8(communes, tmp_path):
    chemin = tmp_path / "latin1.csv"
    chemin.write_bytes("insee_a,insee_b,km\n06004,06088,21 # Besançon\n".encode("latin-1"))
    rapport = importer_distancier(chemin, enregistrer=True)
    assert "UTF-8" in rapport.erreurs[0].message
    assert Distance.objects.count() == 0


def test_commande_essai_a_blanc_par_defaut_puis_wet_run(communes, tmp_path):
    chemin = ecrire(tmp_path, "insee_a,insee_b,km\n06004,06088,21\n")
    sortie = io.StringIO()
    call_command("importer_distancier", str(chemin), stdout=sortie)
    assert "Relancez avec --wet-run" in sortie.getvalue()
    assert Distance.objects.count() == 0

    call_command("importer_distancier", str(chemin), "--wet-run", stdout=io.StringIO())
    assert distancier() == {("06004", "06088"): Decimal("21.0")}


def test_commande_refuse_un_fichier_faux(communes, tmp_path):
    chemin = ecrire(tmp_path, "insee_a,insee_b,km\n06004,99999,21\n")
    sortie = io.StringIO()
    with pytest.raises(CommandError, match="Import refusé : 1 erreur"):
        call_command("importer_distancier", str(chemin), "--wet-run", stdout=sortie)
    assert "ligne 2" in sortie.getvalue()
    assert Distance.objects.count() == 0
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("importer_distancier", str(tmp_path / "absent.csv"))
