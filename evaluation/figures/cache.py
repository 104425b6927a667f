"""One versioned cache for every cached figure: per-site, many-site and site-row entries.

A cached value is keyed by the versions of the data it reads, so a change makes it unreachable
instead of having to find and delete it.
"""

import hashlib
import time

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet

VERSION_KEY = "atc-stats-version"
EPOCH_KEY = "atc-stats-epoch"
SITE_VERSION_KEY = "atc-site-version:{}"
SITES_VERSION_KEY = "atc-sites-version"
# How old the figures over every site (distributions, quarterly totals) may be after a change.
OVERVIEW_LAG_SECONDS = 60
CACHE_SECONDS = 3600


def _bump(key: str) -> None:
    """Increment a version counter. A missing counter starts from the clock, never from a number
    that values cached before it was lost could still be stored under."""
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, time.time_ns() // 1000, None)


def _versions(*keys: str) -> list[int]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            _bump(key)
            found[key] = cache.get(key) or 0
    return [found[key] for key in keys]


def bump_stats_version() -> None:
    """Make every cached many-site figure stale (after any change to the data a figure counts)."""
    _bump(VERSION_KEY)


def bump_site_version(site_id: int) -> None:
    """One site's data changed: its own cached figures and every many-site figure go stale."""
    _bump(SITE_VERSION_KEY.format(site_id))
    _bump(VERSION_KEY)


def bump_all_versions() -> None:
    """A change that cannot be tied to one site: every cached figure goes stale."""
    _bump(EPOCH_KEY)
    _bump(VERSION_KEY)


def site_cached(site_id: int, parts: tuple, compute):
    """`compute()` for one site's figures, cached until that site's data changes.

    Unlike `cached`, a write on another site leaves the entry alone: with facilitators saving
    meetings all day on 1,600 sites, a key shared by every site would almost never be hit.
    """
    epoch, version = _versions(EPOCH_KEY, SITE_VERSION_KEY.format(site_id))
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=12).hexdigest()
    key = f"atc-site-stats:{site_id}:{epoch}:{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def cached(parts: tuple, compute, *, lag_seconds: int = 0):
    """`compute()`, cached until the next refresh of any site's pre-aggregates.

    The national figures (distributions, quarterly totals, the map, a sort over every site) group
    tens of thousands of site-quarter rows: once per change of the data rather than per request.
    `parts` must name everything the result depends on; the scope is best given as the SQL of the
    user's scoped queryset, so that two users share an entry only when they see the same sites.

    With `lag_seconds`, a value computed before the latest change is still served while it is
    younger than that: on 1,600 sites, facilitators save something every few seconds, and a
    figure over every site would otherwise be computed again on nearly every request.
    """
    (version,) = _versions(VERSION_KEY)
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=12).hexdigest()
    if not lag_seconds:
        key = f"atc-stats:{version}:{digest}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, CACHE_SECONDS)
        return value
    (epoch,) = _versions(EPOCH_KEY)
    key = f"atc-stats-lag:{epoch}:{digest}"
    entry = cache.get(key)
    now = time.time()
    if entry is not None:
        computed_version, computed_at, value = entry
        if computed_version == version or now - computed_at < lag_seconds:
            return value
    value = compute()
    cache.set(key, (version, now, value), CACHE_SECONDS)
    return value


def sites_cached(parts: tuple, compute):
    """`compute()` for what depends on the sites' own rows only (names, places, dates, network):
    kept until a site is saved, not after every meeting or action."""
    epoch, version = _versions(EPOCH_KEY, SITES_VERSION_KEY)
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=12).hexdigest()
    key = f"atc-sites:{epoch}:{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def scope_key(sites) -> str:
    """A cache key part naming a scoped Site queryset (its SQL with parameters)."""
    try:
        sql, params = sites.values("id").query.sql_with_params()
    except EmptyResultSet:
        # A scope that can match nothing (e.g. `.none()` or `id__in=[]`) has no SQL.
        return "empty"
    return sql + repr(params)
