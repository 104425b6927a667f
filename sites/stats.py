"""The statistics service: the figures of the dashboards, the exports and the evaluation reports.

Public API (keyword-only, typed; the PDF reports call the same functions as the dashboards):

- quarters: `quarter_of`, `quarter_label`, `quarter_param`, `parse_quarter`, `quarters_between`;
- pre-aggregates: `refresh_site_stats`, `rebuild_all_stats`, `schedule_refresh` (one
  `SiteQuarterStats` row per site and quarter, kept fresh by the receivers at the bottom);
- one site: `site_dashboard(site=…)` → `SiteDashboard`, `cooperation(site=…)` → `Cooperation`;
- several sites: `SitePeriod` (filters), `site_table(…)` → `SiteTable` (one row per site, sorted and
  paginated), `distributions(…)`, `quarter_totals(…)`.

Every function runs a fixed number of queries whatever the data size: the many-site figures read
the pre-aggregates (about one row per site and quarter), never the meetings themselves.
"""

import datetime
import hashlib
import itertools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from atc.charts import (
    Chart,
    column_chart,
    format_number,
    grouped_bars,
    network_graph,
    share_bar,
    slope_chart,
)
from sites.exports import Table
from sites.models import (
    ContextEvent,
    FacilitatorAssignment,
    Network,
    OrganisationCategory,
    PartnerOrganisation,
    PriorityModel,
    ReviewComment,
    Site,
    SiteQuarterStats,
)

PAGE_SIZE = 50
EXPERIMENT_START = datetime.date(2019, 7, 1)
CATEGORIES = list(OrganisationCategory)
# Attendance of these categories is the "mix" the national actors follow: beyond institutions.
CIVIL_SOCIETY = (
    OrganisationCategory.ASSOCIATION,
    OrganisationCategory.RESIDENTS,
    OrganisationCategory.CITIZENS_COUNCIL,
)
ATTENDEE_COLUMNS = [f"attendees_{c.value}" for c in CATEGORIES]


# --- Quarters -------------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter holding `day`."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(quarter: datetime.date) -> datetime.date:
    month = quarter.month + 3
    return datetime.date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_end(quarter: datetime.date) -> datetime.date:
    return next_quarter(quarter) - datetime.timedelta(days=1)


