"""Rappels : chaque mois aux agents dont l'OMI du mois écoulé manque, chaque semaine aux valideurs qui ont du retard.

Chaque rappel est une notification dans le portail et un courriel (envoyé après validation de la transaction).
La notification sert aussi de registre : son message commence par une clé stable (le type de rappel et sa période) ;
une personne qui a déjà une notification portant cette clé n'est pas prévenue une seconde fois.
Les fonctions prennent `aujourd_hui` en paramètre ; sans `wet_run=True`, elles calculent et n'envoient rien.

Lancement : `manage.py envoyer_rappels --mensuel|--hebdomadaire [--wet-run]` (cron), ou les tâches
`tache_rappels_mensuels` / `tache_rappels_hebdomadaires` mises en file pour `manage.py db_worker`.
"""

import calendar
import datetime
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from agents.models import Gestionnaire
from missions.enums import Etat, TypeOrdre
from missions.models import OrdreMission
from missions.periodes import mois_fr
from validation.models import Notification
from validation.regles import perimetre_de_gestion_q
from validation.tasks import envoyer_courriel

PREFIXE_MENSUEL = "Rappel mensuel"
PREFIXE_HEBDOMADAIRE = "Rappel hebdomadaire"
ATTENTE_MAXIMALE_JOURS = 7


@dataclass(frozen=True)
class Rappel:
    destinataire: object  # agents.User
    message: str  # la notification ; commence par la clé du rappel
    lien: str  # chemin local
    sujet: str
    corps: str


@dataclass
class Rapport:
    cle: str
    a_prevenir: list[Rappel] = field(default_factory=list)  # prévenus par cet envoi (ou qui le seraient, en simulation)
    deja_prevenus: list[Rappel] = field(default_factory=list)  # écartés : déjà prévenus pour cette période
    envoye: bool = False


# --- Périodes et clés -------------------------------------------------------------------------------------------------


def mois_precedent(aujourd_hui: datetime.date) -> datetime.date:
    """Le premier jour du mois qui précède `aujourd_hui`."""
    return (aujourd_hui.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _de(libelle: str) -> str:
    return f"d'{libelle}" if libelle[0] in "aàâeéèêiîoôuû" else f"de {libelle}"


def cle_mensuelle(aujourd_hui: datetime.date) -> str:
    return f"{PREFIXE_MENSUEL} ({mois_fr(mois_precedent(aujourd_hui))})"


def cle_hebdomadaire(aujourd_hui: datetime.date) -> str:
    annee, semaine, _ = aujourd_hui.isocalendar()
    return f"{PREFIXE_HEBDOMADAIRE} (semaine {semaine} de {annee})"


def limite_attente(aujourd_hui: datetime.date) -> datetime.datetime:
    """Soumis avant cet instant = soumis il y a plus de sept jours (avant le début du septième jour précédent)."""
    jour = aujourd_hui - datetime.timedelta(days=ATTENTE_MAXIMALE_JOURS)
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time.min))


def _url(chemin: str) -> str:
    return f"{settings.SITE_URL}{chemin}"


# --- Qui prévenir -----------------------------------------------------------------------------------------------------


