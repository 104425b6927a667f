"""« Associations et habitant·es » names two shares apart: at every meeting (public events included)
and at the steering committee's meetings. The comparison table shows both, side by side (read in the
national CSV export and the page), and the site dashboard says which one it shows."""

import csv
import datetime
import io

from django.urls import reverse

from evaluation.figures.aggregates import rebuild_all_stats
from pilotage.models import Meeting
from sites.models import Site
from tests.pilotage.factories import MeetingFactory

ALL = "Associations et habitant·es, toutes réunions (%)"
STEERING = "Associations et habitant·es en comité de pilotage (%)"


def test_the_comparison_table_shows_both_shares(client, national_team):
    saint_denis = Site.objects.get(slug="saint-denis")
    day = datetime.date.today() - datetime.timedelta(days=10)
    MeetingFactory(
        site=saint_denis,
        steering=True,
        date=day,
        attendees_state=8,
        attendees_association=1,
        attendees_residents=0,
    )
    MeetingFactory(
        site=saint_denis,
        kind=Meeting.Kind.PUBLIC_EVENT,
        date=day,
        attendees_residents=40,
        attendees_association=10,
    )
    rebuild_all_stats()  # the pre-aggregates' refresh is not what this test is about
    client.force_login(national_team)

    response = client.get(reverse("dashboards:national_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    row = next(r for r in rows if r[0] == saint_denis.name)
    assert row[header.index(ALL)] == "86,4"  # 51 of 59 people, all meetings
    assert row[header.index(STEERING)] == "11,1"  # 1 of 9 at the steering committee

    page = client.get(reverse("dashboards:national")).content.decode()
    assert ALL in page and STEERING in page
    assert "86\u202f%" in page and "11\u202f%" in page

    site_page = client.get(reverse("dashboards:site", args=["saint-denis"])).content.decode()
    assert (
        '11\u202f%</strong> <span data-figure="steering_civil_share">'
        "Associations et habitant·es en comité de pilotage, depuis le début (%)</span>" in site_page
    )