def quarter_label(quarter: datetime.date) -> str:
    """`T1 2021`: how the interface names a quarter."""
    return _("T%(n)s %(year)s") % {"n": (quarter.month - 1) // 3 + 1, "year": quarter.year}


def quarter_param(quarter: datetime.date) -> str:
    """`2021-T1`: how a URL names a quarter (see `parse_quarter`)."""
    return f"{quarter.year}-T{(quarter.month - 1) // 3 + 1}"


def parse_quarter(text: str | None) -> datetime.date | None:
    """`2021-T1` (or `2021-Q1`, `2021-1`) → first day of the quarter; None when unreadable."""
    if not text:
        return None
    year, _sep, number = text.strip().upper().partition("-")
    number = number.lstrip("TQ")
    if not (year.isdigit() and number.isdigit() and 1900 < int(year) < 2200 and 1 <= int(number) <= 4):
        return None
    return datetime.date(int(year), 3 * int(number) - 2, 1)


def quarters_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every quarter from `first`'s to `last`'s, both included."""
    quarters, current = [], quarter_of(first)
    while current <= last:
        quarters.append(current)
        current = next_quarter(current)
    return quarters


# --- Pre-aggregates -------------------------------------------------------------------------------


def _meeting_model():
    from pilotage.models import Meeting

    return Meeting


def _partner_links(site_id: int) -> list[tuple[str, int, datetime.date, int]]:
    """(source, group id, date, partner id) for every partner present at a meeting or in an action."""
    from pilotage.models import Action, Meeting

    meeting_links = Meeting.organisations.through.objects.filter(meeting__site_id=site_id).values_list(
        "meeting_id", "meeting__date", "partnerorganisation_id"
    )
    action_date = Coalesce(
        "action__start_date", TruncDate("action__created_at"), output_field=models.DateField()
    )
    action_links = (
        Action.partners.through.objects.filter(action__site_id=site_id)
        .annotate(day=action_date)
        .values_list("action_id", "day", "partnerorganisation_id")
    )
    return [("m", *row) for row in meeting_links] + [("a", *row) for row in action_links]


def refresh_site_stats(*, site_id: int) -> int:
    """Rebuild every `SiteQuarterStats` row of one site from its data; returns the rows written.

    A whole site is rebuilt (a few grouped queries) rather than patched, so a meeting moved to
    another quarter, a deleted action or a changed start date can never leave a stale row.
    Two saves on one site can commit at the same moment under load: the site row is locked for
    the whole rebuild, so the rebuilds run one after the other, each reading what was committed
    before it, instead of colliding on the (site, quarter) unique key or writing stale figures.
    """
    with transaction.atomic():
        list(Site.objects.select_for_update().filter(pk=site_id).values_list("pk", flat=True))
        written = _rebuild_site_stats(site_id)
    # Once the rows are committed: a reader between the bump and the commit would cache old figures.
    transaction.on_commit(lambda: bump_site_version(site_id))
    return written


def _rebuild_site_stats(site_id: int) -> int:
    from evaluation.models import IndicatorValue, LogbookEntry
    from pilotage.models import ATTENDANCE_FIELDS, Action, Meeting

    site = Site.objects.filter(pk=site_id).only("id", "start_date").first()
    if site is None:
        return 0
    rows: dict[datetime.date, dict] = defaultdict(dict)
    attendance = {f: Sum(f) for f in ATTENDANCE_FIELDS.values()}
    meetings = (
        Meeting.objects.filter(site_id=site_id)
        .annotate(q=TruncQuarter("date"))
        .values("q", "kind")
        .annotate(n=Count("id"), **{f"s_{f}": agg for f, agg in attendance.items()})
        .order_by()
    )
    for group in meetings:
        row = rows[group["q"]]
        row.setdefault("meetings_by_kind", {})[group["kind"]] = group["n"]
        row["meetings"] = row.get("meetings", 0) + group["n"]
        for category, column in ATTENDANCE_FIELDS.items():
            value = group[f"s_{column}"] or 0
            row[f"attendees_{category.value}"] = row.get(f"attendees_{category.value}", 0) + value
            if group["kind"] == Meeting.Kind.STEERING:
                row.setdefault("steering_attendance", {})[category.value] = value
        if group["kind"] == Meeting.Kind.STEERING:
            row["steering_meetings"] = group["n"]

    # An action belongs to the quarter it started in (its entry date when no start is known).
    action_day = Coalesce("start_date", TruncDate("created_at"), output_field=models.DateField())
    actions = (
        Action.objects.filter(site_id=site_id)
        .annotate(q=TruncQuarter(action_day))
        .values("q", "status")
        .annotate(n=Count("id"), reached=Sum("residents_reached"))
        .order_by()
    )
    for group in actions:
        row = rows[group["q"]]
        row.setdefault("actions_by_status", {})[group["status"]] = group["n"]
        row["actions"] = row.get("actions", 0) + group["n"]
        row["residents_reached"] = row.get("residents_reached", 0) + (group["reached"] or 0)
        if group["status"] == Action.Status.DONE:
            row["actions_done"] = group["n"]

    logbook = (
        LogbookEntry.objects.filter(site_id=site_id)
        .annotate(q=TruncQuarter("period_end"))
        .values("q")
        .annotate(n=Count("id"))
        .order_by()
    )
    for group in logbook:
        rows[group["q"]]["logbook_entries"] = group["n"]
    indicators = (
        IndicatorValue.objects.filter(site_id=site_id)
        .annotate(q=TruncQuarter("period_start"))
        .values("q")
        .annotate(n=Count("id"))
        .order_by()
    )
    for group in indicators:
        rows[group["q"]]["indicator_values"] = group["n"]

    categories = dict(PartnerOrganisation.objects.filter(site_id=site_id).values_list("id", "category"))
    groups: dict[tuple[str, int], set[int]] = defaultdict(set)
    group_quarter: dict[tuple[str, int], datetime.date] = {}
    for source, group_id, day, partner_id in _partner_links(site_id):
        groups[(source, group_id)].add(partner_id)
        group_quarter[(source, group_id)] = quarter_of(day)
    partners_by_quarter: dict[datetime.date, set[int]] = defaultdict(set)
    pairs_by_quarter: dict[datetime.date, set[tuple[int, int]]] = defaultdict(set)
    for key, members in groups.items():
        quarter = group_quarter[key]
        partners_by_quarter[quarter] |= members
        pairs_by_quarter[quarter].update(itertools.combinations(sorted(members), 2))
    for quarter, members in partners_by_quarter.items():
        pairs = pairs_by_quarter[quarter]
        rows[quarter]["partners"] = len(members)
        rows[quarter]["partner_pairs"] = len(pairs)
        rows[quarter]["cross_category_pairs"] = sum(
            1 for a, b in pairs if categories.get(a) != categories.get(b)
        )

    today = quarter_of(timezone.localdate())
    start = quarter_of(site.start_date) if site.start_date else None
    known = [q for q in rows if q is not None]
    # Every site has a row for every quarter since the experiment began, so that any period's
    # figures group to one row per site without an outer join to the sites.
    first = min([*known, EXPERIMENT_START, start or today])
    last = max([*known, today])
    objects = [
        SiteQuarterStats(
            site_id=site_id,
            quarter=quarter,
            in_experiment=start is None or quarter >= start,
            **rows.get(quarter, {}),
        )
        for quarter in quarters_between(first, last)
    ]
    with transaction.atomic():
        SiteQuarterStats.objects.filter(site_id=site_id).delete()
        SiteQuarterStats.objects.bulk_create(objects, batch_size=500)
    return len(objects)


# --- Cache of the many-site figures -----------------------------------------------------------------

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


def rebuild_all_stats(*, site_ids: list[int] | None = None) -> int:
    """Rebuild the pre-aggregates of the given sites (all sites by default); returns rows written.

    For bulk loads that bypass the model signals (demo data, imports by COPY, the benchmark):
    `manage.py refresh_stats` calls it.
    """
    ids = site_ids if site_ids is not None else list(Site.objects.values_list("id", flat=True))
    return sum(refresh_site_stats(site_id=site_id) for site_id in ids)


class _PendingRefreshes:
    """The sites to refresh when the current transaction commits, and the callback doing it."""

    def __init__(self):
        self.site_ids: set[int] = set()
        self.done = False

    def flush(self) -> None:
        self.done = True
        for site_id in sorted(self.site_ids):
            refresh_site_stats(site_id=site_id)


def schedule_refresh(site_id: int | None) -> None:
    """Refresh a site's pre-aggregates once the current transaction commits (once per site).

    Receivers rather than calls in each service: the admin, the CSV import, every form and the
    shell all save through the ORM, so a signal is the one place none of them can forget. The
    work waits for the commit so that a rolled-back change never leaves figures behind, and a
    transaction that saves 500 meetings refreshes each site once.
    """
    if site_id is None:
        return
    pending = getattr(connection, "_atc_stats_pending", None)
    # A rolled-back transaction drops its callbacks: then the pending set is stale, start over.
    if (
        pending is None
        or pending.done
        or not any(entry[1] == pending.flush for entry in connection.run_on_commit)
    ):
        pending = connection._atc_stats_pending = _PendingRefreshes()
        transaction.on_commit(pending.flush)
    pending.site_ids.add(site_id)


# --- One site -------------------------------------------------------------------------------------


@dataclass
class Facilitation:
    today: datetime.date
    assignments: list[FacilitatorAssignment]
    current: list[FacilitatorAssignment]
    total_fte: Decimal
    since: datetime.date | None
    vacancies: list[tuple[datetime.date, datetime.date, int]]
    vacancy_days: int
    turnover: int


@dataclass
class Steering:
    composition: list[tuple[str, int]]
    members: int
    meetings_held: int
    last_meeting: datetime.date | None
    next_meeting: datetime.date | None
    attendance_total: dict[str, int]
    civil_society_share: float | None
    recent: list[tuple[datetime.date, str]]


@dataclass
class Reading:
    item: str
    institutional: Decimal | None
    facilitator: Decimal | None
    residents: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        scores = [s for s in (self.institutional, self.facilitator, self.residents) if s is not None]
        return max(scores) - min(scores) if len(scores) > 1 else None


@dataclass
class SiteDashboard:
    """Everything the site dashboard shows, read in a fixed number of queries."""

    site: Site
    today: datetime.date
    quarters: list[SiteQuarterStats]
    facilitation: Facilitation
    steering: Steering
    findings_by_theme: list[dict]
    findings_without_action: list
    findings_without_action_count: int
    readings: list[Reading]
    reading_dates: dict[str, datetime.date]
    actions_by_status: list[dict]
    actions_by_theme: list[dict]
    actions_total: int
    actions_progress: float | None
    residents_reached: int
    logbook_expected: int
    logbook_filled: int
    logbook_latest: list
    schemes: list[str]
    context_events: list[ContextEvent]
    timeline: list[tuple[datetime.date, str, str]]
    comments: list[ReviewComment]
    first_diagnostic: datetime.date | None


def _facilitation(site: Site, today: datetime.date) -> Facilitation:
    assignments = list(FacilitatorAssignment.objects.filter(site=site).order_by("start_date", "id"))
    current = [
        a for a in assignments if a.start_date <= today and (a.end_date is None or a.end_date >= today)
    ]
    leads = [a for a in assignments if a.position == FacilitatorAssignment.Position.LEAD]
    current_leads = [a for a in current if a.position == FacilitatorAssignment.Position.LEAD]
    # A vacancy is a stretch since the first lead's arrival with no lead in post.
    vacancies = []
    covered_until = None
    for lead in leads:
        if lead.start_date > today:
            break
        if covered_until is not None and lead.start_date - covered_until > datetime.timedelta(days=1):
            start = covered_until + datetime.timedelta(days=1)
            end = lead.start_date - datetime.timedelta(days=1)
            vacancies.append((start, end, (end - start).days + 1))
        # An open-ended contract covers up to today (date.max would overflow the arithmetic).
        end = lead.end_date or today
        covered_until = end if covered_until is None else max(covered_until, end)
    if covered_until is not None and covered_until < today:
        start = covered_until + datetime.timedelta(days=1)
        vacancies.append((start, today, (today - start).days + 1))
    return Facilitation(
        today=today,
        assignments=assignments,
        current=current,
        total_fte=sum((a.fte for a in current), Decimal("0")),
        since=min((a.start_date for a in current_leads), default=None),
        vacancies=vacancies,
        vacancy_days=sum(v[2] for v in vacancies),
        turnover=sum(1 for a in leads if a.end_date is not None and a.end_date < today),
    )


def _steering(site: Site, today: datetime.date, quarters: list[SiteQuarterStats]) -> Steering:
    from pilotage.models import Committee, CommitteeMember

    members = (
        CommitteeMember.objects.filter(committee__site=site, committee__kind=Committee.Kind.STEERING)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_category = {row["category"]: row["n"] for row in members}
    composition = [(c.label, by_category[c.value]) for c in CATEGORIES if by_category.get(c.value)]
    # One query for the count, the last and next dates and the timeline's latest meetings: a site
    # holds a steering meeting every few weeks at most, so these rows stay few.
    meetings = list(
        _meeting_model()
        .objects.filter(site=site, kind="steering")
        .order_by("-date", "-id")
        .values_list("date", "title")
    )
    held = [m for m in meetings if m[0] <= today]
    upcoming = [m[0] for m in meetings if m[0] > today]
    totals: Counter = Counter()
    for row in quarters:
        totals.update(row.steering_attendance)
    total = sum(totals.values())
    civil = sum(totals[c.value] for c in CIVIL_SOCIETY)
    return Steering(
        composition=composition,
        members=sum(by_category.values()),
        meetings_held=len(held),
        last_meeting=held[0][0] if held else None,
        next_meeting=min(upcoming, default=None),
        recent=held[:12],
        attendance_total={c.value: totals[c.value] for c in CATEGORIES},
        civil_society_share=(civil / total * 100) if total else None,
    )


def _readings(site: Site) -> tuple[list[Reading], dict[str, datetime.date]]:
    from diagnostics.models import Assessment

    latest: dict[tuple[int, str], tuple[datetime.date, Decimal]] = {}
    labels: dict[int, tuple[int, str]] = {}
    rows = Assessment.objects.filter(site=site).values_list(
        "item_id", "item__order", "item__label", "respondent_kind", "date", "score"
    )
    dates: dict[str, datetime.date] = {}
    for item_id, order, label, kind, day, score in rows:
        labels[item_id] = (order, label)
        if (item_id, kind) not in latest or latest[(item_id, kind)][0] < day:
            latest[(item_id, kind)] = (day, score)
            dates[kind] = max(dates.get(kind, day), day)

    def score(item_id, kind):
        found = latest.get((item_id, kind))
        return found[1] if found else None

    readings = [
        Reading(
            item=label,
            institutional=score(item_id, "institutional"),
            facilitator=score(item_id, "facilitator"),
            residents=score(item_id, "residents"),
        )
        for item_id, (_order, label) in sorted(labels.items(), key=lambda kv: kv[1])
    ]
    return readings, dates


def site_quarters(site: Site) -> list[SiteQuarterStats]:
    """The site's pre-aggregated quarters, oldest first (one query)."""
    return list(SiteQuarterStats.objects.filter(site=site).order_by("quarter"))


def site_dashboard(*, site: Site, today: datetime.date | None = None) -> SiteDashboard:
    """The site dashboard's figures: facilitation, steering, diagnostic, actions, logbook, context,
    timeline and review comments. About 15 queries, whatever the size of the site's history."""
    from diagnostics.models import Diagnostic, Finding
    from evaluation.models import LogbookEntry
    from pilotage.models import Action

    today = today or timezone.localdate()
    quarters = site_quarters(site)
    facilitation = _facilitation(site, today)
    steering = _steering(site, today, quarters)

    findings_by_theme = list(
        Finding.objects.filter(site=site)
        .values("theme__name", "theme__order")
        .annotate(
            findings=Count("id", distinct=True),
            without_action=Count("id", distinct=True, filter=Q(actions__isnull=True)),
        )
        .order_by("theme__order", "theme__name")
    )
    orphan = Finding.objects.filter(site=site, actions__isnull=True).select_related("theme")
    findings_without_action = list(orphan.order_by("-date", "id")[:10])
    readings, reading_dates = _readings(site)

    action_rows = list(
        Action.objects.filter(site=site)
        .values("status")
        .annotate(n=Count("id"), reached=Sum("residents_reached"), progress=Sum("progress"))
        .order_by()
    )
    by_status = {row["status"]: row for row in action_rows}
    actions_by_status = [
        {
            "status": label,
            "code": code,
            "count": by_status[code]["n"],
            "reached": by_status[code]["reached"] or 0,
        }
        for code, label in Action.Status.choices
        if code in by_status
    ]
    actions_total = sum(row["n"] for row in action_rows)
    actions_by_theme = list(
        Action.objects.filter(site=site)
        .values(theme_name=Coalesce("theme__name", Value(_("Sans thématique"))))
        .annotate(count=Count("id"), reached=Sum("residents_reached"))
        .order_by("-count", "theme_name")
    )

    expected = [q for q in quarters if q.in_experiment and q.quarter <= quarter_of(today)]
    diagnostics = list(Diagnostic.objects.filter(site=site).order_by("date").values_list("date", "title"))
    events = list(
        ContextEvent.objects.filter(Q(site=site) | Q(site__isnull=True)).order_by("start_date", "id")
    )
    timeline = _timeline(site, facilitation, diagnostics, events, steering.recent)

    return SiteDashboard(
        site=site,
        today=today,
        quarters=quarters,
        facilitation=facilitation,
        steering=steering,
        findings_by_theme=findings_by_theme,
        findings_without_action=findings_without_action,
        findings_without_action_count=sum(row["without_action"] for row in findings_by_theme),
        readings=readings,
        reading_dates=reading_dates,
        actions_by_status=actions_by_status,
        actions_by_theme=actions_by_theme,
        actions_total=actions_total,
        actions_progress=(sum(r["progress"] or 0 for r in action_rows) / actions_total)
        if actions_total
        else None,
        residents_reached=sum(row["reached"] or 0 for row in action_rows),
        logbook_expected=len(expected),
        logbook_filled=sum(1 for q in expected if q.logbook_entries),
        logbook_latest=list(LogbookEntry.objects.filter(site=site).order_by("-period_end", "-id")[:5]),
        schemes=list(site.other_schemes.values_list("label", flat=True)),
        context_events=events,
        timeline=timeline,
        comments=list(ReviewComment.objects.filter(site=site).select_related("author")[:20]),
        first_diagnostic=diagnostics[0][0] if diagnostics else None,
    )


def _timeline(site, facilitation, diagnostics, events, steering_meetings):
    """(date, kind label, text) of the site's milestones, oldest first."""
    entries = []
    if site.start_date:
        entries.append((site.start_date, _("Lancement"), _("Début de l'expérimentation sur le site")))
    for assignment in facilitation.assignments:
        entries.append(
            (
                assignment.start_date,
                _("Animation"),
                _("Arrivée de %(name)s") % {"name": assignment.person_name},
            )
        )
        if assignment.end_date and assignment.end_date <= facilitation.today:
            entries.append(
                (
                    assignment.end_date,
                    _("Animation"),
                    _("Départ de %(name)s") % {"name": assignment.person_name},
                )
            )
    for day, title in diagnostics:
        entries.append((day, _("Diagnostic"), title))
    for event in events:
        entries.append((event.start_date, _("Contexte"), event.title))
    for day, title in steering_meetings:
        entries.append((day, _("Pilotage"), title))
    for start, end, days in facilitation.vacancies:
        entries.append(
            (
                start,
                _("Animation"),
                _("Poste vacant jusqu'au %(end)s (%(days)s jours)")
                % {
                    "end": end.strftime("%d/%m/%Y"),
                    "days": days,
                },
            )
        )
    return sorted(entries, key=lambda e: e[0])


# --- Cooperation ----------------------------------------------------------------------------------


@dataclass
class Cooperation:
    """Who works with whom on a site: partners, weighted pairs, and their quarterly counts."""

    partners: list[PartnerOrganisation]
    pairs: list[tuple[PartnerOrganisation, PartnerOrganisation, int]]
    quarters: list[SiteQuarterStats]
    diagnostic_date: datetime.date | None
    before: SiteQuarterStats | None = None
    latest: SiteQuarterStats | None = None
    cross_pairs: int = 0


def _pair_counts(site_id: int) -> list[tuple[int, int, int]]:
    """(partner a, partner b, times together) over meetings and actions, counted in SQL."""
    from pilotage.models import Action, Meeting

    meeting_through = Meeting.organisations.through._meta
    action_through = Action.partners.through._meta
    sql = f"""
        SELECT a, b, SUM(n) FROM (
            SELECT x.partnerorganisation_id AS a, y.partnerorganisation_id AS b, COUNT(*) AS n
            FROM {meeting_through.db_table} x
            JOIN {meeting_through.db_table} y
              ON y.meeting_id = x.meeting_id AND x.partnerorganisation_id < y.partnerorganisation_id
            JOIN {Meeting._meta.db_table} m ON m.id = x.meeting_id
            WHERE m.site_id = %s
            GROUP BY x.partnerorganisation_id, y.partnerorganisation_id
            UNION ALL
            SELECT x.partnerorganisation_id, y.partnerorganisation_id, COUNT(*)
            FROM {action_through.db_table} x
            JOIN {action_through.db_table} y
              ON y.action_id = x.action_id AND x.partnerorganisation_id < y.partnerorganisation_id
            JOIN {Action._meta.db_table} t ON t.id = x.action_id
            WHERE t.site_id = %s
            GROUP BY x.partnerorganisation_id, y.partnerorganisation_id
        ) pairs
        GROUP BY a, b
        ORDER BY 3 DESC, 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [site_id, site_id])
        return [(a, b, int(n)) for a, b, n in cursor.fetchall()]


def cooperation(*, site: Site, today: datetime.date | None = None) -> Cooperation:
    """The site's cooperation map: partners, pairs weighted by co-participations (meetings and
    actions), partners and pairs per quarter, and the change since the first diagnostic. 4 queries."""
    from diagnostics.models import Diagnostic

    today = today or timezone.localdate()
    partners = {p.pk: p for p in PartnerOrganisation.objects.filter(site=site).order_by("name")}
    pairs = [
        (partners[a], partners[b], n) for a, b, n in _pair_counts(site.pk) if a in partners and b in partners
    ]
    quarters = [q for q in site_quarters(site) if q.quarter <= quarter_of(today)]
    diagnostic_date = Diagnostic.objects.filter(site=site).aggregate(first=Min("date"))["first"]
    result = Cooperation(
        partners=list(partners.values()),
        pairs=pairs,
        quarters=quarters,
        diagnostic_date=diagnostic_date,
        cross_pairs=sum(1 for a, b, _n in pairs if a.category != b.category),
    )
    if diagnostic_date and quarters:
        at_diagnostic = [q for q in quarters if q.quarter <= quarter_of(diagnostic_date)]
        result.before = at_diagnostic[-1] if at_diagnostic else quarters[0]
        result.latest = quarters[-1]
    return result


# --- Several sites --------------------------------------------------------------------------------


@dataclass
class SitePeriod:
    """The filters of the network and national dashboards, read from the query string."""

    network: str = ""
    region: str = ""
    priority_model: str = ""
    support: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None

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
    "actions": "actions_count",
    "habitants": "reached",
    "carnet": "logbook_filled",
}


FIGURES = (
    "meetings_count",
    "steering",
    "attendees",
    "civil",
    "civil_share",
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
    rows = (
        FacilitatorAssignment.objects.filter(site_id__in=site_ids)
        .current(today)
        .values("site_id")
        .annotate(total=Sum("fte"))
        .order_by()
        .values_list("site_id", "total")
    )
    return dict(rows)


def stats_by_site(*, site_ids, period: SitePeriod, today: datetime.date | None = None):
    """One dict per site with its figures over the period, summed from the pre-aggregates and
    grouped by site id only (no join, no wide GROUP BY): `site_id` plus every name of FIGURES."""
    today = today or timezone.localdate()
    expected = Q(in_experiment=True)
    attendees = sum((F(c) for c in ATTENDEE_COLUMNS[1:]), F(ATTENDEE_COLUMNS[0]))
    civil = sum(
        (F(f"attendees_{c.value}") for c in CIVIL_SOCIETY[1:]), F(f"attendees_{CIVIL_SOCIETY[0].value}")
    )
    return (
        SiteQuarterStats.objects.filter(site_id__in=site_ids, quarter__lte=quarter_of(today))
        .filter(period.quarter_filter())
        .values("site_id")
        .annotate(
            meetings_count=Sum("meetings"),
            steering=Sum("steering_meetings"),
            attendees=Sum(attendees),
            civil=Sum(civil),
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
            )
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
    all_rows: bool = field(default=False)


def _attach(sites: list[Site], figures: dict[int, dict], fte: dict[int, Decimal]) -> list[Site]:
    for site in sites:
        row = figures.get(site.pk, {})
        for name in FIGURES:
            default = None if name == "civil_share" else 0
            setattr(site, name, row.get(name) if row.get(name) is not None else default)
        site.fte = fte.get(site.pk, Decimal("0"))
    return sites


def site_table(
    *,
    sites,
    period: SitePeriod,
    sort: str = "nom",
    page: int = 1,
    page_size: int | None = PAGE_SIZE,
    today: datetime.date | None = None,
) -> SiteTable:
    """One page of sites with their figures. `sites` is already scoped (`Site.objects.for_user`).

    `sort` is a key of `SORTS`, prefixed with `-` for descending. Sorting by a column of the site
    picks the page first and aggregates only its sites; sorting by a figure groups every site's
    pre-aggregated quarters by site id (about one row per site and quarter) and keeps the page's
    ids. `page_size=None` returns every row (exports). Four or five queries.
    """
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "nom", False
    scoped = period.apply(sites)
    total = scoped.count()
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(max(1, page), pages)
    window = slice((page - 1) * page_size, page * page_size) if page_size else slice(None)
    ids = scoped.values("id")
    columns = Site.objects.select_related("network").only(
        "id", "name", "slug", "region", "network__name", "network__code"
    )
    if key in {"nom", "reseau", "region"}:
        order = F(SORTS[key]).desc() if descending else F(SORTS[key]).asc()
        shown = list(columns.filter(id__in=ids).order_by(order, "name")[window])
        page_ids = [s.pk for s in shown]
        figures = {
            row["site_id"]: row for row in stats_by_site(site_ids=page_ids, period=period, today=today)
        }
        fte = current_fte(site_ids=page_ids, today=today)
    elif key == "etp":

        def by_fte() -> list[int]:
            everyone = current_fte(site_ids=ids, today=today)
            names = dict(scoped.values_list("id", "name"))
            return sorted(
                names, key=lambda pk: (everyone.get(pk, Decimal("0")), names[pk]), reverse=descending
            )

        ordered = cached(("sorted-fte", scope_key(scoped), descending, today), by_fte)
        page_ids = ordered[window]
        by_id = columns.in_bulk(page_ids)
        shown = [by_id[pk] for pk in page_ids if pk in by_id]
        fte = current_fte(site_ids=page_ids, today=today)
        figures = {
            row["site_id"]: row for row in stats_by_site(site_ids=page_ids, period=period, today=today)
        }
    else:
        field_name = SORTS[key]
        order = F(field_name).desc(nulls_last=True) if descending else F(field_name).asc(nulls_last=True)
        grouped = stats_by_site(site_ids=ids, period=period, today=today).order_by(order, "site_id")
        ordered_ids = cached(
            ("sorted", scope_key(scoped), repr(period), sort, today),
            lambda: list(grouped.values_list("site_id", flat=True)),
        )
        page_ids = ordered_ids[window]
        figures = {
            row["site_id"]: row for row in stats_by_site(site_ids=page_ids, period=period, today=today)
        }
        if page_size is None or len(page_ids) < page_size:
            # Sites without any pre-aggregated quarter (never refreshed) come last, by name.
            with_rows = (
                SiteQuarterStats.objects.filter(
                    site_id__in=ids, quarter__lte=quarter_of(today or timezone.localdate())
                )
                .filter(period.quarter_filter())
                .values("site_id")
            )
            skip = max(0, window.start - len(ordered_ids)) if page_size else 0
            missing = scoped.exclude(id__in=with_rows).order_by("name").values_list("id", flat=True)
            page_ids += list(missing[skip : skip + page_size - len(page_ids)] if page_size else missing)
        by_id = columns.in_bulk(page_ids)
        shown = [by_id[pk] for pk in page_ids if pk in by_id]
        fte = current_fte(site_ids=page_ids, today=today)
    return SiteTable(
        rows=_attach(shown, figures, fte),
        total=total,
        page=page,
        pages=pages,
        sort=key,
        descending=descending,
        start_index=(page - 1) * page_size if page_size else 0,
        all_rows=page_size is None,
    )


def distributions(*, sites, period: SitePeriod, today: datetime.date | None = None) -> dict:
    """Min, mean and max across the sites of FTE, steering meetings, civil-society share of
    attendance (%) and actions over the period: `{"fte": {"min":…, "mean":…, "max":…}, …}`.
    Three queries (none when cached): the aggregate of the per-site sums, the FTE in post, the ids."""
    return cached(
        ("distributions", scope_key(period.apply(sites)), repr(period), today),
        lambda: _distributions(sites=sites, period=period, today=today),
        lag_seconds=OVERVIEW_LAG_SECONDS,
    )


def _distributions(*, sites, period: SitePeriod, today: datetime.date | None) -> dict:
    scoped = period.apply(sites)
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
    overview pages keep the charts drawn from it (dashboard_views._overview), not the totals."""
    today = today or timezone.localdate()
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


