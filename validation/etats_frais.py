"""États de frais (EF) : création depuis un ordre validé, ajustements motivés, validation, rejet, annulation.

Chaque action suit le même chemin que celles des ordres (`validation.services`) : dans une transaction, verrouiller
l'état de frais, vérifier qui agit et que la transition est possible, l'appliquer, enregistrer, écrire une ligne
d'historique, prévenir l'agent après validation de la transaction. Une action refusée ne change rien.

Montants — aucun arrondi n'a lieu ici. Chaque ligne arrive arrondie au centime par `missions.calculs` (le point
d'arrondi unique, `bareme.calcul.arrondir`, au centime, la demie vers le haut) ; un ajustement remplace le montant
d'une ligne par un montant saisi au centime (refusé sinon) ; le total d'un état de frais est la somme exacte de ses
lignes. À la création, ce total est égal, au centime, au montant figé de l'ordre.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from agents.models import Agent
from agents.selectors import perimetre_q
from bareme import calcul
from missions import ponctuel_etats_frais
from missions.enums import Etat, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Frais, LigneTrajet, OrdreMission
from validation import pdf, regles
from validation.enums import RoleDelegue
from validation.models import (
    ActionEF,
    AjustementEtatFrais,
    ElementLot,
    EtatEF,
    EtatFrais,
    HistoriqueEtatFrais,
    LigneEtatFrais,
    NatureLigne,
    Notification,
)
from validation.tasks import envoyer_courriel

ZERO = Decimal(0)
CENTIME = Decimal("0.01")
ACTION_IMPOSSIBLE = "Action déjà effectuée ou plus possible : l'état de frais a changé d'état entre-temps."
HORS_PERIMETRE = "Cet état de frais n'est pas dans votre périmètre de gestion."
PAS_LE_SIEN = "Vous ne pouvez pas traiter votre propre état de frais : un autre gestionnaire s'en charge."


class EtatFraisRefuse(Exception):
    """L'action n'est pas permise à cette personne, ou plus possible dans l'état du dossier. Rien n'a changé."""


# --- Qui peut agir ----------------------------------------------------------------------------------------------------


def _dans_le_perimetre(user, agent_id: int) -> bool:
    gestionnaire = getattr(user, "gestionnaire", None)
    if gestionnaire is None:
        return False
    return Agent.objects.filter(perimetre_q(gestionnaire), pk=agent_id).exists()


def autoriser_gestion(user, agent: Agent, jour: datetime.date | None = None) -> regles.Autorisation:
    """Un gestionnaire dont le périmètre couvre l'agent, ou son délégataire ; jamais l'agent lui-même."""
    jour = jour or datetime.date.today()
    if agent.user_id == user.pk:
        return regles.Autorisation(False, PAS_LE_SIEN)
    if _dans_le_perimetre(user, agent.pk):
        return regles.Autorisation(True)
    delegations = regles.delegations_actives(user, RoleDelegue.GESTIONNAIRE, jour).select_related(
        "delegant__gestionnaire"
    )
    for delegation in delegations:
        if _dans_le_perimetre(delegation.delegant, agent.pk):
            return regles.Autorisation(True, pour_le_compte_de=delegation.delegant)
    return regles.Autorisation(False, HORS_PERIMETRE)


def peut_gerer(user, etat_frais: EtatFrais, jour: datetime.date | None = None) -> bool:
    return bool(autoriser_gestion(user, etat_frais.agent, jour))


# --- Lectures ---------------------------------------------------------------------------------------------------------


def _avec_lot_actif(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch(
            "elements_lot",
            queryset=ElementLot.objects.filter(actif=True).select_related("lot").order_by("pk"),
            to_attr="elements_actifs",
        )
    )


def pour_la_liste(queryset: QuerySet) -> QuerySet:
    """Ce qu'une ligne de liste affiche, en un nombre de requêtes qui ne dépend pas du nombre de lignes."""
    return _avec_lot_actif(
        queryset.select_related(
            "agent__user", "agent__service_gestionnaire", "ordre", "enveloppe_budgetaire", "centre_couts"
        )
    )


def etats_frais_de_gestion(user, jour: datetime.date | None = None) -> QuerySet[EtatFrais]:
    """Les états de frais du périmètre de gestion (le sien et celui des gestionnaires qui ont délégué)."""
    return EtatFrais.objects.filter(regles.perimetre_de_gestion_q(user, jour))


