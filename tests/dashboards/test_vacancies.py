"""Facilitator vacancies: one rule (sites.team.facilitation) read by the site dashboard and the people
page — a vacancy still open today is shown as open, with the same number of days on both pages."""

import datetime

from django.urls import reverse
from django.utils import timezone

from sites.models import FacilitatorAssignment
from tests.sites.factories import FacilitatorAssignmentFactory

D = datetime.date


def test_an_open_vacancy_reads_the_same_on_the_dashboard_and_the_people_page(
    client, national_team, marseille
):
    FacilitatorAssignmentFactory(
        site=marseille,
        position=FacilitatorAssignment.Position.LEAD,
        start_date=D(2020, 1, 6),
        end_date=D(2021, 2, 14),
    )
    days = (timezone.localdate() - D(2021, 2, 15)).days + 1
    today = timezone.localdate().strftime("%d/%m/%Y")
    client.force_login(national_team)

    dashboard = client.get(reverse("dashboards:site", args=["marseille"])).content.decode()
    assert f"Poste vacant du 15/02/2021 au {today}" not in dashboard  # an open vacancy has no end
    assert "Poste vacant depuis le 15/02/2021" in dashboard
    people = client.get(reverse("team:facilitator_history", args=["marseille"])).content.decode()
    assert "Depuis le 15/02/2021" in people
    for page in (dashboard, people):
        assert f"{days:,}".replace(",", "\u202f") in page
