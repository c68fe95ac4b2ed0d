"""Historique des transitions, circuits de validation, délégations et notifications."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agents.enums import Categorie
from missions.enums import Etat, TypeFrais
from missions.models import EtapeBase, OrdreMission
from validation.enums import Action, Etapes, RoleDelegue


class HistoriqueImmuable(Exception):
    pass


class JournalImmuable(models.Model):
    """Une ligne de journal (qui, pour le compte de qui, quand) : ajoutée, jamais modifiée ni supprimée.

    PostgreSQL le refuse aussi, par des déclencheurs posés en migration.
    """

    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    pour_le_compte_de = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pour le compte de",
    )
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise HistoriqueImmuable("Une ligne d'historique ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoriqueImmuable("Une ligne d'historique ne se supprime pas.")


class HistoriqueTransition(JournalImmuable):
    """Une ligne par changement d'état : jamais modifiée ni supprimée (la base le refuse aussi sous PostgreSQL)."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.PROTECT, related_name="historique", verbose_name="ordre de mission"
    )
    transition = models.CharField("action", max_length=20, choices=Action.choices)
    source = models.CharField("état de départ", max_length=30, choices=Etat.choices)
    cible = models.CharField("état d'arrivée", max_length=30, choices=Etat.choices)
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "historique des changements d'état"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ordre_id} : {self.source} → {self.cible}"


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


# --- États de frais, mise en paiement, dotations budgétaires -----------------------------------------------------------
# Les règles (qui agit, quand, avec quelle trace) sont dans `validation.etats_frais` et `validation.paiement` ;
# les modèles ne portent que les champs, les contraintes et les transitions (qui ne changent que des champs).

MONTANT = {"max_digits": 10, "decimal_places": 2}