def etats_frais_de_l_agent(user) -> QuerySet[EtatFrais]:
    return pour_la_liste(EtatFrais.objects.filter(agent__user=user)).order_by("-mois", "-pk")


def filtrer(queryset: QuerySet, filtres: dict) -> QuerySet:
    """Les filtres des pages de gestion : mois, enveloppe budgétaire, service gestionnaire, état."""
    if filtres.get("mois"):
        queryset = queryset.filter(mois=filtres["mois"].replace(day=1))
    if filtres.get("enveloppe"):
        queryset = queryset.filter(enveloppe_budgetaire=filtres["enveloppe"])
    if filtres.get("service"):
        queryset = queryset.filter(agent__service_gestionnaire=filtres["service"])
    if filtres.get("etat"):
        queryset = queryset.filter(etat=filtres["etat"])
    return queryset.order_by("-mois", "agent__user__last_name", "agent__user__first_name", "pk")


def etat_frais_visible_ou_404(user, pk: int) -> EtatFrais:
    """L'état de frais de l'agent lui-même, ou d'un agent du périmètre de gestion ; sinon 404, sans dire qu'il existe."""
    visibles = EtatFrais.objects.filter(Q(agent__user=user) | regles.perimetre_de_gestion_q(user))
    return get_object_or_404(
        _avec_lot_actif(
            visibles.select_related(
                "agent__user",
                "agent__residence_administrative__commune",
                "agent__service_gestionnaire",
                "ordre",
                "enveloppe_budgetaire",
                "centre_couts",
                "domaine_fonctionnel",
                "valide_par",
            )
        ),
        pk=pk,
    )


def lignes(etat_frais: EtatFrais) -> list[LigneEtatFrais]:
    return list(etat_frais.lignes.select_related("frais").order_by("position", "pk"))


def ajustements(etat_frais: EtatFrais):
    return etat_frais.ajustements.select_related("ligne", "par", "pour_le_compte_de").order_by("created_at", "pk")


def historique(etat_frais: EtatFrais):
    return etat_frais.historique.select_related("par", "pour_le_compte_de").order_by("created_at", "pk")


def lot_actif(etat_frais: EtatFrais):
    elements = getattr(etat_frais, "elements_actifs", None)
    if elements is None:
        elements = list(etat_frais.elements_lot.filter(actif=True).select_related("lot"))
    return elements[0].lot if elements else None


def statut_pour_l_agent(etat_frais: EtatFrais) -> str:
    """Où en est l'état de frais, dit simplement à l'agent."""
    etat = etat_frais.etat
    if etat == EtatEF.BROUILLON:
        if etat_frais.motif:
            return f"À corriger puis soumettre de nouveau (rejeté : {etat_frais.motif})"
        return "En cours de saisie : corrigez les coûts réels, joignez vos justificatifs, puis soumettez-le"
    if etat == EtatEF.A_VALIDER:
        return "En attente de validation par le service gestionnaire"
    if etat == EtatEF.VALIDE:
        return "Validé, paiement à venir dans un prochain lot de paiement"
    if etat == EtatEF.MIS_EN_PAIEMENT:
        lot = lot_actif(etat_frais)
        if lot is None:
            return "Validé, mise en paiement en cours"
        return (
            f"Validé, paiement prévu dans le lot du {calcul.date_fr(timezone.localdate(lot.created_at))} "
            f"(virement demandé pour le {calcul.date_fr(lot.date_execution)})"
        )
    if etat == EtatEF.PAYE:
        return f"Payé le {calcul.date_fr(etat_frais.paye_le)}" if etat_frais.paye_le else "Payé"
    if etat == EtatEF.REJETE:
        if ponctuel_etats_frais.est_declaratif(etat_frais):
            return f"Rejeté : {etat_frais.motif} — reprenez-le pour le corriger"
        return f"Rejeté : {etat_frais.motif}"
    return f"Annulé : {etat_frais.motif}"


# --- Historique et notifications ---------------------------------------------------------------------------------------


