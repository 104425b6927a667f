"""The national monitoring committee: members, meetings and national events, by the national team."""

import pytest
from django.urls import reverse

from pilotage.models import Committee, Meeting
from tests.pilotage.factories import MeetingFactory


@pytest.fixture
def national_client(client, national_team):
    client.force_login(national_team)
    return client


def test_members_are_recorded_in_the_national_committee(national_client):
    response = national_client.post(
        reverse("national:national_member_create"),
        {
            "organisation_name": "Question de Ville",
            "person_name": "",
            "title": "Directrice",
            "category": "other",
        },
    )

    assert response.status_code == 302
    committee = Committee.objects.get(kind=Committee.Kind.NATIONAL)
    assert committee.site is None
    assert "Question de Ville" in national_client.get(reverse("national:national_home")).content.decode()


def test_a_national_event_keeps_its_synthesis_escaped(national_client):
    response = national_client.post(
        reverse("national:national_meeting_create") + "?type=national_event",
        {
            "kind": "national_event",
            "title": "Grand Atelier en ligne",
            "date": "2021-01-28",
            "format": "video",
            "location": "",
            "agenda": "",
            "minutes": "8 groupes de travail <b>deux fois</b>.",
            "minutes_status": "validated",
            "attendees_state": "20",
            "attendees_local_authority": "15",
            "attendees_landlord": "0",
            "attendees_association": "50",
            "attendees_business": "0",
            "attendees_residents": "10",
            "attendees_citizens_council": "5",
            "attendees_other": "0",
        },
    )

    event = Meeting.objects.get(kind=Meeting.Kind.NATIONAL_EVENT)
    assert response["Location"] == reverse("national:national_meeting_detail", args=[event.pk])
    assert event.site is None and event.total_attendees == 100
    page = national_client.get(response["Location"]).content.decode()
    assert "8 groupes de travail &lt;b&gt;deux fois&lt;/b&gt;." in page


def test_a_site_meeting_is_not_reachable_through_the_national_pages(national_client, marseille):
    meeting = MeetingFactory(site=marseille)

    response = national_client.get(reverse("national:national_meeting_detail", args=[meeting.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["facilitator", "network_coordinator", "prefet_delegate"])
def test_the_national_pages_belong_to_the_national_team(client, personas, persona):
    client.force_login(personas[persona])

    assert client.get(reverse("national:national_home")).status_code == 403


def test_the_national_page_lists_meetings_in_a_fixed_number_of_queries(
    national_client, django_assert_max_num_queries
):
    for index in range(4):
        Meeting.objects.create(site=None, kind=Meeting.Kind.NATIONAL_COMMITTEE, title=f"Comité {index}")
    Meeting.objects.create(site=None, kind=Meeting.Kind.NATIONAL_EVENT, title="Grand Atelier")

    with django_assert_max_num_queries(12):
        content = national_client.get(reverse("national:national_home")).content.decode()

    assert "Comité 3" in content and "Grand Atelier" in content
