"""L'API publique du simulateur, en lecture seule : incluse sous `api/` dans config/urls.py."""

from django.urls import path

from bareme import api

app_name = "bareme_api"

urlpatterns = [
    path("simulation/ik", api.simulation_ik, name="simulation_ik"),
    path("simulation/mission", api.simulation_mission, name="simulation_mission"),
    path("simulation/eligibilite", api.simulation_eligibilite, name="simulation_eligibilite"),
]