def personne_qui_a_agi(verbose_name: str) -> models.ForeignKey:
    """Qui a fait une étape (valider, transmettre, payer, annuler) : renseigné par la transition, jamais à la main."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        editable=False,
    )


class EtatEF(models.TextChoices):
    BROUILLON = "brouillon", "En cours de saisie par l'agent"
    A_VALIDER = "a_valider", "À valider"
    VALIDE = "valide", "Validé"
    MIS_EN_PAIEMENT = "mis_en_paiement", "Mis en paiement"
    PAYE = "paye", "Payé"
    REJETE = "rejete", "Rejeté"
    ANNULE = "annule", "Annulé"


class ActionEF(models.TextChoices):
    CREER = "creer", "Établir"
    SOUMETTRE = "soumettre", "Soumettre"
    REPRENDRE = "reprendre", "Reprendre pour correction"
    VALIDER = "valider", "Valider"
    REJETER = "rejeter", "Rejeter"
    ANNULER = "annuler", "Annuler"
    METTRE_EN_PAIEMENT = "mettre_en_paiement", "Mettre en paiement"
    RETIRER_DU_LOT = "retirer_du_lot", "Retirer du lot de paiement"
    PAYER = "payer", "Payer"


class NatureLigne(models.TextChoices):
    IK = "ik", "Indemnités kilométriques"
    REPAS = "repas", "Repas"
    NUITEE = "nuitee", "Nuitée"
    PEAGE = "peage", "Péage"
    PARKING = "parking", "Stationnement"
    TRANSPORT_PUBLIC = "transport_public", "Transport en commun"
    TRAIN = "train", "Billet de train"
    AUTRE = "autre", "Autre frais"


class EtatLot(models.TextChoices):
    PREPARE = "prepare", "Préparé"
    ENVOYE = "envoye", "Transmis au comptable"
    PAYE = "paye", "Payé"
    ANNULE = "annule", "Annulé"


# Tables de transitions des états de frais.
ANNULABLE_EF = [EtatEF.BROUILLON, EtatEF.A_VALIDER, EtatEF.VALIDE, EtatEF.REJETE]
PAYABLE_EF = [EtatEF.VALIDE]


class EtatFrais(ConcurrentTransitionMixin, models.Model):
    """L'état de frais d'un ordre de mission validé : ses lignes figées, ajustables par le gestionnaire avant validation.

    `agent`, `mois` et les codes budgétaires sont recopiés de l'ordre à la création : les files, les lots et le suivi
    budgétaire les lisent sans joindre l'ordre, et ils ne bougent plus si l'ordre ou la fiche de l'agent changent.

    Celui d'un OM ponctuel naît « en cours de saisie » : l'agent y déclare le réel (horaires `depart_le` et
    `retour_le`, étapes `EtapeEtatFrais`, frais `FraisEtatFrais`, justificatifs `JustificatifEtatFrais`), puis le
    soumet ; ses lignes sont alors celles du réel (voir docs/om_ponctuels.md). Celui d'un OMI naît « à valider ».
    """

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.PROTECT, related_name="etats_frais", verbose_name="ordre de mission"
    )
    agent = models.ForeignKey(
        "agents.Agent", on_delete=models.PROTECT, related_name="etats_frais", verbose_name="agent"
    )
    etat = FSMField("état", choices=EtatEF.choices, default=EtatEF.A_VALIDER, protected=True, db_index=True)
    mois = models.DateField("mois des frais", help_text="Premier jour du mois de l'ordre (celui d'un OMI).")
    enveloppe_budgetaire = models.ForeignKey(
        "agents.EnveloppeBudgetaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enveloppe budgétaire",
    )
    centre_couts = models.ForeignKey(
        "agents.CentreCouts",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="centre de coûts",
    )
    domaine_fonctionnel = models.ForeignKey(
        "agents.DomaineFonctionnel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="domaine fonctionnel",
    )
    montant_initial = models.DecimalField("montant de l'ordre validé", **MONTANT, editable=False)
    montant_total = models.DecimalField("montant à payer", **MONTANT, editable=False)
    motif = models.TextField("motif du rejet ou de l'annulation", blank=True)
    valide_le = models.DateTimeField("validé le", null=True, blank=True, editable=False)
    valide_par = personne_qui_a_agi("validé par")
    paye_le = models.DateField("payé le", null=True, blank=True, editable=False)
    # OM ponctuel : les horaires réels déclarés par l'agent (vides pour un OMI).
    depart_le = models.DateTimeField("départ réel le", null=True, blank=True)
    retour_le = models.DateTimeField("retour réel le", null=True, blank=True)
    soumis_le = models.DateTimeField("soumis le", null=True, blank=True, editable=False)
    pdf = models.FileField("PDF archivé", upload_to="etats_frais/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="établi par"
    )
    created_at = models.DateTimeField("établi le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "état de frais"
        verbose_name_plural = "états de frais"
        ordering = ["-mois", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ordre"],
                condition=~Q(etat="annule"),
                name="ef_un_seul_actif_par_ordre",
                violation_error_message="Cet ordre de mission a déjà un état de frais.",
            ),
            models.CheckConstraint(condition=Q(montant_total__gte=0), name="ef_montant_positif"),
            models.CheckConstraint(condition=Q(montant_initial__gte=0), name="ef_montant_initial_positif"),
            models.CheckConstraint(
                condition=Q(retour_le__isnull=True) | Q(depart_le__isnull=True) | Q(retour_le__gt=F("depart_le")),
                name="ef_retour_apres_depart",
            ),
        ]
        indexes = [
            models.Index(fields=["etat", "mois"], name="ef_etat_mois_idx"),
            models.Index(fields=["agent", "etat"], name="ef_agent_etat_idx"),
        ]

    def __str__(self):
        return self.numero

    @property
    def numero(self) -> str:
        annee = self.mois.year if self.mois else ""
        return f"EF-{annee}-{self.pk or 0:06d}"

    # --- Transitions : elles ne changent que des champs ; les services enregistrent, journalisent, notifient.

    @transition(field=etat, source=[EtatEF.BROUILLON], target=EtatEF.A_VALIDER)
    def soumettre(self, *, le):
        self.soumis_le = le
        self.motif = ""  # le motif d'un rejet précédent reste dans l'historique

    @transition(field=etat, source=[EtatEF.REJETE], target=EtatEF.BROUILLON)
    def reprendre(self):
        """Le motif du rejet reste affiché pendant que l'agent corrige."""

    @transition(field=etat, source=[EtatEF.A_VALIDER], target=EtatEF.VALIDE)
    def valider(self, *, valideur, le):
        self.valide_par = valideur
        self.valide_le = le

    @transition(field=etat, source=[EtatEF.A_VALIDER], target=EtatEF.REJETE)
    def rejeter(self, *, motif: str):
        self.motif = motif

    @transition(field=etat, source=ANNULABLE_EF, target=EtatEF.ANNULE)
    def annuler(self, *, motif: str):
        self.motif = motif

    @transition(field=etat, source=PAYABLE_EF, target=EtatEF.MIS_EN_PAIEMENT)
    def mettre_en_paiement(self):
        pass

    @transition(field=etat, source=[EtatEF.MIS_EN_PAIEMENT], target=EtatEF.VALIDE)
    def retirer_du_lot(self):
        pass

    @transition(field=etat, source=[EtatEF.MIS_EN_PAIEMENT], target=EtatEF.PAYE)
    def payer(self, *, le):
        self.paye_le = le


