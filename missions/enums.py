from django.db import models


class TypeOrdre(models.TextChoices):
    PERMANENT = "permanent", "Ordre de mission permanent (OMP)"
    ITINERANT = "itinerant", "Ordre de mission itinérant (OMI) — personnels itinérants"
    PONCTUEL = "ponctuel", "Ordre de mission ponctuel"


class Etat(models.TextChoices):
    BROUILLON = "brouillon", "1 – En cours de création"
    ATTENTE_VH1 = "attente_vh1", "2 – En attente de validation hiérarchique"
    ATTENTE_GESTIONNAIRE = "attente_gestionnaire", "3 – En attente de validation du gestionnaire"
    VALIDE = "valide", "4 – Validé"
    REFUSE = "refuse", "Refusé"
    ANNULE = "annule", "Annulé"


class Periode(models.TextChoices):
    ANNEE_CIVILE = "annee_civile", "Année civile"
    ANNEE_SCOLAIRE = "annee_scolaire", "Année scolaire (septembre à août)"
    SEPT_DEC = "sept_dec", "Septembre à décembre"
    JANV_AOUT = "janv_aout", "Janvier à août"
    LIBRE = "libre", "Dates choisies"


class Depart(models.TextChoices):
    ADMINISTRATIVE = "adm", "Résidence administrative (ADM)"
    FAMILIALE = "fam", "Résidence familiale (FAM)"


class TypeRepas(models.TextChoices):
    AUCUN = "aucun", "Pas de repas"
    PLEIN = "plein", "Repas au taux plein (avec justificatif)"
    ADMINISTRATIF = "administratif", "Restaurant administratif (demi-taux)"
    GRATUIT = "gratuit", "Repas fourni gratuitement"


class TypeFrais(models.TextChoices):
    REPAS = "repas", "Repas"
    PEAGE = "peage", "Péage"
    PARKING = "parking", "Stationnement"
    TRANSPORT_PUBLIC = "transport_public", "Transport en commun"


class SourceKm(models.TextChoices):
    DISTANCIER = "distancier", "Distancier de l'académie"
    ESTIMATION = "estimation", "Estimation à vol d'oiseau corrigée"
    DECLARE = "declare", "Déclaré par l'agent"


class TypePiece(models.TextChoices):
    ARRETE_AFFECTATION = "arrete_affectation", "Arrêté d'affectation"
    EMPLOI_DU_TEMPS = "emploi_du_temps", "Emploi du temps"
    AUVP = "auvp", "Autorisation d'utilisation du véhicule personnel (AUVP)"
    ATTESTATION_NON_PAIEMENT = "attestation_non_paiement", "Attestation de non-paiement (ISSR, abonnement)"
    ATTESTATION_SERVICE_FAIT = "attestation_service_fait", "Attestation de service fait"
    CONVOCATION = "convocation", "Convocation"
