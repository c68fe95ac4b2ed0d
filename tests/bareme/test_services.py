"""Chargement de l'historique officiel, création et clôture des versions, registres, lectures."""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bareme import calcul, referentiel, selectors, services
from bareme.enums import TypeBareme
from bareme.models import Bareme, TauxIK, TauxMission
from bareme.services import LigneTauxIK, LigneTauxMission
from tests.bareme.factories import BaremeFactory

pytestmark = pytest.mark.django_db
D = Decimal
REFERENCE = Path(settings.REFERENCE_DATA_DIR) / "bareme"
TYPE_PAR_VEHICULE = {"voiture": "ik_voiture", "motocyclette": "ik_motocyclette", "velomoteur": "ik_velomoteur"}


def _lire_csv(nom):
    with (REFERENCE / nom).open(encoding="utf-8", newline="") as fichier:
        return list(csv.DictReader(fichier))


def _date(texte):
    return datetime.date.fromisoformat(texte) if texte else None


# Historique officiel.


def test_les_fichiers_de_reference_sont_ceux_du_depot_partage():
    partage = Path("/work/shared/reference")
    if not partage.exists():
        pytest.skip("Dossier de référence partagé absent.")
    for nom in ("ik.csv", "missions.csv", "grand_paris.csv"):
        assert (REFERENCE / nom).read_bytes() == (partage / nom).read_bytes()


def test_l_historique_charge_egale_ik_csv(baremes):
    lignes = _lire_csv("ik.csv")
    en_base = {
        (
            t.bareme.type,
            t.bareme.date_debut,
            t.bareme.date_fin,
            t.bareme.texte_code,
            t.classe,
            t.km_min,
            t.km_max,
        ): t.taux
        for t in TauxIK.objects.select_related("bareme")
    }
    attendu = {
        (
            TYPE_PAR_VEHICULE[ligne["vehicule"]],
            _date(ligne["date_debut"]),
            _date(ligne["date_fin"]),
            ligne["texte"],
            ligne["classe"],
            int(ligne["tranche_km_min"]),
            int(ligne["tranche_km_max"]) if ligne["tranche_km_max"] else None,
        ): D(ligne["taux_euro_km"])
        for ligne in lignes
    }
    assert len(lignes) == 22
    assert en_base == attendu


def test_l_historique_charge_egale_missions_csv(baremes):
    lignes = _lire_csv("missions.csv")
    en_base = {
        (t.bareme.type, t.bareme.date_debut, t.bareme.date_fin, t.bareme.texte_code, t.zone): t.montant
        for t in TauxMission.objects.select_related("bareme")
    }
    attendu = {
        (
            ligne["indemnite"],
            _date(ligne["date_debut"]),
            _date(ligne["date_fin"]),
            ligne["texte"],
            ligne["zone"],
        ): D(ligne["taux_euro"])
        for ligne in lignes
    }
    assert len(lignes) == 16
    assert en_base == attendu


def test_le_chargement_est_idempotent(baremes):
    avant = (Bareme.objects.count(), TauxIK.objects.count(), TauxMission.objects.count())
    call_command("charger_baremes", verbosity=0)
    assert avant == (11, 22, 16)
    assert (Bareme.objects.count(), TauxIK.objects.count(), TauxMission.objects.count()) == avant


def test_le_chargement_a_blanc_n_ecrit_rien(db, capsys):
    call_command("charger_baremes", dry_run=True)
    assert not Bareme.objects.exists()
    assert "11 version(s) à créer" in capsys.readouterr().out


def test_le_chargement_garde_une_version_close_par_un_administrateur(baremes):
    version_2022 = Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_debut=datetime.date(2022, 1, 1))
    services.creer_version_suivante(
        precedente=version_2022,
        date_debut=datetime.date(2027, 1, 1),
        texte_reference="arrêté fictif de 2027",
        texte_date=datetime.date(2026, 12, 1),
        taux_ik=services.lignes_taux(version_2022)[0],
    )
    call_command("charger_baremes", verbosity=0)
    version_2022.refresh_from_db()
    assert version_2022.date_fin == datetime.date(2026, 12, 31)
    assert Bareme.objects.filter(type=TypeBareme.IK_VOITURE).count() == 3


def test_la_version_retroactive_de_2022_est_enregistree_comme_telle(baremes):
    version = Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_debut=datetime.date(2022, 1, 1))
    assert version.texte_reference == "arrêté du 14 mars 2022"
    assert version.texte_date == datetime.date(2022, 3, 14)
    assert version.texte_publication == datetime.date(2022, 3, 15)
    assert version.est_retroactive
    assert version.date_fin is None
    assert not Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_debut=datetime.date(2019, 3, 1)).est_retroactive


