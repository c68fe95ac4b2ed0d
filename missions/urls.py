from django.urls import path

from missions import views

app_name = "missions"

urlpatterns = [
    path("", views.mes_deplacements, name="mes_deplacements"),
    path("omp/nouveau/", views.creer_omp, name="creer_omp"),
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
]
