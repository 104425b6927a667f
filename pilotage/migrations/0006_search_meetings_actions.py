"""GIN expression indexes of the search page (evaluation/search/documents.py holds the same
expressions: a query uses an expression index only when it repeats it). PostgreSQL only."""

from django.db import migrations

FORWARD = [
    'CREATE INDEX IF NOT EXISTS search_meeting_document ON "pilotage_meeting" USING gin ((setweight(to_tsvector(\'french_unaccent\'::regconfig, "pilotage_meeting"."title"), \'A\') || setweight(to_tsvector(\'french_unaccent\'::regconfig, "pilotage_meeting"."agenda" || \' \' || "pilotage_meeting"."minutes"), \'B\')))',
    'CREATE INDEX IF NOT EXISTS search_decision_document ON "pilotage_decision" USING gin ((setweight(to_tsvector(\'french_unaccent\'::regconfig, "pilotage_decision"."text"), \'A\')))',
    'CREATE INDEX IF NOT EXISTS search_action_document ON "pilotage_action" USING gin ((setweight(to_tsvector(\'french_unaccent\'::regconfig, "pilotage_action"."title"), \'A\') || setweight(to_tsvector(\'french_unaccent\'::regconfig, "pilotage_action"."description" || \' \' || "pilotage_action"."outcomes"), \'B\')))',
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_meeting_document",
    "DROP INDEX IF EXISTS search_decision_document",
    "DROP INDEX IF EXISTS search_action_document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("pilotage", "0005_calendar_feed"), ("atc", "0006_search_french_unaccent")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
