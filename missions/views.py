import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from agents.enums import Role
from agents.models import Agent
from agents.permissions import role_required
from bareme import calcul
from config.formulaires import enregistrer_si_valide, statut
from missions import documents, fichiers, pieces, ponctuels, prefill, selectors, services
from missions.calculs import actualiser_estimation
from missions.enums import Periode, TypeOrdre, TypePiece
from missions.forms import (
    AbsenceForm,
    FraisOmiForm,
    LigneOmiForm,
    OmpForm,
    PieceForm,
    TrajetHabituelForm,
    annee_scolaire_courante,
    libelle_jour,
)
from missions.models import Frais, LigneTrajet, OrdreMission
from missions.periodes import mois_fr
from missions.tableau_de_bord import synthese_agent
from validation.enums import Action
from validation.forms import RefusForm, SoumissionForm
from validation.regles import actions_possibles


@role_required(Role.AGENT)
def mes_deplacements(request):
    agent = request.user.agent
    aujourd_hui = datetime.date.today()
    disponibles = selectors.mois_disponibles(agent, aujourd_hui)
    context = {
        "title": "Mes déplacements",
        "espace_courant": Role.AGENT,
        "agent": agent,
        "vehicule_actif": agent.vehicules.filter(actif=True).first(),
        "ordres": selectors.ordres_de_l_agent(agent),
        "mois_a_declarer": selectors.mois_a_declarer(disponibles, aujourd_hui),
        "mois_disponibles": disponibles,
        "synthese": synthese_agent(agent, aujourd_hui),
    }
    return render(request, "espaces/mes_deplacements.html", context)


@role_required(Role.AGENT)
@require_POST
def preparer_omi(request, pk=None):
    """« Créer l'OM de <mois> » : l'OMI du mois, pré-rempli à partir de l'OMP validé (ou d'un mois choisi)."""
    try:
        if pk is None:  # « Préparer un autre mois » : le choix porte l'OMP et le mois
            pk, valeur_mois = request.POST.get("choix", "").split("|")
        else:
            valeur_mois = request.POST.get("mois", "")
        mois = datetime.datetime.strptime(valeur_mois, "%Y-%m").date()
    except ValueError:
        messages.error(request, "Mois inconnu : choisissez le mois dans votre tableau de bord.")
        return redirect("missions:mes_deplacements")
    omp = get_object_or_404(OrdreMission, pk=pk, agent=request.user.agent, type=TypeOrdre.PERMANENT)
    try:
        omi = prefill.preparer_omi(omp=omp, mois=mois, par=request.user)
    except prefill.PrefillRefuse as refus:
        messages.error(request, str(refus))
        return redirect("missions:mes_deplacements")
    actualiser_estimation(omi)
    messages.success(
        request, f"Votre ordre de mission de {mois_fr(mois)} est prêt : vérifiez les jours, puis soumettez-le."
    )
    return redirect("missions:ordre", pk=omi.pk)


@login_required
def ordre(request, pk):
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    return render_ordre(request, ordre)


def render_ordre(request, ordre, *, soumission_form=None, refus_form=None, piece_form=None, status=200):
    """La page d'un ordre ; les formulaires liés (avec erreurs) remplacent les vides après un envoi refusé."""
    actions = actions_possibles(request.user, ordre)
    context = {
        "title": f"Ordre de mission {ordre.numero}",
        "ordre": ordre,
        "historique": selectors.historique(ordre),
        "actions": actions,
        "peut_rediger": services.peut_rediger(request.user, ordre),
        "soumission_form": soumission_form or (SoumissionForm(ordre=ordre) if Action.SOUMETTRE in actions else None),
        "refus_form": refus_form or (RefusForm() if {Action.REFUSER, Action.ANNULER} & set(actions) else None),
    }
    if ordre.type in (TypeOrdre.PERMANENT, TypeOrdre.ITINERANT):
        context["piece_form"] = piece_form or PieceForm(types=_types_de_pieces(ordre))
        context["pieces_deposees"] = list(ordre.pieces.order_by("-created_at"))
    if ordre.type == TypeOrdre.PERMANENT:
        context["trajets_habituels"] = selectors.trajets_habituels(ordre)
        context["pieces"] = pieces.etat_des_pieces(ordre, datetime.date.today())
    elif ordre.type == TypeOrdre.ITINERANT:
        context["omi"] = _presentation_omi(selectors.page_omi(ordre), ordre, context["peut_rediger"])
    elif ordre.type == TypeOrdre.PONCTUEL:
        context["ponctuel"] = ponctuels.page_ponctuel(ordre, request.user)
    return render(request, "missions/ordre.html", context, status=status)


