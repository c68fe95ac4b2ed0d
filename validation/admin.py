"""Interface d'administration : historique (lecture seule), circuits, délégations et notifications."""

from auditlog.registry import auditlog
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from validation import delegations
from validation.models import (
    AjustementEtatFrais,
    CircuitValidation,
    Delegation,
    DotationBudgetaire,
    ElementLot,
    EtapeEtatFrais,
    EtatFrais,
    FraisEtatFrais,
    HistoriqueEtatFrais,
    HistoriqueTransition,
    JustificatifEtatFrais,
    LigneEtatFrais,
    LotPaiement,
    Notification,
)

# Qui a changé un circuit ou donné une délégation reste tracé.
auditlog.register(CircuitValidation)
auditlog.register(Delegation)


@admin.register(HistoriqueTransition)
class HistoriqueTransitionAdmin(admin.ModelAdmin):
    """Consultable seulement : une ligne d'historique ne s'ajoute, ne se modifie ni ne se supprime ici."""

    list_display = ("created_at", "ordre", "transition", "source", "cible", "par", "pour_le_compte_de")
    list_filter = ("transition", "cible")
    search_fields = ("=ordre__id", "par__email", "par__last_name", "pour_le_compte_de__email")
    list_select_related = ("ordre", "par", "pour_le_compte_de")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CircuitValidation)
class CircuitValidationAdmin(admin.ModelAdmin):
    list_display = ("categorie", "etapes")
    list_editable = ("etapes",)


class DelegationAdminForm(forms.ModelForm):
    """À la création, les mêmes règles que sur la page « Délégations »."""

    class Meta:
        model = Delegation
        fields = ("delegant", "delegataire", "role", "date_debut", "date_fin")

    def clean(self):
        cleaned = super().clean()
        champs = ("delegant", "delegataire", "role", "date_debut", "date_fin")
        if self.instance.pk is None and all(cleaned.get(champ) for champ in champs):
            erreurs = delegations.erreurs_delegation(
                **{champ: cleaned[champ] for champ in champs}, aujourd_hui=timezone.localdate()
            )
            if erreurs:
                raise ValidationError(erreurs)
        return cleaned


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Créée ici ou par le délégant ; ensuite on ne la modifie pas, on y met fin (action « Terminer »)."""

    form = DelegationAdminForm
    list_display = ("delegant", "delegataire", "role", "date_debut", "date_fin", "terminee_le")
    list_filter = ("role", "date_debut")
    search_fields = ("delegant__email", "delegant__last_name", "delegataire__email", "delegataire__last_name")
    list_select_related = ("delegant", "delegataire")
    autocomplete_fields = ("delegant", "delegataire")
    actions = ["terminer"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("delegant", "delegataire", "role", "date_debut", "date_fin", "terminee_le", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            delegations.notifier_nouvelle_delegation(obj)

    @admin.action(description="Terminer maintenant les délégations sélectionnées")
    def terminer(self, request, queryset):
        terminees = 0
        for delegation in queryset.order_by("pk"):
            try:
                delegations.terminer_delegation(delegation=delegation, par=request.user)
            except delegations.DelegationRefusee as refus:
                self.message_user(request, f"{delegation} : {' '.join(refus.messages)}", messages.WARNING)
            else:
                terminees += 1
        if terminees:
            self.message_user(request, f"{terminees} délégation(s) terminée(s).", messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Écrites par le portail (transitions, délégations, rappels) : on les consulte, on ne les rédige pas ici."""

    list_display = ("created_at", "destinataire", "message", "lue_le")
    list_filter = (("lue_le", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("destinataire__email", "destinataire__last_name", "message")
    list_select_related = ("destinataire",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- États de frais, lots de paiement, dotations --------------------------------------------------------------------------


class LectureSeuleMixin:
    """Écrits par le portail (services de `validation.etats_frais` et `validation.paiement`) : consultés ici."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LigneEtatFraisInline(LectureSeuleMixin, admin.TabularInline):
    model = LigneEtatFrais
    fields = ("position", "nature", "date", "libelle", "km", "taux", "bareme", "montant_initial", "montant")
    readonly_fields = fields
    extra = 0


class AjustementEtatFraisInline(LectureSeuleMixin, admin.TabularInline):
    model = AjustementEtatFrais
    fields = ("created_at", "ligne", "montant_avant", "montant_apres", "motif", "par")
    readonly_fields = fields
    extra = 0


class HistoriqueEtatFraisInline(LectureSeuleMixin, admin.TabularInline):
    model = HistoriqueEtatFrais
    fields = ("created_at", "transition", "source", "cible", "par", "pour_le_compte_de", "commentaire")
    readonly_fields = fields
    extra = 0


class EtapeEtatFraisInline(LectureSeuleMixin, admin.TabularInline):
    model = EtapeEtatFrais
    fields = ("date", "type", "commune", "mode", "ajuste", "commentaire")
    readonly_fields = fields
    extra = 0


class FraisEtatFraisInline(LectureSeuleMixin, admin.TabularInline):
    model = FraisEtatFrais
    fields = ("date", "type", "montant", "commentaire")
    readonly_fields = fields
    extra = 0


class JustificatifEtatFraisInline(LectureSeuleMixin, admin.TabularInline):
    model = JustificatifEtatFrais
    fields = ("created_at", "libelle", "depose_par")
    readonly_fields = fields
    extra = 0


@admin.register(EtatFrais)
class EtatFraisAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("numero", "agent", "mois", "etat", "montant_total", "enveloppe_budgetaire")
    list_filter = ("etat", "mois", "enveloppe_budgetaire")
    search_fields = ("=id", "agent__user__last_name", "agent__user__email")
    list_select_related = ("agent__user", "enveloppe_budgetaire")
    date_hierarchy = "mois"
    inlines = [
        LigneEtatFraisInline,
        AjustementEtatFraisInline,
        HistoriqueEtatFraisInline,
        EtapeEtatFraisInline,
        FraisEtatFraisInline,
        JustificatifEtatFraisInline,
    ]


@admin.register(HistoriqueEtatFrais)
class HistoriqueEtatFraisAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("created_at", "etat_frais", "transition", "source", "cible", "par", "pour_le_compte_de")
    list_filter = ("transition", "cible")
    search_fields = ("=etat_frais__id", "par__email", "par__last_name")
    list_select_related = ("etat_frais", "par", "pour_le_compte_de")
    date_hierarchy = "created_at"


class ElementLotInline(LectureSeuleMixin, admin.TabularInline):
    model = ElementLot
    fields = ("position", "reference", "nom_agent", "iban", "bic", "montant", "actif")
    readonly_fields = fields
    extra = 0


@admin.register(LotPaiement)
class LotPaiementAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("numero", "created_at", "date_execution", "etat", "nombre", "montant_total", "created_by")
    list_filter = ("etat",)
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    inlines = [ElementLotInline]


@admin.register(DotationBudgetaire)
class DotationBudgetaireAdmin(admin.ModelAdmin):
    """Les dotations annuelles : par enveloppe, et si besoin par centre de coûts ; le suivi est sur /budget/."""

    list_display = ("annee", "enveloppe_budgetaire", "centre_couts", "montant", "commentaire")
    list_editable = ("montant",)
    list_filter = ("annee", "enveloppe_budgetaire")
    list_select_related = ("enveloppe_budgetaire", "centre_couts")
    ordering = ("-annee", "enveloppe_budgetaire__code", "centre_couts__code")


auditlog.register(DotationBudgetaire)
