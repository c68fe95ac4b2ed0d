from django.urls import path

from bareme import views

app_name = "bareme"

urlpatterns = [
    path("", views.baremes, name="baremes"),
    path("<int:pk>/", views.version, name="version"),
    path("<int:pk>/suivante/", views.version_suivante, name="version_suivante"),
    path("<int:pk>/cloturer/", views.version_cloturer, name="version_cloturer"),
    path("simulateur/", views.simulateur, name="simulateur"),
    path("simulateur/communes/", views.communes, name="communes"),
]
