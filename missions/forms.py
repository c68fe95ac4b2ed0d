import datetime

from django import forms
from django.urls import reverse
from dsfr.forms import DsfrBaseForm

from agents.forms import CommuneSaisieField, libelle_commune
from agents.models import CentreCouts, DomaineFonctionnel, EnveloppeBudgetaire, Etablissement
from missions.enums import Depart, TypeRepas
from missions.services import PERIODES_OMP

JOURS = [("0", "Lundi"), ("1", "Mardi"), ("2", "Mercredi"), ("3", "Jeudi"), ("4", "Vendredi"), ("5", "Samedi")]


def annee_scolaire_courante(aujourd_hui: datetime.date) -> int:
    return aujourd_hui.year if aujourd_hui.month >= 9 else aujourd_hui.year - 1


class OmpForm(DsfrBaseForm):
    periode = forms.ChoiceField(label="Période", choices=PERIODES_OMP)
    annee = forms.IntegerField(
        label="Année",
        min_value=2019,
        max_value=2100,
        help_text="Pour une année scolaire ou « septembre à décembre », l'année de la rentrée.",
        error_messages={
            "min_value": "Aucun barème n'existe avant 2019.",
            "invalid": "Indiquez une année, par exemple 2026.",
        },
    )
    objet = forms.CharField(label="Objet", max_length=250)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    vehicule_personnel = forms.BooleanField(label="Véhicule personnel (sous réserve de l'AUVP)", required=False)
    transports_publics = forms.BooleanField(label="Transports en commun", required=False)
    vehicule_service = forms.BooleanField(label="Véhicule de service", required=False)
    enveloppe_budgetaire = forms.ModelChoiceField(
        label="Enveloppe budgétaire", queryset=EnveloppeBudgetaire.objects.filter(actif=True), required=False
    )
    centre_couts = forms.ModelChoiceField(
        label="Centre de coûts", queryset=CentreCouts.objects.filter(actif=True), required=False
    )
    domaine_fonctionnel = forms.ModelChoiceField(
        label="Domaine fonctionnel", queryset=DomaineFonctionnel.objects.filter(actif=True), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(moyen) for moyen in ("vehicule_personnel", "transports_publics", "vehicule_service")):
            self.add_error("vehicule_personnel", "Cochez au moins un moyen de transport autorisé.")
        return cleaned


class TrajetHabituelForm(DsfrBaseForm):
    depart = forms.ChoiceField(
        label="Départ depuis", choices=Depart.choices, widget=forms.RadioSelect, initial=Depart.ADMINISTRATIVE
    )
    destination_etablissement = forms.ModelChoiceField(
        label="Établissement de destination",
        queryset=Etablissement.objects.select_related("commune").order_by("nom"),
        required=False,
        empty_label="Aucun (une commune seulement)",
    )
    destination_commune = CommuneSaisieField(
        label="Commune de destination",
        required=False,
        help_text="Inutile si vous choisissez un établissement : sa commune est prise.",
    )
    jours = forms.MultipleChoiceField(
        label="Jours de la semaine",
        choices=JOURS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez les jours où vous faites ce trajet."},
    )
    trajets_par_jour = forms.IntegerField(
        label="Trajets par jour",
        min_value=1,
        max_value=6,
        initial=2,
        help_text="Habituellement 2 : l'aller et le retour.",
    )
    repas = forms.ChoiceField(label="Repas habituellement dû", choices=TypeRepas.choices, initial=TypeRepas.AUCUN)
    km_aller = forms.DecimalField(
        label="Kilomètres de l'aller",
        required=False,
        min_value=0.1,
        max_digits=6,
        decimal_places=1,
        help_text="Laissez vide pour prendre la distance de référence (distancier, sinon estimation).",
    )
    motif_km = forms.CharField(label="Motif d'une distance différente", required=False, max_length=250)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_commune"].widget.attrs.update(
            {
                "list": "communes-suggestions",
                "autocomplete": "off",
                "hx-get": reverse("agents:communes_suggestions"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#communes-suggestions",
                "hx-swap": "innerHTML",
            }
        )

    def clean(self):
        cleaned = super().clean()
        etablissement = cleaned.get("destination_etablissement")
        if etablissement:
            cleaned["destination_commune"] = etablissement.commune
        elif not cleaned.get("destination_commune") and "destination_commune" not in self.errors:
            self.add_error("destination_commune", "Choisissez un établissement ou indiquez la commune de destination.")
        if cleaned.get("jours"):
            cleaned["jours_semaine"] = ",".join(sorted(cleaned["jours"]))
        return cleaned

    @classmethod
    def initial_depuis(cls, trajet) -> dict:
        return {
            "depart": trajet.depart,
            "destination_etablissement": trajet.destination_etablissement_id,
            "destination_commune": libelle_commune(trajet.destination_commune),
            "jours": [str(jour) for jour in trajet.jours],
            "trajets_par_jour": trajet.trajets_par_jour,
            "repas": trajet.repas,
            "km_aller": trajet.km_aller if trajet.source_km == "declare" else None,
            "motif_km": trajet.motif_km,
        }
