"""Answering a questionnaire through a personal link in a real browser, without an account: on a
desktop and on a 320-px phone, by keyboard and mouse, with a draft saved on the way; axe finds no
serious or critical violation on the answer, error, thanks and refusal pages."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import CampaignRecipient, CampaignResponse, Question
from sites.models import Site
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import CSP_LISTENER, SCREENSHOTS, WatchedPage
from tests.surveys.factories import CampaignFactory, QuestionFactory, recipient_with_token

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def open_page(browser, live_server, request, settings):
    """A watched page of the given width against the live server (no demo data needed)."""
    settings.ATC_SURVEY_ANSWER_RATE = "10000/minute"
    contexts = []

    def make(width: int, name: str) -> WatchedPage:
        context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", viewport={"width": width, "height": 800}
        )
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        return WatchedPage(
            page=context.new_page(), base_url=live_server.url, shots_dir=SCREENSHOTS / f"survey-{name}"
        )

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def flash():
    campaign = CampaignFactory(
        title="Questionnaire flash 2021", closes_on=timezone.localdate() + datetime.timedelta(days=10)
    )
    questionnaire = campaign.questionnaire
    QuestionFactory(
        questionnaire=questionnaire,
        order=1,
        section="Votre regard",
        text="Apport de l'ATC à la coopération ?",
    )
    QuestionFactory(
        questionnaire=questionnaire,
        order=2,
        section="Votre regard",
        text="Sur quels sujets ?",
        kind=Question.Kind.MULTIPLE,
        required=False,
        choices="Participation des habitant·es\nCoopération entre institutions",
    )
    QuestionFactory(
        questionnaire=questionnaire,
        order=3,
        section="Pour finir",
        text="Une remarque ?",
        kind=Question.Kind.LONG_TEXT,
        required=False,
    )
    marseille = Site.objects.get(slug="marseille")
    grenoble = Site.objects.get(slug="grenoble")
    recipient_with_token(
        "lien-navigateur-bureau-" + "a" * 30, campaign=campaign, site=marseille, email="a@example.org"
    )
    recipient_with_token(
        "lien-navigateur-mobile-" + "b" * 30, campaign=campaign, site=grenoble, email="b@example.org"
    )
    return campaign


def _check_axe(page, label):
    violations = axe_violations(page)
    assert not violations, describe(label, violations)


def test_two_recipients_answer_in_a_browser_one_on_a_320_px_phone(open_page, flash):
    desktop = open_page(1280, "bureau")
    browser = desktop.page
    desktop.goto("/repondre/lien-navigateur-bureau-" + "a" * 30 + "/")
    expect(browser.get_by_role("heading", level=1)).to_have_text("Questionnaire flash 2021")
    _check_axe(browser, "réponse")
    # Sending without the required answer: the error is tied to the question, nothing typed is lost.
    browser.get_by_label("Une remarque ?").fill("Le binôme délégué·e – animatrice fonctionne.")
    browser.get_by_role("button", name="Envoyer mes réponses").click()
    expect(browser.get_by_text("Répondez à cette question : elle est obligatoire.")).to_be_visible()
    expect(browser.get_by_label("Une remarque ?")).to_have_value(
        "Le binôme délégué·e – animatrice fonctionne."
    )
    _check_axe(browser, "erreurs")
    group = browser.get_by_role("group", name="Apport de l'ATC à la coopération ?")
    group.get_by_label("8", exact=True).check()
    browser.get_by_label("Coopération entre institutions").check()
    browser.get_by_role("button", name="Enregistrer un brouillon").click()
    expect(browser.get_by_text("Brouillon enregistré")).to_be_visible()
    expect(browser.get_by_label("Coopération entre institutions")).to_be_checked()
    browser.get_by_role("button", name="Envoyer mes réponses").click()
    expect(browser.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
    _check_axe(browser, "merci")
    desktop.goto("/repondre/lien-navigateur-bureau-" + "a" * 30 + "/")
    expect(browser.get_by_text("Une réponse a déjà été envoyée avec ce lien")).to_be_visible()
    _check_axe(browser, "refus")

    phone = open_page(320, "mobile")
    small = phone.page
    phone.goto("/repondre/lien-navigateur-mobile-" + "b" * 30 + "/")
    _check_axe(small, "réponse 320 px")
    # Nothing wider than the screen: no horizontal scrolling on a phone.
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    # By keyboard only: the scale's radio buttons are reached with Tab and chosen with the arrows.
    small.get_by_role("group", name="Apport de l'ATC à la coopération ?").get_by_label(
        "1", exact=True
    ).focus()
    small.keyboard.press("ArrowRight")
    small.keyboard.press("ArrowRight")
    expect(
        small.get_by_role("group", name="Apport de l'ATC à la coopération ?").get_by_label("3", exact=True)
    ).to_be_checked()
    small.get_by_role("button", name="Envoyer mes réponses").focus()
    small.keyboard.press("Enter")
    expect(small.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
    phone.shot("merci")

    assert CampaignResponse.objects.count() == 2
    assert CampaignRecipient.objects.filter(answered_on__isnull=False).count() == 2
    assert not desktop.problems and not phone.problems, desktop.problems + phone.problems
