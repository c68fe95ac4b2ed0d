"""Vérifie que la démo tourne : la page de connexion et un tableau de bord s'affichent, sans serveur."""

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import setup_test_environment

from agents.demo import DEMO_DOMAIN
from agents.models import Agent


class Command(BaseCommand):
    help = "Rend la page de connexion et le tableau de bord d'un agent de démonstration par le client de test."

    def handle(self, *args, **options):
        setup_test_environment()
        client = Client()
        connexion = client.get("/connexion/")
        if connexion.status_code != 200 or DEMO_DOMAIN not in connexion.text:
            raise CommandError(f"Page de connexion : statut {connexion.status_code}, comptes de démonstration absents.")
        agent = Agent.objects.select_related("user").filter(user__email__endswith=DEMO_DOMAIN).first()
        if agent is None:
            raise CommandError("Aucun agent de démonstration : lancez d'abord charger_demo.")
        client.force_login(agent.user)
        tableau = client.get("/tableau-de-bord/", follow=True)
        if tableau.status_code != 200 or "Mes déplacements" not in tableau.text:
            raise CommandError(f"Tableau de bord de {agent.user.email} : statut {tableau.status_code}.")
        self.stdout.write(
            self.style.SUCCESS(f"Démo vérifiée : connexion et tableau de bord de {agent.user.email} (200).")
        )
