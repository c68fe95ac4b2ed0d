from django import forms
from django.core.exceptions import ValidationError

from config.formulaires import ajouter_erreurs


class Formulaire(forms.Form):
    km = forms.DecimalField(required=False)
    commune = forms.CharField(required=False)


def test_chaque_erreur_va_sur_son_champ_et_la_saisie_reste():
    form = Formulaire({"km": "12", "commune": "Nice"})
    form.is_valid()
    exc = ValidationError({"km_aller": ["Trop loin."], "motif": ["Indiquez un motif."]})
    ajouter_erreurs(form, exc, {"km_aller": "km"})
    assert form.errors["km"] == ["Trop loin."]
    assert form.non_field_errors() == ["Indiquez un motif."]
    assert form["commune"].value() == "Nice"


def test_une_erreur_sans_champ_va_en_tete():
    form = Formulaire({})
    form.is_valid()
    ajouter_erreurs(form, ValidationError("Ordre déjà soumis."))
    assert form.non_field_errors() == ["Ordre déjà soumis."]
