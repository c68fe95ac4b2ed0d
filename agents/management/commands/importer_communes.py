"""Importe les communes et les communes limitrophes depuis data/communes/ (essai à blanc sans --wet-run)."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents import imports

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Importe les communes puis les paires de communes limitrophes (CSV ou CSV.gz). "
        "Valide tout avant d'écrire, tout ou rien ; sans --wet-run, n'enregistre rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--communes", type=Path, help=f"fichier des communes (par défaut : {imports.FICHIER_COMMUNES.name})"
        )
        parser.add_argument(
            "--limitrophes",
            type=Path,
            help=f"fichier des paires limitrophes (par défaut : {imports.FICHIER_LIMITROPHES.name})",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="fichiers de démonstration par défaut (départements 06, 13, 25, 90 et 972)",
        )
        parser.add_argument("--wet-run", action="store_true", help="enregistre l'import (sinon : essai à blanc)")

    def handle(self, *args, **options):
        demo, wet_run = options["demo"], options["wet_run"]
        communes = options["communes"] or (imports.FICHIER_COMMUNES_DEMO if demo else imports.FICHIER_COMMUNES)
        limitrophes = options["limitrophes"] or (
            imports.FICHIER_LIMITROPHES_DEMO if demo else imports.FICHIER_LIMITROPHES
        )
        for chemin in (communes, limitrophes):
            if not chemin.is_file():
                raise CommandError(f"Fichier introuvable : {chemin}")

        logger.info(
            "Import des communes (%s) et des limitrophes (%s), %s.",
            communes,
            limitrophes,
            "enregistrement" if wet_run else "essai à blanc",
        )
        rapport = imports.importer_communes(communes, limitrophes, enregistrer=wet_run)
        if options["verbosity"] >= 1 or not rapport.est_valide:
            self.stdout.write(rapport.texte())
        if not rapport.est_valide:
            raise CommandError(f"Import refusé : {len(rapport.erreurs)} erreur(s), rien n'a été importé.")
        if not wet_run and options["verbosity"] >= 1:
            self.stdout.write("Relancez avec --wet-run pour enregistrer.")
