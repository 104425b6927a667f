"""A review comment's loop in a real browser: the Nord's delegate comments on Roubaix, Roubaix's
facilitator replies and marks it « traité », and the delegate's open count on « Mes sites » drops."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from atc.models import Role
from sites.models import ReviewComment, Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUESTION = "Le conseil citoyen a-t-il été associé au comité de mars ?"
ANSWER = "Oui : deux membres y ont présenté leur enquête."
FACILITATOR_EMAIL = "animatrice-roubaix@example.org"


def _open_count_text(browser):
    return browser.get_by_role("link", name="Mes commentaires ouverts")


def test_delegate_comment_is_answered_and_handled_by_the_sites_facilitator(page):
    browser = page.page
    roubaix = Site.objects.get(slug="roubaix")
    facilitator = UserFactory(email=FACILITATOR_EMAIL, first_name="Nadia", last_name="Benali")
    facilitator.set_password(DEMO_PASSWORD)
    facilitator.save()
    RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=[roubaix])

    page.login("prefet_delegate")
    page.goto(reverse("dashboards:site", args=["roubaix"]))
    comments = browser.get_by_role("region", name="Commentaires de suivi")
    comments.get_by_label("Votre commentaire de suivi").fill(QUESTION)
    comments.get_by_role("button", name="Enregistrer le commentaire").click()
    expect(browser.get_by_role("status")).to_contain_text("Votre commentaire est enregistré")
    open_before = ReviewComment.objects.filter(author__email="delegate@example.org").open().count()
    page.goto(reverse("dashboards:my_sites"))
    expect(_open_count_text(browser)).to_have_text(f"Mes commentaires ouverts : {open_before}")

    browser.context.clear_cookies()
    page.login("facilitator", email=FACILITATOR_EMAIL)
    page.goto(reverse("dashboards:site", args=["roubaix"]))
    thread = browser.get_by_role("article").filter(has_text=QUESTION)
    expect(thread).to_contain_text("Ouvert")
    thread.get_by_label("Votre réponse").fill(ANSWER)
    thread.get_by_role("button", name="Répondre").click()
    expect(browser.get_by_role("status")).to_contain_text("Votre réponse est enregistrée.")
    thread = browser.get_by_role("article").filter(has_text=QUESTION)
    expect(thread).to_contain_text(ANSWER)
    thread.get_by_role("button", name="Marquer comme traité").click()
    expect(browser.get_by_role("status")).to_contain_text("Le commentaire est marqué comme traité.")
    thread = browser.get_by_role("article").filter(has_text=QUESTION)
    expect(thread).to_contain_text("Traité par Nadia Benali le")
    page.shot("fil-traite")

    browser.context.clear_cookies()
    page.login("prefet_delegate")
    page.goto(reverse("dashboards:my_sites"))
    expect(_open_count_text(browser)).to_have_text(f"Mes commentaires ouverts : {open_before - 1}")
    _open_count_text(browser).click()
    handled = browser.get_by_role("region", name="Traités")
    expect(handled.get_by_role("article").filter(has_text=QUESTION)).to_contain_text(ANSWER)
    page.shot("mes-commentaires")
