"""Issue 17's "done means", in a real browser: the seed-004 flash survey. The national team imports
30 institutional recipients on 14 territories from a file and sends the invitations (a real SMTP
server receives them); 17 of them answer through their personal links in Chromium, without an
account, two on a 320-px phone; a week later one reminder round reaches only the 13 others; the
campaign page says « 17 réponses sur 30 destinataires (57 %), 10 territoires sur 14 »."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import Campaign, CampaignRecipient, CampaignResponse, Questionnaire
from evaluation.surveys import services
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import CSP_LISTENER, SCREENSHOTS, WatchedPage
from tests.smtpserver import body_text
from tests.surveys import flash

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = re.compile(r"(https?://\S+/repondre/[A-Za-z0-9_-]+/)")
TITLE = "Questionnaire flash — parcours navigateur"
CAMPAIGN = "Questionnaire flash 2021 — parcours navigateur"


def _answer_in_a_new_browser(browser, live_url: str, link: str, width: int, name: str, found: list[str]):
    """One recipient: their own browser (no account, no cookie), their link, the three questions of
    the flash questionnaire answered, sent; the thanks page."""
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    page = WatchedPage(page=context.new_page(), base_url=live_url, shots_dir=SCREENSHOTS / f"flash-{name}")
    try:
        answer = page.page
        # The e-mail's link, on the public address the settings give: opened on the live server.
        answer.goto(live_url + "/" + link.split("/", 3)[3])
        expect(answer.get_by_role("heading", level=1)).to_have_text(CAMPAIGN)
        if width == 320:
            assert answer.evaluate("document.documentElement.scrollWidth") <= 320
            violations = axe_violations(answer)
            if violations:
                found.append(describe(f"answer page at 320 px ({name})", violations))
            page.shot("reponse-320px")
        groups = answer.get_by_role("group")
        groups.nth(0).get_by_role("radio").nth(1).check()  # « Oui, de nom »
        groups.nth(1).get_by_label("8", exact=True).check()
        groups.nth(2).get_by_role("checkbox").first.check()
        answer.get_by_role("button", name="Envoyer mes réponses").click()
        expect(answer.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
        found.extend(page.problems)
    finally:
        context.close()


def test_the_seed_004_flash_survey_runs_in_a_browser_from_the_file_to_the_rates(
    page, browser, live_site, smtp_server, tmp_path, settings
):
    settings.ATC_SURVEY_ANSWER_RATE = "10000/minute"
    found: list[str] = []
    questionnaire = services.questionnaire_create(title=TITLE, template=Questionnaire.Template.FLASH)
    today = timezone.localdate()
    campaign = services.campaign_create(
        questionnaire=questionnaire,
        title=CAMPAIGN,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        max_reminders=1,
        reminder_delay_days=7,
    )
    sites = flash.flash_sites()
    recipients_file = tmp_path / "destinataires.xlsx"
    recipients_file.write_bytes(flash.xlsx_file(flash.recipients_rows(sites)))

    national = page.page
    page.login("national_team")
    page.goto(reverse("surveys:campaign_detail", args=[campaign.pk]))
    national.get_by_role("link", name="Importer des destinataires").click()
    national.get_by_label("Fichier des destinataires (CSV ou XLSX)").set_input_files(recipients_file)
    national.get_by_role("button", name="Vérifier le fichier").click()
    expect(national.get_by_text("30 destinataires sur 14 territoires, prêts à être ajoutés.")).to_be_visible()
    assert not CampaignRecipient.objects.filter(campaign=campaign).exists()
    national.get_by_role("button", name="Confirmer l'ajout").click()
    expect(national.get_by_role("heading", level=1)).to_contain_text("Questionnaire flash 2021")
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 30

    national.get_by_role("button", name="Envoyer les invitations").click()
    expect(national.get_by_role("heading", level=1)).to_be_visible()
    assert len(smtp_server.messages) == 30
    links = {
        rcpt[0]: LINK.search(body_text(message)).group(1)
        for message, (_sender, rcpt) in zip(smtp_server.messages, smtp_server.envelopes, strict=True)
    }
    assert len(set(links.values())) == 30

    answering = flash.respondents(list(links), sites)
    assert len(answering) == 17
    for index, email in enumerate(answering):
        width = 320 if index < 2 else 1280
        _answer_in_a_new_browser(browser, live_site.url, links[email], width, f"{index:02d}", found)
    assert CampaignResponse.objects.filter(campaign=campaign).count() == 17

    # A week later (the invitations dated back, as time would): one reminder round, to the 13 others.
    week_ago = timezone.now() - datetime.timedelta(days=8)
    CampaignRecipient.objects.filter(campaign=campaign).update(invited_at=week_ago)
    page.goto(reverse("surveys:campaign_detail", args=[campaign.pk]))
    national.get_by_role("button", name=re.compile(r"Relancer \(13 personnes sans réponse\)")).click()
    expect(national.get_by_role("heading", level=1)).to_be_visible()
    reminded = {rcpt[0] for _sender, rcpt in smtp_server.envelopes[30:]}
    assert reminded == set(links) - set(answering)
    assert len(smtp_server.messages) == 30 + 13

    page.goto(reverse("surveys:campaign_detail", args=[campaign.pk]))
    text = re.sub(
        r"\s+", " ", national.locator("main").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    )
    assert "17 réponses sur 30 destinataires (57 %), 10 territoires sur 14" in text
    violations = axe_violations(national)
    if violations:
        found.append(describe("campaign page", violations))
    page.shot("campagne")
    assert Campaign.objects.get(pk=campaign.pk).recipients.filter(answered_on__isnull=False).count() == 17
    assert not found, "\n".join(found)
