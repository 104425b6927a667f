"""The pre-aggregates (`SiteQuarterStats`: one row per site and quarter) and their refresh.

The many-site figures read these rows, never the meetings themselves, so that every figure runs a
fixed number of queries whatever the data size.
"""

import datetime
import itertools
from collections import defaultdict

from django.db import connection, models, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncQuarter
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from atc.periods import EXPERIMENT_START, quarter_of, quarters_between
from diagnostics.models import Assessment, Diagnostic, Finding
from evaluation.figures.cache import SITES_VERSION_KEY, _bump, bump_all_versions, bump_site_version
from evaluation.models import IndicatorValue, LogbookEntry
from pilotage.models import ATTENDANCE_FIELDS, Action, Committee, CommitteeMember, Meeting
from sites.models import (
    ContextEvent,
    FacilitatorAssignment,
    Network,
    OrganisationCategory,
    PartnerOrganisation,
    PriorityModel,
    Site,
    SiteQuarterStats,
)

CATEGORIES = list(OrganisationCategory)
# Attendance of these categories is the "mix" the national actors follow: beyond institutions.
CIVIL_SOCIETY = (
    OrganisationCategory.ASSOCIATION,
    OrganisationCategory.RESIDENTS,
    OrganisationCategory.CITIZENS_COUNCIL,
)
ATTENDEE_COLUMNS = [f"attendees_{c.value}" for c in CATEGORIES]


def _meeting_model():

    return Meeting


def _partner_links(site_id: int) -> list[tuple[str, int, datetime.date, int]]:
    """(source, group id, date, partner id) for every partner present at a meeting or in an action."""

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
    """Connect the receivers that keep `SiteQuarterStats` right (called by EvaluationConfig.ready)."""
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
