"""gunicorn settings of the load benchmark: production's (atc/gunicorn_conf.py) plus one line per
request with the CPU its thread used, so the report can say which pages the capacity goes to.

Each worker appends `start time (epoch s) <TAB> view name <TAB> method <TAB> status <TAB> CPU ms <TAB> wall ms` to its own file
in LOADTEST_CPU_DIR. The hooks run in the thread that handles the request (gthread), so
`time.thread_time()` is that request's CPU alone, whatever the other thread does meanwhile; what
gunicorn spends before (reading the request) and after (sending the answer) is left out.
"""

import os
import time

from atc.gunicorn_conf import *  # noqa: F403 - the production settings, unchanged

_files = {}


def _view_name(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).view_name
    except Resolver404:
        return "static" if path.startswith("/static/") else "other"


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
    _files[pid].write(f"{time.time() - wall / 1000:.3f}\t{_view_name(req.path)}\t{req.method}\t{status}\t{cpu:.2f}\t{wall:.2f}\n")
