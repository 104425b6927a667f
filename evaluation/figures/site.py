"""One site's figures: its dashboard (`site_dashboard`) and its cooperation map (`cooperation`)."""

import datetime
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.formats import format_number
from atc.periods import QuarterSpan, experiment_span, quarter_of
from diagnostics.models import Assessment, Diagnostic, Finding
from diagnostics.readings import reading_spread
from evaluation.figures import attention
from evaluation.figures.aggregates import CATEGORIES, partner_links
from evaluation.figures.cache import site_refreshed
from evaluation.models import LogbookEntry
from pilotage.models import CIVIL_SOCIETY, Action, Committee, CommitteeMember, Meeting
from sites.models import (
    ContextEvent,
    FacilitatorAssignment,
    PartnerOrganisation,
    Site,
    SiteQuarterStats,
)
from sites.team.facilitation import Vacancy, facilitation_history


@dataclass
class Facilitation:
    today: datetime.date
    assignments: list[FacilitatorAssignment]
    current: list[FacilitatorAssignment]
    total_fte: Decimal
    since: datetime.date | None
    vacancies: list[Vacancy]
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
    # The same counts over the dashboard's period (its quarters' pre-aggregates).
    meetings_in_period: int = 0
    period_civil_share: float | None = None


@dataclass
class Reading:
    item: str
    institutional: Decimal | None
    facilitator: Decimal | None
    residents: Decimal | None

    @property
    def spread(self) -> Decimal | None:
        return reading_spread([self.institutional, self.facilitator, self.residents])


@dataclass
class SiteDashboard:
    """Everything the site dashboard shows, read in a fixed number of queries."""

    site: Site
    today: datetime.date
    period: QuarterSpan
    # The pre-aggregated quarters of the period (the charts' and the logbook's).
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
    first_diagnostic: datetime.date | None
    actions_started: int = 0
    residents_reached_started: int = 0


def _facilitation(site: Site, today: datetime.date) -> Facilitation:
    assignments = list(FacilitatorAssignment.objects.filter(site=site).order_by("start_date", "id"))
    current = [
        a for a in assignments if a.start_date <= today and (a.end_date is None or a.end_date >= today)
    ]
    current_leads = [a for a in current if a.position in FacilitatorAssignment.LEADING]
    # Vacancies and turnover: the one rule of sites.team.facilitation, which the people page reads too.
    history = facilitation_history(assignments, today)
    return Facilitation(
        today=today,
        assignments=assignments,
        current=current,
        total_fte=sum((a.fte for a in current), Decimal("0")),
        since=min((a.start_date for a in current_leads), default=None),
        vacancies=history.vacancies,
        vacancy_days=sum(v.days for v in history.vacancies),
        turnover=history.departures,
    )


def _civil_share(quarters: list[SiteQuarterStats]) -> tuple[Counter, float | None]:
    """Steering attendance per category over `quarters`, and the civil society's share of it (%)."""
    totals: Counter = Counter()
    for row in quarters:
        totals.update(row.steering_attendance)
    total = sum(totals.values())
    civil = sum(totals[c.value] for c in CIVIL_SOCIETY)
    return totals, (civil / total * 100) if total else None