def _donnees_omp(form) -> dict:
    return {champ: form.cleaned_data[champ] for champ in services.CHAMPS_OMP}


@role_required(Role.AGENT)
def creer_omp(request):
    return _formulaire_creation_omp(request, request.user.agent)


def _formulaire_creation_omp(request, agent):
    """Création d'un OMP par l'agent, ou par un gestionnaire pour un agent de son périmètre (formulaire pré-rempli)."""
    if request.method == "POST":
        form = OmpForm(request.POST)
        ordre = enregistrer_si_valide(
            form,
            lambda donnees: services.creer_omp(
                agent=agent,
                par=request.user,
                periode=donnees["periode"],
                annee=donnees["annee"],
                donnees=_donnees_omp(form),
            ),
        )
        if not form.errors:
            messages.success(request, "Ordre de mission permanent créé : ajoutez maintenant les trajets habituels.")
            return redirect("missions:ordre", pk=ordre.pk)
    else:
        vehicule = agent.vehicules.filter(actif=True).exists()
        form = OmpForm(
            initial={
                "periode": Periode.ANNEE_SCOLAIRE,
                "annee": annee_scolaire_courante(datetime.date.today()),
                "objet": f"Déplacements entre établissements — {agent.get_categorie_display()}",
                "vehicule_personnel": vehicule,
                "transports_publics": not vehicule,
                "enveloppe_budgetaire": agent.enveloppe_budgetaire_id,
                "centre_couts": agent.centre_couts_id,
                "domaine_fonctionnel": agent.domaine_fonctionnel_id,
            }
        )
    titre = "Nouvel ordre de mission permanent"
    if agent.user_id != request.user.pk:
        titre += f" pour {agent.user.get_full_name()}"
    return render(request, "missions/omp_formulaire.html", {"title": titre, "form": form}, status=statut(form))


def _ordre_redigeable(request, pk):
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    if not services.peut_rediger(request.user, ordre):
        raise PermissionDenied(
            "Cet ordre de mission n'est plus modifiable : il a été soumis ou vous n'en êtes pas l'auteur."
        )
    return ordre


@login_required
def modifier_omp(request, pk):
    ordre = _ordre_redigeable(request, pk)
    if ordre.type != TypeOrdre.PERMANENT:
        raise Http404
    if request.method == "POST":
        form = OmpForm(request.POST)
        enregistrer_si_valide(
            form,
            lambda donnees: services.modifier_omp(
                ordre=ordre,
                par=request.user,
                periode=donnees["periode"],
                annee=donnees["annee"],
                donnees=_donnees_omp(form),
            ),
        )
        if not form.errors:
            messages.success(request, "Ordre de mission permanent enregistré.")
            return redirect("missions:ordre", pk=ordre.pk)
    else:
        initial = {champ: getattr(ordre, champ) for champ in services.CHAMPS_OMP}
        initial.update(periode=ordre.periode, annee=ordre.date_debut.year)
        form = OmpForm(initial=initial)
    context = {"title": f"Modifier {ordre.numero}", "form": form, "ordre": ordre}
    return render(request, "missions/omp_formulaire.html", context, status=statut(form))


