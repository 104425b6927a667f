from celery import shared_task

from atc.services import heartbeat_record


@shared_task(name="atc.heartbeat", ignore_result=True)
def heartbeat():
    """Fired by beat; run by the worker: together they prove the background chain works."""
    heartbeat_record()
