"""The figure triggers survive schema changes: SQLite rebuilds a table for many of them (adding a
column with a default, for one) and the rebuilt table has none; they are installed again after
every migrate, and check_figures names any that is missing."""

import pytest
from django.core.management import call_command
from django.db import connection

from evaluation.figures import triggers
from evaluation.figures.check import figure_differences


@pytest.mark.django_db
def test_every_figure_trigger_is_in_the_test_database():
    assert triggers.missing(connection) == []


@pytest.mark.django_db
def test_a_trigger_lost_to_a_table_rebuild_is_named_by_check_figures_and_back_after_migrate():
    name = "figures_pilotage_meeting_ins"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON pilotage_meeting")
        else:
            cursor.execute(f"DROP TRIGGER {name}")
    assert f"déclencheur absent : {name}" in figure_differences()

    call_command("migrate", verbosity=0)

    assert triggers.missing(connection) == []
