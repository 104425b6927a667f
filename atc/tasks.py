from celery import shared_task

from atc.personal_data import personal_data_purge
from atc.services import heartbeat_record


@shared_task(name="atc.heartbeat", ignore_result=True)
def heartbeat():
    """Fired by beat; run by the worker: together they prove the background chain works."""
    heartbeat_record()


@shared_task(name="atc.purge_personal_data", ignore_result=True)
def purge_personal_data():
    """Monthly: apply the documented retention periods (README, « Données personnelles »)."""
    personal_data_purge(apply=True)
