"""Publishing a task by its name: the one way a service queues work (after its commit).

The task is taken from the Celery app's registry (every process imports the task modules at start:
CELERY_IMPORTS, atc/apps.py), so that the tests' eager mode runs it in place, where `send_task`
would always go to the broker. With the broker down, nothing is raised: the caller is told (False)
and its own sweep or the next run picks the work up.
"""

import logging

from celery import current_app
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def publish(name: str, *args) -> bool:
    """Queue the task `name` with `args`; False (logged) when the broker is unreachable."""
    try:
        current_app.tasks[name].apply_async(args=list(args), retry=False)
    except OperationalError:
        log.error("broker unreachable: %s not queued for %s", name, args[:1])
        return False
    return True
