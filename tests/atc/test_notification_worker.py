"""A notification's e-mail for real: `notify` commits, the task goes through the broker to a
Celery worker process, which sends the e-mail to the test's SMTP server, once; the same task
published again (a redelivery) sends nothing more."""

import pytest
from celery import current_app

from atc.models import Notification
from atc.notifications import kinds
from atc.notifications.services import notify
from tests.atc.factories import UserFactory
from tests.atc.test_celery_worker import _start, _stop, _wait_for

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.worker]


@pytest.fixture
def mailing_worker(settings, smtp_server):
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    process = _start(
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        "-Q",
        queue,
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
        output = _stop(process)
        print(output[-3000:])


def test_the_worker_sends_a_notification_once(mailing_worker):
    person = UserFactory(email="nadia@example.org")
    [row] = notify(
        kinds.COMMENT,
        recipients=[person],
        title="Nouveau commentaire sur Roubaix",
        body="Le conseil citoyen a-t-il été associé ?",
        url="/",
        dedupe_key="comment:worker",
    )
    assert _wait_for(lambda: len(mailing_worker.messages) == 1), "the worker sent no e-mail"
    assert Notification.objects.get(pk=row.pk).emailed_at is not None
    current_app.tasks["atc.notifications.send_emails"].apply_async(args=[[row.pk]])
    # The redelivered task has run when a later task has (one worker process, in order).
    other = notify(
        kinds.COMMENT, recipients=[person], title="Second", body="", url="/", dedupe_key="comment:2"
    )
    assert _wait_for(lambda: len(mailing_worker.messages) == 2)
    assert [m["Subject"] for m in mailing_worker.messages] == [
        "[ATC] Nouveau commentaire sur Roubaix",
        "[ATC] Second",
    ]
    assert (
        "https://atc.example.org/notifications/"
        in mailing_worker.messages[0].get_body(("plain",)).get_content()
    )
    assert other