def journaliser(
    etat_frais: EtatFrais, action: ActionEF, source: str, par, commentaire: str = "", pour_le_compte_de=None
) -> HistoriqueEtatFrais:
    return HistoriqueEtatFrais.objects.create(
        etat_frais=etat_frais,
        transition=action,
        source=source,
        cible=etat_frais.etat,
        par=par,
        pour_le_compte_de=pour_le_compte_de,
        commentaire=commentaire,
    )


def notifier_agent(etat_frais: EtatFrais, message: str, par=None) -> None:
    _notifier(etat_frais, etat_frais.agent.user, message, par)


def notifier_gestionnaires(etat_frais: EtatFrais, message: str, par=None) -> None:
    """Les gestionnaires du service de l'agent : un état de frais attend leur validation."""
    service = etat_frais.agent.service_gestionnaire
    if service is None:
        return
    for gestionnaire in service.gestionnaires.select_related("user"):
        _notifier(etat_frais, gestionnaire.user, message, par)


def _notifier(etat_frais: EtatFrais, destinataire, message: str, par=None) -> None:
    """Une notification dans le portail et un courriel, envoyé une fois la transaction validée."""
    if par is not None and destinataire.pk == par.pk:
        return
    lien = reverse("validation:ef_detail", args=[etat_frais.pk])
    message = message if len(message) <= 300 else message[:299] + "…"
    Notification.objects.create(destinataire=destinataire, message=message, lien=lien)
    corps = f"Bonjour,\n\n{message}\n\nPour le consulter : {settings.SITE_URL}{lien}\n\nItinera"
    transaction.on_commit(
        lambda email=destinataire.email, corps=corps, message=message: envoyer_courriel.enqueue(
            email, f"Itinera : {message[:80]}", corps
        )
    )


# --- Création ---------------------------------------------------------------------------------------------------------


def _decimal(texte, defaut=None):
    if texte in (None, ""):
        return defaut
    return Decimal(str(texte))


def _date(texte: str) -> datetime.date:
    return datetime.date.fromisoformat(texte)


def _nature_frais(type_frais: str) -> str:
    return type_frais if type_frais in NatureLigne.values else NatureLigne.AUTRE


def _libelle_frais(frais: Frais | None, entree: dict) -> str:
    if frais is None:
        return NatureLigne(_nature_frais(entree["type"])).label
    libelle = frais.get_type_display()
    if frais.type == TypeFrais.REPAS and frais.type_repas:
        libelle = TypeRepas(frais.type_repas).label
    if frais.commentaire:
        libelle = f"{libelle} : {frais.commentaire}"
    return libelle[:250]