# --- Keeping the pre-aggregates fresh -------------------------------------------------------------


def _on_site_row_change(sender, instance, **kwargs):
    schedule_refresh(getattr(instance, "site_id", None))


def _on_site_change(sender, instance, **kwargs):
    schedule_refresh(instance.pk)
    transaction.on_commit(lambda: _bump(SITES_VERSION_KEY))


def _site_id_of(instance) -> int | None:
    """The site a changed row belongs to, or None when it belongs to none or cannot be told."""
    if isinstance(instance, Site):
        return instance.pk
    site_id = getattr(instance, "site_id", None)
    if site_id is None and getattr(instance, "committee_id", None):
        from pilotage.models import Committee

        site_id = Committee.objects.filter(pk=instance.committee_id).values_list("site_id", flat=True).first()
    return site_id


def _bump_for(instance) -> None:
    site_id = _site_id_of(instance)
    if site_id is None:
        transaction.on_commit(bump_all_versions)
    else:
        transaction.on_commit(lambda: bump_site_version(site_id))


def _on_shown_row_change(sender, instance, **kwargs):
    """Rows the site dashboard shows but the pre-aggregates don't count (findings, readings,
    facilitators, partners, committees, context events): its cached figures go stale."""
    _bump_for(instance)


def _on_shown_m2m_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        _bump_for(instance)
        if sender in (Site.other_schemes.through, Site.priority_models.through):
            # The site filters (priority model…) choose which sites the map shows.
            transaction.on_commit(lambda: _bump(SITES_VERSION_KEY))


