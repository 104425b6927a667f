from celery import shared_task

from evaluation.attention.services import REFRESH_TASK
from evaluation.figures.attention import signals_refresh


@shared_task(name=REFRESH_TASK, ignore_result=True)
def refresh_attention_signals() -> int:
    """Every site's signals: daily (beat), for the rules that turn with the calendar (months
    without a steering meeting…), and after a threshold change. Returns the signals newly raised."""
    return len(signals_refresh())
