"""Mesure la préparation d'un OMI (un mois, un agent, trois trajets habituels) sur PostgreSQL.

Ce n'est pas un test : il écrit dans la base désignée par DATABASE_URL, qu'il faut avoir créée et migrée.

    createdb -h 127.0.0.1 -U postgres itinera_bench_prefill
    export DJANGO_SETTINGS_MODULE=config.settings.test
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itinera_bench_prefill
    .venv/bin/python manage.py migrate
    .venv/bin/python benchmarks/prefill_omi.py
    dropdb -h 127.0.0.1 -U postgres itinera_bench_prefill

Un agent de Besançon (zone A) a un OMP validé de janvier à août 2026 avec trois trajets habituels (lundi et
jeudi avec repas, mardi et vendredi, mercredi avec repas) et une absence en mai. On prépare l'OMI de chaque mois,
de janvier à août, à tour de rôle, 200 fois ; l'OMI est supprimé entre deux passages (hors chronométrage).
Le premier appel, qui charge les données de jours fériés et de vacances scolaires, est mesuré à part.
Objectif : p95 sous 50 ms.
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PASSAGES = 200
OBJECTIF_MS = 50


def centile(valeurs: list[float], rang: float) -> float:
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, round(rang / 100 * (len(valeurs) - 1)))]


def main() -> int:
    if "DATABASE_URL" not in os.environ:
        print("Indiquez la base de mesure dans DATABASE_URL (voir l'aide en tête du script).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from agents.enums import Categorie, Civilite, TypeEtablissement
    from agents.models import Agent, Commune, Etablissement, ServiceGestionnaire, User
    from missions.enums import Depart, Etat, SourceKm, TypeRepas
    from missions.models import Absence, OrdreMission, TrajetHabituel
    from missions.prefill import preparer_omi

    print(f"Base : {connection.settings_dict['NAME']} ({connection.vendor})")

    with transaction.atomic():
        communes = {
            insee: Commune.objects.update_or_create(
                insee=insee, defaults={"nom": nom, "departement": insee[:2], "latitude": lat, "longitude": lon}
            )[0]
            for insee, nom, lat, lon in [
                ("25056", "Besançon", "47.23673", "6.02231"),
                ("25560", "Thise", "47.28390", "6.08009"),
                ("90010", "Belfort", "47.63859", "6.86283"),
                ("25388", "Montbéliard", "47.51000", "6.79815"),
                ("25462", "Pontarlier", "46.90410", "6.35420"),
            ]
        }
        ecole, _ = Etablissement.objects.get_or_create(
            uai="0250001A",
            defaults={"nom": "École de mesure", "type": TypeEtablissement.ECOLE, "commune": communes["25056"]},
        )
        service, _ = ServiceGestionnaire.objects.get_or_create(code="BENCH", defaults={"nom": "Service de mesure"})
        user, _ = User.objects.get_or_create(
            email="mesure.prefill@ac-test.fr", defaults={"first_name": "Camille", "last_name": "Mesure"}
        )
        agent, _ = Agent.objects.get_or_create(
            user=user,
            defaults={
                "civilite": Civilite.MADAME,
                "categorie": Categorie.AESH,
                "residence_administrative": ecole,
                "commune_familiale": communes["25560"],
                "service_gestionnaire": service,
            },
        )
        OrdreMission.objects.filter(agent=agent, omp__isnull=False).delete()
        OrdreMission.objects.filter(agent=agent).delete()
        omp = OrdreMission.objects.create(
            type="permanent",
            agent=agent,
            etat=Etat.VALIDE,
            objet="Accompagnement d'élèves en service partagé",
            date_debut=datetime.date(2026, 1, 1),
            date_fin=datetime.date(2026, 8, 31),
            created_by=user,
        )
        for depart, destination, km, jours, repas in [
            (Depart.ADMINISTRATIVE, "90010", "92.0", "0,3", TypeRepas.PLEIN),
            (Depart.FAMILIALE, "25388", "78.5", "1,4", TypeRepas.AUCUN),
            (Depart.ADMINISTRATIVE, "25462", "59.0", "2", TypeRepas.ADMINISTRATIF),
        ]:
            TrajetHabituel.objects.create(
                ordre=omp,
                depart=depart,
                destination_commune=communes[destination],
                km_aller=Decimal(km),
                source_km=SourceKm.DECLARE,
                jours_semaine=jours,
                repas=repas,
            )
        Absence.objects.get_or_create(
            agent=agent, date_debut=datetime.date(2026, 5, 18), date_fin=datetime.date(2026, 5, 19)
        )

    mois = [datetime.date(2026, numero, 1) for numero in range(1, 9)]

    cpu = []

    def un_passage(rang: int) -> float:
        debut, debut_cpu = time.perf_counter(), time.process_time()
        omi = preparer_omi(omp=omp, mois=mois[rang % len(mois)], par=user)
        duree = (time.perf_counter() - debut) * 1000
        cpu.append((time.process_time() - debut_cpu) * 1000)
        omi.delete()
        return duree

    premier = un_passage(0)
    cpu.clear()
    with CaptureQueriesContext(connection) as requetes:
        omi = preparer_omi(omp=omp, mois=mois[0], par=user)
    omi.delete()
    print(f"Requêtes SQL par préparation : {len(requetes)}")
    if os.environ.get("AFFICHER_REQUETES"):
        print("\n".join(requete["sql"][:160] for requete in requetes.captured_queries))
    durees = [un_passage(rang) for rang in range(1, PASSAGES + 1)]
    p50, p95 = statistics.median(durees), centile(durees, 95)
    print(f"Premier appel (chargement des calendriers) : {premier:.1f} ms")
    print(
        f"{PASSAGES} préparations : p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(durees):.1f} ms "
        f"(objectif p95 < {OBJECTIF_MS} ms)"
    )
    print(f"dont temps processeur Python : p50 {statistics.median(cpu):.1f} ms, p95 {centile(cpu, 95):.1f} ms")

    OrdreMission.objects.filter(agent=agent, omp__isnull=False).delete()
    OrdreMission.objects.filter(agent=agent).delete()
    return 0 if p95 < OBJECTIF_MS else 1


if __name__ == "__main__":
    sys.exit(main())
