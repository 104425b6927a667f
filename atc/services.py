"""Platform-level services shared by the apps."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from atc.models import Heartbeat

WORKER = "celery-worker"


def heartbeat_record(*, name: str = WORKER) -> Heartbeat:
    """Record that a background process is alive; beat schedules it, the worker runs it."""
    with transaction.atomic():
        beat, created = Heartbeat.objects.get_or_create(
            name=name, defaults={"last_seen": timezone.now(), "beats": 1}
        )
        if not created:
            Heartbeat.objects.filter(pk=beat.pk).update(last_seen=timezone.now(), beats=F("beats") + 1)
            beat.refresh_from_db()
    return beat


def heartbeat_is_fresh(*, name: str = WORKER, max_age: datetime.timedelta) -> bool:
    """Whether the process reported in within `max_age`."""
    return Heartbeat.objects.filter(name=name, last_seen__gte=timezone.now() - max_age).exists()
