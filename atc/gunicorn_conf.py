"""gunicorn settings of production (Dockerfile) and the load benchmark (`-c python:atc.gunicorn_conf`).

The pages are CPU-bound Python: threads of one process take turns on the GIL, so the cores are
used by processes. Two processes per core with two threads each (one runs while the other waits
for PostgreSQL or Redis) answered the load benchmark's reads with a p95 of 133 ms, against
733 ms for 2 processes x 4 threads on the same 2 cores (loadtest/RESULTS.md).
WEB_WORKERS and WEB_THREADS override the defaults; without them, at most 8 processes, since a
container may see every core of its host (each thread keeps a PostgreSQL connection open).
"""

import gc
import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("WEB_WORKERS") or min(2 * cores, 8))
threads = int(os.environ.get("WEB_THREADS") or 2)
worker_class = "gthread"
timeout = 60

# Python's cyclic garbage collector, tuned for a long-lived web process. Once the application is
# loaded, its ~200,000 objects (modules, settings, URL patterns, models) never become garbage: frozen,
# the collector stops walking them on every full collection (~120 ms each, every few hundred
# requests). A page allocates thousands of short-lived objects, so the youngest generation is
# collected after 5,000 allocations instead of 700. Measured in-process on the 1,600-site data
# (README, load benchmark): the collector's CPU per request went from ~0.31 ms to ~0.08 ms.
GC_YOUNG_THRESHOLD = 5000


def post_worker_init(worker):
    """After the worker has loaded the application (gunicorn calls this hook before serving)."""
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *older)
