"""Issue 15's "done means", walked in one browser as the people would, with no page of /admin/:
Marseille's host director records a new facilitator at 0.5 FTE and a departure, composes a steering
committee of 8 seats, plans its meeting, prints the sign-in sheet and types the paper tallies back
(the counts follow the roster); the facilitator writes and submits the minutes and cannot validate
them; the host director validates them. Afterwards the site dashboard, the team page and the
national report (its PDF, read with pdftotext) show the new FTE, configuration and composition."""

import datetime
import re
import subprocess
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pilotage.models import CommitteeMember, Meeting
from sites.models import OrganisationCategory, Site
from tests.browser.site_team_steps import (
    COMMITTEE,
    NEWCOMER,
    SEATS,
    check_axe,
    compose_steering_committee,
    dashboard_figures,
    number,
    record_newcomer_and_departure,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Premier comité de pilotage élargi"
MINUTES = "Tour de table des huit membres ; calendrier du diagnostic partagé arrêté."
# Seats 1 to 6 sign (state, 2 local authorities, landlord, 2 associations); the citizens' council
# and the residents' collective do not; 2 residents without a seat come along.
SIGNED = 6
EXTRA_RESIDENTS = 2


def _pdf_text(path) -> str:
    """The PDF's text in reading order, its spacing and line breaks folded to single spaces."""
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(run.stdout.split())


def _plan_the_meeting(page, found, today) -> Meeting:
    """The meeting form, the new committee chosen: its roster of 8 comes along; saved unticked."""
    browser = page.page
    page.goto(reverse("pilotage:meeting_create", args=["marseille"]))
    browser.locator("#id_kind").select_option("steering")
    browser.locator("#id_date").fill(today.isoformat())
    browser.locator("#id_start_time").fill("18:00")
    browser.locator("#id_committee").select_option(label=COMMITTEE)
    roster = browser.locator("#roster fieldset.roster")
    expect(roster).to_be_visible()
    expect(roster.locator("input[type=radio][value=present]")).to_have_count(len(SEATS))
    browser.locator("#id_title").fill(TITLE)
    browser.locator("#id_location").fill("Centre social Frais Vallon")
    check_axe(page, "meeting form with the roster", found)
    browser.get_by_role("button", name="Enregistrer la réunion").click()
    # Saved with its roster unticked: the form comes back to tick it, as it would without script.
    expect(browser.get_by_role("heading", level=1)).to_have_text(f"Modifier « {TITLE} »")
    meeting = Meeting.objects.get(title=TITLE)
    page.goto(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))
    return meeting


def _print_the_sheet_and_type_it_back(page, found, tmp_path, seats) -> None:
    browser = page.page
    with browser.expect_download() as download:
        browser.get_by_role("link", name="Feuille d'émargement (PDF)").click()
    sheet = tmp_path / "emargement.pdf"
    download.value.save_as(sheet)
    text = _pdf_text(sheet)
    for organisation, _category, person, function in SEATS:
        assert (person or function) in text
        assert organisation in text
    assert "18:00" in text

    browser.get_by_role("link", name="Saisir la feuille d'émargement").click()
    check_axe(page, "sign-in sheet typed back", found)
    for seat in seats[:SIGNED]:
        browser.locator(f"#id_signed_{seat.pk}").check()
    browser.get_by_label("Habitant·es / collectif d'habitant·es").fill(str(EXTRA_RESIDENTS))
    browser.get_by_role("button", name="Enregistrer la feuille d'émargement").click()
    expect(browser.get_by_text("Feuille d'émargement enregistrée")).to_be_visible()
    counts = browser.get_by_role("table", name=re.compile("Participant·es par catégorie"))
    expect(counts).to_contain_text(f"total : {SIGNED + EXTRA_RESIDENTS}")
    page.shot("reunion-emargee")


def _write_and_submit_the_minutes(page, found, meeting) -> None:
    """As the facilitator: the minutes written in the form, submitted from the meeting page; the
    validation is not theirs to give."""
    browser = page.page
    page.goto(reverse("pilotage:meeting_edit", args=["marseille", meeting.pk]))
    browser.locator("#id_minutes").fill(MINUTES)
    browser.locator("#id_minutes_status").select_option("draft")
    browser.get_by_role("button", name="Enregistrer la réunion").click()
    expect(browser.get_by_role("heading", level=1)).to_have_text(TITLE)
    browser.get_by_role("button", name="Soumettre pour validation").click()
    expect(browser.get_by_text("Soumis pour validation par")).to_be_visible()
    expect(browser.get_by_role("button", name="Valider le compte rendu")).to_have_count(0)
    expect(
        browser.get_by_text("La validation revient à la direction de la structure porteuse")
    ).to_be_visible()
    check_axe(page, "meeting page, minutes submitted", found)
    page.shot("compte-rendu-soumis")