def _steering(
    site: Site, today: datetime.date, quarters: list[SiteQuarterStats], in_period: list[SiteQuarterStats]
) -> Steering:

    members = (
        CommitteeMember.objects.filter(committee__site=site, committee__kind=Committee.Kind.STEERING)
        .held_on(today)
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_category = {row["category"]: row["n"] for row in members}
    composition = [(c.label, by_category[c.value]) for c in CATEGORIES if by_category.get(c.value)]
    # One query for the count, the last and next dates and the timeline's latest meetings: a site
    # holds a steering meeting every few weeks at most, so these rows stay few.
    meetings = list(
        Meeting.objects.filter(site=site, kind="steering")
        .order_by("-date", "-id")
        .values_list("date", "title")
    )
    held = [m for m in meetings if m[0] <= today]
    upcoming = [m[0] for m in meetings if m[0] > today]
    totals, share = _civil_share(quarters)
    return Steering(
        composition=composition,
        members=sum(by_category.values()),
        meetings_held=len(held),
        last_meeting=held[0][0] if held else None,
        next_meeting=min(upcoming, default=None),
        recent=held[:12],
        attendance_total={c.value: totals[c.value] for c in CATEGORIES},
        civil_society_share=share,
        meetings_in_period=sum(q.steering_meetings for q in in_period),
        period_civil_share=_civil_share(in_period)[1],
    )


def _readings(site: Site) -> tuple[list[Reading], dict[str, datetime.date]]:

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


def attention_signals(site: Site) -> list[attention.Shown]:
    """The site's open attention signals. A site written since its last rebuild is rebuilt first
    (its signals with it): what the site team just fixed must not still show. Two queries when
    the site is fresh (the first also serves the site's cached figures, within
    `versions_read_once`)."""
    site_refreshed(site.pk)
    return attention.open_signals(site)


def site_quarters(site: Site) -> list[SiteQuarterStats]:
    """The site's pre-aggregated quarters, oldest first (one query)."""
    return list(SiteQuarterStats.objects.filter(site=site).order_by("quarter"))


def site_dashboard(
    *, site: Site, today: datetime.date | None = None, period: QuarterSpan | None = None
) -> SiteDashboard:
    """The site dashboard's figures: facilitation, steering, diagnostic, actions, logbook, context,
    and timeline. A dozen queries, whatever the size of the site's history, and one more to
    check the site is fresh unless the request read its versions already (`versions_read_once`).

    `period` (the whole experiment by default) chooses the quarters of the charts, of the logbook
    and of the figures « sur la période »; states (FTE in post, composition) are today's, and the
    figures « depuis le début » count everything."""
    today = today or timezone.localdate()
    period = period or experiment_span(today)
    site_refreshed(site.pk)
    every_quarter = site_quarters(site)
    quarters = [q for q in every_quarter if period.first <= q.quarter <= period.last]
    facilitation = _facilitation(site, today)
    steering = _steering(site, today, every_quarter, quarters)

    findings = _findings(site)
    readings, reading_dates = _readings(site)
    actions = _actions(site)

    expected = [q for q in quarters if q.in_experiment and q.quarter <= quarter_of(today)]
    diagnostics = list(Diagnostic.objects.filter(site=site).order_by("date").values_list("date", "title"))
    events = list(
        ContextEvent.objects.filter(Q(site=site) | Q(site__isnull=True)).order_by("start_date", "id")
    )
    timeline = _timeline(site, facilitation, diagnostics, events, steering.recent)

    return SiteDashboard(
        site=site,
        today=today,
        period=period,
        quarters=quarters,
        facilitation=facilitation,
        steering=steering,
        **findings,
        readings=readings,
        reading_dates=reading_dates,
        **actions,
        logbook_expected=len(expected),
        logbook_filled=sum(1 for q in expected if q.logbook_entries),
        logbook_latest=list(LogbookEntry.objects.filter(site=site).order_by("-period_end", "-id")[:5]),
        schemes=list(site.other_schemes.values_list("label", flat=True)),
        context_events=events,
        timeline=timeline,
        first_diagnostic=diagnostics[0][0] if diagnostics else None,
        actions_started=sum(q.actions for q in quarters),
        residents_reached_started=sum(q.residents_reached for q in quarters),
    )


def _findings(site: Site) -> dict:
    """The diagnostic's findings per theme, and the latest without any action taken on them."""
    by_theme = list(
        Finding.objects.filter(site=site)
        .values("theme__name", "theme__order")
        .annotate(
            findings=Count("id", distinct=True),
            without_action=Count("id", distinct=True, filter=Q(actions__isnull=True)),
        )
        .order_by("theme__order", "theme__name")
    )
    orphan = Finding.objects.filter(site=site, actions__isnull=True).select_related("theme")
    return {
        "findings_by_theme": by_theme,
        "findings_without_action": list(orphan.order_by("-date", "id")[:10]),
        "findings_without_action_count": sum(row["without_action"] for row in by_theme),
    }


def _actions(site: Site) -> dict:
    """The actions per status and per theme, their mean progress and the residents reached: one
    query grouped by status and theme, summed here both ways."""
    groups = (
        Action.objects.filter(site=site)
        .values("status", theme_name=Coalesce("theme__name", Value(_("Sans thématique"))))
        .annotate(n=Count("id"), reached=Sum("residents_reached"), progress=Sum("progress"))
        # The database's order of the names, kept below: themes with as many actions stay in it.
        .order_by("theme_name")
    )
    by_status: dict[str, dict] = {}
    by_theme: dict[str, dict] = {}
    for group in groups:
        status = by_status.setdefault(group["status"], {"n": 0, "reached": 0, "progress": 0})
        status["n"] += group["n"]
        status["reached"] += group["reached"] or 0
        status["progress"] += group["progress"] or 0
        theme = by_theme.setdefault(
            group["theme_name"], {"theme_name": group["theme_name"], "count": 0, "reached": None}
        )
        theme["count"] += group["n"]
        if group["reached"] is not None:
            theme["reached"] = (theme["reached"] or 0) + group["reached"]
    total = sum(row["n"] for row in by_status.values())
    return {
        "actions_by_status": [
            {
                "status": label,
                "code": code,
                "count": by_status[code]["n"],
                "reached": by_status[code]["reached"],
            }
            for code, label in Action.Status.choices
            if code in by_status
        ],
        # Most actions first, then by name (a stable sort of the rows in the database's order).
        "actions_by_theme": sorted(by_theme.values(), key=lambda row: -row["count"]),
        "actions_total": total,
        "actions_progress": (sum(row["progress"] for row in by_status.values()) / total) if total else None,
        "residents_reached": sum(row["reached"] for row in by_status.values()),
    }


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
    for vacancy in facilitation.vacancies:
        if vacancy.end is None:
            text = _("Poste vacant depuis cette date (%(days)s jours à ce jour)") % {
                "days": format_number(vacancy.days)
            }
        else:
            text = _("Poste vacant jusqu'au %(end)s (%(days)s jours)") % {
                "end": vacancy.end.strftime("%d/%m/%Y"),
                "days": format_number(vacancy.days),
            }
        entries.append((vacancy.start, _("Animation"), text))
    return sorted(entries, key=lambda e: e[0])


# --- Cooperation ----------------------------------------------------------------------------------


@dataclass
class Cooperation:
    """Who works with whom on a site: partners, weighted pairs, and their quarterly counts."""

    partners: list[PartnerOrganisation]
    pairs: list[tuple[PartnerOrganisation, PartnerOrganisation, int]]
    quarters: list[SiteQuarterStats]
    diagnostic_date: datetime.date | None
    period: QuarterSpan
    before: SiteQuarterStats | None = None
    latest: SiteQuarterStats | None = None
    cross_pairs: int = 0


def _pair_counts(site_id: int, period: QuarterSpan) -> list[tuple[int, int, int]]:
    """(partner a, partner b, times together) over the period's meetings and actions (an action on
    the day it started, its entry day when no start is known), heaviest first."""
    groups: dict[tuple[str, int], set[int]] = defaultdict(set)
    for source, group_id, day, partner_id in partner_links(site_id):
        if period.contains(day):
            groups[(source, group_id)].add(partner_id)
    counts: Counter = Counter()
    for members in groups.values():
        counts.update(itertools.combinations(sorted(members), 2))
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda row: (-row[2], row[0], row[1]))


