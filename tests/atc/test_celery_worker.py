"""The background chain for real: a Celery worker process (and beat) on the configured broker —
Redis when REDIS_URL is set (CI), the embedded filesystem broker otherwise — and the test DB."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from atc.models import Heartbeat
from atc.tasks import heartbeat

# Serialized rollback like every transactional test here: a plain flush would recreate the
# content types under new ids and break the reference data restore of the next such test.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(*args: str, extra_env: dict | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "atc", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def worker(settings):
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    process = _start("worker", "--loglevel=INFO", "--concurrency=1", "-Q", queue, "--without-heartbeat")
    yield process
    _stop(process)


def test_a_task_sent_to_the_broker_is_run_by_a_real_worker(worker):
    from atc.celery import app

    app.conf.task_always_eager = False
    try:
        heartbeat.delay()
    finally:
        app.conf.task_always_eager = True
    ran = _wait_for(lambda: Heartbeat.objects.filter(name="celery-worker").exists())
    assert ran, "the worker never ran the task"
    assert Heartbeat.objects.get(name="celery-worker").beats == 1


def test_beat_fires_the_periodic_heartbeat_and_the_worker_runs_it(worker, tmp_path):
    beat = _start(
        "beat",
        "--loglevel=INFO",
        f"--schedule={tmp_path / 'beat-schedule'}",
        extra_env={"ATC_HEARTBEAT_SECONDS": "1"},
    )
    try:
        fired_twice = _wait_for(lambda: Heartbeat.objects.filter(name="celery-worker", beats__gte=2).exists())
    finally:
        output = _stop(beat)
    assert fired_twice, f"beat did not fire the heartbeat twice:\n{output[-2000:]}"
