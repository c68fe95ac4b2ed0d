from django.urls import path

from missions import views

app_name = "missions"

urlpatterns = [
    path("", views.mes_deplacements, name="mes_deplacements"),
    path("ordres/<int:pk>/", views.ordre, name="ordre"),
]
