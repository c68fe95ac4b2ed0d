from django.shortcuts import render

from agents.enums import Role
from agents.permissions import role_required
from agents.selectors import agents_du_perimetre, agents_valides_par


@role_required(Role.VH1)
def a_valider(request):
    context = {
        "title": "À valider",
        "espace_courant": Role.VH1,
        "nombre_agents": agents_valides_par(request.user).count(),
    }
    return render(request, "espaces/a_valider.html", context)


@role_required(Role.GESTIONNAIRE)
def gestion(request):
    gestionnaire = request.user.gestionnaire
    context = {
        "title": "Gestion",
        "espace_courant": Role.GESTIONNAIRE,
        "gestionnaire": gestionnaire,
        "perimetres": list(gestionnaire.perimetres.all()),
        "nombre_agents": agents_du_perimetre(gestionnaire).count(),
    }
    return render(request, "espaces/gestion.html", context)