def test_minimum_des_velomoteurs_charge(baremes):
    assert set(Bareme.objects.filter(type=TypeBareme.IK_VELOMOTEUR).values_list("montant_minimum", flat=True)) == {
        D("10.00")
    }
    assert not Bareme.objects.exclude(type=TypeBareme.IK_VELOMOTEUR).filter(montant_minimum__isnull=False).exists()


def test_les_versions_lues_en_base_egalent_celles_des_fichiers(baremes):
    en_base = {(version.libelle, version.date_debut): version for version in selectors.versions_ik()}
    fichiers = {(version.libelle, version.date_debut): version for version in referentiel.versions_ik_calcul()}
    assert len(en_base) == 6
    assert en_base == fichiers


# Lectures.


@pytest.mark.parametrize(
    ("jour", "texte"),
    [
        (datetime.date(2019, 3, 1), "arrêté du 26 février 2019"),
        (datetime.date(2021, 12, 31), "arrêté du 26 février 2019"),
        (datetime.date(2022, 1, 1), "arrêté du 14 mars 2022"),
        (datetime.date(2026, 11, 27), "arrêté du 14 mars 2022"),
    ],
)
def test_version_en_vigueur_a_une_date(baremes, jour, texte):
    assert selectors.version_en_vigueur(TypeBareme.IK_VOITURE, jour).texte_reference == texte


def test_aucune_version_avant_le_premier_texte(baremes):
    assert selectors.version_en_vigueur(TypeBareme.IK_VOITURE, datetime.date(2019, 2, 28)) is None