def rappels_mensuels(aujourd_hui: datetime.date) -> list[Rappel]:
    """Les agents actifs qui ont un OMP validé sur le mois écoulé, sans OMI de ce mois pour cet OMP (hors annulé).

    Un OMP compte s'il couvre au moins un jour du mois, comme dans le tableau de bord de l'agent.
    """
    mois = mois_precedent(aujourd_hui)
    fin_du_mois = mois.replace(day=calendar.monthrange(mois.year, mois.month)[1])
    omi_du_mois = (
        OrdreMission.objects.filter(type=TypeOrdre.ITINERANT, omp=OuterRef("pk"), mois=mois)
        .exclude(etat=Etat.ANNULE)
        .values("pk")
    )
    omps = (
        OrdreMission.objects.filter(
            type=TypeOrdre.PERMANENT,
            etat=Etat.VALIDE,
            date_debut__lte=fin_du_mois,
            date_fin__gte=mois,
            agent__user__is_active=True,
        )
        .exclude(Exists(omi_du_mois))
        .select_related("agent__user")
        .order_by("agent__user__last_name", "agent__user__first_name", "agent_id", "date_debut", "pk")
    )
    par_personne = defaultdict(list)
    for omp in omps:
        par_personne[omp.agent.user].append(omp)

    cle, libelle = cle_mensuelle(aujourd_hui), mois_fr(mois)
    lien = reverse("missions:mes_deplacements")
    rappels = []
    for user, ordres in par_personne.items():
        numeros = ", ".join(omp.numero for omp in ordres)
        lignes = "\n".join(
            f"- {omp.numero} — {omp.objet} : {_url(reverse('missions:ordre', args=[omp.pk]))}" for omp in ordres
        )
        if len(ordres) == 1:
            constat = (
                f"Votre ordre de mission permanent couvre le mois {_de(libelle)}, "
                "mais l'ordre de mission itinérant de ce mois n'a pas encore été créé"
            )
        else:
            constat = (
                f"Vos ordres de mission permanents couvrent le mois {_de(libelle)}, "
                "mais les ordres de mission itinérants de ce mois n'ont pas encore été créés"
            )
        corps = (
            f"Bonjour {user.first_name},\n\n{constat} :\n{lignes}\n\n"
            f"Déclarez vos déplacements {_de(libelle)} depuis votre tableau de bord : {_url(lien)}\n\n"
            "Itinera"
        )
        rappels.append(
            Rappel(
                destinataire=user,
                message=f"{cle} : déclarez vos déplacements {_de(libelle)} (ordre de mission itinérant, {numeros}).",
                lien=lien,
                sujet=f"Itinera : vos déplacements {_de(libelle)} à déclarer",
                corps=corps,
            )
        )
    return rappels


