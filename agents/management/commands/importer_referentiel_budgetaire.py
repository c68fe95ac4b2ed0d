"""Importe un référentiel budgétaire (enveloppes, centres de coûts, domaines fonctionnels) depuis un CSV."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents import imports

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Importe un référentiel budgétaire depuis un CSV d'en-tête code,libelle,actif (actif facultatif : "
        "oui/non/1/0/true/false, oui par défaut). Crée ou met à jour par code, ne supprime rien ; "
        "tout ou rien ; sans --wet-run, n'enregistre rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("chemin", type=Path, help="fichier CSV (ou CSV.gz)")
        parser.add_argument(
            "--type",
            required=True,
            choices=sorted(imports.REFERENTIELS_BUDGETAIRES),
            help="référentiel à importer",
        )
        parser.add_argument("--wet-run", action="store_true", help="enregistre l'import (sinon : essai à blanc)")

    def handle(self, *args, **options):
        chemin, type_, wet_run = options["chemin"], options["type"], options["wet_run"]
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        modele = imports.REFERENTIELS_BUDGETAIRES[type_]
        logger.info(
            "Import du référentiel %s depuis %s, %s.", type_, chemin, "enregistrement" if wet_run else "essai à blanc"
        )
        rapport = imports.importer_referentiel_budgetaire(modele, chemin, enregistrer=wet_run)
        if options["verbosity"] >= 1 or not rapport.est_valide:
            self.stdout.write(rapport.texte())
        if not rapport.est_valide:
            raise CommandError(f"Import refusé : {len(rapport.erreurs)} erreur(s), rien n'a été importé.")
        if not wet_run and options["verbosity"] >= 1:
            self.stdout.write("Relancez avec --wet-run pour enregistrer.")
