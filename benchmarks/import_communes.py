"""Mesure l'import complet des communes (≈ 35 000) et des paires limitrophes (≈ 104 000) sur PostgreSQL.

Ce n'est pas un test : il écrit dans la base désignée par DATABASE_URL, qu'il faut avoir créée et migrée.

    createdb -h 127.0.0.1 -U postgres itinera_bench_imports
    export DJANGO_SETTINGS_MODULE=config.settings.test
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itinera_bench_imports
    .venv/bin/python manage.py migrate
    .venv/bin/python benchmarks/import_communes.py
    dropdb -h 127.0.0.1 -U postgres itinera_bench_imports

Il importe les fichiers complets (data/communes/*.csv.gz) et affiche la durée de chaque passage :
le premier sur des tables vides, le second, idempotent, qui ne doit rien créer, et un troisième après avoir
altéré toutes les lignes en base (population, contact), qui doit toutes les mettre à jour sans toucher au
drapeau « desservie par les transports publics ».
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
    from django.db.models import Case, Value, When

    from agents import imports
    from agents.models import Commune, Limitrophe

    print(f"Base : {connection.settings_dict['NAME']} ({connection.vendor})")
    if Commune.objects.exists() or Limitrophe.objects.exists():
        print(
            "Attention : la base contient déjà des communes ; le premier passage ne part pas de tables vides.",
            file=sys.stderr,
        )

    def alterer_tout():
        Commune.objects.update(population=None)
        Limitrophe.objects.update(
            contact=Case(When(contact="ligne", then=Value("point")), default=Value("ligne")),
            desservie_transports_publics=False,
        )

    durees = []
    passages = [
        ("premier import", None),
        ("second import (idempotent)", None),
        ("troisième import (toutes les lignes modifiées en base)", alterer_tout),
    ]
    for passage, preparer in passages:
        if preparer:
            preparer()
        debut = time.perf_counter()
        rapport = imports.importer_communes(imports.FICHIER_COMMUNES, imports.FICHIER_LIMITROPHES, enregistrer=True)
        duree = time.perf_counter() - debut
        durees.append(duree)
        print(f"\n{passage} : {duree:.1f} s")
        print(rapport.texte())
        if not rapport.est_valide:
            return 1

    drapeaux_conserves = not Limitrophe.objects.filter(desservie_transports_publics=True).exists()
    print(
        f"\nCommunes en base : {Commune.objects.count()}, paires : {Limitrophe.objects.count()}. "
        f"Durées : {', '.join(f'{d:.1f} s' for d in durees)} (objectif : moins de {OBJECTIF_SECONDES} s chacun). "
        f"Drapeau « desservie » conservé : {'oui' if drapeaux_conserves else 'NON'}."
    )
    if not drapeaux_conserves:
        return 1
    return 0 if max(durees) < OBJECTIF_SECONDES else 1


if __name__ == "__main__":
    sys.exit(main())
