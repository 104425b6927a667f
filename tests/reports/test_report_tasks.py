"""A report request is a row written with the click, published after commit, built once, frozen,
and mailed; failures are recorded with their reason."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from atc.periods import parse_period
from evaluation.models import EvaluationReport, Periodicity
from evaluation.reports import services as reporting
from evaluation.reports.pdf import RenderError, render_to_file
from evaluation.reports.scopes import parse_scope
from evaluation.reports.tasks import build_report, fire_report_schedule
from tests.reports.factories import EvaluationReportFactory, ReportScheduleFactory

Status = EvaluationReport.Status


def _report_files() -> list[Path]:
    """The issued reports' PDFs (each has its ODT and DOCX beside it, tested in test_editable_reports)."""
    return sorted(Path(settings.MEDIA_ROOT).glob("reports/*/*.pdf"))


def test_the_task_is_published_only_once_the_request_is_committed(
    national_team, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = reporting.report_request(
            user=national_team, target=parse_scope("site:marseille"), period=parse_period("2021-Q1")
        )
    report.refresh_from_db()
    assert (report.status, report.enqueued_at) == (Status.QUEUED, None)
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the commit happens: the (eager) worker builds it, then mails

    report.refresh_from_db()
    assert report.status == Status.DONE
    assert report.enqueued_at is not None
    assert report.page_count > 1
    assert Path(report.file.path).read_bytes().startswith(b"%PDF")
    assert [m.to for m in mailoutbox] == [["national@example.org"]]
    assert "Rapport d'évaluation prêt" in mailoutbox[0].subject
    # The requester is notified: the e-mail's link opens the notification, which leads to the report.
    notification = national_team.notifications.get(kind="report")
    assert notification.url == f"/rapports/{report.public_id}/"
    assert f"/notifications/{notification.pk}/" in mailoutbox[0].body


def test_running_the_task_twice_gives_one_report_and_one_file(db):
    report = EvaluationReportFactory(on_site=True)

    build_report.apply(args=[report.pk], task_id="delivery-1")
    report.refresh_from_db()
    first = (report.file.name, report.finished_at, report.attempts)
    build_report.apply(args=[report.pk], task_id="delivery-2")

    report.refresh_from_db()
    assert report.status == Status.DONE
    assert (report.file.name, report.finished_at, report.attempts) == first
    assert len(_report_files()) == 1
    assert EvaluationReport.objects.count() == 1


def test_a_redelivered_task_takes_over_its_own_interrupted_render(db):
    report = EvaluationReportFactory(on_site=True)
    reporting._claim(report.pk, "delivery-1")  # the worker died after claiming it

    build_report.apply(args=[report.pk], task_id="delivery-2")  # another delivery: not its row
    report.refresh_from_db()
    assert report.status == Status.RUNNING

    build_report.apply(args=[report.pk], task_id="delivery-1")  # the same message, redelivered
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Status.DONE, 2)


def test_an_issued_report_is_never_overwritten_a_new_request_is_a_new_row(db, national_team):
    first = EvaluationReportFactory(on_site=True)
    build_report.apply(args=[first.pk])
    first.refresh_from_db()
    content = Path(first.file.path).read_bytes()

    second = reporting.report_request(
        user=national_team, target=parse_scope("site:marseille"), period=parse_period("2021-Q1")
    )
    build_report.apply(args=[second.pk])

    second.refresh_from_db()
    assert second.pk != first.pk and second.file.name != first.file.name
    assert Path(first.file.path).read_bytes() == content
    assert len(_report_files()) == 2


def test_a_schedule_firing_twice_for_the_same_period_gives_one_report(db, mailoutbox):
    schedule = ReportScheduleFactory(periodicity=Periodicity.QUARTER)
    today = datetime.date(2021, 4, 5)

    first = reporting.schedule_fire(schedule_id=schedule.pk, today=today)
    second = reporting.schedule_fire(schedule_id=schedule.pk, today=today)

    assert first.created and not second.created
    assert first.report.pk == second.report.pk
    assert EvaluationReport.objects.filter(schedule=schedule).count() == 1
    assert first.report.period_label == "2021-T1"


def test_the_beat_task_of_a_schedule_requests_and_mails_the_report(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    schedule = ReportScheduleFactory()

    with django_capture_on_commit_callbacks(execute=True):
        fire_report_schedule.apply(args=[schedule.pk])

    report = EvaluationReport.objects.get(schedule=schedule)
    assert report.status == Status.DONE
    assert sorted(to for message in mailoutbox for to in message.to) == [
        "anct@example.org",
        "comite@example.org",
    ]


def test_a_schedule_is_mirrored_in_celery_beat(db):
    from django_celery_beat.models import PeriodicTask

    schedule = ReportScheduleFactory(periodicity=Periodicity.HALF_YEAR, day_of_month=10)
    reporting.schedule_sync(schedule)
    reporting.schedule_set_active(schedule=schedule, active=False)

    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.task == "evaluation.fire_report_schedule"
    assert task.args == f"[{schedule.pk}]"
    assert (task.crontab.day_of_month, task.crontab.month_of_year) == ("10", "1,7")
    assert task.enabled is False


def test_a_render_over_the_memory_ceiling_fails_with_the_reason(db, settings):
    settings.ATC_REPORT_MEMORY_MB = 64
    report = EvaluationReportFactory(on_site=True)

    build_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "mémoire" in report.error or "arrêté" in report.error
    assert _report_files() == []


def test_a_render_over_its_time_limit_is_stopped(tmp_path):
    html = "<html><body>" + "<p>Une page de plus.</p>" * 20000 + "</body></html>"

    with pytest.raises(RenderError, match="limite de 1 s"):
        render_to_file(html, tmp_path / "long.pdf", seconds=1)
    assert not (tmp_path / "long.pdf").exists()


def test_after_too_many_attempts_the_report_is_failed_with_the_reason(db, settings):
    report = EvaluationReportFactory(on_site=True, attempts=settings.ATC_REPORT_MAX_ATTEMPTS)

    build_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "tentatives" in report.error
