"""Les barèmes comme données versionnées : chaque version a une période de validité, le texte qui l'a fixée et ses taux.

Deux versions d'un même type ne se chevauchent jamais : une contrainte d'exclusion PostgreSQL le garantit
(migration 0002, appliquée seulement sous PostgreSQL), et `Bareme.clean()` / `bareme.services` le vérifient sur
toute base. Les tranches contiguës sont vérifiées par `bareme.services.verifier_tranches`.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from bareme import calcul
from bareme.enums import ClasseVehicule, TypeBareme, ZoneMission

# Nom de la contrainte d'exclusion créée par la migration 0002 (PostgreSQL seulement).
CONTRAINTE_SANS_CHEVAUCHEMENT = "bareme_versions_sans_chevauchement"


class BaremeQuerySet(models.QuerySet):
    def du_type(self, type_bareme: str) -> "BaremeQuerySet":
        return self.filter(type=type_bareme)

    def en_vigueur_le(self, jour: datetime.date) -> "BaremeQuerySet":
        return self.filter(Q(date_fin__isnull=True) | Q(date_fin__gte=jour), date_debut__lte=jour)

    def chevauchant(self, date_debut: datetime.date, date_fin: datetime.date | None) -> "BaremeQuerySet":
        """Les versions dont la période [début, fin] (fin vide = sans limite) rencontre celle donnée."""
        condition = Q(date_fin__isnull=True) | Q(date_fin__gte=date_debut)
        if date_fin is not None:
            condition &= Q(date_debut__lte=date_fin)
        return self.filter(condition)


class Bareme(models.Model):
    """Une version d'un barème (IK d'une catégorie de véhicule, repas ou nuitée)."""

    type = models.CharField("type de barème", max_length=20, choices=TypeBareme.choices)
    date_debut = models.DateField("en vigueur à partir du")
    date_fin = models.DateField(
        "en vigueur jusqu'au", null=True, blank=True, help_text="Laissez vide tant qu'aucune version ne lui succède."
    )
    texte_reference = models.CharField(
        "texte (référence courte)", max_length=120, help_text="Par exemple : arrêté du 14 mars 2022."
    )
    texte_titre = models.CharField("titre complet du texte", max_length=400, blank=True)
    texte_date = models.DateField("date du texte")
    texte_publication = models.DateField(
        "publié au Journal officiel le",
        null=True,
        blank=True,
        help_text="Une publication postérieure au début de validité signale un texte rétroactif.",
    )
    texte_lien = models.URLField("lien vers le texte", max_length=500, blank=True)
    texte_code = models.CharField(
        "code du texte dans les fichiers de référence", max_length=60, blank=True, editable=False
    )
    montant_minimum = models.DecimalField(
        "minimum forfaitaire mensuel (€)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Vélomoteurs et autres véhicules à moteur seulement : montant minimal payé pour un mois.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )

    objects = BaremeQuerySet.as_manager()

    class Meta:
        verbose_name = "version de barème"
        verbose_name_plural = "versions de barème"
        ordering = ["type", "-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")), name="bareme_fin_apres_debut"
            ),
            models.CheckConstraint(
                condition=Q(montant_minimum__isnull=True) | Q(montant_minimum__gt=0), name="bareme_minimum_positif"
            ),
            models.CheckConstraint(
                condition=Q(montant_minimum__isnull=True) | Q(type=TypeBareme.IK_VELOMOTEUR),
                name="bareme_minimum_velomoteur_seulement",
            ),
            models.CheckConstraint(condition=Q(type__in=TypeBareme.values), name="bareme_type_connu"),
            models.UniqueConstraint(fields=["type", "date_debut"], name="bareme_type_debut_unique"),
        ]

    def __str__(self):
        return self.libelle

    @property
    def libelle(self) -> str:
        """« IK voiture — arrêté du 14 mars 2022 » : le nom de la version dans les explications et l'API."""
        return f"{self.get_type_display()} — {self.texte_reference}"

    @property
    def periode(self) -> str:
        if self.date_fin is None:
            return f"depuis le {calcul.date_fr(self.date_debut)}"
        return f"du {calcul.date_fr(self.date_debut)} au {calcul.date_fr(self.date_fin)}"

    @property
    def est_ik(self) -> bool:
        return self.type in (TypeBareme.IK_VOITURE, TypeBareme.IK_MOTOCYCLETTE, TypeBareme.IK_VELOMOTEUR)

    @property
    def est_retroactive(self) -> bool:
        """Le texte a été publié après le début de sa validité : des trajets déjà payés sont à régulariser."""
        return bool(self.texte_publication and self.date_debut and self.texte_publication > self.date_debut)

    def clean(self):
        super().clean()
        errors = {}
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            errors["date_fin"] = "La fin de validité doit suivre le début."
        if self.montant_minimum is not None and self.type != TypeBareme.IK_VELOMOTEUR:
            errors["montant_minimum"] = "Seul le barème des vélomoteurs a un minimum forfaitaire mensuel."
        if self.type and self.date_debut and "date_fin" not in errors:
            autres = Bareme.objects.du_type(self.type).chevauchant(self.date_debut, self.date_fin).exclude(pk=self.pk)
            autre = autres.order_by("date_debut").first()
            if autre is not None:
                errors["date_debut"] = (
                    f"Cette période chevauche celle de la version « {autre.libelle} » ({autre.periode}) : "
                    "deux versions d'un même barème ne peuvent pas être en vigueur le même jour. "
                    "Clôturez d'abord la version précédente."
                )
        if errors:
            raise ValidationError(errors)


