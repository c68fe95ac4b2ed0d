"""Sous PostgreSQL, la base elle-même refuse de modifier ou de supprimer l'historique et les ajustements des états
de frais (la fonction de déclencheur est celle de la migration 0002)."""

from django.db import migrations

TABLES = ("validation_historiqueetatfrais", "validation_ajustementetatfrais")


def creer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immuable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION validation_historique_immuable();"
        )


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immuable ON {table};")


class Migration(migrations.Migration):
    dependencies = [("validation", "0003_etats_frais_paiement")]

    operations = [migrations.RunPython(creer, supprimer)]
