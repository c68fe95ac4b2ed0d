import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agents.enums import Role
from agents.forms import DateInput
from agents.models import EnveloppeBudgetaire, ServiceGestionnaire
from agents.permissions import a_le_role, role_required
from bareme import calcul
from config.formulaires import FormulaireDsfr
from missions import ponctuel_etats_frais
from missions.selectors import ordre_visible_ou_404
from missions.views import render_ordre
from validation import budget, etats_frais, paiement, selectors, services
from validation import delegations as delegations_services
from validation import pdf as pdf_ef
from validation.enums import Action, RoleDelegue
from validation.forms import FiltreFileForm, RefusForm, SoumissionForm, ValidationGroupeeForm
from validation.models import ActionEF, Delegation, EtatEF, EtatFrais, EtatLot, Notification

PAR_PAGE = 50
MESSAGES_SUCCES = {
    Action.SOUMETTRE: "Ordre de mission soumis.",
    Action.VALIDER: "Ordre de mission validé.",
    Action.REFUSER: "Ordre de mission refusé ; l'agent est prévenu avec votre motif.",
    Action.REPRENDRE: "Ordre de mission repris : corrigez-le puis soumettez-le de nouveau.",
    Action.RETIRER: "Ordre de mission retiré : il est de nouveau en cours de création.",
    Action.ANNULER: "Ordre de mission annulé.",
}
FILES = {
    Role.VH1: {"titre": "À valider", "url_name": "validation:a_valider", "avec_etat": False},
    Role.GESTIONNAIRE: {"titre": "Gestion", "url_name": "validation:gestion", "avec_etat": True},
}


def _file(request, role: Role):
    if role == Role.VH1:
        base = selectors.ordres_file_vh1(request.user)
        initial = {}
    else:
        base = selectors.ordres_file_gestion(request.user)
        initial = {"etat": "attente_gestionnaire"}
    donnees = request.GET if request.GET else initial
    form = FiltreFileForm(donnees or None, avec_etat=FILES[role]["avec_etat"])
    filtres = form.cleaned_data if form.is_bound and form.is_valid() else initial
    ordres = selectors.filtrer(base, filtres)
    compteurs = selectors.compter(ordres)
    paginator = Paginator(ordres, PAR_PAGE)
    paginator.count = compteurs["total"]  # déjà compté : pas un second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return {
        "title": FILES[role]["titre"],
        "espace_courant": role,
        "file": FILES[role],
        "form": form,
        "page": page,
        "compteurs": compteurs,
        "compteurs_file": selectors.compter_file(base),
        "parametres": parametres.urlencode(),
        "peut_valider": role == Role.VH1 or filtres.get("etat") == "attente_gestionnaire",
        "peut_deleguer": bool(_roles_delegables(request.user)),  # un délégataire sans le rôle ne redélègue pas
    }


@role_required(Role.VH1, par_delegation=True)
def a_valider(request):
    return render(request, "validation/file.html", _file(request, Role.VH1))


@role_required(Role.GESTIONNAIRE, par_delegation=True)
def gestion(request):
    context = _file(request, Role.GESTIONNAIRE)
    context["gestionnaire"] = getattr(request.user, "gestionnaire", None)  # un suppléant n'en a pas forcément
    return render(request, "validation/file.html", context)


@login_required
@require_POST
def validation_groupee(request):
    """Deux temps : la sélection mène à une confirmation ; la confirmation valide et rend compte."""
    role = Role.GESTIONNAIRE if request.POST.get("file") == Role.GESTIONNAIRE else Role.VH1
    if not a_le_role(request.user, role, par_delegation=True):
        raise Http404
    base = selectors.ordres_file_vh1(request.user) if role == Role.VH1 else selectors.ordres_file_gestion(request.user)
    form = ValidationGroupeeForm(request.POST, queryset=base.order_by("soumis_le", "pk"))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["ordres"]))
        # Retour à la file telle qu'elle était affichée (filtres, tri, page) ; ré-encodée, la chaîne reste une requête.
        parametres = QueryDict(request.POST.get("parametres", "")).urlencode()
        return redirect(reverse(FILES[role]["url_name"]) + (f"?{parametres}" if parametres else ""))
    ordres = list(form.cleaned_data["ordres"])
    context = {"title": "Validation groupée", "espace_courant": role, "file": FILES[role], "role": role}
    if request.POST.get("confirme") != "1":
        context["ordres"] = ordres
        context["sans_anomalie"] = [ordre for ordre in ordres if not ordre.nb_anomalies]
        return render(request, "validation/validation_groupee_confirmation.html", context)
    context["rapport"] = services.valider_en_lot(ordres=ordres, par=request.user)
    return render(request, "validation/validation_groupee_rapport.html", context)


