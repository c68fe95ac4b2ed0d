from django.urls import path

from missions import ponctuel_ef_views as ef_views
from missions import ponctuel_views as views

app_name = "ponctuels"

urlpatterns = [
    path("nouveau/", views.creer, name="creer"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/convocation/", views.convocation, name="convocation"),
    # Étapes (repas et nuitées dus) et lieux de la mission.
    path("<int:pk>/etapes/generer/", views.generer, name="generer"),
    path("<int:pk>/etapes/<int:etape_pk>/", views.etape, name="etape"),
    path("<int:pk>/lieux/ajouter/", views.sejour, name="ajouter_sejour"),
    path("<int:pk>/lieux/<int:sejour_pk>/supprimer/", views.supprimer_sejour, name="supprimer_sejour"),
    # Frais prévisionnels et trajet vers la gare.
    path("<int:pk>/frais/ajouter/", views.frais, name="ajouter_frais"),
    path("<int:pk>/frais/<int:frais_pk>/", views.frais, name="modifier_frais"),
    path("<int:pk>/frais/<int:frais_pk>/supprimer/", views.supprimer_frais, name="supprimer_frais"),
    path("<int:pk>/trajets/ajouter/", views.trajet_gare, name="ajouter_trajet"),
    path("<int:pk>/trajets/<int:ligne_pk>/supprimer/", views.supprimer_trajet_gare, name="supprimer_trajet"),
    # Demandes de titres de transport, billets émis.
    path("<int:pk>/billets/<str:sens>/", views.demande, name="demande"),
    path("<int:pk>/billets/<str:sens>/supprimer/", views.supprimer_demande, name="supprimer_demande"),
    path("<int:pk>/billets/emis/<int:billet_pk>/", views.billet_fichier, name="billet_fichier"),
    path("<int:pk>/demandes/<int:demande_pk>/billet/", views.billet, name="billet"),
    # Après la mission : la déclaration réelle de l'état de frais (pk : celui de l'état de frais).
    path("etats-frais/<int:pk>/horaires/", ef_views.horaires, name="ef_horaires"),
    path("etats-frais/<int:pk>/etapes/<int:etape_pk>/", ef_views.etape, name="ef_etape"),
    path("etats-frais/<int:pk>/frais/ajouter/", ef_views.frais, name="ef_ajouter_frais"),
    path("etats-frais/<int:pk>/frais/<int:frais_pk>/", ef_views.frais, name="ef_modifier_frais"),
    path("etats-frais/<int:pk>/frais/<int:frais_pk>/supprimer/", ef_views.supprimer_frais, name="ef_supprimer_frais"),
    path("etats-frais/<int:pk>/justificatifs/ajouter/", ef_views.justificatif, name="ef_justificatif"),
    path(
        "etats-frais/<int:pk>/justificatifs/<int:justificatif_pk>/",
        ef_views.fichier_justificatif,
        name="ef_fichier_justificatif",
    ),
    path(
        "etats-frais/<int:pk>/justificatifs/<int:justificatif_pk>/supprimer/",
        ef_views.supprimer_justificatif,
        name="ef_supprimer_justificatif",
    ),
    # Agence de voyage et politique de voyage.
    path("agence/", views.agence, name="agence"),
    path("politique/", views.politique, name="politique"),
]
