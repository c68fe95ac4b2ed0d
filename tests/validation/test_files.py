import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.enums import Etat
from missions.models import OrdreMission
from tests.agents.factories import AgentFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import DelegationFactory
from validation import services
from validation.models import HistoriqueTransition

pytestmark = pytest.mark.django_db

ANOMALIE = [{"code": "week_end", "message": "Trajet déclaré un samedi (le 3 octobre).", "bloquante": False}]


def en_attente_vh1(vh1, n=1, **kwargs):
    return [
        OrdreMissionFactory(
            etat=Etat.ATTENTE_VH1,
            destinataire=vh1,
            soumis_le=timezone.now() - datetime.timedelta(days=i),
            agent=kwargs.pop("agent", None) or AgentFactory(valideurs=[vh1], categorie=kwargs.get("categorie", "aesh")),
            **{k: v for k, v in kwargs.items() if k != "categorie"},
        )
        for i in range(n)
    ]


@pytest.fixture
def vh1():
    return UserFactory(valideur=True)


class TestFileVH1:
    def test_ne_montre_que_ce_qui_m_est_adresse_ou_delegue(self, client, vh1):
        mien = en_attente_vh1(vh1)[0]
        autre_vh1 = UserFactory(valideur=True)
        delegue = en_attente_vh1(autre_vh1)[0]
        DelegationFactory(delegant=autre_vh1, delegataire=vh1)
        etranger = en_attente_vh1(UserFactory(valideur=True))[0]
        client.force_login(vh1)
        response = client.get(reverse("validation:a_valider"))
        assert {o.pk for o in response.context["page"].object_list} == {mien.pk, delegue.pk}
        assert etranger.numero not in response.text

    def test_filtre_anomalies_et_compteurs(self, client, vh1):
        en_attente_vh1(vh1, 2)
        en_attente_vh1(vh1, 1, anomalies=ANOMALIE, nb_anomalies=1)
        client.force_login(vh1)
        response = client.get(reverse("validation:a_valider"), {"anomalie": "avec"})
        assert len(response.context["page"].object_list) == 1
        assert "Trajet déclaré un samedi" in response.text
        assert response.context["compteurs_file"]["sans_anomalie"] == 2

    def test_filtre_par_montant_et_tri(self, client, vh1):
        for montant in ("12.00", "150.00", "480.50"):
            en_attente_vh1(vh1, 1, montant_estime=Decimal(montant))
        client.force_login(vh1)
        response = client.get(reverse("validation:a_valider"), {"montant_min": "100", "tri": "montant"})
        assert [o.montant_estime for o in response.context["page"].object_list] == [
            Decimal("480.50"),
            Decimal("150.00"),
        ]

    def test_filtre_incoherent_message_a_cote_du_champ(self, client, vh1):
        client.force_login(vh1)
        response = client.get(reverse("validation:a_valider"), {"montant_min": "100", "montant_max": "10"})
        assert "Le montant maximum doit être supérieur ou égal au minimum." in response.text
        assert 'value="100"' in response.text

    def test_filtre_par_mois_et_categorie(self, client, vh1):
        octobre = en_attente_vh1(vh1, 1, categorie="tzr", date_debut=datetime.date(2026, 10, 1))[0]
        en_attente_vh1(vh1, 1, categorie="aesh", date_debut=datetime.date(2026, 10, 1))
        en_attente_vh1(vh1, 1, categorie="tzr", date_debut=datetime.date(2026, 11, 1))
        client.force_login(vh1)
        response = client.get(reverse("validation:a_valider"), {"mois": "2026-10", "categorie": "tzr"})
        assert [o.pk for o in response.context["page"].object_list] == [octobre.pk]

    def test_nombre_de_requetes_constant(self, client, vh1, django_assert_max_num_queries):
        en_attente_vh1(vh1, 10)
        client.force_login(vh1)
        with django_assert_max_num_queries(30) as contexte:
            client.get(reverse("validation:a_valider"))
        avant = len(contexte.captured_queries)
        en_attente_vh1(vh1, 40, anomalies=ANOMALIE, nb_anomalies=1)
        with django_assert_max_num_queries(avant):
            response = client.get(reverse("validation:a_valider"))
        assert len(response.context["page"].object_list) == 50


