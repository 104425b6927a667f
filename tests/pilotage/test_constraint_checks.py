"""A meeting's and an action's check constraints are validated together (pilotage.models.ChecksInOneQuery):
the same refusals as Django's one query per constraint, in one query."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotage.models import Action, Meeting
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _refusals(instance, exclude=None) -> list[str]:
    try:
        instance.validate_constraints(exclude=exclude)
    except ValidationError as error:
        return error.message_dict[NON_FIELD_ERRORS]
    return []


def _django_refusals(instance, exclude=None) -> list[str]:
    """What Django's own validation (one query per constraint) says of the same values."""
    refusals = []
    for constraint in instance._meta.constraints:
        try:
            constraint.validate(type(instance), instance, exclude=exclude)
        except ValidationError as error:
            refusals.extend(error.messages)
    return refusals


def test_a_meeting_with_sound_counts_passes_in_one_query(marseille):
    meeting = MeetingFactory.build(site=marseille, attendees_residents=12)
    with CaptureQueriesContext(connection) as captured:
        assert _refusals(meeting) == []
    # Inside the test's transaction the query is wrapped in a savepoint, as Django's own are.
    selects = [query for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(selects) == 1


def test_a_negative_count_is_refused_once_per_broken_count(marseille):
    meeting = MeetingFactory.build(site=marseille, attendees_residents=-1, attendees_state=-3)
    refusals = _refusals(meeting)
    assert refusals == ["Un nombre de participant·es ne peut pas être négatif."] * 2
    assert refusals == _django_refusals(meeting)


def test_a_site_meeting_without_a_site_is_refused_unless_the_site_is_left_out(marseille):
    meeting = MeetingFactory.build(site=None, kind=Meeting.Kind.STEERING)
    assert _refusals(meeting) == ["Une réunion de site doit être rattachée à un site."]
    assert _refusals(meeting) == _django_refusals(meeting)
    # A model form leaves out the fields it does not show: their constraints are not checked.
    assert _refusals(meeting, exclude={"site"}) == []
    assert _django_refusals(meeting, exclude={"site"}) == []


def test_a_null_passes_as_in_the_database(marseille):
    action = ActionFactory.build(site=marseille, start_date=None, end_date=datetime.date(2021, 1, 1))
    assert _refusals(action) == []


def test_an_action_out_of_bounds_is_refused_by_its_validation(marseille):
    action = ActionFactory.build(
        site=marseille,
        progress=120,
        start_date=datetime.date(2021, 3, 1),
        end_date=datetime.date(2021, 2, 1),
    )
    refusals = _refusals(action)
    assert refusals == [
        "L'avancement est un pourcentage entre 0 et 100.",
        "La date de fin doit suivre la date de début.",
    ]
    assert refusals == _django_refusals(action)
    with pytest.raises(ValidationError) as raised:
        action.full_clean()
    assert "La date de fin doit suivre la date de début." in raised.value.messages


def test_only_check_constraints_are_asked_together():
    assert Meeting._meta.constraints and Action._meta.constraints
    assert Meeting(site_id=None).get_constraints() == [(Meeting, [])]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("attendees_residents", "1" + "0" * 30),  # past any integer column
        ("attendees_state", "-5"),
        ("date", "9999-12-31"),
        ("duration_minutes", "99999999999"),
    ],
)
def test_hostile_values_in_the_meeting_form_are_refused_in_french_and_save_nothing(
    client, facilitator, marseille, field, value
):
    """The checks asked together see what the form lets through: out-of-range values are refused
    with a French message by the form, never a 500, and nothing is saved."""
    from django.urls import reverse

    from tests.pilotage.test_meetings import meeting_data

    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]), meeting_data(**{field: value})
    )
    assert response.status_code == 200
    assert "enregistrée : corrigez les erreurs." in response.content.decode()
    assert not Meeting.objects.filter(site=marseille).exists()


def test_a_meeting_typed_with_markup_reaches_its_kept_page_and_the_calendar_as_text(
    client, facilitator, marseille
):
    """Through the form (its checks in one query): the title with markup and a control character
    is stored as text, shown escaped on the meeting's page (drawn, then served as kept) and read
    back by an iCal parser from the calendar export."""
    import icalendar
    from django.urls import reverse

    from tests.pilotage.test_meetings import meeting_data

    client.force_login(facilitator)
    title = '<script>alert(1)</script> COPIL "quartier" & <b hx-get="/x">bailleurs</b>'
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]), meeting_data(title=title + "\x1b")
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(site=marseille)
    for _ in range(2):
        page = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])).content.decode()
        assert "<script>alert(1)</script>" not in page and 'hx-get="/x"' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    feed = client.get(reverse("pilotage:meeting_ical", args=["marseille"]))
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(event["SUMMARY"]).startswith(meeting.title[:20]) for event in events] == [True]
    assert "\x1b" not in feed.content.decode()
