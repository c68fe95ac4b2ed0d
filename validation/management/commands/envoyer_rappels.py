"""Envoie les rappels mensuels (OMI non déclaré) et hebdomadaires (ordres en attente depuis plus de sept jours)."""

import argparse
import datetime
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from validation import rappels

logger = logging.getLogger(__name__)


def _jour(valeur: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(valeur)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide : {valeur} (format attendu AAAA-MM-JJ)") from exc


class Command(BaseCommand):
    help = (
        "Envoie les rappels par courriel et dans le portail : --mensuel aux agents dont l'ordre de mission itinérant "
        "du mois écoulé manque, --hebdomadaire aux valideurs et gestionnaires qui ont des ordres en attente depuis "
        "plus de sept jours. Une personne déjà prévenue pour la période ne l'est pas deux fois. "
        "Sans --wet-run, n'envoie rien et affiche qui serait prévenu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mensuel", action="store_true", help="rappel de l'OMI du mois écoulé")
        parser.add_argument("--hebdomadaire", action="store_true", help="récapitulatif des ordres en attente")
        parser.add_argument("--wet-run", action="store_true", help="envoie vraiment (sinon : essai à blanc)")
        parser.add_argument("--date", type=_jour, help="jour de référence AAAA-MM-JJ (aujourd'hui par défaut)")

    def handle(self, *args, **options):
        if not (options["mensuel"] or options["hebdomadaire"]):
            raise CommandError("Indiquez --mensuel, --hebdomadaire, ou les deux.")
        aujourd_hui = options["date"] or timezone.localdate()
        wet_run = options["wet_run"]
        envois = []
        if options["mensuel"]:
            envois.append(rappels.envoyer_rappels_mensuels)
        if options["hebdomadaire"]:
            envois.append(rappels.envoyer_rappels_hebdomadaires)
        logger.info("Rappels du %s : %s.", aujourd_hui.isoformat(), "envoi" if wet_run else "essai à blanc")
        for envoyer in envois:
            rapport = envoyer(aujourd_hui, wet_run=wet_run)
            verbe = "prévenu(s)" if wet_run else "à prévenir (essai à blanc, rien n'est envoyé)"
            resume = (
                f"{rapport.cle} : {len(rapport.a_prevenir)} {verbe}, "
                f"{len(rapport.deja_prevenus)} déjà prévenu(s) pour cette période."
            )
            if options["verbosity"] >= 1:
                self.stdout.write(resume)
                for rappel in rapport.a_prevenir:
                    self.stdout.write(f"  {rappel.destinataire.email} — {rappel.message}")
        if not wet_run and options["verbosity"] >= 1:
            self.stdout.write("Relancez avec --wet-run pour envoyer.")
