"""Figures over several sites: the site table (one row per site, sorted and paginated), the
distributions across sites and the quarterly totals. All read the pre-aggregates."""

import datetime
import threading
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection, models
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from atc.periods import experiment_span, quarter_of
from evaluation.figures.aggregates import (
    ATTENDEE_COLUMNS,
    CATEGORIES,
    SYNC_REFRESH_LIMIT,
    refresh_stale,
)
from evaluation.figures.attention import open_counts, open_counts_query
from evaluation.figures.cache import (
    OVERVIEW_LAG_SECONDS,
    cached,
    data_version,
    scope_key,
    sites_cached,
    sites_refreshed,
    versions_cached,
)
from evaluation.figures.prebuilt import prebuilt
from evaluation.models import AttentionSignal
from pilotage.models import CIVIL_SOCIETY
from sites.models import FacilitatorAssignment, Site, SiteQuarterStats

PAGE_SIZE = 50


@dataclass
class SitePeriod:
    """The filters of the network and national dashboards, read from the query string."""

    network: str = ""
    region: str = ""
    priority_model: str = ""
    support: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    # « À suivre »: only the sites with at least one open attention signal.
    attention: bool = False

    @classmethod
    def default(cls, network: str = "", today: datetime.date | None = None) -> "SitePeriod":
        """The filters a dashboard opens with: every site of the scope, the whole experiment."""
        span = experiment_span(today or timezone.localdate())
        return cls(network=network, start=span.first, end=span.last)

    def quarter_filter(self, prefix: str = "") -> Q:
        condition = Q()
        if self.start:
            condition &= Q(**{f"{prefix}quarter__gte": self.start})
        if self.end:
            condition &= Q(**{f"{prefix}quarter__lte": self.end})
        return condition

    def apply(self, sites):
        """Filter a Site queryset (already scoped with `for_user`) by network, région…"""
        if self.network:
            sites = sites.filter(network__code=self.network)
        if self.region:
            sites = sites.filter(region=self.region)
        if self.priority_model:
            through = Site.priority_models.through.objects.filter(prioritymodel__code=self.priority_model)
            sites = sites.filter(id__in=through.values("site_id"))
        if self.support:
            sites = sites.filter(institutional_support=self.support)
        if self.attention:
            sites = sites.filter(id__in=AttentionSignal.objects.open().values("site_id"))
        return sites


# Sort keys of the site table: query-string value → (order expression, label).
SORTS = {
    "nom": "name",
    "reseau": "network__name",
    "region": "region",
    "etp": "fte",
    "pilotage": "steering",
    "reunions": "meetings_count",
    "mixite": "civil_share",
    "mixite-pilotage": "steering_civil_share",
    "actions": "actions_count",
    "habitants": "reached",
    "carnet": "logbook_filled",
    "attention": "attention",
}


FIGURES = (
    "meetings_count",
    "steering",
    "attendees",
    "civil",
    "civil_share",
    "steering_civil_share",
    "actions_count",
    "actions_done",
    "reached",
    "partners_max",
    "expected",
    "logbook_filled",
    "indicators_filled",
)


def current_fte(*, site_ids, today: datetime.date | None = None) -> dict[int, Decimal]:
    """Site id → FTE of the facilitators in post today (sites without one are absent)."""
    today = today or timezone.localdate()
    return dict(_fte_query(site_ids, today).values_list("site_id", "total"))


def _fte_query(site_ids, today: datetime.date):
    return (
        FacilitatorAssignment.objects.filter(site_id__in=site_ids)
        .current(today)
        .values("site_id")
        .annotate(total=Sum("fte"))
        .order_by()
    )


def stats_by_site(*, site_ids, period: SitePeriod, today: datetime.date | None = None):
    """One dict per site with its figures over the period, summed from the pre-aggregates and
    grouped by site id only (no join, no wide GROUP BY): `site_id` plus every name of FIGURES."""
    today = today or timezone.localdate()
    # The site filter goes to the WHERE clause (site_id is grouped by, not summed).
    return _stats_query(period, today).filter(site_id__in=site_ids)


