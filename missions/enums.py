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
    TRAIN = "train", "Billet de train payé par l'agent"


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


# --- OM ponctuels ---------------------------------------------------------------------------------------------------


class LieuDepart(models.TextChoices):
    """D'où partent (et où reviennent) les horaires saisis sur un OM ponctuel."""

    ADMINISTRATIVE = "adm", "Résidence administrative (ADM)"
    FAMILIALE = "fam", "Résidence familiale (FAM)"
    GARE = "gare", "Gare (horaires du train)"


class CasRattachement(models.TextChoices):
    """Les cas où un déplacement couvert par un OMP demande un OM ponctuel rattaché à cet OMP."""

    NUITEE = "nuitee", "Mission en véhicule personnel comportant une nuitée"
    TRANSPORT_SANS_BILLET = "transport_sans_billet", "Transport en commun sans demande de titre de transport"
    TRANSPORT_AVEC_BILLET = "transport_avec_billet", "Transport en commun avec demande de titre de transport"


class TypeEtape(models.TextChoices):
    DEJEUNER = "dejeuner", "Déjeuner"
    DINER = "diner", "Dîner"
    NUITEE = "nuitee", "Nuitée"


class ModeEtape(models.TextChoices):
    """Comment un repas ou une nuitée dus sont pris ; le montant en découle (voir docs/om_ponctuels.md)."""

    PLEIN = "plein", "Hors restaurant administratif, taux plein sur justificatif"
    ADMINISTRATIF = "administratif", "Restaurant administratif ou assimilé (déduction, demi-taux)"
    REDUIT = "reduit", "Repas au taux réduit (sans justificatif)"
    GRATUIT = "gratuit", "Repas fourni gratuitement"
    PAYANTE = "payante", "Nuitée payée par l'agent, sur facture"
    GRATUITE = "gratuite", "Hébergement fourni gratuitement"
    AUTRE_ORGANISME = "autre_organisme", "Indemnisé par un autre organisme"


MODES_REPAS = (ModeEtape.PLEIN, ModeEtape.ADMINISTRATIF, ModeEtape.REDUIT, ModeEtape.GRATUIT, ModeEtape.AUTRE_ORGANISME)
MODES_NUITEE = (ModeEtape.PAYANTE, ModeEtape.GRATUITE, ModeEtape.AUTRE_ORGANISME)


class SensTrajet(models.TextChoices):
    ALLER = "aller", "Aller"
    RETOUR = "retour", "Retour"


class ClasseTrain(models.TextChoices):
    SECONDE = "2", "2de classe"
    PREMIERE = "1", "1re classe"
