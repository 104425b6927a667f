"""A campaign's e-mails for real: the « Envoyer les invitations » button commits, the task goes
through the broker to a Celery worker process, which sends each invitation to the test's SMTP
server once; later the daily reminders task, published to the broker as beat does, reminds only
the one who has not answered."""

import datetime
import re

import pytest
from celery import current_app
from django.urls import reverse
from django.utils import timezone

from evaluation.models import CampaignRecipient
from evaluation.surveys import services
from tests.atc.test_celery_worker import _start, _stop, _wait_for
from tests.smtpserver import body_text
from tests.surveys.factories import CampaignFactory, QuestionFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.worker]

LINK = re.compile(r"https?://\S+/repondre/([A-Za-z0-9_-]+)/")


@pytest.fixture
def mailing_worker(settings, smtp_server):
    process = _start(
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "--without-heartbeat",
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            "SITE_URL": "https://atc.example.org",
        },
    )
    current_app.conf.task_always_eager = False
    try:
        yield smtp_server
    finally:
        current_app.conf.task_always_eager = True
        print(_stop(process)[-3000:])


def test_the_worker_sends_the_invitations_then_the_reminders(
    client, national_team, marseille, mailing_worker
):
    question = QuestionFactory(questionnaire__title="Flash du worker", required=False)
    campaign = CampaignFactory(
        questionnaire=question.questionnaire,
        title="Flash du worker",
        auto_reminders=True,
        reminder_delay_days=7,
    )
    for name in ("aline", "bruno"):
        services.recipient_add(
            campaign=campaign,
            name=name,
            email=f"{name}@example.org",
            function="prefet_delegate",
            site=marseille,
        )
    client.force_login(national_team)
    client.post(reverse("surveys:campaign_send", args=[campaign.pk]))
    assert _wait_for(lambda: len(mailing_worker.messages) == 2), "the worker sent no invitation"
    assert sorted(m["To"] for m in mailing_worker.messages) == ["aline@example.org", "bruno@example.org"]
    assert all(m["Subject"] == "[ATC] Questionnaire : Flash du worker" for m in mailing_worker.messages)

    # Aline answers through her link; a week passes.
    [aline] = [m for m in mailing_worker.messages if m["To"] == "aline@example.org"]
    token = LINK.search(body_text(aline)).group(1)
    assert body_text(aline).count("https://atc.example.org/repondre/") == 1
    client.logout()
    answered = client.post(reverse("surveys:answer", args=[token]), {f"q{question.pk}": "7"})
    assert answered.status_code == 302
    CampaignRecipient.objects.filter(campaign=campaign).update(
        invited_at=timezone.now() - datetime.timedelta(days=8)
    )

    current_app.tasks["evaluation.surveys.send_due_reminders"].apply_async()
    assert _wait_for(lambda: len(mailing_worker.messages) == 3), "the worker sent no reminder"
    reminder = mailing_worker.messages[2]
    assert reminder["To"] == "bruno@example.org"
    assert reminder["Subject"] == "[ATC] Relance : Flash du worker"
    # Published again (a second beat tick, a redelivery), then a later invitation: once that one
    # has arrived (one worker process, in order), the second round has run and reminded nobody.
    services.recipient_add(
        campaign=campaign, name="chloé", email="chloe@example.org", function="city_referent", site=marseille
    )
    current_app.tasks["evaluation.surveys.send_due_reminders"].apply_async()
    current_app.tasks["evaluation.surveys.send_invitations"].apply_async(args=[campaign.pk])
    assert _wait_for(lambda: len(mailing_worker.messages) == 4), "the later invitation never came"
    assert mailing_worker.messages[3]["To"] == "chloe@example.org"
    assert CampaignRecipient.objects.get(campaign=campaign, email="bruno@example.org").reminders_sent == 1
    assert not CampaignRecipient.objects.get(campaign=campaign, email="aline@example.org").reminders_sent
