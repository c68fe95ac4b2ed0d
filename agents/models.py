import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agents import validators
from agents.enums import Categorie, Civilite, Contact, Role, TypeEtablissement, TypeVehicule


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Une personne qui se connecte ; ses rôles disent quels espaces elle voit."""

    email = models.EmailField("adresse électronique professionnelle", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    is_valideur = models.BooleanField(
        "valideur hiérarchique (VH1)",
        default=False,
        help_text="Chef d'établissement, inspecteur ou coordonnateur qui valide des ordres de mission.",
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "administrateur", default=False, help_text="Accède à l'espace Administration et à l'interface d'administration."
    )
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]
        # Le tri des files de validation « par agent » suit cet ordre : un index évite de trier toute la table.
        indexes = [models.Index(fields=["last_name", "first_name"], name="user_nom_idx")]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def is_agent(self) -> bool:
        return hasattr(self, "agent")

    @property
    def is_gestionnaire(self) -> bool:
        return hasattr(self, "gestionnaire")

    @property
    def roles(self) -> list[str]:
        flags = {
            Role.AGENT: self.is_agent,
            Role.VH1: self.is_valideur,
            Role.GESTIONNAIRE: self.is_gestionnaire,
            Role.ADMIN: self.is_staff,
        }
        return [role for role, held in flags.items() if held]


class Commune(models.Model):
    insee = models.CharField("code INSEE", max_length=5, primary_key=True, validators=[validators.validate_insee])
    nom = models.CharField("nom", max_length=100)
    departement = models.CharField("département", max_length=3, db_index=True)
    codes_postaux = models.CharField("codes postaux", max_length=400, blank=True, help_text="Séparés par « ; ».")
    latitude = models.DecimalField("latitude", max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField("longitude", max_digits=8, decimal_places=5, null=True, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    arrondissement_de = models.ForeignKey(
        "self",
        verbose_name="arrondissement de",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrondissements",
    )
    limitrophes = models.ManyToManyField(
        "self", through="Limitrophe", symmetrical=False, related_name="+", blank=True, verbose_name="limitrophes"
    )

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["nom", "insee"]
        indexes = [models.Index(fields=["nom"], name="commune_nom_idx")]

    def __str__(self):
        return f"{self.nom} ({self.departement})"

    @property
    def commune_de_rattachement(self) -> "Commune":
        """Un arrondissement municipal compte pour sa commune (Paris, Lyon, Marseille)."""
        return self.arrondissement_de if self.arrondissement_de_id else self

    @property
    def liste_codes_postaux(self) -> list[str]:
        return [code for code in self.codes_postaux.split(";") if code]


class Limitrophe(models.Model):
    """Deux communes qui se touchent ; desservies par les transports publics, elles comptent comme une seule."""

    commune_a = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name="commune A")
    commune_b = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name="commune B")
    contact = models.CharField("contact", max_length=5, choices=Contact.choices, default=Contact.LIGNE)
    desservie_transports_publics = models.BooleanField(
        "desservie par les transports publics",
        default=True,
        help_text="Décret 2006-781, art. 2 : des communes limitrophes desservies comptent comme une seule commune.",
    )

    class Meta:
        verbose_name = "paire de communes limitrophes"
        verbose_name_plural = "communes limitrophes"
        ordering = ["commune_a", "commune_b"]
        constraints = [
            models.UniqueConstraint(fields=["commune_a", "commune_b"], name="limitrophe_paire_unique"),
            models.CheckConstraint(condition=Q(commune_a__lt=models.F("commune_b")), name="limitrophe_paire_ordonnee"),
        ]

    def __str__(self):
        return f"{self.commune_a_id} – {self.commune_b_id}"


class Etablissement(models.Model):
    uai = models.CharField("code UAI", max_length=8, unique=True, validators=[validators.validate_uai])
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=10, choices=TypeEtablissement.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="etablissements", verbose_name="commune"
    )
    adresse = models.CharField("adresse", max_length=250, blank=True)

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        ordering = ["nom", "uai"]

    def __str__(self):
        return f"{self.nom} ({self.uai})"


class ReferentielBudgetaire(models.Model):
    code = models.CharField("code", max_length=30, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.libelle}"


class EnveloppeBudgetaire(ReferentielBudgetaire):
    class Meta(ReferentielBudgetaire.Meta):
        verbose_name = "enveloppe budgétaire"
        verbose_name_plural = "enveloppes budgétaires"


class CentreCouts(ReferentielBudgetaire):
    class Meta(ReferentielBudgetaire.Meta):
        verbose_name = "centre de coûts"
        verbose_name_plural = "centres de coûts"


class DomaineFonctionnel(ReferentielBudgetaire):
    class Meta(ReferentielBudgetaire.Meta):
        verbose_name = "domaine fonctionnel"
        verbose_name_plural = "domaines fonctionnels"


class ServiceGestionnaire(models.Model):
    code = models.CharField("code", max_length=30, unique=True)
    nom = models.CharField("nom", max_length=200)
    email = models.EmailField("adresse électronique du service", blank=True)

    class Meta:
        verbose_name = "service gestionnaire"
        verbose_name_plural = "services gestionnaires"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Gestionnaire(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="gestionnaire", verbose_name="utilisateur")
    service = models.ForeignKey(
        ServiceGestionnaire, on_delete=models.PROTECT, related_name="gestionnaires", verbose_name="service gestionnaire"
    )
    est_agence_voyage = models.BooleanField(
        "agence de voyage / cellule billetterie",
        default=False,
        help_text="Enregistre les titres de transport achetés pour les ordres validés de son périmètre.",
    )

    class Meta:
        verbose_name = "gestionnaire"
        verbose_name_plural = "gestionnaires"
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return str(self.user)


class PerimetreGestionnaire(models.Model):
    """Une règle du périmètre : les agents d'une catégorie et/ou d'un département (vide = tous)."""

    gestionnaire = models.ForeignKey(
        Gestionnaire, on_delete=models.CASCADE, related_name="perimetres", verbose_name="gestionnaire"
    )
    categorie = models.CharField("catégorie d'agents", max_length=30, choices=Categorie.choices, blank=True)
    departement = models.CharField(
        "département de la résidence administrative", max_length=3, blank=True, help_text="Code, par exemple 06 ou 972."
    )

    class Meta:
        verbose_name = "règle de périmètre"
        verbose_name_plural = "périmètre"
        ordering = ["gestionnaire", "categorie", "departement"]
        constraints = [
            models.UniqueConstraint(fields=["gestionnaire", "categorie", "departement"], name="perimetre_regle_unique")
        ]

    def __str__(self):
        categorie = self.get_categorie_display() or "toutes catégories"
        departement = f"département {self.departement}" if self.departement else "tous départements"
        return f"{categorie}, {departement}"

    def as_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.categorie:
            q &= Q(**{f"{prefix}categorie": self.categorie})
        if self.departement:
            q &= Q(**{f"{prefix}residence_administrative__commune__departement": self.departement})
        return q


class Agent(models.Model):
    """La fiche profil : ce que l'agent peut modifier, et ce que l'administration lui attribue."""

    # Champs tenus par l'administration, en lecture seule pour l'agent.
    CHAMPS_ADMINISTRATION = (
        "categorie",
        "residence_administrative",
        "enveloppe_budgetaire",
        "centre_couts",
        "domaine_fonctionnel",
        "service_gestionnaire",
        "valideurs",
        "rqth",
    )

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent", verbose_name="utilisateur")
    civilite = models.CharField("civilité", max_length=3, choices=Civilite.choices)
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    email_secondaire = models.EmailField("seconde adresse électronique", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    categorie = models.CharField("catégorie", max_length=30, choices=Categorie.choices)
    rqth = models.BooleanField(
        "travailleur handicapé à mobilité réduite (RQTH)",
        default=False,
        help_text="Ouvre droit au taux de nuitée RQTH en toutes circonstances.",
    )
    residence_administrative = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="agents", verbose_name="résidence administrative"
    )
    adresse_familiale = models.CharField("adresse de la résidence familiale", max_length=250, blank=True)
    commune_familiale = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune de la résidence familiale"
    )
    iban = models.CharField("IBAN", max_length=34, blank=True, validators=[validators.validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validators.validate_bic])
    titulaire_compte = models.CharField("titulaire du compte", max_length=140, blank=True)
    enveloppe_budgetaire = models.ForeignKey(
        EnveloppeBudgetaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enveloppe budgétaire par défaut",
    )
    centre_couts = models.ForeignKey(
        CentreCouts,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="centre de coûts par défaut",
    )
    domaine_fonctionnel = models.ForeignKey(
        DomaineFonctionnel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="domaine fonctionnel par défaut",
    )
    service_gestionnaire = models.ForeignKey(
        ServiceGestionnaire, on_delete=models.PROTECT, related_name="agents", verbose_name="service gestionnaire"
    )
    valideurs = models.ManyToManyField(
        User,
        related_name="agents_valides",
        blank=True,
        verbose_name="valideurs hiérarchiques (VH1)",
        limit_choices_to={"is_valideur": True},
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "agent"
        verbose_name_plural = "agents"
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return str(self.user)

    def clean(self):
        super().clean()
        self.iban = validators.normalize_iban(self.iban)
        self.bic = (self.bic or "").replace(" ", "").upper()
        if bool(self.iban) != bool(self.bic):
            raise ValidationError({"bic" if self.iban else "iban": "Renseignez l'IBAN et le BIC ensemble."})

    @property
    def iban_masque(self) -> str:
        return validators.mask_iban(self.iban)

    @property
    def has_coordonnees_bancaires(self) -> bool:
        return bool(self.iban and self.bic)


class Vehicule(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="vehicules", verbose_name="agent")
    immatriculation = models.CharField("immatriculation", max_length=12)
    type = models.CharField("type", max_length=15, choices=TypeVehicule.choices, default=TypeVehicule.VOITURE)
    puissance_fiscale = models.PositiveSmallIntegerField(
        "puissance fiscale (CV)", null=True, blank=True, help_text="Case P.6 du certificat d'immatriculation."
    )
    assurance_valide_jusqu_au = models.DateField("assurance valide jusqu'au")
    auvp_debut = models.DateField("AUVP valide du", null=True, blank=True)
    auvp_fin = models.DateField("AUVP valide jusqu'au", null=True, blank=True)
    actif = models.BooleanField(
        "véhicule utilisé pour les indemnités kilométriques",
        default=True,
        help_text="Un seul véhicule est actif à la fois.",
    )

    class Meta:
        verbose_name = "véhicule"
        verbose_name_plural = "véhicules"
        ordering = ["-actif", "immatriculation"]
        constraints = [
            models.UniqueConstraint(fields=["agent"], condition=Q(actif=True), name="vehicule_un_seul_actif"),
            models.CheckConstraint(
                condition=Q(auvp_fin__isnull=True)
                | Q(auvp_debut__isnull=True)
                | Q(auvp_fin__gte=models.F("auvp_debut")),
                name="vehicule_auvp_fin_apres_debut",
            ),
            models.CheckConstraint(
                condition=~Q(type="voiture") | Q(puissance_fiscale__isnull=False, puissance_fiscale__gte=1),
                name="vehicule_voiture_puissance_fiscale",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.immatriculation}"

    def clean(self):
        super().clean()
        self.immatriculation = (self.immatriculation or "").upper().strip()
        errors = {}
        if self.type == TypeVehicule.VOITURE and not self.puissance_fiscale:
            errors["puissance_fiscale"] = "Indiquez la puissance fiscale d'une voiture : elle fixe le barème."
        if self.actif and self.assurance_valide_jusqu_au and self.assurance_valide_jusqu_au < datetime.date.today():
            errors["assurance_valide_jusqu_au"] = (
                "L'assurance de ce véhicule est expirée : un véhicule utilisé pour les indemnités "
                "kilométriques doit être assuré."
            )
        if self.auvp_debut and self.auvp_fin and self.auvp_fin < self.auvp_debut:
            errors["auvp_fin"] = "La fin de l'autorisation doit suivre son début."
        if self.actif and self.agent_id:
            autres_actifs = Vehicule.objects.filter(agent_id=self.agent_id, actif=True).exclude(pk=self.pk)
            if autres_actifs.exists():
                errors["actif"] = (
                    "Un autre véhicule est déjà utilisé pour les indemnités kilométriques : "
                    "désactivez-le d'abord, un seul véhicule est actif à la fois."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def classe_bareme(self) -> str:
        """La classe du barème IK : 5cv_et_moins, 6_7cv, 8cv_et_plus, plus_de_125cm3 ou autres_vehicules_a_moteur."""
        if self.type == TypeVehicule.MOTOCYCLETTE:
            return "plus_de_125cm3"
        if self.type == TypeVehicule.VELOMOTEUR:
            return "autres_vehicules_a_moteur"
        if (self.puissance_fiscale or 0) <= 5:
            return "5cv_et_moins"
        if self.puissance_fiscale <= 7:
            return "6_7cv"
        return "8cv_et_plus"
