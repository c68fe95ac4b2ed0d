import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks import TaskResultStatus

from missions.enums import Etat, TypeOrdre
from tests.agents.factories import AgentFactory, GestionnaireFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OmiFactory, OrdreMissionFactory
from validation import rappels
from validation.models import Notification

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEBUT_NOVEMBRE = datetime.date(2026, 11, 3)  # rappel mensuel : le mois écoulé est octobre 2026
LUNDI = datetime.date(2026, 11, 30)  # rappel hebdomadaire : en retard si soumis avant le 23 novembre


def le(jour: int, mois: int = 11, heure: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, mois, jour, heure, tzinfo=PARIS)


def agent_avec_omp(email: str, **omp):
    agent = AgentFactory(user__email=email, user__first_name="Lina")
    return OrdreMissionFactory(agent=agent, **({"valide": True} | omp))


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://itinera.ac-test.fr"
    return settings.SITE_URL


@pytest.fixture
def jeu_mensuel():
    """Qui doit recevoir le rappel d'octobre 2026, et qui ne le doit pas."""
    a_prevenir = {
        "sans-omi": agent_avec_omp("sans-omi@ac-test.fr"),
        "omi-annule": agent_avec_omp("omi-annule@ac-test.fr"),
        "omi-de-septembre": agent_avec_omp("omi-septembre@ac-test.fr"),
        "omp-commence-mi-octobre": agent_avec_omp(
            "mi-octobre@ac-test.fr", date_debut=datetime.date(2026, 10, 15), periode="libre"
        ),
    }
    OmiFactory(agent=a_prevenir["omi-annule"].agent, omp=a_prevenir["omi-annule"], annule=True)
    OmiFactory(
        agent=a_prevenir["omi-de-septembre"].agent,
        omp=a_prevenir["omi-de-septembre"],
        mois=datetime.date(2026, 9, 1),
        date_debut=datetime.date(2026, 9, 1),
        date_fin=datetime.date(2026, 9, 30),
    )
    a_jour = agent_avec_omp("a-jour@ac-test.fr")
    OmiFactory(agent=a_jour.agent, omp=a_jour)  # en brouillon : il est créé, cela suffit
    agent_avec_omp("omp-en-attente@ac-test.fr", valide=False, attente_gestionnaire=True)
    agent_avec_omp("omp-de-novembre@ac-test.fr", date_debut=datetime.date(2026, 11, 1), periode="libre")
    agent_avec_omp("omp-fini-en-septembre@ac-test.fr", date_fin=datetime.date(2026, 9, 30), periode="libre")
    agent_avec_omp("ponctuel@ac-test.fr", type=TypeOrdre.PONCTUEL, periode="libre")
    parti = agent_avec_omp("parti@ac-test.fr")
    parti.agent.user.is_active = False
    parti.agent.user.save()
    return a_prevenir


@pytest.fixture
def jeu_hebdomadaire():
    directrice = UserFactory(valideur=True, email="directrice@ac-test.fr", first_name="Anne")
    patient = UserFactory(valideur=True, email="a-jour@ac-test.fr")
    gestion = GestionnaireFactory(user__email="gestion@ac-test.fr", user__first_name="Marc")
    PerimetreGestionnaireFactory(gestionnaire=gestion, categorie="aesh")
    cumul = GestionnaireFactory(user=UserFactory(valideur=True, email="cumul@ac-test.fr"))
    PerimetreGestionnaireFactory(gestionnaire=cumul, categorie="tzr")

    def en_attente(soumis_le, **kwargs):
        categorie = kwargs.pop("categorie", "aesh")
        return OrdreMissionFactory(agent=AgentFactory(categorie=categorie), soumis_le=soumis_le, **kwargs)

    vh1 = {"etat": Etat.ATTENTE_VH1}
    ordres = {
        "directrice_ancien": en_attente(le(20), destinataire=directrice, **vh1),
        "directrice_limite": en_attente(le(22, heure=23), destinataire=directrice, **vh1),
        "directrice_recent": en_attente(le(23, heure=0), destinataire=directrice, **vh1),
        "a_jour_recent": en_attente(le(27), destinataire=patient, **vh1),
        "gestion_ancien": en_attente(le(2), attente_gestionnaire=True),
        "gestion_recent": en_attente(le(28), attente_gestionnaire=True),
        "gestion_deja_valide": en_attente(le(2), valide=True),
        "cumul_vh1": en_attente(le(5), destinataire=cumul.user, categorie="tzr", **vh1),
        "cumul_gestion": en_attente(le(6), categorie="tzr", attente_gestionnaire=True),
    }
    return ordres


