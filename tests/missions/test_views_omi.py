"""La page d'un OMI : calendrier par trajet, totaux recalculés, lignes et frais saisis à la main, justificatifs.

Montants au barème officiel (voiture de 5 CV, 2026 : 0,32 €/km jusqu'à 2 000 km, 0,40 € au-delà ; repas 20 €).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from missions import selectors
from missions.calculs import calculer_ordre
from missions.enums import Depart, Etat, TypeFrais, TypeRepas
from missions.models import Frais, JourTrajet, LigneTrajet, OrdreMission
from missions.prefill import preparer_omi
from tests.agents.factories import (
    AgentFactory,
    CommuneFactory,
    EtablissementFactory,
    PerimetreGestionnaireFactory,
    UserFactory,
    VehiculeFactory,
)
from tests.missions.factories import (
    AbsenceFactory,
    LigneTrajetFactory,
    OmiFactory,
    OrdreMissionFactory,
    TrajetHabituelFactory,
)
from validation.anomalies import detecter

pytestmark = pytest.mark.usefixtures("baremes_officiels")

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NBSP = "\u00a0"


@pytest.fixture
def communes(db):
    return {
        "antibes": CommuneFactory(
            insee="06004", nom="Antibes", departement="06", latitude=Decimal("43.58041"), longitude=Decimal("7.12286")
        ),
        "vallauris": CommuneFactory(
            insee="06155", nom="Vallauris", departement="06", latitude=Decimal("43.57805"), longitude=Decimal("7.05381")
        ),
        "nice": CommuneFactory(
            insee="06088", nom="Nice", departement="06", latitude=Decimal("43.69645"), longitude=Decimal("7.27109")
        ),
    }


@pytest.fixture
def valideur(db):
    return UserFactory(valideur=True)


@pytest.fixture
def agent(communes, valideur):
    agent = AgentFactory(
        residence_administrative=EtablissementFactory(commune=communes["antibes"]),
        commune_familiale=communes["vallauris"],
        valideurs=[valideur],
    )
    VehiculeFactory(agent=agent, puissance_fiscale=5)
    return agent


@pytest.fixture
def omi(agent):
    """L'OMI d'octobre 2026, en brouillon."""
    return OmiFactory(agent=agent)


def ligne_avec_jours(omi, arrivee, jours, km="21", **kwargs):
    ligne = LigneTrajetFactory(ordre=omi, commune_arrivee=arrivee, km_aller=Decimal(km), **kwargs)
    JourTrajet.objects.bulk_create(JourTrajet(ligne=ligne, date=D(2026, 10, jour)) for jour in jours)
    return ligne


@pytest.fixture
def ligne(omi, communes):
    """Antibes → Nice, 21 km, aller-retour, les lundis 5 et 12 octobre."""
    return ligne_avec_jours(omi, communes["nice"], [5, 12], commentaire="L 5, 12 octobre")


def url(nom, *args):
    return reverse(f"missions:{nom}", args=args)


def page(client, omi):
    return client.get(url("ordre", omi.pk))


def dates(ligne):
    return list(ligne.jours.order_by("date").values_list("date", flat=True))


def etat_de(omi) -> tuple:
    """Tout ce qu'un refus ne doit pas changer : lignes, jours, commentaires, frais, montant estimé."""
    return (
        list(LigneTrajet.objects.filter(ordre=omi).order_by("pk").values_list("pk", "km_aller", "commentaire")),
        list(JourTrajet.objects.filter(ligne__ordre=omi).order_by("pk").values_list("ligne_id", "date")),
        list(Frais.objects.filter(ordre=omi).order_by("pk").values_list("pk", "type", "montant", "justificatif")),
        OrdreMission.objects.get(pk=omi.pk).montant_estime,
    )


# --- La page ------------------------------------------------------------------------------------------------------


