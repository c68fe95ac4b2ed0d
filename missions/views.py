from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agents.enums import Role
from agents.permissions import role_required
from missions import selectors
from validation.enums import Action
from validation.forms import RefusForm, SoumissionForm
from validation.regles import actions_possibles


@role_required(Role.AGENT)
def mes_deplacements(request):
    agent = request.user.agent
    context = {
        "title": "Mes déplacements",
        "espace_courant": Role.AGENT,
        "agent": agent,
        "vehicule_actif": agent.vehicules.filter(actif=True).first(),
        "ordres": selectors.ordres_de_l_agent(agent),
    }
    return render(request, "espaces/mes_deplacements.html", context)


@login_required
def ordre(request, pk):
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    return render_ordre(request, ordre)


def render_ordre(request, ordre, *, soumission_form=None, refus_form=None, status=200):
    """La page d'un ordre ; les formulaires liés (avec erreurs) remplacent les vides après un envoi refusé."""
    actions = actions_possibles(request.user, ordre)
    context = {
        "title": f"Ordre de mission {ordre.numero}",
        "ordre": ordre,
        "historique": selectors.historique(ordre),
        "actions": actions,
        "soumission_form": soumission_form or (SoumissionForm(ordre=ordre) if Action.SOUMETTRE in actions else None),
        "refus_form": refus_form or (RefusForm() if {Action.REFUSER, Action.ANNULER} & set(actions) else None),
    }
    return render(request, "missions/ordre.html", context, status=status)
