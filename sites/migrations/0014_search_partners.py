"""GIN expression indexes of the search page (evaluation/search/documents.py holds the same
expressions: a query uses an expression index only when it repeats it). PostgreSQL only."""

from django.db import migrations

FORWARD = [
    'CREATE INDEX IF NOT EXISTS search_partner_document ON "sites_partnerorganisation" USING gin ((setweight(to_tsvector(\'french_unaccent\'::regconfig, "sites_partnerorganisation"."name"), \'A\')))',
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_partner_document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("sites", "0013_pdf_site_names"), ("atc", "0006_search_french_unaccent")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
