"""Formulaires : le simulateur (les mêmes formulaires lisent les paramètres de l'API) et la page « Barèmes »."""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from agents.enums import TypeVehicule
from agents.models import Commune
from bareme import selectors, services
from bareme.enums import TYPES_IK, ClasseVehicule, ModeNuitee, ModeRepas, TypeBareme, ZoneMission
from bareme.models import Bareme
from config.formulaires import FormulaireDsfr

KM_MAX = Decimal("100000")
DUREE_MAX_MISSION = datetime.timedelta(days=366)


class KilometresField(forms.Field):
    """Des kilomètres : un nombre positif avec au plus une décimale (« 34 », « 12.5 » ou « 12,5 »)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, minimum: Decimal = Decimal(0), strictement_positif: bool = False, **kwargs):
        self.minimum = minimum
        self.strictement_positif = strictement_positif
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        texte = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            nombre = Decimal(texte)
        except InvalidOperation:
            raise ValidationError(
                "Saisissez un nombre de kilomètres, par exemple 34 ou 12,5.", code="invalide"
            ) from None
        if not nombre.is_finite():
            raise ValidationError("Saisissez un nombre de kilomètres, par exemple 34 ou 12,5.", code="invalide")
        return nombre

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < 0 or (self.strictement_positif and value == 0):
            raise ValidationError("Le nombre de kilomètres doit être positif.", code="negatif")
        if value != value.quantize(Decimal("0.1")):
            raise ValidationError("Indiquez les kilomètres avec au plus une décimale.", code="decimales")
        if value > KM_MAX:
            raise ValidationError("Saisissez au plus 100 000 km.", code="trop_grand")


class DateHeureLocaleField(forms.Field):
    """Une date et une heure locales, sans fuseau (« 2026-03-10T07:30 ») : seules comptent les heures affichées."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    formats = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        for format_ in self.formats:
            try:
                return datetime.datetime.strptime(str(value).strip(), format_)
            except ValueError:
                continue
        raise ValidationError("Saisissez une date et une heure, par exemple 2026-03-10T07:30.", code="invalide")


VRAI = {"1", "true", "on", "oui", "yes"}
FAUX = {"", "0", "false", "off", "non", "no"}


