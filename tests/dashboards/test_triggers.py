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


@pytest.mark.django_db
def test_a_renamed_person_ages_the_kept_pages_but_a_sign_in_does_not():
    """Pages kept under the versions show people's names (a minutes author, a comment's writer):
    a new name bumps the epoch; the `last_login` a sign-in writes, or a save that changes no name,
    leaves every cache alone."""
    from django.utils import timezone

    from atc.models import User
    from sites.models import FiguresVersion

    def epoch():
        return FiguresVersion.objects.get(name="epoch").version

    user = User.objects.create_user(email="renomme@example.org", first_name="Awa", last_name="Diop")
    before = epoch()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    user.refresh_from_db()
    user.save()  # every column written again, no name changed
    assert epoch() == before

    user.last_name = "Diop-Sarr"
    user.save(update_fields=["last_name"])
    assert epoch() == before + 1


@pytest.mark.django_db
def test_a_questionnaire_changing_kind_ages_the_kept_figures():
    """Which campaigns are crossed readings (kept with a site's dashboard figures) is said by their
    questionnaire's kind: changing it bumps the epoch."""
    from evaluation.models import Questionnaire
    from sites.models import FiguresVersion
    from tests.surveys.factories import QuestionnaireFactory

    questionnaire = QuestionnaireFactory()
    before = FiguresVersion.objects.get(name="epoch").version
    Questionnaire.objects.filter(pk=questionnaire.pk).update(template=Questionnaire.Template.CROSSED_READINGS)
    assert FiguresVersion.objects.get(name="epoch").version > before


@pytest.mark.django_db
def test_a_status_change_written_alone_ages_its_sites_kept_pages(marseille):
    """The action page lists its history of states: a row of it written without touching the
    action (a bulk import of history, a correction in SQL) still bumps the actions' counter its
    page is kept under. No figure counts it: the site's version (the figures') stays."""
    from pilotage.models import ActionStatusChange
    from sites.models import SiteDataVersion
    from tests.pilotage.factories import ActionFactory

    action = ActionFactory(site=marseille)
    before = SiteDataVersion.objects.get(site=marseille)
    ActionStatusChange.objects.bulk_create([ActionStatusChange(action=action, to_status="done")])
    after = SiteDataVersion.objects.get(site=marseille)
    assert after.actions == before.actions + 1
    assert after.version == before.version


@pytest.mark.django_db
def test_a_renamed_priority_neighbourhood_ages_the_kept_pages(marseille):
    """A site's home lists its neighbourhoods' names and codes: a correction of the reference
    table bumps the epoch."""
    from sites.models import FiguresVersion, Neighbourhood

    before = FiguresVersion.objects.get(name="epoch").version
    Neighbourhood.objects.filter(pk__in=marseille.neighbourhoods.values("pk")).update(name="Frais-Vallon")
    assert FiguresVersion.objects.get(name="epoch").version > before
