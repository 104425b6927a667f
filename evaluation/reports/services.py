"""Evaluation reports: request, queue, build, freeze, notify; and the schedules behind them.

The life of a report (an `EvaluationReport` row):
1. `report_request` writes the row (status queued) in the caller's transaction and asks for it to
   be published to the broker once that transaction commits.
2. `report_enqueue` publishes with no retry and short timeouts: a broker that is down costs the
   page a fraction of a second, the row stays queued with `enqueued_at` empty, and
   `reports_resend_pending` (beat, every minute) sends it again later. No request is lost.
3. The worker's task calls `report_build`: it claims the row (queued → running, with the delivery's
   task id), builds the content, renders the PDF into a local temporary file, saves the complete
   file into storage (`default_storage`: the media folder, or the bucket every machine shares) and
   marks the row done in the same transaction. The row names the file only once it is whole in
   storage, so a download never meets a partial report. A done or failed row is never touched
   again: running twice gives one report, and a frozen report is never overwritten.
4. Recipients get an email with a link once it is done.

A scope of more than ATC_REPORT_SECTIONS_PER_PART sites is rendered in parts instead (one render
of 1,600 sites would need several GiB and minutes): the claim writes one `EvaluationReportPart`
row per part — the summary, then the site sections that many at a time — and queues a task per
part, which any worker machine may run. Each part renders into a local temporary file, then is
saved into storage under its own name (by report and part: a redelivered part whose file is there
does nothing) and marked finished under the report's row lock; the part that finishes last queues
the merge, which fetches the parts from storage into a local folder, renders the index of the
sites (their pages in the merged document are known by then) and joins the files with pypdf (both
in a child process under the renders' memory ceiling and time limit), saves the result into
storage and marks the report done. No Celery result backend is involved: the rows are the
bookkeeping. A failing part or merge fails the report with its reason, and the parts' files are
removed. Files go through the Storage API only, never a storage's local path: a worker's and a web
process's local folders hold nothing another machine needs.
"""

import datetime as dt
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
from celery import current_app
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from atc.links import absolute_url
from atc.mail import EmailMessage
from atc.models import User
from atc.notifications import kinds as notification_kinds
from atc.notifications.services import notify
from atc.periods import Period, french_date, period_before
from atc.permissions import national_team, readable_reports
from atc.queue import publish
from atc.records import assign, set_many
from evaluation.models import (
    EvaluationReport,
    EvaluationReportPart,
    Periodicity,
    ReportLinkUse,
    ReportNarrative,
    ReportSchedule,
)
from evaluation.reports import pdf
from evaluation.reports.content import CHAPTERS, NarrativeTexts, build_content
from evaluation.reports.scopes import Target
from sites.models import Site

log = logging.getLogger(__name__)

# The report tasks' names (evaluation/reports/tasks.py registers them under these): this module
# publishes them by name, since the task module calls this one. Beat and queued messages use them.
BUILD_TASK = "evaluation.build_report"
PART_TASK = "evaluation.build_report_part"
MERGE_TASK = "evaluation.merge_report"
RESEND_TASK = "evaluation.resend_pending_reports"
FIRE_SCHEDULE_TASK = "evaluation.fire_report_schedule"

Status = EvaluationReport.Status

