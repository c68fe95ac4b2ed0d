from django.shortcuts import render


def simulateur(request):
    return render(request, "bareme/simulateur.html", {"title": "Simulateur", "espace_courant": "simulateur"})
