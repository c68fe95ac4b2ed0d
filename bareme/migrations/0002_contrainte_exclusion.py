"""Deux versions d'un même type de barème ne se chevauchent jamais : contrainte d'exclusion, PostgreSQL seulement.

La contrainte porte sur `daterange(date_debut, date_fin, '[]')` (fin vide = sans limite) avec `&&` et sur le type
avec `=` (d'où l'extension btree_gist). Elle n'entre pas dans l'état des modèles : sous SQLite (démonstration), la
migration ne fait rien et `Bareme.clean()` / `bareme.services` font la même vérification sur toute base.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import migrations
from django.db.models import F, Func, Value

NOM = "bareme_versions_sans_chevauchement"


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


def contrainte():
    return ExclusionConstraint(
        name=NOM,
        expressions=[
            (DateRange(F("date_debut"), F("date_fin"), Value("[]")), RangeOperators.OVERLAPS),
            ("type", RangeOperators.EQUAL),
        ],
    )


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # L'extension reste en place au retour arrière : d'autres objets peuvent s'en servir.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.add_constraint(apps.get_model("bareme", "Bareme"), contrainte())


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_constraint(apps.get_model("bareme", "Bareme"), contrainte())


class Migration(migrations.Migration):
    dependencies = [("bareme", "0001_initial")]

    operations = [
        migrations.RunPython(creer, supprimer, elidable=False),
    ]
