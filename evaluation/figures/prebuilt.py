"""Querysets built once per process and filtered per call.

Building a grouped queryset (its expressions resolved, its joins set up) costs about as much CPU
as running it; a site's rebuild runs twenty of them a few times a second on a busy site. The
queries whose shape depends only on a few values (today, a threshold) are built once for those
values here, and each call filters a clone by the sites it reads. The kept queryset is never
evaluated itself (callers get a clone: one that iterates it unfiltered, all sites, must not leave
its rows cached for the next caller), so threads may share it.
"""

from collections.abc import Callable, Hashable

from django.db.models import QuerySet

# Bounded: the keys hold a day, so old ones pile up in a long-lived worker.
LIMIT = 256
_QUERIES: dict[Hashable, QuerySet] = {}


def prebuilt(key: Hashable, build: Callable[[], QuerySet]) -> QuerySet:
    """A fresh clone of the queryset `build()` returns, built the first time `key` is asked for in
    this process. `key` must name every value the queryset holds."""
    query = _QUERIES.get(key)
    if query is None:
        if len(_QUERIES) >= LIMIT:
            _QUERIES.clear()
        query = _QUERIES[key] = build()
    return query.all()