# The editable versions of a report: format → (content type, the row's file field). Made from the
# same HTML as the PDF, right after it (`report_documents_build`).
EDITABLE_FORMATS = {
    "odt": ("application/vnd.oasis.opendocument.text", "odt_file"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx_file"),
}


class ReportGone(Exception):
    """The report row no longer exists (deleted while queued): nothing to do."""


def target_of(obj) -> Target:
    """The Target of a report or a schedule row."""
    return Target(obj.scope, network=obj.network, site=obj.site)


def render_html(*, target: Target, period: Period, narrative: NarrativeTexts | None = None) -> str:
    """The report as a standalone HTML document (what WeasyPrint turns into the PDF)."""
    content = build_content(target=target, period=period, narrative=narrative)
    return render_to_string("reports/pdf/report.html", content)


def render_to_path(*, target: Target, period: Period, output: Path, editable: bool = False) -> int:
    """Build and render a report into `output` (written atomically); the page count. With
    `editable`, its ODT and DOCX are written beside it (same name, their own extension).

    Used by `manage.py build_report` and the benchmark. A scope over ATC_REPORT_SECTIONS_PER_PART
    sites goes through the same parts and merge as the worker, one part after the other (and has
    no editable version).
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    plan = plan_parts(target)
    if plan is None:
        html = render_html(target=target, period=period)
        pages = _write_atomically(output, lambda temporary: pdf.render_to_file(html, temporary))
        if editable:
            with tempfile.TemporaryDirectory(prefix=".modifiable-", dir=output.parent) as folder:
                for extension, path in write_editable(html, Path(folder)).items():
                    os.replace(path, output.with_suffix(f".{extension}"))
        return pages
    with tempfile.TemporaryDirectory(prefix=".parties-", dir=output.parent) as folder:
        parts = [
            render_part(
                target=target, period=period, site_ids=site_ids, output=Path(folder) / part_name(index)
            )
            for index, site_ids in enumerate(plan)
        ]
        return merge_parts(target=target, period=period, parts=parts, output=output)


def _write_atomically(output: Path, write) -> int:
    """Call `write(temporary)` on a hidden file next to `output`, then rename it to `output`."""
    handle, temporary = tempfile.mkstemp(prefix=".rendu-", suffix=".pdf", dir=output.parent)
    os.close(handle)
    try:
        result = write(Path(temporary))
        os.replace(temporary, output)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return result


# --- Large reports: parts, then a merge -----------------------------------------------------------

SITE_ANCHOR = "site-"


@dataclass(frozen=True)
class RenderedPart:
    """A rendered part's file, its sites (none: the summary) and where each site's section begins."""

    path: Path
    site_ids: list[int]
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)


def plan_parts(target: Target) -> list[list[int]] | None:
    """The parts of a report over more than ATC_REPORT_SECTIONS_PER_PART sites: `[]` for the
    summary, then runs of site ids in the report's order (by name); None when one render will do."""
    ids = list(target.sites().order_by("name", "pk").values_list("pk", flat=True))
    size = settings.ATC_REPORT_SECTIONS_PER_PART
    if len(ids) <= size:
        return None
    return [[]] + [ids[start : start + size] for start in range(0, len(ids), size)]


def part_name(index: int) -> str:
    return f"partie-{index:04d}.pdf"


def render_part(
    *,
    target: Target,
    period: Period,
    site_ids: list[int],
    output: Path,
    narrative: NarrativeTexts | None = None,
) -> RenderedPart:
    """Render one part into `output` (atomically): the summary when `site_ids` is empty, else the
    sections of those sites. Called by the part task, the command and the benchmark alike."""
    summary = not site_ids
    content = build_content(
        target=target,
        period=period,
        site_ids=site_ids or None,
        summary=summary,
        sections=not summary,
        narrative=narrative,
    )
    html = render_to_string("reports/pdf/report.html", {**content, "split": True})
    rendered = {}

    def write(temporary: Path) -> int:
        rendered["part"] = pdf.render_with_anchors(html, temporary, anchor_prefix=SITE_ANCHOR)
        return rendered["part"].pages

    output = Path(output)
    _write_atomically(output, write)
    return RenderedPart(output, list(site_ids), rendered["part"].pages, rendered["part"].anchors)


@dataclass(frozen=True)
class SiteIndex:
    """The index of the sites of a report in parts, read from the database before the merge's
    child process starts (the child must not touch the database). A row's page counts from the
    first page after the index, whose own length is only known once rendered."""

    title: str
    period_title: str
    summary_pages: int
    rows: list[dict]

    def html(self, *, index_pages: int) -> str:
        before = self.summary_pages + index_pages
        return render_to_string(
            "reports/pdf/site_index.html",
            {
                "title": self.title,
                "period_title": self.period_title,
                "split": True,
                "first_page": self.summary_pages + 1,
                "rows": [{**row, "page": before + row["page"]} for row in self.rows],
            },
        )


def _site_index(*, target: Target, period: Period, parts: list[RenderedPart]) -> SiteIndex:
    summary, sections = parts[0], parts[1:]
    sites = Site.objects.select_related("network").in_bulk([pk for part in sections for pk in part.site_ids])
    rows, before = [], 0
    for part in sections:
        for pk in part.site_ids:
            site = sites.get(pk)
            page = part.anchors.get(f"{SITE_ANCHOR}{site.slug}") if site else None
            if page is not None:
                rows.append({"name": site.name, "network": site.network.name, "page": before + page})
        before += part.pages
    return SiteIndex(
        title=_("Rapport d'évaluation — %(target)s") % {"target": target.title},
        period_title=period.title,
        summary_pages=summary.pages,
        rows=rows,
    )


def _join(*, index: SiteIndex, parts: list[RenderedPart], output: Path) -> int:
    """Render the index and join it with the parts into `output`; the page count. Runs in the
    limited child: no database."""
    # The index's own length shifts the pages it lists: render until it lists the right ones
    # (the second render almost always does: one more page moves every number, not the length).
    index_pages = 1
    for _attempt in range(4):
        index_pdf, rendered = pdf.render_pdf_bytes(index.html(index_pages=index_pages))
        if rendered.pages == index_pages:
            break
        index_pages = rendered.pages
    writer = pypdf.PdfWriter()
    writer.append(str(parts[0].path))
    writer.append(io.BytesIO(index_pdf))
    for part in parts[1:]:
        writer.append(str(part.path))
    # pypdf keeps the parts' pages, not their structure trees: at least the title and language.
    writer.add_metadata(
        {"/Title": f"{index.title} — {index.period_title}", "/Author": _("Plateforme ATC — ANCT")}
    )
    writer.root_object[pypdf.generic.NameObject("/Lang")] = pypdf.generic.TextStringObject("fr")
    with output.open("wb") as handle:
        writer.write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    return len(writer.pages)


def merge_parts(*, target: Target, period: Period, parts: list[RenderedPart], output: Path) -> int:
    """The summary, the index of the sites with their page in the merged document, then the
    sections, joined into `output` (written atomically); the page count.

    The index render and the join run in a child process under the renders' memory ceiling and
    time limit (evaluation/reports/pdf.py); raises RenderError, leaving no file, when they fail there.
    """
    # local import: weasyprint takes about a second to import and only a report's render needs it;
    # imported here, in the parent, so the child inherits it.
    import weasyprint  # noqa: F401

    index = _site_index(target=target, period=period, parts=parts)
    return _write_atomically(
        Path(output),
        lambda temporary: pdf.run_limited(
            lambda: _join(index=index, parts=parts, output=temporary),
            step=_("L'assemblage des parties"),
        ),
    )


# --- Requests and the queue ---------------------------------------------------------------------


def report_request(
    *, user, target: Target, period: Period, schedule: ReportSchedule | None = None, draft: bool = False
) -> EvaluationReport:
    """Record a report request and publish it to the worker after the transaction commits; with
    `draft`, a draft whose texts are written on the platform before it is issued (`report_issue`)."""
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
            status=Status.DRAFT if draft else Status.QUEUED,
        )
        if draft:
            ReportNarrative.objects.create(report=report, updated_by=user)
        else:
            transaction.on_commit(lambda: report_enqueue(report.pk))
    return report


