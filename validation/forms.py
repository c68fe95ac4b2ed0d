from django import forms

from agents.enums import Categorie
from agents.models import Commune, Etablissement
from config.formulaires import FormulaireDsfr, ListeDeroulante
from missions.enums import Etat
from validation.services import valideurs_possibles


class SoumissionForm(FormulaireDsfr):
    destinataire = forms.ModelChoiceField(
        label="Valideur hiérarchique destinataire",
        queryset=None,
        empty_label="Choisir un valideur",
        error_messages={"required": "Choisissez le valideur à qui adresser l'ordre de mission."},
    )

    def __init__(self, *args, ordre, **kwargs):
        super().__init__(*args, **kwargs)
        possibles = valideurs_possibles(ordre)
        self.fields["destinataire"].queryset = possibles
        if len(possibles) == 1:
            self.fields["destinataire"].initial = possibles[0].pk


class RefusForm(FormulaireDsfr):
    motif = forms.CharField(
        label="Motif",
        help_text="L'agent le lira pour corriger son ordre de mission.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Indiquez le motif : l'agent en a besoin pour corriger."},
    )


class FiltreFileForm(FormulaireDsfr):
    """Les filtres d'une file de validation (GET) : chaque champ est facultatif."""

    mois = forms.DateField(
        label="Mois",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Indiquez un mois au format AAAA-MM."},
    )
    etat = forms.ChoiceField(
        label="État", required=False, choices=[("", "Tous")] + list(Etat.choices), widget=ListeDeroulante
    )
    categorie = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes")] + list(Categorie.choices), widget=ListeDeroulante
    )
    etablissement = forms.ModelChoiceField(
        label="Établissement",
        required=False,
        queryset=Etablissement.objects.order_by("nom"),
        empty_label="Tous",
        widget=ListeDeroulante,
    )
    commune = forms.ModelChoiceField(
        label="Commune de la résidence administrative",
        required=False,
        queryset=Commune.objects.none(),
        empty_label="Toutes",
        widget=ListeDeroulante,
    )
    montant_min = forms.DecimalField(label="Montant minimum (€)", required=False, min_value=0, decimal_places=2)
    montant_max = forms.DecimalField(label="Montant maximum (€)", required=False, min_value=0, decimal_places=2)
    anomalie = forms.ChoiceField(
        label="Anomalies",
        required=False,
        choices=[("", "Tous les dossiers"), ("sans", "Sans anomalie"), ("avec", "Avec anomalie")],
        widget=ListeDeroulante,
    )
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[
            ("anciennete", "Plus anciens d'abord"),
            ("recent", "Plus récents d'abord"),
            ("agent", "Nom de l'agent"),
            ("montant", "Montant décroissant"),
            ("mois", "Mois"),
        ],
        widget=ListeDeroulante,
    )

    def __init__(self, *args, avec_etat: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not avec_etat:
            del self.fields["etat"]
        # Les communes proposées sont celles des établissements : la liste reste courte.
        self.fields["commune"].queryset = (
            Commune.objects.filter(etablissements__isnull=False).distinct().order_by("nom")
        )

    def clean(self):
        cleaned = super().clean()
        minimum, maximum = cleaned.get("montant_min"), cleaned.get("montant_max")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("montant_max", "Le montant maximum doit être supérieur ou égal au minimum.")
        return cleaned


class ValidationGroupeeForm(forms.Form):
    ordres = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Sélectionnez au moins un ordre de mission."}
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ordres"].queryset = queryset
