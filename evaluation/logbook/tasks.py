from celery import shared_task

from evaluation.logbook.services import logbook_reminders_send


@shared_task(name="evaluation.send_logbook_reminders", ignore_result=True)
def send_logbook_reminders() -> int:
    """Weekly (beat): remind the site teams whose last quarter's logbook entry is missing."""
    return len(logbook_reminders_send())