# --- Drafts: the narrative, then the issue ----------------------------------------------------


class ReportFrozen(Exception):
    """The report is issued: its texts and files no longer change."""


def narrative_of(report: EvaluationReport) -> NarrativeTexts | None:
    """The texts a report is built with (None for a report that never was a draft)."""
    narrative = ReportNarrative.objects.filter(report_id=report.pk).first()
    return NarrativeTexts.of(narrative)


def narrative_save(
    *,
    report: EvaluationReport,
    user,
    introduction: str,
    conclusion: str,
    commentaries: Mapping[str, str],
    logbook_entries,
    quotes,
) -> ReportNarrative:
    """Save a draft's texts and picks (each change kept in the narrative's history). Raises
    ReportFrozen once the report is issued: an issued report is never edited."""
    known = {chapter.key for chapter in CHAPTERS}
    with transaction.atomic():
        current = EvaluationReport.objects.select_for_update().get(pk=report.pk)
        if current.status != Status.DRAFT:
            raise ReportFrozen(report.pk)
        narrative, _created = ReportNarrative.objects.get_or_create(report=current)
        narrative.introduction = introduction
        narrative.conclusion = conclusion
        narrative.commentaries = {key: text for key, text in commentaries.items() if key in known and text}
        narrative.updated_by = user
        narrative.full_clean(exclude=["report"])
        narrative.save()
        narrative.logbook_entries.set(logbook_entries)
        narrative.quotes.set(quotes)
    return narrative