class TestRappelMensuel:
    def test_les_bons_destinataires(self, jeu_mensuel):
        rappels_ = rappels.rappels_mensuels(DEBUT_NOVEMBRE)
        assert {r.destinataire.email for r in rappels_} == {
            "sans-omi@ac-test.fr",
            "omi-annule@ac-test.fr",
            "omi-septembre@ac-test.fr",
            "mi-octobre@ac-test.fr",
        }

    def test_courriel_et_notification_avec_le_lien(self, jeu_mensuel, site_url, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            rapport = rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE, wet_run=True)
        assert len(rapport.a_prevenir) == len(mail.outbox) == 4
        omp = jeu_mensuel["sans-omi"]
        courriel = next(m for m in mail.outbox if m.to == ["sans-omi@ac-test.fr"])
        assert courriel.subject == "Itinera : vos déplacements d'octobre 2026 à déclarer"
        assert f"{site_url}/deplacements/" in courriel.body
        assert f"{site_url}{reverse('missions:ordre', args=[omp.pk])}" in courriel.body
        assert omp.numero in courriel.body
        notification = Notification.objects.get(destinataire=omp.agent.user)
        assert notification.message.startswith("Rappel mensuel (octobre 2026) : déclarez vos déplacements d'octobre")
        assert notification.lien == reverse("missions:mes_deplacements")

    def test_personne_n_est_prevenu_deux_fois(self, jeu_mensuel, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE, wet_run=True)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            meme_jour = rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE, wet_run=True)
            plus_tard = rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE + datetime.timedelta(days=5), wet_run=True)
        assert (meme_jour.a_prevenir, plus_tard.a_prevenir) == ([], [])
        assert len(meme_jour.deja_prevenus) == 4
        assert mail.outbox == []
        assert Notification.objects.count() == 4

    def test_un_nouveau_retardataire_est_prevenu_sans_repreventir_les_autres(
        self, jeu_mensuel, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE, wet_run=True)
        agent_avec_omp("nouveau@ac-test.fr")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE, wet_run=True)
        assert [m.to for m in mail.outbox] == [["nouveau@ac-test.fr"]]

    def test_le_mois_suivant_est_un_autre_rappel(self, jeu_mensuel, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE, wet_run=True)
            decembre = rappels.envoyer_rappels_mensuels(datetime.date(2026, 12, 1), wet_run=True)
        assert decembre.cle == "Rappel mensuel (novembre 2026)"
        assert "sans-omi@ac-test.fr" in {r.destinataire.email for r in decembre.a_prevenir}

    def test_essai_a_blanc_n_envoie_rien(self, jeu_mensuel, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            rapport = rappels.envoyer_rappels_mensuels(DEBUT_NOVEMBRE)
        assert len(rapport.a_prevenir) == 4
        assert not rapport.envoye
        assert mail.outbox == []
        assert not Notification.objects.exists()


class TestRappelHebdomadaire:
    def test_les_bons_destinataires_et_les_bons_ordres(self, jeu_hebdomadaire):
        par_email = {r.destinataire.email: r for r in rappels.rappels_hebdomadaires(LUNDI)}
        assert set(par_email) == {"directrice@ac-test.fr", "gestion@ac-test.fr", "cumul@ac-test.fr"}
        assert par_email["directrice@ac-test.fr"].message == (
            "Rappel hebdomadaire (semaine 49 de 2026) : 2 ordres de mission vous attendent depuis plus de 7 jours."
        )
        assert par_email["gestion@ac-test.fr"].lien == reverse("validation:gestion")
        assert par_email["cumul@ac-test.fr"].lien == reverse("validation:a_valider")

    def test_un_courriel_par_personne_avec_les_liens(
        self, jeu_hebdomadaire, site_url, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            rappels.envoyer_rappels_hebdomadaires(LUNDI, wet_run=True)
        courriels = {m.to[0]: m for m in mail.outbox}
        assert len(mail.outbox) == len(courriels) == 3

        def lien(nom):
            return f"{site_url}/deplacements/ordres/{jeu_hebdomadaire[nom].pk}/"

        directrice = courriels["directrice@ac-test.fr"].body
        assert lien("directrice_ancien") in directrice
        assert lien("directrice_limite") in directrice
        assert lien("directrice_recent") not in directrice
        gestion = courriels["gestion@ac-test.fr"].body
        assert lien("gestion_ancien") in gestion
        assert lien("gestion_recent") not in gestion
        assert lien("gestion_deja_valide") not in gestion
        assert lien("cumul_gestion") not in gestion  # hors de son périmètre
        cumul = courriels["cumul@ac-test.fr"].body
        assert "À valider (valideur hiérarchique)" in cumul
        assert "À contrôler (service gestionnaire)" in cumul
        assert lien("cumul_vh1") in cumul and lien("cumul_gestion") in cumul
        assert courriels["cumul@ac-test.fr"].subject == (
            "Itinera : 2 ordres de mission vous attendent depuis plus de 7 jours"
        )

    def test_personne_n_est_prevenu_deux_fois_la_meme_semaine(
        self, jeu_hebdomadaire, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            rappels.envoyer_rappels_hebdomadaires(LUNDI, wet_run=True)
            rappels.envoyer_rappels_hebdomadaires(LUNDI, wet_run=True)
            rappels.envoyer_rappels_hebdomadaires(LUNDI + datetime.timedelta(days=2), wet_run=True)
        assert sorted(m.to[0] for m in mail.outbox) == [
            "cumul@ac-test.fr",
            "directrice@ac-test.fr",
            "gestion@ac-test.fr",
        ]
        assert Notification.objects.count() == 3
        with django_capture_on_commit_callbacks(execute=True):
            semaine_suivante = rappels.envoyer_rappels_hebdomadaires(LUNDI + datetime.timedelta(days=7), wet_run=True)
        # Une semaine plus tard, chacun est de nouveau prévenu, plus celui dont l'ordre a maintenant sept jours.
        assert {r.destinataire.email for r in semaine_suivante.a_prevenir} == {
            "a-jour@ac-test.fr",
            "cumul@ac-test.fr",
            "directrice@ac-test.fr",
            "gestion@ac-test.fr",
        }

    def test_un_rappel_mensuel_ne_compte_pas_comme_hebdomadaire(self, jeu_hebdomadaire):
        directrice = UserFactory(email="directrice@ac-test.fr")
        Notification.objects.create(destinataire=directrice, message="Rappel mensuel (octobre 2026) : …")
        rapport = rappels.envoyer_rappels_hebdomadaires(LUNDI)
        assert "directrice@ac-test.fr" in {r.destinataire.email for r in rapport.a_prevenir}

    def test_essai_a_blanc_n_envoie_rien(self, jeu_hebdomadaire, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            rapport = rappels.envoyer_rappels_hebdomadaires(LUNDI)
        assert len(rapport.a_prevenir) == 3
        assert mail.outbox == []
        assert not Notification.objects.exists()

    def test_limite_d_attente(self):
        assert rappels.limite_attente(LUNDI) == datetime.datetime(2026, 11, 23, tzinfo=PARIS)


class TestCommande:
    def test_essai_a_blanc_par_defaut(self, jeu_mensuel, capsys, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("envoyer_rappels", "--mensuel", "--date", "2026-11-03")
        sortie = capsys.readouterr().out
        assert "Rappel mensuel (octobre 2026) : 4 à prévenir (essai à blanc, rien n'est envoyé)" in sortie
        assert "sans-omi@ac-test.fr" in sortie
        assert "Relancez avec --wet-run" in sortie
        assert mail.outbox == []
        assert not Notification.objects.exists()

    def test_wet_run_envoie(self, jeu_mensuel, jeu_hebdomadaire, capsys, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("envoyer_rappels", "--mensuel", "--hebdomadaire", "--wet-run", "--date", "2026-11-30")
        sortie = capsys.readouterr().out
        assert "Rappel mensuel (octobre 2026) : " in sortie
        assert "Rappel hebdomadaire (semaine 49 de 2026) : 3 prévenu(s)" in sortie
        assert len(mail.outbox) == Notification.objects.count()

    def test_sans_type_de_rappel(self):
        with pytest.raises(CommandError, match="Indiquez --mensuel, --hebdomadaire"):
            call_command("envoyer_rappels")

    def test_date_invalide(self):
        with pytest.raises(CommandError, match="date invalide"):
            call_command("envoyer_rappels", "--mensuel", "--date", "30/11/2026")


class TestTaches:
    def test_la_tache_hebdomadaire_envoie(self, jeu_hebdomadaire, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            resultat = rappels.tache_rappels_hebdomadaires.enqueue(LUNDI.isoformat())
        assert resultat.status == TaskResultStatus.SUCCESSFUL
        assert resultat.return_value == {
            "cle": "Rappel hebdomadaire (semaine 49 de 2026)",
            "prevenus": 3,
            "deja_prevenus": 0,
        }
        assert len(mail.outbox) == 3

    def test_la_tache_mensuelle_envoie(self, jeu_mensuel, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            resultat = rappels.tache_rappels_mensuels.enqueue(DEBUT_NOVEMBRE.isoformat())
        assert resultat.return_value["prevenus"] == 4
        assert len(mail.outbox) == 4
