"""Evaluation reports: request, queue, build, freeze, notify; and the schedules behind them.

The life of a report (an `EvaluationReport` row):
1. `report_request` writes the row (status queued) in the caller's transaction and asks for it to
   be published to the broker once that transaction commits.
2. `report_enqueue` publishes with no retry and short timeouts: a broker that is down costs the
   page a fraction of a second, the row stays queued with `enqueued_at` empty, and
   `reports_resend_pending` (beat, every minute) sends it again later. No request is lost.
3. The worker's task calls `report_build`: it claims the row (queued → running, with the delivery's
   task id), builds the content, renders the PDF into a temporary file next to its final place,
   renames it (atomic) and marks the row done in one transaction. A done or failed row is never
   touched again: running twice gives one report, and a frozen report is never overwritten.
4. Recipients get an email with a link once it is done.
"""

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation import pdf
from evaluation.models import EvaluationReport, Periodicity, ReportSchedule
from evaluation.periods import Period, Target, french_date, period_before
from evaluation.report_content import build_content

log = logging.getLogger(__name__)

Status = EvaluationReport.Status


class ReportGone(Exception):
    """The report row no longer exists (deleted while queued): nothing to do."""


def target_of(obj) -> Target:
    """The Target of a report or a schedule row."""
    return Target(obj.scope, network=obj.network, site=obj.site)


def render_html(*, target: Target, period: Period) -> str:
    """The report as a standalone HTML document (what WeasyPrint turns into the PDF)."""
    content = build_content(target=target, period=period)
    return render_to_string("reports/pdf/report.html", content)


def render_to_path(*, target: Target, period: Period, output: Path) -> int:
    """Build and render a report into `output` (written atomically); the page count.

    Used by the worker and by `manage.py build_report` alike.
    """
    html = render_html(target=target, period=period)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".rendu-", suffix=".pdf", dir=output.parent)
    os.close(handle)
    try:
        pages = pdf.render_to_file(html, Path(temporary))
        os.replace(temporary, output)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return pages


# --- Requests and the queue ---------------------------------------------------------------------


def report_request(
    *, user, target: Target, period: Period, schedule: ReportSchedule | None = None
) -> EvaluationReport:
    """Record a report request and publish it to the worker after the transaction commits."""
    with transaction.atomic():
        report = EvaluationReport.objects.create(
            scope=target.scope,
            network=target.network,
            site=target.site,
            period_label=period.label,
            period_start=period.start,
            period_end=period.end,
            schedule=schedule,
            requested_by=user,
        )
        transaction.on_commit(lambda: report_enqueue(report.pk))
    return report


def report_enqueue(report_id: int) -> bool:
    """Publish the build task; False (and the row left for the resend sweep) when it fails.

    Never raises: it runs in `on_commit` of a web request, which must answer whatever the broker
    does. The broker settings (no publish retry, short connection timeouts) bound the wait.
    """
    from evaluation.report_tasks import build_report

    try:
        build_report.apply_async(args=[report_id], retry=False)
    except Exception:
        log.warning(
            "report %s: broker unreachable, left queued for the resend sweep", report_id, exc_info=True
        )
        return False
    EvaluationReport.objects.filter(pk=report_id).update(enqueued_at=timezone.now())
    return True


def stale_before(now: dt.datetime) -> dt.datetime:
    """A running report that started before this moment lost its worker (past the hard limit)."""
    return now - dt.timedelta(seconds=settings.ATC_REPORT_TIME_LIMIT + 60)


def reports_resend_pending(*, now: dt.datetime | None = None) -> int:
    """Publish again the reports a broker outage or a lost worker left behind; how many were sent.

    Picks queued rows never published, queued rows published long ago (the message was lost), and
    running rows whose worker is gone. Sending one twice is harmless: the build claims the row.
    """
    now = now or timezone.now()
    resend_after = now - dt.timedelta(seconds=settings.ATC_REPORT_RESEND_SECONDS)
    pending = EvaluationReport.objects.filter(
        Q(status=Status.QUEUED, enqueued_at__isnull=True)
        | Q(status=Status.QUEUED, enqueued_at__lt=resend_after)
        | Q(status=Status.RUNNING, started_at__lt=stale_before(now))
    ).order_by("requested_at", "pk")
    sent = 0
    for report_id in pending.values_list("pk", flat=True)[: settings.ATC_REPORT_RESEND_BATCH]:
        if report_enqueue(report_id):
            sent += 1
        else:
            break
    return sent


# --- Building -----------------------------------------------------------------------------------


def _claim(report_id: int, task_id: str) -> EvaluationReport | None:
    """Take the row for this delivery, or None when there is nothing (more) to do."""
    with transaction.atomic():
        report = EvaluationReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise ReportGone(report_id)
        if report.status in (Status.DONE, Status.FAILED):
            return None
        now = timezone.now()
        lost = report.started_at is None or report.started_at < stale_before(now)
        if report.status == Status.RUNNING and report.task_id != task_id and not lost:
            # Another delivery is rendering it right now; it will finish (or be re-sent).
            return None
        if report.attempts >= settings.ATC_REPORT_MAX_ATTEMPTS:
            report.status = Status.FAILED
            report.error = _(
                "Abandon après %(n)s tentatives : le rendu n'a jamais abouti (processus arrêté)."
            ) % {"n": report.attempts}
            report.finished_at = now
            report.save(update_fields=["status", "error", "finished_at"])
            return None
        report.status = Status.RUNNING
        report.task_id = task_id
        report.attempts += 1
        report.started_at = now
        report.save(update_fields=["status", "task_id", "attempts", "started_at"])
        return report