def lignes_depuis_calcul_fige(ordre: OrdreMission) -> list[LigneEtatFrais]:
    """Les lignes de l'état de frais, recopiées du calcul figé à la validation de l'ordre (non enregistrées).

    IK : une ligne par trajet, avec ses kilomètres, ses parts par tranche (km, taux, version du barème) et son montant ;
    repas et nuitées au barème, avec leur version ; frais au réel, reliés à leur justificatif.
    """
    fige = ordre.calcul_fige or {}
    trajets = LigneTrajet.objects.filter(ordre=ordre).in_bulk()
    frais_de_l_ordre = Frais.objects.filter(ordre=ordre).in_bulk()
    resultat: list[LigneEtatFrais] = []
    for entree in fige.get("lignes", []):
        km = _decimal(entree.get("km"), ZERO)
        montant = _decimal(entree.get("montant"), ZERO)
        if km == ZERO and montant == ZERO:
            continue  # une ligne sans jour coché : rien à payer, rien à montrer
        parts = entree.get("parts", [])
        taux = {part["taux"] for part in parts}
        dates = entree.get("dates", [])
        trajet = trajets.get(entree.get("ligne"))
        commentaire = ""
        if trajet is not None:
            commentaire = (
                f"{len(dates)} jour(s) × {trajet.trajets_par_jour} trajet(s) de {calcul.km_fr(trajet.km_aller)}"
            )
            if trajet.commentaire:
                commentaire += f" — {trajet.commentaire}"
        if entree.get("base_transport_public"):
            commentaire = (commentaire + " — base transports en commun").strip(" —")
        resultat.append(
            LigneEtatFrais(
                nature=NatureLigne.IK,
                date=_date(dates[0]) if dates else ordre.date_debut,
                dates=dates,
                libelle=entree.get("trajet", "Trajet")[:250],
                km=km,
                taux=_decimal(taux.pop()) if len(taux) == 1 else None,
                parts=parts,
                bareme="; ".join(dict.fromkeys(part["bareme"] for part in parts))[:300],
                commentaire=commentaire[:500],
                ligne_trajet=trajet,
                montant_initial=montant,
                montant=montant,
            )
        )
    for entree in fige.get("etapes", []):
        montant = _decimal(entree.get("montant"), ZERO)
        libelle = entree.get("libelle") or entree.get("type", "")
        if entree.get("lieu_nom"):
            libelle = f"{libelle} — {entree['lieu_nom']}"
        resultat.append(
            LigneEtatFrais(
                nature=NatureLigne.NUITEE if entree.get("type") == "nuitee" else NatureLigne.REPAS,
                date=_date(entree["date"]),
                libelle=libelle[:1].upper() + libelle[1:250],
                taux=_decimal(entree.get("taux")),
                bareme=(entree.get("bareme") or "")[:300],
                montant_initial=montant,
                montant=montant,
            )
        )
    for entree in fige.get("frais", []):
        frais = frais_de_l_ordre.get(entree.get("frais"))
        montant = _decimal(entree.get("montant"), ZERO)
        resultat.append(
            LigneEtatFrais(
                nature=_nature_frais(entree.get("type", "")),
                date=_date(entree["date"]),
                libelle=_libelle_frais(frais, entree),
                taux=_decimal(entree.get("taux")),
                bareme=(entree.get("bareme") or "")[:300],
                commentaire=(entree.get("explication") or "")[:500],
                frais=frais,
                montant_initial=montant,
                montant=montant,
            )
        )
    resultat.sort(key=lambda ligne: (ligne.nature != NatureLigne.IK, ligne.date))
    for position, ligne in enumerate(resultat, start=1):
        ligne.position = position
    return resultat


def _mois(ordre: OrdreMission) -> datetime.date:
    return (ordre.mois or ordre.date_debut).replace(day=1)


def _creer(ordre: OrdreMission, par, etat: str = EtatEF.A_VALIDER) -> EtatFrais:
    if ordre.calcul_fige is None or ordre.montant_total is None:
        raise EtatFraisRefuse("Cet ordre de mission n'a pas de montants figés : il doit d'abord être validé.")
    agent = ordre.agent
    nouvelles_lignes = lignes_depuis_calcul_fige(ordre)
    total = sum((ligne.montant for ligne in nouvelles_lignes), ZERO)
    if total != ordre.montant_total:
        raise EtatFraisRefuse(
            f"Les lignes figées de l'ordre {ordre.numero} ({total} €) ne font pas son montant validé "
            f"({ordre.montant_total} €) : l'état de frais n'est pas établi."
        )
    etat_frais = EtatFrais.objects.create(
        ordre=ordre,
        agent=agent,
        mois=_mois(ordre),
        enveloppe_budgetaire_id=ordre.enveloppe_budgetaire_id or agent.enveloppe_budgetaire_id,
        centre_couts_id=ordre.centre_couts_id or agent.centre_couts_id,
        domaine_fonctionnel_id=ordre.domaine_fonctionnel_id or agent.domaine_fonctionnel_id,
        montant_initial=ordre.montant_total,
        montant_total=total,
        etat=etat,
        created_by=par,
    )
    for ligne in nouvelles_lignes:
        ligne.etat_frais = etat_frais
    LigneEtatFrais.objects.bulk_create(nouvelles_lignes)
    journaliser(etat_frais, ActionEF.CREER, "", par, f"Établi à partir de l'ordre de mission {ordre.numero}.")
    return etat_frais


def _actif(ordre: OrdreMission) -> EtatFrais | None:
    return ordre.etats_frais.exclude(etat=EtatEF.ANNULE).first()


def creer_a_la_validation(*, ordre: OrdreMission, par) -> EtatFrais | None:
    """Appelée par `validation.services` quand le gestionnaire valide un OMI, dans sa transaction (ordre verrouillé)."""
    if ordre.type != TypeOrdre.ITINERANT or ordre.etat != Etat.VALIDE:
        return None
    return _actif(ordre) or _creer(ordre, par)


