"""Charge l'historique officiel des barèmes depuis data/bareme/. Idempotent : une version déjà présente est laissée
telle quelle (un administrateur a pu la clore ou lui donner une suivante) ; seules les versions absentes sont créées."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bareme import referentiel, services
from bareme.models import Bareme


class Command(BaseCommand):
    help = (
        "Crée les versions de barème officielles (IK, repas, nuitées) des fichiers de data/bareme/ qui manquent. "
        "Peut être relancée sans rien dupliquer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", help="Dossier des fichiers de référence (par défaut : data/bareme/).")
        parser.add_argument("--dry-run", action="store_true", help="Affiche ce qui serait créé, sans rien écrire.")

    def handle(self, *args, dossier=None, dry_run=False, verbosity=1, **options):
        dossier = Path(dossier) if dossier else None
        textes = referentiel.lire_textes(dossier)
        versions = referentiel.lire_versions(dossier)
        crees = presentes = 0
        with transaction.atomic():
            for version in versions:
                existante = Bareme.objects.filter(type=version.type, date_debut=version.date_debut).first()
                if existante is not None:
                    presentes += 1
                    if verbosity >= 2:
                        self.stdout.write(f"Déjà présente : {existante.libelle} ({existante.periode}).")
                    continue
                texte = textes.get(version.texte_code)
                if texte is None:
                    raise CommandError(f"Texte « {version.texte_code} » absent de textes.csv.")
                if dry_run:
                    self.stdout.write(f"À créer : {version.type} du {version.date_debut} ({texte.reference}).")
                    crees += 1
                    continue
                try:
                    bareme = services.creer_version(
                        type=version.type,
                        date_debut=version.date_debut,
                        date_fin=version.date_fin,
                        texte_reference=texte.reference,
                        texte_titre=texte.titre,
                        texte_date=texte.date_texte,
                        texte_publication=texte.date_publication,
                        texte_lien=texte.lien,
                        texte_code=texte.code,
                        montant_minimum=version.montant_minimum,
                        taux_ik=[services.LigneTauxIK(*ligne) for ligne in version.taux_ik],
                        taux_mission=[services.LigneTauxMission(*ligne) for ligne in version.taux_mission],
                    )
                except ValidationError as erreur:
                    raise CommandError(
                        f"Version {version.type} du {version.date_debut} : {' '.join(erreur.messages)}"
                    ) from erreur
                crees += 1
                if verbosity >= 2:
                    self.stdout.write(f"Créée : {bareme.libelle} ({bareme.periode}).")
        verbe = "à créer" if dry_run else "créée(s)"
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Barèmes : {crees} version(s) {verbe}, {presentes} déjà présente(s).")
            )