def _on_partners_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        if isinstance(instance, PartnerOrganisation):
            schedule_refresh(instance.site_id)
        else:
            schedule_refresh(getattr(instance, "site_id", None))


def connect_receivers() -> None:
    """Connect the receivers that keep `SiteQuarterStats` right (called by SitesConfig.ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from diagnostics.models import Assessment, Diagnostic, Finding
    from evaluation.models import IndicatorValue, LogbookEntry
    from pilotage.models import Action, Committee, CommitteeMember, Meeting
    from sites.models import ContextEvent, FacilitatorAssignment

    for model in (Meeting, Action, LogbookEntry, IndicatorValue):
        uid = f"atc-stats-{model._meta.label_lower}"
        post_save.connect(_on_site_row_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_site_row_change, sender=model, dispatch_uid=f"{uid}-delete")
    post_save.connect(_on_site_change, sender=Site, dispatch_uid="atc-stats-site-save")
    post_delete.connect(
        lambda **kw: transaction.on_commit(bump_all_versions),
        sender=Site,
        weak=False,
        dispatch_uid="atc-stats-site-delete",
    )
    # A network's name is shown on each of its sites' dashboards; networks and priority models
    # are the dashboards' filter choices.
    post_save.connect(_on_shown_row_change, sender=Network, dispatch_uid="atc-dashboard-network-save")
    for model in (Network, PriorityModel):
        post_delete.connect(
            _on_shown_row_change, sender=model, dispatch_uid=f"atc-dashboard-{model._meta.label_lower}-delete"
        )
    post_save.connect(
        _on_shown_row_change, sender=PriorityModel, dispatch_uid="atc-dashboard-prioritymodel-save"
    )
    for through in (Meeting.organisations.through, Action.partners.through):
        m2m_changed.connect(
            _on_partners_change, sender=through, dispatch_uid=f"atc-stats-{through._meta.label_lower}"
        )
    # Shown by the site dashboard (whose rendered figures are cached) but not pre-aggregated.
    shown = (
        Finding,
        Diagnostic,
        Assessment,
        FacilitatorAssignment,
        PartnerOrganisation,
        Committee,
        CommitteeMember,
        ContextEvent,
    )
    for model in shown:
        uid = f"atc-dashboard-{model._meta.label_lower}"
        post_save.connect(_on_shown_row_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_shown_row_change, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (Action.findings.through, Site.other_schemes.through, Site.priority_models.through):
        m2m_changed.connect(
            _on_shown_m2m_change, sender=through, dispatch_uid=f"atc-dashboard-{through._meta.label_lower}"
        )


# --- Charts and tables (shared by the dashboards, the exports and the PDF reports) ---------------


CHART_QUARTERS = 12


def chart_quarters(quarters: list[SiteQuarterStats], today: datetime.date) -> list[SiteQuarterStats]:
    """The quarters a time chart shows: up to the last one with activity, the latest 12 at most."""
    shown = [q for q in quarters if q.quarter <= quarter_of(today)]
    active = [i for i, q in enumerate(shown) if q.meetings or q.actions or q.logbook_entries or q.partners]
    if active:
        shown = shown[: active[-1] + 1]
    return shown[-CHART_QUARTERS:]


def site_charts(dashboard: SiteDashboard) -> dict[str, Chart]:
    """The site dashboard's charts, each with its title, summary and data table."""
    quarters = chart_quarters(dashboard.quarters, dashboard.today)
    labels = [quarter_label(q.quarter) for q in quarters]
    steering = dashboard.steering
    charts = {
        "composition": share_bar(
            title=_("Composition de l'instance de pilotage par catégorie"),
            parts=steering.composition,
            part_header=_("Catégorie"),
        ),
        "steering_attendance": column_chart(
            title=_("Présences aux réunions de pilotage par catégorie et par trimestre"),
            categories=labels,
            series=[
                (c.label, [q.steering_attendance.get(c.value, 0) for q in quarters])
                for c in CATEGORIES
                if steering.attendance_total.get(c.value)
            ],
            category_header=_("Trimestre"),
        ),
        "meetings": column_chart(
            title=_("Réunions par trimestre"),
            categories=labels,
            series=[
                (_("Pilotage"), [q.steering_meetings for q in quarters]),
                (_("Autres réunions"), [q.meetings - q.steering_meetings for q in quarters]),
            ],
            category_header=_("Trimestre"),
        ),
        "readings": grouped_bars(
            title=_("Lecture du territoire (1 à 10) : institutionnels, animation, habitant·es"),
            categories=[r.item for r in dashboard.readings],
            series=[
                (_("Acteurs institutionnels"), [r.institutional for r in dashboard.readings]),
                (_("Animateur·rice"), [r.facilitator for r in dashboard.readings]),
                (_("Habitant·es"), [r.residents for r in dashboard.readings]),
            ],
            max_value=10,
            category_header=_("Item"),
            extra_columns=[(_("Écart"), [format_number(r.gap) for r in dashboard.readings])],
        ),
        "findings": column_chart(
            title=_("Constats par thématique"),
            categories=[row["theme__name"] for row in dashboard.findings_by_theme],
            series=[
                (
                    _("Avec action"),
                    [row["findings"] - row["without_action"] for row in dashboard.findings_by_theme],
                ),
                (_("Sans action"), [row["without_action"] for row in dashboard.findings_by_theme]),
            ],
            category_header=_("Thématique"),
        ),
        "actions_status": share_bar(
            title=_("Actions par état"),
            parts=[(row["status"], row["count"]) for row in dashboard.actions_by_status],
            part_header=_("État"),
        ),
        "actions_theme": column_chart(
            title=_("Actions par thématique"),
            categories=[row["theme_name"] for row in dashboard.actions_by_theme],
            series=[(_("Actions"), [row["count"] for row in dashboard.actions_by_theme])],
            category_header=_("Thématique"),
        ),
    }
    return charts


