"""Les ordres de mission (OMP, OMI, OM ponctuels), leurs trajets et leurs frais.

Le champ `etat` ne change que par les transitions ci-dessous, appelées par les services de `validation`
(qui verrouillent la ligne, vérifient qui agit, journalisent et notifient).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from agents.models import Agent, CentreCouts, Commune, DomaineFonctionnel, EnveloppeBudgetaire, Etablissement, Vehicule
from bareme.calcul import date_fr
from missions.enums import (
    MODES_NUITEE,
    MODES_REPAS,
    CasRattachement,
    ClasseTrain,
    Depart,
    Etat,
    LieuDepart,
    ModeEtape,
    Periode,
    SensTrajet,
    SourceKm,
    TypeEtape,
    TypeFrais,
    TypeOrdre,
    TypePiece,
    TypeRepas,
)

# Tables de transitions, nommées pour rester lisibles.
SOUMETTABLE = [Etat.BROUILLON]
EN_VALIDATION = [Etat.ATTENTE_VH1, Etat.ATTENTE_GESTIONNAIRE]
ANNULABLE = [Etat.BROUILLON, Etat.ATTENTE_VH1, Etat.ATTENTE_GESTIONNAIRE, Etat.VALIDE, Etat.REFUSE]
MODIFIABLE_PAR_L_AGENT = [Etat.BROUILLON]
ETAPE_SUIVANTE = {Etat.ATTENTE_VH1: Etat.ATTENTE_GESTIONNAIRE, Etat.ATTENTE_GESTIONNAIRE: Etat.VALIDE}

MONEY = {"max_digits": 10, "decimal_places": 2}
KM = {"max_digits": 8, "decimal_places": 1}


class OrdreMission(ConcurrentTransitionMixin, models.Model):
    type = models.CharField("type", max_length=10, choices=TypeOrdre.choices)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="ordres", verbose_name="agent")
    etat = FSMField("état", choices=Etat.choices, default=Etat.BROUILLON, protected=True, db_index=True)
    objet = models.CharField("objet", max_length=250)
    commentaire = models.TextField("commentaire", blank=True)
    periode = models.CharField("période", max_length=15, choices=Periode.choices, default=Periode.LIBRE)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    omp = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="omis",
        verbose_name="ordre de mission permanent",
        limit_choices_to={"type": TypeOrdre.PERMANENT},
    )
    mois = models.DateField("mois", null=True, blank=True, help_text="Premier jour du mois d'un OMI.")
    destination_principale = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="destination principale",
    )
    vehicule_personnel = models.BooleanField("véhicule personnel autorisé", default=True)
    transports_publics = models.BooleanField("transports en commun", default=False)
    vehicule_service = models.BooleanField("véhicule de service", default=False)
    vehicule = models.ForeignKey(
        Vehicule, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="véhicule"
    )
    enveloppe_budgetaire = models.ForeignKey(
        EnveloppeBudgetaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enveloppe budgétaire",
    )
    centre_couts = models.ForeignKey(
        CentreCouts, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="centre de coûts"
    )
    domaine_fonctionnel = models.ForeignKey(
        DomaineFonctionnel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="domaine fonctionnel",
    )
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ordres_a_valider",
        verbose_name="valideur destinataire",
    )
    motif_refus = models.TextField("motif du dernier refus", blank=True)
    soumis_le = models.DateTimeField("soumis le", null=True, blank=True, editable=False)
    # Estimation tenue à jour à chaque modification (barème du jour des trajets), et anomalies détectées.
    montant_estime = models.DecimalField("montant estimé", **MONEY, null=True, blank=True, editable=False)
    anomalies = models.JSONField("anomalies détectées", default=list, blank=True, editable=False)
    nb_anomalies = models.PositiveSmallIntegerField("nombre d'anomalies", default=0, editable=False)
    # Montants figés à la validation du gestionnaire, avec les versions de barème utilisées.
    km_total = models.DecimalField("kilomètres indemnisés", **KM, null=True, blank=True)
    montant_ik = models.DecimalField("indemnités kilométriques", **MONEY, null=True, blank=True)
    montant_frais = models.DecimalField("autres frais", **MONEY, null=True, blank=True)
    montant_total = models.DecimalField("montant total", **MONEY, null=True, blank=True)
    calcul_fige = models.JSONField("détail du calcul figé", null=True, blank=True, editable=False)
    fige_le = models.DateTimeField("montants figés le", null=True, blank=True, editable=False)
    # OM ponctuel : horaires, lieu d'où ils partent, rattachement, codes et convocation (vides pour les autres types).
    depart_le = models.DateTimeField(
        "départ le", null=True, blank=True, help_text="De la résidence choisie, ou de la gare (horaire du train)."
    )
    retour_le = models.DateTimeField("retour le", null=True, blank=True)
    lieu_depart = models.CharField(
        "horaires pris depuis", max_length=4, choices=LieuDepart.choices, blank=True, help_text="Et au retour."
    )
    cas_rattachement = models.CharField(
        "cas de rattachement à l'OMP", max_length=25, choices=CasRattachement.choices, blank=True
    )
    axe_analytique = models.CharField(
        "axe analytique", max_length=30, blank=True, help_text="Par exemple la direction qui convoque : CC-DGESCO."
    )
    demande_billets = models.BooleanField("demande de titres de transport", default=False)
    convocation = models.FileField("convocation", upload_to="convocations/%Y/", blank=True)
    baremes = models.ManyToManyField(
        "bareme.Bareme",
        related_name="ordres",
        blank=True,
        editable=False,
        verbose_name="versions de barème utilisées",
        help_text="Enregistrées à la soumission (estimation) puis à la validation (montants figés).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créé par"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "ordre de mission"
        verbose_name_plural = "ordres de mission"
        ordering = ["-date_debut", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gte=F("date_debut")), name="om_fin_apres_debut"),
            models.CheckConstraint(
                condition=~Q(type=TypeOrdre.ITINERANT) | (Q(omp__isnull=False) & Q(mois__isnull=False)),
                name="omi_rattache_a_un_omp_et_un_mois",
            ),
            models.UniqueConstraint(
                fields=["agent", "mois", "omp"],
                condition=Q(type=TypeOrdre.ITINERANT) & ~Q(etat=Etat.ANNULE),
                name="omi_un_par_agent_mois_omp",
                violation_error_message="Un ordre de mission itinérant existe déjà pour ce mois et cet OMP.",
            ),
            models.CheckConstraint(
                condition=Q(montant_total__isnull=True) | Q(montant_total__gte=0), name="om_montant_positif"
            ),
            models.CheckConstraint(
                condition=Q(retour_le__isnull=True) | Q(depart_le__isnull=True) | Q(retour_le__gt=F("depart_le")),
                name="om_retour_apres_depart",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "type", "etat"], name="om_agent_type_etat_idx"),
            models.Index(fields=["etat", "destinataire", "soumis_le"], name="om_file_vh1_idx"),
            models.Index(fields=["etat", "soumis_le"], name="om_file_gestion_idx"),
            # Files « Gestion » filtrées par périmètre (agents) : lecture de l'index seul, anomalies comprises.
            models.Index(fields=["etat", "agent", "nb_anomalies"], name="om_etat_agent_idx"),
        ]

    def __str__(self):
        return f"{self.numero} — {self.objet}"

    @property
    def numero(self) -> str:
        annee = self.date_debut.year if self.date_debut else ""
        prefixe = {TypeOrdre.PERMANENT: "OMP", TypeOrdre.ITINERANT: "OMI", TypeOrdre.PONCTUEL: "OM"}.get(
            self.type, "OM"
        )
        return f"{prefixe}-{annee}-{self.pk or 0:06d}"

    @property
    def est_modifiable_par_agent(self) -> bool:
        return self.etat in MODIFIABLE_PAR_L_AGENT

    # --- Transitions : elles ne changent que des champs ; les services enregistrent, journalisent, notifient.

    @transition(field=etat, source=SOUMETTABLE, target=RETURN_VALUE(Etat.ATTENTE_VH1, Etat.ATTENTE_GESTIONNAIRE))
    def soumettre(self, *, destinataire, deux_etapes: bool, le):
        self.destinataire = destinataire if deux_etapes else None
        self.soumis_le = le
        return Etat.ATTENTE_VH1 if deux_etapes else Etat.ATTENTE_GESTIONNAIRE

    @transition(field=etat, source=EN_VALIDATION, target=RETURN_VALUE(Etat.ATTENTE_GESTIONNAIRE, Etat.VALIDE))
    def valider(self):
        return ETAPE_SUIVANTE[self.etat]

    @transition(field=etat, source=EN_VALIDATION, target=Etat.REFUSE)
    def refuser(self, *, motif: str):
        self.motif_refus = motif

    @transition(field=etat, source=[Etat.REFUSE], target=Etat.BROUILLON)
    def reprendre(self):
        """Le motif du refus reste affiché sur l'ordre pendant que l'agent corrige."""

    @transition(field=etat, source=[Etat.ATTENTE_VH1], target=Etat.BROUILLON)
    def retirer(self):
        self.destinataire = None

    @transition(field=etat, source=ANNULABLE, target=Etat.ANNULE)
    def annuler(self):
        pass


class Distance(models.Model):
    """Le distancier : kilomètres de référence entre deux communes, tenus par l'académie."""

    commune_a = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name="commune A")
    commune_b = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name="commune B")
    km = models.DecimalField("kilomètres", **KM)
    source = models.CharField("source", max_length=200, blank=True)

    class Meta:
        verbose_name = "distance de référence"
        verbose_name_plural = "distancier"
        ordering = ["commune_a", "commune_b"]
        constraints = [
            models.UniqueConstraint(fields=["commune_a", "commune_b"], name="distance_paire_unique"),
            models.CheckConstraint(condition=Q(commune_a__lt=F("commune_b")), name="distance_paire_ordonnee"),
            models.CheckConstraint(condition=Q(km__gt=0), name="distance_positive"),
        ]

    def __str__(self):
        return f"{self.commune_a_id} – {self.commune_b_id} : {self.km} km"


