"""Pages communes à tous : accueil, aiguillage après connexion, pages d'erreur."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse

from agents.demo import DEMO_PASSWORD
from agents.enums import Role
from agents.forms import ConnexionForm
from agents.models import Commune, EnveloppeBudgetaire, Etablissement, Limitrophe
from agents.permissions import espaces_de, role_required
from agents.selectors import comptes_demo
from bareme.models import Bareme
from validation.models import CircuitValidation


def accueil(request):
    if request.user.is_authenticated:
        return redirect("tableau_de_bord")
    return render(request, "accueil.html", {"title": "Accueil"})


@login_required
def tableau_de_bord(request):
    """Envoie chacun vers son premier espace ; sans aucun rôle, une page qui explique quoi faire."""
    espaces = espaces_de(request.user)
    if espaces:
        return redirect(reverse(espaces[0]["url_name"]))
    return render(request, "espaces/sans_role.html", {"title": "Tableau de bord"})


def erreur_403(request, exception=None):
    message = str(exception) if exception and str(exception) else "Vous n'avez pas accès à cette page."
    return render(request, "403.html", {"title": "Accès refusé", "message": message}, status=403)


def erreur_404(request, exception=None):
    return render(request, "404.html", {"title": "Page non trouvée"}, status=404)


def erreur_500(request):
    return render(request, "500.html", {"title": "Erreur inattendue"}, status=500)


@role_required(Role.ADMIN)
def administration(request):
    compteurs = [
        ("Communes", Commune.objects.count(), "admin:agents_commune_changelist"),
        ("Paires de communes limitrophes", Limitrophe.objects.count(), "admin:agents_limitrophe_changelist"),
        ("Établissements", Etablissement.objects.count(), "admin:agents_etablissement_changelist"),
        ("Enveloppes budgétaires", EnveloppeBudgetaire.objects.count(), "admin:agents_enveloppebudgetaire_changelist"),
        ("Barèmes", Bareme.objects.count(), "bareme:baremes"),
        ("Suivi budgétaire", EnveloppeBudgetaire.objects.filter(actif=True).count(), "validation:budget"),
        ("Circuits de validation", CircuitValidation.objects.count(), "admin:validation_circuitvalidation_changelist"),
    ]
    context = {"title": "Administration", "espace_courant": Role.ADMIN, "compteurs": compteurs}
    return render(request, "espaces/administration.html", context)


class ConnexionView(LoginView):
    """La connexion par adresse professionnelle ; en démonstration, la liste des comptes fictifs."""

    authentication_form = ConnexionForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO:
            context["demo_password"] = DEMO_PASSWORD
            context["demo_accounts"] = comptes_demo()
        return context
