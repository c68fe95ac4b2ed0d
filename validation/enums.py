from django.db import models


class Action(models.TextChoices):
    SOUMETTRE = "soumettre", "Soumettre"
    VALIDER = "valider", "Valider"
    REFUSER = "refuser", "Refuser"
    REPRENDRE = "reprendre", "Reprendre pour correction"
    RETIRER = "retirer", "Retirer"
    ANNULER = "annuler", "Annuler"


class Etapes(models.IntegerChoices):
    UNE = 1, "Une étape : le gestionnaire valide directement"
    DEUX = 2, "Deux étapes : valideur hiérarchique puis gestionnaire"


class RoleDelegue(models.TextChoices):
    VH1 = "vh1", "Validation hiérarchique"
    GESTIONNAIRE = "gestionnaire", "Validation du gestionnaire"
