"""A real worker on a real Redis broker is killed (SIGKILL) in the middle of a render: the report
still completes, exactly once, when a new worker starts.

What makes it work: the task acks late, so the message stays in Redis' "unacked" set while it
runs; the killed worker never acknowledges it, and the next worker puts it back in the queue once
the visibility timeout has passed (4 s here, ATC_BROKER_VISIBILITY_TIMEOUT; one hour in production,
above the task's hard time limit). The redelivered message keeps its task id, which is how the
build recognises its own interrupted claim and takes the row over.

On the embedded filesystem broker a fetched message is removed from the queue at once, so there is
nothing to redeliver: there, the resend sweep (beat, every minute) publishes again a report left
"running" past the hard time limit (tested in test_report_tasks with the claim rules).
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from evaluation.models import EvaluationReport
from evaluation.reports import services as reporting
from evaluation.reports.tasks import build_report
from sites.models import Site
from tests.atc.test_celery_worker import ROOT, _database_url, _stop, _wait_for
from tests.reports.factories import EvaluationReportFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.worker,
    pytest.mark.redis,
]

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
Status = EvaluationReport.Status


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _needs_redis():
    # CI (ATC_REQUIRE_SERVERS=1, REDIS_URL set) always runs these; a bare machine without a Redis
    # server reports them as skipped with the reason, never as passed.
    if os.environ.get("ATC_REQUIRE_SERVERS") != "1" and not _redis_reachable():
        pytest.skip(f"no Redis server at {REDIS_URL}: start one or set REDIS_URL")


def _worker(queue: str, pool: str = "solo", extra_env: dict | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "ATC_BROKER_VISIBILITY_TIMEOUT": "4",
        "ATC_BROKER_RESTORE_INTERVAL": "1",
        "ATC_BROKER_RESTORE_THROTTLE": "1",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "atc",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def redis_app(unreachable_broker):
    """The test process publishes to the same Redis as the workers."""
    unreachable_broker.point_to(REDIS_URL)
    return unreachable_broker


def test_a_worker_killed_mid_render_is_replaced_and_the_report_completes_once(redis_app, tmp_path):
    queue = f"atc-test-reports-{os.getpid()}-{time.monotonic_ns()}"
    report = EvaluationReportFactory()  # the national report: a few seconds of rendering
    first = _worker(queue)
    try:
        result = build_report.apply_async(args=[report.pk], queue=queue)
        started = _wait_for(
            lambda: EvaluationReport.objects.filter(pk=report.pk, status=Status.RUNNING).exists()
        )
        assert started, "the first worker never started the report"
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()

    report.refresh_from_db()
    assert report.status == Status.RUNNING
    assert list(Path(settings.MEDIA_ROOT).glob("reports/*/rapport-*.pdf")) == []

    second = _worker(queue)
    try:
        # Done, with the editable versions the same task makes right after the PDF.
        done = _wait_for(
            lambda: (
                EvaluationReport.objects.filter(pk=report.pk, status=Status.DONE)
                .exclude(docx_file="")
                .exists()
            ),
            timeout=120,
        )
    finally:
        output = _stop(second)
    assert done, f"the report never completed after the restart:\n{output[-3000:]}"

    report.refresh_from_db()
    assert report.task_id == result.id
    assert report.attempts == 2
    files = sorted(Path(settings.MEDIA_ROOT).glob("reports/*/*"))
    assert [f.name for f in files] == [f"rapport-{report.public_id}.{ext}" for ext in ("docx", "odt", "pdf")]
    assert files[2].read_bytes().startswith(b"%PDF")
    assert EvaluationReport.objects.count() == 1


def test_the_default_prefork_worker_renders_a_report(redis_app):
    """The render forks a limited child: it must work inside prefork's daemonic pool processes,
    which is what docker-compose and `make run` start."""
    queue = f"atc-test-reports-prefork-{os.getpid()}-{time.monotonic_ns()}"
    report = EvaluationReportFactory()
    worker = _worker(queue, pool="prefork")
    try:
        build_report.apply_async(args=[report.pk], queue=queue)
        done = _wait_for(
            lambda: EvaluationReport.objects.filter(
                pk=report.pk, status__in=[Status.DONE, Status.FAILED]
            ).exists(),
            timeout=240,
        )
    finally:
        output = _stop(worker)
    report.refresh_from_db()
    assert done and report.status == Status.DONE, f"{report.status} {report.error}\n{output[-3000:]}"
    assert report.page_count and report.page_count > 1


def test_a_real_worker_renders_a_large_report_in_parts_and_merges_them(redis_app):
    """The parts and the merge are queued by the worker itself, on its default queue: the test
    process's own (one per pytest-xdist process), which the worker inherits and listens to."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with redis_app.app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)  # nothing left over from an earlier run
    report = EvaluationReportFactory(
        period_label="2020-Q3", period_start=datetime.date(2020, 7, 1), period_end=datetime.date(2020, 9, 30)
    )
    # The 15 reference sites, four sections a part: the summary and four parts of sites.
    worker = _worker(queue, extra_env={"ATC_REPORT_SECTIONS_PER_PART": "4"})
    try:
        build_report.apply_async(args=[report.pk], queue=queue)
        finished = _wait_for(
            lambda: EvaluationReport.objects.filter(
                pk=report.pk, status__in=[Status.DONE, Status.FAILED]
            ).exists(),
            # The tagged PDF/UA parts take longer than the untagged ones did (its summary part
            # reached 24 s on a machine shared by six test runs).
            timeout=120,
        )
    finally:
        output = _stop(worker)
    report.refresh_from_db()
    assert finished and report.status == Status.DONE, f"{report.status} {report.error}\n{output[-3000:]}"

    parts = list(report.parts.order_by("index"))
    assert [len(part.site_ids) for part in parts] == [0, 4, 4, 4, 3]
    assert all(part.finished_at for part in parts)
    with report.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in pypdf.PdfReader(handle).pages)
    assert "Index des sites" in text
    for name in Site.objects.values_list("name", flat=True):
        assert name in text, name
    assert default_storage.listdir(reporting.PARTS_DIR) == ([], [])
    files = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert files == [Path(settings.MEDIA_ROOT) / report.file.name]