def report_file_name(report: EvaluationReport) -> str:
    """The frozen file's name in storage: one per report row, never reused."""
    return f"reports/{report.requested_at:%Y}/rapport-{report.public_id}.pdf"


def report_build(*, report_id: int, task_id: str) -> bool:
    """Build the report once; True when this call made it, False when there was nothing to do."""
    report = _claim(report_id, task_id)
    if report is None:
        return False
    name = report_file_name(report)
    final = Path(default_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(target=target_of(report), period=_period_of(report))
    # One temporary name per report: a render cut short by a killed worker leaves a partial file
    # that the next attempt overwrites, and the hidden name is never served.
    temporary = str(final.parent / f".rendu-{report.public_id}.pdf")
    try:
        pages = pdf.render_to_file(html, Path(temporary))
        with transaction.atomic():
            current = EvaluationReport.objects.select_for_update().get(pk=report_id)
            if current.status != Status.RUNNING or current.task_id != task_id:
                return False
            # The rename is atomic: the final name holds a whole PDF or nothing.
            os.replace(temporary, final)
            current.file.name = name
            current.page_count = pages
            current.status = Status.DONE
            current.error = ""
            current.finished_at = timezone.now()
            current.save(update_fields=["file", "page_count", "status", "error", "finished_at"])
            transaction.on_commit(lambda: report_notify(report_id))
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return True


def report_fail(*, report_id: int, reason: str) -> None:
    """Mark a report failed with the reason people will read (unless it got done meanwhile)."""
    EvaluationReport.objects.filter(pk=report_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def _period_of(report) -> Period:
    return Period(report.period_label, report.period_start, report.period_end)


def report_notify(report_id: int) -> int:
    """Email the recipients (the schedule's, or the requester) a link to the ready report."""
    report = EvaluationReport.objects.select_related("schedule", "requested_by").get(pk=report_id)
    if report.schedule_id:
        recipients = report.schedule.recipient_list()
    elif report.requested_by and report.requested_by.email:
        recipients = [report.requested_by.email]
    else:
        recipients = []
    if not recipients:
        return 0
    context = {
        "report": report,
        "target": target_of(report).title,
        "period": _period_of(report).title,
        "link": settings.SITE_URL + reverse("reports:report_detail", args=[report.public_id]),
    }
    subject = _("[ATC] Rapport d'évaluation prêt : %(target)s, %(period)s") % context
    body = render_to_string("reports/email_ready.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)


# --- Schedules ----------------------------------------------------------------------------------

CRON_MONTHS = {Periodicity.QUARTER: "1,4,7,10", Periodicity.HALF_YEAR: "1,7", Periodicity.YEAR: "1"}


@dataclass(frozen=True)
class FireResult:
    report: EvaluationReport
    created: bool


def schedule_fire(*, schedule_id: int, today: dt.date | None = None) -> FireResult | None:
    """Request the report of the period that just ended, once per schedule and period.

    A second firing for the same period finds the same row (unique key), so beat firing twice or a
    redelivered message never gives two reports.
    """
    schedule = ReportSchedule.objects.select_related("network", "site").filter(pk=schedule_id).first()
    if schedule is None or not schedule.is_active:
        return None
    period = period_before(schedule.periodicity, today or timezone.localdate())
    lookup = {
        "schedule": schedule,
        "scope": schedule.scope,
        "network": schedule.network,
        "site": schedule.site,
        "period_start": period.start,
        "period_end": period.end,
    }
    existing = EvaluationReport.objects.filter(**lookup).first()
    if existing is not None:
        return FireResult(existing, False)
    try:
        with transaction.atomic():
            report = report_request(user=None, target=target_of(schedule), period=period, schedule=schedule)
    except IntegrityError:
        return FireResult(EvaluationReport.objects.get(**lookup), False)
    return FireResult(report, True)


def schedule_sync(schedule: ReportSchedule) -> None:
    """Mirror a schedule in django-celery-beat: its crontab and periodic task, enabled or not."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month=str(schedule.day_of_month),
        month_of_year=CRON_MONTHS[schedule.periodicity],
        timezone=settings.TIME_ZONE,
    )
    task = schedule.periodic_task or PeriodicTask(name=f"rapport-programme-{schedule.pk}")
    task.task = "evaluation.fire_report_schedule"
    task.crontab = crontab
    task.interval = None
    task.args = f"[{schedule.pk}]"
    task.enabled = schedule.is_active
    task.description = schedule.name
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


def schedule_save(*, form) -> ReportSchedule:
    """Save a schedule from its form and its beat entry together."""
    with transaction.atomic():
        schedule = form.save()
        schedule_sync(schedule)
    return schedule


def schedule_set_active(*, schedule: ReportSchedule, active: bool) -> None:
    """Pause or resume a schedule (kept with its reports' history, never deleted)."""
    with transaction.atomic():
        schedule.is_active = active
        schedule.save(update_fields=["is_active"])
        schedule_sync(schedule)


def next_run_text(schedule: ReportSchedule, today: dt.date) -> str:
    """The next day the schedule fires, in words (06:00, day_of_month of the next due month)."""
    months = [int(m) for m in CRON_MONTHS[schedule.periodicity].split(",")]
    for year in (today.year, today.year + 1):
        for month in months:
            day = dt.date(year, month, schedule.day_of_month)
            if day > today:
                return french_date(day)
    return ""
