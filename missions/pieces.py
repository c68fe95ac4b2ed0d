"""Les pièces d'un OMP (arrêté d'affectation, emploi du temps, AUVP, attestation de non-paiement).

Une pièce appartient à l'agent : déposée une fois, elle est reprise par l'OMP suivant tant qu'elle est valable,
et signalée quand elle expire avant la fin de la période de l'ordre.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from missions.enums import TypeOrdre, TypePiece
from missions.fichiers import verifier_justificatif
from missions.models import OrdreMission, PieceJointe
from missions.services import peut_rediger

BIENTOT = datetime.timedelta(days=30)


def pieces_attendues(omp: OrdreMission) -> list[str]:
    attendues = [TypePiece.ARRETE_AFFECTATION, TypePiece.EMPLOI_DU_TEMPS, TypePiece.ATTESTATION_NON_PAIEMENT]
    if omp.vehicule_personnel:
        attendues.insert(2, TypePiece.AUVP)
    return attendues


@dataclass(frozen=True)
class EtatPiece:
    type: str
    piece: PieceJointe | None
    statut: str  # "manquante", "expiree", "expire_bientot", "expire_avant_la_fin", "valable"
    message: str

    @property
    def libelle(self) -> str:
        return TypePiece(self.type).label

    @property
    def a_signaler(self) -> bool:
        return self.statut != "valable"


def _statut(piece: PieceJointe | None, omp: OrdreMission, aujourd_hui: datetime.date) -> tuple[str, str]:
    if piece is None:
        return "manquante", "À déposer."
    fin = piece.valide_jusqu_au
    if fin is None:
        return "valable", "Sans date de fin."
    if fin < aujourd_hui:
        return "expiree", f"Expirée depuis le {fin:%d/%m/%Y} : déposez la nouvelle."
    if fin < omp.date_fin:
        if fin - aujourd_hui <= BIENTOT:
            return "expire_bientot", f"Expire le {fin:%d/%m/%Y}, dans moins d'un mois."
        return "expire_avant_la_fin", f"Expire le {fin:%d/%m/%Y}, avant la fin de l'ordre ({omp.date_fin:%d/%m/%Y})."
    return "valable", f"Valable jusqu'au {fin:%d/%m/%Y}."


def etat_des_pieces(omp: OrdreMission, aujourd_hui: datetime.date) -> list[EtatPiece]:
    """Pour chaque pièce attendue : celle rattachée à l'OMP, sinon la plus récente de l'agent, et son statut."""
    pieces = list(PieceJointe.objects.filter(agent=omp.agent).prefetch_related("ordres").order_by("-created_at", "-pk"))
    etats = []
    for type_piece in pieces_attendues(omp):
        du_type = [piece for piece in pieces if piece.type == type_piece]
        rattachee = next((piece for piece in du_type if omp in piece.ordres.all()), None)
        piece = rattachee or (du_type[0] if du_type else None)
        statut, message = _statut(piece, omp, aujourd_hui)
        etats.append(EtatPiece(type_piece, piece, statut, message))
    return etats


@transaction.atomic
def deposer_piece(
    *, omp: OrdreMission, par, type: str, fichier, valide_jusqu_au: datetime.date | None = None
) -> PieceJointe:
    """Dépose une pièce pour l'agent de l'OMP et la rattache à l'ordre ; le format est vérifié sur le contenu."""
    if omp.type != TypeOrdre.PERMANENT or not peut_rediger(par, omp):
        raise PermissionDenied("Les pièces se déposent sur un ordre de mission permanent en cours de création.")
    verifier_justificatif(fichier)
    piece = PieceJointe.objects.create(agent=omp.agent, type=type, fichier=fichier, valide_jusqu_au=valide_jusqu_au)
    piece.ordres.add(omp)
    return piece


@transaction.atomic
def reprendre_pieces_valables(omp: OrdreMission, aujourd_hui: datetime.date) -> list[PieceJointe]:
    """Rattache à l'OMP les pièces déjà déposées et encore valables : rien à redemander d'une année sur l'autre."""
    reprises = []
    for etat in etat_des_pieces(omp, aujourd_hui):
        if etat.piece is not None and etat.statut != "expiree" and omp not in etat.piece.ordres.all():
            etat.piece.ordres.add(omp)
            reprises.append(etat.piece)
    return reprises


@transaction.atomic
def deposer_attestation(*, ordre: OrdreMission, par, fichier) -> PieceJointe:
    """L'attestation de service fait, signée, déposée par l'agent sur son OMI (à tout moment avant le paiement)."""
    if ordre.type != TypeOrdre.ITINERANT or ordre.agent.user_id != par.pk:
        raise PermissionDenied("Seul l'agent dépose l'attestation de service fait de son ordre de mission itinérant.")
    verifier_justificatif(fichier)
    piece = PieceJointe.objects.create(agent=ordre.agent, type=TypePiece.ATTESTATION_SERVICE_FAIT, fichier=fichier)
    piece.ordres.add(ordre)
    return piece