def _stats_query(period: SitePeriod, today: datetime.date):
    """The grouped query of `stats_by_site` per period and day, built once per process
    (`prebuilt`): its thirty expressions cost ~2.5 ms of CPU to build, the same for the page's 50
    sites as for 1,600. The period's start and end are all the query reads of it
    (`quarter_filter`)."""
    return prebuilt(
        ("site-stats", period.start, period.end, today), lambda: _build_stats_query(period, today)
    )


# The SQL of the queries a row of the site table reads, compiled once per period, day and number
# of sites in each thread: compiling the thirty expressions of `stats_by_site` cost more CPU
# (~1.3 ms) than running it, on every row computed again after a write. Per thread: a compiler
# keeps its thread's connection.
_COMPILED = threading.local()
# Site ids that cannot exist, standing for the page's ids in the compiled parameters.
_PLACEHOLDER = -(10**15)


def _compiled_values(name: str, build, site_ids: list[int], *key) -> list[dict]:
    """`build(site_ids)` (a `values()` query of the sites, read by `key` besides) evaluated, its
    SQL compiled once per `name`, `key` and number of sites."""
    compiled = getattr(_COMPILED, "queries", None)
    if compiled is None or len(compiled) >= 256:
        compiled = _COMPILED.queries = {}
    shape = (name, connection.alias, *key, len(site_ids))
    entry = compiled.get(shape)
    if entry is None:
        placeholders = [_PLACEHOLDER - n for n in range(len(site_ids))]
        query = build(placeholders).query
        compiler = query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        positions = [params.index(value) for value in placeholders]
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        entry = compiled[shape] = (sql, tuple(params), positions, compiler, names)
    sql, params, positions, compiler, names = entry
    params = list(params)
    for position, site_id in zip(positions, site_ids, strict=True):
        params[position] = site_id
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[rows])]


def _build_stats_query(period: SitePeriod, today: datetime.date):
    expected = Q(in_experiment=True)
    attendees = sum((F(c) for c in ATTENDEE_COLUMNS[1:]), F(ATTENDEE_COLUMNS[0]))
    civil = sum(
        (F(f"attendees_{c.value}") for c in CIVIL_SOCIETY[1:]), F(f"attendees_{CIVIL_SOCIETY[0].value}")
    )
    # Steering attendance is kept per category in a JSON column: each key summed as a number.
    steering = {
        c: Coalesce(Cast(KT(f"steering_attendance__{c.value}"), models.IntegerField()), 0) for c in CATEGORIES
    }
    steering_attendees = sum((steering[c] for c in CATEGORIES[1:]), steering[CATEGORIES[0]])
    steering_civil = sum((steering[c] for c in CIVIL_SOCIETY[1:]), steering[CIVIL_SOCIETY[0]])
    return (
        SiteQuarterStats.objects.filter(quarter__lte=quarter_of(today))
        .filter(period.quarter_filter())
        .values("site_id")
        .annotate(
            meetings_count=Sum("meetings"),
            steering=Sum("steering_meetings"),
            attendees=Sum(attendees),
            civil=Sum(civil),
            steering_attendees=Sum(steering_attendees),
            steering_civil=Sum(steering_civil),
            actions_count=Sum("actions"),
            actions_done=Sum("actions_done"),
            reached=Sum("residents_reached"),
            partners_max=Max("partners"),
            expected=Count("id", filter=expected),
            logbook_filled=Count("id", filter=expected & Q(logbook_entries__gt=0)),
            indicators_filled=Count("id", filter=expected & Q(indicator_values__gt=0)),
        )
        .annotate(
            civil_share=models.Case(
                models.When(attendees__gt=0, then=F("civil") * 100.0 / F("attendees")),
                default=None,
                output_field=models.FloatField(),
            ),
            steering_civil_share=models.Case(
                models.When(
                    steering_attendees__gt=0, then=F("steering_civil") * 100.0 / F("steering_attendees")
                ),
                default=None,
                output_field=models.FloatField(),
            ),
        )
        .order_by()
    )


