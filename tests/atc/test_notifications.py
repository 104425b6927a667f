"""Notifications as services: one inbox row per person and event, e-mails as each person chose
(at once, daily or weekly digest, never), nothing sent twice, unsubscribe links that stop one kind.
The e-mails go to Django's locmem outbox here; tests/atc/test_notification_emails.py reads them
through a real SMTP server."""

import datetime as dt
import time
from pathlib import Path

import pytest
from django.core import mail, signing
from django.utils import timezone

from atc.models import Notification, NotificationDigest, NotificationPreference
from atc.notifications import kinds
from atc.notifications.kinds import KINDS, Frequency
from atc.notifications.services import (
    UNSUBSCRIBE_SALT,
    UnsubscribeLinkExpired,
    UnsubscribeLinkInvalid,
    digests_send,
    notification_email_send,
    notifications_read_all,
    notify,
    preferences_of,
    preferences_save,
    unread_count,
    unsubscribe,
    unsubscribe_read,
    unsubscribe_token,
)
from atc.notifications.tasks import send_daily_digests, send_emails, send_weekly_digests
from atc.personal_data import personal_data_erase, personal_data_export
from tests.atc.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://atc.example.org"


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """notify(), then what it queues after the commit (the immediate e-mails)."""

    def run(kind=kinds.COMMENT, **kwargs):
        defaults = {"title": "Un commentaire", "body": "Texte", "url": "/", "dedupe_key": "event:1"}
        with django_capture_on_commit_callbacks(execute=True):
            return notify(kind, **(defaults | kwargs))

    return run


def test_each_kind_has_a_french_label_and_a_default_frequency():
    assert set(KINDS) == {
        "comment",
        "comment_reply",
        "signal",
        "report",
        "reminder_minutes",
        "reminder_logbook",
        "reminder_indicators",
        "support_needed",
    }
    assert all(kind.default in Frequency for kind in KINDS.values())
    assert str(KINDS["support_needed"].label) == "« Appui souhaité » dans un carnet de bord de mon réseau"


def test_an_event_told_twice_creates_one_row_and_one_email_per_person(told):
    camille, dominique = UserFactory(), UserFactory()
    first = told(recipients=[camille, dominique, camille])
    again = told(recipients=[camille, dominique])
    assert len(first) == 2
    assert again == []
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([camille.email, dominique.email])


def test_a_new_person_on_the_same_event_is_told_alone(told):
    camille, dominique = UserFactory(), UserFactory()
    told(recipients=[camille])
    assert [n.recipient for n in told(recipients=[camille, dominique])] == [dominique]


def test_an_inactive_account_is_not_told(told):
    gone = UserFactory(is_active=False)
    assert told(recipients=[gone]) == []
    assert mail.outbox == []


def test_an_unknown_kind_or_an_outside_link_is_refused():
    person = UserFactory()
    with pytest.raises(ValueError):
        notify("nope", recipients=[person], title="t", body="", url="/", dedupe_key="k")
    with pytest.raises(ValueError):
        notify(
            kinds.COMMENT, recipients=[person], title="t", body="", url="https://evil.example", dedupe_key="k"
        )


def test_control_characters_and_huge_titles_become_one_line(told):
    person = UserFactory()
    [row] = told(recipients=[person], title="Ligne\r\nBcc: x@y.z\x00\t" + "é" * 5000, body="a\x07b\nc")
    assert "\n" not in row.title and "\x00" not in row.title
    assert len(row.title) == 200 and row.title.endswith("…")
    assert row.body == "a b\nc"
    [message] = mail.outbox
    assert message.subject.startswith("[ATC] Ligne Bcc: x@y.z")
    assert message.to == [person.email]


def test_never_keeps_the_inbox_row_and_sends_nothing(told):
    person = UserFactory()
    preferences_save(user=person, frequencies={kinds.COMMENT: Frequency.NEVER})
    told(recipients=[person])
    assert Notification.objects.filter(recipient=person).count() == 1
    assert mail.outbox == []


def test_the_immediate_task_retried_sends_nothing_twice(told):
    person = UserFactory()
    [row] = told(recipients=[person])
    assert len(mail.outbox) == 1
    assert send_emails.delay([row.pk]).get() == 0
    assert notification_email_send(row.pk) is False
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_never_sent_again_even_if_the_first_send_is_still_running():
    person = UserFactory()
    row = NotificationFactory(recipient=person)
    # Another worker claimed it (the conditional update of the claim) a moment ago.
    Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
    assert notification_email_send(row.pk) is False
    assert mail.outbox == []


