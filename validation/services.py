"""Une fonction par action du circuit de validation.

Chacune, dans une transaction : verrouille l'ordre, vérifie qui agit (`regles.autoriser`) et que la transition
est possible, l'applique, enregistre, écrit une ligne d'historique et prévient les personnes concernées
après validation de la transaction. Une action refusée ne change rien.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from missions.calculs import CalculImpossible, actualiser_estimation, enregistrer_baremes, figer_montants
from missions.enums import Etat, TypeOrdre
from missions.models import OrdreMission
from validation import anomalies, etats_frais, regles
from validation.enums import Action, Etapes
from validation.models import CircuitValidation, HistoriqueTransition
from validation.notifications import notifier_transition


class ActionRefusee(Exception):
    """L'action n'est pas permise à cette personne, ou plus possible dans l'état de l'ordre. Rien n'a changé."""


ACTION_IMPOSSIBLE = "Action déjà effectuée ou plus possible : l'ordre de mission a changé d'état entre-temps."
APRES_VALIDATION_FINALE = []  # fonctions (ordre) appelées dans la transaction quand un ordre devient « validé »


def circuit_a_deux_etapes(ordre: OrdreMission) -> bool:
    circuit = CircuitValidation.objects.filter(categorie=ordre.agent.categorie).first()
    return circuit is None or circuit.etapes == Etapes.DEUX


def _controler(ordre: OrdreMission) -> None:
    """Avant la soumission : montant estimé, contrôles ; une anomalie bloquante arrête tout, les autres restent."""
    calcul_ordre = actualiser_estimation(ordre)
    enregistrer_baremes(ordre, calcul_ordre)
    trouvees = anomalies.detecter(ordre)
    bloquantes = [anomalie.message for anomalie in trouvees if anomalie.bloquante]
    if bloquantes:
        raise ActionRefusee("À corriger avant de soumettre : " + " ".join(bloquantes))
    anomalies.enregistrer(ordre, trouvees)


def _figer(ordre: OrdreMission) -> None:
    """Un ordre qui porte des montants (OMI, OM ponctuel) les fige, avec les versions de barème utilisées."""
    if ordre.type == TypeOrdre.PERMANENT:
        return
    try:
        figer_montants(ordre)
    except CalculImpossible as erreur:
        raise ActionRefusee(f"Validation impossible : {erreur}") from erreur


def _verrouiller(ordre: OrdreMission) -> OrdreMission:
    return (
        OrdreMission.objects.select_for_update(of=("self",))
        .select_related("agent__user", "agent__service_gestionnaire", "destinataire")
        .get(pk=ordre.pk)
    )


def _executer(
    ordre: OrdreMission, action: Action, par, commentaire: str = "", jour=None, etat_attendu=None, **params
) -> OrdreMission:
    """`etat_attendu` : l'état que la personne avait sous les yeux ; s'il a changé depuis, on ne fait rien."""
    with transaction.atomic():
        ordre = _verrouiller(ordre)
        methode = getattr(ordre, action.value)
        if (etat_attendu and ordre.etat != etat_attendu) or not can_proceed(methode):
            raise ActionRefusee(ACTION_IMPOSSIBLE)
        autorisation = regles.autoriser(par, ordre, action, jour)
        if not autorisation:
            raise ActionRefusee(autorisation.motif)
        if action == Action.SOUMETTRE:
            _controler(ordre)
        source = ordre.etat
        methode(**params)
        if ordre.etat == Etat.VALIDE:
            _figer(ordre)
            for hook in APRES_VALIDATION_FINALE:
                hook(ordre)
            if ordre.type == TypeOrdre.ITINERANT:  # l'état de frais de l'OMI naît de sa validation finale
                etats_frais.creer_a_la_validation(ordre=ordre, par=par)
        ordre.save()
        if action == Action.ANNULER:
            etats_frais.annuler_avec_l_ordre(ordre=ordre, par=par, motif=commentaire)
        HistoriqueTransition.objects.create(
            ordre=ordre,
            transition=action,
            source=source,
            cible=ordre.etat,
            par=par,
            pour_le_compte_de=autorisation.pour_le_compte_de,
            commentaire=commentaire,
        )
        notifier_transition(ordre, action, ordre.etat, par)
    return ordre


