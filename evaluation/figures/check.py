"""`check_figures`: every stored or served figure recomputed from the records, differences listed.

Two layers are checked: the stored pre-aggregates of every site marked fresh (a rebuild from the
records must give the same rows), and the site table the dashboards, the exports and the reports
read (each site's meetings, steering meetings and actions, counted again from the records).
"""

import datetime

from django.db import models
from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from atc.periods import next_quarter, quarter_of
from evaluation.figures.aggregates import compute_site_rows, stale_site_ids
from evaluation.figures.multisite import SitePeriod, site_table
from pilotage.models import Action, Meeting
from sites.models import Site, SiteQuarterStats

# The SiteQuarterStats columns compared (every figure column; not the id).
_COLUMNS = [f.name for f in SiteQuarterStats._meta.concrete_fields if f.name not in {"id", "site", "quarter"}]


def _stored_differences(site_ids: list[int]) -> list[str]:
    stored: dict[tuple[int, datetime.date], SiteQuarterStats] = {
        (row.site_id, row.quarter): row for row in SiteQuarterStats.objects.filter(site_id__in=site_ids)
    }
    differences = []
    for site_id in site_ids:
        expected = {row.quarter: row for row in compute_site_rows(site_id)}
        quarters = sorted(set(expected) | {q for s, q in stored if s == site_id})
        for quarter in quarters:
            want, have = expected.get(quarter), stored.get((site_id, quarter))
            if want is None or have is None:
                differences.append(
                    f"site {site_id}, {quarter}: ligne {'en trop' if want is None else 'manquante'}"
                )
                continue
            for column in _COLUMNS:
                if getattr(want, column) != getattr(have, column):
                    differences.append(
                        f"site {site_id}, {quarter}, {column}: stocké {getattr(have, column)!r}, "
                        f"recalculé {getattr(want, column)!r}"
                    )
    return differences


def _table_differences(today: datetime.date) -> list[str]:
    """The national site table (all sites, all quarters up to today's) against direct counts."""
    limit = next_quarter(quarter_of(today))
    meetings = dict(
        Meeting.objects.filter(site__isnull=False, date__lt=limit)
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    steering = dict(
        Meeting.objects.filter(site__isnull=False, date__lt=limit, kind=Meeting.Kind.STEERING)
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    day = Coalesce("start_date", TruncDate("created_at"), output_field=models.DateField())
    actions = dict(
        Action.objects.annotate(day=day)
        .filter(day__lt=limit)
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    table = site_table(sites=Site.objects.all(), period=SitePeriod(), page_size=None, today=today)
    differences = []
    for row in table.rows:
        for label, shown, counted in (
            ("réunions", row.meetings_count, meetings.get(row.pk, 0)),
            ("réunions de pilotage", row.steering, steering.get(row.pk, 0)),
            ("actions", row.actions_count, actions.get(row.pk, 0)),
        ):
            if shown != counted:
                differences.append(f"{row.name} : {label} affichées {shown}, comptées {counted}")
    return differences


def figure_differences(*, today: datetime.date | None = None) -> list[str]:
    """Every difference between a stored or served figure and its recomputation from the records.

    Sites whose data changed since their last rebuild are not differences (the next read rebuilds
    them) — unless they claim to be fresh, which is what a missed write path would look like."""
    today = today or timezone.localdate()
    # The table first: reading it rebuilds stale sites, as it does for a user.
    differences = _table_differences(today)
    stale = set(stale_site_ids())
    fresh = [pk for pk in Site.objects.order_by("pk").values_list("pk", flat=True) if pk not in stale]
    return _stored_differences(fresh) + differences
