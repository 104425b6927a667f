"""Celery tasks of the evaluation reports: thin callers of evaluation.reports.services.

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

from evaluation.reports import services
from evaluation.reports.pdf import RenderError

log = logging.getLogger(__name__)

# Worth another try: the database was busy or unreachable, the disk refused a write.
TRANSIENT = (DatabaseError, OSError)


def _run(task, report_id: int, work, *, prefix: str = "") -> None:
    """Do a report's work; retry transient errors with backoff, record any other failure with the
    reason people will read (`prefix` says which step of the report failed)."""
    try:
        work()
    except services.ReportGone:
        return
    except RenderError as exc:
        services.report_fail(report_id=report_id, reason=f"{prefix}{exc}")
    except SoftTimeLimitExceeded:
        services.report_fail(
            report_id=report_id,
            reason=prefix + _("Le rapport a dépassé le temps imparti : réduisez le périmètre ou la période."),
        )
    except TRANSIENT as exc:
        if task.request.retries >= task.max_retries:
            services.report_fail(
                report_id=report_id,
                reason=prefix + _("Échec après plusieurs essais : %(error)s") % {"error": exc},
            )
            return
        countdown = min(10 * 2**task.request.retries, 300)
        log.warning("report %s: transient error, retry in %s s: %s", report_id, countdown, exc)
        raise task.retry(exc=exc, countdown=countdown) from exc


REPORT_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 3,
    "soft_time_limit": settings.ATC_REPORT_TIME_LIMIT - 30,
    "time_limit": settings.ATC_REPORT_TIME_LIMIT,
}


@shared_task(name=services.BUILD_TASK, **REPORT_TASK)
def build_report(self, report_id: int) -> None:
    """Build one report (or queue its parts, for a large one)."""
    task_id = self.request.id or f"local-{report_id}"
    _run(self, report_id, lambda: services.report_build(report_id=report_id, task_id=task_id))


@shared_task(name=services.PART_TASK, **REPORT_TASK)
def build_report_part(self, report_id: int, index: int) -> None:
    """Render one part of a large report; the last one queues the merge."""
    _run(
        self,
        report_id,
        lambda: services.report_part_build(report_id=report_id, index=index),
        prefix=_("Partie %(n)s du rapport : ") % {"n": index},
    )


@shared_task(name=services.MERGE_TASK, **REPORT_TASK)
def merge_report(self, report_id: int) -> None:
    """Join the parts of a large report into its frozen file."""
    _run(
        self,
        report_id,
        lambda: services.report_merge(report_id=report_id),
        prefix=_("Assemblage du rapport : "),
    )


@shared_task(name=services.RESEND_TASK, ignore_result=True)
def resend_pending_reports() -> int:
    """Fired by beat every minute: publish again what an outage left behind."""
    return services.reports_resend_pending()


@shared_task(name=services.FIRE_SCHEDULE_TASK, ignore_result=True, acks_late=True)
def fire_report_schedule(schedule_id: int) -> None:
    """Fired by beat on a schedule's crontab: request the report of the period just ended."""
    services.schedule_fire(schedule_id=schedule_id)
