"""The text search configuration the search page reads (evaluation/search/): French stemming with
accents ignored. PostgreSQL only; SQLite searches with an unaccented `contains` instead."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
    "CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french)",
    # Words with accents (word, hword, hword_part) go through unaccent before the French stemmer:
    # « activité » and « activite » give the same lexeme.
    "ALTER TEXT SEARCH CONFIGURATION french_unaccent "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem",
]
BACKWARD = ["DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("atc", "0005_api_tokens")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