class TauxIK(models.Model):
    """Un taux kilométrique : une classe de véhicule, une tranche de kilomètres parcourus dans l'année."""

    bareme = models.ForeignKey(Bareme, on_delete=models.CASCADE, related_name="taux_ik", verbose_name="version")
    classe = models.CharField("classe de véhicule", max_length=30, choices=ClasseVehicule.choices)
    km_min = models.PositiveIntegerField(
        "de (km)", help_text="Premier kilomètre de la tranche dans l'année (0 ou 1 pour la première tranche)."
    )
    km_max = models.PositiveIntegerField(
        "à (km)", null=True, blank=True, help_text="Dernier kilomètre de la tranche ; vide pour la dernière tranche."
    )
    taux = models.DecimalField("taux (€ par km)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "taux kilométrique"
        verbose_name_plural = "taux kilométriques"
        ordering = ["bareme", "classe", "km_min"]
        constraints = [
            models.CheckConstraint(condition=Q(taux__gt=0), name="tauxik_taux_positif"),
            models.CheckConstraint(
                condition=Q(km_max__isnull=True) | Q(km_max__gte=F("km_min")), name="tauxik_tranche_ordonnee"
            ),
            models.CheckConstraint(condition=Q(classe__in=ClasseVehicule.values), name="tauxik_classe_connue"),
            models.UniqueConstraint(fields=["bareme", "classe", "km_min"], name="tauxik_tranche_unique"),
            models.UniqueConstraint(
                fields=["bareme", "classe"], condition=Q(km_max__isnull=True), name="tauxik_une_tranche_ouverte"
            ),
        ]

    def __str__(self):
        return f"{self.get_classe_display()}, {self.tranche.libelle} : {self.taux} €/km"

    @property
    def tranche(self) -> calcul.Tranche:
        return calcul.Tranche.depuis_bornes(self.km_min, self.km_max, self.taux)


class TauxMission(models.Model):
    """Le montant forfaitaire d'un repas ou d'une nuitée dans une zone."""

    bareme = models.ForeignKey(Bareme, on_delete=models.CASCADE, related_name="taux_mission", verbose_name="version")
    zone = models.CharField("zone", max_length=40, choices=ZoneMission.choices)
    montant = models.DecimalField("montant (€)", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "taux de mission"
        verbose_name_plural = "taux de mission"
        ordering = ["bareme", "zone"]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gt=0), name="tauxmission_montant_positif"),
            models.CheckConstraint(condition=Q(zone__in=ZoneMission.values), name="tauxmission_zone_connue"),
            models.UniqueConstraint(fields=["bareme", "zone"], name="tauxmission_zone_unique"),
        ]

    def __str__(self):
        return f"{self.get_zone_display()} : {self.montant} €"