def report_issue(*, report: EvaluationReport, user) -> EvaluationReport:
    """Issue a draft: it is queued for its build (PDF, ODT, DOCX with its texts) and frozen from
    now on. Raises ReportFrozen when it was already issued."""
    with transaction.atomic():
        current = EvaluationReport.objects.select_for_update().get(pk=report.pk)
        if current.status != Status.DRAFT:
            raise ReportFrozen(report.pk)
        current.status = Status.QUEUED
        current.requested_at = timezone.now()
        current.save(update_fields=["status", "requested_at"])
        transaction.on_commit(lambda: report_enqueue(current.pk))
    return current


def report_enqueue(report_id: int) -> bool:
    """Publish the build task; False (and the row left for the resend sweep) when it fails.

    Never raises: it runs in `on_commit` of a web request, which must answer whatever the broker
    does. The broker settings (no publish retry, short connection timeouts) bound the wait.
    """
    try:
        current_app.tasks[BUILD_TASK].apply_async(args=[report_id], retry=False)
    except Exception:
        log.warning(
            "report %s: broker unreachable, left queued for the resend sweep", report_id, exc_info=True
        )
        return False
    EvaluationReport.objects.filter(pk=report_id).update(enqueued_at=timezone.now())
    return True


def _pdf_text(report: EvaluationReport):
    """The report's text page by page, whitespace collapsed and case folded (names wrap in cells)."""
    with report.file.open("rb") as handle:
        for page in PdfReader(handle).pages:
            yield " ".join((page.extract_text() or "").split()).casefold()


def reports_naming(names: list[str]) -> list[EvaluationReport]:
    """The issued reports whose PDF holds one of these names (read from the file itself, so that a
    name printed anywhere in a report is found, whatever chapter printed it)."""
    needles = [" ".join(name.split()).casefold() for name in names if name and name.strip()]
    found = []
    if not needles:
        return found
    for report in EvaluationReport.objects.filter(status=Status.DONE).exclude(file=""):
        try:
            if any(needle in text for text in _pdf_text(report) for needle in needles):
                found.append(report)
        except (OSError, PdfReadError):
            log.warning("report %s: file unreadable while looking for an erased name", report.pk)
    return found


def reports_reissue_naming(*, names: list[str]) -> list[EvaluationReport]:
    """Erasure (atc.personal_data): delete every issued PDF that names the person, at once, and
    render it again from today's data — where the name is already erased — under the same link.

    The report keeps its identity and says on its page when and why it was re-issued; its figures
    are those of the re-issue. Copies already e-mailed or downloaded are out of the platform's reach
    (the erasure summary says how many reports were concerned)."""
    reports = reports_naming(names)
    now = timezone.now()
    for report in reports:
        with transaction.atomic():
            report.file.delete(save=False)
            for _type, field_name in EDITABLE_FORMATS.values():
                getattr(report, field_name).delete(save=False)
            report.parts.all().delete()
            report.status = Status.QUEUED
            report.page_count = None
            report.attempts = 0
            report.task_id = ""
            report.error = ""
            report.enqueued_at = report.started_at = report.finished_at = None
            report.reissued_at = now
            report.save()
            transaction.on_commit(lambda pk=report.pk: report_enqueue(pk))
        _remove_parts(report.pk)
    return reports


def stale_before(now: dt.datetime) -> dt.datetime:
    """A running report that started before this moment lost its worker (past the hard limit)."""
    return now - dt.timedelta(seconds=settings.ATC_REPORT_TIME_LIMIT + 60)


def _progressing(now: dt.datetime) -> Exists:
    """A report in parts is alive, however long ago it started, while its parts keep finishing."""
    return Exists(
        EvaluationReportPart.objects.filter(report=OuterRef("pk"), finished_at__gte=stale_before(now))
    )


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
        | (Q(status=Status.RUNNING, started_at__lt=stale_before(now)) & ~_progressing(now))
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
        # A draft is built only once issued (`report_issue` queues it).
        if report.status in (Status.DONE, Status.FAILED, Status.DRAFT):
            return None
        now = timezone.now()
        lost = (report.started_at is None or report.started_at < stale_before(now)) and not (
            EvaluationReport.objects.filter(pk=report.pk).filter(_progressing(now)).exists()
        )
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


