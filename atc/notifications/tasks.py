from celery import shared_task

from atc.notifications.kinds import Frequency
from atc.notifications.services import digests_send, notification_email_send


@shared_task(
    name="atc.notifications.send_emails",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def send_emails(notification_ids: list[int]) -> int:
    """Queued after the commit of `notify`: e-mail the notifications wanted at once. A retry sends
    only the ones not sent yet (each is claimed before its send)."""
    return sum(notification_email_send(pk) for pk in notification_ids)


@shared_task(name="atc.notifications.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    """Each morning (beat): one digest per person who chose « Résumé quotidien » for some kinds."""
    return digests_send(frequency=Frequency.DAILY)


@shared_task(name="atc.notifications.send_weekly_digests", ignore_result=True)
def send_weekly_digests() -> int:
    """Each Monday morning (beat): one digest per person who chose « Résumé hebdomadaire »."""
    return digests_send(frequency=Frequency.WEEKLY)
