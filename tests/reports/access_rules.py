"""Who may open the evaluation's pages: reports (anyone holding a role, scoped: a site report is
read by those who read the site), schedules, indicators, the national committee and events (the
national team), and the exports (anyone signed in, scoped)."""

import io
import zipfile

from django.core.files.base import ContentFile

from evaluation.models import EvaluationReport, ReportNarrative
from evaluation.reports.services import report_link_token
from pilotage.models import Meeting
from tests.access import (
    AUTHENTICATED,
    NATIONAL,
    PUBLIC,
    REPORT_NARRATIVE,
    ROLE_HOLDER,
    SITE_READ,
    SITE_WRITE,
    Rule,
)
from tests.reports.factories import EvaluationReportFactory, IndicatorFactory, ReportScheduleFactory


def _report(o):
    return {"public_id": o["report"].public_id}


def _signed_link(o):
    token = report_link_token(report=o["report"], recipient="elu@mairie.example.org")
    return {"public_id": o["report"].public_id, "token": token}


def _schedule(o):
    return {"pk": o["schedule"].pk}


def _schedule_post(o):
    return {
        "name": f"Rapport du site {o['site'].slug}",
        "scope": "site",
        "site": o["site"].pk,
        "periodicity": "half_year",
        "day_of_month": 5,
        "recipients": "comite@example.org",
    }


RULES = {
    "reports:report_list": Rule(ROLE_HOLDER),
    # An allowed POST answers 302 (in scope) or 200 with the form's error (the national scope);
    # who may ask for which target is tested in test_report_scope.
    "reports:report_request": Rule(
        ROLE_HOLDER, methods=("GET", "POST"), post_data=lambda o: {"scope": "national", "period": "2021-Q1"}
    ),
    "reports:report_detail": Rule(SITE_READ, _report),
    "reports:report_download": Rule(SITE_READ, _report),
    # A draft site report's texts and its issue: the national team and the site's network
    # coordinators (tested further in test_report_narrative).
    "reports:report_narrative": Rule(
        REPORT_NARRATIVE,
        lambda o: {"public_id": o["draft_report"].public_id},
        ("GET", "POST"),
        lambda o: {"introduction": "Une année de coopération."},
    ),
    "reports:report_issue": Rule(
        REPORT_NARRATIVE, lambda o: {"public_id": o["draft_report"].public_id}, ("POST",), lambda o: {}
    ),
    # The editable versions: the same readers as the PDF.
    "reports:report_download_editable": Rule(SITE_READ, lambda o: {**_report(o), "extension": "docx"}),
    # The e-mailed signed link opens its one report for whoever holds it (tested in test_report_email).
    "reports:report_link": Rule(PUBLIC, _signed_link),
    "reports:schedule_list": Rule(NATIONAL),
    "reports:schedule_create": Rule(NATIONAL, methods=("GET", "POST"), post_data=_schedule_post),
    "reports:schedule_edit": Rule(NATIONAL, _schedule, ("GET", "POST"), _schedule_post),
    "reports:schedule_toggle": Rule(NATIONAL, _schedule, ("POST",), lambda o: {}),
    "indicators:indicator_list": Rule(NATIONAL),
    "indicators:indicator_create": Rule(NATIONAL),
    "indicators:indicator_edit": Rule(NATIONAL, lambda o: {"pk": o["indicator"].pk}),
    "indicators:indicator_values_latest": Rule(
        SITE_WRITE, lambda o: {"slug": o["site"].slug}, redirects=True
    ),
    "indicators:indicator_values": Rule(
        SITE_WRITE,
        lambda o: {"slug": o["site"].slug, "period": "2021-Q1"},
        ("GET", "POST"),
        lambda o: {f"value_{o['indicator'].pk}": "12"},
    ),
    "national:national_home": Rule(NATIONAL),
    "national:national_member_create": Rule(
        NATIONAL,
        methods=("GET", "POST"),
        post_data=lambda o: {"organisation_name": f"ANCT {o['site'].slug}", "category": "state"},
    ),
    "national:national_meeting_create": Rule(NATIONAL),
    "national:national_meeting_detail": Rule(NATIONAL, lambda o: {"pk": o["national_meeting"].pk}),
    "national:national_meeting_edit": Rule(NATIONAL, lambda o: {"pk": o["national_meeting"].pk}),
    # Anyone signed in; the rows are their own scope's (tested in test_exports).
    "exports:export_index": Rule(AUTHENTICATED),
    "exports:export_download": Rule(AUTHENTICATED, lambda o: {"dataset": "reunions", "fmt": "csv"}),
}


def editable_stand_in(text: str) -> bytes:
    """A small stand-in for an editable report: a zip whose document holds `text`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<document>{text}</document>")
    return buffer.getvalue()


def build(site, user):
    """A finished site report (with a small stand-in file), a schedule and an indicator."""
    report = EvaluationReportFactory(on_site=True, site=site, status=EvaluationReport.Status.DONE)
    report.file.save(f"reports/acces-{site.slug}.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    report.docx_file.save(
        f"reports/acces-{site.slug}.docx", ContentFile(editable_stand_in(site.name)), save=True
    )
    draft = EvaluationReportFactory(on_site=True, site=site, status=EvaluationReport.Status.DRAFT)
    ReportNarrative.objects.create(report=draft)
    schedule = ReportScheduleFactory(scope="site", site=site, name=f"Programmation {site.slug}")
    indicator = IndicatorFactory(code=f"indicateur-{site.slug}", name=f"Indicateur {site.slug}")
    national_meeting = Meeting.objects.create(
        site=None, kind=Meeting.Kind.NATIONAL_COMMITTEE, title=f"Comité national ({site.slug})"
    )
    return {
        "report": report,
        "draft_report": draft,
        "schedule": schedule,
        "indicator": indicator,
        "national_meeting": national_meeting,
    }