class TrajetHabituel(models.Model):
    """Un trajet que l'OMP autorise chaque semaine (jours, nombre de trajets par jour, repas habituel)."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.CASCADE, related_name="trajets_habituels", verbose_name="OMP"
    )
    depart = models.CharField("départ", max_length=3, choices=Depart.choices, default=Depart.ADMINISTRATIVE)
    destination_etablissement = models.ForeignKey(
        Etablissement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="établissement de destination",
    )
    destination_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune de destination"
    )
    km_aller = models.DecimalField("kilomètres (aller)", **KM)
    km_reference = models.DecimalField("kilomètres de référence", **KM, null=True, blank=True)
    source_km = models.CharField("origine des kilomètres", max_length=10, choices=SourceKm.choices)
    motif_km = models.CharField("motif d'une distance différente", max_length=250, blank=True)
    jours_semaine = models.CharField(
        "jours de la semaine", max_length=13, help_text="Numéros des jours, lundi = 0, séparés par des virgules."
    )
    trajets_par_jour = models.PositiveSmallIntegerField("trajets par jour", default=2)
    repas = models.CharField("repas habituel", max_length=15, choices=TypeRepas.choices, default=TypeRepas.AUCUN)
    horaires = models.CharField(
        "horaires habituels de mission",
        max_length=60,
        blank=True,
        help_text="Par exemple « 8 h 30 – 16 h 30 » ; recopiés sur les lignes de l'OMI, ils servent au contrôle des repas.",
    )

    class Meta:
        verbose_name = "trajet habituel"
        verbose_name_plural = "trajets habituels"
        ordering = ["ordre", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(km_aller__gt=0), name="trajet_habituel_km_positif"),
            models.CheckConstraint(condition=Q(trajets_par_jour__gte=1), name="trajet_habituel_au_moins_un"),
        ]

    def __str__(self):
        return f"{self.get_depart_display()} → {self.destination_commune.nom}"

    @property
    def jours(self) -> list[int]:
        return [int(jour) for jour in self.jours_semaine.split(",") if jour != ""]

    @property
    def jours_libelle(self) -> str:
        noms = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
        return ", ".join(noms[jour] for jour in self.jours)


class LigneTrajet(models.Model):
    """Une ligne d'indemnités kilométriques : un trajet, ses dates, le nombre de trajets par jour."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.CASCADE, related_name="lignes", verbose_name="ordre de mission"
    )
    trajet_habituel = models.ForeignKey(
        TrajetHabituel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="trajet habituel",
    )
    depart = models.CharField("départ", max_length=3, choices=Depart.choices, default=Depart.ADMINISTRATIVE)
    commune_depart = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="de")
    commune_arrivee = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="à")
    km_aller = models.DecimalField("kilomètres (aller)", **KM)
    trajets_par_jour = models.PositiveSmallIntegerField("trajets par jour", default=2)
    commentaire = models.CharField("commentaire (horaires de mission)", max_length=250, blank=True)
    montant = models.DecimalField("montant figé", **MONEY, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "ligne de trajet"
        verbose_name_plural = "lignes de trajets"
        ordering = ["ordre", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(km_aller__gte=0), name="ligne_trajet_km_positif"),
            models.CheckConstraint(condition=Q(trajets_par_jour__gte=1), name="ligne_trajet_au_moins_un"),
        ]

    # Le commentaire : les dates (« L 5, 12 octobre »), puis, après ce séparateur, les horaires de mission saisis.
    SEPARATEUR_HORAIRES = " — "

    def __str__(self):
        return f"{self.commune_depart.nom} → {self.commune_arrivee.nom}"

    @property
    def horaires(self) -> str:
        """Les horaires de mission saisis sur la ligne (ce qui suit « — » dans son commentaire), tels quels."""
        _, separateur, horaires = self.commentaire.partition(self.SEPARATEUR_HORAIRES)
        return horaires if separateur else ""