def etablir(*, ordre: OrdreMission, par, jour: datetime.date | None = None) -> EtatFrais:
    """L'agent établit l'état de frais de son OM ponctuel validé ; un gestionnaire peut l'établir pour tout ordre
    validé de son périmètre qui n'en a pas encore.

    Celui d'un OM ponctuel naît en cours de saisie, avec le prévisionnel de l'ordre recopié : l'agent y déclare le
    réel (`missions.ponctuel_etats_frais`) puis le soumet (`soumettre`)."""
    with transaction.atomic():
        ordre = OrdreMission.objects.select_for_update(of=("self",)).select_related("agent__user").get(pk=ordre.pk)
        if ordre.type == TypeOrdre.PERMANENT:
            raise EtatFraisRefuse("Un ordre de mission permanent n'a pas d'état de frais : ce sont ses OMI qui en ont.")
        if ordre.etat != Etat.VALIDE:
            raise EtatFraisRefuse("L'état de frais s'établit une fois l'ordre de mission validé.")
        if _actif(ordre) is not None:
            raise EtatFraisRefuse("Cet ordre de mission a déjà un état de frais.")
        est_l_agent = ordre.agent.user_id == par.pk
        if not (est_l_agent and ordre.type == TypeOrdre.PONCTUEL):
            autorisation = autoriser_gestion(par, ordre.agent, jour)
            if not autorisation:
                raise EtatFraisRefuse(
                    autorisation.motif if not est_l_agent else "L'état de frais d'un OMI est établi à sa validation."
                )
        if ordre.type != TypeOrdre.PONCTUEL:
            return _creer(ordre, par)
        etat_frais = _creer(ordre, par, etat=EtatEF.BROUILLON)
        ponctuel_etats_frais.initialiser(etat_frais, ordre)
        return etat_frais


# --- Ajustements ------------------------------------------------------------------------------------------------------


def _verrouiller(etat_frais: EtatFrais) -> EtatFrais:
    return (
        EtatFrais.objects.select_for_update(of=("self",))
        .select_related("agent__user", "ordre", "enveloppe_budgetaire", "centre_couts", "domaine_fonctionnel")
        .get(pk=etat_frais.pk)
    )


def _montant_au_centime(montant) -> Decimal:
    try:
        montant = Decimal(str(montant))
    except (InvalidOperation, ValueError) as erreur:
        raise EtatFraisRefuse("Indiquez un montant en euros, par exemple 17,50.") from erreur
    if not montant.is_finite() or montant < 0:
        raise EtatFraisRefuse("Le montant retenu ne peut pas être négatif.")
    if montant != montant.quantize(CENTIME):
        raise EtatFraisRefuse("Indiquez le montant au centime près (deux décimales au plus).")
    return montant.quantize(CENTIME)


def ajuster_ligne(
    *, etat_frais: EtatFrais, ligne: LigneEtatFrais, montant, motif: str, par, jour: datetime.date | None = None
) -> AjustementEtatFrais:
    """Le gestionnaire change le montant retenu d'une ligne, avec un motif que l'agent lira ; le total est recalculé."""
    motif = (motif or "").strip()
    if not motif:
        raise EtatFraisRefuse("Indiquez le motif de l'ajustement : l'agent le lira.")
    montant = _montant_au_centime(montant)
    with transaction.atomic():
        etat_frais = _verrouiller(etat_frais)
        if etat_frais.etat != EtatEF.A_VALIDER:
            raise EtatFraisRefuse("Seul un état de frais à valider peut être ajusté.")
        autorisation = autoriser_gestion(par, etat_frais.agent, jour)
        if not autorisation:
            raise EtatFraisRefuse(autorisation.motif)
        ligne = LigneEtatFrais.objects.select_for_update().filter(etat_frais=etat_frais, pk=ligne.pk).first()
        if ligne is None:
            raise EtatFraisRefuse("Cette ligne n'appartient pas à cet état de frais.")
        if ligne.montant == montant:
            raise EtatFraisRefuse("Le montant saisi est celui déjà retenu : rien à ajuster.")
        avant = ligne.montant
        LigneEtatFrais.objects.filter(pk=ligne.pk).update(montant=montant)
        etat_frais.montant_total = etat_frais.lignes.aggregate(total=Sum("montant"))["total"] or ZERO
        etat_frais.save(update_fields=["montant_total", "updated_at"])
        ajustement = AjustementEtatFrais.objects.create(
            etat_frais=etat_frais,
            ligne=ligne,
            montant_avant=avant,
            montant_apres=montant,
            motif=motif,
            par=par,
            pour_le_compte_de=autorisation.pour_le_compte_de,
        )
        notifier_agent(
            etat_frais,
            f"Une ligne de votre état de frais {etat_frais.numero} a été ajustée ({ligne.libelle} : "
            f"{calcul.euros_fr(avant)} → {calcul.euros_fr(montant)}) : {motif}",
            par,
        )
    return ajustement


