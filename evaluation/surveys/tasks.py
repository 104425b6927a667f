"""Sending a campaign's invitations and the daily automatic reminders: thin, the service claims
each recipient once."""

from celery import shared_task

from evaluation.surveys import services


@shared_task(name="evaluation.surveys.send_invitations")
def send_invitations(campaign_id: int) -> int:
    return services.invitations_send(campaign_id=campaign_id)


@shared_task(name="evaluation.surveys.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    return services.reminders_send_due()