@login_required
@require_POST
def agir(request, pk, action):
    try:
        action = Action(action)
    except ValueError as exc:
        raise Http404 from exc
    ordre = ordre_visible_ou_404(request.user, pk)
    params = {"etat_attendu": request.POST.get("etat") or None}
    if action == Action.SOUMETTRE:
        form = SoumissionForm(request.POST, ordre=ordre)
        if form.is_valid():
            params["destinataire"] = form.cleaned_data["destinataire"]
    elif action in (Action.REFUSER, Action.ANNULER):
        form = RefusForm(request.POST)
        if form.is_valid():
            params["motif"] = form.cleaned_data["motif"]
    else:
        form = None
    if form is not None and not form.is_valid():
        formulaires = {"soumission_form" if action == Action.SOUMETTRE else "refus_form": form}
        return render_ordre(request, ordre, status=422, **formulaires)
    try:
        getattr(services, action.value)(ordre=ordre, par=request.user, **params)
    except services.ActionRefusee as refus:
        messages.error(request, str(refus))
    else:
        messages.success(request, MESSAGES_SUCCES[action])
    return redirect("missions:ordre", pk=ordre.pk)


# --- Délégations ------------------------------------------------------------------------------------------------------

ROLES_DELEGANTS = {Role.VH1: RoleDelegue.VH1, Role.GESTIONNAIRE: RoleDelegue.GESTIONNAIRE}
PASSEES_AFFICHEES = 20


class DelegationForm(FormulaireDsfr):
    role = forms.ChoiceField(
        label="Validation à déléguer", choices=(), error_messages={"required": "Choisissez la validation à déléguer."}
    )
    delegataire = forms.EmailField(
        label="Adresse électronique de la personne qui validera à votre place",
        help_text="Son adresse professionnelle complète, celle de son compte sur le portail.",
        error_messages={
            "required": "Indiquez l'adresse électronique de la personne à qui vous déléguez.",
            "invalid": "Saisissez une adresse électronique complète, par exemple prenom.nom@ac-exemple.fr.",
        },
    )
    date_debut = forms.DateField(
        label="Du",
        widget=DateInput(),
        error_messages={"required": "Indiquez le premier jour de la délégation.", "invalid": "Date invalide."},
    )
    date_fin = forms.DateField(
        label="Au (inclus)",
        widget=DateInput(),
        error_messages={"required": "Indiquez le dernier jour de la délégation.", "invalid": "Date invalide."},
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0].value

    def clean_delegataire(self):
        personne = delegations_services.utilisateur_actif(self.cleaned_data["delegataire"])
        if personne is None:
            raise ValidationError(
                "Aucun compte actif du portail ne porte cette adresse : vérifiez-la, ou demandez à la personne "
                "l'adresse avec laquelle elle se connecte."
            )
        return personne


def _roles_delegables(user) -> list[RoleDelegue]:
    return [role_delegue for role, role_delegue in ROLES_DELEGANTS.items() if role in user.roles]