@login_required
def trajet_habituel(request, pk, trajet_pk=None):
    ordre = _ordre_redigeable(request, pk)
    trajet = get_object_or_404(ordre.trajets_habituels, pk=trajet_pk) if trajet_pk else None
    if request.method == "POST":
        form = TrajetHabituelForm(request.POST)
        enregistrer_si_valide(
            form,
            lambda donnees: services.enregistrer_trajet_habituel(
                ordre=ordre, par=request.user, donnees=donnees, trajet=trajet
            ),
        )
        if not form.errors:
            messages.success(request, "Trajet habituel enregistré.")
            return redirect("missions:ordre", pk=ordre.pk)
    else:
        form = TrajetHabituelForm(initial=TrajetHabituelForm.initial_depuis(trajet) if trajet else None)
    context = {"title": "Trajet habituel", "form": form, "ordre": ordre, "trajet": trajet}
    return render(request, "missions/trajet_habituel_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_trajet_habituel(request, pk, trajet_pk):
    ordre = _ordre_redigeable(request, pk)
    trajet = get_object_or_404(ordre.trajets_habituels, pk=trajet_pk)
    services.supprimer_trajet_habituel(trajet=trajet, par=request.user)
    messages.success(request, "Trajet habituel supprimé.")
    return redirect("missions:ordre", pk=ordre.pk)


# --- OMI : le mois de l'agent, ligne par ligne et jour par jour -------------------------------------------------


def _raison(jour: dict) -> str:
    """Pourquoi un jour n'est pas un jour ordinaire, en toutes lettres (pas seulement par une couleur)."""
    if jour["hors_periode"]:
        return "Hors période"
    if jour["absence"]:
        return "Absence" if jour["absence"] == "Absence" else f"Absence : {jour['absence']}"
    if jour["ferie"]:
        return f"Férié : {jour['ferie']}"
    if jour["weekend"]:
        return "Week-end"
    return jour["vacances"]


def _cases_du_mois(jours: list[dict], modifiable: bool) -> dict[int, tuple[list[str], list[str]]]:
    """Le code HTML de chaque case du mois, décochée puis cochée, en morceaux à joindre par l'identifiant de la case
    (« 1234-5 », ligne et jour) : la case ne dépend de la ligne que par cet identifiant et par la coche."""
    cases = {}
    for jour in jours:
        numero = jour["numero"]
        iso, nom, raison = jour["date"].isoformat(), libelle_jour(jour["date"]), escape(_raison(jour))
        variantes = []
        for coche in (False, True):
            statut = raison
            if coche:
                statut = f"<strong>Trajet</strong><br>{raison}" if raison else "<strong>Trajet</strong>"
            if modifiable and jour["modifiable"]:
                action, presse, classe = ("decocher", "true", "") if coche else ("cocher", "false", " fr-btn--tertiary")
                debut = [
                    '<td><button type="submit" id="jour-',
                    f'" name="{action}" value="{iso}" aria-pressed="{presse}" aria-describedby="statut-',
                    f'" class="fr-btn fr-btn--sm{classe}">{numero}<span class="fr-sr-only"> {nom}</span></button>'
                    '<br><span id="statut-',
                ]
            else:
                debut = [
                    f'<td><span class="fr-text--bold">{numero}</span><span class="fr-sr-only"> {nom}</span>'
                    '<br><span id="statut-'
                ]
            variantes.append([*debut, f'" class="fr-text--xs">{statut}</span></td>'])
        cases[numero] = (variantes[0], variantes[1])
    return cases


def _semaines_html(ligne_pk: int, grille: list, cases: dict, numeros_coches: set[int]) -> str:
    """Les semaines du calendrier d'une ligne : une case par jour, un bouton par jour modifiable."""
    rangees = []
    for semaine in grille:
        html = []
        for numero in semaine:
            if numero is None:
                html.append("<td></td>")
            else:
                html.append(f"{ligne_pk}-{numero}".join(cases[numero][numero in numeros_coches]))
        rangees.append("<tr>" + "".join(html) + "</tr>")
    return "".join(rangees)


def _chemins(nom: str, ordre_pk: int):
    """Le chemin d'une action sur une ligne ou un frais de l'ordre, pour chaque pk : `reverse` une seule fois par nom
    (il coûte des dizaines de microsecondes, et une page d'OMI compte des centaines de liens)."""
    prefixe, _, suffixe = reverse(nom, args=[ordre_pk, 0]).rpartition("/0/")
    return lambda pk: f"{prefixe}/{pk}/{suffixe}"


def _presentation_omi(omi: dict, ordre, modifiable: bool) -> dict:
    """Ajoute à `selectors.page_omi` ce que les gabarits affichent tel quel : calendriers, nombres en français, liens.

    Un OMI peut compter 40 lignes de 31 jours : écrites par le moteur de gabarits, ces 1 240 cases et leurs nombres
    coûtaient près d'une seconde par page. Les cases sont donc écrites ici, en une passe (les libellés venus de la
    base, fériés, vacances, motifs d'absence, sont échappés), et les montants mis en forme par `bareme.calcul`.
    """
    # Les cases ne dépendent de la ligne que par leur identifiant et leur coche : écrites une fois pour le mois.
    calendrier = omi["calendrier"]
    cases, mois = _cases_du_mois(calendrier["jours"], modifiable), calendrier["mois"]
    url_jours, url_modifier_ligne, url_supprimer_ligne, url_justificatif, url_modifier_frais, url_supprimer_frais = (
        _chemins(nom, ordre.pk)
        for nom in (
            "missions:basculer_jour",
            "missions:modifier_ligne_omi",
            "missions:supprimer_ligne_omi",
            "missions:justificatif",
            "missions:modifier_frais_omi",
            "missions:supprimer_frais_omi",
        )
    )
    for ligne_omi in omi["lignes"]:
        ligne, calculee = ligne_omi["ligne"], ligne_omi["calcul"]
        numeros_coches = {
            date.day for date in ligne_omi["coches"] if (date.year, date.month) == (mois.year, mois.month)
        }
        ligne_omi["semaines_html"] = mark_safe(  # cases construites ci-dessus, textes de la base échappés
            _semaines_html(ligne.pk, calendrier["grille"], cases, numeros_coches)
        )
        ligne_omi["km_aller_fr"] = calcul.km_fr(ligne.km_aller)
        calcule = bool(calculee and calculee.resultats)
        ligne_omi["km_fr"] = calcul.km_fr(calculee.km) if calcule else "—"
        ligne_omi["montant_fr"] = calcul.euros_fr(calculee.montant) if calcule else "—"
        jours, trajets, par_jour = ligne_omi["nombre_jours"], ligne_omi["nombre_trajets"], ligne.trajets_par_jour
        ligne_omi["resume"] = (
            f"{ligne.get_depart_display()} · {ligne_omi['km_aller_fr']} aller · "
            f"{par_jour} trajet{pluralize(par_jour)} par jour"
        )
        ligne_omi["dans_le_mois"] = f"{jours} jour{pluralize(jours)}, {trajets} trajet{pluralize(trajets)} dans le mois"
        ligne_omi["parts_fr"] = [
            f"{calcul.km_fr(item['part'].km)} × {calcul.nombre_fr(item['part'].taux, 2)} €/km "
            f"({item['part'].tranche.libelle}) = {calcul.euros_fr(item['part'].montant)}"
            for item in ligne_omi["parts"]
        ]
        ligne_omi["baremes_fr"] = list(dict.fromkeys(item["bareme"] for item in ligne_omi["parts"]))
        if modifiable:
            ligne_omi["url_jours"] = url_jours(ligne.pk)
            ligne_omi["url_modifier"] = url_modifier_ligne(ligne.pk)
            ligne_omi["url_supprimer"] = url_supprimer_ligne(ligne.pk)
    for item in omi["frais"]:
        frais = item["frais"]
        item["date_fr"] = libelle_jour(frais.date)
        item["nature"] = frais.get_type_display()
        if frais.type_repas:
            item["nature"] += f" — {frais.get_type_repas_display().lower()}"
        item["montant_fr"] = calcul.euros_fr(item["calcul"].montant) if item["calcul"] else "—"
        if frais.justificatif:
            item["url_justificatif"] = url_justificatif(frais.pk)
        if modifiable:
            item["url_modifier"] = url_modifier_frais(frais.pk)
            item["url_supprimer"] = url_supprimer_frais(frais.pk)
    for groupe in omi["frais_resume"]:
        groupe["taux_fr"] = "" if groupe["taux"] is None else calcul.euros_fr(groupe["taux"])
        groupe["montant_fr"] = calcul.euros_fr(groupe["montant"])
    total, cumul = omi["calcul"], omi["cumul"]
    omi["totaux_fr"] = {
        "km": calcul.km_fr(total.km),
        "montant_ik": calcul.euros_fr(total.montant_ik),
        "montant_frais": calcul.euros_fr(total.montant_frais),
        "total": calcul.euros_fr(total.total),
        "cumul_avant": calcul.km_fr(cumul["cumul_avant"]),
        "cumul_apres": calcul.km_fr(cumul["cumul_apres"]),
    }
    return omi


def _omi_redigeable(request, pk) -> OrdreMission:
    """404 si l'ordre n'est pas visible (ou n'est pas un OMI), 403 si la personne ne peut pas le modifier."""
    ordre = _ordre_redigeable(request, pk)
    if ordre.type != TypeOrdre.ITINERANT:
        raise Http404
    return ordre


def url_ordre(ordre, ancre: str = "") -> str:
    url = reverse("missions:ordre", args=[ordre.pk])
    return f"{url}#{ancre}" if ancre else url


def _jour_demande(post) -> tuple[datetime.date | None, bool]:
    """Le bouton du calendrier : « cocher » ou « decocher », avec la date (AAAA-MM-JJ)."""
    actif = "cocher" in post
    try:
        return datetime.date.fromisoformat(post.get("cocher" if actif else "decocher", "")), actif
    except ValueError:
        return None, actif


@login_required
@require_POST
def basculer_jour(request, pk, ligne_pk):
    """Un clic sur un jour du calendrier : en htmx, la ligne et les totaux à jour ; sinon, retour à la page."""
    ordre = _omi_redigeable(request, pk)
    ligne = get_object_or_404(LigneTrajet, pk=ligne_pk, ordre=ordre)
    jour, actif = _jour_demande(request.POST)
    erreur = ""
    if jour is None:
        erreur = "Jour inconnu : choisissez le jour dans le calendrier."
    else:
        try:
            services.basculer_jour_omi(ligne=ligne, date=jour, actif=actif, par=request.user)
        except prefill.PrefillRefuse as refus:
            erreur = str(refus)
    if not request.htmx:
        if erreur:
            messages.error(request, erreur)
        return redirect(url_ordre(ordre, f"ligne-{ligne.pk}"))
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    peut_rediger = services.peut_rediger(request.user, ordre)
    omi = _presentation_omi(selectors.page_omi(ordre), ordre, peut_rediger)
    ligne_omi = next((item for item in omi["lignes"] if item["ligne"].pk == ligne.pk), None)
    context = {
        "ordre": ordre,
        "omi": omi,
        "ligne_omi": ligne_omi,
        "erreur": erreur,
        "peut_rediger": peut_rediger,
    }
    return render(request, "missions/includes/omi_basculement.html", context)


@login_required
def ligne_omi(request, pk, ligne_pk=None):
    """Ajouter (avec ses jours) ou modifier une ligne de trajet saisie à la main."""
    ordre = _omi_redigeable(request, pk)
    ligne = get_object_or_404(LigneTrajet, pk=ligne_pk, ordre=ordre) if ligne_pk else None
    if request.method == "POST":
        form = LigneOmiForm(request.POST, ordre=ordre, avec_dates=ligne is None)
        enregistre = enregistrer_si_valide(
            form,
            lambda donnees: services.enregistrer_ligne_omi(ordre=ordre, par=request.user, donnees=donnees, ligne=ligne),
        )
        if not form.errors:
            messages.success(request, f"Trajet {enregistre} enregistré.")
            return redirect(url_ordre(ordre, f"ligne-{enregistre.pk}"))
    else:
        initial = LigneOmiForm.initial_depuis(ligne) if ligne else None
        form = LigneOmiForm(initial=initial, ordre=ordre, avec_dates=ligne is None)
    context = {
        "title": "Modifier un trajet" if ligne else "Ajouter un trajet",
        "form": form,
        "ordre": ordre,
        "ligne": ligne,
    }
    return render(request, "missions/omi_ligne_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_ligne_omi(request, pk, ligne_pk):
    ordre = _omi_redigeable(request, pk)
    ligne = get_object_or_404(LigneTrajet, pk=ligne_pk, ordre=ordre)
    libelle = str(ligne)
    services.supprimer_ligne_omi(ligne=ligne, par=request.user)
    messages.success(request, f"Trajet {libelle} supprimé.")
    return redirect(url_ordre(ordre, "omi-trajets"))


@login_required
def frais_omi(request, pk, frais_pk=None):
    """Ajouter ou modifier un frais et son justificatif ; un dépôt refusé ne change rien et garde la saisie."""
    ordre = _omi_redigeable(request, pk)
    frais = get_object_or_404(Frais, pk=frais_pk, ordre=ordre) if frais_pk else None
    if request.method == "POST":
        form = FraisOmiForm(request.POST, request.FILES, ordre=ordre, frais=frais)
        enregistre = enregistrer_si_valide(
            form,
            lambda donnees: services.enregistrer_frais_omi(ordre=ordre, par=request.user, donnees=donnees, frais=frais),
        )
        if not form.errors:
            messages.success(request, f"{enregistre} enregistré.")
            return redirect(url_ordre(ordre, "omi-frais"))
    else:
        initial = FraisOmiForm.initial_depuis(frais) if frais else None
        form = FraisOmiForm(initial=initial, ordre=ordre, frais=frais)
    context = {
        "title": "Modifier un frais" if frais else "Ajouter un frais",
        "form": form,
        "ordre": ordre,
        "frais": frais,
        "format_justificatif": fichiers.format_du_nom(frais.justificatif.name)
        if frais and frais.justificatif
        else None,
    }
    return render(request, "missions/omi_frais_formulaire.html", context, status=statut(form))


@login_required
@require_POST
def supprimer_frais_omi(request, pk, frais_pk):
    ordre = _omi_redigeable(request, pk)
    frais = get_object_or_404(Frais, pk=frais_pk, ordre=ordre)
    libelle = str(frais)
    services.supprimer_frais_omi(frais=frais, par=request.user)
    messages.success(request, f"{libelle} supprimé.")
    return redirect(url_ordre(ordre, "omi-frais"))


@login_required
@require_GET
def justificatif(request, pk, frais_pk):
    """Un justificatif, pour qui peut voir l'ordre (l'agent, ses valideurs, ses gestionnaires) ; 404 pour les autres."""
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    frais = get_object_or_404(Frais, pk=frais_pk, ordre=ordre)
    return fichiers.servir(frais.justificatif, f"justificatif-{frais.pk}")


# --- Documents PDF --------------------------------------------------------------------------------------------------

DOCUMENTS = {
    "ordre": ("ordre-de-mission", documents.html_ordre),
    "attestation": ("attestation-service-fait", documents.html_attestation_service_fait),
}


@login_required
@require_GET
def document_pdf(request, pk, document):
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    if document not in DOCUMENTS or (document == "attestation" and ordre.type != TypeOrdre.ITINERANT):
        raise Http404
    nom, rendu = DOCUMENTS[document]
    reponse = HttpResponse(documents.en_pdf(rendu(ordre)), content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{documents.nom_de_fichier(ordre, nom)}"'
    patch_cache_control(reponse, private=True, no_store=True)
    return reponse


# --- Pièces de l'OMP et attestation de service fait signée ---------------------------------------------------------


@login_required
@require_POST
def deposer_piece(request, pk):
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    form = PieceForm(request.POST, request.FILES, types=_types_de_pieces(ordre))

    def deposer(donnees):
        try:
            if ordre.type == TypeOrdre.PERMANENT:
                return pieces.deposer_piece(omp=ordre, par=request.user, **donnees)
            return pieces.deposer_attestation(ordre=ordre, par=request.user, fichier=donnees["fichier"])
        except ValidationError as exc:
            raise ValidationError({"fichier": exc.messages}) from exc

    enregistrer_si_valide(form, deposer)
    if form.errors:
        # La page de l'ordre revient avec le type et la date saisis, l'erreur sous son champ.
        return render_ordre(request, ordre, piece_form=form, status=422)
    messages.success(request, "Pièce déposée.")
    return redirect(url_ordre(ordre, "pieces"))


@login_required
@require_POST
def reprendre_pieces(request, pk):
    ordre = _ordre_redigeable(request, pk)
    reprises = pieces.reprendre_pieces_valables(ordre, datetime.date.today())
    messages.success(request, f"{len(reprises)} pièce{pluralize(len(reprises))} reprise{pluralize(len(reprises))}.")
    return redirect(url_ordre(ordre, "pieces"))


@login_required
@require_GET
def piece(request, pk, piece_pk):
    """Une pièce, servie seulement à qui peut voir l'ordre auquel elle est rattachée."""
    ordre = selectors.ordre_visible_ou_404(request.user, pk)
    piece = get_object_or_404(ordre.pieces, pk=piece_pk)
    return fichiers.servir(piece.fichier, slugify(piece.get_type_display()))


def _types_de_pieces(ordre) -> list[tuple[str, str]]:
    if ordre.type == TypeOrdre.PERMANENT:
        return [(type_, TypePiece(type_).label) for type_ in pieces.pieces_attendues(ordre)]
    return [(TypePiece.ATTESTATION_SERVICE_FAIT, TypePiece.ATTESTATION_SERVICE_FAIT.label)]


# --- OMP créé par un gestionnaire pour un agent de son périmètre -----------------------------------------------------


@role_required(Role.GESTIONNAIRE)
def creer_omp_pour(request, agent_pk):
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=agent_pk)
    if not services.peut_creer_pour(request.user, agent):
        raise Http404
    return _formulaire_creation_omp(request, agent)


# --- Absences déclarées par l'agent ---------------------------------------------------------------------------------


@role_required(Role.AGENT)
def absences(request):
    agent = request.user.agent
    form = AbsenceForm(request.POST or None)
    if request.method == "POST":
        enregistrer_si_valide(form, lambda donnees: services.declarer_absence(agent=agent, **donnees))
        if not form.errors:
            messages.success(request, "Absence enregistrée : elle sera retirée des prochains ordres préparés.")
            return redirect("missions:absences")
    context = {
        "title": "Mes absences",
        "espace_courant": Role.AGENT,
        "form": form,
        "absences": agent.absences.order_by("-date_debut"),
    }
    return render(request, "missions/absences.html", context, status=statut(form))


@role_required(Role.AGENT)
@require_POST
def supprimer_absence(request, absence_pk):
    absence = get_object_or_404(request.user.agent.absences, pk=absence_pk)
    absence.delete()
    messages.success(request, "Absence supprimée.")
    return redirect("missions:absences")
