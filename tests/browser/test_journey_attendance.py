"""Journey of the Marseille host director before and after a steering meeting: downloads its
sign-in sheet, types the paper tallies back, corrects one presence in the meeting form; the counts
on the meeting page follow the roster. axe finds no serious or critical violation on the pages."""

import datetime
import re
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pilotage.models import Committee, CommitteeMember, Meeting
from tests.browser.axe import axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _check_axe(page, path):
    violations = axe_violations(page.page)
    assert not violations, describe(path, violations)


def test_host_director_prints_the_sheet_and_records_the_meeting_from_the_roster(page, tmp_path):
    browser = page.page
    day = datetime.date.today() + datetime.timedelta(days=7)
    committee = Committee.objects.filter(site__slug="marseille", kind=Committee.Kind.STEERING).first()
    members = list(committee.members.held_on(day).select_related("organisation").order_by("pk"))
    assert len(members) >= 3
    meeting = Meeting.objects.create(
        site=committee.site,
        committee=committee,
        kind=Meeting.Kind.STEERING,
        title="COPIL de la semaine prochaine",
        date=day,
        start_time=datetime.time(9, 30),
        location="Centre social Frais Vallon",
    )
    page.login("host_director")
    detail = reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])
    page.goto(detail)
    _check_axe(page, detail)

    with browser.expect_download() as download:
        browser.get_by_role("link", name="Feuille d'émargement (PDF)").click()
    sheet = tmp_path / "emargement.pdf"
    download.value.save_as(sheet)
    text = subprocess.run(
        ["pdftotext", "-layout", str(sheet), "-"], capture_output=True, check=True, text=True
    )
    for member in members:
        assert member.who in text.stdout
    assert "09:30" in text.stdout

    browser.get_by_role("link", name="Saisir la feuille d'émargement").click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Feuille d'émargement")
    _check_axe(page, "tally")
    signed = members[:2]
    for member in signed:
        browser.locator(f"#id_signed_{member.pk}").check()
    browser.get_by_label("Habitant·es / collectif d'habitant·es").fill("3")
    page.shot("saisie-emargement")
    browser.get_by_role("button", name="Enregistrer la feuille d'émargement").click()
    expect(browser.get_by_text("Feuille d'émargement enregistrée")).to_be_visible()
    expect(browser.get_by_role("table", name=re.compile("Participant·es par catégorie"))).to_contain_text(
        "total : 5"
    )
    page.shot("reunion-apres-emargement")

    # One of the signatories had in fact only sent word: the form's roster says so, the count follows.
    browser.get_by_role("link", name="Modifier la réunion").click()
    _check_axe(page, "meeting-form")
    expect(browser.get_by_text("Personnes présentes sans siège dans l'instance")).to_be_visible()
    browser.locator(f"input[name='presence_{signed[1].pk}'][value='excused']").check()
    browser.get_by_role("button", name="Enregistrer la réunion").click()
    expect(browser.get_by_role("table", name=re.compile("Participant·es par catégorie"))).to_contain_text(
        "total : 4"
    )
    meeting.refresh_from_db()
    assert meeting.total_attendees == 4
    assert meeting.attendees_residents >= 3
    assert dict(meeting.participants.values_list("member_id", "presence"))[signed[1].pk] == "excused"
    assert CommitteeMember.objects.filter(committee=committee).count() >= len(members)

    browser.set_viewport_size({"width": 320, "height": 800})
    page.goto(reverse("pilotage:meeting_edit", args=["marseille", meeting.pk]))
    page.shot("formulaire-reunion-320px")