@login_required
def delegations(request):
    """Les délégations données et reçues, et le formulaire pour en donner une."""
    roles = _roles_delegables(request.user)
    if not roles:
        raise PermissionDenied("Les délégations sont réservées aux valideurs hiérarchiques et aux gestionnaires.")
    form = DelegationForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            delegation = delegations_services.creer_delegation(delegant=request.user, **form.cleaned_data)
        except delegations_services.DelegationRefusee as refus:
            for champ, erreurs in refus.message_dict.items():
                form.add_error(champ if champ in form.fields else None, erreurs)
        else:
            messages.success(
                request,
                f"Délégation donnée à {delegation.delegataire.get_full_name()} ({delegation.delegataire.email}) "
                f"du {delegation.date_debut:%d/%m/%Y} au {delegation.date_fin:%d/%m/%Y} : cette personne est prévenue.",
            )
            return redirect("validation:delegations")
    jour = timezone.localdate()
    donnees = delegations_services.classer(delegations_services.delegations_donnees(request.user), jour)
    recues = delegations_services.classer(delegations_services.delegations_recues(request.user), jour)
    for classees in (donnees, recues):
        classees[delegations_services.PASSEE] = classees[delegations_services.PASSEE][:PASSEES_AFFICHEES]
    context = {"title": "Délégations", "form": form, "donnees": donnees, "recues": recues}
    return render(request, "validation/delegations.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def terminer_delegation(request, pk):
    visibles = Delegation.objects.all()
    if not request.user.is_staff:
        visibles = visibles.filter(Q(delegant=request.user) | Q(delegataire=request.user))
    delegation = get_object_or_404(visibles, pk=pk)
    try:
        delegations_services.terminer_delegation(delegation=delegation, par=request.user)
    except delegations_services.DelegationRefusee as refus:
        messages.error(request, " ".join(refus.messages))
    else:
        messages.success(request, "Délégation terminée : la personne ne valide plus à votre place et en est prévenue.")
    return redirect("validation:delegations")


# --- Notifications ----------------------------------------------------------------------------------------------------

NOTIFICATIONS_PAR_PAGE = 30


def lien_local(lien: str) -> bool:
    """Un chemin de ce site (« /deplacements/… ») ; jamais une adresse externe ni « //autre-site »."""
    return (
        lien.startswith("/")
        and not lien.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(lien, allowed_hosts=None)
    )


@login_required
def notifications(request):
    mes_notifications = Notification.objects.filter(destinataire=request.user).order_by("-created_at", "-pk")
    context = {
        "title": "Notifications",
        "page": Paginator(mes_notifications, NOTIFICATIONS_PAR_PAGE).get_page(request.GET.get("page")),
        "peut_deleguer": bool(_roles_delegables(request.user)),
    }
    return render(request, "validation/notifications.html", context)


@login_required
@require_POST
def notifications_tout_lu(request):
    nombre = Notification.objects.filter(destinataire=request.user, lue_le__isnull=True).update(lue_le=timezone.now())
    messages.success(request, f"{nombre} notification(s) marquée(s) comme lue(s).")
    return redirect("validation:notifications")


@login_required
def ouvrir_notification(request, pk):
    """Marque la notification comme lue, puis mène à sa page (seulement un chemin de ce site)."""
    notification = get_object_or_404(Notification, pk=pk, destinataire=request.user)
    if notification.lue_le is None:
        Notification.objects.filter(pk=notification.pk, lue_le__isnull=True).update(lue_le=timezone.now())
    if notification.lien and lien_local(notification.lien):
        return redirect(notification.lien)
    return redirect(reverse("validation:notifications"))


# --- États de frais ---------------------------------------------------------------------------------------------------

EF_PAR_PAGE = 50
MESSAGES_EF = {
    ActionEF.VALIDER: "État de frais validé : son PDF est archivé et il peut être mis en paiement.",
    ActionEF.REJETER: "État de frais rejeté ; l'agent est prévenu avec votre motif.",
    ActionEF.ANNULER: "État de frais annulé ; l'agent est prévenu avec votre motif.",
    ActionEF.SOUMETTRE: "État de frais soumis : il attend la validation du service gestionnaire.",
    ActionEF.REPRENDRE: "État de frais repris : corrigez-le, puis soumettez-le de nouveau.",
}


class FiltreEtatsFraisForm(FormulaireDsfr):
    """Les filtres des états de frais et de la création d'un lot (GET) : chaque champ est facultatif."""

    mois = forms.DateField(
        label="Mois des frais",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Indiquez un mois au format AAAA-MM."},
    )
    enveloppe = forms.ModelChoiceField(
        label="Enveloppe budgétaire",
        required=False,
        queryset=EnveloppeBudgetaire.objects.order_by("code"),
        empty_label="Toutes",
    )
    service = forms.ModelChoiceField(
        label="Service gestionnaire",
        required=False,
        queryset=ServiceGestionnaire.objects.order_by("nom"),
        empty_label="Tous",
    )
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous")] + list(EtatEF.choices))

    def __init__(self, *args, avec_etat: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not avec_etat:
            del self.fields["etat"]


class AjustementForm(FormulaireDsfr):
    montant = forms.DecimalField(
        label="Montant retenu (€)",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": "Indiquez le montant retenu (0 pour retirer la ligne).",
            "invalid": "Indiquez un montant en euros, par exemple 17,50.",
            "min_value": "Le montant retenu ne peut pas être négatif.",
            "max_decimal_places": "Indiquez le montant au centime près (deux décimales au plus).",
        },
    )
    motif = forms.CharField(
        label="Motif de l'ajustement",
        help_text="L'agent le lira, par exemple : justificatif du repas manquant.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de l'ajustement : l'agent le lira."},
    )