def test_preferences_default_per_kind_and_are_saved_per_kind():
    person = UserFactory()
    assert preferences_of(person) == {code: kind.default for code, kind in KINDS.items()}
    preferences_save(user=person, frequencies={kinds.SIGNAL: Frequency.WEEKLY})
    assert preferences_of(person)[kinds.SIGNAL] == "weekly"
    with pytest.raises(ValueError):
        preferences_save(user=person, frequencies={kinds.SIGNAL: "hourly"})


def test_unsubscribing_from_one_kind_stops_only_that_kind(told):
    person = UserFactory()
    user, chosen = unsubscribe_read(unsubscribe_token(user=person, kinds=[kinds.COMMENT]))
    unsubscribe(user=user, kinds=chosen)
    told(recipients=[person], dedupe_key="comment:1")
    told(kinds.COMMENT_REPLY, recipients=[person], dedupe_key="reply:1", title="Une réponse")
    assert [m.subject for m in mail.outbox] == ["[ATC] Une réponse"]
    assert Notification.objects.filter(recipient=person).count() == 2
    assert NotificationPreference.objects.get(user=person).kind == kinds.COMMENT


def test_an_altered_unsubscribe_token_is_refused():
    person = UserFactory()
    token = unsubscribe_token(user=person, kinds=[kinds.COMMENT])
    with pytest.raises(UnsubscribeLinkInvalid):
        unsubscribe_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    forged = signing.dumps({"u": person.pk, "k": [kinds.COMMENT]}, salt="another.salt")
    with pytest.raises(UnsubscribeLinkInvalid):
        unsubscribe_read(forged)
    unknown_kind = signing.dumps({"u": person.pk, "k": ["everything"]}, salt=UNSUBSCRIBE_SALT)
    with pytest.raises(UnsubscribeLinkInvalid):
        unsubscribe_read(unknown_kind)
    with pytest.raises(UnsubscribeLinkInvalid):
        unsubscribe_read("\x00<script>" * 1000)


def test_an_old_unsubscribe_token_has_expired(settings, monkeypatch):
    person = UserFactory()
    settings.ATC_NOTIFICATION_UNSUBSCRIBE_DAYS = 30
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 31 * 24 * 3600)
    token = unsubscribe_token(user=person, kinds=[kinds.COMMENT])
    monkeypatch.setattr(time, "time", lambda: now)
    with pytest.raises(UnsubscribeLinkExpired):
        unsubscribe_read(token)


def test_unread_count_follows_new_rows_and_reads(told, django_assert_num_queries):
    person = UserFactory()
    assert unread_count(person) == 0
    told(recipients=[person], dedupe_key="a")
    told(recipients=[person], dedupe_key="b")
    assert unread_count(person) == 2
    with django_assert_num_queries(0):
        assert unread_count(person) == 2
    assert notifications_read_all(user=person) == 2
    assert unread_count(person) == 0


# Digests -------------------------------------------------------------------------------------

MONDAY_MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 7, 0))


def _daily_person(*, email=None):
    person = UserFactory(**({"email": email} if email else {}))
    preferences_save(user=person, frequencies={kinds.COMMENT: Frequency.DAILY, kinds.SIGNAL: Frequency.DAILY})
    return person


def _row(person, kind=kinds.COMMENT, hours_ago=3, **kwargs):
    return NotificationFactory(
        recipient=person, kind=kind, created_at=MONDAY_MORNING - dt.timedelta(hours=hours_ago), **kwargs
    )


def test_a_daily_digest_groups_the_days_notifications_by_kind():
    person = _daily_person()
    _row(person, title="Commentaire sur Roubaix")
    _row(person, title="Commentaire sur Tourcoing")
    _row(person, kind=kinds.SIGNAL, title="Signal sur Grigny")
    _row(person, kind=kinds.COMMENT_REPLY, title="Réponse (envoyée tout de suite, pas ici)")
    assert digests_send(frequency=Frequency.DAILY, now=MONDAY_MORNING) == 1
    [message] = mail.outbox
    assert message.subject == "[ATC] Votre résumé du jour : 3 notifications"
    text = message.body
    assert text.index("Commentaire de suivi sur un de mes sites") < text.index("Commentaire sur Roubaix")
    assert text.index("Point d’attention sur un site de mon périmètre") < text.index("Signal sur Grigny")
    assert "Réponse" not in text
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 3


