"""Mesure la production du PDF d'un état de frais (gabarit HTML puis WeasyPrint), sans base de données.

    .venv/bin/python benchmarks/pdf_ef.py [passages]

Deux états de frais sont mesurés : un mois courant (4 lignes d'IK dont une qui franchit le seuil de 2 000 km, donc
deux tranches, 8 repas, 2 péages ou stationnements, 2 ajustements) et un mois chargé (24 lignes d'IK vers 12
communes, 18 repas, 6 frais). Les objets sont construits en mémoire (aucune requête) : on mesure le gabarit et
WeasyPrint, ce que la validation ajoute à sa transaction. La première production, qui charge WeasyPrint et les
polices, est mesurée à part.

Objectif : médiane sous 500 ms pour l'état de frais courant, en temps réel. Le temps processeur est affiché aussi :
une machine chargée par d'autres processus allonge le temps réel sans rien dire du code.
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PASSAGES = 30
OBJECTIF_MS = 500
IK = "IK voiture — arrêté du 14 mars 2022"
REPAS = "Repas — arrêté du 20 septembre 2023"


def etat_de_frais(trajets: int = 24, repas: int = 18, frais: int = 6):
    from agents.models import (
        Agent,
        CentreCouts,
        Commune,
        DomaineFonctionnel,
        EnveloppeBudgetaire,
        Etablissement,
        ServiceGestionnaire,
        User,
    )
    from missions.enums import TypeOrdre
    from missions.models import OrdreMission
    from validation.models import AjustementEtatFrais, EtatEF, EtatFrais, LigneEtatFrais, NatureLigne

    antibes = Commune(insee="06004", nom="Antibes", departement="06")
    agent = Agent(
        pk=1,
        user=User(pk=1, first_name="Camille", last_name="Exemple"),
        civilite="mme",
        categorie="aesh",
        residence_administrative=Etablissement(uai="0060001U", nom="École des Pins", commune=antibes),
        service_gestionnaire=ServiceGestionnaire(code="DT", nom="Service des déplacements temporaires"),
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    ordre = OrdreMission(
        pk=1,
        type=TypeOrdre.ITINERANT,
        agent=agent,
        objet="Accompagnement d'élèves — octobre 2026",
        date_debut=datetime.date(2026, 10, 1),
        date_fin=datetime.date(2026, 10, 31),
        mois=datetime.date(2026, 10, 1),
    )
    gestionnaire = User(pk=2, first_name="Dominique", last_name="Gestion")
    ef = EtatFrais(
        pk=1,
        ordre=ordre,
        agent=agent,
        etat=EtatEF.VALIDE,
        mois=ordre.mois,
        enveloppe_budgetaire=EnveloppeBudgetaire(code="0230RECT-SP-AESH", libelle="AESH"),
        centre_couts=CentreCouts(code="RECMISS006", libelle="Missions"),
        domaine_fonctionnel=DomaineFonctionnel(code="0230-01", libelle="Vie scolaire"),
        montant_initial=Decimal("0"),
        montant_total=Decimal("0"),
        valide_par=gestionnaire,
        valide_le=datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC),
    )
    lignes = []
    jours = [f"2026-10-{jour:02d}" for jour in (1, 5, 6, 8, 12, 13, 15)]
    for rang in range(trajets):
        parts = [{"bareme": IK, "km": "168", "taux": "0.32", "montant": "53.76"}]
        if rang == trajets // 2:
            parts = [
                {"bareme": IK, "km": "40", "taux": "0.32", "montant": "12.80"},
                {"bareme": IK, "km": "128", "taux": "0.40", "montant": "51.20"},
            ]
        montant = sum((Decimal(part["montant"]) for part in parts), Decimal(0))
        lignes.append(
            LigneEtatFrais(
                pk=rang + 1,
                position=rang + 1,
                nature=NatureLigne.IK,
                date=datetime.date(2026, 10, 1),
                dates=jours,
                libelle=f"Antibes → Commune {rang // 2}" if rang % 2 == 0 else f"Commune {rang // 2} → Antibes",
                km=Decimal("168.0"),
                taux=Decimal("0.32") if len(parts) == 1 else None,
                parts=parts,
                bareme=IK,
                commentaire="7 jour(s) × 1 trajet(s) de 24 km — 8 h 15 – 16 h 30",
                montant_initial=montant,
                montant=montant,
            )
        )
    for rang in range(repas):
        lignes.append(
            LigneEtatFrais(
                pk=100 + rang,
                position=30 + rang,
                nature=NatureLigne.REPAS,
                date=datetime.date(2026, 10, 1 + rang),
                libelle="Restaurant administratif (demi-taux)",
                taux=Decimal("10.00"),
                bareme=REPAS,
                montant_initial=Decimal("10.00"),
                montant=Decimal("10.00"),
            )
        )
    for rang in range(frais):
        lignes.append(
            LigneEtatFrais(
                pk=200 + rang,
                position=60 + rang,
                nature=NatureLigne.PEAGE if rang % 2 else NatureLigne.PARKING,
                date=datetime.date(2026, 10, 2 + rang),
                libelle="Péage : A8" if rang % 2 else "Stationnement : parking de la gare",
                montant_initial=Decimal("4.30"),
                montant=Decimal("4.30"),
            )
        )
    ajustements = [
        AjustementEtatFrais(
            pk=rang + 1,
            ligne=lignes[trajets + rang],
            montant_avant=Decimal("10.00"),
            montant_apres=Decimal("0.00"),
            motif="Repas pris dans l'établissement, fourni gratuitement.",
            par=gestionnaire,
            created_at=datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC),
        )
        for rang in range(min(2, repas))
    ]
    for ajustement in ajustements:
        ajustement.ligne.montant = ajustement.montant_apres
    ef.montant_initial = sum((ligne.montant_initial for ligne in lignes), Decimal(0))
    ef.montant_total = sum((ligne.montant for ligne in lignes), Decimal(0))
    return ef, lignes, ajustements


CAS = {
    # nom : (lignes d'IK, repas, péages et stationnements)
    "courant": (4, 8, 2),  # un mois ordinaire : deux trajets aller-retour, huit repas, deux tickets
    "chargé": (24, 18, 6),  # douze communes, dix-huit repas
}


def mesurer(ef, lignes, ajustements, passages: int) -> dict:
    from validation import pdf

    debut = time.perf_counter()
    html = pdf.rendre_html(ef, lignes, ajustements)
    contenu = pdf.html_vers_pdf(html)
    premiere = (time.perf_counter() - debut) * 1000
    gabarit, totaux, processeur = [], [], []
    for _ in range(passages):
        debut, debut_processeur = time.perf_counter(), time.process_time()
        html = pdf.rendre_html(ef, lignes, ajustements)
        milieu = time.perf_counter()
        contenu = pdf.html_vers_pdf(html)
        fin = time.perf_counter()
        gabarit.append((milieu - debut) * 1000)
        totaux.append((fin - debut) * 1000)
        processeur.append((time.process_time() - debut_processeur) * 1000)
    totaux.sort()
    return {
        "lignes": len(lignes),
        "pages": len(pdf.document(html).pages),
        "kio": len(contenu) // 1024,
        "premiere": premiere,
        "mediane": statistics.median(totaux),
        "p95": totaux[min(len(totaux) - 1, round(0.95 * (len(totaux) - 1)))],
        "gabarit": statistics.median(gabarit),
        "processeur": statistics.median(processeur),
    }


def main() -> int:
    passages = int(sys.argv[1]) if len(sys.argv) > 1 else PASSAGES
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    resultats = {}
    for nom, (trajets, repas, frais) in CAS.items():
        r = resultats[nom] = mesurer(*etat_de_frais(trajets, repas, frais), passages)
        print(f"État de frais {nom} : {r['lignes']} lignes, {r['pages']} page(s), PDF de {r['kio']} Kio")
        print(f"  première production (WeasyPrint et polices à charger) : {r['premiere']:.0f} ms")
        print(f"  {passages} productions : médiane {r['mediane']:.0f} ms, p95 {r['p95']:.0f} ms")
        print(f"  dont gabarit HTML {r['gabarit']:.1f} ms ; temps processeur médian {r['processeur']:.0f} ms")
    atteint = resultats["courant"]["mediane"] < OBJECTIF_MS
    print(f"Objectif (état de frais courant) médiane < {OBJECTIF_MS} ms : {'atteint' if atteint else 'MANQUÉ'}")
    return 0 if atteint else 1


if __name__ == "__main__":
    sys.exit(main())
