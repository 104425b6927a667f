"""Journey of the facilitator of Marseille: sign in, log a steering-committee meeting with its
attendance and a decision, turn the decision into an action, upload the minutes, find it all again."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader
from weasyprint import HTML

from pilotage.models import Action, Attachment, Meeting

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Comité de pilotage de printemps — parcours navigateur"
DECISION = "Créer un jardin partagé au pied de la tour B avec le bailleur"


def _pdf_text(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def _minutes_pdf(tmp_path):
    path = tmp_path / "compte-rendu-copil.pdf"
    HTML(
        string=(
            "<h1>Compte rendu du comité de pilotage</h1>"
            f"<p>Décision : {DECISION}.</p><p>Présent·es : État, Ville, bailleur, habitant·es.</p>"
        )
    ).write_pdf(path)
    assert DECISION in _pdf_text(path)
    return path


def test_facilitator_logs_a_steering_meeting_turns_its_decision_into_an_action_and_uploads_minutes(
    page, tmp_path
):
    browser = page.page
    page.login("facilitator")
    page.shot("accueil")

    browser.get_by_role("link", name=re.compile("Frais Vallon|Marseille")).first.click()
    expect(browser.get_by_role("heading", level=1)).to_be_visible()
    page.shot("site")
    browser.get_by_role("link", name="Saisir une réunion").click()

    browser.locator("#id_kind").select_option("steering")
    browser.locator("#id_date").fill(datetime.date.today().isoformat())
    browser.locator("#id_format").select_option("hybrid")
    committee = browser.locator("#id_committee")
    committee.select_option(index=1)
    # htmx brings the committee's roster into the form.
    roster = browser.locator("#roster fieldset.roster")
    expect(roster).to_be_visible()
    browser.locator("#id_title").fill(TITLE)
    radios = roster.locator("input[type=radio][value=present]")
    members = radios.count()
    assert members >= 2
    for index in range(members - 1):
        radios.nth(index).check()
    roster.locator("input[type=radio][value=excused]").last.check()
    # People who came without a seat, by category: the members ticked present count on their own.
    browser.locator("#id_attendees_state").fill("2")
    browser.locator("#id_attendees_local_authority").fill("3")
    browser.locator("#id_attendees_residents").fill("7")
    without_seat = 2 + 3 + 7
    browser.locator("#id_minutes").fill("Tour de table, point sur le diagnostic partagé.")
    browser.locator("#id_decisions-0-text").fill(DECISION)
    page.shot("formulaire-reunion")
    browser.get_by_role("button", name="Enregistrer la réunion").click()

    expect(browser.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(browser.get_by_text("Réunion enregistrée.")).to_be_visible()
    total = (members - 1) + without_seat
    expect(browser.get_by_role("table", name=re.compile(f"total : {total}"))).to_be_visible()
    presences = browser.get_by_role("table", name="Présences des membres de l'instance")
    expect(presences.get_by_role("row")).to_have_count(members + 1)
    expect(presences).to_contain_text("Excusé·e")
    page.shot("reunion")

    meeting = Meeting.objects.get(title=TITLE)
    assert meeting.site.slug == "marseille"
    assert meeting.kind == Meeting.Kind.STEERING
    assert meeting.participants.count() == members

    browser.get_by_role("link", name="Transformer en action").click()
    expect(browser.get_by_text("Rien n'est créé tant que vous n'avez pas enregistré.")).to_be_visible()
    expect(browser.locator("#id_title")).to_have_value(DECISION)
    browser.locator("#id_status").select_option("preparation")
    browser.locator("#id_theme").select_option(index=1)
    page.shot("action-formulaire")
    browser.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(browser.get_by_role("heading", level=1)).to_have_text(DECISION)
    page.shot("action")
    action = Action.objects.get(decision__meeting=meeting)
    assert action.status == Action.Status.PREPARATION

    browser.goto(page.url(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])))
    expect(browser.get_by_role("link", name=f"Voir l'action « {DECISION} »")).to_be_visible()
    browser.get_by_label("Fichier").set_input_files(_minutes_pdf(tmp_path))
    browser.get_by_role("button", name="Joindre le fichier").click()
    expect(browser.get_by_text("Pièce jointe ajoutée.")).to_be_visible()
    download_link = browser.get_by_role("link", name="compte-rendu-copil.pdf")
    expect(download_link).to_be_visible()
    page.shot("reunion-avec-compte-rendu")
    assert Attachment.objects.filter(meeting=meeting).count() == 1

    with browser.expect_download() as download_info:
        download_link.click()
    downloaded = download_info.value.path()
    assert DECISION in _pdf_text(downloaded)

    browser.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name=meeting.site.name
    ).click()
    recent = browser.get_by_role("region", name="Activité récente")
    expect(recent.get_by_role("link", name=TITLE)).to_be_visible()
    expect(recent.get_by_role("link", name=DECISION)).to_be_visible()
    expect(recent).to_contain_text("En préparation")
    page.shot("site-a-jour")