def _store(name: str, local: Path) -> str:
    """Save a complete local file into storage under `name`; the stored name.

    Called under the report's row lock by the one delivery that owns the row: whatever already
    holds the name is what a delivery cut short left there (never named by a row), and is replaced.
    """
    default_storage.delete(name)
    with local.open("rb") as handle:
        return default_storage.save(name, File(handle, name=local.name))


def _fetch(name: str, local: Path) -> bool:
    """Copy a stored file into a local one; False when storage does not hold it."""
    try:
        with default_storage.open(name, "rb") as stored, local.open("wb") as handle:
            shutil.copyfileobj(stored, handle)
    except FileNotFoundError:
        return False
    return True


def report_build(*, report_id: int, task_id: str) -> bool:
    """Build the report once; True when this call made it (or queued its parts), False when there
    was nothing to do."""
    report = _claim(report_id, task_id)
    if report is None:
        return False
    if report_parts_start(report):
        return True
    html = render_html(target=target_of(report), period=_period_of(report), narrative=narrative_of(report))
    # The render's child writes a local temporary file; storage receives it only once complete.
    with tempfile.TemporaryDirectory(prefix="atc-rapport-") as scratch:
        rendered = Path(scratch) / "rapport.pdf"
        pages = pdf.render_to_file(html, rendered)
        with transaction.atomic():
            current = EvaluationReport.objects.select_for_update().get(pk=report_id)
            if current.status != Status.RUNNING or current.task_id != task_id:
                return False
            current.file.name = _store(report_file_name(report), rendered)
            current.page_count = pages
            current.status = Status.DONE
            current.error = ""
            current.finished_at = timezone.now()
            current.save(update_fields=["file", "page_count", "status", "error", "finished_at"])
            transaction.on_commit(lambda: report_notify(report_id))
        report_documents_build(report_id=report_id, html=html, folder=Path(scratch))
    return True


def write_editable(html: str, folder: Path) -> dict[str, Path]:
    """Write the ODT and DOCX of a report's HTML into `folder`, in a limited child process:
    {format: path}. Raises RenderError."""
    # local import: cairosvg, python-docx and odfpy cost ~0.7 s to import and only a report's
    # build needs them; imported here, in the parent, so the child inherits them.
    from evaluation.reports import editable

    return pdf.run_limited(
        lambda: editable.write_documents(html, folder), step=_("La fabrication de la version modifiable")
    )


def editable_pending(report: EvaluationReport, *, now: dt.datetime | None = None) -> bool:
    """Whether a done report's editable versions may still come (made right after its PDF, within
    a render's time limit); never for a report rendered in parts."""
    if report.status != Status.DONE or report.odt_file or report.finished_at is None:
        return False
    limit = dt.timedelta(seconds=settings.ATC_REPORT_RENDER_SECONDS)
    return (now or timezone.now()) - report.finished_at < limit and not report.parts.exists()


def report_documents_build(*, report_id: int, html: str, folder: Path) -> bool:
    """Make the editable versions (ODT, DOCX) of a report whose PDF was just issued, from the
    same HTML, and attach them to the row; True when they were saved.

    The PDF is already downloadable meanwhile. A failure here leaves the report done with its PDF
    alone (the page then offers no editable version): logged, never fatal. An issued report's
    files are frozen: a row that already names editable files keeps them.
    """
    try:
        paths = write_editable(html, folder)
    except pdf.RenderError:
        log.warning("report %s: editable versions not made", report_id, exc_info=True)
        return False
    with transaction.atomic():
        current = EvaluationReport.objects.select_for_update().filter(pk=report_id).first()
        if current is None or current.status != Status.DONE or current.odt_file or current.docx_file:
            return False
        stem = report_file_name(current).removesuffix(".pdf")
        for extension, (_type, field_name) in EDITABLE_FORMATS.items():
            getattr(current, field_name).name = _store(f"{stem}.{extension}", paths[extension])
        current.save(update_fields=[field for _type, field in EDITABLE_FORMATS.values()])
    return True