def cooperation_charts(coop: Cooperation) -> dict[str, Chart]:
    """The cooperation map's graph, its quarterly counts and its change since the diagnostic."""
    index = {p.pk: i for i, p in enumerate(coop.partners)}
    linked = sorted({p.pk for a, b, _n in coop.pairs for p in (a, b)}, key=lambda pk: index[pk])
    position = {pk: i for i, pk in enumerate(linked)}
    nodes = [
        (coop.partners[index[pk]].name, coop.partners[index[pk]].get_category_display()) for pk in linked
    ]
    edges = [(position[a.pk], position[b.pk], n) for a, b, n in coop.pairs]
    quarters = chart_quarters(coop.quarters, datetime.date.max)
    labels = [quarter_label(q.quarter) for q in quarters]
    charts = {
        "graph": network_graph(title=_("Qui travaille avec qui"), nodes=nodes, edges=edges),
        "quarters": column_chart(
            title=_("Partenaires et paires de partenaires par trimestre"),
            categories=labels,
            series=[
                (_("Partenaires distincts"), [q.partners for q in quarters]),
                (_("Paires"), [q.partner_pairs for q in quarters]),
                (_("Paires intersectorielles"), [q.cross_category_pairs for q in quarters]),
            ],
            stacked=False,
            category_header=_("Trimestre"),
        ),
    }
    if coop.before and coop.latest:
        charts["change"] = slope_chart(
            title=_("Évolution depuis le diagnostic"),
            start_label=quarter_label(coop.before.quarter),
            end_label=quarter_label(coop.latest.quarter),
            lines=[
                (_("Partenaires distincts"), coop.before.partners, coop.latest.partners),
                (_("Paires"), coop.before.partner_pairs, coop.latest.partner_pairs),
                (
                    _("Paires intersectorielles"),
                    coop.before.cross_category_pairs,
                    coop.latest.cross_category_pairs,
                ),
            ],
            decimals=0,
            line_header=_("Mesure"),
        )
    return charts


