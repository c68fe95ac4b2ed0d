"""Interface d'administration des comptes, des référentiels et des fiches agents."""

from auditlog.registry import auditlog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from agents.enums import Role
from agents.models import (
    Agent,
    CentreCouts,
    Commune,
    DomaineFonctionnel,
    EnveloppeBudgetaire,
    Etablissement,
    Gestionnaire,
    Limitrophe,
    PerimetreGestionnaire,
    ServiceGestionnaire,
    User,
    Vehicule,
)

# Les changements de fiche (coordonnées bancaires comprises) sont tracés ; l'IBAN n'apparaît que masqué dans le journal.
auditlog.register(
    Agent,
    exclude_fields=["updated_at"],
    mask_fields=["iban"],
    mask_callable="agents.validators.mask_iban",
    m2m_fields={"valideurs"},
)


# --- Comptes ---------------------------------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserModificationForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "first_name",
            "last_name",
            "is_active",
            "is_valideur",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserModificationForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        (
            "Rôles et droits",
            {"fields": ("is_active", "is_valideur", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("last_name", "first_name", "email", "roles_affiches", "is_active")
    list_display_links = ("last_name", "first_name", "email")
    list_filter = ("is_valideur", "is_staff", "is_active")
    list_select_related = ("agent", "gestionnaire")
    search_fields = ("last_name", "first_name", "email")
    ordering = ("last_name", "first_name", "email")
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="rôles")
    def roles_affiches(self, user):
        return ", ".join(Role(role).label for role in user.roles) or "—"


# --- Communes et établissements -------------------------------------------------------------------------------------


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("insee", "nom", "departement", "population", "arrondissement_de")
    list_filter = ("departement",)
    list_select_related = ("arrondissement_de",)
    search_fields = ("nom", "=insee", "codes_postaux")
    raw_id_fields = ("arrondissement_de",)
    readonly_fields = ("communes_limitrophes",)
    show_full_result_count = False

    @admin.display(description="communes limitrophes")
    def communes_limitrophes(self, commune):
        if not commune.pk:
            return "—"
        nombre = Limitrophe.objects.filter(Q(commune_a=commune) | Q(commune_b=commune)).count()
        url = reverse("admin:agents_limitrophe_changelist") + "?" + urlencode({"q": commune.insee})
        return format_html('<a href="{}">{} paire(s) de communes limitrophes</a>', url, nombre)


class LimitropheAdminForm(forms.ModelForm):
    class Meta:
        model = Limitrophe
        fields = ("commune_a", "commune_b", "contact", "desservie_transports_publics")

    def clean(self):
        """Range la paire dans l'ordre des codes INSEE, comme l'exige la contrainte d'unicité de la paire."""
        cleaned_data = super().clean()
        commune_a, commune_b = cleaned_data.get("commune_a"), cleaned_data.get("commune_b")
        if commune_a and commune_b:
            if commune_a.pk == commune_b.pk:
                raise ValidationError({"commune_b": "Une commune ne peut pas être limitrophe d'elle-même."})
            if commune_a.pk > commune_b.pk:
                cleaned_data["commune_a"], cleaned_data["commune_b"] = commune_b, commune_a
        return cleaned_data


@admin.register(Limitrophe)
class LimitropheAdmin(admin.ModelAdmin):
    form = LimitropheAdminForm
    list_display = ("commune_a", "commune_b", "contact", "desservie_transports_publics")
    list_editable = ("desservie_transports_publics",)
    list_filter = ("desservie_transports_publics", "contact")
    list_select_related = ("commune_a", "commune_b")
    search_fields = ("=commune_a__insee", "=commune_b__insee", "commune_a__nom", "commune_b__nom")
    autocomplete_fields = ("commune_a", "commune_b")
    show_full_result_count = False


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ("uai", "nom", "type", "commune")
    list_filter = ("type", ("commune__departement", admin.AllValuesFieldListFilter))
    list_select_related = ("commune",)
    search_fields = ("uai", "nom")
    autocomplete_fields = ("commune",)


# --- Référentiels budgétaires ----------------------------------------------------------------------------------------


class ReferentielBudgetaireAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle", "actif")
    list_editable = ("actif",)
    list_filter = ("actif",)
    search_fields = ("code", "libelle")


admin.site.register(EnveloppeBudgetaire, ReferentielBudgetaireAdmin)
admin.site.register(CentreCouts, ReferentielBudgetaireAdmin)
admin.site.register(DomaineFonctionnel, ReferentielBudgetaireAdmin)


# --- Gestion ---------------------------------------------------------------------------------------------------------


@admin.register(ServiceGestionnaire)
class ServiceGestionnaireAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "email")
    search_fields = ("code", "nom", "email")


class PerimetreGestionnaireInline(admin.TabularInline):
    model = PerimetreGestionnaire
    extra = 1


@admin.register(Gestionnaire)
class GestionnaireAdmin(admin.ModelAdmin):
    list_display = ("user", "service", "est_agence_voyage")
    list_filter = ("service", "est_agence_voyage")
    list_select_related = ("user", "service")
    search_fields = ("user__last_name", "user__first_name", "user__email")
    autocomplete_fields = ("user", "service")
    inlines = [PerimetreGestionnaireInline]


@admin.register(PerimetreGestionnaire)
class PerimetreGestionnaireAdmin(admin.ModelAdmin):
    list_display = ("gestionnaire", "categorie", "departement")
    list_filter = ("categorie", "departement")
    list_select_related = ("gestionnaire__user",)
    search_fields = ("gestionnaire__user__last_name", "gestionnaire__user__email", "=departement")
    autocomplete_fields = ("gestionnaire",)


# --- Agents et véhicules ---------------------------------------------------------------------------------------------


class VehiculeInline(admin.StackedInline):
    model = Vehicule
    extra = 0
    fields = (
        ("immatriculation", "type", "puissance_fiscale"),
        "assurance_valide_jusqu_au",
        ("auvp_debut", "auvp_fin"),
        "actif",
    )


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "email", "categorie", "residence_administrative", "service_gestionnaire", "iban_liste")
    list_filter = (
        "categorie",
        "service_gestionnaire",
        ("residence_administrative__commune__departement", admin.AllValuesFieldListFilter),
        "rqth",
    )
    list_select_related = ("user", "residence_administrative", "service_gestionnaire")
    search_fields = ("user__last_name", "user__first_name", "user__email", "email_secondaire")
    autocomplete_fields = (
        "user",
        "residence_administrative",
        "commune_familiale",
        "enveloppe_budgetaire",
        "centre_couts",
        "domaine_fonctionnel",
        "service_gestionnaire",
    )
    filter_horizontal = ("valideurs",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        ("Identité et contact", {"fields": ("user", "civilite", "date_naissance", "email_secondaire", "telephone")}),
        (
            "Tenu par l'administration",
            {
                "fields": (
                    "categorie",
                    "rqth",
                    "residence_administrative",
                    "service_gestionnaire",
                    "valideurs",
                    "enveloppe_budgetaire",
                    "centre_couts",
                    "domaine_fonctionnel",
                )
            },
        ),
        ("Résidence familiale", {"fields": ("adresse_familiale", "commune_familiale")}),
        ("Coordonnées bancaires", {"fields": ("iban", "bic", "titulaire_compte")}),
        ("Suivi", {"fields": ("updated_at",)}),
    )
    inlines = [VehiculeInline]

    @admin.display(description="adresse électronique", ordering="user__email")
    def email(self, agent):
        return agent.user.email

    @admin.display(description="IBAN")
    def iban_liste(self, agent):
        return agent.iban_masque or "—"


@admin.register(Vehicule)
class VehiculeAdmin(admin.ModelAdmin):
    list_display = ("immatriculation", "type", "puissance_fiscale", "agent", "assurance_valide_jusqu_au", "actif")
    list_filter = ("type", "actif")
    list_select_related = ("agent__user",)
    search_fields = ("immatriculation", "agent__user__last_name", "agent__user__first_name", "agent__user__email")
    autocomplete_fields = ("agent",)