def report_fail(*, report_id: int, reason: str) -> None:
    """Mark a report failed with the reason people will read (unless it got done or failed
    meanwhile), and remove the files of its parts, if it had any."""
    # A failed report keeps its first reason: the parts still running fail after it, for its sake.
    EvaluationReport.objects.filter(pk=report_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )
    _remove_parts(report_id)


# --- Building in parts --------------------------------------------------------------------------

# Where the parts of reports wait for their merge, in storage (never served: no row names them).
PARTS_DIR = "reports/parties"


def part_file_name(report_id: int, index: int) -> str:
    """The stored name of a part of a report."""
    return f"{PARTS_DIR}/{report_id}-{part_name(index)}"


def _remove_parts(report_id: int) -> None:
    """Delete the stored parts of a report, whether or not their rows are still there."""
    prefix = f"{report_id}-"
    try:
        _folders, names = default_storage.listdir(PARTS_DIR)
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(prefix):
            default_storage.delete(f"{PARTS_DIR}/{name}")


def report_parts_start(report: EvaluationReport) -> bool:
    """Queue the parts of a claimed report that is too large for one render (or its merge, when
    every part is already there); False when one render will do.

    A second call (a redelivered or re-sent build) finds the rows of the first and queues only the
    parts not finished yet.
    """
    with transaction.atomic():
        parts = list(report.parts.order_by("index"))
        if not parts:
            plan = plan_parts(target_of(report))
            if plan is None:
                return False
            parts = EvaluationReportPart.objects.bulk_create(
                EvaluationReportPart(report=report, index=index, site_ids=site_ids)
                for index, site_ids in enumerate(plan)
            )
        pending = [part.index for part in parts if part.finished_at is None]
        if pending:
            transaction.on_commit(lambda: _enqueue_parts(report.pk, pending))
        else:
            transaction.on_commit(lambda: _enqueue_merge(report.pk))
    return True


def _enqueue_parts(report_id: int, indexes: list[int]) -> None:
    for index in indexes:
        if not _publish(PART_TASK, report_id, index):
            return


def _enqueue_merge(report_id: int) -> None:
    _publish(MERGE_TASK, report_id)


def _publish(name: str, *args) -> bool:
    """Publish a task of a report in parts; False when the broker refused it. The report stays
    running, and the resend sweep publishes its build again once it looks lost: the build then
    queues what is still missing."""
    return publish(name, *args)


def _running(report_id: int, *, lock: bool = False) -> EvaluationReport | None:
    queryset = EvaluationReport.objects.select_for_update() if lock else EvaluationReport.objects
    report = queryset.filter(pk=report_id).first()
    if report is None:
        raise ReportGone(report_id)
    return report if report.status == Status.RUNNING else None


def report_part_build(*, report_id: int, index: int) -> bool:
    """Render one part of a report into its stored file and record it; the last part queues the
    merge. True when this call rendered it, False when there was nothing to do (the report is no
    longer running, or this part's file is already there)."""
    report = _running(report_id)
    if report is None:
        return False
    part = report.parts.get(index=index)
    name = part_file_name(report_id, index)
    if part.finished_at is not None and default_storage.exists(name):
        return False
    with tempfile.TemporaryDirectory(prefix="atc-partie-") as scratch:
        rendered = render_part(
            target=target_of(report),
            period=_period_of(report),
            site_ids=part.site_ids,
            output=Path(scratch) / part_name(index),
            narrative=narrative_of(report),
        )
        with transaction.atomic():
            if _running(report_id, lock=True) is None:
                return False
            # Saved under the lock: a part's file is in storage once its row says it is finished (a
            # worker killed in between leaves a file that the next render replaces).
            _store(name, rendered.path)
            part.page_count = rendered.pages
            part.anchors = rendered.anchors
            part.finished_at = timezone.now()
            part.save(update_fields=["page_count", "anchors", "finished_at"])
            if not report.parts.filter(finished_at__isnull=True).exists():
                transaction.on_commit(lambda: _enqueue_merge(report_id))
    return True