@dataclass
class SiteTable:
    """One page of the site table and what the template needs to page and sort it."""

    rows: list[Site]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool
    start_index: int = 0
    # Stale sites left to the worker: their figures may lag for a minute (the page says so).
    pending: int = 0


def _attach(
    sites: list[Site], figures: dict[int, dict], fte: dict[int, Decimal], attention: dict[int, int]
) -> list[Site]:
    for site in sites:
        row = figures.get(site.pk, {})
        for name in FIGURES:
            default = None if name in ("civil_share", "steering_civil_share") else 0
            setattr(site, name, row.get(name) if row.get(name) is not None else default)
        site.fte = fte.get(site.pk, Decimal("0"))
        # Open signals today, whatever the period: a signal is a state, not a count of events.
        site.attention = attention.get(site.pk, 0)
    return sites


# Sorts by a column of the site's own row: which sites a page shows follows from the sites' rows.
SITE_SORTS = {"nom", "reseau", "region"}


def _sort_of(sort: str) -> tuple[str, bool]:
    """(key of SORTS, descending) of a `tri` value; an unknown one sorts by name."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return "nom", False
    return key, sort.startswith("-")


@dataclass(frozen=True)
class Window:
    """Which sites one page of the table shows (their ids, in order) and how the table is paged;
    sorted by a site column, the sites' own columns too (read with the order, in one query)."""

    ids: list[int]
    total: int
    page: int
    pages: int
    sites: list[Site] | None = None


@dataclass(frozen=True)
class TableState:
    """One page of the site table as a reader is about to be served it: the versions it is kept
    under, the stale sites left to the worker, and its sites when they are known before its figures."""

    versions: tuple
    pending: int
    window: Window | None = None
    # With a window: site id → the versions its row is kept under (`rendered.site_rows`): the
    # sites' counter, the site's (version, aggregated version) and the signals' counter.
    rows: dict[int, tuple] | None = None


def table_state(
    *,
    sites,
    period: SitePeriod,
    sort: str = "nom",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    today: datetime.date | None = None,
    rebuild: bool = True,
) -> TableState:
    """Rebuild what one page of the table reads, before anything reads it, and say under which
    versions the page is kept.

    Sorted by a column of the sites' own rows (by name, the default) and not filtered by the
    attention points, the page's sites follow from the sites' rows alone: they are picked first
    (kept until a site is saved), the stale ones among them are rebuilt and the page is kept under
    their versions, so that a write on a site the page does not show leaves it a hit. Sorted by a
    figure, the FTE or the attention points, or filtered by them, a write on any site may move a
    row in or out of the page: the scope's stale sites are rebuilt (a few) and the page is kept
    under the data version. `rebuild=False` (`check_figures`): the versions only."""
    today = today or timezone.localdate()
    scoped = period.apply(sites)
    key, descending = _sort_of(sort)
    if key in SITE_SORTS and not period.attention:
        window = sites_cached(
            ("site-table-window", scope_key(scoped), key, descending, page, page_size),
            lambda: _window(scoped, period, key, descending, page, page_size, today),
        )
        versions, pending = sites_refreshed(window.ids, limit=SYNC_REFRESH_LIMIT, rebuild=rebuild)
        shared, per_site, signals = versions
        rows = {site_id: (*shared, *site, signals) for site_id, *site in per_site}
        return TableState(versions=("sites", *versions), pending=pending, window=window, rows=rows)
    pending = table_pending(sites=sites, period=period) if rebuild else 0
    return TableState(versions=("data", *data_version()), pending=pending)


