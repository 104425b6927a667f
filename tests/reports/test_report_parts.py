"""Large reports: over ATC_REPORT_SITE_ROWS_MAX sites the summary shows how the sites spread
instead of a row per site; over ATC_REPORT_SECTIONS_PER_PART sites the worker renders the report in
parts (the summary, then runs of site sections) and merges them, with an index of the sites' pages.

The 15 demo sites stand for 1,600: the tests lower both settings instead of creating sites.
"""

import datetime
import re
from pathlib import Path

import pypdf
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from evaluation.models import EvaluationReport
from evaluation.reports import services as reporting
from evaluation.reports.tasks import build_report, build_report_part
from sites.models import ContextEvent, Site
from tests.reports.factories import EvaluationReportFactory

Status = EvaluationReport.Status
D = datetime.date


def _pages(path) -> list[str]:
    return [
        " ".join(page.extract_text().replace("\u00a0", " ").replace("\u202f", " ").split())
        for page in pypdf.PdfReader(path).pages
    ]


def _report_pages(report: EvaluationReport) -> list[str]:
    with report.file.open("rb") as handle:
        return _pages(handle)


def _media_files() -> list[Path]:
    return sorted(path for path in Path(django_settings.MEDIA_ROOT).rglob("*") if path.is_file())


def _stored(report: EvaluationReport) -> Path:
    """Where the local storage of the tests keeps the report's file."""
    return Path(django_settings.MEDIA_ROOT) / report.file.name


@pytest.fixture
def context_events(evaluation_data):
    """A national event and one of Marseille's, both in Q3 2020."""
    ContextEvent.objects.create(
        kind=ContextEvent.Kind.LOCKDOWN, title="Couvre-feu national", start_date=D(2020, 7, 15)
    )
    ContextEvent.objects.create(
        site=evaluation_data["marseille"],
        kind=ContextEvent.Kind.ELECTION,
        title="Élections municipales partielles",
        start_date=D(2020, 9, 6),
    )
    return evaluation_data


def test_under_the_threshold_the_summary_lists_every_event_and_no_spread(context_events, tmp_path):
    output = tmp_path / "national.pdf"

    call_command("build_report", scope="national", period="2020-Q3", output=str(output))

    text = " ".join(_pages(output))
    assert "Répartition entre les sites" not in text
    assert "Les 10 sites les plus hauts" not in text
    context = text[text.index("Contexte de la période 15 juillet 2020") :]
    assert "15 juillet 2020 — Couvre-feu national (Confinement / crise sanitaire, National)" in context
    assert (
        "6 septembre 2020 — Élections municipales partielles (Élections, Marseille – Frais Vallon)" in context
    )


def test_over_the_threshold_the_summary_shows_how_the_sites_spread(context_events, tmp_path, settings):
    settings.ATC_REPORT_SITE_ROWS_MAX = 10
    output = tmp_path / "national.pdf"

    call_command("build_report", scope="national", period="2020-Q3", output=str(output))

    pages = _pages(output)
    text = " ".join(pages)
    assert "Répartition entre les sites" in text
    assert (
        "Les chiffres site par site figurent dans la section de chaque site et dans les exports XLSX" in text
    )
    # FTE per site: 0,4 (Marseille), 0,8 (13 sites), 1,2 (Tourcoing): quartiles 0,8 / 0,8 / 0,8.
    assert "Temps d'animation (ETP, sites avec animateur·rice) 15 0,4 0,8 0,8 0,8 1,2 0,8" in text
    assert "Les 10 sites les plus hauts — Réunions de la période" in text
    assert "Les 10 sites les plus bas — Organisations présentes aux réunions de la période" in text
    # Marseille held the most meetings of the quarter (two steering meetings).
    assert "1 Marseille – Frais Vallon FCSF 2" in text
    # The summary gives the national event and a count of the local ones; Marseille's own
    # section lists its election.
    context = text[text.index("Contexte de la période 1 événement local") : text.index("Chiffres clés —")]
    assert "1 événement local, listé dans la section de son site (1 site). Élections 1." in context
    assert "Couvre-feu national (Confinement / crise sanitaire, National)" in context
    assert "Élections municipales partielles" not in context
    marseille = text[text.index("Chiffres clés — Marseille") : text.index("Chiffres clés — Roubaix")]
    assert (
        "Contexte de la période 6 septembre 2020 — Élections municipales partielles (Élections)" in marseille
    )


