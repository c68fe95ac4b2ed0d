from django.shortcuts import render

from agents.enums import Role
from agents.permissions import role_required


@role_required(Role.AGENT)
def mes_deplacements(request):
    agent = request.user.agent
    context = {
        "title": "Mes déplacements",
        "espace_courant": Role.AGENT,
        "agent": agent,
        "vehicule_actif": agent.vehicules.filter(actif=True).first(),
    }
    return render(request, "espaces/mes_deplacements.html", context)
