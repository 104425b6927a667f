"""The figure triggers (evaluation/figures/triggers.py) are not installed by a migration: SQLite
rebuilds a table for many schema changes, and a trigger naming another table makes that rebuild
fail, while a rebuilt table loses its own triggers. EvaluationConfig drops them before every
migrate and installs them again after it. This migration stays so that the graph that numbered
it stays valid; it does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_report_parts"),
        ("sites", "0005_site_data_version"),
        ("pilotage", "0002_member_name_consent"),
        ("diagnostics", "0003_score_messages"),
    ]

    operations = []
