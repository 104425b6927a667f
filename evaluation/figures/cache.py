"""One versioned cache for every cached figure: per-site, many-site and site-row entries.

A cached value is keyed by the versions of the data it reads — the counters the database
triggers bump on every write (`SiteDataVersion`, `FiguresVersion`) — so a change makes the entry
unreachable instead of having to find and delete it, and no write path can forget to. Reading the
versions is one indexed query; a stale site's pre-aggregates are rebuilt before anything is
computed from them (`aggregates.refresh_stale`).
"""

import hashlib
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone, translation

from atc.cache import get_or_compute, versioned_key
from evaluation.figures.aggregates import refresh_quietly, refresh_stale
from evaluation.figures.attention import SIGNALS_VERSION
from evaluation.figures.triggers import RECORD_FAMILIES, RECORDS
from sites.models import FiguresVersion, RecordVersion, SiteDataVersion

# How old the figures over every site (distributions, quarterly totals) may be after a change.
OVERVIEW_LAG_SECONDS = 60
CACHE_SECONDS = 3600


# The counters read while a page is being read (`versions_read_once`), else None.
_read_once: ContextVar[dict | None] = ContextVar("figure_versions_read_once", default=None)


@contextmanager
def versions_read_once():
    """Within it, each version counter is read once: a read-only page asks for the data version
    for its table, its distributions and its charts, and for the sites' version for its filters
    and its map; one query each instead of one per figure. Only around a page that writes nothing
    before it has rendered: a write inside would not be seen by the figures read after it."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def _once(name: str, read, memo: dict | None = None):
    """`read()`, once per page within `versions_read_once`, or once per `memo` given."""
    memo = _read_once.get() if memo is None else memo
    if memo is None:
        return read()
    if name not in memo:
        memo[name] = read()
    return memo[name]


def _digest(parts: tuple) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=12).hexdigest()


def data_version() -> tuple[int, str]:
    """(epoch, version): the version changes with any write a figure reads, and with any rebuild
    of a site's pre-aggregates. A deleted site lowers the sums but bumps the epoch, so a pair
    never comes back. A raised or cleared attention signal changes it too. One query.

    The rebuilds count because a many-site figure computed while stale sites were left to the
    worker reads their old pre-aggregates: kept under the writes' version alone, it would be
    served for an hour after the worker caught up.

    Read once per page within `versions_read_once`."""
    return _once("data", _read_data_version)


def _read_data_version() -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT version FROM {FiguresVersion._meta.db_table} WHERE name = 'epoch'), "
            f"(SELECT version FROM {FiguresVersion._meta.db_table} WHERE name = '{SIGNALS_VERSION}'), "
            f"SUM(version), SUM(aggregated_version) FROM {SiteDataVersion._meta.db_table}"
        )
        epoch, signals, total, aggregated = cursor.fetchone()
    return epoch or 0, f"{total or 0}.{aggregated or 0}.{signals or 0}"


def _site_key(site_id: int, epoch: int, version: int, parts: tuple) -> str:
    return versioned_key("atc-site-figures", site_id, epoch, version, _digest(parts))


def _site_versions(site_id: int) -> tuple[int, int, int] | None:
    """(version, aggregated version, epoch) of one site, in one query. Written in SQL, like
    `data_version`: every page kept under its site's version reads it, and building it through
    the ORM cost ten times what running it does (~0.8 ms of CPU a request)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT version, aggregated_version, "
            f"(SELECT version FROM {FiguresVersion._meta.db_table} WHERE name = 'epoch') "
            f"FROM {SiteDataVersion._meta.db_table} WHERE site_id = %s",
            [site_id],
        )
        return cursor.fetchone()


def _site_row(site_id: int) -> tuple[int, int, int] | None:
    return _once(f"site-{site_id}", lambda: _site_versions(site_id))


