"""Journey of Marseille's host director (issue 15, items 1 and 2), without any page of /admin/:
record a new facilitator at 0.5 FTE and a departure, create a steering committee with 8 seats; the
team page, the committee's composition and the site dashboard then show the new FTE, configuration
and composition. axe runs on every new page (0 serious or critical violations). The whole week of
the issue's "done means" (sign-in sheet, roster, minutes, national report) is
test_journey_site_team_week.py."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.site_team_steps import (
    compose_steering_committee,
    dashboard_figures,
    record_newcomer_and_departure,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_host_director_records_the_team_and_composes_a_steering_committee(page):
    browser = page.page
    found: list[str] = []
    today = datetime.date.today()
    page.login("host_director")
    fte_before, seats_before = dashboard_figures(page)
    record_newcomer_and_departure(page, found, today)
    compose_steering_committee(page, found, today)
    fte_after, seats_after = dashboard_figures(page)
    assert fte_after == fte_before + Decimal("0.5")
    assert seats_after == seats_before + 8
    expect(browser.get_by_text("Conseil citoyen").first).to_be_visible()
    page.shot("tableau-de-bord")
    assert "/admin/" not in browser.url
    assert not found, "\n".join(found)
