import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from atc.periods import period_before
from evaluation.models import LogbookEntry
from sites.views import DUE_COUNT
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (datetime.date(2021, 2, 10), datetime.date(2020, 10, 1), datetime.date(2020, 12, 31)),
        (datetime.date(2021, 4, 1), datetime.date(2021, 1, 1), datetime.date(2021, 3, 31)),
        (datetime.date(2021, 12, 31), datetime.date(2021, 7, 1), datetime.date(2021, 9, 30)),
    ],
)
def test_last_finished_quarter(today, start, end):
    quarter = period_before("quarter", today)
    assert (quarter.start, quarter.end) == (start, end)


def test_home_lists_what_is_due(client, facilitator, marseille):
    # Minutes are due 30 days after a steering committee's or a working group's meeting (the
    # attention rule's threshold), never after a workshop or a bilateral meeting.
    MeetingFactory(site=marseille, steering=True, title="COPIL sans CR", date=days_ago(40))
    MeetingFactory(site=marseille, steering=True, title="COPIL récent", date=days_ago(10))
    MeetingFactory(site=marseille, steering=True, title="COPIL avec CR", date=days_ago(40), with_minutes=True)
    MeetingFactory(site=marseille, title="Atelier sans CR", date=days_ago(40))
    ActionFactory(site=marseille, title="Action en retard", overdue=True)
    ActionFactory(site=marseille, title="Action finie en retard", overdue=True, done=True)
    client.force_login(facilitator)
    page = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    due = page.split('id="due-title"')[1].split('id="activity-title"')[0]
    assert "Compte rendu à valider" in due and "COPIL sans CR" in due
    assert "COPIL récent" not in due and "COPIL avec CR" not in due and "Atelier sans CR" not in due
    assert "Action en retard" in due and "Action finie en retard" not in due
    assert "Carnet de bord : l'entrée du trimestre" in due
    assert "Saisir une réunion" in page and "Saisir une action" in page
    assert "COPIL récent" in page


def test_logbook_reminder_disappears_once_the_quarter_is_filled(client, facilitator, marseille):
    quarter = period_before("quarter", timezone.localdate())
    start, end = quarter.start, quarter.end
    LogbookEntry.objects.create(site=marseille, period_start=start, period_end=end, happened="Lancement")
    client.force_login(facilitator)
    page = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    assert "Carnet de bord : l'entrée du trimestre" not in page
    assert "Rien en attente : tout est à jour." in page


def test_readers_see_the_same_without_write_buttons(client, network_coordinator, marseille):
    ActionFactory(site=marseille, title="Action en retard", overdue=True)
    client.force_login(network_coordinator)
    page = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    assert "Action en retard" in page
    assert "Saisir une réunion" not in page and "Saisir une action" not in page


def test_outsider_gets_a_404(client, outsider, marseille):
    client.force_login(outsider)
    assert client.get(reverse("sites:site_home", args=["marseille"])).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_home_query_count_does_not_grow(client, facilitator, marseille, rows, django_assert_max_num_queries):
    MeetingFactory.create_batch(rows, site=marseille, date=days_ago(40), steering=True)
    ActionFactory.create_batch(rows, site=marseille, overdue=True)
    client.force_login(facilitator)
    # The first read after a write rebuilds the site's figures and attention signals (bounded).
    with django_assert_max_num_queries(61):
        client.get(reverse("sites:site_home", args=["marseille"]))
    # Then kept: the session, the user, the site, the thresholds and the open signals (no trigger:
    # they key the page), the site's version; the header's count of unread notifications (one
    # query, then cached).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("sites:site_home", args=["marseille"]))
    page = response.content.decode()
    assert page.count("Action en retard :") == min(rows, DUE_COUNT)
    assert page.count("Compte rendu à valider :") == min(rows, DUE_COUNT)
    assert ("30 actions en retard en tout" in page) == (rows == 30)


def test_a_long_backlog_shows_the_oldest_and_links_to_the_rest(client, facilitator, marseille):
    for number in range(DUE_COUNT + 4):
        MeetingFactory(
            site=marseille,
            steering=True,
            title=f"Atelier sans CR n° {number:02d}",
            date=days_ago(100 - number),
        )
    MeetingFactory(site=marseille, steering=True, title="Atelier récent", date=days_ago(2))
    client.force_login(facilitator)
    page = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    due = page.split('id="due-title"')[1].split('id="activity-title"')[0]
    assert due.count("Compte rendu à valider :") == DUE_COUNT
    assert "Atelier sans CR n° 00" in due and f"Atelier sans CR n° {DUE_COUNT:02d}" not in due
    link = re.search(r'<a href="([^"]+)">Voir les 12 réunions dont le compte rendu est à valider</a>', due)
    assert link is not None
    listed = client.get(html.unescape(link.group(1))).content.decode()
    assert listed.count("Atelier sans CR n°") == DUE_COUNT + 4
    assert "Atelier récent" not in listed
