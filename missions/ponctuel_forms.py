"""Les formulaires des OM ponctuels : ils lisent et vérifient la saisie ; les règles sont dans `missions.ponctuels`."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from agents.enums import Categorie
from agents.forms import CommuneSaisieField, DateInput, libelle_commune
from agents.models import CentreCouts, DomaineFonctionnel, EnveloppeBudgetaire
from config.formulaires import FormulaireDsfr
from missions import fichiers
from missions.calculs import en_heure_locale
from missions.enums import (
    MODES_NUITEE,
    MODES_REPAS,
    CasRattachement,
    ClasseTrain,
    Depart,
    Etat,
    LieuDepart,
    SensTrajet,
    TypeFrais,
    TypeOrdre,
)
from missions.forms import champ_km_aller
from missions.models import OrdreMission, PolitiqueVoyage

MONTANT = {
    "min_value": Decimal("0"),
    "max_digits": 8,
    "decimal_places": 2,
    "localize": True,
    "widget": forms.TextInput(attrs={"inputmode": "decimal"}),
    "error_messages": {
        "invalid": "Indiquez un montant en euros, par exemple 116 ou 3,70.",
        "required": "Indiquez le montant en euros, par exemple 116 ou 3,70.",
        "min_value": "Un montant ne peut pas être négatif.",
        "max_digits": "Ce montant est trop élevé : vérifiez-le.",
    },
}
LIBELLES_FRAIS = {
    TypeFrais.TRAIN: "Billet de train payé par vous",
    TypeFrais.TRANSPORT_PUBLIC: "Ticket de bus ou de métro (un par ticket)",
    TypeFrais.PARKING: "Stationnement à la gare",
    TypeFrais.PEAGE: "Péage",
}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"required": "Indiquez la date.", "invalid": "Indiquez une date, par exemple 22/10/2026."},
        **kwargs,
    )


def _heure_field(label: str, **kwargs) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=TimeInput(),
        error_messages={"required": "Indiquez l'heure.", "invalid": "Indiquez une heure, par exemple 05:51."},
        **kwargs,
    )


def _moment(jour: datetime.date | None, heure: datetime.time | None) -> datetime.datetime | None:
    """Une date et une heure saisies en heure locale, avec leur fuseau."""
    if jour is None or heure is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(jour, heure))


class PonctuelForm(FormulaireDsfr):
    """L'en-tête d'un OM ponctuel : destination, objet, horaires, transport, codes budgétaires, convocation."""

    omp = forms.ModelChoiceField(
        label="Rattacher à un ordre de mission permanent",
        queryset=OrdreMission.objects.none(),
        required=False,
        empty_label="Aucun : ordre vierge (convocation, réunion)",
        help_text="Pour un déplacement couvert par votre OMP qui comporte une nuitée ou se fait en transport en commun.",
    )
    cas_rattachement = forms.ChoiceField(
        label="Cas de rattachement", choices=[("", "—"), *CasRattachement.choices], required=False
    )
    destination_principale = CommuneSaisieField(
        label="Commune de la mission",
        help_text="Code INSEE ou nom, par exemple 75056 ou Paris : choisissez-la dans les suggestions.",
        error_messages={"required": "Indiquez la commune de la mission."},
    )
    objet = forms.CharField(
        label="Objet",
        max_length=250,
        help_text="L'objet et la date de la réunion, par exemple « Réunion des référents le 22/10/2026, 10 h – 16 h ». "
        "Avec une demande de billet : « DEMANDE DE BILLET 22/10/2026 », puis l'objet.",
        error_messages={"required": "Indiquez l'objet de la mission."},
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    depart_date = _date_field("Date du départ")
    depart_heure = _heure_field("Heure du départ")
    retour_date = _date_field("Date du retour")
    retour_heure = _heure_field("Heure du retour")
    lieu_depart = forms.ChoiceField(
        label="Ces horaires sont ceux",
        choices=[
            (LieuDepart.ADMINISTRATIVE, "du départ et du retour à la résidence administrative (ADM)"),
            (LieuDepart.FAMILIALE, "du départ et du retour à la résidence familiale (FAM)"),
            (LieuDepart.GARE, "du train, à la gare (le délai d'accès à la gare est ajouté pour le calcul)"),
        ],
        widget=forms.RadioSelect,
        initial=LieuDepart.ADMINISTRATIVE,
        error_messages={"required": "Dites d'où partent ces horaires."},
    )
    transports_publics = forms.BooleanField(label="Transport en commun (train, car, bus)", required=False)
    vehicule_personnel = forms.BooleanField(
        label="Véhicule personnel (IK au barème ; sinon, trajet vers la gare sur la base transports en commun)",
        required=False,
    )
    vehicule_service = forms.BooleanField(label="Véhicule de service", required=False)
    demande_billets = forms.BooleanField(
        label="Je demande des titres de transport à l'agence de voyage",
        required=False,
        help_text="La convocation est alors obligatoire avant la soumission.",
    )
    enveloppe_budgetaire = forms.ModelChoiceField(
        label="Enveloppe budgétaire",
        queryset=EnveloppeBudgetaire.objects.filter(actif=True),
        required=False,
        help_text="Pour une convocation du ministère ou du rectorat, l'enveloppe des convocations.",
    )
    centre_couts = forms.ModelChoiceField(
        label="Centre de coûts", queryset=CentreCouts.objects.filter(actif=True), required=False
    )
    domaine_fonctionnel = forms.ModelChoiceField(
        label="Domaine fonctionnel", queryset=DomaineFonctionnel.objects.filter(actif=True), required=False
    )
    axe_analytique = forms.CharField(
        label="Axe analytique",
        max_length=30,
        required=False,
        help_text="Quand l'enveloppe l'exige : la direction qui convoque, par exemple CC-DGESCO.",
    )
    convocation = forms.FileField(
        label="Convocation",
        required=False,
        widget=forms.FileInput(attrs={"accept": fichiers.ACCEPT}),
    )
    supprimer_convocation = forms.BooleanField(label="Retirer la convocation déposée", required=False)

    def __init__(self, *args, agent, ordre=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["omp"].queryset = OrdreMission.objects.filter(
            agent=agent, type=TypeOrdre.PERMANENT, etat=Etat.VALIDE
        ).order_by("-date_debut", "-pk")
        self.fields["convocation"].help_text = (
            f"PDF, JPEG ou PNG, {fichiers.taille_fr(fichiers.taille_max())} au plus. "
            "Obligatoire avec une demande de titres de transport."
        )
        if ordre is None or not ordre.convocation:
            del self.fields["supprimer_convocation"]

    @classmethod
    def initial_depuis(cls, ordre: OrdreMission) -> dict:
        depart = en_heure_locale(ordre.depart_le) if ordre.depart_le else None
        retour = en_heure_locale(ordre.retour_le) if ordre.retour_le else None
        return {
            "omp": ordre.omp_id,
            "cas_rattachement": ordre.cas_rattachement,
            "destination_principale": libelle_commune(ordre.destination_principale)
            if ordre.destination_principale
            else "",
            "objet": ordre.objet,
            "commentaire": ordre.commentaire,
            "depart_date": depart.date() if depart else None,
            "depart_heure": depart.time() if depart else None,
            "retour_date": retour.date() if retour else None,
            "retour_heure": retour.time() if retour else None,
            "lieu_depart": ordre.lieu_depart or LieuDepart.ADMINISTRATIVE,
            "transports_publics": ordre.transports_publics,
            "vehicule_personnel": ordre.vehicule_personnel,
            "vehicule_service": ordre.vehicule_service,
            "demande_billets": ordre.demande_billets,
            "enveloppe_budgetaire": ordre.enveloppe_budgetaire_id,
            "centre_couts": ordre.centre_couts_id,
            "domaine_fonctionnel": ordre.domaine_fonctionnel_id,
            "axe_analytique": ordre.axe_analytique,
        }

    @classmethod
    def initial_pour(cls, agent, omp: OrdreMission | None = None) -> dict:
        """Un ordre vierge reprend les codes budgétaires de l'agent ; rattaché, ceux et l'objet de l'OMP."""
        source = omp or agent
        initial = {
            "lieu_depart": LieuDepart.ADMINISTRATIVE,
            "transports_publics": True,
            "enveloppe_budgetaire": source.enveloppe_budgetaire_id,
            "centre_couts": source.centre_couts_id,
            "domaine_fonctionnel": source.domaine_fonctionnel_id,
        }
        if omp is not None:
            initial.update(omp=omp.pk, objet=omp.objet, vehicule_personnel=omp.vehicule_personnel)
        return initial

    def clean_convocation(self):
        fichier = self.cleaned_data.get("convocation")
        if fichier:
            fichiers.verifier_justificatif(fichier)
        return fichier

    def clean(self):
        cleaned = super().clean()
        cleaned["depart_le"] = _moment(cleaned.get("depart_date"), cleaned.get("depart_heure"))
        cleaned["retour_le"] = _moment(cleaned.get("retour_date"), cleaned.get("retour_heure"))
        if cleaned["depart_le"] and cleaned["retour_le"] and cleaned["retour_le"] <= cleaned["depart_le"]:
            self.add_error("retour_heure", "Le retour doit suivre le départ.")
        if cleaned.get("omp") and not cleaned.get("cas_rattachement"):
            self.add_error("cas_rattachement", "Précisez pourquoi ce déplacement couvert par l'OMP demande un OM.")
        if not cleaned.get("omp"):
            cleaned["cas_rattachement"] = ""
        return cleaned


