"""The pre-aggregates (`SiteQuarterStats`: one row per site and quarter) and their refresh.

The many-site figures read these rows, never the meetings themselves, so that every figure runs a
fixed number of queries whatever the data size.
"""

import datetime
import itertools
import logging
from collections import defaultdict

from celery import current_app
from django.db import models, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncQuarter
from django.utils import timezone

from atc.periods import EXPERIMENT_START, quarter_of, quarters_between
from evaluation.figures import registry
from evaluation.figures.attention import signals_refresh
from evaluation.figures.prebuilt import prebuilt
from evaluation.models import IndicatorValue, LogbookEntry
from pilotage.models import ATTENDANCE_FIELDS, Action, Meeting
from sites.models import (
    OrganisationCategory,
    PartnerOrganisation,
    Site,
    SiteDataVersion,
    SiteQuarterStats,
)

CATEGORIES = list(OrganisationCategory)
# Two shares of that mix, named apart: at every meeting (public events included), and at the
# steering committee's meetings only — the evaluation's finding is institution-heavy committees.
CIVIL_SHARE_ALL_LABEL = registry.get("meetings_civil_share").label
CIVIL_SHARE_STEERING_LABEL = registry.get("steering_civil_share_period").label
ATTENDEE_COLUMNS = [f"attendees_{c.value}" for c in CATEGORIES]

logger = logging.getLogger(__name__)


def partner_links(site_id: int) -> list[tuple[str, int, datetime.date, int]]:
    """(source, group id, date, partner id) for every partner present at a meeting or in an action."""

    meeting_links = prebuilt("aggregates.meeting_links", _meeting_links).filter(meeting__site_id=site_id)
    action_links = prebuilt("aggregates.action_links", _action_links).filter(action__site_id=site_id)
    return [("m", *row) for row in meeting_links] + [("a", *row) for row in action_links]


def _meeting_links():
    return Meeting.organisations.through.objects.values_list(
        "meeting_id", "meeting__date", "partnerorganisation_id"
    )


def _action_links():
    action_date = Coalesce(
        "action__start_date", TruncDate("action__created_at"), output_field=models.DateField()
    )
    return Action.partners.through.objects.annotate(day=action_date).values_list(
        "action_id", "day", "partnerorganisation_id"
    )


def refresh_site_stats(*, site_id: int, only_if_stale: bool = False) -> int:
    """Rebuild every `SiteQuarterStats` row of one site from its data; returns the site's rows.

    A whole site is recomputed (a few grouped queries) rather than patched, so a meeting moved to
    another quarter, a deleted action or a changed start date can never leave a stale row; only
    the rows that differ from those stored are written (`_write_rows`).
    The site's version row is locked for the whole rebuild: two rebuilds of one site run one after
    the other, and a write on the site (whose trigger updates that row) waits for the rebuild, so
    the version recorded is never newer than the data read.

    `only_if_stale`: nothing is done (0 rows) when the site turns out to be fresh once its row is
    locked. Readers that found the site stale at the same moment queue on that lock; the first
    rebuilds, and the others, on a site written to several times a second, would each rebuild the
    same data again after it.
    """
    with transaction.atomic():
        # The site's start date comes with its locked version row: the signals read it from
        # there, not from one more query.
        locked = prebuilt("aggregates.version", _locked_version).filter(site_id=site_id).first()
        version, aggregated, start_date = locked or (None, None, None)
        if only_if_stale and version is not None and aggregated >= version:
            return 0
        rows = compute_site_rows(site_id)
        _write_rows(site_id, rows)
        if version is not None:
            SiteDataVersion.objects.filter(site_id=site_id).update(aggregated_version=version)
        # The signals read the same records: refreshed with the figures, on every write path.
        sites = None if locked is None else {site_id: Site(pk=site_id, start_date=start_date)}
        signals_refresh(site_ids=[site_id], sites=sites)
    return len(rows)


def _locked_version():
    # FOR UPDATE OF the version row only: the site's own row stays free for its writers.
    return SiteDataVersion.objects.select_for_update(of=("self",)).values_list(
        "version", "aggregated_version", "site__start_date"
    )


# The columns a row's figures are stored in, compared to decide which rows to write.
STORED_COLUMNS = [f.attname for f in SiteQuarterStats._meta.concrete_fields if f.name not in {"id", "site"}]


# Up to this many changed rows are updated in place, in their changed columns only (a meeting saved
# changes one quarter, a meeting moved two); more (a start date moved, a first rebuild) are deleted
# and inserted again, in two statements whatever their number.
UPDATED_IN_PLACE = 2


