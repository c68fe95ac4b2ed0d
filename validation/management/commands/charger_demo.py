"""Charge l'académie de démonstration (communes, barèmes, référentiels, personnes). Idempotent."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from agents.demo import DEMO_PASSWORD, charger_academie_demo
from agents.imports import FICHIER_VILLES_CONVOCATION_DEMO, importer_communes
from agents.models import Commune
from validation.demo import charger_ordres_demo, charger_paiements_demo, charger_ponctuels_demo

BUDGET = [
    ("enveloppe", "enveloppes.csv"),
    ("centre_couts", "centres_couts.csv"),
    ("domaine_fonctionnel", "domaines_fonctionnels.csv"),
]


class Command(BaseCommand):
    help = "Charge l'académie de démonstration et affiche ses comptes. Peut être relancée sans rien dupliquer."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if not Commune.objects.filter(insee="13055").exists():
            call_command("importer_communes", demo=True, wet_run=True, verbosity=verbosity)
        else:
            self.stdout.write("Communes de démonstration déjà importées.")
        importer_communes(FICHIER_VILLES_CONVOCATION_DEMO, enregistrer=True)  # Paris, Lyon : sans effet la 2e fois
        call_command("charger_baremes", verbosity=verbosity)
        budget_dir = settings.REFERENCE_DATA_DIR / "budget"
        for type_, fichier in BUDGET:
            call_command(
                "importer_referentiel_budgetaire", str(budget_dir / fichier), type=type_, wet_run=True, verbosity=0
            )
        rapport = charger_academie_demo()
        ordres = charger_ordres_demo()
        if ordres:
            self.stdout.write(f"{ordres} ordre(s) de mission de démonstration créé(s).")
        lots = charger_paiements_demo()
        if lots:
            self.stdout.write(f"{lots} lot(s) de paiement de démonstration créé(s).")
        ponctuels = charger_ponctuels_demo()  # après les paiements : son état de frais soumis n'entre dans aucun lot
        if ponctuels:
            self.stdout.write(f"{ponctuels} OM ponctuel(s) de démonstration créé(s).")
        self.stdout.write(self.style.SUCCESS(f"Académie de démonstration prête ({rapport.crees} compte(s) créé(s))."))
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        largeur = max(len(email) for email, _ in rapport.comptes)
        for email, roles in rapport.comptes:
            self.stdout.write(f"  {email.ljust(largeur)}  {roles}")
        self.stdout.write("")
        self.stdout.write("Portail : http://127.0.0.1:8000/")
