"""GIN expression indexes of the search page (evaluation/search/documents.py holds the same
expressions: a query uses an expression index only when it repeats it). PostgreSQL only."""

from django.db import migrations

FORWARD = [
    'CREATE INDEX IF NOT EXISTS search_logbookentry_document ON "evaluation_logbookentry" USING gin ((setweight(to_tsvector(\'french_unaccent\'::regconfig, "evaluation_logbookentry"."happened"), \'A\') || setweight(to_tsvector(\'french_unaccent\'::regconfig, "evaluation_logbookentry"."difficulties" || \' \' || "evaluation_logbookentry"."lessons" || \' \' || "evaluation_logbookentry"."changes_of_course" || \' \' || "evaluation_logbookentry"."next_steps" || \' \' || "evaluation_logbookentry"."support_needed"), \'B\')))',
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_logbookentry_document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0011_pdf_editable_documents"), ("atc", "0006_search_french_unaccent")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