def test_les_taux_d_ik_se_lisent_en_deux_requetes(baremes, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(selectors, "_versions_en_cache", (None, {}))  # processus qui démarre
    with django_assert_num_queries(3):  # l'empreinte des barèmes (voir test_cache_versions), les versions, leurs taux
        versions = selectors.versions_ik()
    assert len(versions) == 6


def test_simulation_mission_dans_un_arrondissement(baremes, communes):
    resultat = selectors.simuler_mission(
        depart=datetime.datetime(2026, 3, 10, 7, 30),
        retour=datetime.datetime(2026, 3, 11, 19),
        commune=communes["marseille_1er"],
    )
    assert resultat.mission.lieu.insee == "13055"
    assert resultat.nuitees.zone == calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS
    assert resultat.total == D("180.00")


@pytest.mark.parametrize(
    ("commune", "zone"),
    [
        ("paris_7e", calcul.ZONE_PARIS),
        ("boulogne", calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS),
        ("argenteuil", calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS),
        ("nice", calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS),
        ("antibes", calcul.ZONE_BASE),
        ("fort_de_france", calcul.ZONE_OUTRE_MER),
    ],
)
def test_zone_de_nuitee_depuis_la_commune(baremes, communes, commune, zone):
    resultat = selectors.simuler_mission(
        depart=datetime.datetime(2026, 3, 10, 7, 30),
        retour=datetime.datetime(2026, 3, 11, 19),
        commune=communes[commune],
    )
    assert resultat.nuitees.zone == zone


def test_eligibilite_depuis_les_communes_et_les_paires_desservies(communes):
    refuse = selectors.simuler_eligibilite(
        residence_administrative=communes["antibes"],
        residence_familiale=communes["nice"],
        destination=communes["vallauris"],
    )
    assert refuse.motif.startswith(
        "Antibes et Vallauris sont limitrophes et desservies par les transports en commun : "
        "ces communes comptent comme une seule."
    )
    non_desservie = selectors.simuler_eligibilite(
        residence_administrative=communes["antibes"],
        residence_familiale=communes["antibes"],
        destination=communes["biot"],
    )
    assert non_desservie.eligible


def test_un_arrondissement_compte_comme_sa_ville_pour_l_eligibilite(communes):
    resultat = selectors.simuler_eligibilite(
        residence_administrative=communes["marseille"],
        residence_familiale=communes["marseille"],
        destination=communes["marseille_1er"],
    )
    assert not resultat.eligible
    assert "Marseille, commune de la résidence administrative" in resultat.motif


# Création d'une version.

TRANCHES_VOITURE = [
    LigneTauxIK(classe, km_min, km_max, taux)
    for classe in ("5cv_et_moins", "6_7cv", "8cv_et_plus")
    for km_min, km_max, taux in ((0, 2000, D("0.35")), (2001, 10000, D("0.45")), (10001, None, D("0.25")))
]


def _creer(**kwargs):
    donnees = {
        "type": TypeBareme.IK_VOITURE,
        "date_debut": datetime.date(2030, 1, 1),
        "texte_reference": "arrêté fictif",
        "texte_date": datetime.date(2029, 12, 1),
        "taux_ik": TRANCHES_VOITURE,
    }
    return services.creer_version(**(donnees | kwargs))


def test_creer_une_version_complete():
    version = _creer()
    assert version.taux_ik.count() == 9


def test_les_versions_sont_tracees_dans_le_journal():
    version = _creer()
    services.cloturer_version(version=version, date_fin=datetime.date(2030, 12, 31))
    entrees = LogEntry.objects.get_for_object(version).order_by("timestamp", "pk")
    assert [entree.action for entree in entrees] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entrees.last().changes_dict["date_fin"] == ["None", "2030-12-31"]


@pytest.mark.parametrize(
    ("remplacement", "message"),
    [
        (
            [LigneTauxIK("5cv_et_moins", 0, 2000, D("0.35")), LigneTauxIK("5cv_et_moins", 2002, None, D("0.45"))],
            "sans trou",
        ),
        (
            [LigneTauxIK("5cv_et_moins", 0, 2000, D("0.35")), LigneTauxIK("5cv_et_moins", 1500, None, D("0.45"))],
            "sans trou",
        ),
        ([LigneTauxIK("5cv_et_moins", 100, None, D("0.35"))], "premier kilomètre"),
        ([LigneTauxIK("5cv_et_moins", 0, 2000, D("0.35"))], "dernière tranche doit être sans limite"),
        (
            [LigneTauxIK("5cv_et_moins", 0, None, D("0.35")), LigneTauxIK("5cv_et_moins", 2001, None, D("0.4"))],
            "seule la",
        ),
        ([LigneTauxIK("5cv_et_moins", 0, None, D("0"))], "positif"),
        ([], "5 CV et moins : indiquez au moins une tranche"),
    ],
)
def test_les_tranches_doivent_etre_contigues(remplacement, message):
    lignes = [ligne for ligne in TRANCHES_VOITURE if ligne.classe != "5cv_et_moins"] + remplacement
    with pytest.raises(ValidationError) as erreur:
        _creer(taux_ik=lignes)
    assert any(message in texte for texte in erreur.value.messages)
    assert not Bareme.objects.exists()


def test_une_classe_etrangere_au_type_est_refusee():
    with pytest.raises(ValidationError, match="n'appartient pas"):
        _creer(taux_ik=[*TRANCHES_VOITURE, LigneTauxIK("plus_de_125cm3", 0, None, D("0.15"))])


def test_creer_une_version_qui_chevauche_est_refuse():
    _creer()
    with pytest.raises(ValidationError) as erreur:
        _creer(date_debut=datetime.date(2030, 6, 1))
    assert "chevauche" in erreur.value.message_dict["date_debut"][0]


def test_les_zones_d_une_nuitee_sont_completes_et_positives():
    zones = [
        LigneTauxMission(zone, D("100"))
        for zone in ("metropole_base", "grande_ville_ou_grand_paris", "paris", "travailleur_handicape_mobilite_reduite")
    ]
    with pytest.raises(ValidationError, match="Départements d'outre-mer : indiquez un montant"):
        _creer(type=TypeBareme.NUITEE, taux_ik=[], taux_mission=zones)
    with pytest.raises(ValidationError, match="le montant doit être positif"):
        _creer(type=TypeBareme.NUITEE, taux_ik=[], taux_mission=[*zones, LigneTauxMission("outre_mer_dom", D("0"))])
    version = _creer(
        type=TypeBareme.NUITEE, taux_ik=[], taux_mission=[*zones, LigneTauxMission("outre_mer_dom", D("1"))]
    )
    assert version.taux_mission.count() == 5


# Version suivante, clôture, suppression.


def test_creer_la_version_suivante_clot_la_precedente_la_veille(baremes, admin_user):
    actuelle = Bareme.objects.get(type=TypeBareme.REPAS, date_fin__isnull=True)
    nouvelle = services.creer_version_suivante(
        precedente=actuelle,
        date_debut=datetime.date(2027, 1, 1),
        texte_reference="arrêté fictif",
        texte_date=datetime.date(2026, 12, 1),
        taux_mission=[LigneTauxMission("metropole", D("22.00")), LigneTauxMission("outre_mer_dom", D("22.00"))],
        par=admin_user,
    )
    actuelle.refresh_from_db()
    assert actuelle.date_fin == datetime.date(2026, 12, 31)
    assert nouvelle.created_by == admin_user
    assert selectors.version_en_vigueur(TypeBareme.REPAS, datetime.date(2027, 1, 1)) == nouvelle
    assert selectors.version_en_vigueur(TypeBareme.REPAS, datetime.date(2026, 12, 31)) == actuelle


def test_une_version_suivante_peut_commencer_dans_le_passe(baremes):
    actuelle = Bareme.objects.get(type=TypeBareme.IK_MOTOCYCLETTE, date_fin__isnull=True)
    nouvelle = services.creer_version_suivante(
        precedente=actuelle,
        date_debut=datetime.date(2025, 1, 1),
        texte_reference="arrêté fictif rétroactif",
        texte_date=datetime.date(2025, 3, 1),
        texte_publication=datetime.date(2025, 3, 2),
        taux_ik=[LigneTauxIK("plus_de_125cm3", 0, None, D("0.17"))],
    )
    assert nouvelle.est_retroactive
    resultat = selectors.simuler_ik(date=datetime.date(2025, 1, 15), vehicule="motocyclette", km=D(100))
    assert resultat.montant == D("17.00")


def test_la_version_suivante_part_de_la_derniere_version(baremes):
    ancienne = Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_debut=datetime.date(2019, 3, 1))
    with pytest.raises(ValidationError, match="déjà une suivante"):
        services.creer_version_suivante(
            precedente=ancienne,
            date_debut=datetime.date(2027, 1, 1),
            texte_reference="x",
            texte_date=datetime.date(2027, 1, 1),
            taux_ik=TRANCHES_VOITURE,
        )


