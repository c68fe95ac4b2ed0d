import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from agents.forms import CommuneSaisieField, DateInput, libelle_commune
from agents.models import CentreCouts, DomaineFonctionnel, EnveloppeBudgetaire, Etablissement
from bareme import calcul
from bareme.calcul import MOIS
from config.formulaires import FormulaireDsfr
from missions import fichiers
from missions.calendrier import JOURS as NOMS_JOURS
from missions.enums import Depart, TypeFrais, TypeRepas
from missions.services import PERIODES_OMP

JOURS = [("0", "Lundi"), ("1", "Mardi"), ("2", "Mercredi"), ("3", "Jeudi"), ("4", "Vendredi"), ("5", "Samedi")]


def annee_scolaire_courante(aujourd_hui: datetime.date) -> int:
    return aujourd_hui.year if aujourd_hui.month >= 9 else aujourd_hui.year - 1


def champ_km_aller(label: str, help_text: str) -> forms.DecimalField:
    """Des kilomètres saisis à la française (« 12,5 »), au dixième ; vide : la distance de référence."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=help_text,
        error_messages={"invalid": "Indiquez un nombre de kilomètres, par exemple 21 ou 12,5."},
    )


class OmpForm(FormulaireDsfr):
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


class TrajetHabituelForm(FormulaireDsfr):
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
    horaires = forms.CharField(
        label="Horaires habituels de mission",
        required=False,
        max_length=60,
        help_text="Par exemple « 8 h 30 – 16 h 30 », d'après votre emploi du temps : ils sont recopiés sur les lignes "
        "de vos OMI et permettent de contrôler les repas (un déjeuner est dû si la mission couvre 11 h – 14 h).",
    )
    km_aller = champ_km_aller(
        "Kilomètres de l'aller", "Laissez vide pour prendre la distance de référence (distancier, sinon estimation)."
    )
    motif_km = forms.CharField(label="Motif d'une distance différente", required=False, max_length=250)

    def clean_horaires(self):
        return nettoyer_horaires(self.cleaned_data["horaires"])

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
            "horaires": trajet.horaires,
            "km_aller": trajet.km_aller if trajet.source_km == "declare" else None,
            "motif_km": trajet.motif_km,
        }


def nettoyer_horaires(texte: str) -> str:
    """Des horaires lisibles s'écrivent comme les services les lisent (« 8 h 30 – 16 h 30 ») ; une fin avant le
    début, ou une heure seule, est refusée ; un texte sans heure reste tel quel."""
    texte = texte.strip()
    horaires = calcul.lire_horaires(texte)
    if horaires is not None:
        return calcul.horaires_texte(*horaires)
    if re.search(r"\d\s*(?:h|H|:)", texte):
        raise ValidationError(
            "Horaires illisibles : écrivez l'heure de début puis celle de fin, par exemple « 8 h 30 – 16 h 30 »."
        )
    return texte


def libelle_jour(jour: datetime.date) -> str:
    """« lundi 5 octobre »."""
    return f"{NOMS_JOURS[jour.weekday()]} {'1er' if jour.day == 1 else jour.day} {MOIS[jour.month - 1]}"


class LigneOmiForm(FormulaireDsfr):
    """Une ligne de trajet saisie à la main sur un OMI ; à l'ajout, ses jours se cochent dans la période de l'ordre."""

    depart = forms.ChoiceField(
        label="Départ depuis", choices=Depart.choices, widget=forms.RadioSelect, initial=Depart.ADMINISTRATIVE
    )
    commune_depart = CommuneSaisieField(
        label="De (commune de départ)",
        required=False,
        help_text="Code INSEE ou nom. Laissez vide pour partir de la commune de la résidence choisie ci-dessus.",
    )
    commune_arrivee = CommuneSaisieField(
        label="À (commune d'arrivée)",
        help_text="Code INSEE ou nom de la commune, par exemple 06088 ou Nice : choisissez-la dans les suggestions.",
        error_messages={"required": "Indiquez la commune d'arrivée du trajet."},
    )
    km_aller = champ_km_aller(
        "Kilomètres (aller)",
        "Par exemple 21 ou 12,5. Laissez vide pour la distance de référence (distancier, sinon estimation).",
    )
    trajets_par_jour = forms.IntegerField(
        label="Trajets par jour",
        min_value=1,
        max_value=6,
        initial=2,
        help_text="2 pour l'aller et le retour dans la journée ; 1 si le retour est déclaré sur une autre ligne.",
    )
    horaires = forms.CharField(
        label="Commentaire : horaires de mission",
        required=False,
        max_length=60,
        help_text="Par exemple « 8 h 30 – 16 h 30 ». Les dates s'ajoutent d'elles-mêmes au commentaire (« L 5, 12 octobre »).",
    )
    dates = forms.TypedMultipleChoiceField(
        label="Jours du trajet",
        coerce=datetime.date.fromisoformat,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins un jour où vous avez fait ce trajet.",
            "invalid_choice": "Ce jour n'est pas dans la période de l'ordre.",
        },
    )

    def __init__(self, *args, ordre, avec_dates: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if avec_dates:
            nombre = (ordre.date_fin - ordre.date_debut).days + 1
            jours = [ordre.date_debut + datetime.timedelta(days=n) for n in range(nombre)]
            self.fields["dates"].choices = [(jour.isoformat(), libelle_jour(jour)) for jour in jours]
        else:
            del self.fields["dates"]

    def clean_horaires(self):
        return nettoyer_horaires(self.cleaned_data["horaires"])

    @classmethod
    def initial_depuis(cls, ligne) -> dict:
        return {
            "depart": ligne.depart,
            "commune_depart": libelle_commune(ligne.commune_depart),
            "commune_arrivee": libelle_commune(ligne.commune_arrivee),
            "km_aller": ligne.km_aller,
            "trajets_par_jour": ligne.trajets_par_jour,
            "horaires": ligne.horaires,
        }


REPAS_DECLARABLES = [choix for choix in TypeRepas.choices if choix[0] != TypeRepas.AUCUN]


class FraisOmiForm(FormulaireDsfr):
    """Un repas, un péage, un stationnement ou un ticket, avec son justificatif (PDF, JPEG ou PNG)."""

    type = forms.ChoiceField(label="Nature du frais", choices=TypeFrais.choices)
    date = forms.DateField(
        label="Date", widget=DateInput(), error_messages={"invalid": "Indiquez une date, par exemple 05/10/2026."}
    )
    type_repas = forms.ChoiceField(
        label="Repas",
        required=False,
        choices=[("", "—")] + REPAS_DECLARABLES,
        help_text="Pour un repas seulement : son montant vient du barème (taux plein, demi-taux ou rien).",
    )
    montant = forms.DecimalField(
        label="Montant payé (€)",
        required=False,
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Pour un péage, un stationnement ou un ticket, par exemple 3,70. Pas pour un repas.",
        error_messages={"invalid": "Indiquez un montant en euros, par exemple 3,70."},
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=250)
    justificatif = forms.FileField(
        label="Justificatif",
        required=False,
        widget=forms.FileInput(attrs={"accept": fichiers.ACCEPT}),
        help_text="PDF, JPEG ou PNG, 5 Mo au plus : ticket, facture ou reçu.",
    )
    supprimer_justificatif = forms.BooleanField(label="Retirer le justificatif déposé", required=False)

    def __init__(self, *args, ordre, frais=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ordre = ordre
        self.fields[
            "justificatif"
        ].help_text = (
            f"PDF, JPEG ou PNG, {fichiers.taille_fr(fichiers.taille_max())} au plus : ticket, facture ou reçu."
        )
        self.fields["date"].widget.attrs.update(
            {"min": ordre.date_debut.isoformat(), "max": ordre.date_fin.isoformat()}
        )
        if frais is None or not frais.justificatif:
            del self.fields["supprimer_justificatif"]

    @classmethod
    def initial_depuis(cls, frais) -> dict:
        return {
            "type": frais.type,
            "date": frais.date,
            "type_repas": frais.type_repas,
            "montant": frais.montant,
            "commentaire": frais.commentaire,
        }

    def clean_date(self):
        jour = self.cleaned_data["date"]
        if not self.ordre.date_debut <= jour <= self.ordre.date_fin:
            raise forms.ValidationError(
                f"Choisissez une date de la période de l'ordre, du {self.ordre.date_debut:%d/%m/%Y} "
                f"au {self.ordre.date_fin:%d/%m/%Y}."
            )
        return jour

    def clean_justificatif(self):
        fichier = self.cleaned_data.get("justificatif")
        if fichier:
            fichiers.verifier_justificatif(fichier)
        return fichier

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") == TypeFrais.REPAS:
            if not cleaned.get("type_repas"):
                self.add_error("type_repas", "Précisez le repas : taux plein, restaurant administratif ou gratuit.")
            if cleaned.get("montant") is not None:
                self.add_error("montant", "Le montant d'un repas vient du barème : laissez ce champ vide.")
        elif cleaned.get("type"):
            cleaned["type_repas"] = ""
            if cleaned.get("montant") is None and "montant" not in self.errors:
                self.add_error("montant", "Indiquez le montant payé, en euros.")
        return cleaned


class PieceForm(FormulaireDsfr):
    type = forms.ChoiceField(label="Pièce")
    fichier = forms.FileField(
        label="Fichier (PDF, JPEG ou PNG, 5 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": "Choisissez le fichier à déposer."},
    )
    valide_jusqu_au = forms.DateField(
        label="Valable jusqu'au", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = types


class AbsenceForm(FormulaireDsfr):
    date_debut = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_fin = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    motif = forms.CharField(label="Motif (facultatif)", required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("date_debut"), cleaned.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La fin de l'absence doit suivre son début.")
        return cleaned