def site_table(
    *,
    sites,
    period: SitePeriod,
    sort: str = "nom",
    page: int = 1,
    page_size: int | None = PAGE_SIZE,
    today: datetime.date | None = None,
    exact: bool = False,
    state: TableState | None = None,
) -> SiteTable:
    """One page of sites with their figures. `sites` is already scoped (`Site.objects.for_user`).

    `sort` is a key of `SORTS`, prefixed with `-` for descending. Sorting by a column of the site
    picks the page first and aggregates only its sites; sorting by a figure groups every site's
    pre-aggregated quarters by site id (about one row per site and quarter) and keeps the page's
    ids. `page_size=None` returns every row (exports). A page is kept under the versions
    `table_state` gives (`state`, when the caller already has it). `exact` (`check_figures`):
    computed, never read from the cache.
    """
    today = today or timezone.localdate()
    scoped = period.apply(sites)
    if page_size is None or exact:
        # An export (every row) waits for every stale site: a downloaded file carries no notice.
        pending = table_pending(sites=sites, period=period, every_site=page_size is None)
        return replace(_site_table(scoped, period, sort, page, page_size, today), pending=pending)
    if state is None:
        state = table_state(
            sites=sites, period=period, sort=sort, page=page, page_size=page_size, today=today
        )
    table = versions_cached(
        state.versions,
        _table_parts(scoped, period, sort, page, page_size, today),
        lambda: _site_table(scoped, period, sort, page, page_size, today, state.window),
    )
    return replace(table, pending=state.pending)


def table_pending(*, sites, period: SitePeriod, every_site: bool = False) -> int:
    """Rebuild the stale sites of the table's scope (a few, or `every_site`) and return how many
    are left to the worker. Before anything reads the figures or the data version, and before the
    « À suivre » filter reads the signals: a stale site may gain or lose one. One query when none
    is stale."""
    unfiltered = replace(period, attention=False).apply(sites)
    return refresh_stale(unfiltered.values("id"), limit=None if every_site else SYNC_REFRESH_LIMIT)


def _table_parts(scoped, period: SitePeriod, sort: str, page: int, page_size: int, today) -> tuple:
    return ("site-table", scope_key(scoped), repr(period), sort, page, page_size, today)


def _site_table(
    scoped,
    period: SitePeriod,
    sort: str,
    page: int,
    page_size: int | None,
    today,
    window: Window | None = None,
) -> SiteTable:
    key, descending = _sort_of(sort)
    window = window or _window(scoped, period, key, descending, page, page_size, today)
    if window.sites is not None:
        shown = window.sites
    else:
        by_id = _columns().in_bulk(window.ids)
        shown = [by_id[pk] for pk in window.ids if pk in by_id]
    page_ids = [site.pk for site in shown]
    figures = {row["site_id"]: row for row in stats_by_site(site_ids=page_ids, period=period, today=today)}
    fte = current_fte(site_ids=page_ids, today=today)
    return SiteTable(
        rows=_attach(shown, figures, fte, open_counts(page_ids)),
        total=window.total,
        page=window.page,
        pages=window.pages,
        sort=key,
        descending=descending,
        start_index=(window.page - 1) * page_size if page_size else 0,
    )


def with_figures(sites: list[Site], *, period: SitePeriod, today: datetime.date | None = None) -> list[Site]:
    """The sites (their own columns read, `Window.sites`) with their figures over the period, their
    FTE in post and their open attention signals today set on them, as `site_table` sets them:
    the same queries, compiled once per shape (`_compiled_values`) for the few rows of a page
    computed again after a write. Three queries."""
    today = today or timezone.localdate()
    ids = [site.pk for site in sites]
    stats = _compiled_values(
        "stats",
        lambda ids: stats_by_site(site_ids=ids, period=period, today=today),
        ids,
        period.start,
        period.end,
        today,
    )
    fte = _compiled_values("fte", lambda ids: _fte_query(ids, today), ids, today)
    attention = _compiled_values("attention", open_counts_query, ids)
    return _attach(
        sites,
        {row["site_id"]: row for row in stats},
        {row["site_id"]: row["total"] for row in fte},
        {row["site_id"]: row["n"] for row in attention},
    )


