"""The web workers' garbage collector settings (atc/gunicorn_conf.py): set once the application is
loaded, in every worker (the load benchmark's hooks call production's first)."""

import gc

from atc import gunicorn_conf
from loadtest import gunicorn_cpu


def test_a_worker_freezes_the_loaded_application_and_collects_young_objects_less_often():
    threshold = gc.get_threshold()
    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        gunicorn_conf.post_worker_init(worker=None)
        # Django and the project, imported by now, are out of the collector's walks.
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (gunicorn_conf.GC_YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_load_benchmark_workers_run_production_hook_first():
    assert gunicorn_cpu.production_post_worker_init is gunicorn_conf.post_worker_init
