import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from missions.enums import Etat, TypePiece
from missions.models import PieceJointe
from missions.pieces import deposer_piece, etat_des_pieces, pieces_attendues, reprendre_pieces_valables
from tests.missions.factories import OrdreMissionFactory

pytestmark = pytest.mark.django_db
AUJOURD_HUI = datetime.date(2026, 9, 15)
PDF = b"%PDF-1.7\n%fictif\n"


def fichier(contenu=PDF, nom="piece.pdf"):
    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


def test_les_pieces_attendues_dependent_du_vehicule():
    omp = OrdreMissionFactory(vehicule_personnel=True)
    assert TypePiece.AUVP in pieces_attendues(omp)
    omp.vehicule_personnel = False
    assert TypePiece.AUVP not in pieces_attendues(omp)


def test_depot_statuts_et_reprise_l_annee_suivante():
    omp = OrdreMissionFactory(vehicule_personnel=True)  # 1er septembre 2026 – 31 août 2027
    deposer_piece(omp=omp, par=omp.agent.user, type=TypePiece.ARRETE_AFFECTATION, fichier=fichier())
    deposer_piece(
        omp=omp, par=omp.agent.user, type=TypePiece.AUVP, fichier=fichier(), valide_jusqu_au=datetime.date(2027, 3, 31)
    )
    deposer_piece(
        omp=omp, par=omp.agent.user, type=TypePiece.EMPLOI_DU_TEMPS, fichier=fichier(),
        valide_jusqu_au=datetime.date(2026, 10, 1),
    )  # fmt: skip
    statuts = {etat.type: etat.statut for etat in etat_des_pieces(omp, AUJOURD_HUI)}
    assert statuts == {
        TypePiece.ARRETE_AFFECTATION: "valable",
        TypePiece.EMPLOI_DU_TEMPS: "expire_bientot",
        TypePiece.AUVP: "expire_avant_la_fin",
        TypePiece.ATTESTATION_NON_PAIEMENT: "manquante",
    }
    suivant = OrdreMissionFactory(
        agent=omp.agent, vehicule_personnel=True,
        date_debut=datetime.date(2027, 9, 1), date_fin=datetime.date(2028, 8, 31),
    )  # fmt: skip
    reprises = reprendre_pieces_valables(suivant, datetime.date(2027, 8, 20))
    assert [piece.type for piece in reprises] == [TypePiece.ARRETE_AFFECTATION]  # l'AUVP a expiré, l'EDT aussi
    assert etat_des_pieces(suivant, datetime.date(2027, 8, 20))[2].statut == "expiree"


def test_un_faux_pdf_est_refuse_et_rien_n_est_enregistre():
    omp = OrdreMissionFactory()
    with pytest.raises(ValidationError):
        deposer_piece(omp=omp, par=omp.agent.user, type=TypePiece.AUVP, fichier=fichier(b"pas un pdf", "faux.pdf"))
    assert not PieceJointe.objects.exists()


def test_pas_de_depot_sur_l_omp_d_un_autre_ni_apres_soumission():
    omp = OrdreMissionFactory()
    autre = OrdreMissionFactory()
    with pytest.raises(PermissionDenied):
        deposer_piece(omp=omp, par=autre.agent.user, type=TypePiece.AUVP, fichier=fichier())
    soumis = OrdreMissionFactory(etat=Etat.ATTENTE_VH1)
    with pytest.raises(PermissionDenied):
        deposer_piece(omp=soumis, par=soumis.agent.user, type=TypePiece.AUVP, fichier=fichier())
    assert not PieceJointe.objects.exists()