def test_a_digest_run_twice_sends_each_email_once():
    first, second = _daily_person(), _daily_person()
    _row(first)
    _row(second)
    assert digests_send(frequency=Frequency.DAILY, now=MONDAY_MORNING) == 2
    _row(first, hours_ago=0)  # arrived between the two runs: for tomorrow's digest
    assert digests_send(frequency=Frequency.DAILY, now=MONDAY_MORNING) == 0
    assert len(mail.outbox) == 2
    assert NotificationDigest.objects.count() == 2
    tomorrow = MONDAY_MORNING + dt.timedelta(days=1)
    assert digests_send(frequency=Frequency.DAILY, now=tomorrow) == 1
    assert len(mail.outbox) == 3


def test_a_read_notification_is_not_in_the_digest():
    person = _daily_person()
    _row(person, read=True)
    assert digests_send(frequency=Frequency.DAILY, now=MONDAY_MORNING) == 0
    assert mail.outbox == []


def test_the_weekly_digest_takes_the_weekly_kinds_of_the_week():
    person = UserFactory()
    preferences_save(user=person, frequencies={kinds.REMINDER_INDICATORS: Frequency.WEEKLY})
    _row(person, kind=kinds.REMINDER_INDICATORS, hours_ago=24 * 5, title="Indicateurs du T4 à saisir")
    _row(person, kind=kinds.REMINDER_INDICATORS, hours_ago=24 * 20, title="Trop ancien")
    assert digests_send(frequency=Frequency.WEEKLY, now=MONDAY_MORNING) == 1
    assert digests_send(frequency=Frequency.WEEKLY, now=MONDAY_MORNING + dt.timedelta(days=2)) == 0
    [message] = mail.outbox
    assert message.subject == "[ATC] Votre résumé de la semaine : 1 notification"
    assert "Indicateurs du T4 à saisir" in message.body and "Trop ancien" not in message.body
    assert NotificationDigest.objects.get().period_start == dt.date(2026, 3, 2)


def test_a_failed_digest_is_sent_by_the_next_run(settings):
    person = _daily_person()
    _row(person)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    assert digests_send(frequency=Frequency.DAILY, now=MONDAY_MORNING) == 0
    assert not NotificationDigest.objects.exists()
    assert Notification.objects.get().emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_send(frequency=Frequency.DAILY, now=MONDAY_MORNING) == 1


def test_the_digest_tasks_run_eagerly():
    person = _daily_person()
    NotificationFactory(recipient=person, created_at=timezone.now() - dt.timedelta(minutes=5))
    assert send_daily_digests.delay().get() == 1
    assert send_daily_digests.delay().get() == 0
    assert send_weekly_digests.delay().get() == 0
    assert len(mail.outbox) == 1


def test_beat_sends_the_digests_each_morning_and_each_monday(settings):
    daily = settings.CELERY_BEAT_SCHEDULE["notifications-daily-digest"]
    weekly = settings.CELERY_BEAT_SCHEDULE["notifications-weekly-digest"]
    assert daily["task"] == "atc.notifications.send_daily_digests"
    assert daily["schedule"].hour == {settings.ATC_NOTIFICATION_DIGEST_HOUR}
    assert weekly["task"] == "atc.notifications.send_weekly_digests"
    assert weekly["schedule"].day_of_week == {1}
    assert "atc.notifications.tasks" in settings.CELERY_IMPORTS


def test_the_readme_documents_every_kind_and_its_default():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Notifications") : readme.index("## Figure definitions")]
    defaults = {
        Frequency.IMMEDIATE: "at once",
        Frequency.DAILY: "daily digest",
        Frequency.WEEKLY: "weekly digest",
    }
    for kind in KINDS.values():
        row = next(line for line in section.splitlines() if line.startswith(f"| {kind.label} |"))
        assert row.endswith(f"| {defaults[kind.default]} |"), row


def test_a_persons_notifications_are_in_their_export_and_go_with_their_erasure():
    nadia = UserFactory(first_name="Nadia", last_name="Benali")
    other = UserFactory()
    NotificationFactory(recipient=nadia, title="Nouveau commentaire sur Roubaix")
    NotificationFactory(recipient=other, title="Nadia Benali a répondu au commentaire sur Roubaix")
    kept = NotificationFactory(recipient=other, title="Rapport prêt")
    preferences_save(user=nadia, frequencies={kinds.SIGNAL: Frequency.NEVER})
    exported = personal_data_export(user=nadia)
    assert [n["title"] for n in exported["notifications"]] == ["Nouveau commentaire sur Roubaix"]
    assert exported["notification_preferences"] == {"signal": "never"}
    personal_data_erase(user=nadia)
    assert list(Notification.objects.all()) == [kept]
    assert not NotificationPreference.objects.exists()