# --- Transitions ------------------------------------------------------------------------------------------------------

MESSAGES_AGENT = {
    ActionEF.VALIDER: "Votre état de frais {numero} ({montant}) est validé : il sera mis en paiement.",
    ActionEF.REJETER: "Votre état de frais {numero} a été rejeté : {motif}",
    ActionEF.ANNULER: "Votre état de frais {numero} a été annulé : {motif}",
}


def _executer(
    etat_frais: EtatFrais,
    action: ActionEF,
    par,
    *,
    commentaire: str = "",
    jour: datetime.date | None = None,
    etat_attendu: str | None = None,
    **params,
) -> EtatFrais:
    with transaction.atomic():
        etat_frais = _verrouiller(etat_frais)
        methode = getattr(etat_frais, action.value)
        if (etat_attendu and etat_frais.etat != etat_attendu) or not can_proceed(methode):
            raise EtatFraisRefuse(ACTION_IMPOSSIBLE)
        autorisation = autoriser_gestion(par, etat_frais.agent, jour)
        if not autorisation:
            raise EtatFraisRefuse(autorisation.motif)
        source = etat_frais.etat
        methode(**params)
        if action == ActionEF.VALIDER:
            pdf.archiver(etat_frais)  # le PDF définitif et son empreinte, dans la même transaction
        etat_frais.save()
        journaliser(etat_frais, action, source, par, commentaire, autorisation.pour_le_compte_de)
        message = MESSAGES_AGENT[action].format(
            numero=etat_frais.numero, montant=calcul.euros_fr(etat_frais.montant_total), motif=etat_frais.motif
        )
        notifier_agent(etat_frais, message, par)
    return etat_frais


def valider(
    *, etat_frais: EtatFrais, par, jour: datetime.date | None = None, etat_attendu: str | None = None
) -> EtatFrais:
    """Valide l'état de frais et archive son PDF (avec son empreinte SHA-256) : il ne sera plus produit autrement."""
    return _executer(
        etat_frais, ActionEF.VALIDER, par, jour=jour, etat_attendu=etat_attendu, valideur=par, le=timezone.now()
    )


def rejeter(
    *, etat_frais: EtatFrais, par, motif: str, jour: datetime.date | None = None, etat_attendu: str | None = None
) -> EtatFrais:
    motif = (motif or "").strip()
    if not motif:
        raise EtatFraisRefuse("Indiquez le motif du rejet : l'agent le lira.")
    return _executer(
        etat_frais, ActionEF.REJETER, par, commentaire=motif, jour=jour, etat_attendu=etat_attendu, motif=motif
    )


def annuler(
    *, etat_frais: EtatFrais, par, motif: str, jour: datetime.date | None = None, etat_attendu: str | None = None
) -> EtatFrais:
    motif = (motif or "").strip()
    if not motif:
        raise EtatFraisRefuse("Indiquez le motif de l'annulation : l'agent le lira.")
    return _executer(
        etat_frais, ActionEF.ANNULER, par, commentaire=motif, jour=jour, etat_attendu=etat_attendu, motif=motif
    )


def annuler_avec_l_ordre(*, ordre: OrdreMission, par, motif: str) -> EtatFrais | None:
    """L'ordre de mission est annulé (`validation.services.annuler`, dans la même transaction) : son état de frais
    encore actif l'est aussi, avec le même motif. Les règles refusent avant d'en arriver là l'annulation d'un ordre
    dont l'état de frais est en paiement ou payé."""
    actif = _actif(ordre)
    if actif is None:
        return None
    return annuler(etat_frais=actif, par=par, motif=f"Ordre de mission {ordre.numero} annulé : {motif}")


