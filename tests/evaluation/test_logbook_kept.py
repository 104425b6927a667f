"""The logbook list is kept under its site's data version, per reader's rights and filters: an entry
written through the form or through the logbook questionnaire, changed in bulk, linked or deleted
shows on the next read; a kept list is the list rendered afresh; readers keep their own rights and
their own questionnaire invitations."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.figures import aggregates
from evaluation.models import LogbookEntry
from tests.conftest import _clear_cache
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import MeetingFactory
from tests.surveys.test_logbook_questionnaire import _fields, _link, logbook_campaign  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
URL = reverse("evaluation:logbook_list", args=["marseille"])


def _page(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entries(marseille):
    LogbookEntryFactory(
        site=marseille, happened="Atelier de rue à la Castellane.", meetings=[MeetingFactory()]
    )
    LogbookEntryFactory(
        site=marseille,
        kind=LogbookEntry.Kind.EVENT,
        period_start=datetime.date(2020, 6, 1),
        period_end=datetime.date(2020, 6, 1),
        happened="Inauguration du jardin partagé.",
    )
    aggregates.refresh_all_stale()  # as the worker does after the writes


@pytest.mark.parametrize("query", ["", "?annee=2020", "?type=event", "?type=inconnu"])
def test_a_kept_list_is_the_list_rendered_afresh_with_fewer_queries(
    client, facilitator, entries, query, django_assert_max_num_queries
):
    client.force_login(facilitator)
    # Cold: 3 of the queries save the session after the sign-in.
    with django_assert_max_num_queries(14) as cold:
        fresh = _page(client, URL + query)
    with django_assert_max_num_queries(5) as warm:
        kept = _page(client, URL + query)
    assert kept == fresh
    assert len(warm.captured_queries) < len(cold.captured_queries)
    _clear_cache()
    assert _page(client, URL + query) == fresh


def test_the_filters_are_part_of_what_is_kept(client, facilitator, entries):
    client.force_login(facilitator)
    assert "Inauguration du jardin partagé." in _page(client)
    page = _page(client, URL + "?annee=2021")
    assert "Atelier de rue à la Castellane." in page and "Inauguration du jardin partagé." not in page
    page = _page(client, URL + "?type=event")
    assert "Atelier de rue à la Castellane." not in page and "Inauguration du jardin partagé." in page


@pytest.mark.parametrize("first", ["facilitator", "network_coordinator", "national_team"])
@pytest.mark.parametrize("second", ["facilitator", "network_coordinator", "national_team"])
def test_a_reader_sees_the_list_of_their_own_rights_whoever_read_it_first(request, entries, first, second):
    reader = _client(request.getfixturevalue(second))
    alone = _page(reader)
    _clear_cache()
    _page(_client(request.getfixturevalue(first)))
    assert _page(reader) == alone


def test_a_reader_gets_no_new_entry_button_after_a_writer_read_the_list(
    facilitator, network_coordinator, entries
):
    assert "Nouvelle entrée" in _page(_client(facilitator))
    page = _page(_client(network_coordinator))
    assert "Atelier de rue à la Castellane." in page and "Nouvelle entrée" not in page


def _form_write(client, marseille):
    response = client.post(
        reverse("evaluation:logbook_create", args=["marseille"]),
        {
            "kind": "event",
            "period_start": "2021-05-12",
            "period_end": "2021-05-12",
            "happened": "Fête de quartier avec le conseil citoyen.",
            "difficulties": "",
            "time_spent_hours": "",
            "support_needed": "",
        },
    )
    assert response.status_code == 302


WRITES = {
    "form": (_form_write, "Fête de quartier avec le conseil citoyen."),
    "bulk-update": (
        lambda client, marseille: LogbookEntry.objects.filter(site=marseille).update(
            happened="Repris en masse par l'équipe."
        ),
        "Repris en masse par l&#x27;équipe.",
    ),
    "meeting-linked": (
        lambda client, marseille: LogbookEntry.objects.get(kind="event").meetings.add(
            MeetingFactory(site=marseille), MeetingFactory(site=marseille)
        ),
        '<td class="num">2</td>',
    ),
    "delete": (
        lambda client, marseille: LogbookEntry.objects.filter(site=marseille).delete(),
        "Aucune entrée ne correspond.",
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_by_any_path_shows_on_the_next_read_of_the_list(
    client, facilitator, marseille, entries, write
):
    change, shown = WRITES[write]
    client.force_login(facilitator)
    assert shown not in _page(client)
    change(client, marseille)
    assert shown in _page(client)


def test_a_questionnaire_answer_shows_on_the_next_read_of_the_list(
    client,
    facilitator,
    marseille,
    logbook_campaign,  # noqa: F811
):
    client.force_login(facilitator)
    assert "n'est pas encore saisi" in _page(client).replace("&#x27;", "'")
    answer = Client()
    fields = _fields(logbook_campaign)
    assert (
        answer.post(_link(logbook_campaign), {fields["happened"]: "Réponse au questionnaire."}).status_code
        == 302
    )
    page = _page(client).replace("&#x27;", "'")
    assert "Réponse au questionnaire." in page
    assert "n'est pas encore saisi" not in page
