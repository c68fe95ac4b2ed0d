"""Mesure l'import complet des communes (≈ 35 000) et des paires limitrophes (≈ 104 000) sur PostgreSQL.

Ce n'est pas un test : il écrit dans la base désignée par DATABASE_URL, qu'il faut avoir créée et migrée.

    createdb -h 127.0.0.1 -U postgres itinera_bench_imports
    export DJANGO_SETTINGS_MODULE=config.settings.test
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itinera_bench_imports
    .venv/bin/python manage.py migrate
    .venv/bin/python benchmarks/import_communes.py
    dropdb -h 127.0.0.1 -U postgres itinera_bench_imports

Il importe deux fois les fichiers complets (data/communes/*.csv.gz) et affiche la durée de chaque passage :
le premier sur des tables vides, le second, idempotent, qui ne doit rien créer.
"""

import os
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
OBJECTIF_SECONDES = 60


def main() -> int:
    if "DATABASE_URL" not in os.environ:
        print("Indiquez la base de mesure dans DATABASE_URL (voir l'aide en tête du script).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()

    from django.db import connection

    from agents import imports
    from agents.models import Commune, Limitrophe

    print(f"Base : {connection.settings_dict['NAME']} ({connection.vendor})")
    if Commune.objects.exists() or Limitrophe.objects.exists():
        print(
            "Attention : la base contient déjà des communes ; le premier passage ne part pas de tables vides.",
            file=sys.stderr,
        )

    durees = []
    for passage in ("premier import", "second import (idempotent)"):
        debut = time.perf_counter()
        rapport = imports.importer_communes(imports.FICHIER_COMMUNES, imports.FICHIER_LIMITROPHES, enregistrer=True)
        duree = time.perf_counter() - debut
        durees.append(duree)
        print(f"\n{passage} : {duree:.1f} s")
        print(rapport.texte())
        if not rapport.est_valide:
            return 1

    print(
        f"\nCommunes en base : {Commune.objects.count()}, paires : {Limitrophe.objects.count()}. "
        f"Premier import {durees[0]:.1f} s, second {durees[1]:.1f} s (objectif : moins de {OBJECTIF_SECONDES} s)."
    )
    return 0 if max(durees) < OBJECTIF_SECONDES else 1


if __name__ == "__main__":
    sys.exit(main())
