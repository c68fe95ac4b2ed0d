import copy
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.agents.factories import AgentFactory, UserFactory
from tests.validation.factories import NotificationFactory
from validation.models import Notification
from validation.views import lien_local

pytestmark = pytest.mark.django_db

PROCESSEUR = "validation.context_processors.notifications"


def _templates(avec_compteur: bool, settings) -> list:
    templates = copy.deepcopy(settings.TEMPLATES)
    processeurs = [p for p in templates[0]["OPTIONS"]["context_processors"] if p != PROCESSEUR]
    if avec_compteur:
        processeurs.append(PROCESSEUR)
    templates[0]["OPTIONS"]["context_processors"] = processeurs
    return templates


@pytest.fixture
def compteur(settings):
    """Le processeur de contexte branché, qu'il soit déjà dans les réglages ou pas encore."""
    settings.TEMPLATES = _templates(True, settings)


@pytest.fixture
def moi():
    return AgentFactory(user__first_name="Inès", user__last_name="Morel").user


def nombre_de_requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as contexte:
        assert client.get(url).status_code == 200
    return len(contexte.captured_queries)


class TestListe:
    url = reverse("validation:notifications")

    def test_anonyme_renvoye_vers_la_connexion(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("connexion"))

    def test_ne_montre_que_les_miennes_les_plus_recentes_d_abord(self, client, moi):
        ancienne = NotificationFactory(destinataire=moi, message="Votre OMP est validé.")
        Notification.objects.filter(pk=ancienne.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
        recente = NotificationFactory(destinataire=moi, message="Votre OMI d'octobre est refusé.")
        NotificationFactory(destinataire=UserFactory(), message="Message pour Bastien Royer.")
        client.force_login(moi)
        response = client.get(self.url)
        assert list(response.context["page"].object_list) == [recente, ancienne]
        assert "Bastien Royer" not in response.text

    def test_non_lues_en_gras_et_lien_par_le_portail(self, client, moi):
        non_lue = NotificationFactory(destinataire=moi, message="Nouvelle décision.")
        NotificationFactory(destinataire=moi, message="Ancienne décision.", lue_le=timezone.now())
        client.force_login(moi)
        response = client.get(self.url)
        assert "<strong>Nouvelle décision.</strong>" in response.text
        assert "<strong>Ancienne décision.</strong>" not in response.text
        assert reverse("validation:ouvrir_notification", args=[non_lue.pk]) in response.text

    def test_pagination_par_trente(self, client, moi):
        NotificationFactory.create_batch(35, destinataire=moi)
        client.force_login(moi)
        assert len(client.get(self.url).context["page"].object_list) == 30
        assert len(client.get(self.url, {"page": 2}).context["page"].object_list) == 5

    def test_nombre_de_requetes_constant(self, client, moi, django_assert_max_num_queries):
        NotificationFactory.create_batch(3, destinataire=moi)
        client.force_login(moi)
        with django_assert_max_num_queries(30) as contexte:
            client.get(self.url)
        avant = len(contexte.captured_queries)
        NotificationFactory.create_batch(40, destinataire=moi)
        with django_assert_max_num_queries(avant):
            client.get(self.url)


class TestMarquerLu:
    def test_tout_marquer_comme_lu_ne_touche_que_les_miennes(self, client, moi):
        NotificationFactory.create_batch(3, destinataire=moi)
        autre = NotificationFactory()
        client.force_login(moi)
        response = client.post(reverse("validation:notifications_tout_lu"))
        assert response.status_code == 302
        assert not Notification.objects.filter(destinataire=moi, lue_le__isnull=True).exists()
        autre.refresh_from_db()
        assert autre.lue_le is None

    def test_tout_marquer_exige_un_post(self, client, moi):
        NotificationFactory(destinataire=moi)
        client.force_login(moi)
        assert client.get(reverse("validation:notifications_tout_lu")).status_code == 405
        assert Notification.objects.filter(lue_le__isnull=True).count() == 1

    def test_ouvrir_marque_lue_puis_mene_au_lien(self, client, moi):
        notification = NotificationFactory(destinataire=moi, lien="/deplacements/ordres/12/")
        client.force_login(moi)
        response = client.get(reverse("validation:ouvrir_notification", args=[notification.pk]))
        assert (response.status_code, response.url) == (302, "/deplacements/ordres/12/")
        notification.refresh_from_db()
        assert notification.lue_le is not None

    def test_rouvrir_garde_la_premiere_date_de_lecture(self, client, moi):
        lue_le = timezone.now() - datetime.timedelta(days=3)
        notification = NotificationFactory(destinataire=moi, lue_le=lue_le)
        client.force_login(moi)
        client.get(reverse("validation:ouvrir_notification", args=[notification.pk]))
        notification.refresh_from_db()
        assert notification.lue_le == lue_le

    def test_la_notification_d_un_autre_est_introuvable(self, client, moi):
        autre = NotificationFactory(destinataire=UserFactory(), lien="/deplacements/")
        client.force_login(moi)
        assert client.get(reverse("validation:ouvrir_notification", args=[autre.pk])).status_code == 404
        autre.refresh_from_db()
        assert autre.lue_le is None

    @pytest.mark.parametrize(
        "lien",
        ["https://exemple.invalid/piege", "//exemple.invalid/piege", "/\\exemple.invalid", "javascript:alert(1)", ""],
    )
    def test_jamais_de_redirection_hors_du_site(self, client, moi, lien):
        notification = NotificationFactory(destinataire=moi, lien=lien)
        client.force_login(moi)
        response = client.get(reverse("validation:ouvrir_notification", args=[notification.pk]))
        assert (response.status_code, response.url) == (302, reverse("validation:notifications"))
        notification.refresh_from_db()
        assert notification.lue_le is not None


@pytest.mark.parametrize(
    "lien,attendu",
    [
        ("/deplacements/ordres/3/", True),
        ("/a-valider/?mois=2026-10", True),
        ("deplacements/", False),
        ("http://exemple.invalid/", False),
        ("https://exemple.invalid/", False),
        ("//exemple.invalid/", False),
        ("/\\exemple.invalid/", False),
        ("/\t/exemple.invalid/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_lien_local(lien, attendu):
    assert lien_local(lien) is attendu


class TestCompteurDansLEntete:
    def test_affiche_le_nombre_de_non_lues(self, client, moi, compteur):
        NotificationFactory.create_batch(3, destinataire=moi)
        NotificationFactory(destinataire=moi, lue_le=timezone.now())
        NotificationFactory.create_batch(2)
        client.force_login(moi)
        response = client.get(reverse("missions:mes_deplacements"))
        assert '<span class="fr-badge fr-badge--sm fr-badge--new" id="notifications-non-lues">3</span>' in response.text
        assert "non lues" in response.text

    def test_sans_non_lue_pas_de_pastille(self, client, moi, compteur):
        NotificationFactory(destinataire=moi, lue_le=timezone.now())
        client.force_login(moi)
        response = client.get(reverse("missions:mes_deplacements"))
        assert reverse("validation:notifications") in response.text
        assert "notifications-non-lues" not in response.text

    def test_le_compteur_coute_exactement_une_requete(self, client, moi, settings, django_assert_num_queries):
        NotificationFactory.create_batch(2, destinataire=moi)
        client.force_login(moi)
        url = reverse("missions:mes_deplacements")
        settings.TEMPLATES = _templates(False, settings)
        nombre_de_requetes(client, url)  # première requête : caches du processus
        sans_compteur = nombre_de_requetes(client, url)
        settings.TEMPLATES = _templates(True, settings)
        with django_assert_num_queries(sans_compteur + 1):
            client.get(url)
        NotificationFactory.create_batch(30, destinataire=moi)
        with django_assert_num_queries(sans_compteur + 1):
            response = client.get(url)
        assert 'id="notifications-non-lues">32</span>' in response.text

    def test_aucune_requete_pour_un_anonyme(self, client, settings, django_assert_num_queries):
        url = reverse("connexion")
        settings.TEMPLATES = _templates(False, settings)
        nombre_de_requetes(client, url)
        sans_compteur = nombre_de_requetes(client, url)
        settings.TEMPLATES = _templates(True, settings)
        with django_assert_num_queries(sans_compteur):
            response = client.get(url)
        assert reverse("validation:notifications") not in response.text