def window_table(window: Window, sort: str, page_size: int = PAGE_SIZE) -> SiteTable:
    """The page of the table a window shows, its sites without their figures: what the table
    around rows kept one by one (`rendered.site_rows`) reads. No query."""
    key, descending = _sort_of(sort)
    return SiteTable(
        rows=window.sites,
        total=window.total,
        page=window.page,
        pages=window.pages,
        sort=key,
        descending=descending,
        start_index=(window.page - 1) * page_size,
    )


def _columns():
    """The site's own columns the table shows."""
    return Site.objects.select_related("network").only(
        "id", "name", "slug", "region", "network__name", "network__code"
    )


def _window(
    scoped, period: SitePeriod, key: str, descending: bool, page: int, page_size: int | None, today
) -> Window:
    """The ids of the page's sites in the table's order, and its paging."""
    total = scoped.count()
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(max(1, page), pages)
    window = slice((page - 1) * page_size, page * page_size) if page_size else slice(None)
    if key in SITE_SORTS:
        order = F(SORTS[key]).desc() if descending else F(SORTS[key]).asc()
        shown = list(_columns().filter(id__in=scoped.values("id")).order_by(order, "name")[window])
        return Window(ids=[site.pk for site in shown], total=total, page=page, pages=pages, sites=shown)
    if key == "etp":
        ids = _ids_by_fte(scoped, descending, today)[window]
    elif key == "attention":
        ids = _ids_by_attention(scoped, descending, today)[window]
    else:
        ids = _ids_by_figure(scoped, period, ("-" if descending else "") + key, window, page_size, today)
    return Window(ids=ids, total=total, page=page, pages=pages)


def _ids_by_fte(scoped, descending: bool, today) -> list[int]:
    """Every site id of the scope by FTE in post today, then name (kept until the data changes)."""

    def by_fte() -> list[int]:
        everyone = current_fte(site_ids=scoped.values("id"), today=today)
        names = dict(scoped.values_list("id", "name"))
        return sorted(names, key=lambda pk: (everyone.get(pk, Decimal("0")), names[pk]), reverse=descending)

    return cached(("sorted-fte", scope_key(scoped), descending, today), by_fte)


def _ids_by_attention(scoped, descending: bool, today) -> list[int]:
    """Every site id of the scope by number of open attention signals, then name (two queries)."""

    def by_attention() -> list[int]:
        counts = open_counts(scoped.values("id"))
        names = dict(scoped.values_list("id", "name"))
        if descending:
            return sorted(names, key=lambda pk: (-counts.get(pk, 0), names[pk]))
        return sorted(names, key=lambda pk: (counts.get(pk, 0), names[pk]))

    return cached(("sorted-attention", scope_key(scoped), descending, today), by_attention)


def _ids_by_figure(scoped, period: SitePeriod, sort: str, window: slice, page_size, today) -> list[int]:
    """The ids of the page's sites sorted by a figure over the period; the sites without any
    pre-aggregated quarter (never refreshed) come last, by name."""
    descending = sort.startswith("-")
    field_name = SORTS[sort.lstrip("-")]
    order = F(field_name).desc(nulls_last=True) if descending else F(field_name).asc(nulls_last=True)
    ids = scoped.values("id")
    ordered_ids = cached(
        ("sorted", scope_key(scoped), repr(period), sort, today),
        lambda: list(
            stats_by_site(site_ids=ids, period=period, today=today)
            .order_by(order, "site_id")
            .values_list("site_id", flat=True)
        ),
    )
    page_ids = ordered_ids[window]
    if page_size is None or len(page_ids) < page_size:
        with_rows = (
            SiteQuarterStats.objects.filter(site_id__in=ids, quarter__lte=quarter_of(today))
            .filter(period.quarter_filter())
            .values("site_id")
        )
        skip = max(0, window.start - len(ordered_ids)) if page_size else 0
        missing = scoped.exclude(id__in=with_rows).order_by("name").values_list("id", flat=True)
        page_ids += list(missing[skip : skip + page_size - len(page_ids)] if page_size else missing)
    return page_ids


