"""Sous PostgreSQL, la base elle-même refuse de modifier ou de supprimer une ligne d'historique."""

from django.db import migrations

CREER = """
CREATE OR REPLACE FUNCTION validation_historique_immuable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'L''historique des transitions ne se modifie ni ne se supprime.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER validation_historique_immuable
    BEFORE UPDATE OR DELETE ON validation_historiquetransition
    FOR EACH ROW EXECUTE FUNCTION validation_historique_immuable();
"""
SUPPRIMER = """
DROP TRIGGER IF EXISTS validation_historique_immuable ON validation_historiquetransition;
DROP FUNCTION IF EXISTS validation_historique_immuable();
"""


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREER)


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUPPRIMER)


class Migration(migrations.Migration):
    dependencies = [("validation", "0001_initial")]

    operations = [migrations.RunPython(creer, supprimer)]