ACTIONS_GESTIONNAIRE = (ActionEF.VALIDER, ActionEF.REJETER, ActionEF.ANNULER)


def actions_possibles(user, etat_frais: EtatFrais, jour: datetime.date | None = None) -> list[ActionEF]:
    """Les boutons à montrer : les transitions possibles maintenant, si la personne peut gérer cet état de frais."""
    possibles = [action for action in ACTIONS_GESTIONNAIRE if can_proceed(getattr(etat_frais, action.value))]
    if not possibles or not peut_gerer(user, etat_frais, jour):
        return []
    return possibles


# --- Actions de l'agent : soumettre sa déclaration, la reprendre après un rejet -------------------------------------------

ACTIONS_AGENT = (ActionEF.SOUMETTRE, ActionEF.REPRENDRE)
REFUS_AGENT = "Seul l'agent soumet ou reprend l'état de frais de son OM ponctuel."


def _verrouiller_pour_l_agent(etat_frais: EtatFrais, par, action: ActionEF, etat_attendu: str | None) -> EtatFrais:
    etat_frais = _verrouiller(etat_frais)
    if etat_frais.agent.user_id != par.pk or not ponctuel_etats_frais.est_declaratif(etat_frais):
        raise EtatFraisRefuse(REFUS_AGENT)
    if (etat_attendu and etat_frais.etat != etat_attendu) or not can_proceed(getattr(etat_frais, action.value)):
        raise EtatFraisRefuse(ACTION_IMPOSSIBLE)
    return etat_frais


def soumettre(*, etat_frais: EtatFrais, par, etat_attendu: str | None = None) -> EtatFrais:
    """L'agent soumet sa déclaration : ses lignes sont écrites d'après le réel, puis l'EF attend la validation du
    gestionnaire. Refusé (rien ne change) tant qu'un contrôle bloque : horaires, frais hors de la mission, barème
    manquant, justificatifs absents."""
    with transaction.atomic():
        etat_frais = _verrouiller_pour_l_agent(etat_frais, par, ActionEF.SOUMETTRE, etat_attendu)
        calcule, bloquants = ponctuel_etats_frais.controles_a_la_soumission(etat_frais)
        if bloquants:
            raise EtatFraisRefuse("Rien n'est soumis : " + " ".join(bloquants))
        ponctuel_etats_frais.ecrire_lignes(etat_frais, calcule)
        source = etat_frais.etat
        etat_frais.soumettre(le=timezone.now())
        etat_frais.save()
        journaliser(etat_frais, ActionEF.SOUMETTRE, source, par)
        notifier_gestionnaires(
            etat_frais,
            f"L'état de frais {etat_frais.numero} de {etat_frais.agent.user.get_full_name()} "
            "attend la validation du service gestionnaire.",
            par,
        )
    return etat_frais


def reprendre(*, etat_frais: EtatFrais, par, etat_attendu: str | None = None) -> EtatFrais:
    """Après un rejet, l'agent reprend sa déclaration pour la corriger ; le motif du rejet reste affiché."""
    with transaction.atomic():
        etat_frais = _verrouiller_pour_l_agent(etat_frais, par, ActionEF.REPRENDRE, etat_attendu)
        source = etat_frais.etat
        etat_frais.reprendre()
        etat_frais.save()
        if etat_frais.depart_le is None and not etat_frais.etapes.exists() and not etat_frais.frais_reels.exists():
            ponctuel_etats_frais.initialiser(etat_frais, etat_frais.ordre)  # EF établi avant la déclaration réelle
        journaliser(etat_frais, ActionEF.REPRENDRE, source, par, f"Motif du rejet : {etat_frais.motif}")
    return etat_frais


def actions_de_l_agent(user, etat_frais: EtatFrais) -> list[ActionEF]:
    """Les boutons de l'agent sur son EF d'OM ponctuel : soumettre (en cours de saisie), reprendre (rejeté)."""
    if etat_frais.agent.user_id != user.pk or not ponctuel_etats_frais.est_declaratif(etat_frais):
        return []
    return [action for action in ACTIONS_AGENT if can_proceed(getattr(etat_frais, action.value))]
