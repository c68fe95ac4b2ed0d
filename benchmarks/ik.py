"""Banc d'essai : indemnités kilométriques de 100 000 lignes de trajets, avec cumul annuel et tranches.

Lancer : .venv/bin/python benchmarks/ik.py [nombre_de_lignes]

Les taux viennent des fichiers de référence (data/bareme/), lus une fois comme le ferait
`bareme.selectors.versions_ik()` : le calcul ne touche jamais la base. 200 agents déclarent chacun leurs lignes
sur deux années (2025-2026), avec toutes les classes de véhicule ; le cumul de chaque agent franchit les seuils de
2 000 et 10 000 km et repart de 0 au 1er janvier. Objectif : moins de 2 secondes pour 100 000 lignes.
"""

import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bareme import calcul, referentiel  # noqa: E402

DOSSIER = Path(__file__).resolve().parent.parent / "data" / "bareme"
CLASSES = [
    calcul.CLASSE_5CV_ET_MOINS,
    calcul.CLASSE_6_7CV,
    calcul.CLASSE_8CV_ET_PLUS,
    calcul.CLASSE_MOTOCYCLETTE,
    calcul.CLASSE_VELOMOTEUR,
]
AGENTS = 200
OBJECTIF_SECONDES = 2.0


def lignes_des_agents(nombre: int, graine: int = 2026) -> list[list[calcul.LigneIK]]:
    hasard = random.Random(graine)
    debut = datetime.date(2025, 1, 1)
    jours = (datetime.date(2026, 12, 31) - debut).days + 1
    par_agent = [[] for _ in range(AGENTS)]
    for numero in range(nombre):
        agent = numero % AGENTS
        classe = CLASSES[agent % len(CLASSES)]
        par_agent[agent].append(
            calcul.LigneIK(
                date=debut + datetime.timedelta(days=hasard.randrange(jours)),
                classe=classe,
                distance=Decimal(hasard.randint(10, 800)) / 10,
                trajets=hasard.randint(1, 20),
            )
        )
    return par_agent


def main() -> int:
    nombre = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    versions = referentiel.versions_ik_calcul(DOSSIER)
    par_agent = lignes_des_agents(nombre)

    depart, depart_cpu = time.perf_counter(), time.process_time()
    resultats = [calcul.calculer_ik_lignes(lignes, versions) for lignes in par_agent]
    duree, duree_cpu = time.perf_counter() - depart, time.process_time() - depart_cpu

    lignes = sum(len(resultat.lignes) for resultat in resultats)
    total = sum((resultat.montant for resultat in resultats), Decimal(0))
    partagees = sum(1 for resultat in resultats for ligne in resultat.lignes if len(ligne.parts) > 1)
    remises = sum(1 for resultat in resultats for ligne in resultat.lignes if ligne.cumul_remis_a_zero)

    depart_explications = time.perf_counter()
    for resultat in resultats[:10]:
        for ligne in resultat.lignes:
            ligne.explication  # noqa: B018 — on mesure la construction du texte
    duree_explications = time.perf_counter() - depart_explications
    avec_explication = sum(len(resultat.lignes) for resultat in resultats[:10])

    print(
        f"{lignes:,} lignes calculées en {duree:.3f} s ({lignes / duree:,.0f} lignes/s) ; "
        f"temps processeur : {duree_cpu:.3f} s".replace(",", " ")
    )
    print(f"  lignes partagées entre deux tranches ou plus : {partagees:,}".replace(",", " "))
    print(f"  lignes qui ouvrent une nouvelle année (cumul remis à 0) : {remises}")
    print(f"  total payé : {total} €")
    print(
        f"  explications : {avec_explication:,} textes en {duree_explications:.3f} s".replace(",", " ")
        + " (construites à la demande, hors mesure principale)"
    )
    if nombre == 100_000 and duree >= OBJECTIF_SECONDES:
        print(
            f"Objectif manqué : {duree:.3f} s écoulées pour {OBJECTIF_SECONDES} s au plus "
            f"(temps processeur {duree_cpu:.3f} s : si l'écart est grand, la machine est occupée par ailleurs)."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
