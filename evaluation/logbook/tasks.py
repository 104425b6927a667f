from celery import shared_task

from evaluation.figures.aggregates import REFRESH_TASK, refresh_all_stale
from evaluation.services import logbook_reminders_send


@shared_task(name="evaluation.send_logbook_reminders", ignore_result=True)
def send_logbook_reminders() -> int:
    """Weekly (beat): remind the site teams whose last quarter's logbook entry is missing."""
    return len(logbook_reminders_send())


@shared_task(name=REFRESH_TASK, ignore_result=True)
def refresh_stale_figures() -> int:
    """Rebuild the pre-aggregates of every stale site: queued by a read that found more than it
    rebuilds itself, and run by beat every few minutes so a failed rebuild is retried."""
    return refresh_all_stale()
