"""Celery tasks of the evaluation reports: thin callers of evaluation.reporting.

Tasks take primary keys, reload, and let the service skip what is already done. They ack late and
are rejected back to the queue if their worker dies (settings), so a render cut short by a killed
worker is delivered again; the service's claim makes a second delivery harmless.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

from evaluation import reporting
from evaluation.pdf import RenderError

log = logging.getLogger(__name__)

# Worth another try: the database was busy or unreachable, the disk refused a write.
TRANSIENT = (DatabaseError, OSError)


@shared_task(
    bind=True,
    name="evaluation.build_report",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=settings.ATC_REPORT_TIME_LIMIT - 30,
    time_limit=settings.ATC_REPORT_TIME_LIMIT,
)
def build_report(self, report_id: int) -> None:
    """Build one report; retry transient errors with backoff, then record the failure."""
    try:
        reporting.report_build(report_id=report_id, task_id=self.request.id or f"local-{report_id}")
    except reporting.ReportGone:
        return
    except RenderError as exc:
        reporting.report_fail(report_id=report_id, reason=str(exc))
    except SoftTimeLimitExceeded:
        reporting.report_fail(
            report_id=report_id,
            reason=_("Le rapport a dépassé le temps imparti : réduisez le périmètre ou la période."),
        )
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            reporting.report_fail(
                report_id=report_id,
                reason=_("Échec après plusieurs essais : %(error)s") % {"error": exc},
            )
            return
        countdown = min(10 * 2**self.request.retries, 300)
        log.warning("report %s: transient error, retry in %s s: %s", report_id, countdown, exc)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="evaluation.resend_pending_reports", ignore_result=True)
def resend_pending_reports() -> int:
    """Fired by beat every minute: publish again what an outage left behind."""
    return reporting.reports_resend_pending()


@shared_task(name="evaluation.fire_report_schedule", ignore_result=True, acks_late=True)
def fire_report_schedule(schedule_id: int) -> None:
    """Fired by beat on a schedule's crontab: request the report of the period just ended."""
    reporting.schedule_fire(schedule_id=schedule_id)