def _ordres_en_retard_par_personne(aujourd_hui: datetime.date) -> dict:
    limite = limite_attente(aujourd_hui)
    en_retard = defaultdict(lambda: {"vh1": [], "gestion": []})
    utilisateurs = {}
    attente_vh1 = (
        OrdreMission.objects.filter(etat=Etat.ATTENTE_VH1, soumis_le__lt=limite, destinataire__is_active=True)
        .select_related("destinataire", "agent__user")
        .order_by("soumis_le", "pk")
    )
    for ordre in attente_vh1:
        utilisateurs[ordre.destinataire_id] = ordre.destinataire
        en_retard[ordre.destinataire_id]["vh1"].append(ordre)
    gestionnaires = (
        Gestionnaire.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related("perimetres")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    for gestionnaire in gestionnaires:
        user = gestionnaire.user
        ordres = list(
            OrdreMission.objects.filter(
                perimetre_de_gestion_q(user, aujourd_hui), etat=Etat.ATTENTE_GESTIONNAIRE, soumis_le__lt=limite
            )
            .select_related("agent__user")
            .order_by("soumis_le", "pk")
        )
        if ordres:
            utilisateurs[user.pk] = user
            en_retard[user.pk]["gestion"] = ordres
    return {utilisateurs[pk]: listes for pk, listes in en_retard.items()}


def _section(titre: str, ordres) -> str:
    lignes = [
        f"- {ordre.numero} — {ordre.agent.user.get_full_name()} — soumis le "
        f"{timezone.localtime(ordre.soumis_le):%d/%m/%Y} : {_url(reverse('missions:ordre', args=[ordre.pk]))}"
        for ordre in ordres
    ]
    return f"{titre} :\n" + "\n".join(lignes)


def rappels_hebdomadaires(aujourd_hui: datetime.date) -> list[Rappel]:
    """Un récapitulatif par personne : ordres adressés à ce VH1, ou du périmètre de ce gestionnaire, en attente
    depuis plus de sept jours."""
    cle = cle_hebdomadaire(aujourd_hui)
    rappels = []
    personnes = _ordres_en_retard_par_personne(aujourd_hui)
    for user in sorted(personnes, key=lambda u: (u.last_name, u.first_name, u.pk)):
        listes = personnes[user]
        nombre = len(listes["vh1"]) + len(listes["gestion"])
        attente = (
            "1 ordre de mission vous attend" if nombre == 1 else f"{nombre} ordres de mission vous attendent"
        ) + f" depuis plus de {ATTENTE_MAXIMALE_JOURS} jours"
        sections = []
        if listes["vh1"]:
            sections.append(_section("À valider (valideur hiérarchique)", listes["vh1"]))
        if listes["gestion"]:
            sections.append(_section("À contrôler (service gestionnaire)", listes["gestion"]))
        lien = reverse("validation:a_valider" if listes["vh1"] else "validation:gestion")
        corps = f"Bonjour {user.first_name},\n\n{attente} :\n\n" + "\n\n".join(sections) + "\n\nItinera"
        rappels.append(
            Rappel(
                destinataire=user,
                message=f"{cle} : {attente}.",
                lien=lien,
                sujet=f"Itinera : {attente}",
                corps=corps,
            )
        )
    return rappels


# --- Envoi ------------------------------------------------------------------------------------------------------------


def _verrouiller(cle: str) -> None:
    """Deux exécutions simultanées du même rappel attendent l'une l'autre (verrou PostgreSQL levé à la fin de la
    transaction) : la seconde voit les notifications de la première et ne prévient personne deux fois."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(cle.encode())])


def _envoyer(cle: str, calculer, aujourd_hui: datetime.date, *, wet_run: bool) -> Rapport:
    rapport = Rapport(cle=cle)
    with transaction.atomic():
        _verrouiller(cle)
        rappels = calculer(aujourd_hui)
        deja = set(
            Notification.objects.filter(
                destinataire__in=[rappel.destinataire.pk for rappel in rappels], message__startswith=cle
            ).values_list("destinataire_id", flat=True)
        )
        for rappel in rappels:
            (rapport.deja_prevenus if rappel.destinataire.pk in deja else rapport.a_prevenir).append(rappel)
        if not wet_run:
            return rapport
        Notification.objects.bulk_create(
            Notification(destinataire=rappel.destinataire, message=rappel.message[:300], lien=rappel.lien)
            for rappel in rapport.a_prevenir
        )
        for rappel in rapport.a_prevenir:
            transaction.on_commit(lambda r=rappel: envoyer_courriel.enqueue(r.destinataire.email, r.sujet, r.corps))
        rapport.envoye = True
    return rapport


def envoyer_rappels_mensuels(aujourd_hui: datetime.date, *, wet_run: bool = False) -> Rapport:
    return _envoyer(cle_mensuelle(aujourd_hui), rappels_mensuels, aujourd_hui, wet_run=wet_run)


def envoyer_rappels_hebdomadaires(aujourd_hui: datetime.date, *, wet_run: bool = False) -> Rapport:
    return _envoyer(cle_hebdomadaire(aujourd_hui), rappels_hebdomadaires, aujourd_hui, wet_run=wet_run)


def _resume(rapport: Rapport) -> dict:
    return {"cle": rapport.cle, "prevenus": len(rapport.a_prevenir), "deja_prevenus": len(rapport.deja_prevenus)}


@task()
def tache_rappels_mensuels(aujourd_hui: str | None = None) -> dict:
    jour = datetime.date.fromisoformat(aujourd_hui) if aujourd_hui else timezone.localdate()
    return _resume(envoyer_rappels_mensuels(jour, wet_run=True))


@task()
def tache_rappels_hebdomadaires(aujourd_hui: str | None = None) -> dict:
    jour = datetime.date.fromisoformat(aujourd_hui) if aujourd_hui else timezone.localdate()
    return _resume(envoyer_rappels_hebdomadaires(jour, wet_run=True))
