"""The shared diagnostic's writes and readings: territory assessments and finding coverage."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from atc.charts import Chart, grouped_bars, share_bar, slope_chart
from atc.concurrency import claim_version
from atc.formats import format_number
from diagnostics.models import Assessment, AssessmentItem, Finding, Theme
from diagnostics.readings import SPREAD_LABEL, reading_spread
from sites.models import Site

KINDS = Assessment.RespondentKind


@transaction.atomic
def finding_save(*, finding: Finding, version: int | None) -> Finding:
    """Save a finding; StaleVersion when someone else saved it after the form was built
    (atc.concurrency)."""
    claim_version(finding, version)
    finding.save()
    return finding


@transaction.atomic
def assessment_record(
    *,
    site: Site,
    user,
    date: datetime.date,
    respondent_kind: str,
    respondents: int,
    scores: dict[AssessmentItem, Decimal | None],
) -> int:
    """Save one respondent kind's reading of a date, all items at once; returns the rows kept.

    A blank item removes that item's reading of the date, so re-entering a reading replaces it.
    Nothing is saved if any row fails.
    """
    kept = 0
    for item, score in scores.items():
        lookup = {"site": site, "item": item, "respondent_kind": respondent_kind, "date": date}
        if score is None:
            Assessment.objects.filter(**lookup).delete()
            continue
        Assessment.objects.update_or_create(
            **lookup,
            defaults={"score": score, "respondents": respondents, "created_by": user},
        )
        kept += 1
    return kept


@dataclass(frozen=True)
class ReadingSession:
    """The readings of one respondent kind on one date."""

    date: datetime.date
    respondent_kind: str
    label: str
    items: int
    respondents: int


@dataclass(frozen=True)
class Change:
    item: str
    respondent_kind: str
    first_date: datetime.date
    first: Decimal
    latest_date: datetime.date
    latest: Decimal

    @property
    def delta(self) -> Decimal:
        return self.latest - self.first


@dataclass(frozen=True)
class AssessmentReport:
    items: list[AssessmentItem]
    sessions: list[ReadingSession]
    comparison: Chart
    changes: dict[str, list[Change]]
    change_chart: Chart | None
    change_kind: str


def assessment_report(*, site: Site, change_kind: str = "") -> AssessmentReport:
    """Latest reading of each item by each respondent kind, their gap, and each kind's change.

    Two queries whatever the number of readings: the items, then the site's readings.
    """
    items = list(AssessmentItem.objects.all())
    readings = list(Assessment.objects.filter(site=site).order_by("date", "respondent_kind", "item_id"))
    by_item_kind: dict[tuple[int, str], list[Assessment]] = defaultdict(list)
    sessions: dict[tuple[datetime.date, str], list[Assessment]] = defaultdict(list)
    for reading in readings:
        by_item_kind[(reading.item_id, reading.respondent_kind)].append(reading)
        sessions[(reading.date, reading.respondent_kind)].append(reading)

    latest = {key: rows[-1].score for key, rows in by_item_kind.items()}
    series = [(label, [latest.get((item.pk, kind)) for item in items]) for kind, label in KINDS.choices]
    gaps = [reading_spread([latest.get((item.pk, kind)) for kind in KINDS.values]) for item in items]
    comparison = grouped_bars(
        title=_("Dernière lecture de chaque item, par type de répondant"),
        categories=[item.label for item in items],
        series=series,
        max_value=10,
        summary=_gap_summary(items, gaps),
        category_header=_("Item"),
        extra_columns=[(str(SPREAD_LABEL), [format_number(g) for g in gaps])],
    )

    changes: dict[str, list[Change]] = {kind: [] for kind in KINDS.values}
    for item in items:
        for kind in KINDS.values:
            rows = by_item_kind.get((item.pk, kind), [])
            if len(rows) >= 2:
                first, last = rows[0], rows[-1]
                changes[kind].append(Change(item.label, kind, first.date, first.score, last.date, last.score))
    if change_kind not in changes or not changes[change_kind]:
        change_kind = next((kind for kind in KINDS.values if changes[kind]), KINDS.INSTITUTIONAL)
    return AssessmentReport(
        items=items,
        sessions=[
            ReadingSession(
                date=date,
                respondent_kind=kind,
                label=KINDS(kind).label,
                items=len(rows),
                respondents=max(r.respondents for r in rows),
            )
            for (date, kind), rows in sorted(sessions.items(), reverse=True)
        ],
        comparison=comparison,
        changes=changes,
        change_chart=_change_chart(changes[change_kind], change_kind),
        change_kind=change_kind,
    )


def _gap_summary(items: list[AssessmentItem], gaps: list[Decimal | None]) -> str:
    measured = [(gap, item) for gap, item in zip(gaps, items, strict=True) if gap is not None]
    if not measured:
        return _(
            "Les lectures ne peuvent pas encore être comparées : il faut les notes d'au moins "
            "deux types de répondants sur un même item."
        )
    widest, item = max(measured, key=lambda pair: pair[0])
    mean = sum(gap for gap, _item in measured) / len(measured)
    return _(
        "Écart moyen entre les lectures : %(mean)s point(s) sur 10 ; le plus grand écart porte "
        "sur « %(item)s » (%(gap)s points)."
    ) % {"mean": format_number(mean), "item": item.label, "gap": format_number(widest)}


def _change_chart(changes: list[Change], kind: str) -> Chart | None:
    if not changes:
        return None
    first_date = min(c.first_date for c in changes)
    latest_date = max(c.latest_date for c in changes)
    return slope_chart(
        title=_("Évolution des notes — %(kind)s") % {"kind": KINDS(kind).label},
        start_label=_("Première lecture (%(date)s)") % {"date": f"{first_date:%d/%m/%Y}"},
        end_label=_("Dernière lecture (%(date)s)") % {"date": f"{latest_date:%d/%m/%Y}"},
        lines=[(c.item, c.first, c.latest) for c in changes],
        max_value=10,
        min_value=1,
        line_header=_("Item"),
    )


@dataclass(frozen=True)
class ThemeGroup:
    theme: Theme
    findings: list[Finding]


def findings_by_theme(*, site: Site, uncovered_only: bool = False) -> list[ThemeGroup]:
    """The site's findings grouped by theme in the catalogue's order, with their actions."""
    findings = Finding.objects.filter(site=site)
    if uncovered_only:
        findings = findings.filter(actions__isnull=True)
    findings = (
        findings.select_related("theme", "diagnostic")
        # The actions answering a finding (pilotage's Action.findings), through the reverse relation.
        .prefetch_related("actions")
        .order_by("theme__order", "theme__name", "-date", "title")
    )
    groups: dict[int, ThemeGroup] = {}
    for finding in findings:
        group = groups.setdefault(finding.theme_id, ThemeGroup(finding.theme, []))
        group.findings.append(finding)
    return list(groups.values())


def coverage_chart(*, covered: int, uncovered: int) -> Chart:
    """Share of the findings answered by at least one action."""
    total = covered + uncovered
    summary = (
        _("%(covered)s constat(s) sur %(total)s ont au moins une action ; %(uncovered)s n'en ont pas.")
        % {"covered": covered, "total": total, "uncovered": uncovered}
        if total
        else None
    )
    return share_bar(
        title=_("Constats auxquels une action répond"),
        parts=[(_("Avec au moins une action"), covered), (_("Sans action"), uncovered)],
        summary=summary,
        part_header=_("Constats"),
    )
