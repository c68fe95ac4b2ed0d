"""Historique des transitions, circuits de validation, délégations et notifications."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from agents.enums import Categorie
from missions.enums import Etat
from missions.models import OrdreMission
from validation.enums import Action, Etapes, RoleDelegue


class HistoriqueImmuable(Exception):
    pass


class HistoriqueTransition(models.Model):
    """Une ligne par changement d'état : jamais modifiée ni supprimée (la base le refuse aussi sous PostgreSQL)."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.PROTECT, related_name="historique", verbose_name="ordre de mission"
    )
    transition = models.CharField("action", max_length=20, choices=Action.choices)
    source = models.CharField("état de départ", max_length=30, choices=Etat.choices)
    cible = models.CharField("état d'arrivée", max_length=30, choices=Etat.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    pour_le_compte_de = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pour le compte de",
    )
    commentaire = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "historique des changements d'état"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ordre_id} : {self.source} → {self.cible}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise HistoriqueImmuable("Une ligne d'historique ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoriqueImmuable("Une ligne d'historique ne se supprime pas.")


class CircuitValidation(models.Model):
    """Par catégorie d'agents : deux étapes (VH1 puis gestionnaire) ou une seule (le gestionnaire)."""

    categorie = models.CharField("catégorie d'agents", max_length=30, choices=Categorie.choices, unique=True)
    etapes = models.PositiveSmallIntegerField("circuit", choices=Etapes.choices, default=Etapes.DEUX)

    class Meta:
        verbose_name = "circuit de validation"
        verbose_name_plural = "circuits de validation"
        ordering = ["categorie"]

    def __str__(self):
        return f"{self.get_categorie_display()} : {self.get_etapes_display()}"


class Delegation(models.Model):
    delegant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_donnees", verbose_name="délégant"
    )
    delegataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_recues",
        verbose_name="délégataire",
    )
    role = models.CharField("validation déléguée", max_length=15, choices=RoleDelegue.choices)
    date_debut = models.DateField("du")
    date_fin = models.DateField("au")
    terminee_le = models.DateTimeField("terminée par anticipation le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "délégation"
        verbose_name_plural = "délégations"
        ordering = ["-date_debut", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gte=F("date_debut")), name="delegation_fin_apres_debut"),
            models.CheckConstraint(condition=~Q(delegant=F("delegataire")), name="delegation_a_autrui"),
        ]

    def __str__(self):
        return f"{self.delegant} → {self.delegataire} ({self.date_debut:%d/%m/%Y}–{self.date_fin:%d/%m/%Y})"


class Notification(models.Model):
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="destinataire"
    )
    message = models.CharField("message", max_length=300)
    lien = models.CharField("lien", max_length=300, blank=True)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["destinataire", "lue_le"], name="notification_non_lue_idx")]

    def __str__(self):
        return self.message
