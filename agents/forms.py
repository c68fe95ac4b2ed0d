import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from agents.enums import Categorie
from agents.models import Agent, Commune, Vehicule
from agents.selectors import INSEE_DANS_SAISIE, commune_saisie
from agents.validators import normalize_iban
from config.formulaires import FormulaireDsfr

TELEPHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 .()-]{5,18}[0-9]$")


class ConnexionForm(FormulaireDsfr, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique professionnelle",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect. Les deux champs tiennent compte des majuscules.",
        "inactive": "Ce compte est désactivé : contactez votre service gestionnaire.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class DsfrModelForm(FormulaireDsfr, forms.ModelForm):
    """Un ModelForm aux classes DSFR."""


def libelle_commune(commune: Commune) -> str:
    return f"{commune.nom} ({commune.insee})"


class CommuneSaisieField(forms.CharField):
    """Une commune désignée par son code INSEE ou par son nom ; la valeur nettoyée est une `Commune`.

    La saisie propose des communes au fil de la frappe : le fragment `agents:communes_suggestions` remplit le
    `<datalist id="communes-suggestions">` que la page place à côté du formulaire.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "list": "communes-suggestions",
            "autocomplete": "off",
            "hx-get": reverse_lazy("agents:communes_suggestions"),  # calculée au rendu, pas à l'import
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#communes-suggestions",
            "hx-swap": "innerHTML",
        }

    def prepare_value(self, value):
        return libelle_commune(value) if isinstance(value, Commune) else value

    def clean(self, value):
        saisie = super().clean(value)
        if not saisie:
            return None
        try:
            return commune_saisie(saisie)
        except Commune.DoesNotExist:
            code = INSEE_DANS_SAISIE.search(saisie.upper())
            if code:
                message = (
                    f"Aucune commune ne porte le code INSEE « {code.group(1)} » : vérifiez le code, "
                    "ou saisissez le nom de la commune."
                )
            else:
                message = (
                    f"Aucune commune ne s'appelle « {saisie} » : vérifiez l'orthographe, "
                    "ou saisissez son code INSEE (5 caractères, par exemple 06088)."
                )
            raise ValidationError(message, code="commune_inconnue") from None
        except Commune.MultipleObjectsReturned:
            raise ValidationError(
                f"Plusieurs communes s'appellent « {saisie} » : choisissez-la dans la liste ou saisissez son code INSEE.",
                code="commune_ambigue",
            ) from None


class CoordonneesForm(DsfrModelForm):
    commune_familiale = CommuneSaisieField(
        label="Commune de la résidence familiale",
        help_text="Code INSEE ou nom de la commune, par exemple 06088 ou Nice : choisissez-la dans les suggestions.",
    )

    class Meta:
        model = Agent
        fields = ["email_secondaire", "telephone", "adresse_familiale", "commune_familiale"]
        widgets = {
            "email_secondaire": forms.EmailInput(attrs={"autocomplete": "email"}),
            "telephone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "adresse_familiale": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
        help_texts = {
            "email_secondaire": "Une adresse personnelle, utilisée si la messagerie professionnelle est indisponible.",
            "telephone": "Par exemple 04 93 00 00 00 ou +33 4 93 00 00 00.",
            "adresse_familiale": "Numéro et voie, par exemple 3 chemin des Oliviers.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.commune_familiale_id:
            self.initial["commune_familiale"] = libelle_commune(self.instance.commune_familiale)

    def clean_telephone(self):
        telephone = " ".join(self.cleaned_data["telephone"].split())
        if telephone and not TELEPHONE_PATTERN.match(telephone):
            raise ValidationError(
                "Saisissez un numéro de téléphone avec ses chiffres, par exemple 04 93 00 00 00 ou +33 4 93 00 00 00.",
                code="telephone",
            )
        return telephone


class CoordonneesBancairesForm(DsfrModelForm):
    # Plus longs que les valeurs stockées : l'agent les saisit souvent par groupes, séparés d'espaces.
    iban = forms.CharField(
        label="IBAN",
        max_length=42,
        required=False,
        help_text="27 caractères pour un compte en France, par exemple FR76 3000 6000 0112 3456 7890 189.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    bic = forms.CharField(
        label="BIC",
        max_length=16,
        required=False,
        help_text="8 ou 11 caractères, indiqués sur votre relevé d'identité bancaire (exemple : AGRIFRPP).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Agent
        fields = ["iban", "bic", "titulaire_compte"]
        help_texts = {"titulaire_compte": "Tel qu'il figure sur le relevé d'identité bancaire."}

    def clean_iban(self):
        return normalize_iban(self.cleaned_data["iban"])

    def clean_bic(self):
        return "".join(self.cleaned_data["bic"].split()).upper()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VehiculeForm(DsfrModelForm):
    class Meta:
        model = Vehicule
        fields = [
            "immatriculation",
            "type",
            "puissance_fiscale",
            "assurance_valide_jusqu_au",
            "auvp_debut",
            "auvp_fin",
            "actif",
        ]
        widgets = {
            "immatriculation": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "puissance_fiscale": forms.NumberInput(attrs={"max": 99}),
            "assurance_valide_jusqu_au": DateInput(),
            "auvp_debut": DateInput(),
            "auvp_fin": DateInput(),
        }
        help_texts = {
            "immatriculation": "Par exemple AB-123-CD.",
            "auvp_debut": "Autorisation d'utiliser un véhicule personnel pour les besoins du service.",
            "actif": (
                "Un seul véhicule est utilisé à la fois. Pour changer de véhicule, utilisez le bouton "
                "« Utiliser pour les indemnités kilométriques » de votre fiche : l'autre est alors désactivé."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["puissance_fiscale"].widget.attrs["min"] = 1


class AgentRechercheForm(FormulaireDsfr):
    q = forms.CharField(label="Nom ou adresse électronique", required=False, max_length=100)
    categorie = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes les catégories"), *Categorie.choices]
    )