class MotifEFForm(FormulaireDsfr):
    motif = forms.CharField(
        label="Motif",
        help_text="L'agent le lira.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif : l'agent le lira."},
    )


def _filtres(form, initial: dict) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else initial


def _parametres_sans_page(request) -> str:
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return parametres.urlencode()


@role_required(Role.GESTIONNAIRE)
def ef_liste(request):
    initial = {"etat": EtatEF.A_VALIDER}
    form = FiltreEtatsFraisForm(request.GET or None, initial=initial)
    filtres = _filtres(form, initial)
    base = etats_frais.etats_frais_de_gestion(request.user)
    liste = etats_frais.filtrer(etats_frais.pour_la_liste(base), filtres)
    compteurs = base.order_by().aggregate(
        **{etat.value: Count("pk", filter=Q(etat=etat)) for etat in EtatEF}, total=Sum("montant_total")
    )
    context = {
        "title": "États de frais",
        "espace_courant": Role.GESTIONNAIRE,
        "form": form,
        "page": Paginator(liste, EF_PAR_PAGE).get_page(request.GET.get("page")),
        "compteurs": compteurs,
        "parametres": _parametres_sans_page(request),
    }
    return render(request, "validation/ef/liste.html", context)


@role_required(Role.AGENT)
def mes_etats_frais(request):
    page = Paginator(etats_frais.etats_frais_de_l_agent(request.user), EF_PAR_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Mes états de frais",
        "espace_courant": Role.AGENT,
        "page": page,
        "lignes": [(ef, etats_frais.statut_pour_l_agent(ef)) for ef in page.object_list],
        "agent": request.user.agent,
    }
    return render(request, "validation/ef/mes_etats_frais.html", context)


def _render_ef(request, etat_frais, *, ajustement=None, ligne_en_erreur=None, motif_form=None, status=200):
    """La page d'un état de frais ; un formulaire lié (avec ses erreurs) remplace le vide après un envoi refusé."""
    gerable = etats_frais.peut_gerer(request.user, etat_frais)
    ajustable = gerable and etat_frais.etat == EtatEF.A_VALIDER
    lignes = etats_frais.lignes(etat_frais)
    formulaires = []
    for ligne in lignes:
        form = None
        if ajustable:
            form = (
                ajustement
                if ligne.pk == ligne_en_erreur
                else AjustementForm(prefix=f"ligne-{ligne.pk}", initial={"montant": ligne.montant})
            )
        formulaires.append((ligne, form))
    actions = etats_frais.actions_possibles(request.user, etat_frais)
    declaratif = ponctuel_etats_frais.est_declaratif(etat_frais)
    context = {
        "title": f"État de frais {etat_frais.numero}",
        "espace_courant": Role.GESTIONNAIRE if gerable else Role.AGENT,
        "ef": etat_frais,
        "lignes": formulaires,
        "ligne_en_erreur": ligne_en_erreur,
        "ajustements": etats_frais.ajustements(etat_frais),
        "historique": etats_frais.historique(etat_frais),
        "statut": etats_frais.statut_pour_l_agent(etat_frais),
        "lot": etats_frais.lot_actif(etat_frais),
        "gerable": gerable,
        "actions": actions,
        "motif_form": motif_form or (MotifEFForm() if {ActionEF.REJETER, ActionEF.ANNULER} & set(actions) else None),
        "probleme_bancaire": paiement.probleme_coordonnees(etat_frais.agent) if gerable else None,
        "declaration": ponctuel_etats_frais.page_declaration(etat_frais, request.user) if declaratif else None,
        "actions_agent": etats_frais.actions_de_l_agent(request.user, etat_frais),
    }
    return render(request, "validation/ef/detail.html", context, status=status)


