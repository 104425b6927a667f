"""The load benchmark's CPU table (loadtest/run_load.py `cpu_by_page`), read from the lines the
gunicorn hooks write (loadtest/gunicorn_cpu.py)."""

import os
import signal
import subprocess
import sys
import time

from loadtest.gunicorn_cpu import post_request, pre_request
from loadtest.run_load import Stack, cpu_by_page, cpu_seconds


class _Request:
    def __init__(self, path, method="GET"):
        self.path, self.method = path, method


class _Response:
    status_code = 200


def test_each_request_is_one_line_with_its_view_and_the_floor_is_counted_apart(tmp_path, monkeypatch, db):
    monkeypatch.setenv("LOADTEST_CPU_DIR", str(tmp_path))
    for path in ["/", "/", "/sites/marseille/", "/nulle-part/"]:
        request = _Request(path)
        pre_request(None, request)
        sum(range(20000))  # some CPU for the thread
        post_request(None, request, {}, _Response())
    lines = [
        line.split("\t") for path in tmp_path.glob("cpu-*.tsv") for line in path.read_text().splitlines()
    ]
    assert [line[1] for line in lines] == ["home", "home", "sites:site_home", "other"]
    assert all(float(line[4]) > 0 for line in lines)
    # Two floor reads, written as the hooks would, then the table.
    with open(tmp_path / "cpu-1.tsv", "a", encoding="utf-8") as handle:
        handle.write("9999999999.0\tbench_floor\tGET\t200\t4.00\t5.00\n")
        handle.write("9999999999.0\tbench_floor\tGET\t200\t6.00\t7.00\n")
        handle.write("9999999999.0\thome\tGET\t200\t15.00\t16.00\n")
        handle.write("1.0\thome\tGET\t200\t900.00\t900.00\n")  # before the measured window
    table, floor_seconds = cpu_by_page(tmp_path, since=1000.0)
    text = "\n".join(table)
    assert floor_seconds == 0.010
    assert "median 4.0 ms under the same load (2 reads)" in text
    assert "| home | GET | 3 |" in text and "900" not in text
    assert "bench_floor" not in text


def test_the_background_cpu_counts_the_worker_and_beat_with_their_children(tmp_path):
    """What the requests leave to Celery is reported beside the capacity: the worker's pool
    children are found through the worker's session, and nothing of another session is."""

    stack = Stack({}, tmp_path)
    busy = (
        "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    )
    script = (
        f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {busy!r}]); time.sleep(30)"
    )

    worker = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    other = subprocess.Popen(["sleep", "30"], start_new_session=True)
    stack.processes = {"worker": worker}
    try:
        deadline = time.monotonic() + 10
        while len(stack.background_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = stack.background_pids()
        assert worker.pid in pids and len(pids) == 2 and other.pid not in pids
        while cpu_seconds(stack.background_pids()) < 0.25 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cpu_seconds(stack.background_pids()) >= 0.25  # the child's busy loop is counted
    finally:
        for process in (worker, other):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