class JourTrajet(models.Model):
    ligne = models.ForeignKey(LigneTrajet, on_delete=models.CASCADE, related_name="jours", verbose_name="ligne")
    date = models.DateField("date")

    class Meta:
        verbose_name = "jour de trajet"
        verbose_name_plural = "jours de trajet"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["ligne", "date"], name="jour_trajet_unique")]

    def __str__(self):
        return self.date.isoformat()


class Frais(models.Model):
    """Un repas, un péage, un stationnement ou un ticket de transport, avec sa date et son justificatif."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.CASCADE, related_name="frais", verbose_name="ordre de mission"
    )
    type = models.CharField("type", max_length=20, choices=TypeFrais.choices)
    date = models.DateField("date")
    type_repas = models.CharField("repas", max_length=15, choices=TypeRepas.choices, blank=True)
    montant = models.DecimalField(
        "montant payé", **MONEY, null=True, blank=True, help_text="Pour un péage, un stationnement ou un ticket."
    )
    justificatif = models.FileField("justificatif", upload_to="justificatifs/%Y/%m/", blank=True)
    commentaire = models.CharField("commentaire", max_length=250, blank=True)

    class Meta:
        verbose_name = "frais"
        verbose_name_plural = "frais"
        ordering = ["ordre", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(montant__isnull=True) | Q(montant__gte=0), name="frais_montant_positif"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date:%d/%m/%Y}"


class Absence(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="absences", verbose_name="agent")
    date_debut = models.DateField("du")
    date_fin = models.DateField("au")
    motif = models.CharField("motif", max_length=200, blank=True)

    class Meta:
        verbose_name = "absence"
        verbose_name_plural = "absences"
        ordering = ["agent", "date_debut"]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gte=F("date_debut")), name="absence_fin_apres_debut")
        ]

    def __str__(self):
        return f"{self.date_debut:%d/%m/%Y} – {self.date_fin:%d/%m/%Y}"


class PieceJointe(models.Model):
    """Une pièce de l'agent (arrêté, emploi du temps, AUVP…), réutilisée d'un OMP à l'autre."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="pieces", verbose_name="agent")
    type = models.CharField("type", max_length=30, choices=TypePiece.choices)
    fichier = models.FileField("fichier", upload_to="pieces/%Y/")
    valide_jusqu_au = models.DateField("valable jusqu'au", null=True, blank=True)
    ordres = models.ManyToManyField(OrdreMission, related_name="pieces", blank=True, verbose_name="ordres de mission")
    created_at = models.DateTimeField("déposée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["agent", "type", "-created_at"]

    def __str__(self):
        return self.get_type_display()


class PeriodeVacances(models.Model):
    """Vacances scolaires saisies par l'académie, là où la bibliothèque des zones A, B, C ne suffit pas."""

    departement = models.CharField("département", max_length=3, help_text="Par exemple 972 pour la Martinique.")
    libelle = models.CharField("libellé", max_length=100)
    date_debut = models.DateField("premier jour de vacances")
    date_fin = models.DateField("dernier jour de vacances")

    class Meta:
        verbose_name = "période de vacances scolaires"
        verbose_name_plural = "vacances scolaires saisies (outre-mer, Corse, fermetures)"
        ordering = ["departement", "date_debut"]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gte=F("date_debut")), name="vacances_fin_apres_debut")
        ]

    def __str__(self):
        return f"{self.libelle} ({self.departement}) : {self.date_debut:%d/%m/%Y} – {self.date_fin:%d/%m/%Y}"


