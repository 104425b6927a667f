from celery import shared_task

from evaluation.attention.services import REFRESH_TASK, signals_notify
from evaluation.figures.attention import NOTIFY_TASK, signals_refresh


@shared_task(name=REFRESH_TASK, ignore_result=True)
def refresh_attention_signals() -> int:
    """Every site's signals: daily (beat), for the rules that turn with the calendar (months
    without a steering meeting…), and after a threshold change. Returns the signals newly raised."""
    return len(signals_refresh())


@shared_task(name=NOTIFY_TASK, ignore_result=True)
def notify_attention_signals(signal_ids: list[int]) -> int:
    """Queued after a refresh that raised signals: tell the people who follow each site."""
    return signals_notify(signal_ids=signal_ids)
