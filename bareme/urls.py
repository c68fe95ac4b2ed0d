from django.urls import path

from bareme import views

app_name = "bareme"

urlpatterns = [
    path("simulateur/", views.simulateur, name="simulateur"),
]