# --- La déclaration réelle d'un état de frais d'OM ponctuel -------------------------------------------------------------


class EtapeEtatFrais(EtapeBase):
    """Un repas ou une nuitée réellement dus, régénérés à partir des horaires réels, et la façon dont l'agent l'a pris
    (mêmes règles que l'étape prévue sur l'ordre : `missions.models.EtapeBase`)."""

    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.CASCADE, related_name="etapes", verbose_name="état de frais"
    )

    class Meta:
        verbose_name = "étape réelle"
        verbose_name_plural = "étapes réelles"
        ordering = ["etat_frais", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["etat_frais", "type", "date"], name="etape_ef_une_par_type_et_jour"),
            models.CheckConstraint(condition=EtapeBase.MODE_SELON_TYPE, name="etape_ef_mode_selon_type"),
        ]


class FraisEtatFrais(models.Model):
    """Un frais réellement payé (train payé par l'agent, ticket, stationnement, péage), repris ou non du prévisionnel."""

    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.CASCADE, related_name="frais_reels", verbose_name="état de frais"
    )
    type = models.CharField("nature", max_length=20, choices=TypeFrais.choices)
    date = models.DateField("date")
    montant = models.DecimalField("montant payé", **MONTANT)
    commentaire = models.CharField("commentaire", max_length=250, blank=True)
    frais_prevu = models.ForeignKey(
        "missions.Frais",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="frais prévisionnel",
    )

    class Meta:
        verbose_name = "frais réel"
        verbose_name_plural = "frais réels"
        ordering = ["etat_frais", "date", "pk"]
        constraints = [models.CheckConstraint(condition=Q(montant__gte=0), name="frais_ef_montant_positif")]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date:%d/%m/%Y}"


class JustificatifEtatFrais(models.Model):
    """Un justificatif joint par l'agent (facture, ticket, reçu) : PDF, JPEG ou PNG vérifié sur ses octets."""

    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.CASCADE, related_name="justificatifs", verbose_name="état de frais"
    )
    libelle = models.CharField("objet du justificatif", max_length=250)
    fichier = models.FileField("fichier", upload_to="justificatifs_ef/%Y/")
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="déposé par"
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "justificatif d'état de frais"
        verbose_name_plural = "justificatifs d'états de frais"
        ordering = ["etat_frais", "created_at", "pk"]

    def __str__(self):
        return self.libelle


class LigneEtatFrais(models.Model):
    """Une ligne recopiée du calcul figé de l'ordre : IK d'un trajet (avec ses tranches), un repas, un frais au réel."""

    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.PROTECT, related_name="lignes", verbose_name="état de frais"
    )
    position = models.PositiveSmallIntegerField("position")
    nature = models.CharField("nature", max_length=20, choices=NatureLigne.choices)
    date = models.DateField("date")
    dates = models.JSONField("dates", default=list, blank=True, help_text="Jours des trajets d'une ligne d'IK.")
    libelle = models.CharField("libellé", max_length=250)
    km = models.DecimalField("kilomètres", max_digits=8, decimal_places=1, null=True, blank=True)
    taux = models.DecimalField("taux", max_digits=8, decimal_places=3, null=True, blank=True)
    parts = models.JSONField(
        "parts par tranche", default=list, blank=True, help_text="Kilomètres, taux et version de barème de chaque part."
    )
    bareme = models.CharField("version de barème", max_length=300, blank=True)
    commentaire = models.CharField("précision", max_length=500, blank=True)
    ligne_trajet = models.ForeignKey(
        "missions.LigneTrajet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ligne de trajet",
    )
    frais = models.ForeignKey(
        "missions.Frais", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="frais"
    )
    montant_initial = models.DecimalField("montant figé", **MONTANT, editable=False)
    montant = models.DecimalField("montant retenu", **MONTANT, editable=False)

    class Meta:
        verbose_name = "ligne d'état de frais"
        verbose_name_plural = "lignes d'état de frais"
        ordering = ["etat_frais", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["etat_frais", "position"], name="ligne_ef_position_unique"),
            models.CheckConstraint(condition=Q(montant__gte=0), name="ligne_ef_montant_positif"),
            models.CheckConstraint(condition=Q(montant_initial__gte=0), name="ligne_ef_montant_initial_positif"),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} — {self.libelle}"

    @property
    def est_ajustee(self) -> bool:
        return self.montant != self.montant_initial