class SejourForm(FormulaireDsfr):
    commune = CommuneSaisieField(
        label="Commune",
        help_text="Le nouveau lieu de la mission, par exemple Lyon ou 69123.",
        error_messages={"required": "Indiquez la commune."},
    )
    date = _date_field("À partir du")
    heure = _heure_field("À partir de", help_text="L'heure d'arrivée dans cette commune.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        cleaned["arrivee_le"] = _moment(cleaned.get("date"), cleaned.get("heure"))
        return cleaned


class EtapeForm(FormulaireDsfr):
    mode = forms.ChoiceField(label="Prise en charge", widget=forms.RadioSelect)
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=250,
        help_text="Par exemple l'organisme qui fournit ou indemnise le repas.",
    )

    def __init__(self, *args, etape, **kwargs):
        super().__init__(*args, **kwargs)
        modes = MODES_NUITEE if etape.est_nuitee else MODES_REPAS
        self.fields["mode"].choices = [(mode.value, mode.label) for mode in modes]
        self.fields["mode"].label = f"Prise en charge : {etape.libelle}"


def _jours(ordre: OrdreMission) -> list[datetime.date]:
    nombre = (ordre.date_fin - ordre.date_debut).days + 1
    return [ordre.date_debut + datetime.timedelta(days=n) for n in range(nombre)]


