"""Les documents d'un ordre de mission, en PDF (WeasyPrint) : l'ordre et son estimation, l'attestation de service fait.

Le HTML est rendu par un gabarit ; WeasyPrint le met en page avec la police Marianne du système de design de l'État.
"""

import datetime
from pathlib import Path

import dsfr
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from missions.calculs import calculer_ordre
from missions.enums import TypeOrdre
from missions.models import OrdreMission
from missions.periodes import mois_fr

POLICES = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist" / "fonts"


def _contexte_commun(ordre: OrdreMission) -> dict:
    return {
        "ordre": ordre,
        "agent": ordre.agent,
        "polices": POLICES.as_uri(),
        "edite_le": timezone.localtime(),
        "historique": list(ordre.historique.select_related("par", "pour_le_compte_de").order_by("created_at", "pk")),
    }


def html_ordre(ordre: OrdreMission) -> str:
    contexte = _contexte_commun(ordre)
    if ordre.type == TypeOrdre.PERMANENT:
        contexte["trajets_habituels"] = list(
            ordre.trajets_habituels.select_related("destination_commune", "destination_etablissement").order_by("pk")
        )
    else:
        contexte["calcul"] = calculer_ordre(ordre)
    return render_to_string("missions/pdf/ordre.html", contexte)


def html_attestation_service_fait(ordre: OrdreMission) -> str:
    contexte = _contexte_commun(ordre)
    contexte["calcul"] = calculer_ordre(ordre)
    contexte["mois"] = mois_fr(ordre.mois or ordre.date_debut)
    contexte["signataire"] = ordre.destinataire
    return render_to_string("missions/pdf/attestation_service_fait.html", contexte)


def en_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=str(POLICES)).write_pdf()


def nom_de_fichier(ordre: OrdreMission, document: str) -> str:
    return f"{document}-{ordre.numero}-{datetime.date.today():%Y%m%d}.pdf"
