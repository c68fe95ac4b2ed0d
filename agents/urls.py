from django.urls import path

from agents import views

app_name = "agents"

urlpatterns = [
    path("profil/", views.profil, name="profil"),
    path("profil/coordonnees/", views.modifier_coordonnees, name="modifier_coordonnees"),
    path("profil/coordonnees-bancaires/", views.modifier_coordonnees_bancaires, name="modifier_coordonnees_bancaires"),
    path("profil/vehicules/ajouter/", views.enregistrer_vehicule, name="ajouter_vehicule"),
    path("profil/vehicules/<int:pk>/", views.enregistrer_vehicule, name="modifier_vehicule"),
    path("profil/vehicules/<int:pk>/activer/", views.activer_vehicule, name="activer_vehicule"),
    path("profil/vehicules/<int:pk>/desactiver/", views.desactiver_vehicule, name="desactiver_vehicule"),
    path("communes/suggestions/", views.communes_suggestions, name="communes_suggestions"),
    path("agents/", views.liste, name="liste"),
    path("agents/<int:pk>/", views.detail, name="detail"),
]
