"""OM ponctuels : l'en-tête et ses horaires, les étapes générées, les frais prévisionnels, les demandes de titres de
transport et les billets enregistrés par l'agence de voyage.

Les étapes (repas et nuitées dus) sont calculées à partir des horaires par `bareme.calcul.decompter` ; chaque
changement d'horaires ou de lieux les régénère en gardant les choix de l'agent qui s'appliquent encore, et dit ce
qui a changé (`Regeneration.resume`). Les montants viennent de `missions.calculs.calculer_ordre`.
La soumission, la validation et le refus passent par `validation.services`, comme pour les autres ordres ;
`controles_ponctuel` donne les points bloquants propres à un OM ponctuel. Voir docs/om_ponctuels.md.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent, Commune, Gestionnaire
from agents.selectors import perimetre_q
from bareme import calcul
from bareme.selectors import lieu_eligibilite, paires_desservies
from missions import fichiers
from missions.calculs import (
    CalculOrdre,
    actualiser_estimation,
    bornes_mission,
    calculer_ordre,
    en_heure_locale,
    trier_etapes,
)
from missions.distances import DistanceInconnue, km_de_reference
from missions.enums import (
    MODES_NUITEE,
    MODES_REPAS,
    CasRattachement,
    ClasseTrain,
    Depart,
    Etat,
    ModeEtape,
    SensTrajet,
    TypeEtape,
    TypeFrais,
    TypeOrdre,
)
from missions.models import (
    Billet,
    DemandeBillet,
    Etape,
    Frais,
    JourTrajet,
    LigneTrajet,
    OrdreMission,
    PolitiqueVoyage,
    Sejour,
)
from missions.services import peut_creer_pour, peut_rediger
from validation.models import Notification
from validation.tasks import envoyer_courriel

REFUS_REDACTION = "Cet ordre de mission n'est plus modifiable : il a été soumis ou vous n'en êtes pas l'auteur."
REFUS_TYPE = "Seul un ordre de mission ponctuel a des étapes, des frais prévisionnels et des demandes de billets."
REFUS_AGENCE = (
    "Seule l'agence de voyage enregistre les billets, pour les ordres validés de son périmètre qui comportent "
    "une demande de titres de transport."
)
FRAIS_PONCTUEL = (TypeFrais.TRAIN, TypeFrais.TRANSPORT_PUBLIC, TypeFrais.PARKING, TypeFrais.PEAGE)
CHAMPS_ENTETE = (
    "objet",
    "commentaire",
    "destination_principale",
    "depart_le",
    "retour_le",
    "lieu_depart",
    "omp",
    "cas_rattachement",
    "vehicule_personnel",
    "transports_publics",
    "vehicule_service",
    "demande_billets",
    "enveloppe_budgetaire",
    "centre_couts",
    "domaine_fonctionnel",
    "axe_analytique",
)

# Plages horaires d'une étape : le lieu d'une étape est celui où se trouve l'agent au début de sa plage.
PLAGES = {TypeEtape.NUITEE: calcul.NUIT, TypeEtape.DEJEUNER: calcul.DEJEUNER, TypeEtape.DINER: calcul.DINER}


# --- Droits ---------------------------------------------------------------------------------------------------------


def _dans_le_perimetre(gestionnaire: Gestionnaire, ordre: OrdreMission) -> bool:
    return Agent.objects.filter(perimetre_q(gestionnaire), pk=ordre.agent_id).exists()


def est_agence_voyage(user) -> bool:
    gestionnaire = getattr(user, "gestionnaire", None)
    return bool(gestionnaire and gestionnaire.est_agence_voyage)


def peut_emettre_billets(user, ordre: OrdreMission) -> bool:
    """L'agence de voyage (gestionnaire marqué comme tel), pour un OM ponctuel validé avec demande, de son périmètre."""
    if not est_agence_voyage(user):
        return False
    if ordre.type != TypeOrdre.PONCTUEL or ordre.etat != Etat.VALIDE or not ordre.demande_billets:
        return False
    return _dans_le_perimetre(user.gestionnaire, ordre)


def _verrouiller(ordre: OrdreMission, par) -> OrdreMission:
    """L'OM ponctuel verrouillé pour la transaction, après vérification que `par` peut le rédiger."""
    ordre = (
        OrdreMission.objects.select_for_update(of=("self",))
        .select_related(
            "agent__residence_administrative__commune", "agent__commune_familiale", "destination_principale"
        )
        .get(pk=ordre.pk)
    )
    if not peut_rediger(par, ordre):
        raise PermissionDenied(REFUS_REDACTION)
    if ordre.type != TypeOrdre.PONCTUEL:
        raise ValidationError(REFUS_TYPE)
    return ordre


# --- Étapes dues : fonctions pures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EtapeDue:
    type: str
    date: datetime.date
    commune: Commune


