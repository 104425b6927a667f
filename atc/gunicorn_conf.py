"""gunicorn settings of production (Dockerfile) and the load benchmark (`-c python:atc.gunicorn_conf`).

The pages are CPU-bound Python: threads of one process take turns on the GIL, so the cores are
used by processes. Two processes per core with two threads each (one runs while the other waits
for PostgreSQL or Redis) answered the load benchmark's reads with a p95 of 133 ms, against
733 ms for 2 processes x 4 threads on the same 2 cores (loadtest/RESULTS.md).
WEB_WORKERS and WEB_THREADS override the defaults; without them, at most 8 processes, since a
container may see every core of its host (each thread keeps a PostgreSQL connection open).
"""

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("WEB_WORKERS") or min(2 * cores, 8))
threads = int(os.environ.get("WEB_THREADS") or 2)
worker_class = "gthread"
timeout = 60