class AjustementEtatFrais(JournalImmuable):
    """Le gestionnaire change le montant d'une ligne (un justificatif manque, un repas est retiré) : avant, après, motif."""

    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.PROTECT, related_name="ajustements", verbose_name="état de frais"
    )
    ligne = models.ForeignKey(
        LigneEtatFrais, on_delete=models.PROTECT, related_name="ajustements", verbose_name="ligne"
    )
    montant_avant = models.DecimalField("montant avant", **MONTANT)
    montant_apres = models.DecimalField("montant après", **MONTANT)
    motif = models.TextField("motif")

    class Meta:
        verbose_name = "ajustement d'état de frais"
        verbose_name_plural = "ajustements d'états de frais"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(motif=""), name="ajustement_motif_obligatoire"),
            models.CheckConstraint(condition=Q(montant_apres__gte=0), name="ajustement_montant_positif"),
        ]

    def __str__(self):
        return f"{self.etat_frais_id} : {self.montant_avant} → {self.montant_apres}"


class HistoriqueEtatFrais(JournalImmuable):
    """Une ligne par changement d'état d'un état de frais, comme `HistoriqueTransition` pour les ordres."""

    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.PROTECT, related_name="historique", verbose_name="état de frais"
    )
    transition = models.CharField("action", max_length=20, choices=ActionEF.choices)
    source = models.CharField("état de départ", max_length=20, choices=EtatEF.choices, blank=True)
    cible = models.CharField("état d'arrivée", max_length=20, choices=EtatEF.choices)
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'état d'un état de frais"
        verbose_name_plural = "historique des états de frais"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.etat_frais_id} : {self.source or '—'} → {self.cible}"


class LotPaiement(ConcurrentTransitionMixin, models.Model):
    """Une mise en paiement : des états de frais validés, un fichier pour la comptabilité et un fichier de virements.

    Les fichiers sont produits une fois, à la création, à partir de ce que le lot a recopié (coordonnées bancaires,
    codes budgétaires, compte débité) : les produire de nouveau donne les mêmes octets, quoi qu'il arrive ensuite
    aux fiches des agents ou aux réglages.
    """

    etat = FSMField("état", choices=EtatLot.choices, default=EtatLot.PREPARE, protected=True, db_index=True)
    date_execution = models.DateField("date d'exécution demandée des virements")
    debiteur = models.JSONField("compte débité", editable=False, help_text="Nom, IBAN et BIC au moment de la création.")
    nombre = models.PositiveIntegerField("nombre d'états de frais", default=0, editable=False)
    montant_total = models.DecimalField("montant total", **MONTANT, default=0, editable=False)
    fichier_csv = models.FileField("fichier pour la comptabilité", upload_to="lots/%Y/", blank=True, editable=False)
    csv_sha256 = models.CharField("empreinte SHA-256 du CSV", max_length=64, blank=True, editable=False)
    fichier_sepa = models.FileField("fichier de virements SEPA", upload_to="lots/%Y/", blank=True, editable=False)
    sepa_sha256 = models.CharField("empreinte SHA-256 du fichier SEPA", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créé par"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    envoye_le = models.DateTimeField("transmis le", null=True, blank=True, editable=False)
    envoye_par = personne_qui_a_agi("transmis par")
    paye_le = models.DateField("payé le", null=True, blank=True, editable=False)
    paye_par = personne_qui_a_agi("paiement constaté par")
    annule_le = models.DateTimeField("annulé le", null=True, blank=True, editable=False)
    annule_par = personne_qui_a_agi("annulé par")
    motif_annulation = models.TextField("motif de l'annulation", blank=True)

    class Meta:
        verbose_name = "lot de paiement"
        verbose_name_plural = "lots de paiement"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(montant_total__gte=0), name="lot_montant_positif")]

    def __str__(self):
        return self.numero

    @property
    def numero(self) -> str:
        annee = self.created_at.year if self.created_at else ""
        return f"LOT-{annee}-{self.pk or 0:05d}"

    @transition(field=etat, source=[EtatLot.PREPARE], target=EtatLot.ENVOYE)
    def marquer_envoye(self, *, par, le):
        self.envoye_par = par
        self.envoye_le = le

    @transition(field=etat, source=[EtatLot.ENVOYE], target=EtatLot.PAYE)
    def marquer_paye(self, *, par, le):
        self.paye_par = par
        self.paye_le = le

    @transition(field=etat, source=[EtatLot.PREPARE], target=EtatLot.ANNULE)
    def annuler(self, *, par, le, motif: str):
        self.annule_par = par
        self.annule_le = le
        self.motif_annulation = motif


