"""A typo in a date or a count is refused where it is typed — the meeting form, the admin, the
other forms — with a French sentence saying the range, and nothing is saved."""

import pytest
from django.urls import reverse

from diagnostics.models import Assessment, Finding
from evaluation.models import LogbookEntry
from pilotage.models import Action, Meeting
from tests.atc.factories import UserFactory
from tests.badinput.forms import page_form
from tests.pilotage.factories import MeetingFactory
from tests.pilotage.test_meetings import meeting_data

pytestmark = pytest.mark.django_db

DATE_RANGE = "Indiquez une date entre le 01/01/2000 et le 31/12/2100."
COUNT_RANGE = "Indiquez un nombre entier entre 0 et 100 000."


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "31/12/9999", "01/01/0001", "1999-12-31"])
def test_a_meeting_dated_outside_the_experiment_is_refused(client, facilitator, marseille, day):
    client.force_login(facilitator)
    response = client.post(reverse("pilotage:meeting_create", args=["marseille"]), meeting_data(date=day))
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()
    assert not Meeting.objects.exists()


def test_two_huge_attendance_counts_are_refused_without_overflow(client, facilitator, marseille):
    client.force_login(facilitator)
    data = meeting_data(attendees_state="2000000000", attendees_residents="2000000000")
    response = client.post(reverse("pilotage:meeting_create", args=["marseille"]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(COUNT_RANGE) == 2
    assert not Meeting.objects.exists()


def test_the_date_input_tells_the_browser_the_span(client, facilitator, marseille):
    client.force_login(facilitator)
    page = client.get(reverse("pilotage:meeting_create", args=["marseille"])).content.decode()
    assert 'min="2000-01-01"' in page and 'max="2100-12-31"' in page


def test_the_admin_refuses_a_meeting_dated_9999(client, marseille):
    meeting = MeetingFactory(site=marseille, title="Comité de mars")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:pilotage_meeting_change", args=[meeting.pk])
    data, _names = page_form(client.get(url).content.decode())
    data["date"] = ["31/12/9999"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.date.year < 9999


@pytest.mark.parametrize(
    ("url_name", "data", "model"),
    [
        (
            "pilotage:action_create",
            {"title": "Jardin", "status": "idea", "progress": "0", "start_date": "9999-12-31"},
            Action,
        ),
        (
            "diagnostics:finding_create",
            {"title": "Peu de lieux", "source": "observation", "date": "0001-01-01"},
            Finding,
        ),
        (
            "evaluation:logbook_create",
            {
                "kind": "periodic",
                "period_start": "0001-01-01",
                "period_end": "9999-12-31",
                "happened": "Des choses",
            },
            LogbookEntry,
        ),
    ],
)
def test_other_forms_refuse_dates_outside_the_span(client, facilitator, marseille, url_name, data, model):
    client.force_login(facilitator)
    url = reverse(url_name, args=["marseille"])
    full, _names = page_form(client.get(url).content.decode())
    full.update({key: [value] for key, value in data.items()})
    response = client.post(url, full)
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()
    assert not model.objects.exists()


def test_an_assessment_dated_year_one_is_refused(client, facilitator, marseille):
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_entry", args=["marseille"])
    data, _names = page_form(client.get(url).content.decode())
    data["date"] = ["0001-01-01"]
    response = client.post(url, data)
    assert DATE_RANGE in response.content.decode()
    assert not Assessment.objects.exists()