class FraisPonctuelForm(FormulaireDsfr):
    type = forms.ChoiceField(label="Nature", choices=list(LIBELLES_FRAIS.items()))
    date = _date_field("Date")
    montant = forms.DecimalField(label="Montant prévu ou payé (€)", **MONTANT)
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=250)

    def __init__(self, *args, ordre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs.update(
            {"min": ordre.date_debut.isoformat(), "max": ordre.date_fin.isoformat()}
        )
        if ordre.demande_billets:
            self.fields["type"].choices = [
                choix for choix in self.fields["type"].choices if choix[0] != TypeFrais.TRAIN
            ]
            self.fields["type"].help_text = "Les billets de train sont achetés par l'agence de voyage."

    @classmethod
    def initial_depuis(cls, frais) -> dict:
        return {"type": frais.type, "date": frais.date, "montant": frais.montant, "commentaire": frais.commentaire}


class TrajetGareForm(FormulaireDsfr):
    depart = forms.ChoiceField(
        label="Départ depuis", choices=Depart.choices, widget=forms.RadioSelect, initial=Depart.ADMINISTRATIVE
    )
    commune_arrivee = CommuneSaisieField(
        label="Commune de la gare",
        help_text="Par exemple Marseille ou 13055.",
        error_messages={"required": "Indiquez la commune de la gare."},
    )
    km_aller = champ_km_aller(
        "Kilomètres (aller)", "Laissez vide pour la distance de référence (distancier, sinon estimation)."
    )
    trajets = forms.TypedChoiceField(
        label="Trajets",
        choices=[("2", "Aller et retour"), ("1", "Aller simple ou retour simple")],
        coerce=int,
        widget=forms.RadioSelect,
        initial="2",
    )
    date = forms.TypedChoiceField(
        label="Jour",
        coerce=datetime.date.fromisoformat,
        error_messages={"invalid_choice": "Choisissez un jour de la mission."},
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=250)

    def __init__(self, *args, ordre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = [(jour.isoformat(), f"{jour:%d/%m/%Y}") for jour in _jours(ordre)]


class DemandeBilletForm(FormulaireDsfr):
    gare_depart = forms.CharField(
        label="Gare de départ",
        max_length=100,
        help_text="Précisez « centre-ville » ou « TGV » quand la ville a deux gares.",
        error_messages={"required": "Indiquez la gare de départ."},
    )
    gare_arrivee = forms.CharField(
        label="Gare d'arrivée", max_length=100, error_messages={"required": "Indiquez la gare d'arrivée."}
    )
    date = _date_field("Date du voyage", help_text="La même que dans l'en-tête de l'ordre.")
    heure_min = _heure_field("Départ du train au plus tôt à")
    heure_max = _heure_field("Départ du train au plus tard à")
    classe = forms.ChoiceField(label="Classe", choices=ClasseTrain.choices, widget=forms.RadioSelect)
    cartes = forms.CharField(
        label="Cartes de réduction et abonnements",
        required=False,
        max_length=250,
        help_text="Nature, numéro et taux de réduction ; repris de votre dernière demande.",
    )
    e_billet = forms.BooleanField(label="E-billet (à imprimer vous-même)", required=False)
    cout_estime = forms.DecimalField(
        label="Coût prévisionnel, frais d'agence compris (€)",
        help_text="Par exemple 116 pour un aller en 2de classe, tarif normal.",
        **MONTANT,
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=250,
        help_text="Par exemple : voyager avec une autre personne convoquée.",
    )

    def __init__(self, *args, sens: str, **kwargs):
        super().__init__(*args, **kwargs)
        if sens == SensTrajet.RETOUR:
            self.fields["heure_min"].label = "Arrivée du train au plus tôt à"
            self.fields["heure_max"].label = "Arrivée du train au plus tard à"
            self.fields["heure_min"].help_text = "L'heure de retour à la gare de l'en-tête de l'ordre."
        else:
            self.fields["heure_min"].help_text = "L'heure de départ de l'en-tête de l'ordre."

    @classmethod
    def initial_depuis(cls, demande) -> dict:
        return {
            champ: getattr(demande, champ)
            for champ in (
                "gare_depart",
                "gare_arrivee",
                "date",
                "heure_min",
                "heure_max",
                "classe",
                "cartes",
                "e_billet",
                "cout_estime",
                "commentaire",
            )
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("heure_min") and cleaned.get("heure_max") and cleaned["heure_max"] < cleaned["heure_min"]:
            self.add_error("heure_max", "L'heure limite doit suivre l'heure de début de la plage.")
        return cleaned


class BilletForm(FormulaireDsfr):
    reference = forms.CharField(
        label="Référence du dossier ou du billet",
        max_length=60,
        error_messages={"required": "Indiquez la référence du dossier ou du billet."},
    )
    cout = forms.DecimalField(label="Coût facturé (€)", **MONTANT)
    fichier = forms.FileField(
        label="Billet",
        required=False,
        widget=forms.FileInput(attrs={"accept": fichiers.ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "fichier"
        ].help_text = f"PDF, JPEG ou PNG, {fichiers.taille_fr(fichiers.taille_max())} au plus : l'agent le télécharge sur son ordre."

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if fichier:
            fichiers.verifier_justificatif(fichier)
        return fichier


class PolitiqueVoyageForm(FormulaireDsfr, forms.ModelForm):
    """Les réglages de la politique de voyage, tenus par les administrateurs."""

    derogation_categories = forms.MultipleChoiceField(
        label="Catégories concernées par la dérogation",
        choices=Categorie.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune : pas de 1re classe, sauf si c'est la classe par défaut.",
    )
    derogation_commune = CommuneSaisieField(
        label="Destination de la dérogation", required=False, help_text="Vide : toute destination. Par exemple Paris."
    )
    enveloppes_avec_axe = forms.ModelMultipleChoiceField(
        label="Enveloppes qui exigent un axe analytique",
        queryset=EnveloppeBudgetaire.objects.filter(actif=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PolitiqueVoyage
        fields = [
            "classe_par_defaut",
            "derogation_libelle",
            "derogation_categories",
            "derogation_commune",
            "derogation_meme_journee",
            "parking_heures_max",
            "parking_plafond_jour",
            "tickets_par_jour",
            "delai_acces_gare",
            "pourcentage_repas_reduit",
            "taux_km_transport_public",
            "enveloppes_avec_axe",
        ]
        widgets = {"classe_par_defaut": forms.RadioSelect}
        localized_fields = ["parking_plafond_jour", "taux_km_transport_public"]
        error_messages = {
            "parking_plafond_jour": {"invalid": "Indiquez un montant en euros, par exemple 16 ou 16,50."},
            "taux_km_transport_public": {"invalid": "Indiquez un taux en euros par kilomètre, par exemple 0,125."},
        }

    def clean_pourcentage_repas_reduit(self):
        valeur = self.cleaned_data["pourcentage_repas_reduit"]
        if valeur > 100:
            raise forms.ValidationError("Indiquez un pourcentage entre 0 et 100.")
        return valeur

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("derogation_categories") and not (cleaned.get("derogation_libelle") or "").strip():
            self.add_error("derogation_libelle", "Nommez la dérogation : elle est citée aux agents qui la demandent.")
        return cleaned


# --- Après la mission : la déclaration réelle de l'état de frais ------------------------------------------------------


class HorairesReelsForm(FormulaireDsfr):
    """Les horaires réels du départ et du retour, pris depuis le même lieu que ceux de l'ordre."""

    depart_date = _date_field("Date réelle du départ")
    depart_heure = _heure_field("Heure réelle du départ")
    retour_date = _date_field("Date réelle du retour")
    retour_heure = _heure_field("Heure réelle du retour")

    @classmethod
    def initial_depuis(cls, etat_frais) -> dict:
        depart = en_heure_locale(etat_frais.depart_le) if etat_frais.depart_le else None
        retour = en_heure_locale(etat_frais.retour_le) if etat_frais.retour_le else None
        return {
            "depart_date": depart.date() if depart else None,
            "depart_heure": depart.time() if depart else None,
            "retour_date": retour.date() if retour else None,
            "retour_heure": retour.time() if retour else None,
        }

    def clean(self):
        cleaned = super().clean()
        cleaned["depart_le"] = _moment(cleaned.get("depart_date"), cleaned.get("depart_heure"))
        cleaned["retour_le"] = _moment(cleaned.get("retour_date"), cleaned.get("retour_heure"))
        if cleaned["depart_le"] and cleaned["retour_le"] and cleaned["retour_le"] <= cleaned["depart_le"]:
            self.add_error("retour_heure", "Le retour doit suivre le départ.")
        return cleaned


class FraisReelForm(FraisPonctuelForm):
    """Un frais réellement payé : mêmes natures que le prévisionnel, un jour de la mission réelle."""

    montant = forms.DecimalField(label="Montant payé (€)", **MONTANT)

    def __init__(self, *args, etat_frais, jours, **kwargs):
        super().__init__(*args, ordre=etat_frais.ordre, **kwargs)
        if jours:
            self.fields["date"].widget.attrs.update({"min": jours[0].isoformat(), "max": jours[1].isoformat()})
        if etat_frais.ordre.demande_billets:
            self.fields[
                "type"
            ].help_text = "Vos billets ont été achetés par l'agence de voyage : ils ne vous sont pas remboursés."


class JustificatifForm(FormulaireDsfr):
    libelle = forms.CharField(
        label="Ce que justifie le fichier",
        max_length=250,
        help_text="Par exemple « facture de l'hôtel » ou « tickets de métro du 22 octobre ».",
        error_messages={"required": "Dites ce que justifie ce fichier, par exemple « facture de l'hôtel »."},
    )
    fichier = forms.FileField(
        label="Fichier",
        widget=forms.FileInput(attrs={"accept": fichiers.ACCEPT}),
        error_messages={"required": "Choisissez le fichier du justificatif."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = f"PDF, JPEG ou PNG, {fichiers.taille_fr(fichiers.taille_max())} au plus."

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if fichier:
            fichiers.verifier_justificatif(fichier)
        return fichier
