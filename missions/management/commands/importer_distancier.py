"""Importe le distancier de l'académie (CSV insee_a,insee_b,km) ; essai à blanc sans --wet-run."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from missions.distances import importer_distancier

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Importe le distancier (CSV UTF-8, en-tête insee_a,insee_b,km). Valide tout avant d'écrire, tout ou rien ; "
        "sans --wet-run, n'enregistre rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="fichier CSV du distancier")
        parser.add_argument("--wet-run", action="store_true", help="enregistre l'import (sinon : essai à blanc)")

    def handle(self, *args, **options):
        chemin, wet_run = options["fichier"], options["wet_run"]
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        logger.info("Import du distancier (%s), %s.", chemin, "enregistrement" if wet_run else "essai à blanc")
        rapport = importer_distancier(chemin, enregistrer=wet_run)
        if options["verbosity"] >= 1 or not rapport.est_valide:
            self.stdout.write(rapport.texte())
        if not rapport.est_valide:
            raise CommandError(f"Import refusé : {len(rapport.erreurs)} erreur(s), rien n'a été importé.")
        if not wet_run and options["verbosity"] >= 1:
            self.stdout.write("Relancez avec --wet-run pour enregistrer.")