def site_refreshed(site_id: int) -> bool:
    """Rebuild the site's pre-aggregates (and its attention signals) if its data changed since
    the last rebuild; False if that rebuild failed. One query when the site is fresh; within
    `versions_read_once`, the same read serves `site_cached` afterwards."""
    row = _site_row(site_id)
    if row is None or row[1] >= row[0]:
        return True
    if not refresh_quietly(site_id):
        return False
    memo = _read_once.get()
    if memo is not None:
        version, _aggregated, epoch = row
        memo[f"site-{site_id}"] = (version, version, epoch)
    return True


def site_cached(site_id: int, parts: tuple, compute):
    """`compute()` for one site's figures, cached until that site's data changes.

    Unlike `cached`, a write on another site leaves the entry alone: with facilitators saving
    meetings all day on 1,600 sites, a key shared by every site would almost never be hit. A stale
    site is rebuilt first; if that fails, the figures are computed from the last good rebuild and
    not cached, so they are computed again once the rebuild succeeds. A page of the site's records
    (no figure) is kept by `site_records_cached` instead, under the families of records it shows.
    """
    row = _site_row(site_id)
    if row is None:  # a site created before its version row (cannot happen after the migration)
        return compute()
    version, aggregated, epoch = row
    if aggregated < version and not site_refreshed(site_id):
        return compute()
    return get_or_compute(_site_key(site_id, epoch, version, parts), compute, CACHE_SECONDS)


def cached(parts: tuple, compute, *, lag_seconds: int = 0):
    """`compute()`, cached until the data of any site changes.

    The national figures (distributions, quarterly totals, a sort over every site) group tens of
    thousands of site-quarter rows: once per change of the data rather than per request. `parts`
    must name everything the result depends on; the scope is best given as the SQL of the user's
    scoped queryset, so that two users share an entry only when they see the same sites. `compute`
    reads the pre-aggregates through `multisite`, which rebuilds the stale ones first.

    With `lag_seconds`, a value computed before the latest change is still served while it is
    younger than that: on 1,600 sites, facilitators save something every few seconds, and a
    figure over every site would otherwise be computed again on nearly every request.
    """
    epoch, version = data_version()
    digest = _digest(parts)
    if not lag_seconds:
        return get_or_compute(versioned_key("atc-figures", epoch, version, digest), compute, CACHE_SECONDS)
    key = versioned_key("atc-figures-lag", epoch, digest)
    entry = cache.get(key)
    now = time.time()
    if entry is not None:
        computed_version, computed_at, value = entry
        if computed_version == version or now - computed_at < lag_seconds:
            return value
    value = compute()
    cache.set(key, (version, now, value), CACHE_SECONDS)
    return value


@dataclass
class Served:
    """A cached value as a reader would be served it now: `current` when computed at today's data
    version, otherwise a value kept by `lag_seconds` (computed `age` seconds ago)."""

    value: object
    current: bool
    age: float = 0.0


def site_served(site_id: int, parts: tuple) -> Served | None:
    """What `site_cached(site_id, parts, …)` would serve without computing (None: nothing cached).
    `check_figures` compares it with a recomputation: a write that bumped no version shows here."""
    row = _site_versions(site_id)
    if row is None:
        return None
    version, _aggregated, epoch = row
    value = cache.get(_site_key(site_id, epoch, version, parts))
    return None if value is None else Served(value=value, current=True)


def served(parts: tuple, *, lag_seconds: int = 0) -> Served | None:
    """What `cached(parts, …, lag_seconds=…)` would serve without computing (None: nothing)."""
    epoch, version = data_version()
    digest = _digest(parts)
    if not lag_seconds:
        value = cache.get(versioned_key("atc-figures", epoch, version, digest))
        return None if value is None else Served(value=value, current=True)
    entry = cache.get(versioned_key("atc-figures-lag", epoch, digest))
    if entry is None:
        return None
    computed_version, computed_at, value = entry
    age = time.time() - computed_at
    if computed_version != version and age >= lag_seconds:
        return None  # too old: the next reader computes it again
    return Served(value=value, current=computed_version == version, age=age)