def _national_report_text(page, tmp_path, year: int) -> str:
    browser = page.page
    page.goto(reverse("reports:report_list"))
    browser.get_by_role("link", name="Demander un rapport").click()
    browser.get_by_label("Périmètre").select_option("national")
    browser.get_by_label("Période").fill(str(year))
    # Tasks run inline in the tests: the answer comes once the 15 sites' report is made.
    browser.get_by_role("button", name="Demander le rapport").click(timeout=180_000)
    expect(browser.get_by_role("status").filter(has_text="État")).to_contain_text("Prêt", timeout=120_000)
    with browser.expect_download() as download:
        browser.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    path = tmp_path / "rapport-national.pdf"
    download.value.save_as(path)
    return _pdf_text(path)


def _steering_seats_held_on(day: datetime.date) -> Counter:
    """Seats of site steering committees held on `day`, by category, counted here by hand."""
    seats = CommitteeMember.objects.filter(committee__kind="steering", committee__site__isnull=False)
    held = Counter()
    for category, start, end in seats.values_list("category", "start_date", "end_date"):
        if (start is None or start <= day) and (end is None or end >= day):
            held[category] += 1
    return held


def test_a_week_of_the_marseille_team_reaches_the_dashboard_the_team_page_and_the_national_report(
    page, tmp_path
):
    browser = page.page
    found: list[str] = []
    today = datetime.date.today()

    page.login("host_director")
    fte_before, seats_before = dashboard_figures(page)
    record_newcomer_and_departure(page, found, today)
    compose_steering_committee(page, found, today)
    seats = list(CommitteeMember.objects.filter(committee__name=COMMITTEE).order_by("pk"))
    assert [seat.category for seat in seats] == [category for _o, category, _p, _f in SEATS]
    meeting = _plan_the_meeting(page, found, today)
    _print_the_sheet_and_type_it_back(page, found, tmp_path, seats)
    meeting.refresh_from_db()
    assert meeting.total_attendees == SIGNED + EXTRA_RESIDENTS
    assert meeting.attendees_local_authority == 2
    assert meeting.attendees_association == 2
    assert meeting.attendees_residents == EXTRA_RESIDENTS
    assert meeting.attendees_citizens_council == 0
    assert meeting.organisations.count() == SIGNED
    browser.context.clear_cookies()

    page.login("facilitator")
    _write_and_submit_the_minutes(page, found, meeting)
    browser.context.clear_cookies()

    page.login("host_director")
    page.goto(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))
    browser.get_by_role("button", name="Valider le compte rendu").click()
    expect(browser.get_by_text(re.compile(r"Validé par .* le \d\d/\d\d/\d{4}"))).to_be_visible()
    page.shot("compte-rendu-valide")
    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.VALIDATED
    assert meeting.minutes_validated_by.email == "host@example.org"
    assert meeting.minutes_author.email == "facilitator@example.org"

    # The dashboard and the team page.
    fte_after, seats_after = dashboard_figures(page)
    assert fte_after == fte_before + Decimal("0.5")
    assert seats_after == seats_before + len(SEATS)
    page.goto(reverse("team:facilitator_history", args=["marseille"]))
    configuration = browser.get_by_text("Fonction partagée entre plusieurs professionnel·les").first
    expect(configuration).to_be_visible()
    browser.context.clear_cookies()

    # The national report of the year, requested by the national team.
    page.login("national_team")
    text = _national_report_text(page, tmp_path, today.year)
    name = Site.objects.get(slug="marseille").name
    assert f"Chiffres clés — {name}" in text, "no Marseille section in the national report"
    section = text.split(f"Chiffres clés — {name}", 1)[1].split("Chiffres clés — ", 1)[0]
    # The newcomer in the site's table of facilitators: shared role, 0.5 FTE, planned departure.
    newcomer = re.search(rf"{re.escape(NEWCOMER)} Fonction partagée .*?0,5 ETP CDD", section)
    assert newcomer, section[:3000]
    fte_line = re.search(r"ETP d'animation en poste ([\d,]+) ETP \(([^)]+)\)", section)
    assert fte_line, section[:3000]
    assert number(fte_line.group(1)) == fte_after
    assert fte_line.group(2) == "Fonction partagée entre plusieurs professionnel·les"
    # The composition chart's data (annex): the seats of every site's steering committee held at
    # the end of the year, by category, as counted above by hand.
    held = _steering_seats_held_on(datetime.date(today.year, 12, 31))
    assert held[OrganisationCategory.CITIZENS_COUNCIL] >= 1
    annex = text.split("Composition des instances de pilotage (sièges)")[-1]
    for category in (OrganisationCategory.CITIZENS_COUNCIL, OrganisationCategory.LANDLORD):
        row = re.search(rf"{re.escape(str(category.label))}\s+(\d+)", annex)
        assert row, (category.label, annex[:1500])
        assert int(row.group(1)) == held[category], category.label
    assert "/admin/" not in browser.url
    assert not found, "\n".join(found)
