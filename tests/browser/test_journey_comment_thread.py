"""A review comment's loop in a real browser: the Nord's delegate comments on Roubaix, Roubaix's
facilitator is told (the header's unread count, the inbox, and an e-mail through a real SMTP server
whose link opens the thread), replies and marks it « traité »; the delegate is told of the reply the
same two ways, and their open count on « Mes sites » drops."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from atc.models import Role
from sites.models import ReviewComment, Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.browser.conftest import DEMO_PASSWORD
from tests.smtpserver import body_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUESTION = "Le conseil citoyen a-t-il été associé au comité de mars ?"
ANSWER = "Oui : deux membres y ont présenté leur enquête."
FACILITATOR_EMAIL = "animatrice-roubaix@example.org"


def _open_count_text(browser):
    return browser.get_by_role("link", name="Mes commentaires ouverts")


def _mails_to(smtp_server, address):
    return [
        m
        for m, (_f, tos) in zip(smtp_server.messages, smtp_server.envelopes, strict=True)
        if tos == [address]
    ]


def _notifications_link(browser):
    return browser.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )


def test_delegate_comment_is_answered_and_handled_by_the_sites_facilitator(
    page, smtp_server, settings, live_site
):
    browser = page.page
    settings.SITE_URL = live_site.url
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

    # The facilitator's e-mail: sent after the commit, its link on the public address.
    [told] = _mails_to(smtp_server, FACILITATOR_EMAIL)
    assert "Roubaix" in told["Subject"]
    assert QUESTION in body_text(told)
    opening = re.search(rf"{re.escape(live_site.url)}/notifications/\d+/", body_text(told)).group(0)
    assert told["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not _mails_to(smtp_server, "delegate@example.org")

    browser.context.clear_cookies()
    page.login("facilitator", email=FACILITATOR_EMAIL)
    expect(_notifications_link(browser)).to_have_text(re.compile(r"Notifications\s*1 non lues"))
    _notifications_link(browser).click()
    item = browser.get_by_role("article").filter(has_text=QUESTION)
    expect(item).to_contain_text("Non lue")
    expect(item).to_contain_text("Commentaire de suivi sur un de mes sites")
    page.shot("boite-de-notifications")
    # The e-mail's link opens the thread and counts the notification as read.
    browser.goto(opening)
    expect(browser).to_have_url(re.compile(r"/roubaix/.*#commentaire-\d+$"))
    expect(_notifications_link(browser)).to_have_text("Notifications")
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

    [reply_mail] = _mails_to(smtp_server, "delegate@example.org")
    assert "Nadia Benali a répondu" in reply_mail["Subject"]
    assert ANSWER in body_text(reply_mail)
    assert len(_mails_to(smtp_server, FACILITATOR_EMAIL)) == 1

    browser.context.clear_cookies()
    page.login("prefet_delegate")
    # The delegate may also have been told of points of attention on their sites: count them.
    expect(_notifications_link(browser)).to_contain_text("non lue")  # the count comes in after the page
    unread_before = int(re.search(r"(\d+)\s*non lue", _notifications_link(browser).inner_text())[1])
    _notifications_link(browser).click()
    reply = browser.get_by_role("article").filter(has_text=ANSWER)
    expect(reply).to_contain_text("Réponse à un commentaire que j’ai écrit ou suivi")
    reply.get_by_role("button", name=re.compile("Marquer comme lue")).click()
    expect(browser.get_by_role("status")).to_contain_text("La notification est marquée comme lue.")
    if unread_before == 1:
        expect(_notifications_link(browser)).to_have_text("Notifications")
    else:
        expect(_notifications_link(browser)).to_have_text(
            re.compile(rf"Notifications\s*{unread_before - 1} non lues?")
        )
    page.goto(reverse("dashboards:my_sites"))
    expect(_open_count_text(browser)).to_have_text(f"Mes commentaires ouverts : {open_before - 1}")
    _open_count_text(browser).click()
    handled = browser.get_by_role("region", name="Traités")
    expect(handled.get_by_role("article").filter(has_text=QUESTION)).to_contain_text(ANSWER)
    page.shot("mes-commentaires")
