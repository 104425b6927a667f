"""Pages of the evaluation reports: history, on-demand request with a status that updates and
access-checked download for everyone in scope (atc.permissions.readable_reports), and the schedules
(national team)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atc.periods import Period
from atc.permissions import (
    can_write_report_narrative,
    log_refusal,
    readable_reports,
    require_national,
    require_report_requester,
)
from atc.views import form_page
from evaluation.models import EvaluationReport, ReportNarrative, ReportSchedule
from evaluation.reports import services
from evaluation.reports.forms import NarrativeForm, ReportRequestForm, ReportScheduleForm

REPORTS_SHOWN = 100
POLL_SECONDS = 2


def report_list(request):
    require_report_requester(request)
    reports = readable_reports(
        request.user, EvaluationReport.objects.select_related("network", "site", "schedule", "requested_by")
    )
    return render(
        request,
        "reports/report_list.html",
        {"reports": reports[:REPORTS_SHOWN], "total": reports.count()},
    )


def report_request(request):
    require_report_requester(request)
    form = ReportRequestForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            draft = bool(form.cleaned_data.get("draft"))
            report = services.report_request(
                user=request.user, target=form.target(), period=form.cleaned_data["period"], draft=draft
            )
            if draft:
                messages.success(request, _("Brouillon créé : rédigez ses textes, puis émettez le rapport."))
                return redirect("reports:report_narrative", report.public_id)
            messages.success(request, _("Demande enregistrée : le rapport est en préparation."))
            return redirect("reports:report_detail", report.public_id)
        messages.error(request, _("La demande n'a pas été enregistrée : corrigez les erreurs."))
    return render(request, "reports/report_request.html", {"form": form})


def _get_report(request, public_id) -> EvaluationReport:
    """The report if the user may read it; a 404 otherwise (its existence is not revealed)."""
    reports = EvaluationReport.objects.select_related("network", "site", "schedule", "requested_by")
    report = readable_reports(request.user, reports).filter(public_id=public_id).first()
    if report is None:
        log_refusal(request, "out_of_scope", str(public_id))
        raise Http404("Rapport introuvable")
    return report


def _get_report_for_writer(request, public_id) -> EvaluationReport:
    """A report whose texts the user may write: 404 outside their reports, 403 for a reader who
    may not write them (the national team, or the report's network coordinators, write them)."""
    report = _get_report(request, public_id)
    if not can_write_report_narrative(request.user, report):
        log_refusal(request, "report_narrative_read_only", report.pk)
        raise PermissionDenied("Textes rédigés par l'équipe nationale ou la tête de réseau")
    return report


def _frozen(request, report: EvaluationReport):
    """An issued report is never edited: a 403 that says why and what to do."""
    log_refusal(request, "report_frozen", report.pk)
    context = {"report": report, "target": services.target_of(report).title}
    return render(request, "reports/report_frozen.html", context, status=403)


def report_narrative(request, public_id):
    """A draft's texts and picks; saved as often as wanted until the report is issued."""
    report = _get_report_for_writer(request, public_id)
    if report.status != EvaluationReport.Status.DRAFT:
        return _frozen(request, report)
    target = services.target_of(report)
    period = Period(report.period_label, report.period_start, report.period_end)
    initial = NarrativeForm.initial_of(ReportNarrative.objects.filter(report=report).first())
    form = NarrativeForm(request.POST or None, initial=initial, sites=target.sites(), period=period)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.narrative_save(report=report, user=request.user, **form.service_data())
            except services.ReportFrozen:
                return _frozen(request, report)
            messages.success(
                request, _("Textes enregistrés. Le rapport reste un brouillon jusqu'à son émission.")
            )
            return redirect("reports:report_narrative", report.public_id)
        messages.error(request, _("Les textes n'ont pas été enregistrés : corrigez les erreurs signalées."))
    context = {"report": report, "form": form, "target": target.title, "period": period.title}
    return render(request, "reports/report_narrative.html", context)


@require_POST
def report_issue(request, public_id):
    """Issue a draft: its PDF, ODT and DOCX are built with its texts, then frozen."""
    report = _get_report_for_writer(request, public_id)
    try:
        services.report_issue(report=report, user=request.user)
    except services.ReportFrozen:
        return _frozen(request, report)
    messages.success(request, _("Rapport émis : il est en fabrication et ne pourra plus être modifié."))
    return redirect("reports:report_detail", report.public_id)


def report_detail(request, public_id):
    """The report's status; while it is being made, htmx asks again every 2 s for the fragment."""
    report = _get_report(request, public_id)
    running = report.status == EvaluationReport.Status.RUNNING
    context = {
        "can_write_narrative": report.status == EvaluationReport.Status.DRAFT
        and can_write_report_narrative(request.user, report),
        "editable_pending": services.editable_pending(report),
        "report": report,
        "parts": report.parts_progress() if running else None,
        "target": services.target_of(report).title,
        "period": Period(report.period_label, report.period_start, report.period_end).title,
        "pending": report.status in (EvaluationReport.Status.QUEUED, EvaluationReport.Status.RUNNING),
        "poll_seconds": POLL_SECONDS,
    }
    if request.htmx:
        return render(request, "reports/_report_status.html", context)
    return render(request, "reports/report_detail.html", context)


def report_download(request, public_id):
    report = _get_report(request, public_id)
    if report.status != EvaluationReport.Status.DONE or not report.file:
        raise Http404("Rapport pas encore prêt")
    return _pdf_response(request, report)


def report_download_editable(request, public_id, extension):
    """The editable version (ODT or DOCX) of a finished report: same readers as its PDF."""
    report = _get_report(request, public_id)
    if extension not in services.EDITABLE_FORMATS:
        raise Http404("Format inconnu")
    content_type, field_name = services.EDITABLE_FORMATS[extension]
    stored = getattr(report, field_name)
    if report.status != EvaluationReport.Status.DONE or not stored:
        raise Http404("Version modifiable indisponible")
    name = services.report_download_name(report, extension)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        log_refusal(request, "file_missing", report.pk)
        raise Http404("Fichier du rapport introuvable") from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_not_required
def report_link(request, public_id, token):
    """A report e-mailed as a signed link: downloaded without an account until the link expires;
    an expired (410) or altered (403) link answers a page that says what to do."""
    try:
        report = services.report_link_open(public_id=public_id, token=token)
    except services.ReportLinkExpired:
        log_refusal(request, "report_link_expired", str(public_id))
        context = {"expired": True, "days": settings.ATC_REPORT_LINK_DAYS}
        return render(request, "reports/link_refused.html", context, status=410)
    except services.ReportLinkInvalid:
        log_refusal(request, "report_link_invalid", str(public_id))
        return render(request, "reports/link_refused.html", {"expired": False}, status=403)
    return _pdf_response(request, report)


def _pdf_response(request, report: EvaluationReport) -> FileResponse:
    name = services.report_download_name(report)
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        # The row says done but the file is gone (storage restored without it): a 404, not a 500.
        log_refusal(request, "file_missing", report.pk)
        raise Http404("Fichier du rapport introuvable") from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


def schedule_list(request):
    require_national(request)
    schedules = ReportSchedule.objects.select_related("network", "site")
    today = timezone.localdate()
    rows = [(s, services.next_run_text(s, today) if s.is_active else "") for s in schedules]
    return render(request, "reports/schedule_list.html", {"rows": rows})


def _schedule_form_page(request, schedule):
    form = ReportScheduleForm(request.POST or None, instance=schedule)
    heading = _("Modifier la programmation") if schedule.pk else _("Nouvelle programmation")
    list_url = reverse("reports:schedule_list")

    def save():
        services.schedule_save(data=form.cleaned_data, schedule=schedule)
        return list_url

    return form_page(
        request,
        form,
        save=save,
        saved=_("Programmation enregistrée."),
        not_saved=_("La programmation n'a pas été enregistrée : corrigez les erreurs."),
        heading=heading,
        parent_url=list_url,
        parent_label=_("Programmations de rapports"),
        current_label=schedule.name if schedule.pk else heading,
    )


def schedule_create(request):
    require_national(request)
    return _schedule_form_page(request, ReportSchedule())


def schedule_edit(request, pk):
    require_national(request)
    return _schedule_form_page(request, get_object_or_404(ReportSchedule, pk=pk))


@require_POST
def schedule_toggle(request, pk):
    """Pause or resume a schedule; its reports stay in the history."""
    require_national(request)
    schedule = get_object_or_404(ReportSchedule, pk=pk)
    services.schedule_set_active(schedule=schedule, active=not schedule.is_active)
    if schedule.is_active:
        messages.success(request, _("Programmation réactivée."))
    else:
        messages.success(request, _("Programmation suspendue : aucun nouveau rapport ne sera fait."))
    return redirect("reports:schedule_list")