def _write_rows(site_id: int, rows: list[SiteQuarterStats]) -> None:
    """Make the stored rows of the site equal `rows`, writing only what differs: a meeting saved
    changes one quarter's row, and rewriting the site's ~25 rows cost more than reading them."""
    stored = {
        values[0]: (pk, values)
        for pk, *values in prebuilt("aggregates.stored", _stored_rows).filter(site_id=site_id)
    }
    wanted = {row.quarter: row for row in rows}
    gone = [pk for quarter, (pk, _values) in stored.items() if quarter not in wanted]
    new, changed = [], []
    for quarter, row in wanted.items():
        if quarter not in stored:
            new.append(row)
            continue
        pk, values = stored[quarter]
        differing = {
            column: value
            for column, old in zip(STORED_COLUMNS, values, strict=True)
            if (value := getattr(row, column)) != old
        }
        if differing:
            changed.append((pk, row, differing))
    if len(changed) > UPDATED_IN_PLACE:
        gone += [pk for pk, _row, _differing in changed]
        new += [row for _pk, row, _differing in changed]
        changed = []
    for pk, _row, differing in changed:
        SiteQuarterStats.objects.filter(pk=pk).update(**differing)
    if gone:
        SiteQuarterStats.objects.filter(pk__in=gone).delete()
    if new:
        SiteQuarterStats.objects.bulk_create(new, batch_size=500)


def _stored_rows():
    return SiteQuarterStats.objects.order_by().values_list("id", *STORED_COLUMNS)


def compute_site_rows(site_id: int) -> list[SiteQuarterStats]:
    """The `SiteQuarterStats` rows one site's data gives today (unsaved): what a rebuild writes and
    what `check_figures` compares the stored rows with."""
    site = prebuilt("aggregates.site", _site_start).filter(pk=site_id).first()
    if site is None:
        return []
    start_date = site.start_date
    rows: dict[datetime.date, dict] = defaultdict(dict)
    _add_meetings(rows, site_id)
    _add_actions(rows, site_id)
    _add_logbook_and_indicators(rows, site_id)
    _add_partners(rows, site_id)
    today = quarter_of(timezone.localdate())
    start = quarter_of(start_date) if start_date else None
    known = [q for q in rows if q is not None]
    # Every site has a row for every quarter since the experiment began, so that any period's
    # figures group to one row per site without an outer join to the sites.
    first = min([*known, EXPERIMENT_START, start or today])
    last = max([*known, today])
    return [
        SiteQuarterStats(
            site_id=site_id,
            quarter=quarter,
            in_experiment=start is None or quarter >= start,
            **rows.get(quarter, {}),
        )
        for quarter in quarters_between(first, last)
    ]


def _site_start():
    return Site.objects.only("id", "start_date").order_by()


# (the grouped query's sum, the row's column, the category) of every attendance category; the
# loop below runs ~150 times per rebuild of a busy site, so the names are made once.
_ATTENDANCE_NAMES = [
    (f"s_{column}", f"attendees_{category.value}", category.value)
    for category, column in ATTENDANCE_FIELDS.items()
]


def _add_meetings(rows: dict, site_id: int) -> None:
    """Meetings per quarter and kind, with their attendance per category (steering apart)."""
    steering_kind = Meeting.Kind.STEERING.value
    for group in prebuilt("aggregates.meetings", _meetings_by_quarter).filter(site_id=site_id):
        row = rows[group["q"]]
        steering = group["kind"] == steering_kind
        row.setdefault("meetings_by_kind", {})[group["kind"]] = group["n"]
        row["meetings"] = row.get("meetings", 0) + group["n"]
        for total, column, category in _ATTENDANCE_NAMES:
            value = group[total] or 0
            row[column] = row.get(column, 0) + value
            if steering:
                row.setdefault("steering_attendance", {})[category] = value
        if steering:
            row["steering_meetings"] = group["n"]


def _meetings_by_quarter():
    attendance = {f"s_{f}": Sum(f) for f in ATTENDANCE_FIELDS.values()}
    return (
        Meeting.objects.annotate(q=TruncQuarter("date"))
        .values("q", "kind")
        .annotate(n=Count("id"), **attendance)
        .order_by()
    )


def _add_actions(rows: dict, site_id: int) -> None:
    """Actions per quarter and status, and the residents they reached. An action belongs to the
    quarter it started in (its entry date when no start is known)."""
    for group in prebuilt("aggregates.actions", _actions_by_quarter).filter(site_id=site_id):
        row = rows[group["q"]]
        row.setdefault("actions_by_status", {})[group["status"]] = group["n"]
        row["actions"] = row.get("actions", 0) + group["n"]
        row["residents_reached"] = row.get("residents_reached", 0) + (group["reached"] or 0)
        if group["status"] == Action.Status.DONE:
            row["actions_done"] = group["n"]


