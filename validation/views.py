from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from agents.enums import Role
from agents.forms import DateInput
from agents.permissions import role_required
from missions.selectors import ordre_visible_ou_404
from missions.views import render_ordre
from validation import delegations as delegations_services
from validation import selectors, services
from validation.enums import Action, RoleDelegue
from validation.forms import FiltreFileForm, RefusForm, SoumissionForm, ValidationGroupeeForm
from validation.models import Delegation, Notification

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
    page = Paginator(ordres, PAR_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return {
        "title": FILES[role]["titre"],
        "espace_courant": role,
        "file": FILES[role],
        "form": form,
        "page": page,
        "compteurs": selectors.compter(ordres),
        "compteurs_file": selectors.compter(base),
        "parametres": parametres.urlencode(),
        "peut_valider": role == Role.VH1 or filtres.get("etat") == "attente_gestionnaire",
    }


@role_required(Role.VH1)
def a_valider(request):
    return render(request, "validation/file.html", _file(request, Role.VH1))


@role_required(Role.GESTIONNAIRE)
def gestion(request):
    context = _file(request, Role.GESTIONNAIRE)
    context["gestionnaire"] = request.user.gestionnaire
    return render(request, "validation/file.html", context)


@login_required
@require_POST
def validation_groupee(request):
    """Deux temps : la sélection mène à une confirmation ; la confirmation valide et rend compte."""
    role = Role.GESTIONNAIRE if request.POST.get("file") == Role.GESTIONNAIRE else Role.VH1
    if role not in request.user.roles:
        raise Http404
    base = selectors.ordres_file_vh1(request.user) if role == Role.VH1 else selectors.ordres_file_gestion(request.user)
    form = ValidationGroupeeForm(request.POST, queryset=base.order_by("soumis_le", "pk"))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["ordres"]))
        return redirect(FILES[role]["url_name"])
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


class DelegationForm(DsfrBaseForm):
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