class TestFileGestion:
    def test_perimetre_et_etat_par_defaut(self, client):
        gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        a_controler = OrdreMissionFactory(agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        OrdreMissionFactory(agent=AgentFactory(categorie="aesh"), valide=True)
        hors_perimetre = OrdreMissionFactory(agent=AgentFactory(categorie="tzr"), attente_gestionnaire=True)
        client.force_login(gestionnaire)
        response = client.get(reverse("validation:gestion"))
        assert [o.pk for o in response.context["page"].object_list] == [a_controler.pk]
        assert hors_perimetre.numero not in response.text
        response = client.get(reverse("validation:gestion"), {"etat": "valide"})
        assert len(response.context["page"].object_list) == 1

    def test_compteurs_de_la_file_limites_aux_ordres_en_validation(self, client):
        gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        OrdreMissionFactory.create_batch(2, agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        OrdreMissionFactory(agent=AgentFactory(categorie="aesh"), etat=Etat.ATTENTE_VH1, soumis_le=timezone.now())
        OrdreMissionFactory.create_batch(3, agent=AgentFactory(categorie="aesh"), valide=True)
        client.force_login(gestionnaire)
        response = client.get(reverse("validation:gestion"), {"etat": "valide"})
        assert response.context["compteurs"]["total"] == 3
        assert response.context["page"].paginator.count == 3
        file = response.context["compteurs_file"]
        assert (file["total"], file["attente_gestionnaire"], file["attente_vh1"]) == (3, 2, 1)
        assert "Filtrer et trier (3 affichés ; 3 en cours de validation)" in response.text

    def test_un_seul_comptage_pour_les_filtres_et_la_pagination(self, client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        OrdreMissionFactory.create_batch(3, agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        client.force_login(gestionnaire)
        with CaptureQueriesContext(connection) as capture:
            client.get(reverse("validation:gestion"))
        comptages = [q["sql"] for q in capture.captured_queries if 'FROM "missions_ordremission"' in q["sql"]]
        assert sum("COUNT(" in sql for sql in comptages) == 2  # la sélection filtrée, puis la file entière

    def test_nombre_de_requetes_constant(self, client, django_assert_max_num_queries):
        gestionnaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        OrdreMissionFactory.create_batch(10, agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        client.force_login(gestionnaire)
        with django_assert_max_num_queries(30) as contexte:
            client.get(reverse("validation:gestion"))
        avant = len(contexte.captured_queries)
        for _ in range(5):
            OrdreMissionFactory.create_batch(38, agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        with django_assert_max_num_queries(avant):
            response = client.get(reverse("validation:gestion"))
        assert response.context["page"].paginator.count == 200


class TestValidationGroupee:
    def test_confirmation_puis_rapport_les_dossiers_a_anomalie_sont_ecartes(self, client, vh1):
        propres = en_attente_vh1(vh1, 3)
        douteux = en_attente_vh1(vh1, 1, anomalies=ANOMALIE, nb_anomalies=1)[0]
        ids = [o.pk for o in propres] + [douteux.pk]
        client.force_login(vh1)
        url = reverse("validation:validation_groupee")
        confirmation = client.post(url, {"file": "vh1", "ordres": ids})
        assert "Vous allez valider 3 ordres de mission sans anomalie." in confirmation.text
        assert not HistoriqueTransition.objects.exists()
        rapport = client.post(url, {"file": "vh1", "ordres": ids, "confirme": "1"})
        assert "3 ordres de mission validés." in rapport.text
        assert "1 anomalie(s) à examiner" in rapport.text
        for ordre in propres:
            ordre.refresh_from_db()
            assert ordre.etat == Etat.ATTENTE_GESTIONNAIRE
        douteux.refresh_from_db()
        assert douteux.etat == Etat.ATTENTE_VH1

    def test_on_ne_peut_pas_glisser_l_ordre_d_un_autre(self, client, vh1):
        etranger = en_attente_vh1(UserFactory(valideur=True))[0]
        client.force_login(vh1)
        client.post(reverse("validation:validation_groupee"), {"file": "vh1", "ordres": [etranger.pk], "confirme": "1"})
        etranger.refresh_from_db()
        assert etranger.etat == Etat.ATTENTE_VH1
        assert not HistoriqueTransition.objects.exists()

    def test_une_selection_vide_ramene_a_la_file_telle_qu_elle_etait(self, client, vh1):
        en_attente_vh1(vh1, 2)
        client.force_login(vh1)
        page = client.get(reverse("validation:a_valider"), {"anomalie": "sans", "tri": "montant"})
        assert 'name="parametres" value="anomalie=sans&amp;tri=montant"' in page.text
        url = reverse("validation:validation_groupee")
        response = client.post(url, {"file": "vh1", "parametres": "anomalie=sans&tri=montant"})
        assert response.url == reverse("validation:a_valider") + "?anomalie=sans&tri=montant"
        # Ce champ ne sert qu'à rebâtir une requête : il ne peut pas mener ailleurs.
        response = client.post(url, {"file": "vh1", "parametres": "//ailleurs.example/"})
        assert response.url.startswith(reverse("validation:a_valider") + "?")

    def test_refusee_sans_le_role(self, client):
        agent = AgentFactory()
        client.force_login(agent.user)
        response = client.post(reverse("validation:validation_groupee"), {"file": "gestionnaire", "ordres": [1]})
        assert response.status_code == 404


def test_les_identifiants_au_dela_de_999_restent_des_nombres(client, vh1):
    """Un identifiant rendu « 12 345 » dans une case à cocher ne désignerait plus aucun ordre."""
    ordre = en_attente_vh1(vh1, 1, id=12345)[0]
    client.force_login(vh1)
    response = client.get(reverse("validation:a_valider"))
    assert 'value="12345"' in response.text
    assert 'id="ordre-12345"' in response.text
    confirmation = client.post(reverse("validation:validation_groupee"), {"file": "vh1", "ordres": ["12345"]})
    assert "Vous allez valider 1 ordre de mission sans anomalie." in confirmation.text
    client.post(reverse("validation:validation_groupee"), {"file": "vh1", "ordres": ["12345"], "confirme": "1"})
    ordre.refresh_from_db()
    assert ordre.etat == Etat.ATTENTE_GESTIONNAIRE


def test_un_ordre_qui_a_change_entre_temps_est_ecarte_du_lot_sans_bloquer_les_autres(vh1):
    """Chaque ordre du lot a sa propre transaction : celui qu'un autre valideur a refusé entre la sélection et la
    confirmation est écarté avec son motif, les autres sont validés."""
    premier, change, dernier = en_attente_vh1(vh1, 3)
    services.refuser(ordre=OrdreMission.objects.get(pk=change.pk), par=vh1, motif="Pièce manquante.")
    rapport = services.valider_en_lot(ordres=[premier, change, dernier], par=vh1)
    assert [ordre.pk for ordre in rapport.valides] == [premier.pk, dernier.pk]
    assert [(ordre.pk, motif) for ordre, motif in rapport.ignores] == [(change.pk, services.ACTION_IMPOSSIBLE)]
    change.refresh_from_db()
    assert change.etat == Etat.REFUSE
    assert HistoriqueTransition.objects.filter(ordre=change).count() == 1  # le seul refus
