from django.urls import path

from missions import views

app_name = "missions"

urlpatterns = [
    path("", views.mes_deplacements, name="mes_deplacements"),
    path("omp/nouveau/", views.creer_omp, name="creer_omp"),
    path("omi/preparer/", views.preparer_omi, name="preparer_omi_choisi"),
    path("ordres/<int:pk>/", views.ordre, name="ordre"),
    path("ordres/<int:pk>/preparer-omi/", views.preparer_omi, name="preparer_omi"),
    path("ordres/<int:pk>/modifier/", views.modifier_omp, name="modifier_omp"),
    path("ordres/<int:pk>/trajets/ajouter/", views.trajet_habituel, name="ajouter_trajet_habituel"),
    path("ordres/<int:pk>/trajets/<int:trajet_pk>/", views.trajet_habituel, name="modifier_trajet_habituel"),
    path(
        "ordres/<int:pk>/trajets/<int:trajet_pk>/supprimer/",
        views.supprimer_trajet_habituel,
        name="supprimer_trajet_habituel",
    ),
    # OMI : lignes de trajet, jours du calendrier, frais et justificatifs.
    path("ordres/<int:pk>/lignes/ajouter/", views.ligne_omi, name="ajouter_ligne_omi"),
    path("ordres/<int:pk>/lignes/<int:ligne_pk>/", views.ligne_omi, name="modifier_ligne_omi"),
    path("ordres/<int:pk>/lignes/<int:ligne_pk>/supprimer/", views.supprimer_ligne_omi, name="supprimer_ligne_omi"),
    path("ordres/<int:pk>/lignes/<int:ligne_pk>/jours/", views.basculer_jour, name="basculer_jour"),
    path("ordres/<int:pk>/frais/ajouter/", views.frais_omi, name="ajouter_frais_omi"),
    path("ordres/<int:pk>/frais/<int:frais_pk>/", views.frais_omi, name="modifier_frais_omi"),
    path("ordres/<int:pk>/frais/<int:frais_pk>/supprimer/", views.supprimer_frais_omi, name="supprimer_frais_omi"),
    path("ordres/<int:pk>/frais/<int:frais_pk>/justificatif/", views.justificatif, name="justificatif"),
    path("ordres/<int:pk>/pdf/<str:document>/", views.document_pdf, name="document_pdf"),
    path("ordres/<int:pk>/pieces/deposer/", views.deposer_piece, name="deposer_piece"),
    path("ordres/<int:pk>/pieces/reprendre/", views.reprendre_pieces, name="reprendre_pieces"),
    path("ordres/<int:pk>/pieces/<int:piece_pk>/", views.piece, name="piece"),
    path("agents/<int:agent_pk>/omp/nouveau/", views.creer_omp_pour, name="creer_omp_pour"),
    path("absences/", views.absences, name="absences"),
    path("absences/<int:absence_pk>/supprimer/", views.supprimer_absence, name="supprimer_absence"),
]