def debut_plage(type_etape: str, jour: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(jour, PLAGES[type_etape][0])


def lieu_a(moment: datetime.datetime, destination: Commune, sejours: Iterable[tuple[datetime.datetime, Commune]]):
    """Le lieu où se trouve l'agent à ce moment : le dernier séjour commencé, sinon la destination principale."""
    lieu = destination
    for arrivee, commune in sorted(sejours, key=lambda sejour: sejour[0]):
        if arrivee <= moment:
            lieu = commune
    return lieu


def etapes_dues(
    debut: datetime.datetime,
    fin: datetime.datetime,
    destination: Commune,
    sejours: Iterable[tuple[datetime.datetime, Commune]] = (),
) -> list[EtapeDue]:
    """Les repas et nuitées dont la plage est entièrement couverte (`bareme.calcul.decompter`), avec leur lieu."""
    sejours = list(sejours)
    decompte = calcul.decompter(debut, fin)
    dues = []
    for type_etape, jours in (
        (TypeEtape.NUITEE, decompte.nuits),
        (TypeEtape.DEJEUNER, decompte.dejeuners),
        (TypeEtape.DINER, decompte.diners),
    ):
        for jour in jours:
            dues.append(EtapeDue(type_etape, jour, lieu_a(debut_plage(type_etape, jour), destination, sejours)))
    return sorted(dues, key=lambda due: (due.date, debut_plage(due.type, due.date)))


def raison_non_due(type_etape: str, jour: datetime.date, debut: datetime.datetime, fin: datetime.datetime) -> str:
    """Pourquoi une plage n'est plus couverte : « retour à 20 h 09, avant la fin de la plage 18 h–21 h »."""
    plage = PLAGES[type_etape]
    ouverture = datetime.datetime.combine(jour, plage[0])
    fermeture = datetime.datetime.combine(jour, plage[1])
    if fin <= ouverture or debut >= fermeture:
        return "la mission ne couvre plus ce moment"
    if debut > ouverture:
        return f"départ à {calcul.heure_fr(debut)}, après le début de la plage {calcul.plage_fr(plage)}"
    return f"retour à {calcul.heure_fr(fin)}, avant la fin de la plage {calcul.plage_fr(plage)}"


def libelle_etape(type_etape: str, jour: datetime.date) -> str:
    return Etape(type=type_etape, date=jour).libelle


# --- Génération des étapes ----------------------------------------------------------------------------------------


@dataclass
class Regeneration:
    """Ce qu'une génération des étapes a changé, pour le dire à l'agent."""

    ajoutees: list[str] = field(default_factory=list)
    supprimees: list[str] = field(default_factory=list)
    conservees: list[str] = field(default_factory=list)
    deplacees: list[str] = field(default_factory=list)
    sans_indemnite: list[str] = field(default_factory=list)
    nombre: int = 0  # étapes dues après la génération
    premiere: bool = False  # aucune étape n'existait avant

    @property
    def a_change(self) -> bool:
        return bool(self.ajoutees or self.supprimees or self.deplacees)

    @property
    def messages(self) -> list[str]:
        messages = []
        if self.ajoutees:
            messages.append(f"Ajouté{'s' if len(self.ajoutees) > 1 else ''} : {' ; '.join(self.ajoutees)}.")
        if self.supprimees:
            messages.append(f"Supprimé{'s' if len(self.supprimees) > 1 else ''} : {' ; '.join(self.supprimees)}.")
        if self.deplacees:
            messages.append(f"Lieu changé : {' ; '.join(self.deplacees)}.")
        if self.conservees:
            messages.append(f"Vos choix sont conservés : {' ; '.join(self.conservees)}.")
        messages.extend(f"Sans indemnité : {motif}." for motif in self.sans_indemnite)
        return messages

    @property
    def resume(self) -> str:
        if not self.a_change:
            entete = (
                f"Les étapes sont à jour ({self.nombre} repas ou nuitée{'s' if self.nombre > 1 else ''}) : rien n'a changé."
                if self.nombre
                else "Aucun repas ni nuitée n'est dû pour ces horaires."
            )
            return " ".join([entete, *self.messages])
        return " ".join(["Étapes générées." if self.premiere else "Étapes mises à jour.", *self.messages])


def _motifs_sans_indemnite(agent: Agent, communes: Iterable[Commune]) -> dict[str, str]:
    """Les communes où la mission n'ouvre pas droit à indemnité (résidence ou limitrophe desservie), avec le motif."""
    communes = {commune.pk: commune for commune in communes}
    if not communes:
        return {}
    adm, fam = agent.residence_administrative.commune, agent.commune_familiale
    lieux = {commune.pk: lieu_eligibilite(commune) for commune in (adm, fam, *communes.values())}
    desservies = paires_desservies(lieu.insee for lieu in lieux.values())
    motifs = {}
    for pk in communes:
        resultat = calcul.eligibilite(
            residence_administrative=lieux[adm.pk],
            residence_familiale=lieux[fam.pk],
            destination=lieux[pk],
            paires_desservies=desservies,
        )
        if not resultat.eligible:
            motifs[pk] = resultat.motif
    return motifs


def _bornes(
    ordre: OrdreMission, politique: PolitiqueVoyage, horaires: tuple | None = None
) -> tuple[datetime.datetime, datetime.datetime] | None:
    """Les bornes de la mission d'après les horaires de l'ordre, ou d'après `horaires` (départ, retour) réels."""
    depart_le, retour_le = horaires or (ordre.depart_le, ordre.retour_le)
    if depart_le is None or retour_le is None:
        return None
    return bornes_mission(
        en_heure_locale(depart_le), en_heure_locale(retour_le), ordre.lieu_depart, politique.delai_acces_gare
    )


def _dues(
    ordre: OrdreMission, politique: PolitiqueVoyage, horaires: tuple | None = None
) -> tuple[list[EtapeDue], dict[str, str], tuple | None]:
    """Les étapes dues d'après les horaires (ceux de l'ordre, ou `horaires` réels) et les lieux, les lieux sans
    indemnité et les bornes de la mission."""
    bornes = _bornes(ordre, politique, horaires)
    if bornes is None or ordre.destination_principale is None:
        return [], {}, bornes
    sejours = [
        (en_heure_locale(sejour.arrivee_le), sejour.commune)
        for sejour in ordre.sejours.select_related("commune__arrondissement_de").order_by("arrivee_le", "pk")
    ]
    dues = etapes_dues(*bornes, ordre.destination_principale, sejours)
    motifs = _motifs_sans_indemnite(ordre.agent, {due.commune for due in dues})
    return [due for due in dues if due.commune.pk not in motifs], motifs, bornes


def etapes_dues_pour(ordre: OrdreMission, horaires: tuple) -> tuple[list[EtapeDue], dict[str, str], tuple | None]:
    """Les étapes dues si la mission s'était déroulée aux `horaires` (départ, retour) donnés, aux lieux de l'ordre :
    ce que l'état de frais d'un OM ponctuel régénère quand l'agent déclare ses horaires réels."""
    return _dues(ordre, PolitiqueVoyage.courante(), horaires)


def synchroniser_etapes(existantes, dues, motifs, bornes, nouvelle) -> tuple[Regeneration, list]:
    """Met des étapes enregistrées d'accord avec les étapes dues : celles qui restent dues gardent le choix de
    l'agent (et prennent leur nouveau lieu), les autres sont supprimées, en disant pourquoi. Rend le rapport et les
    étapes à créer (`nouvelle(due)`, non enregistrées).

    Sert aux étapes prévisionnelles d'un ordre (`missions.Etape`) comme aux étapes réelles d'un état de frais
    (`validation.EtapeEtatFrais`) : les deux ont `type`, `date`, `commune`, `mode`, `ajuste` et `libelle`.
    """
    existantes = {(etape.type, etape.date): etape for etape in existantes}
    rapport = Regeneration(
        sans_indemnite=list(dict.fromkeys(motifs.values())), nombre=len(dues), premiere=not existantes
    )
    cles_dues = set()
    a_creer = []
    for due in dues:
        cle = (due.type, due.date)
        cles_dues.add(cle)
        etape = existantes.get(cle)
        if etape is None:
            a_creer.append(nouvelle(due))
            rapport.ajoutees.append(f"{libelle_etape(due.type, due.date)} ({due.commune.nom})")
            continue
        if etape.commune_id != due.commune.pk:
            rapport.deplacees.append(f"{etape.libelle}, à {due.commune.nom} au lieu de {etape.commune.nom}")
            etape.commune = due.commune
            etape.save(update_fields=["commune"])
        if etape.ajuste:
            rapport.conservees.append(f"{etape.libelle} ({etape.get_mode_display().lower()})")
    for cle, etape in existantes.items():
        if cle in cles_dues:
            continue
        if etape.commune_id in motifs:
            raison = "le lieu n'ouvre pas droit à indemnité"
        elif bornes is None:
            raison = "les horaires de la mission ne sont pas connus"
        else:
            raison = raison_non_due(etape.type, etape.date, *bornes)
        choix = f" ; votre choix « {etape.get_mode_display().lower()} » est abandonné" if etape.ajuste else ""
        rapport.supprimees.append(f"{etape.libelle} ({raison}{choix})")
        etape.delete()
    return rapport, a_creer


def _regenerer(ordre: OrdreMission) -> Regeneration:
    """Met les étapes d'accord avec les horaires ; à appeler dans la transaction qui a verrouillé l'ordre."""
    dues, motifs, bornes = _dues(ordre, PolitiqueVoyage.courante())
    rapport, a_creer = synchroniser_etapes(
        ordre.etapes.select_related("commune"),
        dues,
        motifs,
        bornes,
        lambda due: Etape(ordre=ordre, type=due.type, date=due.date, commune=due.commune, mode=mode_propose(due.type)),
    )
    Etape.objects.bulk_create(a_creer)
    return rapport


def mode_propose(type_etape: str) -> str:
    """Le mode proposé : repas hors restaurant administratif à taux plein, nuitée payée sur facture."""
    return ModeEtape.PAYANTE if type_etape == TypeEtape.NUITEE else ModeEtape.PLEIN


def generer_etapes(*, ordre: OrdreMission, par) -> Regeneration:
    """« Générer les étapes » : les repas et nuitées dus, en gardant les choix de l'agent qui s'appliquent encore."""
    with transaction.atomic():
        ordre = _verrouiller(ordre, par)
        rapport = _regenerer(ordre)
        actualiser_estimation(ordre)
    return rapport


def modifier_etape(*, etape: Etape, par, mode: str, commentaire: str = "") -> Etape:
    """L'agent choisit comment il prend un repas ou une nuitée ; ce choix survit aux générations suivantes."""
    with transaction.atomic():
        ordre = _verrouiller(etape.ordre, par)
        etape = Etape.objects.select_for_update().get(pk=etape.pk, ordre=ordre)
        permis = MODES_NUITEE if etape.est_nuitee else MODES_REPAS
        if mode not in permis:
            raise ValidationError(
                {
                    "mode": f"Ce choix ne convient pas à un{'e' if etape.est_nuitee else ''} {etape.get_type_display().lower()}."
                }
            )
        etape.mode = mode
        etape.commentaire = (commentaire or "").strip()
        etape.ajuste = mode != etape.mode_par_defaut or bool(etape.commentaire)
        etape.full_clean(exclude=["ordre", "commune"])
        etape.save(update_fields=["mode", "commentaire", "ajuste"])
        actualiser_estimation(ordre)
    return etape


# --- En-tête : création et modification -------------------------------------------------------------------------


def _date_fr(moment: datetime.datetime) -> str:
    local = en_heure_locale(moment)
    return f"{calcul.date_fr(local.date())} à {calcul.heure_fr(local)}"


def _verifier_entete(ordre: OrdreMission) -> None:
    """Les règles de l'en-tête, chacune sur son champ ; rien n'est enregistré si l'une n'est pas respectée."""
    erreurs: dict[str, str] = {}
    if ordre.destination_principale_id is None:
        erreurs["destination_principale"] = "Indiquez la commune de la mission."
    if ordre.depart_le is None:
        erreurs["depart_le"] = "Indiquez la date et l'heure du départ."
    if ordre.retour_le is None:
        erreurs["retour_le"] = "Indiquez la date et l'heure du retour."
    elif ordre.depart_le and ordre.retour_le <= ordre.depart_le:
        erreurs["retour_le"] = f"Le retour doit suivre le départ ({_date_fr(ordre.depart_le)})."
    if not (ordre.vehicule_personnel or ordre.transports_publics or ordre.vehicule_service):
        erreurs["transports_publics"] = "Cochez au moins un moyen de transport."
    if ordre.demande_billets and not ordre.transports_publics:
        erreurs["demande_billets"] = "Une demande de titres de transport suppose le transport en commun : cochez-le."
    if ordre.cas_rattachement == CasRattachement.TRANSPORT_AVEC_BILLET and not ordre.demande_billets:
        erreurs["demande_billets"] = (
            "Vous avez choisi « transport en commun avec demande de titre de transport » : "
            "cochez la demande de titres de transport."
        )
    if ordre.cas_rattachement == CasRattachement.TRANSPORT_SANS_BILLET and ordre.demande_billets:
        erreurs["demande_billets"] = (
            "Vous avez choisi « transport en commun sans demande de titre de transport » : "
            "décochez la demande de titres de transport, ou changez le cas de rattachement."
        )
    if _axe_manquant(ordre):
        erreurs["axe_analytique"] = (
            "Cette enveloppe exige un axe analytique : indiquez la direction qui convoque (par exemple CC-DGESCO)."
        )
    erreurs.update(_verifier_rattachement(ordre))
    if erreurs:
        raise ValidationError(erreurs)


def _axe_manquant(ordre: OrdreMission) -> bool:
    """L'enveloppe choisie fait partie de celles qui exigent un axe analytique (politique de voyage), et il manque."""
    return bool(
        ordre.enveloppe_budgetaire_id
        and not ordre.axe_analytique.strip()
        and PolitiqueVoyage.objects.filter(pk=1, enveloppes_avec_axe=ordre.enveloppe_budgetaire_id).exists()
    )


def _verifier_rattachement(ordre: OrdreMission) -> dict[str, str]:
    if ordre.omp_id is None:
        return {"cas_rattachement": "Choisissez l'OMP auquel rattacher cet ordre."} if ordre.cas_rattachement else {}
    omp = ordre.omp
    if omp.agent_id != ordre.agent_id or omp.type != TypeOrdre.PERMANENT or omp.etat != Etat.VALIDE:
        return {"omp": "Choisissez un de vos ordres de mission permanents validés."}
    if not ordre.cas_rattachement:
        return {"cas_rattachement": "Précisez pourquoi ce déplacement couvert par l'OMP demande un OM ponctuel."}
    if ordre.depart_le and ordre.retour_le:
        debut, fin = en_heure_locale(ordre.depart_le).date(), en_heure_locale(ordre.retour_le).date()
        if debut < omp.date_debut or fin > omp.date_fin:
            return {
                "omp": f"La mission sort de la période de l'OMP {omp.numero} "
                f"(du {omp.date_debut:%d/%m/%Y} au {omp.date_fin:%d/%m/%Y})."
            }
    return {}


def _appliquer(ordre: OrdreMission, donnees: dict) -> None:
    for champ in CHAMPS_ENTETE:
        if champ in donnees:
            setattr(ordre, champ, donnees[champ])
    ordre.objet = (ordre.objet or "").strip()
    ordre.lieu_depart = ordre.lieu_depart or ""
    ordre.cas_rattachement = ordre.cas_rattachement or ""
    ordre.commentaire = (ordre.commentaire or "").strip()
    ordre.axe_analytique = (ordre.axe_analytique or "").strip()
    if ordre.depart_le and ordre.retour_le:
        ordre.date_debut = en_heure_locale(ordre.depart_le).date()
        ordre.date_fin = en_heure_locale(ordre.retour_le).date()


def _deposer_convocation(ordre: OrdreMission, donnees: dict) -> str | None:
    """Enregistre la convocation déposée (PDF, JPEG ou PNG) ou la retire ; l'ancien fichier n'est effacé qu'une fois
    la transaction validée. Rend le nom du fichier écrit, à effacer si la suite échoue."""
    depot = donnees.get("convocation")
    storage, ancien = ordre.convocation.storage, ordre.convocation.name or None
    nouveau = None
    if depot:
        try:
            format_depot = fichiers.verifier_justificatif(depot)
        except ValidationError as exc:
            raise ValidationError({"convocation": exc.messages}) from exc
        ordre.convocation.save(f"{uuid.uuid4().hex}.{format_depot.extension}", depot, save=False)
        nouveau = ordre.convocation.name
    elif donnees.get("supprimer_convocation"):
        ordre.convocation = ""
    else:
        ancien = None
    if ancien:
        transaction.on_commit(lambda: storage.delete(ancien))
    return nouveau


def _enregistrer_entete(ordre: OrdreMission, donnees: dict) -> Regeneration:
    _appliquer(ordre, donnees)
    _verifier_entete(ordre)
    ordre.full_clean(exclude=["etat", "convocation"])  # l'état est protégé : seules les transitions le changent
    nouveau = _deposer_convocation(ordre, donnees)
    try:
        ordre.save()
        rapport = _regenerer(ordre)
        actualiser_estimation(ordre)
    except Exception:
        if nouveau:
            ordre.convocation.storage.delete(nouveau)
        raise
    return rapport


def creer_ponctuel(*, agent: Agent, par, donnees: dict) -> tuple[OrdreMission, Regeneration]:
    """Un OM ponctuel vierge ou rattaché à un OMP, avec ses étapes générées. `ValidationError` par champ."""
    if not peut_creer_pour(par, agent):
        raise PermissionDenied("Vous ne pouvez pas créer d'ordre de mission pour cet agent.")
    with transaction.atomic():
        ordre = OrdreMission(type=TypeOrdre.PONCTUEL, agent=agent, created_by=par, objet="")
        rapport = _enregistrer_entete(ordre, donnees)
    return ordre, rapport


def modifier_ponctuel(*, ordre: OrdreMission, par, donnees: dict) -> Regeneration:
    """L'en-tête d'un brouillon ; des horaires ou un lieu changés régénèrent les étapes (voir `Regeneration`)."""
    with transaction.atomic():
        ordre = _verrouiller(ordre, par)
        rapport = _enregistrer_entete(ordre, donnees)
    return rapport


# --- Lieux de séjour ----------------------------------------------------------------------------------------------


def ajouter_sejour(*, ordre: OrdreMission, par, commune: Commune, arrivee_le: datetime.datetime) -> Regeneration:
    """Un nouveau lieu à partir d'une date et heure de la mission ; les étapes suivantes en prennent le taux."""
    with transaction.atomic():
        ordre = _verrouiller(ordre, par)
        if ordre.depart_le is None or ordre.retour_le is None:
            raise ValidationError({"arrivee_le": "Indiquez d'abord les horaires de départ et de retour de la mission."})
        if not ordre.depart_le < arrivee_le < ordre.retour_le:
            raise ValidationError(
                {
                    "arrivee_le": f"Choisissez un moment de la mission, entre le départ ({_date_fr(ordre.depart_le)}) "
                    f"et le retour ({_date_fr(ordre.retour_le)})."
                }
            )
        if ordre.sejours.filter(arrivee_le=arrivee_le).exists():
            raise ValidationError({"arrivee_le": "Un autre lieu commence déjà à ce moment : changez l'heure."})
        Sejour.objects.create(ordre=ordre, commune=commune, arrivee_le=arrivee_le)
        rapport = _regenerer(ordre)
        actualiser_estimation(ordre)
    return rapport


def supprimer_sejour(*, sejour: Sejour, par) -> Regeneration:
    with transaction.atomic():
        ordre = _verrouiller(sejour.ordre, par)
        Sejour.objects.filter(pk=sejour.pk, ordre=ordre).delete()
        rapport = _regenerer(ordre)
        actualiser_estimation(ordre)
    return rapport


# --- Frais prévisionnels et trajet vers la gare ---------------------------------------------------------------------


def _verifier_jour_de_mission(ordre: OrdreMission, jour: datetime.date, champ: str) -> None:
    if not ordre.date_debut <= jour <= ordre.date_fin:
        raise ValidationError(
            {
                champ: f"Choisissez un jour de la mission, du {ordre.date_debut:%d/%m/%Y} au {ordre.date_fin:%d/%m/%Y}."
                if ordre.date_debut != ordre.date_fin
                else f"Choisissez le jour de la mission, le {ordre.date_debut:%d/%m/%Y}."
            }
        )


def enregistrer_frais_ponctuel(*, ordre: OrdreMission, par, donnees: dict, frais: Frais | None = None) -> Frais:
    """Un frais prévisionnel : train payé par l'agent, ticket de bus ou de métro, stationnement, péage.

    Au plus `tickets_par_jour` tickets par jour de mission ; pas de train payé par l'agent quand l'ordre demande
    des billets à l'agence ; le stationnement est plafonné au calcul (`calculs._frais_ponctuel`).
    """
    with transaction.atomic():
        ordre = _verrouiller(ordre, par)
        politique = PolitiqueVoyage.courante()
        frais = Frais.objects.get(pk=frais.pk, ordre=ordre) if frais is not None else Frais(ordre=ordre)
        type_frais, jour = donnees["type"], donnees["date"]
        if type_frais not in FRAIS_PONCTUEL:
            raise ValidationError(
                {"type": "Choisissez un train, un ticket de bus ou de métro, un stationnement ou un péage."}
            )
        _verifier_jour_de_mission(ordre, jour, "date")
        if type_frais == TypeFrais.TRAIN and ordre.demande_billets:
            raise ValidationError(
                {
                    "type": "Votre ordre comporte une demande de titres de transport : les billets sont achetés par "
                    "l'agence de voyage, ne saisissez pas de train payé par vous."
                }
            )
        if type_frais == TypeFrais.TRANSPORT_PUBLIC:
            deja = (
                Frais.objects.filter(ordre=ordre, type=TypeFrais.TRANSPORT_PUBLIC, date=jour)
                .exclude(pk=frais.pk)
                .count()
            )
            if deja >= politique.tickets_par_jour:
                raise ValidationError(
                    {
                        "date": f"Au plus {politique.tickets_par_jour} tickets de bus ou de métro par jour de mission : "
                        f"le {calcul.date_fr(jour)} en compte déjà {deja}."
                    }
                )
        if donnees.get("montant") is None:
            raise ValidationError({"montant": "Indiquez le montant, en euros (prévu ou payé)."})
        frais.type, frais.date, frais.type_repas, frais.montant = type_frais, jour, "", donnees["montant"]
        frais.commentaire = (donnees.get("commentaire") or "").strip()
        frais.full_clean(exclude=["ordre", "justificatif"])
        frais.save()
        actualiser_estimation(ordre)
    return frais


def supprimer_frais_ponctuel(*, frais: Frais, par) -> None:
    with transaction.atomic():
        ordre = _verrouiller(frais.ordre, par)
        frais = Frais.objects.get(pk=frais.pk, ordre=ordre)
        storage, nom = frais.justificatif.storage, frais.justificatif.name or None
        frais.delete()
        if nom:
            transaction.on_commit(lambda: storage.delete(nom))
        actualiser_estimation(ordre)


def enregistrer_trajet_gare(*, ordre: OrdreMission, par, donnees: dict) -> LigneTrajet:
    """Le trajet de la résidence à la gare (ou au lieu de la mission) : IK au barème du véhicule si l'ordre autorise
    le véhicule personnel, sinon sur la base transports en commun de la politique de voyage.

    `donnees` : depart (ADM ou FAM), commune_arrivee, km_aller (None : distance de référence), trajets (1 ou 2),
    date, commentaire.
    """
    with transaction.atomic():
        ordre = _verrouiller(ordre, par)
        depart = donnees["depart"]
        origine = (
            ordre.agent.commune_familiale
            if depart == Depart.FAMILIALE
            else ordre.agent.residence_administrative.commune
        )
        arrivee = donnees["commune_arrivee"]
        _verifier_jour_de_mission(ordre, donnees["date"], "date")
        if origine.pk == arrivee.pk:
            raise ValidationError(
                {
                    "commune_arrivee": f"Le départ et l'arrivée sont la même commune ({arrivee.nom}) : "
                    "un trajet dans une même commune n'ouvre pas droit à des indemnités kilométriques."
                }
            )
        km = donnees.get("km_aller")
        if km is None:
            try:
                km, _ = km_de_reference(origine, arrivee)
            except DistanceInconnue as exc:
                raise ValidationError({"km_aller": str(exc)}) from exc
        ligne = LigneTrajet(
            ordre=ordre,
            depart=depart,
            commune_depart=origine,
            commune_arrivee=arrivee,
            km_aller=km,
            trajets_par_jour=donnees["trajets"],
            commentaire=(donnees.get("commentaire") or "").strip(),
        )
        ligne.full_clean(exclude=["ordre", "trajet_habituel"])
        ligne.save()
        JourTrajet.objects.create(ligne=ligne, date=donnees["date"])
        actualiser_estimation(ordre)
    return ligne


def supprimer_trajet_gare(*, ligne: LigneTrajet, par) -> None:
    with transaction.atomic():
        ordre = _verrouiller(ligne.ordre, par)
        LigneTrajet.objects.filter(pk=ligne.pk, ordre=ordre).delete()
        actualiser_estimation(ordre)


# --- Demandes de titres de transport --------------------------------------------------------------------------------


def premiere_classe_permise(politique: PolitiqueVoyage, ordre: OrdreMission) -> bool:
    """La 1re classe : par défaut de la politique, ou par sa dérogation nommée (catégorie de l'agent, destination,
    aller et retour dans la journée)."""
    if politique.classe_par_defaut == ClasseTrain.PREMIERE:
        return True
    if not politique.derogation_categories or ordre.agent.categorie not in politique.derogation_categories:
        return False
    destination = ordre.destination_principale
    if politique.derogation_commune_id and (
        destination is None or destination.commune_de_rattachement.pk != politique.derogation_commune_id
    ):
        return False
    meme_journee = ordre.date_debut == ordre.date_fin
    return meme_journee or not politique.derogation_meme_journee


def refus_premiere_classe(politique: PolitiqueVoyage) -> str:
    if politique.derogation_categories and politique.derogation_libelle:
        return (
            f"La 1re classe n'est accordée que par dérogation : {politique.derogation_libelle}. "
            "Votre mission n'y entre pas : choisissez la 2de classe."
        )
    return "La politique de voyage de l'académie prévoit la 2de classe : choisissez-la."


def _jour_attendu(ordre: OrdreMission, sens: str) -> datetime.date | None:
    moment = ordre.depart_le if sens == SensTrajet.ALLER else ordre.retour_le
    return en_heure_locale(moment).date() if moment else None


def valeurs_initiales_demande(ordre: OrdreMission, sens: str) -> dict:
    """Une demande pré-remplie : date et heure de l'en-tête (les mêmes, exactement), classe par défaut, cartes de la
    dernière demande de l'agent."""
    politique = PolitiqueVoyage.courante()
    moment = ordre.depart_le if sens == SensTrajet.ALLER else ordre.retour_le
    precedente = (
        DemandeBillet.objects.filter(ordre__agent=ordre.agent).exclude(cartes="").order_by("-pk").only("cartes").first()
    )
    initiales = {
        "classe": politique.classe_par_defaut,
        "cartes": precedente.cartes if precedente else "",
        "e_billet": True,
    }
    if moment:
        local = en_heure_locale(moment)
        initiales.update(date=local.date(), heure_min=local.time(), heure_max=local.time())
    autre = ordre.demandes_billets.exclude(sens=sens).first()
    if autre:
        initiales.update(gare_depart=autre.gare_arrivee, gare_arrivee=autre.gare_depart)
    return initiales


def enregistrer_demande_billet(*, ordre: OrdreMission, par, sens: str, donnees: dict) -> DemandeBillet:
    """La demande de billet aller ou retour : gares, date (celle de l'en-tête), plage horaire, classe, cartes,
    e-billet, coût prévisionnel. La 1re classe n'est permise que par la politique de voyage."""
    with transaction.atomic():
        ordre = _verrouiller(ordre, par)
        politique = PolitiqueVoyage.courante()
        if not ordre.demande_billets:
            raise ValidationError(
                "Cochez d'abord « demande de titres de transport » dans l'en-tête de l'ordre de mission."
            )
        demande = ordre.demandes_billets.filter(sens=sens).first() or DemandeBillet(ordre=ordre, sens=sens)
        for champ in ("gare_depart", "gare_arrivee", "date", "heure_min", "heure_max", "classe", "cartes", "e_billet"):
            setattr(demande, champ, donnees[champ])
        demande.cout_estime = donnees["cout_estime"]
        demande.commentaire = (donnees.get("commentaire") or "").strip()
        erreurs = {}
        attendu = _jour_attendu(ordre, sens)
        if attendu and demande.date != attendu:
            erreurs["date"] = (
                f"Le {'départ' if sens == SensTrajet.ALLER else 'retour'} de la mission est le {attendu:%d/%m/%Y} : "
                "la demande doit porter la même date que l'en-tête."
            )
        if demande.heure_max < demande.heure_min:
            erreurs["heure_max"] = "L'heure limite doit suivre l'heure de début de la plage."
        if demande.classe == ClasseTrain.PREMIERE and not premiere_classe_permise(politique, ordre):
            erreurs["classe"] = refus_premiere_classe(politique)
        if erreurs:
            raise ValidationError(erreurs)
        demande.full_clean(exclude=["ordre"])
        demande.save()
    return demande


def supprimer_demande_billet(*, demande: DemandeBillet, par) -> None:
    with transaction.atomic():
        ordre = _verrouiller(demande.ordre, par)
        DemandeBillet.objects.filter(pk=demande.pk, ordre=ordre).delete()


# --- Agence de voyage -----------------------------------------------------------------------------------------------


def _agences_pour(ordre: OrdreMission) -> list:
    """Les personnes de l'agence de voyage dont le périmètre couvre l'agent de l'ordre."""
    agences = Gestionnaire.objects.filter(est_agence_voyage=True, user__is_active=True).select_related("user")
    return [
        gestionnaire.user
        for gestionnaire in agences.prefetch_related("perimetres")
        if _dans_le_perimetre(gestionnaire, ordre)
    ]


def _notifier(destinataire, message: str, lien: str) -> None:
    Notification.objects.create(destinataire=destinataire, message=message[:300], lien=lien)
    corps = f"Bonjour,\n\n{message}\n\nPour le consulter : {settings.SITE_URL}{lien}\n\nItinera"
    transaction.on_commit(lambda: envoyer_courriel.enqueue(destinataire.email, f"Itinera : {message[:80]}", corps))


def transmettre_a_l_agence(ordre: OrdreMission) -> None:
    """À la validation finale (`validation.services.APRES_VALIDATION_FINALE`) : les demandes de billets partent à
    l'agence de voyage, qui est prévenue."""
    if ordre.type != TypeOrdre.PONCTUEL or not ordre.demande_billets:
        return
    transmises = DemandeBillet.objects.filter(ordre=ordre, transmise_le__isnull=True).update(
        transmise_le=timezone.now()
    )
    if not transmises:
        return
    lien = reverse("ponctuels:agence")
    message = f"Billets à commander pour l'ordre de mission {ordre.numero} de {ordre.agent.user.get_full_name()}."
    for user in _agences_pour(ordre):
        _notifier(user, message, lien)


def enregistrer_billet(*, demande: DemandeBillet, par, donnees: dict) -> Billet:
    """L'agence enregistre un billet acheté (référence, coût, fichier) ; l'agent le voit sur son ordre."""
    with transaction.atomic():
        ordre = (
            OrdreMission.objects.select_for_update(of=("self",)).select_related("agent__user").get(pk=demande.ordre_id)
        )
        if not peut_emettre_billets(par, ordre):
            raise PermissionDenied(REFUS_AGENCE)
        demande = DemandeBillet.objects.get(pk=demande.pk, ordre=ordre)
        reference = (donnees.get("reference") or "").strip()
        if not reference:
            raise ValidationError({"reference": "Indiquez la référence du dossier ou du billet."})
        billet = Billet(demande=demande, reference=reference, cout=donnees["cout"], enregistre_par=par)
        billet.full_clean(exclude=["demande", "fichier", "enregistre_par"])
        depot = donnees.get("fichier")
        if depot:
            try:
                format_depot = fichiers.verifier_justificatif(depot)
            except ValidationError as exc:
                raise ValidationError({"fichier": exc.messages}) from exc
            billet.fichier.save(f"{uuid.uuid4().hex}.{format_depot.extension}", depot, save=False)
        try:
            billet.save()
        except Exception:
            if depot:
                billet.fichier.storage.delete(billet.fichier.name)
            raise
        _notifier(
            ordre.agent.user,
            f"Votre billet {demande.get_sens_display().lower()} pour l'ordre de mission {ordre.numero} est disponible.",
            reverse("missions:ordre", args=[ordre.pk]),
        )
    return billet


def file_agence(user) -> dict:
    """Les ordres validés avec demande de billets du périmètre de l'agence : à traiter d'abord, puis traités.

    Trois requêtes, quel que soit le nombre d'ordres et de demandes."""
    gestionnaire = getattr(user, "gestionnaire", None)
    if gestionnaire is None or not gestionnaire.est_agence_voyage:
        return {"a_traiter": [], "traites": []}
    ordres = list(
        OrdreMission.objects.filter(
            perimetre_q(gestionnaire, prefix="agent__"),
            type=TypeOrdre.PONCTUEL,
            etat=Etat.VALIDE,
            demande_billets=True,
        )
        .select_related("agent__user", "destination_principale")
        .prefetch_related(
            Prefetch(
                "demandes_billets",
                queryset=DemandeBillet.objects.order_by("date", "sens").prefetch_related(
                    Prefetch("billets", queryset=Billet.objects.order_by("created_at", "pk"))
                ),
            )
        )
        .order_by("depart_le", "pk")
    )
    a_traiter, traites = [], []
    for ordre in ordres:
        demandes = list(ordre.demandes_billets.all())
        en_attente = [demande for demande in demandes if not demande.billets.all()]
        (a_traiter if en_attente else traites).append({"ordre": ordre, "demandes": demandes, "en_attente": en_attente})
    return {"a_traiter": a_traiter, "traites": traites}


# --- Contrôles avant soumission -------------------------------------------------------------------------------------


def controles_ponctuel(ordre: OrdreMission) -> list[str]:
    """Les points qui empêchent de soumettre un OM ponctuel (à brancher comme règle bloquante des anomalies)."""
    if ordre.type != TypeOrdre.PONCTUEL:
        return []
    politique = PolitiqueVoyage.courante()
    messages = []
    if ordre.depart_le is None or ordre.retour_le is None:
        messages.append("Indiquez la date et l'heure du départ et du retour de la mission.")
    if ordre.destination_principale_id is None:
        messages.append("Indiquez la commune de la mission.")
    if ordre.omp_id and (ordre.omp.etat != Etat.VALIDE or _verifier_rattachement(ordre)):
        messages.append("L'OMP de rattachement n'est plus validé ou ne couvre pas les dates de la mission.")
    if _axe_manquant(ordre):
        messages.append("L'enveloppe budgétaire choisie exige un axe analytique : indiquez-le dans l'en-tête.")
    dues, _, _ = _dues(ordre, politique)
    if {(due.type, due.date) for due in dues} != set(ordre.etapes.values_list("type", "date")):
        messages.append("Les étapes ne correspondent plus aux horaires : cliquez sur « Générer les étapes ».")
    demandes = list(ordre.demandes_billets.all())
    if demandes and not ordre.demande_billets:
        messages.append(
            "Vous ne demandez plus de titres de transport : supprimez les demandes de billets restantes, "
            "ou cochez de nouveau la demande dans l'en-tête."
        )
    if ordre.demande_billets:
        if not ordre.convocation:
            messages.append(
                "Déposez la convocation : aucun ordre avec demande de billets n'est validé, ni aucun billet commandé, "
                "sans convocation."
            )
        if not demandes:
            messages.append("Vous demandez des titres de transport : décrivez le trajet aller et le trajet retour.")
        if ordre.frais.filter(type=TypeFrais.TRAIN).exists():
            messages.append(
                "Les billets sont demandés à l'agence de voyage : retirez le train payé par vous des frais prévisionnels."
            )
    for demande in demandes:
        attendu = _jour_attendu(ordre, demande.sens)
        if attendu and demande.date != attendu:
            messages.append(
                f"La demande de billet {demande.get_sens_display().lower()} est pour le {demande.date:%d/%m/%Y}, "
                f"mais la mission {'part' if demande.sens == SensTrajet.ALLER else 'revient'} le {attendu:%d/%m/%Y} : "
                "mettez les mêmes dates."
            )
        if demande.classe == ClasseTrain.PREMIERE and not premiere_classe_permise(politique, ordre):
            messages.append(f"Billet {demande.get_sens_display().lower()} : {refus_premiere_classe(politique)}")
    return messages


# --- La partie « OM ponctuel » de la page d'un ordre ----------------------------------------------------------------

MODES_COURTS = {
    ModeEtape.PLEIN: "Taux plein, sur justificatif",
    ModeEtape.ADMINISTRATIF: "Restaurant administratif (demi-taux)",
    ModeEtape.REDUIT: "Taux réduit",
    ModeEtape.GRATUIT: "Repas fourni",
    ModeEtape.PAYANTE: "Sur facture",
    ModeEtape.GRATUITE: "Hébergement fourni",
    ModeEtape.AUTRE_ORGANISME: "Indemnisé par un autre organisme",
}
NATURES_FRAIS = {
    TypeFrais.TRAIN: "Billet de train payé par vous",
    TypeFrais.TRANSPORT_PUBLIC: "Ticket de bus ou de métro",
    TypeFrais.PARKING: "Stationnement à la gare",
    TypeFrais.PEAGE: "Péage",
}


def page_ponctuel(ordre: OrdreMission, user) -> dict:
    """Tout ce que montre `templates/ponctuels/includes/detail.html`, en un nombre de requêtes constant."""
    calcul_ordre: CalculOrdre = calculer_ordre(ordre)
    politique = PolitiqueVoyage.courante()
    bornes = _bornes(ordre, politique)
    demandes = list(
        ordre.demandes_billets.order_by("date", "sens").prefetch_related(
            Prefetch("billets", queryset=Billet.objects.order_by("created_at", "pk"))
        )
    )
    par_sens = {demande.sens: demande for demande in demandes}
    etapes = {item.etape.pk: item for item in calcul_ordre.etapes}
    frais = {item.frais.pk: item for item in calcul_ordre.frais}
    lignes = {item.ligne.pk: item for item in calcul_ordre.lignes}
    modifiable = peut_rediger(user, ordre)
    return {
        "depart": en_heure_locale(ordre.depart_le) if ordre.depart_le else None,
        "retour": en_heure_locale(ordre.retour_le) if ordre.retour_le else None,
        "debut_mission": bornes[0] if bornes else None,
        "fin_mission": bornes[1] if bornes else None,
        "delai_gare": politique.delai_acces_gare,
        "sejours": list(ordre.sejours.select_related("commune").order_by("arrivee_le", "pk")),
        "etapes": [
            {"etape": etape, "calcul": etapes.get(etape.pk), "mode": MODES_COURTS[etape.mode]}
            for etape in trier_etapes(ordre.etapes.select_related("commune"))
        ],
        "frais": [
            {
                "frais": item,
                "calcul": frais.get(item.pk),
                "nature": NATURES_FRAIS.get(item.type, item.get_type_display()),
            }
            for item in ordre.frais.order_by("date", "pk")
        ],
        "lignes": [
            {"ligne": ligne, "calcul": lignes.get(ligne.pk), "dates": [jour.date for jour in ligne.jours.all()]}
            for ligne in LigneTrajet.objects.filter(ordre=ordre)
            .select_related("commune_depart", "commune_arrivee")
            .prefetch_related(Prefetch("jours", queryset=JourTrajet.objects.order_by("date")))
            .order_by("pk")
        ],
        "base_transport_public": not ordre.vehicule_personnel,
        "demandes": demandes,
        "demandes_par_sens": [(sens, par_sens.get(sens)) for sens in SensTrajet],
        "calcul": calcul_ordre,
        "baremes": sorted(calcul_ordre.baremes),
        "montant_frais_reel": calcul_ordre.montant_frais - calcul_ordre.montant_etapes,
        "controles": controles_ponctuel(ordre) if modifiable else [],
        "peut_rediger": modifiable,
        "peut_emettre": peut_emettre_billets(user, ordre),
    }


# --- Politique de voyage -------------------------------------------------------------------------------------------

CHAMPS_POLITIQUE = (
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
)


def enregistrer_politique(*, par, donnees: dict) -> PolitiqueVoyage:
    """Les réglages de la politique de voyage : administrateurs seulement ; ils valent pour les calculs suivants
    (un ordre validé garde ses montants figés)."""
    if not par.is_staff:
        raise PermissionDenied("La politique de voyage est réglée par les administrateurs.")
    with transaction.atomic():
        politique, _ = PolitiqueVoyage.objects.select_for_update().get_or_create(pk=1)
        for champ in CHAMPS_POLITIQUE:
            if champ in donnees:
                setattr(politique, champ, donnees[champ])
        politique.derogation_libelle = (politique.derogation_libelle or "").strip()
        politique.derogation_categories = sorted(politique.derogation_categories or [])
        politique.updated_by = par
        politique.full_clean(exclude=["enveloppes_avec_axe"])
        politique.save()
        if "enveloppes_avec_axe" in donnees:
            politique.enveloppes_avec_axe.set(donnees["enveloppes_avec_axe"])
    return politique
