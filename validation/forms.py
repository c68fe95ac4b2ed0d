from django import forms
from dsfr.forms import DsfrBaseForm

from validation.services import valideurs_possibles


class SoumissionForm(DsfrBaseForm):
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


class RefusForm(DsfrBaseForm):
    motif = forms.CharField(
        label="Motif",
        help_text="L'agent le lira pour corriger son ordre de mission.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Indiquez le motif : l'agent en a besoin pour corriger."},
    )