class TestPage:
    def test_trajet_calendrier_et_totaux(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        response = page(client, omi)
        assert response.status_code == 200
        html = response.text
        assert "Antibes → Nice" in html
        assert "Résidence administrative (ADM)" in html
        assert "2 jours, 4 trajets dans le mois" in html
        assert "L 5, 12 octobre" in html
        for nom in ("basculer_jour", "modifier_ligne_omi", "supprimer_ligne_omi"):
            assert url(nom, omi.pk, ligne.pk) in html
        # Le calendrier est un tableau à en-têtes de colonnes ; chaque jour est un bouton qui dit s'il est coché.
        assert '<th scope="col"><abbr title="lundi">Lun.</abbr></th>' in html
        assert re.search(r'name="decocher" value="2026-10-05"\s+aria-pressed="true"', html)
        assert re.search(r'name="cocher" value="2026-10-06"\s+aria-pressed="false"', html)
        calcul = response.context["omi"]["calcul"]
        assert calcul.total == Decimal("26.88")  # 84 km × 0,32 €
        (item,) = response.context["omi"]["lignes"][0]["parts"]
        assert (item["part"].km, item["part"].taux, item["part"].montant) == (
            Decimal("84"),
            Decimal("0.32"),
            Decimal("26.88"),
        )
        assert item["bareme"] in html
        assert f"Il vous reste 1{NBSP}916{NBSP}km avant le seuil de 2{NBSP}000{NBSP}km" in html

    def test_identifiants_sans_separateur_de_milliers(self, client, agent, omi, communes):
        """La cible htmx « #ligne-12345 » doit rester un identifiant, même avec USE_THOUSAND_SEPARATOR."""
        ligne = LigneTrajetFactory(pk=12345, ordre=omi, commune_arrivee=communes["nice"])
        JourTrajet.objects.create(ligne=ligne, date=D(2026, 10, 6))
        client.force_login(agent.user)
        html = page(client, omi).text
        assert '<article id="ligne-12345"' in html
        assert 'hx-target="#ligne-12345"' in html
        assert 'id="anomalies-ligne-12345"' in html
        fragment = client.post(
            url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-10-08"}, headers={"HX-Request": "true"}
        ).text
        assert '<article id="ligne-12345"' in fragment

    def test_raisons_des_jours_ecrites_en_toutes_lettres(self, client, agent, omi, ligne):
        AbsenceFactory(agent=agent, date_debut=D(2026, 10, 6), date_fin=D(2026, 10, 6), motif="Formation")
        client.force_login(agent.user)
        html = page(client, omi).text
        statut = {
            numero: re.search(rf'id="statut-{ligne.pk}-{numero}" class="fr-text--xs">(.*?)</span>', html).group(1)
            for numero in (3, 5, 6, 19)
        }
        assert statut[3] == "Week-end"
        assert statut[5] == "<strong>Trajet</strong>"
        assert statut[6] == "Absence : Formation"
        assert statut[19] == "Vacances de la Toussaint"

    def test_cumul_annuel_face_au_seuil(self, client, agent, omi, ligne):
        """1 504 km déjà payés cette année, 84 km ce mois : il reste 412 km avant 2 000 km."""
        OmiFactory(
            agent=agent,
            omp=omi.omp,
            mois=D(2026, 9, 1),
            date_debut=D(2026, 9, 1),
            date_fin=D(2026, 9, 30),
            etat=Etat.VALIDE,
            km_total=Decimal("1504"),
            fige_le=timezone.now(),
        )
        client.force_login(agent.user)
        response = page(client, omi)
        cumul = response.context["omi"]["cumul"]
        assert (cumul["cumul_avant"], cumul["cumul_apres"], cumul["reste"]) == (
            Decimal("1504"),
            Decimal("1588"),
            Decimal("412"),
        )
        assert f"Il vous reste 412{NBSP}km avant le seuil de 2{NBSP}000{NBSP}km" in response.text
        assert f"0,32{NBSP}€ à 0,40{NBSP}€" in response.text

    def test_anomalies_a_cote_de_leur_ligne_et_resume(self, client, agent, omi, ligne, communes):
        sans_date = LigneTrajetFactory(ordre=omi, commune_depart=communes["nice"], commune_arrivee=communes["antibes"])
        JourTrajet.objects.create(ligne=ligne, date=D(2026, 10, 3))  # un samedi
        client.force_login(agent.user)
        html = page(client, omi).text
        assert "1 point à corriger avant de soumettre" in html
        assert "1 point à vérifier" in html
        bloc_sans_date = html.split(f'id="anomalies-ligne-{sans_date.pk}"')[1].split("</div>\n\n")[0]
        assert "fr-alert--error" in bloc_sans_date
        assert "Nice → Antibes n&#x27;a aucune date." in bloc_sans_date
        bloc_ligne = html.split(f'id="anomalies-ligne-{ligne.pk}"')[1].split("</div>\n\n")[0]
        assert "fr-alert--warning" in bloc_ligne
        assert "un jour de week-end" in bloc_ligne

    def test_omi_prepare_depuis_l_omp(self, client, agent, communes):
        """Les lundis et jeudis d'octobre 2026, avant les vacances de la Toussaint (à partir du 17)."""
        omp = OrdreMissionFactory(agent=agent, valide=True)
        TrajetHabituelFactory(ordre=omp, destination_commune=communes["nice"], jours_semaine="0,3")
        omi = preparer_omi(omp=omp, mois=D(2026, 10, 1), par=agent.user)
        client.force_login(agent.user)
        response = page(client, omi)
        assert "L 5, 12 octobre ; J 1, 8, 15 octobre" in response.text
        assert "5 jours, 10 trajets dans le mois" in response.text
        assert response.context["omi"]["calcul"].total == Decimal("67.20")  # 210 km × 0,32 €


# --- Cocher et décocher un jour -----------------------------------------------------------------------------------


class TestBasculerJour:
    def test_cocher_en_htmx_rend_la_ligne_et_les_totaux(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        response = client.post(
            url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-10-08"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert dates(ligne) == [D(2026, 10, 5), D(2026, 10, 8), D(2026, 10, 12)]
        ligne.refresh_from_db()
        assert ligne.commentaire == "L 5, 12 octobre ; J 8 octobre"
        omi.refresh_from_db()
        assert omi.montant_estime == Decimal("40.32")  # 126 km × 0,32 €
        assert response.context["omi"]["calcul"].total == Decimal("40.32")
        html = response.text
        assert html.lstrip().startswith(f'<article id="ligne-{ligne.pk}"')
        assert "L 5, 12 octobre ; J 8 octobre" in html
        assert '<div id="omi-totaux" hx-swap-oob="innerHTML">' in html
        assert f'<strong id="omi-total">40,32{NBSP}€</strong>' in html
        assert "<html" not in html

    def test_decocher_sans_javascript_redirige(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        response = client.post(url("basculer_jour", omi.pk, ligne.pk), {"decocher": "2026-10-12"})
        assert response.status_code == 302
        assert response.url == url("ordre", omi.pk) + f"#ligne-{ligne.pk}"
        assert dates(ligne) == [D(2026, 10, 5)]
        ligne.refresh_from_db()
        assert ligne.commentaire == "L 5 octobre"
        omi.refresh_from_db()
        assert omi.montant_estime == Decimal("13.44")  # 42 km × 0,32 €

    def test_les_horaires_saisis_restent_dans_le_commentaire(self, client, agent, omi, ligne):
        LigneTrajet.objects.filter(pk=ligne.pk).update(commentaire="L 5, 12 octobre — 8 h 30 – 16 h 30")
        client.force_login(agent.user)
        client.post(url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-10-15"})
        ligne.refresh_from_db()
        assert ligne.commentaire == "L 5, 12 octobre ; J 15 octobre — 8 h 30 – 16 h 30"

    def test_jour_hors_du_mois_refuse_sans_rien_changer(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        avant = etat_de(omi)
        response = client.post(
            url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-11-02"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert "n&#x27;est pas en octobre 2026" in response.text
        assert etat_de(omi) == avant

    def test_date_illisible(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        avant = etat_de(omi)
        response = client.post(url("basculer_jour", omi.pk, ligne.pk), {"cocher": "pas-une-date"}, follow=True)
        assert "Jour inconnu" in response.text
        assert etat_de(omi) == avant


# --- Lignes saisies à la main -------------------------------------------------------------------------------------


class TestLigneALaMain:
    def donnees(self, **extra):
        return {
            "depart": "adm",
            "commune_depart": "",
            "commune_arrivee": "Nice (06088)",
            "km_aller": "12,5",
            "trajets_par_jour": "2",
            "horaires": "8 h 30 – 16 h 30",
            "dates": ["2026-10-06", "2026-10-13"],
            **extra,
        }

    def test_formulaire_vide(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.get(url("ajouter_ligne_omi", omi.pk))
        assert response.status_code == 200
        html = response.text
        assert '<input type="checkbox" name="dates" value="2026-10-01"' in html
        assert "jeudi 1er octobre" in html and "samedi 31 octobre" in html
        assert f'hx-get="{reverse("agents:communes_suggestions")}"' in html  # suggestions de communes
        assert '<datalist id="communes-suggestions">' in html

    def test_ajout(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.post(url("ajouter_ligne_omi", omi.pk), self.donnees())
        ligne = LigneTrajet.objects.get(ordre=omi)
        assert response.status_code == 302
        assert response.url.endswith(f"#ligne-{ligne.pk}")
        assert (ligne.commune_depart_id, ligne.commune_arrivee_id, ligne.km_aller, ligne.depart) == (
            "06004",
            "06088",
            Decimal("12.5"),
            Depart.ADMINISTRATIVE,
        )
        assert dates(ligne) == [D(2026, 10, 6), D(2026, 10, 13)]
        assert ligne.commentaire == "Ma 6, 13 octobre — 8 h 30 – 16 h 30"
        omi.refresh_from_db()
        assert omi.montant_estime == Decimal("16.00")  # 4 × 12,5 km = 50 km × 0,32 €

    def test_horaires_ecrits_comme_les_services_les_lisent(self, client, agent, omi):
        client.force_login(agent.user)
        client.post(url("ajouter_ligne_omi", omi.pk), self.donnees(horaires="8h30-16h30"))
        assert LigneTrajet.objects.get(ordre=omi).commentaire == "Ma 6, 13 octobre — 8 h 30 – 16 h 30"

    @pytest.mark.parametrize("horaires", ["16 h – 8 h", "8 h 30"])
    def test_horaires_illisibles_refuses_a_cote_du_champ(self, client, agent, omi, horaires):
        client.force_login(agent.user)
        response = client.post(url("ajouter_ligne_omi", omi.pk), self.donnees(horaires=horaires))
        assert response.status_code == 422
        assert "Horaires illisibles : écrivez l&#x27;heure de début puis celle de fin" in response.text
        assert f'value="{horaires}"' in response.text
        assert not LigneTrajet.objects.filter(ordre=omi).exists()

    def test_depart_familial_et_distance_de_reference(self, client, agent, omi, communes):
        client.force_login(agent.user)
        client.post(url("ajouter_ligne_omi", omi.pk), self.donnees(depart="fam", km_aller=""))
        ligne = LigneTrajet.objects.get(ordre=omi)
        assert ligne.commune_depart == communes["vallauris"]
        assert Decimal("20") < ligne.km_aller < Decimal("35")  # estimation Vallauris → Nice

    def test_commune_inconnue_erreur_en_francais_et_saisie_conservee(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.post(url("ajouter_ligne_omi", omi.pk), self.donnees(commune_arrivee="Atlantide"))
        assert response.status_code == 422
        html = response.text
        assert "Aucune commune ne s&#x27;appelle « Atlantide »" in html
        assert 'value="Atlantide"' in html
        assert 'value="12,5"' in html
        assert 'value="8 h 30 – 16 h 30"' in html
        cochees = re.findall(r'<input type="checkbox" name="dates" value="([0-9-]+)"[^>]*checked', html)
        assert cochees == ["2026-10-06", "2026-10-13"]
        assert not LigneTrajet.objects.filter(ordre=omi).exists()

    def test_sans_jour(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.post(url("ajouter_ligne_omi", omi.pk), self.donnees(dates=[]))
        assert response.status_code == 422
        assert "Cochez au moins un jour où vous avez fait ce trajet." in response.text
        assert not LigneTrajet.objects.filter(ordre=omi).exists()

    def test_meme_commune_au_depart_et_a_l_arrivee(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.post(url("ajouter_ligne_omi", omi.pk), self.donnees(commune_arrivee="06004"))
        assert response.status_code == 422
        assert "Le départ et l&#x27;arrivée sont la même commune (Antibes)" in response.text
        assert not LigneTrajet.objects.filter(ordre=omi).exists()

    def test_modifier_garde_les_jours(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        response = client.get(url("modifier_ligne_omi", omi.pk, ligne.pk))
        assert 'value="Nice (' in response.text
        client.post(
            url("modifier_ligne_omi", omi.pk, ligne.pk),
            {
                "depart": "adm",
                "commune_depart": "06004",
                "commune_arrivee": ligne.commune_arrivee_id,
                "km_aller": "25",
                "trajets_par_jour": "1",
                "horaires": "9 h – 17 h",
            },
        )
        ligne.refresh_from_db()
        assert (ligne.km_aller, ligne.trajets_par_jour, ligne.commentaire) == (
            Decimal("25"),
            1,
            "L 5, 12 octobre — 9 h – 17 h",
        )
        assert dates(ligne) == [D(2026, 10, 5), D(2026, 10, 12)]
        omi.refresh_from_db()
        assert omi.montant_estime == Decimal("16.00")  # 2 trajets de 25 km × 0,32 €

    def test_supprimer(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        response = client.post(url("supprimer_ligne_omi", omi.pk, ligne.pk))
        assert response.status_code == 302
        assert not LigneTrajet.objects.filter(pk=ligne.pk).exists()
        omi.refresh_from_db()
        assert omi.montant_estime == Decimal("0")

    def test_supprimer_une_ligne_preparee_retire_ses_repas(self, client, agent, communes):
        omp = OrdreMissionFactory(agent=agent, valide=True)
        TrajetHabituelFactory(
            ordre=omp, destination_commune=communes["nice"], jours_semaine="0", repas=TypeRepas.ADMINISTRATIF
        )
        omi = preparer_omi(omp=omp, mois=D(2026, 10, 1), par=agent.user)
        assert Frais.objects.filter(ordre=omi, type=TypeFrais.REPAS).count() == 2  # lundis 5 et 12
        client.force_login(agent.user)
        client.post(url("supprimer_ligne_omi", omi.pk, LigneTrajet.objects.get(ordre=omi).pk))
        assert not Frais.objects.filter(ordre=omi).exists()


# --- Frais et justificatifs ---------------------------------------------------------------------------------------


class TestFrais:
    def test_formulaire_vide(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.get(url("ajouter_frais_omi", omi.pk))
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in response.text
        assert 'min="2026-10-01" max="2026-10-31"' in response.text
        assert "PDF, JPEG ou PNG, 5 Mo au plus" in response.text

    def test_repas_au_bareme_et_peage_au_reel(self, client, agent, omi, ligne):
        client.force_login(agent.user)
        client.post(
            url("ajouter_frais_omi", omi.pk),
            {"type": "repas", "date": "2026-10-05", "type_repas": "administratif", "montant": ""},
        )
        client.post(
            url("ajouter_frais_omi", omi.pk),
            {
                "type": "peage",
                "date": "2026-10-05",
                "montant": "3,70",
                "commentaire": "A8",
                "justificatif": SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf"),
            },
        )
        repas, peage = Frais.objects.filter(ordre=omi).order_by("pk")
        assert (repas.type_repas, repas.montant) == (TypeRepas.ADMINISTRATIF, None)
        assert (peage.montant, peage.commentaire) == (Decimal("3.70"), "A8")
        assert peage.justificatif.name.startswith("justificatifs/") and peage.justificatif.name.endswith(".pdf")
        omi.refresh_from_db()
        assert omi.montant_estime == Decimal("26.88") + Decimal("10.00") + Decimal("3.70")

        html = page(client, omi).text
        assert url("justificatif", omi.pk, peage.pk) in html
        assert "Voir le justificatif (PDF)" in html

    def test_image_montree_dans_la_page(self, client, agent, omi):
        client.force_login(agent.user)
        client.post(
            url("ajouter_frais_omi", omi.pk),
            {
                "type": "parking",
                "date": "2026-10-05",
                "montant": "2",
                "justificatif": SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
            },
        )
        frais = Frais.objects.get(ordre=omi)
        html = page(client, omi).text
        assert f'<img src="{url("justificatif", omi.pk, frais.pk)}"' in html

    def test_montant_exige_sauf_pour_un_repas(self, client, agent, omi):
        client.force_login(agent.user)
        response = client.post(url("ajouter_frais_omi", omi.pk), {"type": "peage", "date": "2026-10-05"})
        assert response.status_code == 422
        assert "Indiquez le montant payé, en euros." in response.text
        response = client.post(
            url("ajouter_frais_omi", omi.pk), {"type": "repas", "date": "2026-10-05", "montant": "18"}
        )
        assert "Le montant d&#x27;un repas vient du barème" in response.text
        assert "Précisez le repas" in response.text
        assert not Frais.objects.exists()

    def test_texte_renomme_pdf_refuse_et_saisie_conservee(self, client, agent, omi):
        client.force_login(agent.user)
        faux = SimpleUploadedFile("facture.pdf", b"Ceci est un simple texte.\n", content_type="application/pdf")
        response = client.post(
            url("ajouter_frais_omi", omi.pk),
            {"type": "peage", "date": "2026-10-05", "montant": "3,70", "commentaire": "A8 Nice", "justificatif": faux},
        )
        assert response.status_code == 422
        assert response.context["form"].errors["justificatif"][0].startswith("Le fichier « facture.pdf » n'est ni")
        html = response.text
        apres_le_champ = html.split('id="id_justificatif">')[1].split("</ul>")[0]
        assert "n&#x27;est ni un PDF, ni une image JPEG ou PNG" in apres_le_champ
        assert 'value="A8 Nice"' in html and 'value="3,70"' in html and 'value="2026-10-05"' in html
        assert not Frais.objects.exists()

    def test_fichier_trop_lourd_refuse(self, client, agent, omi, settings):
        settings.ITINERA_TAILLE_MAX_JUSTIFICATIF = 1024
        client.force_login(agent.user)
        lourd = SimpleUploadedFile("ticket.pdf", PDF + b"0" * 2048, content_type="application/pdf")
        response = client.post(
            url("ajouter_frais_omi", omi.pk),
            {"type": "peage", "date": "2026-10-05", "montant": "3,70", "justificatif": lourd},
        )
        assert response.status_code == 422
        assert "la limite est de 1 ko" in response.text
        assert not Frais.objects.exists()

    def test_modification_refusee_ne_change_rien(self, client, agent, omi, settings):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("3.70"))
        frais.justificatif.save("ancien.pdf", ContentFile(PDF))
        avant = etat_de(omi)
        settings.ITINERA_TAILLE_MAX_JUSTIFICATIF = 1024
        client.force_login(agent.user)
        response = client.post(
            url("modifier_frais_omi", omi.pk, frais.pk),
            {
                "type": "peage",
                "date": "2026-10-06",
                "montant": "9,99",
                "justificatif": SimpleUploadedFile("gros.pdf", PDF + b"0" * 4096),
            },
        )
        assert response.status_code == 422
        assert 'value="9,99"' in response.text
        assert etat_de(omi) == avant
        frais.refresh_from_db()
        assert frais.justificatif.read() == PDF

    def test_remplacer_le_justificatif(self, client, agent, omi):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("3.70"))
        frais.justificatif.save("ancien.pdf", ContentFile(PDF))
        client.force_login(agent.user)
        client.post(
            url("modifier_frais_omi", omi.pk, frais.pk),
            {
                "type": "peage",
                "date": "2026-10-05",
                "montant": "3,70",
                "justificatif": SimpleUploadedFile("n.png", PNG),
            },
        )
        frais.refresh_from_db()
        assert frais.justificatif.name.endswith(".png")
        assert frais.justificatif.read() == PNG

    def test_supprimer(self, client, agent, omi):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PARKING, date=D(2026, 10, 5), montant=Decimal("2"))
        client.force_login(agent.user)
        assert client.post(url("supprimer_frais_omi", omi.pk, frais.pk)).status_code == 302
        assert not Frais.objects.filter(pk=frais.pk).exists()

    def test_justificatif_servi_en_ligne(self, client, agent, omi):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("3.70"))
        frais.justificatif.save("a.pdf", ContentFile(PDF))
        client.force_login(agent.user)
        response = client.get(url("justificatif", omi.pk, frais.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="justificatif-{frais.pk}.pdf"'
        assert b"".join(response.streaming_content) == PDF
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    def test_un_fichier_d_un_autre_format_n_est_jamais_montre_dans_le_navigateur(self, client, agent, omi):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("3.70"))
        frais.justificatif.save("a.pdf", ContentFile(b"<html><script>alert(1)</script></html>"))
        client.force_login(agent.user)
        response = client.get(url("justificatif", omi.pk, frais.pk))
        assert response["Content-Disposition"] == f'attachment; filename="justificatif-{frais.pk}"'
        assert response["Content-Type"] != "text/html"

    def test_sans_fichier_404(self, client, agent, omi):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("3.70"))
        client.force_login(agent.user)
        assert client.get(url("justificatif", omi.pk, frais.pk)).status_code == 404


# --- Qui peut voir, qui peut modifier -----------------------------------------------------------------------------


@pytest.fixture
def justifie(omi):
    frais = Frais.objects.create(ordre=omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("3.70"))
    frais.justificatif.save("a.pdf", ContentFile(PDF))
    return frais


class TestAutorisations:
    def test_le_valideur_de_l_ordre_ouvre_le_justificatif(self, client, omi, valideur, justifie):
        OrdreMission.objects.filter(pk=omi.pk).update(etat=Etat.ATTENTE_VH1, destinataire=valideur)
        client.force_login(valideur)
        response = client.get(url("justificatif", omi.pk, justifie.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF

    def test_le_gestionnaire_du_perimetre_ouvre_le_justificatif(self, client, omi, justifie):
        gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        client.force_login(gestionnaire)
        assert client.get(url("justificatif", omi.pk, justifie.pk)).status_code == 200

    def test_un_autre_agent_ni_l_ordre_ni_le_justificatif(self, client, omi, ligne, justifie):
        autre = AgentFactory()
        client.force_login(autre.user)
        assert page(client, omi).status_code == 404
        assert client.get(url("justificatif", omi.pk, justifie.pk)).status_code == 404
        assert client.post(url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-10-06"}).status_code == 404
        assert client.get(url("ajouter_frais_omi", omi.pk)).status_code == 404
        assert dates(ligne) == [D(2026, 10, 5), D(2026, 10, 12)]

    def test_la_ligne_ou_le_justificatif_d_un_autre_ordre_par_mon_ordre(self, client, agent, omi, communes):
        autre_omi = OmiFactory()
        autre_ligne = ligne_avec_jours(autre_omi, communes["nice"], [5])
        autre_frais = Frais.objects.create(
            ordre=autre_omi, type=TypeFrais.PEAGE, date=D(2026, 10, 5), montant=Decimal("1")
        )
        autre_frais.justificatif.save("a.pdf", ContentFile(PDF))
        client.force_login(agent.user)
        assert client.get(url("justificatif", omi.pk, autre_frais.pk)).status_code == 404
        assert client.post(url("basculer_jour", omi.pk, autre_ligne.pk), {"cocher": "2026-10-06"}).status_code == 404
        assert client.post(url("supprimer_ligne_omi", omi.pk, autre_ligne.pk)).status_code == 404
        assert client.post(url("supprimer_frais_omi", omi.pk, autre_frais.pk)).status_code == 404
        assert LigneTrajet.objects.filter(pk=autre_ligne.pk).exists()
        assert Frais.objects.filter(pk=autre_frais.pk).exists()

    def test_justificatif_absent(self, client, agent, omi):
        frais = Frais.objects.create(ordre=omi, type=TypeFrais.PARKING, date=D(2026, 10, 5), montant=Decimal("2"))
        client.force_login(agent.user)
        assert client.get(url("justificatif", omi.pk, frais.pk)).status_code == 404

    def test_le_valideur_voit_sans_pouvoir_modifier(self, client, omi, ligne, valideur):
        OrdreMission.objects.filter(pk=omi.pk).update(etat=Etat.ATTENTE_VH1, destinataire=valideur)
        client.force_login(valideur)
        response = page(client, omi)
        assert response.status_code == 200
        assert "Antibes → Nice" in response.text
        assert 'name="cocher"' not in response.text
        assert client.post(url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-10-06"}).status_code == 403

    def test_le_gestionnaire_du_perimetre_complete_un_brouillon(self, client, omi, ligne):
        gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        client.force_login(gestionnaire)
        client.post(url("basculer_jour", omi.pk, ligne.pk), {"cocher": "2026-10-06"})
        assert D(2026, 10, 6) in dates(ligne)


class TestOmiSoumis:
    """Soumis, l'OMI est en lecture seule pour son agent : chaque envoi est refusé (403) et rien ne change."""

    @pytest.fixture
    def soumis(self, omi, ligne, justifie, valideur):
        OrdreMission.objects.filter(pk=omi.pk).update(etat=Etat.ATTENTE_VH1, destinataire=valideur)
        return omi

    @pytest.mark.parametrize(
        "nom,avec_ligne,avec_frais,donnees",
        [
            ("basculer_jour", True, False, {"cocher": "2026-10-06"}),
            ("basculer_jour", True, False, {"decocher": "2026-10-05"}),
            ("ajouter_ligne_omi", False, False, {"depart": "adm", "commune_arrivee": "06088", "dates": ["2026-10-06"]}),
            ("modifier_ligne_omi", True, False, {"depart": "adm", "commune_arrivee": "06088", "km_aller": "99"}),
            ("supprimer_ligne_omi", True, False, {}),
            ("ajouter_frais_omi", False, False, {"type": "parking", "date": "2026-10-05", "montant": "2"}),
            ("modifier_frais_omi", False, True, {"type": "peage", "date": "2026-10-05", "montant": "99"}),
            ("supprimer_frais_omi", False, True, {}),
        ],
    )
    def test_chaque_envoi_refuse(self, client, agent, soumis, ligne, justifie, nom, avec_ligne, avec_frais, donnees):
        args = [soumis.pk] + ([ligne.pk] if avec_ligne else []) + ([justifie.pk] if avec_frais else [])
        avant = etat_de(soumis)
        client.force_login(agent.user)
        assert client.post(url(nom, *args), donnees).status_code == 403
        assert etat_de(soumis) == avant

    def test_page_en_lecture_seule(self, client, agent, soumis, ligne, justifie):
        client.force_login(agent.user)
        response = page(client, soumis)
        html = response.text
        assert response.status_code == 200
        assert "Antibes → Nice" in html and "L 5, 12 octobre" in html
        assert f"26,88{NBSP}€" in html
        assert url("justificatif", soumis.pk, justifie.pk) in html
        for controle in ('name="cocher"', 'name="decocher"', "Ajouter un trajet", "Modifier le trajet", "Supprimer"):
            assert controle not in html
        assert client.get(url("ajouter_ligne_omi", soumis.pk)).status_code == 403
        assert client.get(url("justificatif", soumis.pk, justifie.pk)).status_code == 200


# --- Nombre de requêtes -------------------------------------------------------------------------------------------


def test_requetes_constantes_avec_plus_de_lignes_de_jours_et_de_frais(
    client, agent, omi, ligne, communes, django_assert_num_queries
):
    Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=D(2026, 10, 5), type_repas=TypeRepas.PLEIN)
    client.force_login(agent.user)
    page(client, omi)  # caches de premier passage (types de contenu, calendriers)
    with CaptureQueriesContext(connection) as requetes:
        assert page(client, omi).status_code == 200
    # Lignes, jours et frais lus une fois pour le calendrier, le calcul et les contrôles ; barèmes en cache (une
    # requête d'empreinte par lecture) : 40 requêtes avant, 32 depuis (voir benchmarks/README.md, page d'un OMI).
    assert len(requetes) <= 32
    for numero in range(6):
        destination = CommuneFactory(departement="06", latitude=Decimal("43.7"), longitude=Decimal("7.2"))
        ligne_avec_jours(omi, destination, [1, 2, 5, 6, 7, 8, 9, 12, 13, 14], trajets_par_jour=1 + numero % 2)
    for jour in (6, 7, 8):
        Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=D(2026, 10, jour), type_repas=TypeRepas.PLEIN)
        parking = Frais.objects.create(ordre=omi, type=TypeFrais.PARKING, date=D(2026, 10, jour), montant=2)
        parking.justificatif.save("p.png", ContentFile(PNG))
    with django_assert_num_queries(len(requetes)):
        response = page(client, omi)
    assert len(response.context["omi"]["lignes"]) == 7


def test_la_page_calcule_et_controle_comme_les_services_qui_relisent_tout(omi, ligne, communes):
    """La page lit lignes, jours et frais une fois pour le calendrier, le calcul et les contrôles : mêmes résultats
    que `calculer_ordre` et `detecter` appelés seuls (qui les relisent)."""
    ligne_avec_jours(omi, communes["nice"], [3, 4, 10], km="0")  # un week-end et 0 km : des anomalies
    Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=D(2026, 10, 5), type_repas=TypeRepas.PLEIN)
    Frais.objects.create(ordre=omi, type=TypeFrais.PARKING, date=D(2026, 10, 6), montant=Decimal("3.10"))
    ordre = selectors.ordre_visible_ou_404(omi.agent.user, omi.pk)
    page_omi = selectors.page_omi(ordre)
    seul = calculer_ordre(OrdreMission.objects.get(pk=omi.pk))

    def resume(calcul_ordre):
        return (
            [(item.ligne.pk, item.dates, item.km, item.montant) for item in calcul_ordre.lignes],
            [(item.frais.pk, item.montant, item.taux, item.bareme) for item in calcul_ordre.frais],
            calcul_ordre.cumul_avant,
            calcul_ordre.total,
            calcul_ordre.erreurs,
        )

    assert resume(page_omi["calcul"]) == resume(seul) and seul.total > 0
    anomalies = detecter(OrdreMission.objects.get(pk=omi.pk))
    assert page_omi["anomalies"] == anomalies
    assert {anomalie.code for anomalie in anomalies} >= {"zero_km", "week_end_ferie"}
    assert [item["nombre_jours"] for item in page_omi["lignes"]] == [
        len(dates(item["ligne"])) for item in page_omi["lignes"]
    ]
