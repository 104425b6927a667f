""" "The quarter's logbook is filled" has one rule (LogbookEntry.objects.covering: a periodic review
overlapping the quarter), read by the site home's to-do list, the logbook page, the e-mail reminders
and the dashboard's « trimestres avec carnet de bord » — they can no longer disagree."""

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone

from atc.periods import period_before, quarter_label, quarter_of
from evaluation.logbook.services import logbook_reminders_send
from evaluation.models import LogbookEntry
from tests.evaluation.factories import LogbookEntryFactory

DAY = datetime.timedelta(days=1)


def _carnet(client, slug) -> dict[str, list[str]]:
    response = client.get(reverse("dashboards:site_export", args=[slug, "carnet", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    return {row[0]: row for row in rows[1:]}


def test_a_review_covering_half_the_quarter_fills_it_everywhere(client, facilitator, marseille, mailoutbox):
    quarter = period_before("quarter", timezone.localdate())
    # Written for the second half of the last quarter and the start of this one.
    LogbookEntryFactory(
        site=marseille, period_start=quarter.start + 45 * DAY, period_end=quarter.end + 30 * DAY
    )
    client.force_login(facilitator)

    home = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    assert "Carnet de bord : l&#x27;entrée du trimestre" not in home
    assert "Carnet de bord : l'entrée du trimestre" not in home
    logbook = client.get(reverse("evaluation:logbook_list", args=["marseille"])).content.decode()
    assert "n'est pas encore saisi" not in logbook and "n&#x27;est pas encore saisi" not in logbook
    assert not [r for r in logbook_reminders_send() if r.site_id == marseille.pk]
    assert _carnet(client, "marseille")[quarter_label(quarter.start)][1] == "1"


def test_a_note_that_is_not_a_review_fills_no_quarter(client, facilitator, marseille):
    quarter = period_before("quarter", timezone.localdate())
    LogbookEntryFactory(site=marseille, event=True, period_start=quarter.start, period_end=quarter.end)
    assert not LogbookEntry.objects.covering(quarter.start, quarter.end).exists()
    client.force_login(facilitator)

    home = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    assert "Carnet de bord :" in home
    assert _carnet(client, "marseille")[quarter_label(quarter_of(quarter.start))][1] == "0"
