from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    VH1 = "vh1", "Valideur hiérarchique (VH1)"
    GESTIONNAIRE = "gestionnaire", "Gestionnaire"
    ADMIN = "admin", "Administrateur"


class Civilite(models.TextChoices):
    MADAME = "mme", "Madame"
    MONSIEUR = "m", "Monsieur"


class Categorie(models.TextChoices):
    AESH = "aesh", "AESH"
    SERVICE_PARTAGE = "service_partage", "Enseignant en service partagé"
    TZR = "tzr", "TZR (titulaire sur zone de remplacement)"
    RATTACHEMENT_ADMINISTRATIF = "rattachement_administratif", "Rattachement administratif"
    IA_IPR = "ia_ipr", "IA-IPR"
    IEN = "ien", "IEN"
    CONSEILLER_PEDAGOGIQUE = "conseiller_pedagogique", "Conseiller pédagogique"
    CHARGE_DE_MISSION = "charge_de_mission", "Chargé de mission"
    AUTRE = "autre", "Autre"


class TypeEtablissement(models.TextChoices):
    ECOLE = "ecole", "École"
    COLLEGE = "college", "Collège"
    LYCEE = "lycee", "Lycée"
    LP = "lp", "Lycée professionnel"
    SERVICE = "service", "Service"


class TypeVehicule(models.TextChoices):
    VOITURE = "voiture", "Voiture"
    MOTOCYCLETTE = "motocyclette", "Motocyclette (plus de 125 cm³)"
    VELOMOTEUR = "velomoteur", "Vélomoteur ou autre véhicule à moteur"


class Contact(models.TextChoices):
    LIGNE = "ligne", "Frontière commune"
    POINT = "point", "Contact en un point"