# --- OM ponctuels : lieux, étapes, titres de transport, politique de voyage -----------------------------------------


class Sejour(models.Model):
    """Un lieu de la mission à partir d'une date et d'une heure (avant le premier : la destination principale).

    Chaque étape prend le lieu où l'agent se trouve au début de sa plage horaire, donc le taux de ce lieu.
    """

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.CASCADE, related_name="sejours", verbose_name="ordre de mission"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    arrivee_le = models.DateTimeField("à partir du")

    class Meta:
        verbose_name = "lieu de séjour"
        verbose_name_plural = "lieux de séjour"
        ordering = ["ordre", "arrivee_le", "pk"]
        constraints = [models.UniqueConstraint(fields=["ordre", "arrivee_le"], name="sejour_un_lieu_a_la_fois")]

    def __str__(self):
        return f"{self.commune.nom} à partir du {self.arrivee_le:%d/%m/%Y %H:%M}"


class EtapeBase(models.Model):
    """Un repas ou une nuitée dus pendant une mission et la façon dont l'agent le prend : prévu sur l'ordre
    (`Etape`) ou réel sur l'état de frais (`validation.EtapeEtatFrais`), mêmes champs et mêmes règles.

    `ajuste` : l'agent a changé le mode proposé ; une nouvelle génération garde ce choix tant que l'étape reste due.
    Une nuitée est datée du jour où finit sa plage de 0 h à 5 h (la nuit du 24 au 25 est datée du 25).
    """

    type = models.CharField("étape", max_length=10, choices=TypeEtape.choices)
    date = models.DateField("date", help_text="Pour une nuitée, le jour où elle finit.")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="lieu")
    mode = models.CharField("prise en charge", max_length=20, choices=ModeEtape.choices)
    ajuste = models.BooleanField("choix modifié par l'agent", default=False)
    commentaire = models.CharField("commentaire", max_length=250, blank=True)

    # Le mode doit convenir au type : une nuitée se paie sur facture ou est fournie, un repas a ses quatre modes.
    MODE_SELON_TYPE = (Q(type=TypeEtape.NUITEE) & Q(mode__in=MODES_NUITEE)) | (
        ~Q(type=TypeEtape.NUITEE) & Q(mode__in=MODES_REPAS)
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.libelle

    @property
    def est_nuitee(self) -> bool:
        return self.type == TypeEtape.NUITEE

    @property
    def mode_par_defaut(self) -> str:
        return ModeEtape.PAYANTE if self.est_nuitee else ModeEtape.PLEIN

    @property
    def libelle(self) -> str:
        """« déjeuner du 25 octobre 2012 », « nuit du 24 au 25 octobre 2012 »."""
        if self.est_nuitee:
            veille = self.date - datetime.timedelta(days=1)
            if veille.month == self.date.month:
                debut = "1er" if veille.day == 1 else str(veille.day)
            elif veille.year == self.date.year:
                debut = date_fr(veille).rsplit(" ", 1)[0]
            else:
                debut = date_fr(veille)
            return f"nuit du {debut} au {date_fr(self.date)}"
        return f"{self.get_type_display().lower()} du {date_fr(self.date)}"


class Etape(EtapeBase):
    """Une étape prévue sur l'ordre de mission ponctuel, générée à partir de ses horaires."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.CASCADE, related_name="etapes", verbose_name="ordre de mission"
    )

    class Meta:
        verbose_name = "étape"
        verbose_name_plural = "étapes"
        ordering = ["ordre", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ordre", "type", "date"], name="etape_une_par_type_et_jour"),
            models.CheckConstraint(condition=EtapeBase.MODE_SELON_TYPE, name="etape_mode_selon_type"),
        ]


class DemandeBillet(models.Model):
    """Une demande de titre de transport (aller ou retour), transmise à l'agence de voyage une fois l'ordre validé."""

    ordre = models.ForeignKey(
        OrdreMission, on_delete=models.CASCADE, related_name="demandes_billets", verbose_name="ordre de mission"
    )
    sens = models.CharField("trajet", max_length=6, choices=SensTrajet.choices)
    gare_depart = models.CharField("gare de départ", max_length=100)
    gare_arrivee = models.CharField("gare d'arrivée", max_length=100)
    date = models.DateField("date du voyage")
    heure_min = models.TimeField("heure au plus tôt", help_text="Départ du train à l'aller, arrivée au retour.")
    heure_max = models.TimeField("heure au plus tard")
    classe = models.CharField("classe", max_length=1, choices=ClasseTrain.choices, default=ClasseTrain.SECONDE)
    cartes = models.CharField(
        "cartes de réduction et abonnements", max_length=250, blank=True, help_text="Nature, numéro, taux de réduction."
    )
    e_billet = models.BooleanField("e-billet (à imprimer soi-même)", default=True)
    cout_estime = models.DecimalField("coût prévisionnel, frais d'agence compris", **MONEY)
    commentaire = models.CharField("commentaire", max_length=250, blank=True)
    transmise_le = models.DateTimeField("transmise à l'agence le", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "demande de titre de transport"
        verbose_name_plural = "demandes de titres de transport"
        ordering = ["ordre", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ordre", "sens"], name="demande_billet_une_par_sens"),
            models.CheckConstraint(condition=Q(heure_max__gte=F("heure_min")), name="demande_billet_plage_ordonnee"),
            models.CheckConstraint(condition=Q(cout_estime__gte=0), name="demande_billet_cout_positif"),
        ]

    def __str__(self):
        return f"{self.get_sens_display()} {self.gare_depart} → {self.gare_arrivee} du {self.date:%d/%m/%Y}"


class Billet(models.Model):
    """Un titre de transport acheté par l'agence de voyage pour une demande."""

    demande = models.ForeignKey(DemandeBillet, on_delete=models.CASCADE, related_name="billets", verbose_name="demande")
    reference = models.CharField("référence du dossier ou du billet", max_length=60)
    cout = models.DecimalField("coût facturé", **MONEY)
    fichier = models.FileField("billet", upload_to="billets/%Y/", blank=True)
    enregistre_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="enregistré par"
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "titre de transport émis"
        verbose_name_plural = "titres de transport émis"
        ordering = ["demande", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(cout__gte=0), name="billet_cout_positif")]

    def __str__(self):
        return f"Billet {self.reference}"


