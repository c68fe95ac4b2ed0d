from django.urls import path

from validation import views

app_name = "validation"

urlpatterns = [
    path("a-valider/", views.a_valider, name="a_valider"),
    path("gestion/", views.gestion, name="gestion"),
    path("validation-groupee/", views.validation_groupee, name="validation_groupee"),
    path("ordres/<int:pk>/<str:action>/", views.agir, name="agir"),
]

urlpatterns += [
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/terminer/", views.terminer_delegation, name="terminer_delegation"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-marquer-lu/", views.notifications_tout_lu, name="notifications_tout_lu"),
    path("notifications/<int:pk>/", views.ouvrir_notification, name="ouvrir_notification"),
]

# États de frais, mise en paiement et suivi budgétaire.
urlpatterns += [
    path("etats-frais/", views.ef_liste, name="ef_liste"),
    path("etats-frais/mes-etats-de-frais/", views.mes_etats_frais, name="mes_etats_frais"),
    path("etats-frais/depuis-ordre/<int:pk>/", views.ef_etablir, name="ef_etablir"),
    path("etats-frais/<int:pk>/", views.ef_detail, name="ef_detail"),
    path("etats-frais/<int:pk>/pdf/", views.ef_pdf, name="ef_pdf"),
    path("etats-frais/<int:pk>/lignes/<int:ligne_pk>/ajuster/", views.ef_ajuster, name="ef_ajuster"),
    path("etats-frais/<int:pk>/<str:action>/", views.ef_agir, name="ef_agir"),
    path("paiement/lots/", views.lot_liste, name="lot_liste"),
    path("paiement/lots/nouveau/", views.lot_nouveau, name="lot_nouveau"),
    path("paiement/lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("paiement/lots/<int:pk>/fichiers/<str:quel>/", views.lot_fichier, name="lot_fichier"),
    path("paiement/lots/<int:pk>/<str:action>/", views.lot_agir, name="lot_agir"),
    path("budget/", views.budget_page, name="budget"),
    path("budget/export.csv", views.budget_export, name="budget_export"),
]
