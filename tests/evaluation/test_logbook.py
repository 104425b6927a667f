"""The logbook (carnet de bord): list by period, create and edit with links, detail."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from atc.periods import quarter_period
from evaluation.figures import aggregates
from evaluation.logbook.services import last_finished_quarter
from evaluation.models import LogbookEntry
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def page_text(response):
    return unescape(response.content.decode())


def test_last_finished_quarter():
    assert last_finished_quarter(datetime.date(2021, 5, 10)) == quarter_period(2021, 1)
    assert last_finished_quarter(datetime.date(2021, 1, 1)) == quarter_period(2020, 4)
    q = quarter_period(2020, 4)
    assert (q.start, q.end, q.short) == (datetime.date(2020, 10, 1), datetime.date(2020, 12, 31), "T4 2020")
    assert quarter_period(2021, 1).end == datetime.date(2021, 3, 31)


def test_list_groups_entries_by_quarter_newest_first(client, facilitator):
    LogbookEntryFactory(happened="Lancement du groupe jeunesse")
    LogbookEntryFactory(
        period_start=datetime.date(2021, 4, 1),
        period_end=datetime.date(2021, 6, 30),
        happened="Stock alimentaire partagé",
    )
    client.force_login(facilitator)
    page = page_text(client.get(reverse("evaluation:logbook_list", args=["marseille"])))
    assert page.index("T2 2021") < page.index("Stock alimentaire partagé") < page.index("T1 2021")
    assert page.index("T1 2021") < page.index("Lancement du groupe jeunesse")


def test_list_filters_by_year_and_kind(client, facilitator):
    LogbookEntryFactory(happened="Bilan 2021")
    LogbookEntryFactory(
        period_start=datetime.date(2020, 10, 1),
        period_end=datetime.date(2020, 12, 31),
        happened="Bilan 2020",
    )
    LogbookEntryFactory(event=True)
    client.force_login(facilitator)
    url = reverse("evaluation:logbook_list", args=["marseille"])
    page = page_text(client.get(url, {"annee": "2020"}))
    assert "Bilan 2020" in page and "Bilan 2021" not in page
    page = page_text(client.get(url, {"type": "event"}))
    assert "Fête de quartier" in page and "Bilan 2021" not in page


def test_list_warns_when_the_last_quarter_is_missing(client, facilitator):
    client.force_login(facilitator)
    label = last_finished_quarter().short
    page = page_text(client.get(reverse("evaluation:logbook_list", args=["marseille"])))
    assert f"Le bilan du {label} n'est pas encore saisi." in page


def test_list_query_count_does_not_grow(client, facilitator, django_assert_max_num_queries):
    client.force_login(facilitator)
    url = reverse("evaluation:logbook_list", args=["marseille"])
    LogbookEntryFactory(meetings=[MeetingFactory()], actions=[ActionFactory()])
    aggregates.refresh_all_stale()  # as the worker does after the writes
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    with django_assert_max_num_queries(5):  # kept under the site's version
        client.get(url)
    for month in range(1, 12):
        LogbookEntryFactory(
            period_start=datetime.date(2020, month, 1),
            period_end=datetime.date(2020, month, 28),
            meetings=[MeetingFactory(), MeetingFactory()],
            actions=[ActionFactory()],
        )
    aggregates.refresh_all_stale()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_create_form_defaults_to_the_last_finished_quarter(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("evaluation:logbook_create", args=["marseille"])).content.decode()
    quarter = last_finished_quarter()
    assert f'value="{quarter.start:%Y-%m-%d}"' in page
    assert f'value="{quarter.end:%Y-%m-%d}"' in page


def test_facilitator_writes_an_entry_linked_to_meetings_and_actions(client, facilitator, marseille):
    meeting = MeetingFactory(title="COPIL de mars")
    action = ActionFactory(title="Exposition collective")
    client.force_login(facilitator)
    response = client.post(
        reverse("evaluation:logbook_create", args=["marseille"]),
        {
            "kind": "periodic",
            "period_start": "2021-01-01",
            "period_end": "2021-03-31",
            "happened": "Premier comité de pilotage avec le conseil citoyen.",
            "difficulties": "Peu de disponibilité des services de l'État.",
            "time_spent_hours": "120,5",
            "support_needed": "Un appui de la tête de réseau sur la mobilisation des habitant·es.",
            "meetings": [meeting.pk],
            "actions": [action.pk],
        },
    )
    assert response.status_code == 302
    entry = LogbookEntry.objects.get(site=marseille)
    assert entry.author == facilitator
    assert str(entry.time_spent_hours) == "120.5"
    assert list(entry.meetings.all()) == [meeting]
    page = page_text(client.get(response["Location"]))
    assert "Premier comité de pilotage avec le conseil citoyen." in page
    assert "COPIL de mars" in page and "Exposition collective" in page
    assert "120,5 heures" in page


def test_another_sites_meeting_cannot_be_linked(client, facilitator, grenoble):
    MeetingFactory()
    foreign = MeetingFactory(site=grenoble)
    client.force_login(facilitator)
    response = client.post(
        reverse("evaluation:logbook_create", args=["marseille"]),
        {
            "kind": "periodic",
            "period_start": "2021-01-01",
            "period_end": "2021-03-31",
            "happened": "Texte",
            "meetings": [foreign.pk],
        },
    )
    assert response.status_code == 200
    assert "Choisissez parmi les réunions de ce site." in page_text(response)
    assert not LogbookEntry.objects.exists()


def test_bad_entry_is_refused_with_messages(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("evaluation:logbook_create", args=["marseille"]),
        {
            "kind": "periodic",
            "period_start": "2021-03-31",
            "period_end": "2021-01-01",
            "happened": "",
            "time_spent_hours": "-3",
        },
    )
    page = page_text(response)
    assert "La fin de la période doit suivre son début." in page
    assert "Décrivez ce qui s'est passé pendant la période." in page
    assert "Indiquez un temps passé entre 0 et 5 000 heures." in page
    assert not LogbookEntry.objects.exists()


def test_entry_text_is_escaped(client, facilitator):
    entry = LogbookEntryFactory(happened="<img src=x onerror=alert(1)>")
    client.force_login(facilitator)
    raw = client.get(reverse("evaluation:logbook_detail", args=["marseille", entry.pk])).content
    assert b"<img src=x" not in raw
    assert b"&lt;img src=x" in raw


def test_facilitator_edits_an_entry_and_its_links(client, facilitator):
    first, second = MeetingFactory(), MeetingFactory()
    entry = LogbookEntryFactory(meetings=[first])
    client.force_login(facilitator)
    url = reverse("evaluation:logbook_update", args=["marseille", entry.pk])
    assert "checked" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "kind": "periodic",
            "period_start": "2021-01-01",
            "period_end": "2021-03-31",
            "happened": "Texte révisé",
            "meetings": [second.pk],
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.happened == "Texte révisé"
    assert list(entry.meetings.all()) == [second]


def test_detail_query_count(client, prefet_delegate, tourcoing, django_assert_max_num_queries):
    entry = LogbookEntryFactory(
        site=tourcoing,
        meetings=[MeetingFactory(site=tourcoing) for _i in range(5)],
        actions=[ActionFactory(site=tourcoing) for _i in range(5)],
    )
    client.force_login(prefet_delegate)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("evaluation:logbook_detail", args=["tourcoing", entry.pk]))
    assert response.status_code == 200
    assert "Modifier l'entrée" not in page_text(response)


def test_another_sites_entry_is_not_found(client, facilitator, grenoble):
    entry = LogbookEntryFactory(site=grenoble)
    client.force_login(facilitator)
    assert client.get(reverse("evaluation:logbook_detail", args=["marseille", entry.pk])).status_code == 404


def test_the_list_counts_each_entrys_meetings_and_actions(client, facilitator):
    """Counted per link table (atc.queries.link_count): three meetings and two actions read 3 and 2,
    not their product, and an entry with none reads 0."""
    LogbookEntryFactory(
        happened="Trois réunions, deux actions.",
        meetings=[MeetingFactory(), MeetingFactory(), MeetingFactory()],
        actions=[ActionFactory(), ActionFactory()],
    )
    LogbookEntryFactory(happened="Rien de lié.", kind=LogbookEntry.Kind.EVENT)
    client.force_login(facilitator)
    page = client.get(reverse("evaluation:logbook_list", args=["marseille"])).content.decode()
    cells = re.findall(r'<td class="num">(\d+)</td>', page)
    assert sorted(zip(cells[::2], cells[1::2], strict=True)) == [("0", "0"), ("3", "2")]