def _read_records(site_id: int, record: tuple[str, int] | None) -> dict | None:
    """Each family's version of one site's records (RECORD_FAMILIES), the epoch and, for a
    record's own page, the versions of that record's parts (`RecordVersion`, 0 before its first
    write: "meeting" and "meeting_files" for a meeting), in one query: a page kept in one fragment
    per part reads them once."""
    kinds = sorted({kind for kind, _expr in RECORDS.values()}) if record is not None else []
    columns = [*RECORD_FAMILIES, "epoch", *(f"record:{kind}" for kind in kinds)]
    sql = (
        f"SELECT {', '.join(RECORD_FAMILIES)}, "
        f"(SELECT version FROM {FiguresVersion._meta.db_table} WHERE name = 'epoch')"
    )
    params: list = []
    for kind in kinds:
        sql += f", (SELECT version FROM {RecordVersion._meta.db_table} WHERE kind = %s AND object_id = %s)"
        params += [kind, record[1]]
    sql += f" FROM {SiteDataVersion._meta.db_table} WHERE site_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, site_id])
        row = cursor.fetchone()
    return None if row is None else dict(zip(columns, row, strict=True))


def _records_row(site_id: int, record: tuple[str, int] | None, memo: dict | None) -> dict | None:
    name = f"records-{site_id}-{None if record is None else record[1]}"
    return _once(name, lambda: _read_records(site_id, record), memo)


def _records_key(site_id: int, families: tuple[str, ...], record, row: dict, parts: tuple) -> str:
    versions = [row[family] for family in families]
    if record is not None:
        versions.append(row[f"record:{record[0]}"] or 0)
    return versioned_key(
        "atc-site-records", site_id, row["epoch"] or 0, *versions, _digest((families, record, parts))
    )


def site_records_cached(
    site_id: int,
    families: tuple[str, ...],
    parts: tuple,
    compute,
    *,
    record: tuple[str, int] | None = None,
    memo: dict | None = None,
):
    """`compute()` for a page of one site's records (meetings, actions…), cached until a record
    of one of `families` changes (triggers.FAMILIES says which writes bump which family), or,
    with `record` (kind, id), that record itself (triggers.RECORDS).

    A page showing its site's records and none of its figures: nothing is rebuilt for it, and a
    write in another family (a meeting saved, for the action board) leaves it kept. `families`
    and `record` must name everything the page shows. `memo`: where the fragments of one template
    keep the versions they read, so that a page kept in several parts reads them once (a template
    writes nothing while it renders)."""
    row = _records_row(site_id, record, memo)
    if row is None:  # a site created before its version row (cannot happen after the migration)
        return compute()
    return get_or_compute(_records_key(site_id, families, record, row, parts), compute, CACHE_SECONDS)


def site_records_served(
    site_id: int, families: tuple[str, ...], parts: tuple, *, record: tuple[str, int] | None = None
) -> Served | None:
    """What `site_records_cached(site_id, families, parts, …, record=…)` would serve without
    computing."""
    row = _read_records(site_id, record)
    if row is None:
        return None
    value = cache.get(_records_key(site_id, families, record, row, parts))
    return None if value is None else Served(value=value, current=True)


def sites_version() -> tuple[int, int]:
    """(epoch, sites): changes when a site's own row or its links (priority models…) change, a site
    is deleted or a reference table (a network's name…) changes; not after a meeting or an action.
    Read once per page within `versions_read_once`."""
    versions = _once(
        "sites",
        lambda: dict(
            FiguresVersion.objects.filter(name__in=["epoch", "sites"]).values_list("name", "version")
        ),
    )
    return versions.get("epoch", 0), versions.get("sites", 0)


def sites_cached(parts: tuple, compute):
    """`compute()` for what depends on the sites' own rows only (names, places, dates, network):
    kept until a site is saved, not after every meeting or action."""
    epoch, sites = sites_version()
    return get_or_compute(versioned_key("atc-sites", epoch, sites, _digest(parts)), compute, CACHE_SECONDS)


