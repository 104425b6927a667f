"""Reports on an S3-compatible object store (ATC_STORAGE=s3, a local moto server: tests/objectstore.py).

What the issue asks to prove: a report rendered by a real Celery worker, whose media folder is an
empty folder of its own, is downloaded through the access-checked URL from a real web process
(gunicorn) with MEDIA_ROOT unset and a var folder of its own; no local folder receives a file, and
the bucket gives the file to no one without credentials. Then, in this process, a report in parts:
its parts wait in the bucket for the merge, which leaves only the report there.
"""

import datetime
import http.client
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pypdf
import pytest
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from atc.celery import app
from atc.periods import parse_period
from evaluation.models import EvaluationReport
from evaluation.reports import services as reporting
from evaluation.reports.scopes import parse_scope
from evaluation.reports.tasks import build_report
from sites.models import Site
from tests.atc.test_celery_worker import ROOT, _database_url, _start, _stop, _wait_for
from tests.objectstore import free_port, local_files, wait_for_http
from tests.reports.factories import EvaluationReportFactory

Status = EvaluationReport.Status


def _pdf_text(data: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _get(url: str, *, session: str = "") -> tuple[int, dict, bytes]:
    """A GET that does not follow redirects: status, headers, body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"} if session else {}
        connection.request("GET", parts.path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def web_process(bucket, tmp_path):
    """gunicorn on the test database and the bucket, with MEDIA_ROOT unset and a var folder of its
    own (where the media folder is by default) and a temporary folder of its own."""
    var, scratch = tmp_path / "web-var", tmp_path / "web-tmp"
    var.mkdir()
    scratch.mkdir()
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "MEDIA_ROOT"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "atc.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers=1",
        ],
        cwd=ROOT,
        env={
            **environment,
            "DJANGO_ENV": "test",
            "DATABASE_URL": _database_url(),
            "ATC_VAR_DIR": str(var),
            "TMPDIR": str(scratch),
            **bucket.environment(),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.base_url, process.var, process.scratch = f"http://127.0.0.1:{port}", var, scratch
    try:
        wait_for_http(f"{process.base_url}/sante/", process)
        yield process
    finally:
        print("Web process output:\n" + _stop(process)[-3000:])


@pytest.fixture
def s3_worker(bucket, tmp_path):
    """A real Celery worker on this test process's queue and the bucket, with a media folder and a
    temporary folder of its own, both empty; this process publishes to it."""
    media, scratch = tmp_path / "worker-media", tmp_path / "worker-tmp"
    media.mkdir()
    scratch.mkdir()
    process = _start(
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        extra_env={"MEDIA_ROOT": str(media), "TMPDIR": str(scratch), **bucket.environment()},
    )
    process.media, process.scratch = media, scratch
    app.conf.task_always_eager = False
    try:
        yield process
    finally:
        app.conf.task_always_eager = True
        if process.poll() is None:
            print("Worker output:\n" + _stop(process)[-3000:])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_rendered_by_a_worker_is_downloaded_from_another_machine_through_the_bucket(
    bucket, s3_media, s3_worker, web_process, national_team, client
):
    report = reporting.report_request(
        user=national_team, target=parse_scope("site:marseille"), period=parse_period("2021-Q1")
    )
    # Done with its editable versions (made right after the PDF), or failed.
    finished = _wait_for(
        lambda: EvaluationReport.objects.filter(
            Q(status=Status.DONE) & ~Q(docx_file="") | Q(status=Status.FAILED), pk=report.pk
        ).exists(),
        timeout=180,
    )
    output = _stop(s3_worker)
    report.refresh_from_db()
    assert finished and report.status == Status.DONE, f"{report.status} {report.error}\n{output[-3000:]}"
    assert bucket.keys() == sorted([report.file.name, report.odt_file.name, report.docx_file.name])

    client.force_login(national_team)
    url = web_process.base_url + reverse("reports:report_download", args=[report.public_id])
    status, headers, body = _get(url, session=client.cookies[settings.SESSION_COOKIE_NAME].value)

    assert status == 200, body[:500]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert body == bucket.read(report.file.name)
    assert Site.objects.get(slug="marseille").name in _pdf_text(body)
    # The view still checks access: without a session, the sign-in page, not the file.
    status, headers, _body = _get(url)
    assert status == 302 and headers["Location"].startswith(reverse("account_login"))
    # The bucket is private: without credentials the object is refused.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{bucket.endpoint}/{bucket.name}/{report.file.name}")
    assert refused.value.code == 403
    # No machine kept a file of its own: not the worker, not the web process, not this process.
    assert local_files(s3_worker.media) == []
    assert local_files(s3_worker.scratch) == []
    assert local_files(web_process.var) == []
    assert local_files(web_process.scratch) == []
    assert local_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_report_in_parts_keeps_its_parts_in_the_bucket_and_leaves_only_the_report(
    s3_media, settings, django_capture_on_commit_callbacks
):
    settings.ATC_REPORT_SECTIONS_PER_PART = 8
    report = EvaluationReportFactory(
        period_label="2020-Q3", period_start=datetime.date(2020, 7, 1), period_end=datetime.date(2020, 9, 30)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        build_report.apply(args=[report.pk], task_id="delivery-1")  # the parts are planned
    assert len(queued) == 1
    assert reporting.report_part_build(report_id=report.pk, index=1)
    assert s3_media.keys() == [reporting.part_file_name(report.pk, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the other parts, then the merge

    report.refresh_from_db()
    assert report.status == Status.DONE, report.error
    assert s3_media.keys() == [report.file.name]
    text = _pdf_text(s3_media.read(report.file.name))
    assert "Index des sites" in text
    for name in Site.objects.values_list("name", flat=True):
        assert name in text, name
    # Erasure looks for names in the issued PDFs through the same storage.
    assert reporting.reports_naming([Site.objects.get(slug="grenoble").name]) == [report]
    assert local_files(settings.MEDIA_ROOT) == []