def _actions_by_quarter():
    action_day = Coalesce("start_date", TruncDate("created_at"), output_field=models.DateField())
    return (
        Action.objects.annotate(q=TruncQuarter(action_day))
        .values("q", "status")
        .annotate(n=Count("id"), reached=Sum("residents_reached"))
        .order_by()
    )


def _add_logbook_and_indicators(rows: dict, site_id: int) -> None:
    """A quarter's logbook is filled by the periodic reviews that cover part of it
    (LogbookEntry.objects.covering): a review overlaps exactly the quarters from its start's to
    its end's. Indicator values count in the quarter their period starts in."""
    for start, end in prebuilt("aggregates.reviews", _reviews).filter(site_id=site_id):
        for quarter in quarters_between(quarter_of(start), quarter_of(end)):
            rows[quarter]["logbook_entries"] = rows[quarter].get("logbook_entries", 0) + 1
    for group in prebuilt("aggregates.indicators", _indicators_by_quarter).filter(site_id=site_id):
        rows[group["q"]]["indicator_values"] = group["n"]


def _reviews():
    return (
        LogbookEntry.objects.covering(datetime.date.min, datetime.date.max)
        .order_by()
        .values_list("period_start", "period_end")
    )


def _indicators_by_quarter():
    return (
        IndicatorValue.objects.annotate(q=TruncQuarter("period_start"))
        .values("q")
        .annotate(n=Count("id"))
        .order_by()
    )


def _add_partners(rows: dict, site_id: int) -> None:
    """Partner organisations present per quarter, the pairs of them that met, and the pairs of two
    different categories."""
    categories = dict(prebuilt("aggregates.categories", _categories).filter(site_id=site_id))
    groups: dict[tuple[str, int], set[int]] = defaultdict(set)
    group_quarter: dict[tuple[str, int], datetime.date] = {}
    for source, group_id, day, partner_id in partner_links(site_id):
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


def _categories():
    return PartnerOrganisation.objects.order_by().values_list("id", "category")


def rebuild_all_stats(*, site_ids: list[int] | None = None) -> int:
    """Rebuild the pre-aggregates of the given sites (all sites by default); returns rows written.

    Not needed for freshness (reads rebuild stale sites); it spares the first readers the wait
    after a bulk load (demo data, the benchmark). `manage.py refresh_stats` calls it.
    """
    ids = site_ids if site_ids is not None else list(Site.objects.values_list("id", flat=True))
    return sum(refresh_site_stats(site_id=site_id) for site_id in ids)


# --- Freshness ------------------------------------------------------------------------------------

# A read rebuilds this many stale sites itself; beyond, the rest goes to the worker (a notice says
# so) so that a page never waits for hundreds of rebuilds.
SYNC_REFRESH_LIMIT = 5
REFRESH_TASK = "evaluation.refresh_stale_figures"


def stale_site_ids(site_ids=None) -> list[int]:
    """Sites whose data changed since their pre-aggregates were built (one query)."""
    rows = SiteDataVersion.objects.filter(version__gt=F("aggregated_version"))
    if site_ids is not None:
        rows = rows.filter(site_id__in=site_ids)
    return list(rows.order_by("site_id").values_list("site_id", flat=True))


def refresh_quietly(site_id: int) -> bool:
    """Rebuild one site; a failure is logged for the operators and leaves the site stale (the next
    read and the beat sweep try again) instead of failing the page or the save that asked."""
    try:
        refresh_site_stats(site_id=site_id, only_if_stale=True)
    except Exception:
        logger.exception("Rebuilding the pre-aggregates of site %s failed; it stays stale", site_id)
        return False
    return True


def refresh_stale(site_ids=None, *, limit: int | None = SYNC_REFRESH_LIMIT) -> int:
    """Rebuild the stale sites among `site_ids` (all sites by default) before figures are read:
    `limit` of them here, the others by the worker. Returns how many are still being rebuilt."""
    stale = stale_site_ids(site_ids)
    now, later = (stale, []) if limit is None else (stale[:limit], stale[limit:])
    failed = sum(1 for site_id in now if not refresh_quietly(site_id))
    if later:
        transaction.on_commit(lambda: _send_refresh_task())
    return len(later) + failed


def _send_refresh_task() -> None:
    # By name: the task module (evaluation.figures.tasks) imports this one.
    try:
        current_app.send_task(REFRESH_TASK)
    except Exception:
        logger.exception("Could not queue %s; the beat sweep will rebuild the stale sites", REFRESH_TASK)


def refresh_all_stale() -> int:
    """Rebuild every stale site (the worker's and the beat sweep's job); returns the sites rebuilt."""
    return sum(1 for site_id in stale_site_ids() if refresh_quietly(site_id))