def test_a_large_report_is_rendered_in_parts_and_merged_with_an_index_of_the_sites(
    evaluation_data, national_team, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.ATC_REPORT_SECTIONS_PER_PART = 4
    report = EvaluationReportFactory(
        period_label="2020-Q3",
        period_start=D(2020, 7, 1),
        period_end=D(2020, 9, 30),
        requested_by=national_team,
    )

    with django_capture_on_commit_callbacks(execute=True):
        build_report.apply(args=[report.pk], task_id="delivery-1")

    report.refresh_from_db()
    assert report.status == Status.DONE, report.error
    parts = list(report.parts.order_by("index"))
    assert [len(part.site_ids) for part in parts] == [0, 4, 4, 4, 3]
    pages = _report_pages(report)
    text = " ".join(pages)
    assert report.page_count == len(pages)
    index_pages = [number for number, page in enumerate(pages, start=1) if page.startswith("Index des sites")]
    assert report.page_count == sum(part.page_count for part in parts) + len(index_pages)
    # The summary's figures, and every site's section.
    assert "de 0,4 à 1,2, moyenne 0,8" in text
    assert "17 sur 10 territoires" in text
    for site in Site.objects.all():
        assert f"Chiffres clés — {site.name}" in text
    # The index gives the page on which each section begins in the merged document.
    index = " ".join(pages[number - 1] for number in index_pages)
    for site in Site.objects.all():
        page = int(re.search(rf"{re.escape(site.name)} \S+ (\d+)", index).group(1))
        assert pages[page - 1].startswith(site.name), site.name
    # The table of contents of the summary has its page numbers (the cover, the one-page summary,
    # the table of contents, then the chapters).
    assert re.search(r"Sommaire L'essentiel de la période \.+ 2 Méthode et sources \.+ \d+", text)
    # Nothing of the parts is left; only the frozen report is, and its requester is told once.
    assert _media_files() == [_stored(report)]
    assert default_storage.listdir(reporting.PARTS_DIR) == ([], [])
    assert [mail.to for mail in mailoutbox] == [["national@example.org"]]


def test_a_part_delivered_twice_is_rendered_once(
    evaluation_data, national_team, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.ATC_REPORT_SECTIONS_PER_PART = 4
    report = EvaluationReportFactory(requested_by=national_team)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        build_report.apply(args=[report.pk], task_id="delivery-1")  # the parts are planned
    assert len(queued) == 1

    build_report_part.apply(args=[report.pk, 2])
    part = report.parts.get(index=2)
    name = reporting.part_file_name(report.pk, 2)
    first = (part.finished_at, default_storage.get_modified_time(name))
    build_report_part.apply(args=[report.pk, 2])  # redelivered

    part.refresh_from_db()
    assert (part.finished_at, default_storage.get_modified_time(name)) == first
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the other parts, then the merge
    report.refresh_from_db()
    assert report.status == Status.DONE, report.error
    done = (report.file.name, report.finished_at, report.page_count)

    build_report_part.apply(args=[report.pk, 2])  # a late redelivery after the merge
    report.refresh_from_db()
    assert (report.file.name, report.finished_at, report.page_count) == done
    assert _media_files() == [_stored(report)]
    assert len(mailoutbox) == 1


def test_a_failing_part_fails_the_report_with_its_reason_and_leaves_no_file(
    evaluation_data, national_team, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.ATC_REPORT_SECTIONS_PER_PART = 4
    report = EvaluationReportFactory(requested_by=national_team)
    with django_capture_on_commit_callbacks(execute=False):
        build_report.apply(args=[report.pk], task_id="delivery-1")
    build_report_part.apply(args=[report.pk, 0])
    build_report_part.apply(args=[report.pk, 1])
    assert len(_media_files()) == 2

    settings.ATC_REPORT_MEMORY_MB = 64
    build_report_part.apply(args=[report.pk, 2])  # out of memory
    settings.ATC_REPORT_MEMORY_MB = 3072
    with django_capture_on_commit_callbacks(execute=True):
        build_report_part.apply(args=[report.pk, 3])  # comes too late: nothing to do
        build_report_part.apply(args=[report.pk, 4])

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.error.startswith("Partie 2 du rapport : ")
    assert "mémoire" in report.error or "arrêté" in report.error
    assert not report.file
    assert _media_files() == []
    assert mailoutbox == []


def test_a_merge_over_the_memory_ceiling_fails_the_report_with_its_reason_and_leaves_no_file(
    evaluation_data, national_team, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.ATC_REPORT_SECTIONS_PER_PART = 4
    report = EvaluationReportFactory(requested_by=national_team)
    with django_capture_on_commit_callbacks(execute=False):
        build_report.apply(args=[report.pk], task_id="delivery-1")
    for index in range(4):
        build_report_part.apply(args=[report.pk, index])
    with django_capture_on_commit_callbacks(execute=False) as merge:
        build_report_part.apply(args=[report.pk, 4])  # the last part queues the merge
    assert len(merge) == 1
    assert len(_media_files()) == 5

    # The merge runs in a child under the renders' ceiling: a ceiling the worker itself is far
    # above stops it there.
    settings.ATC_REPORT_MEMORY_MB = 64
    merge[0]()

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.error.startswith("Assemblage du rapport : L'assemblage des parties ")
    assert "mémoire" in report.error
    assert not report.file
    assert _media_files() == []
    assert mailoutbox == []


def test_the_command_renders_a_large_report_through_the_same_parts(evaluation_data, tmp_path, settings):
    settings.ATC_REPORT_SECTIONS_PER_PART = 4
    output = tmp_path / "national.pdf"

    call_command("build_report", scope="national", period="2020-Q3", output=str(output))

    pages = _pages(output)
    assert any(page.startswith("Index des sites") for page in pages)
    for site in Site.objects.all():
        assert any(page.startswith(site.name) for page in pages), site.name
    assert sorted(path.name for path in tmp_path.iterdir()) == ["national.pdf"]


def test_a_report_in_parts_is_resent_only_once_its_parts_stop_finishing(
    evaluation_data, settings, django_capture_on_commit_callbacks
):
    settings.ATC_REPORT_SECTIONS_PER_PART = 4
    report = EvaluationReportFactory()
    with django_capture_on_commit_callbacks(execute=False):
        build_report.apply(args=[report.pk], task_id="delivery-1")
    build_report_part.apply(args=[report.pk, 1])
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.ATC_REPORT_TIME_LIMIT + 120)
    EvaluationReport.objects.filter(pk=report.pk).update(started_at=long_ago)

    assert reporting.reports_resend_pending() == 0  # started long ago, but a part just finished

    report.parts.filter(finished_at__isnull=False).update(finished_at=long_ago)
    with django_capture_on_commit_callbacks(execute=False):
        assert reporting.reports_resend_pending() == 1  # nothing moves any more: its worker is lost
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Status.RUNNING, 2)