def distributions(
    *, sites, period: SitePeriod, today: datetime.date | None = None, exact: bool = False
) -> dict:
    """Min, mean and max across the sites of FTE, steering meetings, civil-society share of
    attendance (%) and actions over the period: `{"fte": {"min":…, "mean":…, "max":…}, …}`.
    Three queries (none when cached): the aggregate of the per-site sums, the FTE in post, the ids.
    `exact` (the reports): every stale site rebuilt first and no cached value, however recent."""
    if exact:
        return _distributions(sites=sites, period=period, today=today, limit=None)
    return cached(
        distributions_parts(sites=sites, period=period, today=today),
        lambda: _distributions(sites=sites, period=period, today=today),
        lag_seconds=OVERVIEW_LAG_SECONDS,
    )


def distributions_parts(*, sites, period: SitePeriod, today: datetime.date | None = None) -> tuple:
    """The cache key parts of `distributions` (also read by `check_figures`)."""
    return ("distributions", scope_key(period.apply(sites)), repr(period), today)


def _distributions(
    *, sites, period: SitePeriod, today: datetime.date | None, limit=SYNC_REFRESH_LIMIT
) -> dict:
    scoped = period.apply(sites)
    refresh_stale(scoped.values("id"), limit=limit)
    figures = {"steering": "steering", "civil_share": "civil_share", "actions": "actions_count"}
    aggregates = {"sites": Count("site_id")}
    for name, column in figures.items():
        aggregates[f"{name}__min"] = Min(column)
        aggregates[f"{name}__mean"] = models.Avg(column)
        aggregates[f"{name}__max"] = Max(column)
    values = stats_by_site(site_ids=scoped.values("id"), period=period, today=today).aggregate(**aggregates)
    result = {"sites": values.pop("sites")}
    for name in figures:
        result[name] = {stat: values[f"{name}__{stat}"] for stat in ("min", "mean", "max")}
    # Every site counts for FTE, a site without anyone in post as 0.
    fte = current_fte(site_ids=scoped.values("id"), today=today)
    everyone = [fte.get(pk, Decimal("0")) for pk in scoped.values_list("id", flat=True)]
    result["fte"] = {
        "min": min(everyone, default=None),
        "mean": (sum(everyone) / len(everyone)) if everyone else None,
        "max": max(everyone, default=None),
    }
    return result


def quarter_totals(*, sites, period: SitePeriod, today: datetime.date | None = None) -> list[dict]:
    """Per quarter of the period, across the sites: meetings, steering meetings, actions, sites
    expected to report, and how many filled their logbook and entered indicators. One query; the
    overview pages keep the charts drawn from it (evaluation.dashboards.views._overview), not the totals."""
    today = today or timezone.localdate()
    refresh_stale(period.apply(sites).values("id"))
    stats = SiteQuarterStats.objects.filter(
        site__in=period.apply(sites).values("id"), quarter__lte=quarter_of(today)
    ).filter(period.quarter_filter())
    expected = Q(in_experiment=True)
    return list(
        stats.values("quarter")
        .annotate(
            meetings=Sum("meetings"),
            steering=Sum("steering_meetings"),
            actions=Sum("actions"),
            expected=Count("id", filter=expected),
            logbook=Count("id", filter=expected & Q(logbook_entries__gt=0)),
            indicators=Count("id", filter=expected & Q(indicator_values__gt=0)),
        )
        .order_by("quarter")
    )


def published_quarters(*, today: datetime.date | None = None):
    """Every site's pre-aggregated quarters up to today's, rebuilt first where stale: the counts per
    site and quarter the open data publishes (evaluation.opendata), as the dashboards read them."""
    today = today or timezone.localdate()
    refresh_stale(limit=None)
    return (
        SiteQuarterStats.objects.filter(quarter__lte=quarter_of(today))
        .select_related("site")
        .order_by("site__slug", "quarter")
    )