class OuiNonWidget(forms.CheckboxInput):
    """Une case à cocher qui lit aussi « 0 », « 1 », « true », « false » (paramètres de l'API)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda valeur: valeur is True or str(valeur).strip().lower() in VRAI)

    def format_value(self, value):
        return None  # sans attribut value, une case cochée envoie « on »

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class OuiNonField(forms.Field):
    widget = OuiNonWidget
    template_name = "dsfr/form_field_snippets/checkbox_snippet.html"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return bool(value)
        texte = str(value).strip().lower()
        if texte in VRAI:
            return True
        if texte in FAUX:
            return False
        raise ValidationError("Indiquez 1 (oui) ou 0 (non).", code="invalide")


class CommuneField(forms.CharField):
    """Une commune désignée par son code INSEE (un arrondissement est accepté) ou, si `noms_acceptes`, par son nom."""

    def __init__(self, *, noms_acceptes: bool = True, **kwargs):
        self.noms_acceptes = noms_acceptes
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)

    def clean(self, value) -> Commune | None:
        saisie = super().clean(value)
        if not saisie:
            return None
        if not self.noms_acceptes:
            if not selectors.CODE_INSEE.match(saisie.strip().upper()):
                raise ValidationError("Indiquez un code INSEE à cinq caractères, par exemple 06088.", code="format")
            code = saisie.strip().upper()
        else:
            code = selectors.code_dans_saisie(saisie)
        if code:
            commune = selectors.commune_par_code(code)
            if commune is None:
                raise ValidationError(f"Aucune commune n'a le code INSEE « {code} ».", code="inconnue")
            return commune
        communes = selectors.communes_par_nom(saisie)
        if not communes:
            raise ValidationError(
                f"Aucune commune ne s'appelle « {saisie} » : choisissez une des suggestions ou saisissez le code INSEE.",
                code="inconnue",
            )
        if len(communes) > 1:
            codes = ", ".join(f"{commune.nom} ({commune.insee})" for commune in communes)
            raise ValidationError(
                f"Plusieurs communes s'appellent « {saisie} » : {codes}. Précisez le code INSEE.", code="ambigue"
            )
        return communes[0]


def _suggestions(field: forms.Field) -> None:
    """Le champ propose des communes pendant la saisie : htmx remplit la liste partagée `#communes-suggerees`."""
    field.widget.attrs.update(
        {
            "list": "communes-suggerees",
            "autocomplete": "off",
            "hx-get": reverse("bareme:communes"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#communes-suggerees",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
            "hx-push-url": "false",
        }
    )


def _valeur_par_defaut(form: forms.Form, champ: str, defaut):
    valeur = form.cleaned_data.get(champ)
    if valeur in (None, ""):
        form.cleaned_data[champ] = defaut


class SimulationForm(FormulaireDsfr):
    """Base des simulations : les mêmes champs lisent le formulaire du simulateur et les paramètres de l'API.

    htmx remplace la section (formulaire et résultat) à chaque changement ; `hx-preserve` garde les champs tels que
    la personne les a saisis pendant que la réponse arrive (seuls les libellés et les erreurs sont remplacés).
    `noms_acceptes` : une commune peut être désignée par son nom (simulateur) ou seulement par son code (API).
    """

    def __init__(self, *args, noms_acceptes: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["hx-preserve"] = "true"
            if isinstance(field, CommuneField):
                field.noms_acceptes = noms_acceptes
                _suggestions(field)


class SimulationIKForm(SimulationForm):
    date = forms.DateField(
        label="Date du trajet",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Saisissez une date valide, par exemple 2026-03-02.",
            "required": "Indiquez la date.",
        },
    )
    vehicule = forms.ChoiceField(
        label="Véhicule",
        choices=TypeVehicule.choices,
        error_messages={
            "invalid_choice": "Choisissez voiture, motocyclette ou velomoteur.",
            "required": "Indiquez le véhicule : voiture, motocyclette ou velomoteur.",
        },
    )
    cv = forms.IntegerField(
        label="Puissance fiscale (CV)",
        help_text="Voiture seulement : case P.6 du certificat d'immatriculation.",
        required=False,
        min_value=1,
        max_value=99,
        error_messages={"invalid": "Saisissez un nombre entier de chevaux fiscaux, par exemple 5."},
    )
    km = KilometresField(
        label="Distance d'un trajet (km)",
        strictement_positif=True,
        error_messages={"required": "Indiquez la distance d'un trajet."},
    )
    trajets = forms.IntegerField(
        label="Nombre de trajets",
        required=False,
        min_value=1,
        max_value=1000,
        initial=1,
        error_messages={"invalid": "Saisissez un nombre entier de trajets, par exemple 12."},
    )
    cumul = KilometresField(
        label="Kilomètres déjà payés cette année (IK)",
        help_text="Depuis le 1er janvier, tous ordres confondus.",
        required=False,
        initial=0,
    )

    def clean(self):
        cleaned_data = super().clean()
        _valeur_par_defaut(self, "trajets", 1)
        _valeur_par_defaut(self, "cumul", Decimal(0))
        if (
            cleaned_data.get("vehicule") == TypeVehicule.VOITURE
            and not cleaned_data.get("cv")
            and "cv" not in self.errors
        ):
            self.add_error("cv", "Indiquez la puissance fiscale de la voiture (en CV) : elle fixe le barème.")
        return cleaned_data


class SimulationMissionForm(SimulationForm):
    depart = DateHeureLocaleField(label="Départ", error_messages={"required": "Indiquez la date et l'heure du départ."})
    retour = DateHeureLocaleField(label="Retour", error_messages={"required": "Indiquez la date et l'heure du retour."})
    commune = CommuneField(
        label="Commune de la mission",
        help_text="Code INSEE ou nom ; un arrondissement compte pour sa ville.",
        error_messages={"required": "Indiquez la commune de la mission."},
    )
    repas = forms.ChoiceField(
        label="Repas",
        choices=ModeRepas.choices,
        required=False,
        initial=ModeRepas.PLEIN,
        error_messages={"invalid_choice": "Choisissez plein, administratif ou gratuit."},
    )
    nuitee = forms.ChoiceField(
        label="Nuitées",
        choices=ModeNuitee.choices,
        required=False,
        initial=ModeNuitee.PAYANTE,
        error_messages={"invalid_choice": "Choisissez payante ou gratuite."},
    )
    rqth = OuiNonField(label="Agent reconnu travailleur handicapé à mobilité réduite (RQTH)")

    def clean(self):
        cleaned_data = super().clean()
        _valeur_par_defaut(self, "repas", ModeRepas.PLEIN)
        _valeur_par_defaut(self, "nuitee", ModeNuitee.PAYANTE)
        depart, retour = cleaned_data.get("depart"), cleaned_data.get("retour")
        if depart and retour:
            if retour <= depart:
                self.add_error("retour", "Le retour doit être postérieur au départ.")
            elif retour - depart > DUREE_MAX_MISSION:
                self.add_error("retour", "Le simulateur calcule des missions d'un an au plus.")
        return cleaned_data


class SimulationEligibiliteForm(SimulationForm):
    residence_administrative = CommuneField(
        label="Commune de la résidence administrative",
        help_text="Là où se trouve le service d'affectation.",
        error_messages={"required": "Indiquez la commune de la résidence administrative."},
    )
    residence_familiale = CommuneField(
        label="Commune de la résidence familiale",
        help_text="Là où se trouve le domicile.",
        error_messages={"required": "Indiquez la commune de la résidence familiale."},
    )
    destination = CommuneField(
        label="Commune de destination", error_messages={"required": "Indiquez la commune de destination."}
    )


# Page « Barèmes ».


class NouvelleVersionForm(FormulaireDsfr):
    """La version qui succède à `precedente` : les taux sont pré-remplis avec les siens, les tranches gardées."""

    date_debut = forms.DateField(
        label="En vigueur à partir du", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    texte_reference = forms.CharField(
        label="Texte (référence courte)", max_length=120, help_text="Par exemple : arrêté du 14 mars 2022."
    )
    texte_titre = forms.CharField(label="Titre complet du texte", max_length=400, required=False)
    texte_date = forms.DateField(
        label="Date du texte", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    texte_publication = forms.DateField(
        label="Publié au Journal officiel le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Une publication postérieure au début de validité signale un texte rétroactif.",
    )
    texte_lien = forms.URLField(label="Lien vers le texte", required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args, precedente: Bareme, **kwargs):
        self.precedente = precedente
        super().__init__(*args, **kwargs)
        initial = self.initial
        self.champs_taux: list[tuple[str, dict]] = []
        if precedente.type in TYPES_IK:
            for taux in sorted(precedente.taux_ik.all(), key=lambda taux: (taux.classe, taux.km_min)):
                nom = f"taux_{taux.classe}_{taux.km_min}"
                self.fields[nom] = forms.DecimalField(
                    label=f"{ClasseVehicule(taux.classe).label}, {taux.tranche.libelle} (€/km)",
                    max_digits=5,
                    decimal_places=2,
                    min_value=Decimal("0.01"),
                )
                initial.setdefault(nom, taux.taux)
                self.champs_taux.append((nom, {"classe": taux.classe, "km_min": taux.km_min, "km_max": taux.km_max}))
            if precedente.type == TypeBareme.IK_VELOMOTEUR:
                self.fields["montant_minimum"] = forms.DecimalField(
                    label="Minimum forfaitaire mensuel (€)",
                    required=False,
                    max_digits=7,
                    decimal_places=2,
                    min_value=Decimal("0.01"),
                )
                initial.setdefault("montant_minimum", precedente.montant_minimum)
        else:
            for taux in sorted(precedente.taux_mission.all(), key=lambda taux: taux.zone):
                nom = f"montant_{taux.zone}"
                self.fields[nom] = forms.DecimalField(
                    label=f"{ZoneMission(taux.zone).label} (€)",
                    max_digits=7,
                    decimal_places=2,
                    min_value=Decimal("0.01"),
                )
                initial.setdefault(nom, taux.montant)
                self.champs_taux.append((nom, {"zone": taux.zone}))

    @property
    def champs_texte(self):
        return [
            self[nom]
            for nom in ("date_debut", "texte_reference", "texte_titre", "texte_date", "texte_publication", "texte_lien")
        ]

    @property
    def champs_montants(self):
        noms = [nom for nom, _ in self.champs_taux]
        if "montant_minimum" in self.fields:
            noms.append("montant_minimum")
        return [self[nom] for nom in noms]

    def donnees_service(self) -> dict:
        """Les arguments de `services.creer_version_suivante`."""
        donnees = {
            nom: self.cleaned_data.get(nom)
            for nom in ("texte_reference", "texte_titre", "texte_date", "texte_publication", "texte_lien")
        }
        donnees["texte_titre"] = donnees["texte_titre"] or ""
        donnees["texte_lien"] = donnees["texte_lien"] or ""
        if self.precedente.type in TYPES_IK:
            donnees["taux_ik"] = [
                services.LigneTauxIK(cle["classe"], cle["km_min"], cle["km_max"], self.cleaned_data[nom])
                for nom, cle in self.champs_taux
            ]
            donnees["montant_minimum"] = self.cleaned_data.get("montant_minimum")
        else:
            donnees["taux_mission"] = [
                services.LigneTauxMission(cle["zone"], self.cleaned_data[nom]) for nom, cle in self.champs_taux
            ]
        return donnees


class ClotureForm(FormulaireDsfr):
    date_fin = forms.DateField(
        label="Dernier jour de validité",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez le dernier jour de validité.", "invalid": "Saisissez une date valide."},
    )