def report_merge(*, report_id: int) -> bool:
    """Join the parts of a report into its frozen file and mark it done (then notify); True when
    this call made it, False when there was nothing to do."""
    report = _running(report_id)
    if report is None:
        return False
    # The parts may come from other machines: fetched from storage into a local folder, which the
    # merge's child reads (it must touch neither the database nor the network).
    with tempfile.TemporaryDirectory(prefix="atc-fusion-") as scratch:
        folder = Path(scratch)
        parts = []
        for part in report.parts.order_by("index"):
            local = folder / part_name(part.index)
            if part.finished_at is None or not _fetch(part_file_name(report_id, part.index), local):
                raise pdf.RenderError(
                    _("La partie %(n)s du rapport manque au moment de l'assembler.") % {"n": part.index}
                )
            parts.append(RenderedPart(local, part.site_ids, part.page_count, part.anchors))
        merged = folder / "rapport.pdf"
        pages = merge_parts(target=target_of(report), period=_period_of(report), parts=parts, output=merged)
        with transaction.atomic():
            current = _running(report_id, lock=True)
            if current is None:
                return False
            current.file.name = _store(report_file_name(report), merged)
            current.page_count = pages
            current.status = Status.DONE
            current.error = ""
            current.finished_at = timezone.now()
            current.save(update_fields=["file", "page_count", "status", "error", "finished_at"])
            transaction.on_commit(lambda: report_notify(report_id))
    _remove_parts(report_id)
    return True


def _period_of(report) -> Period:
    return Period(report.period_label, report.period_start, report.period_end)


def report_notify(report_id: int) -> int:
    """Tell each recipient (the schedule's, or the requester) that the report is ready; the number
    of people told. A recipient with an account that may read the report gets a notification (its
    inbox, and an e-mail as they chose for « rapport »). Anyone else gets the report's e-mail: the
    PDF up to ATC_REPORT_ATTACH_MAX_BYTES travels attached, a bigger one as a signed link of that
    recipient's (`report_link_token`), which needs no account. A report re-issued after an erasure
    is not announced again: its link has not changed."""
    report = EvaluationReport.objects.select_related("schedule", "requested_by").get(pk=report_id)
    if report.reissued_at is not None:
        return 0
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
        "link": absolute_url(reverse("reports:report_detail", args=[report.public_id])),
    }
    readers = _report_readers(report, recipients)
    notify(
        notification_kinds.REPORT,
        recipients=readers,
        title=_("Rapport d'évaluation prêt : %(target)s, %(period)s") % context,
        body=_("Le rapport est prêt à télécharger depuis la plateforme."),
        url=reverse("reports:report_detail", args=[report.public_id]),
        dedupe_key=f"report-ready:{report.pk}",
        site=report.site,
    )
    told = {person.email.lower() for person in readers}
    by_mail = [address for address in recipients if address.lower() not in told]
    return len(readers) + _report_mails_send(report, context, by_mail)


def _report_readers(report: EvaluationReport, addresses: list[str]) -> list[User]:
    """The recipients with an active account who may read the report on the platform."""
    people = User.objects.filter(email__in=sorted({a.lower() for a in addresses}), is_active=True)
    this_report = EvaluationReport.objects.filter(pk=report.pk)
    return [person for person in people if readable_reports(person, this_report).exists()]


def _report_mails_send(report: EvaluationReport, context: dict, recipients: list[str]) -> int:
    if not recipients:
        return 0
    subject = _("[ATC] Rapport d'évaluation prêt : %(target)s, %(period)s") % context
    pdf_bytes = _attachable_pdf(report)
    messages = []
    for address in recipients:
        signed = None
        if pdf_bytes is None and report.file:
            token = report_link_token(report=report, recipient=address)
            signed = absolute_url(reverse("reports:report_link", args=[report.public_id, token]))
        body = render_to_string(
            "reports/email_ready.txt",
            {
                **context,
                "attached": pdf_bytes is not None,
                "signed_link": signed,
                "days": settings.ATC_REPORT_LINK_DAYS,
            },
        )
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        if pdf_bytes is not None:
            message.attach(report_download_name(report), pdf_bytes, "application/pdf")
        messages.append(message)
    return get_connection(fail_silently=False).send_messages(messages) or 0


