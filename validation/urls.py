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
