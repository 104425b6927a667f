"""Notification e-mails through a real SMTP server (tests/smtpserver.py), read back as a mail client
reads them: multipart text + HTML, French, links on SITE_URL, List-Unsubscribe headers that work
with one POST (RFC 8058), long non-ASCII subjects folded and decoded intact. allauth's mails
(password reset, e-mail confirmation) also link to SITE_URL, whatever host the request came in on."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.core.context import request_context
from django.test import RequestFactory
from django.urls import reverse

from atc.models import Notification
from atc.notifications import kinds
from atc.notifications.kinds import Frequency
from atc.notifications.services import digests_send, notify, preferences_save
from tests.atc.factories import NotificationFactory, UserFactory
from tests.smtpserver import body_text

pytestmark = pytest.mark.django_db

SITE_URL = "https://atc.example.org"
LONG_TITLE = (
    "Nouveau commentaire de Élodie Lefèvre-Dupré sur Villefranche-sur-Saône (Belleroche) : « réunion "
    "du comité partenarial élargi à la préfecture, à la mairie et aux associations d’habitant·es »"
)


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = SITE_URL


def _send(django_capture_on_commit_callbacks, person, **kwargs):
    values = {
        "title": "Nouveau commentaire sur Roubaix",
        "body": "Le conseil citoyen a-t-il été associé ?",
        "url": "/sites/roubaix/tableau-de-bord/#commentaire-1",
        "dedupe_key": "comment:1",
    } | kwargs
    with django_capture_on_commit_callbacks(execute=True):
        return notify(kinds.COMMENT, recipients=[person], **values)


def _html(message):
    return message.get_body(preferencelist=("html",)).get_content()


def _links(text):
    return re.findall(r"https?://[^\s\"<>]+", text)


def test_a_notification_email_is_text_and_html_with_links_on_the_public_address(
    smtp_server, django_capture_on_commit_callbacks
):
    person = UserFactory(email="nadia@example.org")
    [row] = _send(django_capture_on_commit_callbacks, person)
    [message] = smtp_server.messages
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "[ATC] Nouveau commentaire sur Roubaix"
    assert message["To"] == "nadia@example.org"
    text, html = body_text(message), _html(message)
    assert "Bonjour," in text and "Le conseil citoyen a-t-il été associé ?" in text
    assert f"{SITE_URL}/notifications/{row.pk}/" in _links(text)
    assert f"{SITE_URL}/notifications/{row.pk}/" in _links(html)
    assert all(link.startswith(SITE_URL) for link in _links(text) + _links(html))
    assert '<html lang="fr">' in html


def test_the_unsubscribe_headers_work_with_one_post(smtp_server, client, django_capture_on_commit_callbacks):
    person = UserFactory()
    _send(django_capture_on_commit_callbacks, person)
    [message] = smtp_server.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A structured header: the folding white space before the long address is allowed (RFC 2369).
    link = re.fullmatch(r"\s*<(.+)>", message["List-Unsubscribe"]).group(1)
    assert link.startswith(f"{SITE_URL}/notifications/desabonnement/")
    assert link in _links(body_text(message))

    # What a mail client does for RFC 8058: a POST, no cookie, no CSRF token.
    response = client.post(link.removeprefix(SITE_URL), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert preferences_saved(person) == {kinds.COMMENT: Frequency.NEVER}

    _send(django_capture_on_commit_callbacks, person, dedupe_key="comment:2")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kinds.COMMENT_REPLY, recipients=[person], title="Une réponse", body="", url="/", dedupe_key="r:1"
        )
    assert [m["Subject"] for m in smtp_server.messages[1:]] == ["[ATC] Une réponse"]


def preferences_saved(person):
    return dict(person.notification_preferences.values_list("kind", "frequency"))


def test_a_long_non_ascii_subject_is_folded_and_reads_back_intact(
    smtp_server, django_capture_on_commit_callbacks
):
    person = UserFactory()
    _send(django_capture_on_commit_callbacks, person, title=LONG_TITLE)
    [message] = smtp_server.messages
    raw = message.as_bytes(policy=message.policy.clone(max_line_length=None))
    header = raw.split(b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n", 1)[0].decode("ascii")
    subject_lines = re.search(r"^Subject:.*?(?=^\S|\Z)", header, re.M | re.S).group(0).splitlines()
    assert len(subject_lines) > 1
    assert all(len(line) <= 78 for line in subject_lines)
    # The first encoded word is on the Subject line itself (no empty first line to unfold).
    assert subject_lines[0].startswith("Subject: =?utf-8?")
    # Read back as a mail client does: one line, every accent in place.
    assert message["Subject"] == "[ATC] " + LONG_TITLE


def test_markup_in_a_comment_is_escaped_in_the_html_part(smtp_server, django_capture_on_commit_callbacks):
    person = UserFactory()
    planted = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    _send(django_capture_on_commit_callbacks, person, title=f"Commentaire {planted}", body=planted)
    html = _html(smtp_server.messages[0])
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert planted in body_text(smtp_server.messages[0])


def test_a_digest_is_multipart_and_each_kind_has_its_unsubscribe_link(smtp_server, client):
    person = UserFactory()
    preferences_save(user=person, frequencies={kinds.COMMENT: Frequency.DAILY, kinds.SIGNAL: Frequency.DAILY})
    NotificationFactory(recipient=person, kind=kinds.COMMENT, title="Commentaire sur Roubaix")
    NotificationFactory(recipient=person, kind=kinds.SIGNAL, title="Signal sur Grigny")
    assert digests_send(frequency=Frequency.DAILY) == 1
    [message] = smtp_server.messages
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "[ATC] Votre résumé du jour : 2 notifications"
    html = _html(message)
    unsubscribe_links = [link for link in _links(html) if "/desabonnement/" in link]
    # One per kind, and the footer's (both kinds), which is also the header's.
    assert len(set(unsubscribe_links)) == 3
    assert f"<{unsubscribe_links[-1]}>" == message["List-Unsubscribe"].strip()
    client.post(unsubscribe_links[0].removeprefix(SITE_URL))
    assert preferences_saved(person) == {kinds.COMMENT: Frequency.NEVER, kinds.SIGNAL: Frequency.DAILY}
    assert Notification.objects.filter(recipient=person, digest__isnull=False).count() == 2


def test_the_password_reset_mail_links_to_the_public_address_not_the_requests_host(
    smtp_server, client, facilitator
):
    client.post(reverse("account_reset_password"), {"email": facilitator.email}, HTTP_HOST="localhost")
    [message] = smtp_server.messages
    links = _links(body_text(message))
    assert any(link.startswith(f"{SITE_URL}/comptes/password/reset/key/") for link in links), links
    assert not any("localhost" in link or "testserver" in link for link in links)
    assert "atc.example.org" in body_text(message)
    # The link works: it opens allauth's page to choose a new password.
    key_link = next(link for link in links if "/reset/key/" in link)
    assert client.get(key_link.removeprefix(SITE_URL), follow=True).status_code == 200


def test_the_email_confirmation_mail_links_to_the_public_address(smtp_server):
    person = UserFactory(email="nouvelle@example.org", verified=False)
    address = EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    request.user = person
    with request_context(request):
        EmailConfirmationHMAC(address).send(request=request)
    [message] = smtp_server.messages
    links = _links(body_text(message))
    assert any(link.startswith(f"{SITE_URL}/comptes/confirm-email/") for link in links), links
    assert not any("localhost" in link for link in links)
