"""Sending a campaign's invitations: thin, the service claims each recipient once."""

from celery import shared_task

from evaluation.surveys import services


@shared_task(name="evaluation.surveys.send_invitations")
def send_invitations(campaign_id: int) -> int:
    return services.invitations_send(campaign_id=campaign_id)