def test_la_version_suivante_commence_apres_la_precedente(baremes):
    actuelle = Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_fin__isnull=True)
    with pytest.raises(ValidationError) as erreur:
        services.creer_version_suivante(
            precedente=actuelle,
            date_debut=datetime.date(2022, 1, 1),
            texte_reference="x",
            texte_date=datetime.date(2027, 1, 1),
            taux_ik=TRANCHES_VOITURE,
        )
    assert "doit commencer après" in erreur.value.message_dict["date_debut"][0]
    actuelle.refresh_from_db()
    assert actuelle.date_fin is None


def test_cloturer_une_version(baremes):
    actuelle = Bareme.objects.get(type=TypeBareme.NUITEE, date_fin__isnull=True)
    services.cloturer_version(version=actuelle, date_fin=datetime.date(2030, 6, 30))
    actuelle.refresh_from_db()
    assert actuelle.date_fin == datetime.date(2030, 6, 30)
    with pytest.raises(ValidationError, match="déjà close"):
        services.cloturer_version(version=actuelle, date_fin=datetime.date(2030, 7, 31))


def test_cloturer_avant_le_debut_est_refuse():
    version = BaremeFactory(date_debut=datetime.date(2030, 1, 1))
    with pytest.raises(ValidationError, match="doit suivre le début"):
        services.cloturer_version(version=version, date_fin=datetime.date(2029, 12, 31))


def test_sans_inscription_aucune_version_n_est_utilisee():
    assert not services.version_est_utilisee(BaremeFactory())


def test_une_version_utilisee_ne_se_modifie_ni_ne_se_supprime(utilisations):
    version = BaremeFactory()
    autre = BaremeFactory(type=TypeBareme.REPAS)
    utilisations.add(version.pk)
    assert services.version_est_utilisee(version)
    assert not services.version_est_utilisee(autre)
    with pytest.raises(ValidationError) as erreur:
        services.supprimer_version(version=version)
    assert erreur.value.messages == [
        f"La version « {version.libelle} » a déjà servi au calcul d'ordres de mission soumis ou validés : elle ne "
        "peut plus être modifiée ni supprimée. Pour changer les taux, créez une nouvelle version qui lui succède."
    ]
    assert Bareme.objects.filter(pk=version.pk).exists()
    with pytest.raises(ValidationError, match="ne peut être close que par la création de la version qui lui succède"):
        services.cloturer_version(version=version, date_fin=datetime.date(2030, 12, 31))
    services.supprimer_version(version=autre)
    assert not Bareme.objects.filter(pk=autre.pk).exists()


def test_une_version_utilisee_peut_etre_suivie(baremes, utilisations):
    actuelle = Bareme.objects.get(type=TypeBareme.IK_MOTOCYCLETTE, date_fin__isnull=True)
    utilisations.add(actuelle.pk)
    services.creer_version_suivante(
        precedente=actuelle,
        date_debut=datetime.date(2027, 1, 1),
        texte_reference="arrêté fictif",
        texte_date=datetime.date(2026, 12, 1),
        taux_ik=[LigneTauxIK("plus_de_125cm3", 0, None, D("0.16"))],
    )
    actuelle.refresh_from_db()
    assert actuelle.date_fin == datetime.date(2026, 12, 31)


def test_ordres_a_regulariser_viennent_du_registre(regularisations):
    version = BaremeFactory()
    assert services.ordres_a_regulariser(version) == []
    ordre = services.OrdreConcerne("OMI de janvier 2030 — Camille Fictive", "/ordres/1/", "validé")
    regularisations[version.pk] = [ordre]
    assert services.ordres_a_regulariser(version) == [ordre]


def test_le_registre_n_inscrit_pas_deux_fois_la_meme_fonction():
    registre = services.Registre("essai")

    def fonction(version):
        return True

    registre.enregistrer(fonction)
    registre.enregistrer(fonction)
    assert list(registre) == [fonction]
    registre.retirer(fonction)
    assert list(registre) == []
