"""The figure triggers update a site's `sites_sitedataversion` row on every write to its data, and
every page reads the whole table (1,600 rows at the national scale): on PostgreSQL, leave room in
each page for in-place (HOT) updates and vacuum it after a fixed number of dead rows rather than a
fifth of a tiny table, so that it stays a few pages long. Nothing to do on SQLite."""

from django.db import migrations

SETTINGS = (
    "ALTER TABLE sites_sitedataversion SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, "
    "autovacuum_vacuum_threshold = 2000, autovacuum_analyze_scale_factor = 0.2)"
)
RESET = (
    "ALTER TABLE sites_sitedataversion RESET (fillfactor, autovacuum_vacuum_scale_factor, "
    "autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor)"
)


def apply(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SETTINGS)


def revert(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET)


class Migration(migrations.Migration):
    dependencies = [("sites", "0009_bounds")]

    operations = [migrations.RunPython(apply, revert)]
