from django.urls import path

from validation import views

app_name = "validation"

urlpatterns = [
    path("a-valider/", views.a_valider, name="a_valider"),
    path("gestion/", views.gestion, name="gestion"),
    path("validation-groupee/", views.validation_groupee, name="validation_groupee"),
    path("ordres/<int:pk>/<str:action>/", views.agir, name="agir"),
]
