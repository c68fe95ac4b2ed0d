import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.agents.factories import AgentFactory, VehiculeFactory, UserFactory, GestionnaireFactory, PerimetreGestionnaireFactory

pytestmark = pytest.mark.django_db

def test_dump(client):
    agent = AgentFactory(valideurs=[UserFactory(valideur=True)])
    VehiculeFactory(agent=agent)
    VehiculeFactory(agent=agent, actif=False, type="motocyclette", puissance_fiscale=None)
    client.force_login(agent.user)
    for name, url in [("profil", reverse("agents:profil")), ("coord", reverse("agents:modifier_coordonnees")),
                      ("banque", reverse("agents:modifier_coordonnees_bancaires")), ("vehicule", reverse("agents:ajouter_vehicule"))]:
        with CaptureQueriesContext(connection) as q:
            r = client.get(url)
        print(name, r.status_code, len(q))
        __import__("pathlib").Path(f"/tmp/profil_dump/{name}.html").write_text(r.content.decode())
    r = client.post(reverse("agents:ajouter_vehicule"), {"immatriculation": "x", "type": "voiture", "actif": "on", "assurance_valide_jusqu_au": "2020-01-01"})
    __import__("pathlib").Path("/tmp/profil_dump/vehicule_err.html").write_text(r.content.decode())
    g = GestionnaireFactory(); PerimetreGestionnaireFactory(gestionnaire=g)
    AgentFactory.create_batch(60)
    client.force_login(g.user)
    with CaptureQueriesContext(connection) as q:
        r = client.get(reverse("agents:liste"))
    print("liste", r.status_code, len(q))
    for x in q.captured_queries: print("  ", x["sql"][:150])
    __import__("pathlib").Path("/tmp/profil_dump/liste.html").write_text(r.content.decode())
    with CaptureQueriesContext(connection) as q:
        r = client.get(reverse("agents:detail", args=[agent.pk]))
    print("detail", r.status_code, len(q))
