from django.db import models

from bareme import calcul


class TypeBareme(models.TextChoices):
    IK_VOITURE = "ik_voiture", "IK voiture"
    IK_MOTOCYCLETTE = "ik_motocyclette", "IK motocyclette"
    IK_VELOMOTEUR = "ik_velomoteur", "IK vélomoteur"
    REPAS = "repas", "Repas"
    NUITEE = "nuitee", "Nuitée"


class ClasseVehicule(models.TextChoices):
    """Les classes du barème IK ; les valeurs sont celles de `agents.models.Vehicule.classe_bareme`."""

    CV_5_ET_MOINS = calcul.CLASSE_5CV_ET_MOINS, "5 CV et moins"
    CV_6_7 = calcul.CLASSE_6_7CV, "6 et 7 CV"
    CV_8_ET_PLUS = calcul.CLASSE_8CV_ET_PLUS, "8 CV et plus"
    MOTOCYCLETTE = calcul.CLASSE_MOTOCYCLETTE, "Motocyclette de plus de 125 cm³"
    VELOMOTEUR = calcul.CLASSE_VELOMOTEUR, "Vélomoteur et autres véhicules à moteur"


class ZoneMission(models.TextChoices):
    """Les zones des indemnités de mission, avec les codes de `data/bareme/missions.csv`."""

    METROPOLE = calcul.ZONE_METROPOLE, "Métropole"
    METROPOLE_BASE = calcul.ZONE_BASE, "Taux de base (métropole)"
    GRANDE_VILLE_OU_GRAND_PARIS = calcul.ZONE_GRANDE_VILLE_OU_GRAND_PARIS, "Grande ville ou Grand Paris"
    PARIS = calcul.ZONE_PARIS, "Paris"
    RQTH = calcul.ZONE_RQTH, "Travailleur handicapé à mobilité réduite (RQTH)"
    OUTRE_MER = calcul.ZONE_OUTRE_MER, "Départements d'outre-mer"


class ModeRepas(models.TextChoices):
    PLEIN = calcul.REPAS_PLEIN, "Plein tarif"
    ADMINISTRATIF = calcul.REPAS_ADMINISTRATIF, "Restaurant administratif ou assimilé (demi-tarif)"
    GRATUIT = calcul.REPAS_GRATUIT, "Repas fourni gratuitement"


class ModeNuitee(models.TextChoices):
    PAYANTE = calcul.NUITEE_PAYANTE, "Payée par l'agent (sur facture)"
    GRATUITE = calcul.NUITEE_GRATUITE, "Hébergement fourni gratuitement"


# Ce que chaque type de barème contient : des classes de véhicule (IK) ou des zones (missions).
CLASSES_PAR_TYPE = {
    TypeBareme.IK_VOITURE: (ClasseVehicule.CV_5_ET_MOINS, ClasseVehicule.CV_6_7, ClasseVehicule.CV_8_ET_PLUS),
    TypeBareme.IK_MOTOCYCLETTE: (ClasseVehicule.MOTOCYCLETTE,),
    TypeBareme.IK_VELOMOTEUR: (ClasseVehicule.VELOMOTEUR,),
}
ZONES_PAR_TYPE = {
    TypeBareme.REPAS: (ZoneMission.METROPOLE, ZoneMission.OUTRE_MER),
    TypeBareme.NUITEE: (
        ZoneMission.METROPOLE_BASE,
        ZoneMission.GRANDE_VILLE_OU_GRAND_PARIS,
        ZoneMission.PARIS,
        ZoneMission.RQTH,
        ZoneMission.OUTRE_MER,
    ),
}
TYPES_IK = tuple(CLASSES_PAR_TYPE)
TYPE_PAR_CLASSE = {classe: type_ for type_, classes in CLASSES_PAR_TYPE.items() for classe in classes}
# Le type de véhicule (`agents.enums.TypeVehicule`) donne le type de barème IK.
TYPE_PAR_VEHICULE = {
    "voiture": TypeBareme.IK_VOITURE,
    "motocyclette": TypeBareme.IK_MOTOCYCLETTE,
    "velomoteur": TypeBareme.IK_VELOMOTEUR,
}
