"""Attention signals in a real browser: Roubaix has held no steering meeting for more than the
threshold; the signal shows on the Nord delegate's « Mes sites » (with the « À suivre » filter) and on
the national table; Roubaix's facilitator records a steering meeting through the meeting form, and
the signal clears on both tables and moves to the site's history."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from atc.models import Role
from atc.periods import months_before
from evaluation.figures import aggregates
from pilotage.models import Meeting
from sites.models import Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FACILITATOR_EMAIL = "animateur-roubaix@example.org"
LABEL = "Pas d'instance de pilotage récente"
TITLE = "COPIL de relance"


def _row(browser, name):
    return browser.locator("table.site-table tbody tr").filter(has_text=name)


def _attention_cell(browser, name):
    # Right after the site's name (its <th>): the first cell of the row.
    return _row(browser, name).locator("td").first


def test_a_site_without_steering_is_flagged_on_both_tables_and_cleared_by_a_meeting(page):
    browser = page.page
    roubaix = Site.objects.get(slug="roubaix")
    # Roubaix's last steering meeting is seven months old: past the 6 months of the default threshold.
    today = datetime.date.today()
    Meeting.objects.filter(
        site=roubaix, kind=Meeting.Kind.STEERING, date__gt=months_before(today, 7)
    ).delete()
    Site.objects.filter(pk=roubaix.pk).update(start_date=datetime.date(2020, 1, 6))
    aggregates.refresh_all_stale()
    facilitator = UserFactory(email=FACILITATOR_EMAIL, first_name="Karim", last_name="Haddad")
    facilitator.set_password(DEMO_PASSWORD)
    facilitator.save()
    RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=[roubaix])

    # The delegate's table: the column, the « À suivre » filter, the link to the signals.
    page.login("prefet_delegate")
    page.goto(reverse("dashboards:my_sites"))
    browser.get_by_label("Points d'attention", exact=True).select_option("1")
    browser.get_by_role("button", name="Filtrer").click()
    expect(browser).to_have_url(re.compile(r"a_suivre=1"))
    before = int(_attention_cell(browser, roubaix.name).inner_text().split()[0])
    assert before >= 1
    page.shot("mes-sites-a-suivre")
    _attention_cell(browser, roubaix.name).get_by_role("link").click()
    current = browser.get_by_role("list").filter(has_text=LABEL)
    expect(current).to_contain_text(re.compile("réunion de pilotage"))
    page.shot("historique-avant")

    browser.context.clear_cookies()
    page.login("national_team")
    page.goto(reverse("dashboards:national") + "?tri=-attention")
    expect(_attention_cell(browser, roubaix.name)).to_contain_text(str(before))
    page.shot("national-avant")

    # Roubaix's facilitator records a steering meeting through the form.
    browser.context.clear_cookies()
    page.login("facilitator", email=FACILITATOR_EMAIL)
    page.goto(reverse("dashboards:site", args=["roubaix"]))
    signals = browser.get_by_role("region", name="Points d'attention")
    expect(signals).to_contain_text(LABEL)
    signals.get_by_role("link", name=f"Corriger : {LABEL}").click()
    browser.locator("#id_kind").select_option("steering")
    browser.locator("#id_date").fill(today.isoformat())
    browser.locator("#id_title").fill(TITLE)
    browser.locator("#id_attendees_state").fill("2")
    browser.locator("#id_attendees_residents").fill("5")
    browser.get_by_role("button", name="Enregistrer la réunion").click()
    expect(browser.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.goto(reverse("dashboards:site", args=["roubaix"]))
    expect(browser.get_by_role("region", name="Points d'attention")).not_to_contain_text(LABEL)
    page.shot("tableau-de-bord-apres")

    browser.context.clear_cookies()
    page.login("national_team")
    page.goto(reverse("dashboards:national") + "?tri=-attention")
    after = _attention_cell(browser, roubaix.name).inner_text().split()[0]
    assert int(after) == before - 1
    page.shot("national-apres")

    browser.context.clear_cookies()
    page.login("prefet_delegate")
    page.goto(reverse("dashboards:my_sites"))
    expect(_attention_cell(browser, roubaix.name)).to_have_text(re.compile(rf"^{before - 1}\b"))
    page.goto(reverse("attention:site_history", args=["roubaix"]))
    history = browser.get_by_role("table").filter(has_text=LABEL)
    row = history.get_by_role("row").filter(has_text=LABEL).first
    expect(row).not_to_contain_text("en cours")
    expect(row).to_contain_text(today.strftime("%d/%m/%Y"))
    page.shot("historique-apres")
