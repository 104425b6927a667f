"""The weekly logbook reminder: once per site and quarter, to the site's current writers, as a
notification (inbox row, and the e-mail queued after the commit)."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from atc.models import Notification, Role
from atc.notifications.services import notification_email_send
from evaluation.logbook.services import logbook_reminders_send
from evaluation.logbook.tasks import send_logbook_reminders
from evaluation.models import LogbookReminder
from sites.models import Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.evaluation.factories import LogbookEntryFactory, LogbookReminderFactory

pytestmark = pytest.mark.django_db

# On 12 April 2021 the last finished quarter is Q1 2021 (1 January – 31 March).
MONDAY = datetime.date(2021, 4, 12)


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the reminders and what they queue after the commit (the e-mails)."""

    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return logbook_reminders_send(today=today)

    return run


def marseille_mails():
    return [m for m in mail.outbox if "Marseille" in m.subject]


def test_site_without_an_entry_gets_one_french_reminder_per_writer(
    locmem_mail, send, facilitator, host_director, prefet_delegate
):
    sent = send(MONDAY)
    assert [r.site.slug for r in sent] == ["marseille"]
    messages = marseille_mails()
    assert sorted(m.to[0] for m in messages) == ["facilitator@example.org", "host@example.org"]
    message = messages[0]
    assert message.subject == (
        "[ATC] Carnet de bord : le bilan du T1 2021 de Marseille – Frais Vallon est à saisir"
    )
    assert "du 01/01/2021 au 31/03/2021" in message.body
    opened = Notification.objects.get(recipient=facilitator, kind="reminder_logbook")
    assert opened.url == "/sites/marseille/carnet/nouvelle-entree/"
    assert f"{settings.SITE_URL}/notifications/" in message.body
    # The préfet delegate reads the Nord sites but does not write their logbook.
    assert all("delegate@example.org" not in m.to for m in mail.outbox)


def test_second_run_sends_nothing(locmem_mail, send, facilitator):
    send(MONDAY)
    count = len(mail.outbox)
    assert count == 1
    assert send(MONDAY + datetime.timedelta(days=7)) == []
    assert len(mail.outbox) == count
    reminder = LogbookReminder.objects.get(site__slug="marseille")
    assert reminder.period_start == datetime.date(2021, 1, 1)
    assert reminder.recipients == "facilitator@example.org"


def test_next_quarter_reminds_again(locmem_mail, facilitator):
    logbook_reminders_send(today=MONDAY)
    sent = logbook_reminders_send(today=datetime.date(2021, 7, 5))
    assert [r.period_start for r in sent] == [datetime.date(2021, 4, 1)]


def test_site_with_a_periodic_entry_is_not_reminded(locmem_mail, facilitator):
    LogbookEntryFactory(period_start=datetime.date(2021, 1, 1), period_end=datetime.date(2021, 3, 31))
    assert logbook_reminders_send(today=MONDAY) == []
    assert mail.outbox == []


def test_an_event_note_does_not_replace_the_periodic_review(locmem_mail, facilitator):
    LogbookEntryFactory(event=True)
    assert [r.site.slug for r in logbook_reminders_send(today=MONDAY)] == ["marseille"]


def test_former_facilitator_is_not_written_to(locmem_mail, marseille):
    former = UserFactory(email="former@example.org")
    RoleFactory(
        user=former,
        kind=Role.Kind.FACILITATOR,
        sites=[marseille],
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2020, 12, 31),
    )
    assert logbook_reminders_send(today=MONDAY) == []
    assert not LogbookReminder.objects.exists()


def test_site_that_started_after_the_quarter_is_skipped(locmem_mail, facilitator, marseille):
    Site.objects.filter(pk=marseille.pk).update(start_date=datetime.date(2021, 4, 1))
    assert logbook_reminders_send(today=MONDAY) == []


def test_an_already_recorded_reminder_is_not_resent(locmem_mail, facilitator):
    LogbookReminderFactory()
    assert logbook_reminders_send(today=MONDAY) == []
    assert mail.outbox == []


def test_a_failed_send_is_left_for_the_tasks_retry(settings, facilitator):
    assert len(logbook_reminders_send(today=MONDAY)) == 1
    reminder = Notification.objects.get(recipient=facilitator, kind="reminder_logbook")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, the connection is refused
    settings.EMAIL_TIMEOUT = 1
    with pytest.raises(OSError):
        notification_email_send(reminder.pk)
    reminder.refresh_from_db()
    assert reminder.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_send(reminder.pk) is True
    assert notification_email_send(reminder.pk) is False
    assert [m.to for m in mail.outbox] == [["facilitator@example.org"]]


def test_task_runs_eagerly_and_counts_the_reminders(
    locmem_mail, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = send_logbook_reminders.delay()
    assert result.get() == 1
    assert len(marseille_mails()) == 1
    assert send_logbook_reminders.delay().get() == 0


def test_beat_runs_the_task_every_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["logbook-reminders"]
    assert entry["task"] == "evaluation.send_logbook_reminders"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {8} and schedule.minute == {0}