def cooperation(
    *, site: Site, today: datetime.date | None = None, period: QuarterSpan | None = None
) -> Cooperation:
    """The site's cooperation map over `period` (the whole experiment by default): partners, pairs
    weighted by co-participations (meetings and actions), partners and pairs per quarter, and the
    change since the first diagnostic. 5 queries."""

    today = today or timezone.localdate()
    period = period or experiment_span(today)
    site_refreshed(site.pk)
    partners = {p.pk: p for p in PartnerOrganisation.objects.filter(site=site).order_by("name")}
    pairs = [
        (partners[a], partners[b], n)
        for a, b, n in _pair_counts(site.pk, period)
        if a in partners and b in partners
    ]
    quarters = [
        q
        for q in site_quarters(site)
        if period.first <= q.quarter <= period.last and q.quarter <= quarter_of(today)
    ]
    diagnostic_date = Diagnostic.objects.filter(site=site).aggregate(first=Min("date"))["first"]
    result = Cooperation(
        partners=list(partners.values()),
        pairs=pairs,
        quarters=quarters,
        diagnostic_date=diagnostic_date,
        period=period,
        cross_pairs=sum(1 for a, b, _n in pairs if a.category != b.category),
    )
    if diagnostic_date and quarters:
        at_diagnostic = [q for q in quarters if q.quarter <= quarter_of(diagnostic_date)]
        result.before = at_diagnostic[-1] if at_diagnostic else quarters[0]
        result.latest = quarters[-1]
    return result