@login_required
def ef_detail(request, pk):
    return _render_ef(request, etats_frais.etat_frais_visible_ou_404(request.user, pk))


@login_required
@require_POST
def ef_ajuster(request, pk, ligne_pk):
    etat_frais = etats_frais.etat_frais_visible_ou_404(request.user, pk)
    ligne = get_object_or_404(etat_frais.lignes.all(), pk=ligne_pk)
    form = AjustementForm(request.POST, prefix=f"ligne-{ligne.pk}")
    if not form.is_valid():
        return _render_ef(request, etat_frais, ajustement=form, ligne_en_erreur=ligne.pk, status=422)
    try:
        etats_frais.ajuster_ligne(etat_frais=etat_frais, ligne=ligne, par=request.user, **form.cleaned_data)
    except etats_frais.EtatFraisRefuse as refus:
        # La page revient avec le montant et le motif saisis ; le refus s'affiche en tête (même si l'état de frais
        # a changé entre-temps et que la ligne n'est plus ajustable).
        messages.error(request, str(refus))
        return _render_ef(request, etat_frais, ajustement=form, ligne_en_erreur=ligne.pk, status=422)
    messages.success(request, "Ligne ajustée : le total est recalculé et l'agent est prévenu avec votre motif.")
    return redirect("validation:ef_detail", pk=etat_frais.pk)


@login_required
@require_POST
def ef_agir(request, pk, action):
    try:
        action = ActionEF(action)
    except ValueError as exc:
        raise Http404 from exc
    if action not in etats_frais.ACTIONS_GESTIONNAIRE + etats_frais.ACTIONS_AGENT:
        raise Http404
    etat_frais = etats_frais.etat_frais_visible_ou_404(request.user, pk)
    params = {"etat_attendu": request.POST.get("etat") or None}
    if action in (ActionEF.REJETER, ActionEF.ANNULER):
        form = MotifEFForm(request.POST)
        if not form.is_valid():
            return _render_ef(request, etat_frais, motif_form=form, status=422)
        params["motif"] = form.cleaned_data["motif"]
    try:
        getattr(etats_frais, action.value)(etat_frais=etat_frais, par=request.user, **params)
    except (etats_frais.EtatFraisRefuse, TransitionNotAllowed, ConcurrentTransition) as refus:
        messages.error(request, str(refus) if isinstance(refus, etats_frais.EtatFraisRefuse) else ACTION_EF_IMPOSSIBLE)
    else:
        messages.success(request, MESSAGES_EF[action])
    return redirect("validation:ef_detail", pk=etat_frais.pk)


ACTION_EF_IMPOSSIBLE = "Action déjà effectuée ou plus possible."


@login_required
def ef_pdf(request, pk):
    etat_frais = etats_frais.etat_frais_visible_ou_404(request.user, pk)
    try:
        contenu, definitif = pdf_ef.pdf_de(etat_frais)
    except pdf_ef.ArchiveAlteree as erreur:
        return render(
            request,
            "validation/ef/archive_alteree.html",
            {"title": "Archive altérée", "message": str(erreur)},
            status=500,
        )
    nom = f"{etat_frais.numero}{'' if definitif else '-provisoire'}.pdf"
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{nom}"'
    return response


@login_required
@require_POST
def ef_etablir(request, pk):
    ordre = ordre_visible_ou_404(request.user, pk)
    try:
        etat_frais = etats_frais.etablir(ordre=ordre, par=request.user)
    except etats_frais.EtatFraisRefuse as refus:
        messages.error(request, str(refus))
        return redirect("missions:ordre", pk=ordre.pk)
    if etat_frais.etat == EtatEF.BROUILLON:
        messages.success(
            request,
            f"État de frais {etat_frais.numero} établi à partir de votre ordre : corrigez les coûts réels, "
            "joignez vos justificatifs, puis soumettez-le.",
        )
    else:
        messages.success(
            request, f"État de frais {etat_frais.numero} établi : il attend la validation du service gestionnaire."
        )
    return redirect("validation:ef_detail", pk=etat_frais.pk)


# --- Mise en paiement -------------------------------------------------------------------------------------------------

