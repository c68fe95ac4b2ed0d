from auditlog.registry import auditlog
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from bareme import services
from bareme.enums import TYPES_IK
from bareme.models import Bareme, TauxIK, TauxMission

# Toute modification d'une version ou d'un taux est tracée (qui, quand, quoi).
auditlog.register(Bareme)
auditlog.register(TauxIK)
auditlog.register(TauxMission)


class TauxIKFormSet(BaseInlineFormSet):
    """Les tranches d'une version IK doivent être contiguës, pour chaque classe du type."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        lignes = [
            services.LigneTauxIK(
                form.cleaned_data["classe"],
                form.cleaned_data["km_min"],
                form.cleaned_data.get("km_max"),
                form.cleaned_data["taux"],
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not self.instance.type:
            return  # le type manque : le formulaire principal le signale
        if self.instance.type in TYPES_IK:
            services.verifier_tranches(self.instance.type, lignes)
        elif lignes:
            raise ValidationError("Un barème de repas ou de nuitées n'a pas de taux kilométriques.")


class TauxMissionFormSet(BaseInlineFormSet):
    """Une version de repas ou de nuitées a un montant par zone de son type."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        lignes = [
            services.LigneTauxMission(form.cleaned_data["zone"], form.cleaned_data["montant"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not self.instance.type:
            return
        if self.instance.type not in TYPES_IK:
            services.verifier_zones(self.instance.type, lignes)
        elif lignes:
            raise ValidationError("Un barème d'indemnités kilométriques n'a pas de taux par zone.")


class TauxIKInline(admin.TabularInline):
    model = TauxIK
    formset = TauxIKFormSet
    extra = 0


class TauxMissionInline(admin.TabularInline):
    model = TauxMission
    formset = TauxMissionFormSet
    extra = 0


@admin.register(Bareme)
class BaremeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "type", "date_debut", "date_fin", "texte_publication", "est_retroactive"]
    list_filter = ["type"]
    ordering = ["type", "-date_debut"]
    readonly_fields = ["texte_code", "created_at", "created_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["type", "date_debut", "date_fin", "montant_minimum"]}),
        (
            "Texte",
            {
                "fields": [
                    "texte_reference",
                    "texte_titre",
                    "texte_date",
                    "texte_publication",
                    "texte_lien",
                    "texte_code",
                ]
            },
        ),
        ("Suivi", {"fields": ["created_at", "created_by"]}),
    ]

    @admin.display(boolean=True, description="rétroactive")
    def est_retroactive(self, obj):
        return obj.est_retroactive

    def get_inlines(self, request, obj):
        if obj is None:
            return [TauxIKInline, TauxMissionInline]
        return [TauxIKInline] if obj.type in TYPES_IK else [TauxMissionInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and services.version_est_utilisee(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.version_est_utilisee(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Pas de suppression en masse : chaque suppression vérifie que la version n'a pas servi.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and services.version_est_utilisee(obj):
            self.message_user(request, services.MESSAGE_VERSION_UTILISEE.format(libelle=obj.libelle), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            services.verifier_modifiable(obj)
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.supprimer_version(version=obj)
