"""Le PDF d'un état de frais (WeasyPrint) : produit à la demande tant qu'il n'est pas validé, archivé une fois validé.

À la validation, le PDF est produit une seule fois, enregistré avec son empreinte SHA-256, et c'est ce fichier-là
qui est ensuite servi : il n'est jamais reproduit, donc jamais reproduit autrement. `lire_archive` vérifie
l'empreinte avant de le rendre.
"""

import functools
import hashlib
import logging
from decimal import Decimal

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from validation.models import EtatEF, EtatFrais, NatureLigne

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
TEMPLATE = "validation/ef/pdf.html"
FEUILLE = "validation/ef/pdf.css"


class ArchiveAlteree(Exception):
    """Le PDF archivé ne correspond plus à l'empreinte enregistrée à la validation."""


def contexte(etat_frais: EtatFrais, lignes, ajustements) -> dict:
    """Tout ce que montre le PDF : agent, mission, lignes, totaux, barèmes, référence, bloc de signature."""
    lignes = list(lignes)
    ajustements = list(ajustements)
    total_ik = sum((ligne.montant for ligne in lignes if ligne.nature == NatureLigne.IK), ZERO)
    total_frais = sum((ligne.montant for ligne in lignes if ligne.nature != NatureLigne.IK), ZERO)
    baremes = sorted(
        {part["bareme"] for ligne in lignes for part in ligne.parts if part.get("bareme")}
        | {ligne.bareme for ligne in lignes if ligne.bareme and not ligne.parts}
    )
    ajustees = {ajustement.ligne_id for ajustement in ajustements}
    return {
        "ef": etat_frais,
        "agent": etat_frais.agent,
        "ordre": etat_frais.ordre,
        "lignes": lignes,
        "lignes_ajustees": ajustees,
        "ajustements": ajustements,
        "total_ik": total_ik,
        "total_frais": total_frais,
        "km": sum((ligne.km or ZERO for ligne in lignes if ligne.nature == NatureLigne.IK), ZERO),
        "baremes": baremes,
        "definitif": etat_frais.etat not in (EtatEF.A_VALIDER, EtatEF.REJETE, EtatEF.ANNULE),
        "valide_le": timezone.localtime(etat_frais.valide_le) if etat_frais.valide_le else None,
    }


def rendre_html(etat_frais: EtatFrais, lignes=None, ajustements=None) -> str:
    if lignes is None:
        lignes = etat_frais.lignes.select_related("frais").order_by("position", "pk")
    if ajustements is None:
        ajustements = etat_frais.ajustements.select_related("ligne", "par").order_by("created_at", "pk")
    return render_to_string(TEMPLATE, contexte(etat_frais, lignes, ajustements))


@functools.cache
def feuille_de_style():
    """La mise en page du PDF, analysée une fois par processus (WeasyPrint compile alors ses sélecteurs une fois)."""
    from weasyprint import CSS  # chargée à la première utilisation : elle est lourde à importer

    return CSS(string=render_to_string(FEUILLE))


def document(html: str):
    """Le document mis en page (pages, texte), avant l'écriture du PDF."""
    from weasyprint import HTML

    return HTML(string=html).render(stylesheets=[feuille_de_style()])


def html_vers_pdf(html: str) -> bytes:
    return document(html).write_pdf()


def rendre_pdf(etat_frais: EtatFrais) -> bytes:
    return html_vers_pdf(rendre_html(etat_frais))


def empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def archiver(etat_frais: EtatFrais) -> None:
    """À la validation (dans sa transaction) : le PDF définitif et son empreinte, enregistrés avec l'état de frais."""
    if etat_frais.pdf_sha256:
        raise ArchiveAlteree(f"Le PDF de {etat_frais.numero} est déjà archivé : il ne se reproduit pas.")
    contenu = rendre_pdf(etat_frais)
    etat_frais.pdf_sha256 = empreinte(contenu)
    etat_frais.pdf.save(f"{etat_frais.numero}.pdf", ContentFile(contenu), save=False)


def lire_archive(etat_frais: EtatFrais) -> bytes:
    with etat_frais.pdf.open("rb") as fichier:
        contenu = fichier.read()
    if empreinte(contenu) != etat_frais.pdf_sha256:
        logger.error("PDF archivé de %s : l'empreinte ne correspond plus.", etat_frais.numero)
        raise ArchiveAlteree(
            f"Le PDF archivé de {etat_frais.numero} ne correspond plus à son empreinte : contactez l'administrateur."
        )
    return contenu


def pdf_de(etat_frais: EtatFrais) -> tuple[bytes, bool]:
    """Le PDF à servir et s'il est l'archive définitive (sinon, un document provisoire produit à l'instant)."""
    if etat_frais.pdf_sha256:
        return lire_archive(etat_frais), True
    return rendre_pdf(etat_frais), False