def valideurs_possibles(ordre: OrdreMission):
    return ordre.agent.valideurs.filter(is_active=True).order_by("last_name", "first_name")


def soumettre(
    *, ordre: OrdreMission, par, destinataire=None, jour: datetime.date | None = None, etat_attendu=None
) -> OrdreMission:
    deux_etapes = circuit_a_deux_etapes(ordre)
    if deux_etapes:
        possibles = list(valideurs_possibles(ordre))
        if destinataire is None and len(possibles) == 1:
            destinataire = possibles[0]
        if destinataire is None:
            raise ActionRefusee(
                "Choisissez le valideur hiérarchique à qui adresser l'ordre de mission."
                if possibles
                else "Aucun valideur hiérarchique n'est rattaché à votre fiche : contactez votre service gestionnaire."
            )
        if destinataire not in possibles:
            raise ActionRefusee("Ce valideur n'est pas rattaché à votre fiche : choisissez-en un dans la liste.")
    return _executer(
        ordre,
        Action.SOUMETTRE,
        par,
        jour=jour,
        etat_attendu=etat_attendu,
        destinataire=destinataire,
        deux_etapes=deux_etapes,
        le=timezone.now(),
    )


def valider(
    *, ordre: OrdreMission, par, commentaire: str = "", jour: datetime.date | None = None, etat_attendu=None
) -> OrdreMission:
    return _executer(ordre, Action.VALIDER, par, commentaire, jour=jour, etat_attendu=etat_attendu)


def refuser(
    *, ordre: OrdreMission, par, motif: str, jour: datetime.date | None = None, etat_attendu=None
) -> OrdreMission:
    motif = (motif or "").strip()
    if not motif:
        raise ActionRefusee("Indiquez le motif du refus : l'agent en a besoin pour corriger.")
    return _executer(ordre, Action.REFUSER, par, motif, jour=jour, etat_attendu=etat_attendu, motif=motif)


def reprendre(*, ordre: OrdreMission, par, etat_attendu=None) -> OrdreMission:
    return _executer(ordre, Action.REPRENDRE, par, etat_attendu=etat_attendu)


def retirer(*, ordre: OrdreMission, par, etat_attendu=None) -> OrdreMission:
    return _executer(ordre, Action.RETIRER, par, etat_attendu=etat_attendu)


def annuler(
    *, ordre: OrdreMission, par, motif: str, jour: datetime.date | None = None, etat_attendu=None
) -> OrdreMission:
    motif = (motif or "").strip()
    if not motif:
        raise ActionRefusee("Indiquez le motif de l'annulation.")
    return _executer(ordre, Action.ANNULER, par, motif, jour=jour, etat_attendu=etat_attendu)


def supprimer_brouillon(*, ordre: OrdreMission, par) -> None:
    """Seul un brouillon se supprime, et seulement par son agent ; rien d'autre n'est jamais supprimé."""
    with transaction.atomic():
        ordre = _verrouiller(ordre)
        if ordre.agent.user_id != par.pk:
            raise ActionRefusee(regles.REFUS_PAS_A_VOUS)
        if ordre.etat != Etat.BROUILLON or ordre.historique.exists():
            raise ActionRefusee("Seul un ordre de mission en cours de création, jamais soumis, peut être supprimé.")
        ordre.delete()


@dataclass
class RapportLot:
    valides: list = field(default_factory=list)
    ignores: list = field(default_factory=list)  # (ordre, motif)


def valider_en_lot(*, ordres, par, jour: datetime.date | None = None) -> RapportLot:
    """Valide les ordres sans anomalie, chacun dans sa propre transaction ; dit pourquoi les autres sont écartés."""
    rapport = RapportLot()
    for ordre in ordres:
        if ordre.nb_anomalies:
            rapport.ignores.append(
                (ordre, f"{ordre.nb_anomalies} anomalie(s) à examiner : ouvrez l'ordre pour décider.")
            )
            continue
        try:
            rapport.valides.append(valider(ordre=ordre, par=par, jour=jour, etat_attendu=ordre.etat))
        except ActionRefusee as refus:
            rapport.ignores.append((ordre, str(refus)))
    return rapport
