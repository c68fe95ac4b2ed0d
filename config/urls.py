from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views

admin.site.site_header = "Itinera — administration"
admin.site.site_title = "Itinera"
admin.site.index_title = "Référentiels, barèmes et comptes"

auth_urlpatterns = [
    path(
        "connexion/",
        views.ConnexionView.as_view(),
        name="connexion",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            extra_context={"title": "Mot de passe oublié"},
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(extra_context={"title": "Courriel envoyé"}),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(extra_context={"title": "Nouveau mot de passe"}),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/fait/",
        auth_views.PasswordResetCompleteView.as_view(extra_context={"title": "Mot de passe changé"}),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path("administration/", views.administration, name="administration"),
    *auth_urlpatterns,
    path("", include("agents.urls")),
    path("deplacements/ponctuels/", include("missions.ponctuel_urls")),
    path("deplacements/", include("missions.urls")),
    path("", include("validation.urls")),
    path("bareme/", include("bareme.urls")),
    path("api/", include("bareme.api_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "config.views.erreur_403"
handler404 = "config.views.erreur_404"
handler500 = "config.views.erreur_500"
# Les pièces déposées (MEDIA_ROOT) ne sont jamais servies telles quelles : chaque fichier passe par une vue qui
# vérifie que la personne peut voir l'ordre.
