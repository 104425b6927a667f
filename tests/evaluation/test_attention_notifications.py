"""A raised attention signal reaches the people who follow the site (inbox and e-mail), once: the
seam between the signals' refresh and the notifications."""

import datetime

import pytest
from django.core import mail

from atc.models import Notification
from atc.notifications import kinds
from evaluation.figures.attention import signals_refresh
from evaluation.models import AttentionSignal
from tests.pilotage.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_minutes_signal_reminds_the_team_and_tells_the_followers_once(
    django_capture_on_commit_callbacks,
    marseille,
    facilitator,
    network_coordinator,
    national_team,
    prefet_delegate,
):
    MeetingFactory(site=marseille, steering=True, date=datetime.date.today() - datetime.timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        signals_refresh(site_ids=[marseille.pk])
    signal = AttentionSignal.objects.open().get(site=marseille, rule="minutes")
    told = {
        (n.recipient_id, n.kind) for n in Notification.objects.filter(dedupe_key=f"attention:{signal.pk}")
    }
    assert (facilitator.pk, kinds.REMINDER_MINUTES) in told
    assert (national_team.pk, kinds.SIGNAL) in told
    follows_marseille = marseille.network.code == "fcsf"
    assert ((network_coordinator.pk, kinds.SIGNAL) in told) == follows_marseille
    assert not any(recipient == prefet_delegate.pk for recipient, _kind in told)  # Nord only
    reminder = Notification.objects.get(dedupe_key=f"attention:{signal.pk}", recipient=facilitator)
    assert marseille.name in reminder.title and "compte rendu" in reminder.body
    # The reminder is wanted at once by default: its e-mail went, on the public address.
    sent = [m for m in mail.outbox if facilitator.email in m.to]
    assert len(sent) == 1 and marseille.name in sent[0].subject

    # A second refresh finds the same open signal: nobody is told again.
    count = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        signals_refresh(site_ids=[marseille.pk])
    assert Notification.objects.count() == count
    assert len([m for m in mail.outbox if facilitator.email in m.to]) == 1