class ElementLot(models.Model):
    """Un état de frais dans un lot, avec ce que le lot a recopié pour ses fichiers.

    Un état de frais n'est que dans un seul lot actif : l'index unique partiel le garantit même si deux lots sont
    créés au même instant. Annuler un lot désactive ses éléments (ils restent, pour la trace) et libère les états.
    """

    lot = models.ForeignKey(LotPaiement, on_delete=models.PROTECT, related_name="elements", verbose_name="lot")
    etat_frais = models.ForeignKey(
        EtatFrais, on_delete=models.PROTECT, related_name="elements_lot", verbose_name="état de frais"
    )
    actif = models.BooleanField("actif", default=True)
    position = models.PositiveIntegerField("position dans les fichiers")
    reference = models.CharField("référence de l'état de frais", max_length=30)
    nom_agent = models.CharField("agent", max_length=300)
    titulaire = models.CharField("titulaire du compte", max_length=140)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    montant = models.DecimalField("montant", **MONTANT)
    code_enveloppe = models.CharField("enveloppe budgétaire", max_length=30, blank=True)
    code_centre_couts = models.CharField("centre de coûts", max_length=30, blank=True)
    code_domaine = models.CharField("domaine fonctionnel", max_length=30, blank=True)

    class Meta:
        verbose_name = "état de frais du lot"
        verbose_name_plural = "états de frais du lot"
        ordering = ["lot", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["etat_frais"],
                condition=Q(actif=True),
                name="ef_dans_un_seul_lot",
                violation_error_message="Cet état de frais est déjà dans un lot de paiement.",
            ),
            models.UniqueConstraint(fields=["lot", "position"], name="element_lot_position_unique"),
            models.CheckConstraint(condition=Q(montant__gt=0), name="element_lot_montant_positif"),
        ]

    def __str__(self):
        return f"{self.reference} ({self.montant} €)"


class DotationBudgetaire(models.Model):
    """La dotation annuelle d'une enveloppe budgétaire, et, si l'on veut, d'un de ses centres de coûts."""

    annee = models.PositiveSmallIntegerField("année")
    enveloppe_budgetaire = models.ForeignKey(
        "agents.EnveloppeBudgetaire",
        on_delete=models.PROTECT,
        related_name="dotations",
        verbose_name="enveloppe budgétaire",
    )
    centre_couts = models.ForeignKey(
        "agents.CentreCouts",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dotations",
        verbose_name="centre de coûts",
        help_text="Laissez vide pour la dotation de toute l'enveloppe.",
    )
    montant = models.DecimalField("montant alloué (€)", **MONTANT)
    commentaire = models.CharField("commentaire", max_length=250, blank=True)

    class Meta:
        verbose_name = "dotation budgétaire"
        verbose_name_plural = "dotations budgétaires"
        ordering = ["-annee", "enveloppe_budgetaire", "centre_couts"]
        constraints = [
            models.UniqueConstraint(
                fields=["annee", "enveloppe_budgetaire"],
                condition=Q(centre_couts__isnull=True),
                name="dotation_enveloppe_unique",
                violation_error_message="Cette enveloppe a déjà une dotation pour cette année.",
            ),
            models.UniqueConstraint(
                fields=["annee", "enveloppe_budgetaire", "centre_couts"],
                condition=Q(centre_couts__isnull=False),
                name="dotation_centre_unique",
                violation_error_message="Ce centre de coûts a déjà une dotation pour cette enveloppe et cette année.",
            ),
            models.CheckConstraint(condition=Q(montant__gte=0), name="dotation_montant_positif"),
            models.CheckConstraint(condition=Q(annee__gte=2000) & Q(annee__lte=2100), name="dotation_annee_plausible"),
        ]

    def __str__(self):
        cible = f"{self.enveloppe_budgetaire}" + (f" / {self.centre_couts}" if self.centre_couts_id else "")
        return f"{self.annee} — {cible} : {self.montant} €"