def overview_charts(*, totals: list[dict]) -> dict[str, Chart]:
    """The network and national dashboards' charts over the period's quarters (the latest 12)."""
    active = [i for i, row in enumerate(totals) if row["meetings"] or row["logbook"]]
    totals = totals[: active[-1] + 1][-CHART_QUARTERS:] if active else totals[-CHART_QUARTERS:]
    labels = [quarter_label(row["quarter"]) for row in totals]
    return {
        "meetings": column_chart(
            title=_("Réunions par trimestre, tous sites confondus"),
            categories=labels,
            series=[
                (_("Pilotage"), [row["steering"] or 0 for row in totals]),
                (_("Autres réunions"), [(row["meetings"] or 0) - (row["steering"] or 0) for row in totals]),
            ],
            category_header=_("Trimestre"),
        ),
        "reporting": column_chart(
            title=_("Sites à jour de leur suivi par trimestre"),
            categories=labels,
            series=[
                (_("Sites attendus"), [row["expected"] for row in totals]),
                (_("Carnet de bord rempli"), [row["logbook"] for row in totals]),
                (_("Indicateurs saisis"), [row["indicators"] for row in totals]),
            ],
            stacked=False,
            category_header=_("Trimestre"),
        ),
    }


SITE_TABLE_HEADERS = [
    _lazy("Site"),
    _lazy("Tête de réseau"),
    _lazy("Région"),
    _lazy("ETP d'animation"),
    _lazy("Réunions"),
    _lazy("Réunions de pilotage"),
    _lazy("Part associations et habitant·es (%)"),
    _lazy("Actions"),
    _lazy("Dont réalisées"),
    _lazy("Habitant·es touché·es"),
    _lazy("Partenaires (max. par trimestre)"),
    _lazy("Trimestres avec carnet de bord"),
    _lazy("Trimestres avec indicateurs"),
    _lazy("Trimestres attendus"),
]


