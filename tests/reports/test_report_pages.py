"""The national team asks for a report in the browser, follows its status and downloads it."""

import datetime
import html
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import EvaluationReport, EvaluationReportPart, ReportSchedule
from evaluation.reports.tasks import build_report, resend_pending_reports
from tests.reports.factories import EvaluationReportFactory, ReportScheduleFactory

Status = EvaluationReport.Status


@pytest.fixture
def national_client(client, national_team):
    client.force_login(national_team)
    return client


def test_a_request_from_the_browser_is_built_and_downloadable(
    national_client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = national_client.post(
            reverse("reports:report_request"), {"scope": "site", "site": _marseille_pk(), "period": "2021-Q1"}
        )

    report = EvaluationReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[report.public_id])
    page = national_client.get(response["Location"])
    assert "Prêt le" in page.content.decode()
    download = national_client.get(reverse("reports:report_download", args=[report.public_id]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert 'filename="rapport-site-marseille-2021-T1.pdf"' in download["Content-Disposition"]


def _marseille_pk():
    from sites.models import Site

    return Site.objects.get(slug="marseille").pk


def test_an_invalid_request_saves_nothing_and_says_what_to_type(national_client):
    response = national_client.post(reverse("reports:report_request"), {"scope": "site", "period": "T1"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez le site du rapport." in content
    assert "T1 2021" in content
    assert EvaluationReport.objects.count() == 0


def test_the_status_fragment_polls_while_pending_and_stops_once_done(national_client):
    report = EvaluationReportFactory()
    url = reverse("reports:report_detail", args=[report.public_id])

    fragment = national_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="report-status"')
    assert 'hx-trigger="every 2s"' in fragment
    assert "Actualiser l'état" in fragment  # the way without JavaScript

    build_report.apply(args=[report.pk])
    fragment = national_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert "Télécharger le rapport (PDF)" in fragment


def test_while_a_report_in_parts_runs_the_status_says_how_many_parts_are_rendered(
    national_client, django_assert_max_num_queries
):
    report = EvaluationReportFactory(status=Status.RUNNING, started_at=timezone.now())
    EvaluationReportPart.objects.bulk_create(
        EvaluationReportPart(report=report, index=index, finished_at=timezone.now() if index < 5 else None)
        for index in range(33)
    )
    url = reverse("reports:report_detail", args=[report.public_id])

    # One query counts the parts, however many there are.
    with django_assert_max_num_queries(9):
        fragment = national_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'aria-live="polite"' in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert "Parties rendues : 5 sur 33" in fragment
    assert '<progress id="report-parts" max="33" value="5">' in fragment
    assert "assemblage du rapport en cours" not in fragment

    report.parts.update(finished_at=timezone.now())
    page = national_client.get(url).content.decode()
    assert "Parties rendues : 33 sur 33" in page
    assert "Toutes les parties sont rendues : assemblage du rapport en cours." in page


def test_a_report_rendered_at_once_shows_no_parts(national_client):
    report = EvaluationReportFactory(status=Status.RUNNING, started_at=timezone.now())

    fragment = national_client.get(
        reverse("reports:report_detail", args=[report.public_id]), headers={"HX-Request": "true"}
    ).content.decode()

    assert "Fabrication commencée" in fragment
    assert "Parties rendues" not in fragment


def test_a_failed_report_shows_its_reason(national_client):
    report = EvaluationReportFactory(failed=True)

    content = national_client.get(reverse("reports:report_detail", args=[report.public_id])).content.decode()

    assert "Échec" in content and "Le rendu a échoué." in content


def test_a_report_not_ready_cannot_be_downloaded(national_client):
    report = EvaluationReportFactory()

    response = national_client.get(reverse("reports:report_download", args=[report.public_id]))

    assert response.status_code == 404


def test_a_done_report_whose_file_is_gone_answers_404(national_client):
    report = EvaluationReportFactory(on_site=True)
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == EvaluationReport.Status.DONE
    Path(report.file.path).unlink()

    response = national_client.get(reverse("reports:report_download", args=[report.public_id]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["facilitator", "network_coordinator", "prefet_delegate"])
def test_national_reports_belong_to_the_national_team(client, personas, persona):
    report = EvaluationReportFactory()
    client.force_login(personas[persona])

    assert client.get(reverse("reports:report_download", args=[report.public_id])).status_code == 404
    assert str(report.public_id) not in client.get(reverse("reports:report_list")).content.decode()


def test_the_history_lists_every_report_in_a_fixed_number_of_queries(
    national_client, django_assert_max_num_queries
):
    for _index in range(5):
        EvaluationReportFactory(on_site=True)
    EvaluationReportFactory(schedule=ReportScheduleFactory())

    with django_assert_max_num_queries(12):
        response = national_client.get(reverse("reports:report_list"))

    assert response.content.decode().count("/rapports/") >= 6


def test_the_national_team_creates_edits_and_pauses_a_schedule(national_client):
    from django_celery_beat.models import PeriodicTask

    response = national_client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Rapport national trimestriel",
            "scope": "national",
            "periodicity": "quarter",
            "day_of_month": 5,
            "recipients": "comite@example.org\nanct@example.org",
        },
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert PeriodicTask.objects.get(pk=schedule.periodic_task_id).enabled

    listing = national_client.get(reverse("reports:schedule_list")).content.decode()
    assert "Rapport national trimestriel" in listing and "comite@example.org" in listing

    national_client.post(reverse("reports:schedule_toggle", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert not schedule.is_active
    assert not PeriodicTask.objects.get(pk=schedule.periodic_task_id).enabled


def test_a_schedule_with_a_bad_address_is_refused(national_client):
    response = national_client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Réseau",
            "scope": "network",
            "periodicity": "half_year",
            "day_of_month": 5,
            "recipients": "pas-une-adresse",
        },
    )

    content = response.content.decode()
    assert "Choisissez la tête de réseau du rapport." in content
    assert ReportSchedule.objects.count() == 0


def test_with_the_broker_down_the_page_answers_at_once_and_the_request_is_sent_later(
    national_client, django_capture_on_commit_callbacks, unreachable_broker
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = national_client.post(
            reverse("reports:report_request"), {"scope": "national", "period": "2021-Q1"}
        )
    elapsed = time.monotonic() - started

    report = EvaluationReport.objects.get()
    assert response.status_code == 302
    assert elapsed < 5, f"the page waited {elapsed:.1f} s for the broker"
    assert (report.status, report.enqueued_at) == (Status.QUEUED, None)
    assert "momentanément injoignable" in national_client.get(response["Location"]).content.decode()

    unreachable_broker.restore()  # the broker is back: beat's sweep sends it again
    resend_pending_reports.apply()

    report.refresh_from_db()
    assert report.status == Status.DONE
    assert report.enqueued_at is not None


def test_the_report_form_reads_a_quarter_as_people_write_it(
    national_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = national_client.post(
            reverse("reports:report_request"), {"scope": "national", "period": "T1 2021"}
        )
    assert response.status_code == 302
    report = EvaluationReport.objects.get()
    assert (report.period_start, report.period_end, report.period_label) == (
        datetime.date(2021, 1, 1),
        datetime.date(2021, 3, 31),
        "2021-T1",
    )


@pytest.mark.parametrize(
    ("period", "message"), [("T5 2021", "Période illisible"), ("9999", "entre 2000 et 2100")]
)
def test_an_unreadable_period_is_said_once_next_to_the_field(national_client, period, message):
    response = national_client.post(
        reverse("reports:report_request"), {"scope": "national", "period": period}
    )
    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert content.count(message) == 1
    assert EvaluationReport.objects.count() == 0
