"""gunicorn settings of the load benchmark: production's (atc/gunicorn_conf.py) plus one line per
request with the CPU its thread used, so the report can say which pages the capacity goes to, and
the benchmark's floor page (bench/floor.py: the base layout and a 50-row table, no query), which
the load benchmark reads now and then to measure what the framework alone costs under that load.

Each worker appends `start (epoch s) <TAB> view name <TAB> method <TAB> status <TAB> CPU ms <TAB>
wall ms` to its own file in LOADTEST_CPU_DIR. The hooks run in the thread that handles the
request (gthread), so `time.thread_time()` is that request's CPU alone, whatever the other thread
does meanwhile; what gunicorn spends before (reading the request) and after (sending the answer)
is left out.
"""

import os
import time

from atc.gunicorn_conf import *  # noqa: F403 - the production settings, unchanged
from atc.gunicorn_conf import post_worker_init as production_post_worker_init

_files = {}


def _view_name(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).view_name
    except Resolver404:
        return "static" if path.startswith("/static/") else "other"


def post_worker_init(worker):
    """Production's hook, then the floor page at /bench/floor/, in the load benchmark's server only."""
    production_post_worker_init(worker)
    from django.urls import clear_url_caches, path

    import atc.urls
    from bench.floor import floor_page

    atc.urls.urlpatterns.append(path("bench/floor/", floor_page, name="bench_floor"))
    clear_url_caches()


def pre_request(worker, req):
    req.cpu_started = (time.thread_time(), time.perf_counter())


def post_request(worker, req, environ, resp):
    started = getattr(req, "cpu_started", None)
    folder = os.environ.get("LOADTEST_CPU_DIR")
    if started is None or not folder:
        return
    cpu = 1000 * (time.thread_time() - started[0])
    wall = 1000 * (time.perf_counter() - started[1])
    pid = os.getpid()
    if pid not in _files:
        _files[pid] = open(os.path.join(folder, f"cpu-{pid}.tsv"), "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    status = getattr(resp, "status_code", None) or str(getattr(resp, "status", "")).split(" ")[0]
    fields = (
        f"{time.time() - wall / 1000:.3f}",
        _view_name(req.path),
        req.method,
        status,
        f"{cpu:.2f}",
        f"{wall:.2f}",
    )
    _files[pid].write("\t".join(str(field) for field in fields) + "\n")