LOTS_PAR_PAGE = 30
MESSAGES_LOT = {
    "envoyer": "Lot marqué comme transmis au comptable : il ne peut plus être annulé.",
    "payer": "Lot payé : chaque agent est prévenu.",
    "annuler": "Lot annulé : ses états de frais sont de nouveau disponibles pour un autre lot.",
}


def _prochain_jour_ouvre(jour: datetime.date) -> datetime.date:
    jour += datetime.timedelta(days=1)
    while jour.weekday() >= 5:
        jour += datetime.timedelta(days=1)
    return jour


class LotForm(FormulaireDsfr):
    date_execution = forms.DateField(
        label="Date d'exécution demandée des virements",
        widget=DateInput(),
        error_messages={"required": "Indiquez la date d'exécution des virements.", "invalid": "Date invalide."},
    )
    etats = forms.ModelMultipleChoiceField(
        queryset=EtatFrais.objects.none(), error_messages={"required": "Sélectionnez au moins un état de frais."}
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etats"].queryset = queryset

    def clean_date_execution(self):
        jour = self.cleaned_data["date_execution"]
        if jour < timezone.localdate():
            raise ValidationError("La date d'exécution ne peut pas être passée.")
        return jour


class PaiementLotForm(FormulaireDsfr):
    le = forms.DateField(
        label="Payé le",
        widget=DateInput(),
        error_messages={"required": "Indiquez la date du paiement.", "invalid": "Date invalide."},
    )


class AnnulationLotForm(FormulaireDsfr):
    motif = forms.CharField(
        label="Motif de l'annulation",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de l'annulation du lot."},
    )


def _gestionnaire_ou_404(user) -> None:
    """Les lots et leurs fichiers (IBAN des agents) ne se montrent qu'aux gestionnaires ; aux autres, 404."""
    if Role.GESTIONNAIRE not in user.roles:
        raise Http404


@role_required(Role.GESTIONNAIRE)
def lot_liste(request):
    lots = paiement.lots_visibles(request.user).order_by("-created_at", "-pk")
    context = {
        "title": "Lots de paiement",
        "espace_courant": Role.GESTIONNAIRE,
        "page": Paginator(lots, LOTS_PAR_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, "validation/ef/lots.html", context)


@role_required(Role.GESTIONNAIRE)
def lot_nouveau(request):
    """Les états de frais validés du périmètre, filtrés ; chacun dit s'il peut entrer dans un lot, ou pourquoi pas."""
    filtre = FiltreEtatsFraisForm(request.GET or None, avec_etat=False)
    payables = etats_frais.filtrer(paiement.etats_frais_payables(request.user), _filtres(filtre, {}))
    if request.method == "POST":
        form = LotForm(request.POST, queryset=payables)
        if form.is_valid():
            try:
                rapport = paiement.creer_lot(
                    etats=list(form.cleaned_data["etats"]),
                    par=request.user,
                    date_execution=form.cleaned_data["date_execution"],
                )
            except etats_frais.EtatFraisRefuse as refus:
                form.add_error(None, str(refus))  # la sélection revient, le refus en tête du formulaire (422)
            else:
                lot = rapport.lot
                messages.success(
                    request,
                    f"Lot {lot.numero} créé : {lot.nombre} état(s) de frais, {calcul.euros_fr(lot.montant_total)}.",
                )
                for etat_frais, motif in rapport.ecartes:
                    messages.warning(request, f"{etat_frais.numero} laissé hors du lot : {motif}")
                return redirect("validation:lot_detail", pk=lot.pk)
    else:
        form = LotForm(queryset=payables, initial={"date_execution": _prochain_jour_ouvre(timezone.localdate())})
    lignes = [(ef, paiement.motif_blocage(ef)) for ef in payables]
    context = {
        "title": "Nouveau lot de paiement",
        "espace_courant": Role.GESTIONNAIRE,
        "filtre": filtre,
        "form": form,
        "lignes": lignes,
        "selectionnes": {str(valeur) for valeur in request.POST.getlist("etats")},
        "total_payable": sum((ef.montant_total for ef, motif in lignes if not motif), Decimal(0)),
    }
    return render(request, "validation/ef/lot_nouveau.html", context, status=422 if form.errors else 200)


def _render_lot(request, lot, *, paiement_form=None, annulation_form=None, status=200):
    context = {
        "title": f"Lot de paiement {lot.numero}",
        "espace_courant": Role.GESTIONNAIRE,
        "lot": lot,
        "elements": paiement.elements(lot),
        "paiement_form": paiement_form or PaiementLotForm(initial={"le": timezone.localdate()}),
        "annulation_form": annulation_form or AnnulationLotForm(),
    }
    return render(request, "validation/ef/lot_detail.html", context, status=status)


@login_required
def lot_detail(request, pk):
    _gestionnaire_ou_404(request.user)
    return _render_lot(request, paiement.lot_visible_ou_404(request.user, pk))


@login_required
def lot_fichier(request, pk, quel):
    _gestionnaire_ou_404(request.user)
    if quel not in ("csv", "sepa"):
        raise Http404
    lot = paiement.lot_visible_ou_404(request.user, pk)
    if lot.etat == EtatLot.ANNULE:
        return render(
            request,
            "validation/ef/archive_alteree.html",
            {
                "title": "Lot annulé",
                "message": f"Le lot {lot.numero} est annulé : ses fichiers ne doivent pas être transmis.",
            },
            status=410,
        )
    try:
        contenu = paiement.lire_fichier(lot, quel)
    except paiement.FichierAltere as erreur:
        return render(
            request,
            "validation/ef/archive_alteree.html",
            {"title": "Fichier altéré", "message": str(erreur)},
            status=500,
        )
    if quel == "csv":
        response = HttpResponse(contenu, content_type="text/csv; charset=utf-8")
        nom = f"{lot.numero}-comptabilite.csv"
    else:
        response = HttpResponse(contenu, content_type="application/xml")
        nom = f"{lot.numero}-virements-sepa.xml"
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response


@login_required
@require_POST
def lot_agir(request, pk, action):
    _gestionnaire_ou_404(request.user)
    if action not in MESSAGES_LOT:
        raise Http404
    lot = paiement.lot_visible_ou_404(request.user, pk)
    try:
        if action == "envoyer":
            paiement.marquer_envoye(lot=lot, par=request.user)
        elif action == "payer":
            form = PaiementLotForm(request.POST)
            if not form.is_valid():
                return _render_lot(request, lot, paiement_form=form, status=422)
            paiement.marquer_paye(lot=lot, par=request.user, le=form.cleaned_data["le"])
        else:
            form = AnnulationLotForm(request.POST)
            if not form.is_valid():
                return _render_lot(request, lot, annulation_form=form, status=422)
            paiement.annuler_lot(lot=lot, par=request.user, motif=form.cleaned_data["motif"])
    except (etats_frais.EtatFraisRefuse, TransitionNotAllowed, ConcurrentTransition) as refus:
        messages.error(request, str(refus) if isinstance(refus, etats_frais.EtatFraisRefuse) else ACTION_EF_IMPOSSIBLE)
    else:
        messages.success(request, MESSAGES_LOT[action])
    return redirect("validation:lot_detail", pk=lot.pk)


# --- Suivi budgétaire -------------------------------------------------------------------------------------------------


def _annee(request) -> int:
    try:
        annee = int(request.GET.get("annee", ""))
    except ValueError:
        return timezone.localdate().year
    return annee if 2000 <= annee <= 2100 else timezone.localdate().year


@role_required(Role.ADMIN)
def budget_page(request):
    annee = _annee(request)
    aujourd_hui = timezone.localdate()
    context = {
        "title": f"Suivi budgétaire {annee}",
        "espace_courant": Role.ADMIN,
        "annee": annee,
        "annees": range(aujourd_hui.year - 3, aujourd_hui.year + 2),
        "suivi": budget.suivi(annee, aujourd_hui),
        "axes": budget.AXES,
    }
    return render(request, "validation/ef/budget.html", context)


@role_required(Role.ADMIN)
def budget_export(request):
    annee = _annee(request)
    axe = request.GET.get("axe", "detail")
    axe = axe if axe in budget.AXES else "detail"
    contenu = budget.export_csv(budget.suivi(annee, timezone.localdate()), axe)
    response = HttpResponse(contenu, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="suivi-budgetaire-{annee}-{axe}.csv"'
    return response
