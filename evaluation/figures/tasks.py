from celery import shared_task

from evaluation.figures.aggregates import REFRESH_TASK, refresh_all_stale


@shared_task(name=REFRESH_TASK, ignore_result=True)
def refresh_stale_figures() -> int:
    """Rebuild the pre-aggregates of every stale site: queued by a read that found more than it
    rebuilds itself, and run by beat every few minutes so a failed rebuild is retried."""
    return refresh_all_stale()
