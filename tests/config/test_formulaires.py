import re

import pytest
from django import forms
from django.core.exceptions import ValidationError

from config.formulaires import (
    RENDU_DSFR,
    FormulaireDsfr,
    ListeDeroulante,
    ajouter_erreurs,
    enregistrer_si_valide,
    statut,
)


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


def _normaliser(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


class FormulaireDeListes(FormulaireDsfr):
    couleur = forms.ChoiceField(
        label="Couleur",
        required=False,
        choices=[("", "Toutes"), ("bleu", "Bleu"), ("rouge", "Rouge & <noir>")],
        widget=ListeDeroulante,
    )
    nombre = forms.TypedChoiceField(
        label="Nombre", choices=[(1, "Un"), (2, "Deux")], coerce=int, widget=ListeDeroulante
    )


@pytest.mark.parametrize("donnees", [None, {"couleur": "rouge", "nombre": "2"}, {"couleur": "", "nombre": "1"}])
def test_la_liste_deroulante_rapide_ecrit_le_meme_html_que_django(donnees):
    form = FormulaireDeListes(donnees)
    for nom in ("couleur", "nombre"):
        champ = form[nom]
        rapide = champ.as_widget()
        attendu = forms.Select.render(champ.field.widget, champ.html_name, champ.value(), {"id": champ.auto_id})
        assert _normaliser(rapide) == _normaliser(attendu)
    retenue = (donnees or {}).get("couleur", "")
    assert f'value="{retenue}" selected' in str(form["couleur"].as_widget())
    assert str(form["couleur"].as_widget()).count("selected") == 1
    assert "Rouge &amp; &lt;noir&gt;" in str(form["couleur"].as_widget())


def test_les_formulaires_partagent_un_seul_moteur_de_rendu():
    assert FormulaireDeListes().renderer is FormulaireDeListes().renderer is RENDU_DSFR


class FormulaireAAideCalculee(FormulaireDsfr):
    fichier = forms.FileField(label="Justificatif", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = "PDF, JPEG ou PNG, 5 Mo au plus."


def test_une_aide_calculee_apres_la_creation_du_formulaire_s_affiche():
    assert "PDF, JPEG ou PNG, 5 Mo au plus." in str(FormulaireAAideCalculee()["fichier"].as_field_group())


def test_enregistrer_si_valide_appelle_le_service_avec_la_saisie_validee():
    form = Formulaire({"km": "12", "commune": "Nice"})
    assert enregistrer_si_valide(form, lambda donnees: donnees["km"] * 2) == 24
    assert not form.errors and statut(form) == 200


def test_enregistrer_si_valide_place_le_refus_du_service_et_garde_la_saisie():
    def refuser(donnees):
        raise ValidationError({"km_aller": ["Trop loin."]})

    form = Formulaire({"km": "900", "commune": "Nice"})
    assert enregistrer_si_valide(form, refuser, {"km_aller": "km"}) is None
    assert form.errors["km"] == ["Trop loin."] and form["commune"].value() == "Nice"
    assert statut(form) == 422


def test_enregistrer_si_valide_n_appelle_pas_le_service_si_la_saisie_est_invalide():
    appels = []
    form = Formulaire({"km": "douze"})
    assert enregistrer_si_valide(form, appels.append) is None
    assert appels == [] and "km" in form.errors and statut(form) == 422
    assert statut(Formulaire()) == 200  # un formulaire vide, pas encore envoyé
