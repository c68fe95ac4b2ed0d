"""Garde-fous de performance des files de validation, indépendants du plan d'exécution de PostgreSQL.

Les durées se mesurent avec `benchmarks/files_validation.py` ; ici on vérifie ce qui ne dépend pas de la machine :
le nombre de requêtes ne grandit pas avec les délégations, les règles du périmètre ou la taille d'un lot, et le
filtre par mois garde exactement les jours du mois (bornes comprises, passage d'année compris).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.enums import Categorie
from agents.models import User
from missions.enums import Etat
from missions.models import OrdreMission
from tests.agents.factories import AgentFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import DelegationFactory
from validation import selectors, services

pytestmark = pytest.mark.django_db

# Requêtes SQL pour valider un OMP dans un lot : point de sauvegarde et sa libération, verrou, règles du périmètre,
# droit d'agir, enregistrement, historique, notification. À abaisser si l'on en retire, jamais à relever sans raison.
REQUETES_PAR_ORDRE_AU_PLUS = 8


def nombre_de_requetes(action) -> int:
    with CaptureQueriesContext(connection) as requetes:
        action()
    return len(requetes.captured_queries)


def en_attente_vh1(vh1, n=1):
    return [
        OrdreMissionFactory(
            etat=Etat.ATTENTE_VH1,
            destinataire=vh1,
            soumis_le=timezone.now() - datetime.timedelta(days=i),
            agent=AgentFactory(valideurs=[vh1]),
        )
        for i in range(n)
    ]


def afficher(client, user, url_name) -> int:
    client.force_login(user)
    return nombre_de_requetes(lambda: client.get(reverse(url_name)))


class TestFiltreParMois:
    @pytest.mark.parametrize(
        ("mois", "veille", "premier", "dernier", "lendemain"),
        [
            ("2026-10-01", "2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01"),
            ("2026-02-01", "2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01"),
            ("2026-12-01", "2026-11-30", "2026-12-01", "2026-12-31", "2027-01-01"),
        ],
    )
    def test_garde_les_bornes_du_mois_et_ecarte_ses_voisins(self, mois, veille, premier, dernier, lendemain):
        ordres = {
            jour: OrdreMissionFactory(
                date_debut=datetime.date.fromisoformat(jour), date_fin=datetime.date.fromisoformat(jour)
            )
            for jour in (veille, premier, dernier, lendemain)
        }
        filtres = {"mois": datetime.date.fromisoformat(mois)}
        gardes = set(selectors.filtrer(OrdreMission.objects.all(), filtres).values_list("pk", flat=True))
        assert gardes == {ordres[premier].pk, ordres[dernier].pk}

    def test_une_autre_annee_du_meme_mois_est_ecartee(self):
        octobre_2026 = OrdreMissionFactory(date_debut=datetime.date(2026, 10, 5), date_fin=datetime.date(2026, 10, 5))
        OrdreMissionFactory(date_debut=datetime.date(2025, 10, 5), date_fin=datetime.date(2025, 10, 5))
        filtres = {"mois": datetime.date(2026, 10, 1)}
        assert list(selectors.filtrer(OrdreMission.objects.all(), filtres)) == [octobre_2026]


class TestFileVH1:
    def test_requetes_constantes_quel_que_soit_le_nombre_de_delegations_recues(self, client):
        vh1 = UserFactory(valideur=True)
        en_attente_vh1(vh1, 2)
        collegue = UserFactory(valideur=True)
        en_attente_vh1(collegue, 2)
        DelegationFactory(delegant=collegue, delegataire=vh1)
        avant = afficher(client, vh1, "validation:a_valider")
        for _ in range(3):
            autre = UserFactory(valideur=True)
            en_attente_vh1(autre, 2)
            DelegationFactory(delegant=autre, delegataire=vh1)
        assert afficher(client, vh1, "validation:a_valider") == avant


class TestFileGestion:
    def test_requetes_constantes_quel_que_soit_le_nombre_de_regles_du_perimetre(self, client):
        regle = PerimetreGestionnaireFactory(categorie=Categorie.AESH)
        gestionnaire = regle.gestionnaire
        OrdreMissionFactory.create_batch(3, agent=AgentFactory(categorie=Categorie.AESH), attente_gestionnaire=True)
        avant = afficher(client, gestionnaire.user, "validation:gestion")
        for categorie in (Categorie.TZR, Categorie.IEN, Categorie.SERVICE_PARTAGE):
            PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie=categorie, departement="06")
            OrdreMissionFactory(agent=AgentFactory(categorie=categorie), attente_gestionnaire=True)
        assert afficher(client, gestionnaire.user, "validation:gestion") == avant
        # Les nouvelles règles sont limitées au 06 : les agents d'ailleurs restent hors du périmètre.
        assert client.get(reverse("validation:gestion")).context["page"].paginator.count == 3


class TestValidationGroupee:
    def lot(self, gestionnaire, n):
        ordres = [
            OrdreMissionFactory(agent=AgentFactory(categorie=Categorie.AESH), attente_gestionnaire=True)
            for _ in range(n)
        ]
        return list(selectors.ordres_file_gestion(gestionnaire.user).filter(pk__in=[o.pk for o in ordres]))

    def test_requetes_par_ordre_bornees_et_independantes_de_la_taille_du_lot(self):
        gestionnaire = PerimetreGestionnaireFactory(categorie=Categorie.AESH).gestionnaire
        petit, grand = self.lot(gestionnaire, 2), self.lot(gestionnaire, 6)
        # Chaque lot est validé par une personne fraîchement chargée, comme à chaque requête HTTP.
        requetes_petit = nombre_de_requetes(
            lambda: services.valider_en_lot(ordres=petit, par=User.objects.get(pk=gestionnaire.user_id))
        )
        requetes_grand = nombre_de_requetes(
            lambda: services.valider_en_lot(ordres=grand, par=User.objects.get(pk=gestionnaire.user_id))
        )
        par_ordre, reste = divmod(requetes_grand - requetes_petit, 4)
        assert reste == 0
        assert par_ordre <= REQUETES_PAR_ORDRE_AU_PLUS
        # Ce qui est fait une fois par lot (charger la personne, ses règles de périmètre) reste petit.
        assert requetes_petit - 2 * par_ordre <= 4
        assert OrdreMission.objects.filter(etat=Etat.VALIDE).count() == 8
