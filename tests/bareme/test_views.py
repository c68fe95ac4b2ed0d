"""Le simulateur public, la page « Barèmes » des administrateurs et l'interface d'administration."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bareme import services
from bareme.enums import TypeBareme
from bareme.models import Bareme
from tests.agents.factories import CommuneFactory, UserFactory
from tests.bareme.factories import TauxIKFactory, TauxMissionFactory

pytestmark = pytest.mark.django_db
SIMULATEUR = reverse("bareme:simulateur")
BAREMES = reverse("bareme:baremes")


# Simulateur public.


def test_le_simulateur_est_public(client):
    reponse = client.get(SIMULATEUR)
    assert reponse.status_code == 200
    assert "Simulateur des indemnités" in reponse.text
    assert 'id="communes-suggerees"' in reponse.text


def test_le_simulateur_montre_le_montant_la_repartition_et_l_explication(client, baremes):
    reponse = client.get(
        SIMULATEUR,
        {
            "simulation": "ik",
            "date": "2026-03-02",
            "vehicule": "voiture",
            "cv": "5",
            "km": "34",
            "trajets": "12",
            "cumul": "1990",
        },
    )
    assert reponse.status_code == 200
    texte = reponse.text
    assert "162,40\u00a0€" in texte
    assert "de 2\u00a0001 à 10\u00a0000\u00a0km" in texte
    assert "159,20\u00a0€" in texte
    assert "Pourquoi ce montant ?" in texte
    assert "franchit le seuil" in texte


def test_htmx_ne_renvoie_que_la_section_de_la_simulation(client, baremes, communes):
    reponse = client.get(
        SIMULATEUR,
        {
            "simulation": "mission",
            "depart": "2026-03-10T07:30",
            "retour": "2026-03-11T19:00",
            "commune": "Marseille (13055)",
        },
        HTTP_HX_REQUEST="true",
    )
    assert reponse.status_code == 200
    assert "<html" not in reponse.text
    assert reponse.text.strip().startswith('<div id="simulation-mission">')
    assert "180,00\u00a0€" in reponse.text


def test_le_simulateur_accepte_un_nom_de_commune(client, baremes, communes):
    reponse = client.get(
        SIMULATEUR,
        {
            "simulation": "mission",
            "depart": "2026-03-10T07:30",
            "retour": "2026-03-11T19:00",
            "commune": "boulogne-billancourt",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "120,00\u00a0€" in reponse.text
    assert "Métropole du Grand Paris" in reponse.text


def test_les_erreurs_s_affichent_a_cote_du_champ_et_la_saisie_est_gardee(client, baremes):
    reponse = client.get(
        SIMULATEUR,
        {"simulation": "ik", "date": "2026-03-02", "vehicule": "voiture", "cv": "", "km": "-3"},
        HTTP_HX_REQUEST="true",
    )
    assert reponse.status_code == 200
    assert "Le nombre de kilomètres doit être positif." in reponse.text
    assert "Indiquez la puissance fiscale de la voiture" in reponse.text
    assert 'value="-3"' in reponse.text
    assert "Pourquoi ce montant ?" not in reponse.text


def test_le_simulateur_accepte_la_virgule_decimale(client, baremes):
    reponse = client.get(
        SIMULATEUR, {"simulation": "ik", "date": "2026-03-02", "vehicule": "voiture", "cv": "5", "km": "12,5"}
    )
    assert "4,00\u00a0€" in reponse.text  # 12,5 km × 0,32 €


def test_un_nom_de_commune_ambigu_demande_le_code(client, baremes, communes):
    CommuneFactory(insee="27015", nom="Antibes", departement="27", population=100)
    reponse = client.get(
        SIMULATEUR,
        {"simulation": "mission", "depart": "2026-03-10T07:30", "retour": "2026-03-11T19:00", "commune": "Antibes"},
    )
    assert "Plusieurs communes s&#x27;appellent « Antibes » : Antibes (06004), Antibes (27015)" in reponse.text


def test_date_sans_bareme_en_vigueur_dite_a_cote_de_la_date(client, baremes):
    reponse = client.get(SIMULATEUR, {"simulation": "ik", "date": "2018-03-02", "vehicule": "motocyclette", "km": "10"})
    assert "Aucun barème d&#x27;indemnités kilométriques" in reponse.text
    assert 'id="id_date-desc-error"' in reponse.text


def test_eligibilite_dans_le_simulateur(client, communes):
    reponse = client.get(
        SIMULATEUR,
        {
            "simulation": "eligibilite",
            "residence_administrative": "06004",
            "residence_familiale": "Nice",
            "destination": "Vallauris",
        },
    )
    assert "Pas d'indemnité" in reponse.text
    assert "Antibes et Vallauris sont limitrophes et desservies par les transports en commun" in reponse.text


def test_suggestions_de_communes(client, communes):
    reponse = client.get(reverse("bareme:communes"), {"commune": "Mars"})
    assert reponse.status_code == 200
    assert '<option value="Marseille (13055)">' in reponse.text
    assert "Marseille 1er Arrondissement (13201)" in reponse.text
    assert reverse("bareme:communes") in client.get(SIMULATEUR).text
    assert client.get(reverse("bareme:communes"), {"q": "M"}).text.strip() == ""


# Page « Barèmes » : droits.


@pytest.mark.parametrize(
    "url",
    [
        BAREMES,
        reverse("bareme:version", args=[1]),
        reverse("bareme:version_suivante", args=[1]),
    ],
)
def test_l_anonyme_est_renvoye_vers_la_connexion(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("connexion"))


def test_les_pages_baremes_sont_refusees_a_qui_n_est_pas_administrateur(client, baremes):
    version = Bareme.objects.get(type=TypeBareme.REPAS, date_fin__isnull=True)
    client.force_login(UserFactory(valideur=True))
    for url in (
        BAREMES,
        reverse("bareme:version", args=[version.pk]),
        reverse("bareme:version_suivante", args=[version.pk]),
    ):
        assert client.get(url).status_code == 403
    reponse = client.post(
        reverse("bareme:version_suivante", args=[version.pk]),
        {
            "date_debut": "2027-01-01",
            "texte_reference": "x",
            "texte_date": "2027-01-01",
            "montant_metropole": "30",
            "montant_outre_mer_dom": "30",
        },
    )
    assert reponse.status_code == 403
    assert (
        client.post(reverse("bareme:version_cloturer", args=[version.pk]), {"date_fin": "2027-01-01"}).status_code
        == 403
    )
    version.refresh_from_db()
    assert version.date_fin is None
    assert Bareme.objects.count() == 11


# Page « Barèmes » : contenu.


def test_la_liste_des_versions_par_type(client, baremes, admin_user):
    client.force_login(admin_user)
    reponse = client.get(BAREMES)
    assert reponse.status_code == 200
    for libelle in ("IK voiture", "IK motocyclette", "IK vélomoteur", "Repas", "Nuitée"):
        assert f'<h2 class="fr-h4 fr-mt-5w">{libelle}</h2>' in reponse.text
    assert reponse.text.count("Créer la version suivante") == 5
    assert reponse.text.count("Rétroactive") == 3  # IK voiture, motocyclette et vélomoteur de 2022


def test_la_liste_sans_version_montre_comment_charger(client, admin_user):
    client.force_login(admin_user)
    assert "python manage.py charger_baremes" in client.get(BAREMES).text


def _version_annuelle(factory, annee, type_bareme, **kwargs):
    debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    return factory(bareme__date_debut=debut, bareme__date_fin=fin, bareme__type=type_bareme, **kwargs)


def test_la_liste_a_un_nombre_de_requetes_constant(client, admin_user):
    client.force_login(admin_user)
    _version_annuelle(TauxMissionFactory, 2030, TypeBareme.REPAS, zone="metropole")
    client.get(BAREMES)
    with CaptureQueriesContext(connection) as avant:
        client.get(BAREMES)
    for annee in range(2031, 2036):
        _version_annuelle(TauxMissionFactory, annee, TypeBareme.REPAS, zone="metropole")
        _version_annuelle(TauxIKFactory, annee, TypeBareme.IK_VOITURE)
    with CaptureQueriesContext(connection) as apres:
        reponse = client.get(BAREMES)
    assert reponse.text.count("Du 1er janvier 203") == 11
    assert len(apres.captured_queries) == len(avant.captured_queries)


def test_la_page_d_une_version(client, baremes, admin_user):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_fin__isnull=True)
    reponse = client.get(reverse("bareme:version", args=[version.pk]))
    assert reponse.status_code == 200
    assert "Texte rétroactif : publié le 15 mars 2022, il s'applique depuis le 1er janvier 2022" in reponse.text
    assert "0,32\u00a0€/km" in reponse.text
    assert "Aucun ordre à régulariser." in reponse.text
    assert "Clore la version" in reponse.text


def test_la_page_d_une_version_liste_les_ordres_a_regulariser(client, baremes, admin_user, regularisations):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.IK_VOITURE, date_fin__isnull=True)
    regularisations[version.pk] = [services.OrdreConcerne("OMI de janvier 2022 — Camille Fictive", "/om/7/", "payé")]
    reponse = client.get(reverse("bareme:version", args=[version.pk]))
    assert '<a href="/om/7/">OMI de janvier 2022 — Camille Fictive</a> — payé' in reponse.text
    assert "Aucun ordre à régulariser." not in reponse.text


def test_une_version_utilisee_ne_propose_ni_modification_ni_cloture(client, baremes, admin_user, utilisations):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.NUITEE, date_fin__isnull=True)
    utilisations.add(version.pk)
    reponse = client.get(reverse("bareme:version", args=[version.pk]))
    assert "elle ne peut plus être modifiée ni supprimée" in reponse.text
    assert "Clore la version" not in reponse.text
    assert "Modifier dans l&#x27;administration" not in reponse.text
    assert "Créer la version suivante" in reponse.text


def test_version_inconnue(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("bareme:version", args=[999999])).status_code == 404


# Créer la version suivante, clore.


def test_le_formulaire_de_la_version_suivante_est_pre_rempli(client, baremes, admin_user):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.IK_VELOMOTEUR, date_fin__isnull=True)
    reponse = client.get(reverse("bareme:version_suivante", args=[version.pk]))
    assert reponse.status_code == 200
    assert 'name="taux_autres_vehicules_a_moteur_0" value="0.12"' in reponse.text
    assert 'name="montant_minimum" value="10.00"' in reponse.text


def test_creer_la_version_suivante_depuis_la_page(client, baremes, admin_user):
    client.force_login(admin_user)
    actuelle = Bareme.objects.get(type=TypeBareme.REPAS, date_fin__isnull=True)
    reponse = client.post(
        reverse("bareme:version_suivante", args=[actuelle.pk]),
        {
            "date_debut": "2027-01-01",
            "texte_reference": "arrêté fictif du 1er décembre 2026",
            "texte_date": "2026-12-01",
            "montant_metropole": "22.50",
            "montant_outre_mer_dom": "22.50",
        },
    )
    nouvelle = Bareme.objects.get(type=TypeBareme.REPAS, date_fin__isnull=True)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("bareme:version", args=[nouvelle.pk])
    assert nouvelle.date_debut == datetime.date(2027, 1, 1)
    assert nouvelle.created_by == admin_user
    assert sorted(nouvelle.taux_mission.values_list("montant", flat=True)) == [Decimal("22.50")] * 2
    actuelle.refresh_from_db()
    assert actuelle.date_fin == datetime.date(2026, 12, 31)


def test_la_version_suivante_invalide_garde_la_saisie(client, baremes, admin_user):
    client.force_login(admin_user)
    actuelle = Bareme.objects.get(type=TypeBareme.REPAS, date_fin__isnull=True)
    reponse = client.post(
        reverse("bareme:version_suivante", args=[actuelle.pk]),
        {
            "date_debut": "2020-01-01",
            "texte_reference": "arrêté fictif",
            "texte_date": "2026-12-01",
            "montant_metropole": "22.50",
            "montant_outre_mer_dom": "22.50",
        },
    )
    assert reponse.status_code == 422
    assert "La nouvelle version doit commencer après le début de la version actuelle" in reponse.text
    assert 'value="arrêté fictif"' in reponse.text
    assert Bareme.objects.filter(type=TypeBareme.REPAS).count() == 3


def test_la_version_suivante_d_une_ancienne_version_est_refusee(client, baremes, admin_user):
    client.force_login(admin_user)
    ancienne = Bareme.objects.get(type=TypeBareme.REPAS, date_debut=datetime.date(2019, 3, 1))
    reponse = client.get(reverse("bareme:version_suivante", args=[ancienne.pk]), follow=True)
    assert "Cette version a déjà une suivante" in reponse.text


def test_clore_une_version_depuis_la_page(client, baremes, admin_user):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.NUITEE, date_fin__isnull=True)
    reponse = client.post(
        reverse("bareme:version_cloturer", args=[version.pk]), {"date_fin": "2030-06-30"}, follow=True
    )
    assert "close : en vigueur du 22 septembre 2023 au 30 juin 2030" in reponse.text
    version.refresh_from_db()
    assert version.date_fin == datetime.date(2030, 6, 30)


def test_une_date_de_cloture_refusee_revient_sous_son_champ(client, baremes, admin_user):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.NUITEE, date_fin__isnull=True)
    reponse = client.post(reverse("bareme:version_cloturer", args=[version.pk]), {"date_fin": "2001-01-01"})
    assert reponse.status_code == 422
    assert 'value="2001-01-01"' in reponse.text
    version.refresh_from_db()
    assert version.date_fin is None


def test_clore_une_version_utilisee_est_refuse(client, baremes, admin_user, utilisations):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.NUITEE, date_fin__isnull=True)
    utilisations.add(version.pk)
    reponse = client.post(reverse("bareme:version_cloturer", args=[version.pk]), {"date_fin": "2030-06-30"})
    assert reponse.status_code == 422
    assert "ne peut être close que par la création de la version qui lui succède" in reponse.text
    version.refresh_from_db()
    assert version.date_fin is None


# Interface d'administration.


def test_l_administration_refuse_de_modifier_ou_supprimer_une_version_utilisee(
    client, baremes, admin_user, utilisations
):
    client.force_login(admin_user)
    version = Bareme.objects.get(type=TypeBareme.NUITEE, date_fin__isnull=True)
    utilisations.add(version.pk)
    change = reverse("admin:bareme_bareme_change", args=[version.pk])
    reponse = client.get(change)
    assert reponse.status_code == 200
    assert "elle ne peut plus être modifiée ni supprimée" in reponse.text
    assert client.post(change, {"texte_reference": "modifié"}).status_code == 403
    assert client.post(reverse("admin:bareme_bareme_delete", args=[version.pk]), {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.texte_reference == "arrêté du 20 septembre 2023"


def test_l_administration_verifie_la_contiguite_des_tranches(client, admin_user):
    client.force_login(admin_user)
    donnees = {
        "type": TypeBareme.IK_MOTOCYCLETTE,
        "date_debut": "2030-01-01",
        "texte_reference": "arrêté fictif",
        "texte_date": "2029-12-01",
        "taux_ik-TOTAL_FORMS": "2",
        "taux_ik-INITIAL_FORMS": "0",
        "taux_ik-0-classe": "plus_de_125cm3",
        "taux_ik-0-km_min": "0",
        "taux_ik-0-km_max": "2000",
        "taux_ik-0-taux": "0.20",
        "taux_ik-1-classe": "plus_de_125cm3",
        "taux_ik-1-km_min": "2500",
        "taux_ik-1-taux": "0.10",
        "taux_mission-TOTAL_FORMS": "0",
        "taux_mission-INITIAL_FORMS": "0",
    }
    reponse = client.post(reverse("admin:bareme_bareme_add"), donnees)
    assert reponse.status_code == 200
    assert "les tranches doivent se suivre sans trou ni chevauchement" in reponse.text
    assert not Bareme.objects.exists()
    donnees["taux_ik-1-km_min"] = "2001"
    reponse = client.post(reverse("admin:bareme_bareme_add"), donnees)
    assert reponse.status_code == 302
    assert Bareme.objects.get().taux_ik.count() == 2