def site_table_export(rows: list[Site], title: str) -> Table:
    """The site table (all rows) as an export table."""
    return Table(
        title=title,
        headers=[str(h) for h in SITE_TABLE_HEADERS],
        rows=[
            [
                s.name,
                s.network.name,
                s.region,
                s.fte,
                s.meetings_count,
                s.steering,
                None if s.civil_share is None else round(s.civil_share, 1),
                s.actions_count,
                s.actions_done,
                s.reached,
                s.partners_max,
                s.logbook_filled,
                s.indicators_filled,
                s.expected,
            ]
            for s in rows
        ],
    )


def chart_export(chart: Chart) -> Table:
    """A chart's data table as an export table (the cells as the page shows them)."""
    return Table(
        title=chart.title, headers=list(chart.table.headers), rows=[list(r) for r in chart.table.rows]
    )


def site_export_tables(dashboard: SiteDashboard, charts: dict[str, Chart]) -> dict[str, Table]:
    """Every table of the site dashboard, by the name its export URL uses."""
    facilitation = dashboard.facilitation
    tables = {
        "animation": Table(
            title=_("Animation"),
            headers=[_("Personne"), _("Fonction"), _("ETP"), _("Contrat"), _("Début"), _("Fin")],
            rows=[
                [
                    a.person_name,
                    a.get_position_display(),
                    a.fte,
                    a.get_contract_type_display(),
                    a.start_date,
                    a.end_date,
                ]
                for a in facilitation.assignments
            ],
        ),
        "carnet": Table(
            title=_("Carnet de bord par trimestre"),
            headers=[
                _("Trimestre"),
                _("Entrées du carnet de bord"),
                _("Valeurs d'indicateurs"),
                _("Trimestre attendu"),
            ],
            rows=[
                [
                    quarter_label(q.quarter),
                    q.logbook_entries,
                    q.indicator_values,
                    _("oui") if q.in_experiment else _("non"),
                ]
                for q in dashboard.quarters
                if q.quarter <= quarter_of(dashboard.today)
            ],
        ),
        "chronologie": Table(
            title=_("Chronologie du site"),
            headers=[_("Date"), _("Type"), _("Événement")],
            rows=[[day, kind, text] for day, kind, text in dashboard.timeline],
        ),
        "constats-sans-action": Table(
            title=_("Constats sans action"),
            headers=[_("Constat"), _("Thématique"), _("Date")],
            rows=[[f.title, f.theme.name, f.date] for f in dashboard.findings_without_action],
        ),
    }
    for name, chart in charts.items():
        tables[name.replace("_", "-")] = chart_export(chart)
    return tables
