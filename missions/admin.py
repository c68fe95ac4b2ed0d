"""Interface d'administration des ordres de mission : consultation et référentiels.

Un ordre ne change jamais d'état ici (seuls les services du circuit le font) ; ses montants figés ne s'y modifient pas.
"""

from django.contrib import admin

from missions.models import (
    Absence,
    Distance,
    Frais,
    JourTrajet,
    LigneTrajet,
    OrdreMission,
    PeriodeVacances,
    PieceJointe,
    TrajetHabituel,
)


class TrajetHabituelInline(admin.TabularInline):
    model = TrajetHabituel
    extra = 0
    fields = ("depart", "destination_commune", "km_aller", "source_km", "jours_semaine", "trajets_par_jour", "repas")
    raw_id_fields = ("destination_commune", "destination_etablissement")
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


class LigneTrajetInline(TrajetHabituelInline):
    model = LigneTrajet
    fields = ("commune_depart", "commune_arrivee", "km_aller", "trajets_par_jour", "commentaire", "montant")
    readonly_fields = ("montant",)
    raw_id_fields = ("commune_depart", "commune_arrivee", "trajet_habituel")


class FraisInline(TrajetHabituelInline):
    model = Frais
    fields = ("type", "date", "type_repas", "montant", "justificatif", "commentaire")
    raw_id_fields = ()


@admin.register(OrdreMission)
class OrdreMissionAdmin(admin.ModelAdmin):
    list_display = ("numero", "type", "agent", "etat", "date_debut", "date_fin", "montant_estime", "montant_total")
    list_filter = ("type", "etat", "agent__categorie", "enveloppe_budgetaire")
    search_fields = ("=id", "objet", "agent__user__last_name", "agent__user__email")
    list_select_related = ("agent__user",)
    date_hierarchy = "date_debut"
    ordering = ("-date_debut", "-pk")
    inlines = [TrajetHabituelInline, LigneTrajetInline, FraisInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # consultation seule : la page de l'ordre et les services du circuit font le reste


@admin.register(Distance)
class DistanceAdmin(admin.ModelAdmin):
    list_display = ("commune_a", "commune_b", "km", "source")
    search_fields = ("commune_a__nom", "commune_b__nom", "=commune_a__insee", "=commune_b__insee")
    autocomplete_fields = ("commune_a", "commune_b")
    list_select_related = ("commune_a", "commune_b")
    list_editable = ("km",)


@admin.register(PeriodeVacances)
class PeriodeVacancesAdmin(admin.ModelAdmin):
    list_display = ("departement", "libelle", "date_debut", "date_fin")
    list_filter = ("departement",)
    search_fields = ("libelle",)
    ordering = ("departement", "date_debut")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("agent", "date_debut", "date_fin", "motif")
    search_fields = ("agent__user__last_name", "agent__user__email", "motif")
    autocomplete_fields = ("agent",)
    list_select_related = ("agent__user",)


@admin.register(PieceJointe)
class PieceJointeAdmin(admin.ModelAdmin):
    list_display = ("agent", "type", "valide_jusqu_au", "created_at")
    list_filter = ("type",)
    search_fields = ("agent__user__last_name", "agent__user__email")
    autocomplete_fields = ("agent",)
    list_select_related = ("agent__user",)
    filter_horizontal = ("ordres",)


@admin.register(JourTrajet)
class JourTrajetAdmin(admin.ModelAdmin):
    list_display = ("date", "ligne")
    list_select_related = ("ligne__commune_depart", "ligne__commune_arrivee")
    date_hierarchy = "date"

    def has_module_permission(self, request):
        return False  # consultable depuis l'ordre ; pas d'entrée dans le menu
