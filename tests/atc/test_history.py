"""The audit trail: who created and changed a tracked object, and when, for its readers only."""

import datetime
import json
import logging

import pytest
from django.urls import reverse

from evaluation.models import LogbookEntry
from pilotage.models import Meeting
from sites.models import Site
from tests.diagnostics.factories import AssessmentFactory, FindingFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_the_history_shows_who_created_and_changed_a_meeting(client, facilitator, host_director, marseille):
    meeting = MeetingFactory.build(site=marseille, created_by=facilitator)
    meeting._history_user = facilitator  # what HistoryRequestMiddleware does during a request
    meeting.save()
    meeting.title = "Comité de pilotage de mars"
    meeting.location = "Mairie annexe"
    meeting._history_user = host_director
    meeting.save()

    client.force_login(facilitator)
    page = client.get(reverse("history", args=["meeting", meeting.pk])).content.decode()
    assert "Historique des modifications" in page
    assert "Création" in page and "Modification" in page
    assert str(facilitator) in page and str(host_director) in page
    changed = Meeting._meta.get_field("title").verbose_name
    assert str(changed) in page
    rows = page[page.index("<tbody>") :]
    assert rows.index(str(host_director)) < rows.index(str(facilitator)), "newest first"


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("meeting", MeetingFactory),
        ("action", ActionFactory),
        ("finding", FindingFactory),
        ("assessment", AssessmentFactory),
    ],
)
def test_readers_see_the_history_and_others_get_a_404(client, personas, model, factory):
    obj = factory(site=Site.objects.get(slug="marseille"))
    url = reverse("history", args=[model, obj.pk])
    for persona in ("facilitator", "host_director", "network_coordinator", "national_team"):
        client.force_login(personas[persona])
        assert client.get(url).status_code == 200, persona
    for persona in ("prefet_delegate", "outsider"):
        client.force_login(personas[persona])
        assert client.get(url).status_code == 404, persona


def test_the_logbook_and_the_site_have_a_history(client, national_team, marseille):
    entry = LogbookEntry.objects.create(
        site=marseille,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
        happened="Lancement du groupe de travail jeunesse.",
    )
    client.force_login(national_team)
    assert client.get(reverse("history", args=["logbook", entry.pk])).status_code == 200
    assert client.get(reverse("history", args=["site", marseille.pk])).status_code == 200


def test_an_unknown_model_is_a_404(client, national_team, marseille):
    client.force_login(national_team)
    assert client.get(reverse("history", args=["user", national_team.pk])).status_code == 404


def test_the_history_query_count_does_not_grow_with_changes(
    client, facilitator, marseille, django_assert_max_num_queries
):
    meeting = MeetingFactory(site=marseille)
    for number in range(15):
        meeting.title = f"Réunion {number}"
        meeting.save()
    client.force_login(facilitator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("history", args=["meeting", meeting.pk]))
    assert response.content.decode().count("<tr>") == 17


def test_an_out_of_scope_history_is_logged_without_personal_data(client, prefet_delegate, marseille, caplog):
    meeting = MeetingFactory(site=marseille, title="Réunion confidentielle")
    client.force_login(prefet_delegate)
    with caplog.at_level(logging.WARNING, logger="atc.access"):
        client.get(reverse("history", args=["meeting", meeting.pk]))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "atc.access"]
    assert len(lines) == 1
    assert lines[0]["user_id"] == prefet_delegate.pk
    assert lines[0]["object_id"] == meeting.pk
    assert prefet_delegate.email not in caplog.text
    assert prefet_delegate.last_name not in caplog.text


@pytest.mark.parametrize(
    ("url_name", "model", "factory"),
    [
        ("pilotage:meeting_detail", "meeting", MeetingFactory),
        ("pilotage:action_detail", "action", ActionFactory),
    ],
)
def test_detail_pages_link_to_their_history(client, network_coordinator, marseille, url_name, model, factory):
    obj = factory(site=marseille)
    client.force_login(network_coordinator)
    page = client.get(reverse(url_name, args=[marseille.slug, obj.pk])).content.decode()
    assert reverse("history", args=[model, obj.pk]) in page


def test_findings_link_to_their_history(client, facilitator, marseille):
    finding = FindingFactory(site=marseille)
    client.force_login(facilitator)
    page = client.get(reverse("diagnostics:finding_list", args=[marseille.slug])).content.decode()
    assert reverse("history", args=["finding", finding.pk]) in page
