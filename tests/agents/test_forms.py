from django import forms
from django.urls import reverse

from agents.forms import CommuneSaisieField


class Formulaire(forms.Form):
    commune = CommuneSaisieField(label="Commune")


def test_toute_saisie_de_commune_propose_des_communes():
    html = str(Formulaire()["commune"])
    assert 'list="communes-suggestions"' in html
    assert f'hx-get="{reverse("agents:communes_suggestions")}"' in html
    assert 'hx-target="#communes-suggestions"' in html and 'autocomplete="off"' in html