class PolitiqueVoyage(models.Model):
    """La politique de voyage de l'académie : réglages tenus par les administrateurs (une seule ligne, pk = 1)."""

    classe_par_defaut = models.CharField(
        "classe par défaut", max_length=1, choices=ClasseTrain.choices, default=ClasseTrain.SECONDE
    )
    derogation_libelle = models.CharField(
        "dérogation pour la 1re classe",
        max_length=250,
        blank=True,
        help_text="Par exemple : IA-IPR et IEN-ET convoqués à Paris, aller et retour dans la journée.",
    )
    derogation_categories = models.JSONField(
        "catégories concernées par la dérogation", default=list, blank=True, help_text="Aucune : pas de dérogation."
    )
    derogation_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="destination de la dérogation",
        help_text="Vide : toute destination.",
    )
    derogation_meme_journee = models.BooleanField(
        "dérogation réservée à l'aller et retour dans la journée", default=True
    )
    parking_heures_max = models.PositiveSmallIntegerField("stationnement : durée prise en charge (heures)", default=48)
    parking_plafond_jour = models.DecimalField(
        "stationnement : plafond par jour de mission (€)", max_digits=6, decimal_places=2, default=Decimal("16.00")
    )
    tickets_par_jour = models.PositiveSmallIntegerField("bus, métro : tickets par jour de mission", default=2)
    delai_acces_gare = models.PositiveSmallIntegerField(
        "délai forfaitaire d'accès à la gare (minutes)",
        default=60,
        help_text="Ajouté avant le départ et après le retour quand les horaires sont ceux du train.",
    )
    pourcentage_repas_reduit = models.PositiveSmallIntegerField("repas au taux réduit (% du taux plein)", default=50)
    taux_km_transport_public = models.DecimalField(
        "base transports en commun (€ par km)",
        max_digits=5,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Taux des indemnités kilométriques payées sur la base du tarif SNCF de 2de classe.",
    )
    enveloppes_avec_axe = models.ManyToManyField(
        EnveloppeBudgetaire,
        blank=True,
        related_name="+",
        verbose_name="enveloppes qui exigent un axe analytique",
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifiée par",
    )

    class Meta:
        verbose_name = "politique de voyage"
        verbose_name_plural = "politique de voyage"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="politique_voyage_unique"),
            models.CheckConstraint(condition=Q(parking_plafond_jour__gte=0), name="politique_parking_positif"),
            models.CheckConstraint(
                condition=Q(taux_km_transport_public__isnull=True) | Q(taux_km_transport_public__gt=0),
                name="politique_taux_km_positif",
            ),
            models.CheckConstraint(condition=Q(pourcentage_repas_reduit__lte=100), name="politique_repas_reduit_max"),
        ]

    def __str__(self):
        return "Politique de voyage de l'académie"

    @classmethod
    def courante(cls) -> "PolitiqueVoyage":
        """Les réglages enregistrés, ou ceux par défaut (non enregistrés) tant qu'un administrateur n'y a pas touché."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
