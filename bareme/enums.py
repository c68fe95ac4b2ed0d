from django.db import models


class TypeBareme(models.TextChoices):
    IK_VOITURE = "ik_voiture", "IK voiture"
    IK_MOTOCYCLETTE = "ik_motocyclette", "IK motocyclette"
    IK_VELOMOTEUR = "ik_velomoteur", "IK vélomoteur"
    REPAS = "repas", "Repas"
    NUITEE = "nuitee", "Nuitée"


class ClasseVehicule(models.TextChoices):
    """Les classes du barème IK ; les valeurs sont celles de `agents.models.Vehicule.classe_bareme`."""

    CV_5_ET_MOINS = "5cv_et_moins", "5 CV et moins"
    CV_6_7 = "6_7cv", "6 et 7 CV"
    CV_8_ET_PLUS = "8cv_et_plus", "8 CV et plus"
    MOTOCYCLETTE = "plus_de_125cm3", "Motocyclette de plus de 125 cm³"
    VELOMOTEUR = "autres_vehicules_a_moteur", "Vélomoteur et autres véhicules à moteur"


class ZoneMission(models.TextChoices):
    """Les zones des indemnités de mission, avec les codes de `data/bareme/missions.csv`."""

    METROPOLE = "metropole", "Métropole"
    METROPOLE_BASE = "metropole_base", "Taux de base (métropole)"
    GRANDE_VILLE_OU_GRAND_PARIS = "grande_ville_ou_grand_paris", "Grande ville ou Grand Paris"
    PARIS = "paris", "Paris"
    RQTH = "travailleur_handicape_mobilite_reduite", "Travailleur handicapé à mobilité réduite (RQTH)"
    OUTRE_MER = "outre_mer_dom", "Départements d'outre-mer"


class ModeRepas(models.TextChoices):
    PLEIN = "plein", "Plein tarif"
    ADMINISTRATIF = "administratif", "Restaurant administratif ou assimilé (demi-tarif)"
    GRATUIT = "gratuit", "Repas fourni gratuitement"


class ModeNuitee(models.TextChoices):
    PAYANTE = "payante", "Payée par l'agent (sur facture)"
    GRATUITE = "gratuite", "Hébergement fourni gratuitement"


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