def _versions_of(site_ids: list[int]) -> tuple:
    """((site id, version, aggregated version), …) of the sites, and the signals' counter. One query."""
    if not site_ids:
        return ((), 0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT site_id, version, aggregated_version, "
            f"(SELECT version FROM {FiguresVersion._meta.db_table} WHERE name = '{SIGNALS_VERSION}') "
            f"FROM {SiteDataVersion._meta.db_table} WHERE site_id IN ({', '.join(['%s'] * len(site_ids))}) "
            f"ORDER BY site_id",
            list(site_ids),
        )
        rows = cursor.fetchall()
    return tuple(row[:3] for row in rows), (rows[0][3] if rows else None) or 0


def sites_refreshed(site_ids: list[int], *, limit: int | None, rebuild: bool = True) -> tuple[tuple, int]:
    """Rebuild the stale sites among `site_ids` (`limit` of them, the others are left to the worker),
    then return the versions of what figures read from these sites alone — the epoch and the sites'
    counter, each site's (version, aggregated version), the signals' counter — and how many of them
    are still stale. Two queries when none is stale (the first is shared with `sites_cached`).

    A value kept under these versions is served whatever happens to the other sites: a page of the
    site table showing 50 of 1,600 sites is not computed again after every write anywhere. Like
    `site_cached`'s, the versions are read before the value is computed: a value may be newer than
    its key, never older (a write after the read bumps a version). `rebuild=False`
    (`check_figures`): read only."""
    ids = sorted(site_ids)
    rows, signals = _versions_of(ids)
    stale = [site_id for site_id, version, aggregated in rows if aggregated < version]
    pending = 0
    if stale and rebuild:
        pending = refresh_stale(stale, limit=limit)
        rows, signals = _versions_of(ids)
    elif stale:
        pending = len(stale)
    return (sites_version(), rows, signals), pending


def versions_cached(versions: tuple, parts: tuple, compute):
    """`compute()`, kept under `versions` (what `sites_refreshed` or `data_version` returned for
    what it reads) and `parts`."""
    return get_or_compute(versioned_key("atc-versions", _digest((versions, parts))), compute, CACHE_SECONDS)


def _row_keys(ids: list[int], versions: dict[int, tuple], parts: tuple) -> dict[int, str]:
    digest = _digest(parts)
    return {pk: versioned_key("atc-row", pk, *versions[pk], digest) for pk in ids if pk in versions}


def rows_cached(ids: list[int], versions: dict[int, tuple], parts: tuple, compute) -> list:
    """For each id, in order, the value kept under that id's `versions` and `parts`; the missing
    ones from `compute(missing ids)` ({id: value}), kept with one write. One cache read.

    A page of 50 rows, each kept under its own site's versions: a write on one site makes one row
    computed again, not the page. An id without versions (a site created before its version row)
    is computed and not kept."""
    values = rows_served(ids, versions, parts)
    missing = [pk for pk in ids if pk not in values]
    if missing:
        computed = compute(missing)
        keys = _row_keys(missing, versions, parts)
        if keys:
            cache.set_many({key: computed[pk] for pk, key in keys.items()}, CACHE_SECONDS)
        values.update(computed)
    return [values[pk] for pk in ids]


def rows_served(ids: list[int], versions: dict[int, tuple], parts: tuple) -> dict[int, object]:
    """What `rows_cached(ids, versions, parts, …)` would serve without computing: {id: value} of
    the rows kept (the others would be computed)."""
    keys = _row_keys(ids, versions, parts)
    found = cache.get_many(list(keys.values())) if keys else {}
    return {pk: found[key] for pk, key in keys.items() if key in found}


def scope_key(sites) -> str:
    """A cache key part naming a scoped Site queryset (its SQL with parameters)."""
    try:
        sql, params = sites.values("id").query.sql_with_params()
    except EmptyResultSet:
        # A scope that can match nothing (e.g. `.none()` or `id__in=[]`) has no SQL.
        return "empty"
    return sql + repr(params)


def fragment_parts(*parts) -> tuple:
    """The key parts of a template fragment kept by `{% figurecache %}` (a site's id goes apart):
    what it names, then the language and today's date. `check_figures` reads entries by it too."""
    return ("fragment", *parts, translation.get_language(), timezone.localdate())
