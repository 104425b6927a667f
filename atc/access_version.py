"""The version every cached scope is stored under (atc.permissions.access_of).

Apart from the access rules so that the Role model can bump it too: any write to roles — a save, a
delete, a change of sites, a queryset update or bulk create — forgets every cached scope, so a role
given or ended applies on the next request.
"""

import time

from django.core.cache import cache
from django.db import transaction

ACCESS_VERSION_KEY = "atc-access-version"


def bump_access_version(**_kwargs) -> None:
    """Forget every cached scope (a role was given, changed or ended): now, and again once the
    change commits, since a request reading the roles in between would cache the old ones under
    the new version. A missing counter starts from the clock, never from a number an older cached
    scope could still be stored under."""
    bump_access_now()
    transaction.on_commit(bump_access_now)


def bump_access_now() -> None:
    try:
        cache.incr(ACCESS_VERSION_KEY)
    except ValueError:
        cache.add(ACCESS_VERSION_KEY, time.time_ns() // 1000, None)