def _attachable_pdf(report: EvaluationReport) -> bytes | None:
    """The report's PDF when it is small enough to travel in an e-mail, else None."""
    if not report.file:
        return None
    try:
        if report.file.size > settings.ATC_REPORT_ATTACH_MAX_BYTES:
            return None
        with report.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def report_download_name(report: EvaluationReport, extension: str = "pdf") -> str:
    """The name a downloaded or attached report carries: `rapport-site-marseille-2021-T1.pdf`
    (`.odt`, `.docx` for its editable versions)."""
    return f"rapport-{target_of(report).slug}-{report.period_label.replace('..', '-au-')}.{extension}"


# --- Signed links: a report for a recipient, without an account -------------------------------

REPORT_LINK_SALT = "atc.evaluation.reports.link"


class ReportLinkExpired(Exception):
    """The link was genuine but is older than ATC_REPORT_LINK_DAYS."""


class ReportLinkInvalid(Exception):
    """The link was altered, is for another report, or its report is gone."""


def report_link_token(*, report: EvaluationReport, recipient: str) -> str:
    """A signed, timestamped token naming the report and the recipient it was sent to."""
    signer = signing.TimestampSigner(salt=REPORT_LINK_SALT)
    return signer.sign_object({"report": str(report.public_id), "to": recipient})


def report_link_open(*, public_id, token: str) -> EvaluationReport:
    """The finished report a signed link opens, its use logged (ReportLinkUse). Raises
    ReportLinkExpired or ReportLinkInvalid: a token opens only the report it names."""
    signer = signing.TimestampSigner(salt=REPORT_LINK_SALT)
    try:
        data = signer.unsign_object(token, max_age=dt.timedelta(days=settings.ATC_REPORT_LINK_DAYS))
    except signing.SignatureExpired as exc:
        raise ReportLinkExpired from exc
    except signing.BadSignature as exc:
        raise ReportLinkInvalid from exc
    if not isinstance(data, dict) or data.get("report") != str(public_id):
        raise ReportLinkInvalid
    report = (
        EvaluationReport.objects.filter(public_id=public_id, status=EvaluationReport.Status.DONE)
        .exclude(file="")
        .first()
    )
    if report is None:
        raise ReportLinkInvalid
    ReportLinkUse.objects.create(report=report, recipient=str(data.get("to", ""))[:254])
    return report


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
    draft = not schedule.issue_automatically
    try:
        with transaction.atomic():
            report = report_request(
                user=None, target=target_of(schedule), period=period, schedule=schedule, draft=draft
            )
    except IntegrityError:
        return FireResult(EvaluationReport.objects.get(**lookup), False)
    if draft:
        _draft_notify(report)
    return FireResult(report, True)


def _draft_notify(report: EvaluationReport) -> None:
    """Tell the national team that a scheduled report waits for their review as a draft."""
    context = {"target": target_of(report).title, "period": _period_of(report).title}
    notify(
        notification_kinds.REPORT,
        recipients=list(national_team()),
        title=_("Rapport programmé en brouillon, à relire et émettre : %(target)s, %(period)s") % context,
        body=_("Rédigez l'introduction, les commentaires et la conclusion, puis émettez le rapport."),
        url=reverse("reports:report_narrative", args=[report.public_id]),
        dedupe_key=f"report-draft:{report.pk}",
        site=report.site,
    )


def schedule_sync(schedule: ReportSchedule) -> None:
    """Mirror a schedule in django-celery-beat: its crontab and periodic task, enabled or not."""
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month=str(schedule.day_of_month),
        month_of_year=CRON_MONTHS[schedule.periodicity],
        timezone=settings.TIME_ZONE,
    )
    task = schedule.periodic_task or PeriodicTask(name=f"rapport-programme-{schedule.pk}")
    task.task = FIRE_SCHEDULE_TASK
    task.crontab = crontab
    task.interval = None
    task.args = f"[{schedule.pk}]"
    task.enabled = schedule.is_active
    task.description = schedule.name
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


def schedule_save(*, data: Mapping[str, Any], schedule: ReportSchedule | None = None) -> ReportSchedule:
    """Create a schedule, or update `schedule`, from validated data (ReportScheduleForm's fields),
    and its beat entry with it."""
    schedule = schedule if schedule is not None else ReportSchedule()
    with transaction.atomic():
        created = schedule.pk is None
        many = assign(schedule, data)
        schedule.save()
        set_many(schedule, many, created=created)
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
