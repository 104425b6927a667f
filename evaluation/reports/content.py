"""What an evaluation report says: the evaluation's statistics computed from the platform's data
for a scope and a period, then one section per site.

Everything is read in a fixed number of grouped queries (never one query per site) so that the
national report over 1,600 sites costs the same number of round trips as a site report. The
result depends only on the data and the period — no clock, no random order — so the same data
always gives the same document.
"""

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atc import charts
from atc.formats import format_number, format_share
from atc.periods import Period, french_date, quarter_label, quarter_of
from diagnostics.models import Assessment, AssessmentItem, Finding, Theme
from diagnostics.readings import DIFFERENCE_LABEL, reading_difference
from evaluation.figures import campaigns as campaign_figures
from evaluation.figures import multisite
from evaluation.indicators import rules as indicator_rules
from evaluation.indicators.rules import action_statuses_at
from evaluation.models import (
    Indicator,
    IndicatorObjective,
    IndicatorValue,
    LogbookEntry,
    Quote,
    Scope,
)
from evaluation.reports import comparison
from evaluation.reports.ledger import ledger_chapter
from evaluation.reports.scopes import Target
from pilotage.models import ATTENDANCE_FIELDS, Action, Committee, CommitteeMember, Meeting
from sites.francemap import MapPoint, france_map
from sites.models import (
    ContextEvent,
    FacilitatorAssignment,
    OrganisationCategory,
    PartnerOrganisation,
    PriorityModel,
    Site,
)
from sites.team.facilitation import site_configuration

NBSP = "\u00a0"
HIGHLIGHTS_PER_SITE = 3
EXCERPT_CHARS = 360
FTE_BUCKETS = [
    (Decimal("0"), Decimal("0.5")),
    (Decimal("0.5"), Decimal("0.8")),
    (Decimal("0.8"), Decimal("1.0")),
    (Decimal("1.0"), Decimal("1.2")),
    (Decimal("1.2"), Decimal("99")),
]
# Sites per bucket of meetings held over the period, in the summary of a large scope.
MEETING_BUCKETS = [(0, 0), (1, 5), (6, 10), (11, 20), (21, 50), (51, None)]
RANKED = 10
INSTITUTIONAL = {OrganisationCategory.STATE, OrganisationCategory.LOCAL_AUTHORITY}
RESIDENT_SIDE = {OrganisationCategory.RESIDENTS, OrganisationCategory.CITIZENS_COUNCIL}


@dataclass(frozen=True)
class Chapter:
    """A chapter of the report: its anchor (also the key of its commentary in the narrative), its
    title, the template of its body, and when it is shown (from the content built so far)."""

    key: str
    title: Promise
    template: str
    shown: Callable[[dict], bool] = lambda content: True


# The chapters in their order. To add one: its body in templates/reports/pdf/chapters/<key>.html
# (it reads the content below), and a line here; the table of contents, the heading and the
# team's commentary (narrative form) follow.
CHAPTERS: list[Chapter] = [
    Chapter("methode", gettext_lazy("Méthode et sources"), "reports/pdf/chapters/methode.html"),
    Chapter(
        "animation",
        gettext_lazy("L'animation : temps, configurations, recrutement"),
        "reports/pdf/chapters/animation.html",
    ),
    Chapter(
        "pilotage",
        gettext_lazy("Le pilotage : réunions et composition"),
        "reports/pdf/chapters/pilotage.html",
    ),
    Chapter(
        "modeles",
        gettext_lazy("Modèles, portage institutionnel et thématiques"),
        "reports/pdf/chapters/modeles.html",
    ),
    Chapter("actions", gettext_lazy("Actions et participation"), "reports/pdf/chapters/actions.html"),
    Chapter(
        "lectures", gettext_lazy("Lectures croisées du territoire"), "reports/pdf/chapters/lectures.html"
    ),
    Chapter("cooperation", gettext_lazy("Coopération"), "reports/pdf/chapters/cooperation.html"),
    Chapter(
        "couts-evites",
        gettext_lazy("Coûts évités et effets leviers"),
        "reports/pdf/chapters/couts_evites.html",
    ),
    Chapter(
        "comparaison",
        gettext_lazy("Les sites du réseau comparés"),
        "reports/pdf/chapters/comparaison.html",
        shown=lambda content: "network_table" in content,
    ),
    Chapter(
        "repartition",
        gettext_lazy("Répartition entre les sites"),
        "reports/pdf/chapters/repartition.html",
        shown=lambda content: content["aggregate"],
    ),
    Chapter("indicateurs", gettext_lazy("Indicateurs"), "reports/pdf/chapters/indicateurs.html"),
    Chapter("contexte", gettext_lazy("Contexte de la période"), "reports/pdf/chapters/contexte.html"),
]

# Paragraphs other packages add to the « Méthode et sources » chapter: each callable receives
# (target, period, site ids) and returns a plain-text paragraph (escaped when printed) or None.
METHOD_PARAGRAPHS: list[Callable[[Target, Period, list[int]], str | None]] = []

# The summary's charts whose data tables go to the annex, in the order they are drawn:
# (content key, chart key), or (content key, None) for a chart at the top level.
ANNEX_CHARTS = (
    ("facilitation", "fte_chart"),
    ("facilitation", "configuration_chart"),
    ("facilitation", "recruitment_chart"),
    ("steering", "chart"),
    ("steering", "seat_chart"),
    ("positioning", "models_chart"),
    ("positioning", "support_chart"),
    ("positioning", "themes_chart"),
    ("actions", "chart"),
    ("attendance", "chart"),
    ("attendance", "formats_chart"),
    ("readings", "chart"),
    ("between_sites", "meetings_chart"),
    ("map", None),
)

# Control characters other than line breaks and tabs (pasted from other tools) never reach a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def paragraphs(text: str) -> list[str]:
    """Plain text typed on the platform as paragraphs: split on blank lines, the lines inside a
    paragraph joined, control characters removed. Printed escaped, never as markup."""
    text = _CONTROL.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n\s*\n", text)
    return [" ".join(block.split()) for block in blocks if block.strip()]


@dataclass(frozen=True)
class NarrativeTexts:
    """What the team wrote for a report (evaluation.models.ReportNarrative), as plain data."""

    introduction: str = ""
    conclusion: str = ""
    commentaries: dict = field(default_factory=dict)
    logbook_ids: tuple[int, ...] = ()
    quote_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, narrative) -> "NarrativeTexts | None":
        if narrative is None:
            return None
        return cls(
            introduction=narrative.introduction,
            conclusion=narrative.conclusion,
            commentaries=dict(narrative.commentaries or {}),
            logbook_ids=tuple(narrative.logbook_entries.values_list("pk", flat=True)),
            quote_ids=tuple(narrative.quotes.values_list("pk", flat=True)),
        )


def _narrative(texts: "NarrativeTexts | None", data: "_Data", period: Period) -> dict:
    """The narrative as the template prints it. Extracts and quotes are kept only when they
    belong to the report's sites (and, for the extracts, to its period): a site report never
    prints another site's words, whatever was picked."""
    if texts is None:
        return {"introduction": [], "conclusion": [], "commentaries": {}, "quotes": [], "extracts": []}
    quotes = Quote.objects.filter(pk__in=texts.quote_ids, site_id__in=data.ids).select_related("site")
    entries = (
        LogbookEntry.objects.filter(
            pk__in=texts.logbook_ids,
            site_id__in=data.ids,
            period_end__gte=period.start,
            period_start__lte=period.end,
        )
        .select_related("site")
        .order_by("site__name", "period_start", "pk")
    )
    return {
        "introduction": paragraphs(texts.introduction),
        "conclusion": paragraphs(texts.conclusion),
        "commentaries": {key: paragraphs(text) for key, text in texts.commentaries.items()},
        "quotes": [
            {
                "paragraphs": paragraphs(quote.text),
                "role": quote.speaker_role,
                "name": quote.shown_name,
                "site": quote.site.name,
                "date": french_date(quote.said_on),
            }
            for quote in quotes.order_by("site__name", "said_on", "pk")
        ],
        "extracts": [
            {
                "site": entry.site.name,
                "kind": entry.get_kind_display(),
                "dates": _("du %(start)s au %(end)s")
                % {"start": french_date(entry.period_start), "end": french_date(entry.period_end)},
                "paragraphs": paragraphs(entry.happened) + paragraphs(entry.lessons),
            }
            for entry in entries
        ],
    }


def _chart_in(holder, name: str):
    return holder.get(name) if isinstance(holder, dict) else None


def _annex(content: dict) -> list:
    """The summary's charts that have data, in the order they are drawn: their tables, once."""
    charts = []
    for key, name in ANNEX_CHARTS:
        holder = content.get(key)
        chart = holder if name is None else _chart_in(holder, name)
        if chart is not None and not chart.is_empty:
            charts.append(chart)
    return charts


def fte(value) -> str:
    return f"{format_number(value, 1)}{NBSP}ETP"


def spread(values: list, unit: str = "") -> dict:
    """min / max / mean of numbers over the sites, formatted the French way (`0,8`), and `text`,
    the phrase a report prints: « de 0,4 à 1,2, moyenne 0,8 » over several sites, the value alone
    for one site (a site report never reads « de 1 à 1, moyenne 1 »)."""
    if not values:
        return {"count": 0, "min": "—", "max": "—", "mean": "—", "text": "—"}
    figures = {
        "count": len(values),
        "min": format_number(min(values), 1),
        "max": format_number(max(values), 1),
        "mean": format_number(statistics.fmean(float(v) for v in values), 1),
    }
    return {**figures, "text": spread_text(figures, unit)}


def spread_text(figures: dict, unit: str = "") -> str:
    """The phrase for a spread of formatted figures (`count`, `min`, `max`, `mean`)."""
    suffix = f"{NBSP}{unit}" if unit else ""
    if figures["count"] == 0:
        return "—"
    if figures["count"] == 1:
        return f"{figures['max']}{suffix}"
    if figures["min"] == figures["max"]:
        return _("%(value)s sur chacun des %(n)s sites") % {
            "value": f"{figures['max']}{suffix}",
            "n": format_number(figures["count"]),
        }
    return _("de %(min)s à %(max)s%(unit)s, moyenne %(mean)s%(unit)s") % {**figures, "unit": suffix}


def quartiles(values: list) -> dict:
    """min / first quartile / median / third quartile / max / mean, formatted the French way."""
    if not values:
        return dict.fromkeys(("min", "q1", "median", "q3", "max", "mean"), "—")
    numbers = sorted(float(v) for v in values)
    q1, median, q3 = (
        statistics.quantiles(numbers, n=4, method="inclusive") if len(numbers) > 1 else numbers * 3
    )
    return {
        "min": format_number(numbers[0], 1),
        "q1": format_number(q1, 1),
        "median": format_number(median, 1),
        "q3": format_number(q3, 1),
        "max": format_number(numbers[-1], 1),
        "mean": format_number(statistics.fmean(numbers), 1),
    }


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


class _Data:
    """The rows of the scope, read once and grouped by site."""

    def __init__(self, target: Target, period: Period, site_ids: list[int] | None = None):
        self.period = period
        start, end = period.start, period.end
        scope = target.sites() if site_ids is None else target.sites().filter(pk__in=site_ids)
        self.sites = list(
            scope.select_related("network", "host")
            .prefetch_related("neighbourhoods", "priority_models", "other_schemes")
            .order_by("name")
        )
        ids = [site.pk for site in self.sites]
        self.ids = ids
        self._load_team(ids, start, end)
        self._load_meetings(ids, start, end)
        self._load_actions(ids, start, end)
        self._load_diagnostic(ids, start, end)
        self._load_logbook_and_events(ids, start, end)

    def _load_team(self, ids: list[int], start, end) -> None:
        """Facilitators over the period, their configuration, FTE at its end, first starts."""
        active_at_end = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=end))
        self.facilitators = defaultdict(list)
        for assignment in FacilitatorAssignment.objects.filter(
            Q(site_id__in=ids), Q(start_date__lte=end), Q(end_date__isnull=True) | Q(end_date__gte=start)
        ).order_by("site_id", "start_date", "person_name"):
            self.facilitators[assignment.site_id].append(assignment)
        # The configuration at the period's end, derived from the people in post (or the override).
        self.configurations = {
            site.pk: site_configuration(site, self.facilitators.get(site.pk, []), end) for site in self.sites
        }
        self.fte = {
            row["site_id"]: row["total"]
            for row in FacilitatorAssignment.objects.filter(active_at_end, site_id__in=ids)
            .values("site_id")
            .annotate(total=Sum("fte"))
        }
        self.first_start = dict(
            FacilitatorAssignment.objects.filter(site_id__in=ids, start_date__lte=end)
            .values("site_id")
            .annotate(first=Min("start_date"))
            .values_list("site_id", "first")
        )

    def _load_meetings(self, ids: list[int], start, end) -> None:
        """Steering meetings (since the start and in the period), meetings' attendance and formats, seats."""
        steering = (
            Meeting.objects.filter(site_id__in=ids, kind=Meeting.Kind.STEERING, date__lte=end)
            .values("site_id")
            .annotate(total=Count("id"), in_period=Count("id", filter=Q(date__gte=start)))
        )
        self.steering_total = {row["site_id"]: row["total"] for row in steering}
        self.steering_period = {row["site_id"]: row["in_period"] for row in steering}
        sums = {field: Sum(field) for field in ATTENDANCE_FIELDS.values()}
        self.meetings = {
            row["site_id"]: row
            for row in Meeting.objects.filter(site_id__in=ids, date__gte=start, date__lte=end)
            .values("site_id")
            .annotate(count=Count("id"), **sums)
        }
        self.formats = Counter(
            dict(
                Meeting.objects.filter(site_id__in=ids, date__gte=start, date__lte=end)
                .values("format")
                .annotate(n=Count("id"))
                .values_list("format", "n")
            )
        )
        self.seats = defaultdict(Counter)
        seat_rows = (
            CommitteeMember.objects.filter(
                committee__site_id__in=ids, committee__kind=Committee.Kind.STEERING
            )
            .held_on(end)
            .values("committee__site_id", "category")
            .annotate(n=Count("id"))
        )
        for row in seat_rows:
            self.seats[row["committee__site_id"]][row["category"]] += row["n"]

    def _load_actions(self, ids: list[int], start, end) -> None:
        """Actions and their status at the period's end, their partners, the partners known and present."""
        self.action_status = action_statuses_at(ids, end)
        self.actions = {
            action.pk: action
            for action in Action.objects.filter(pk__in=self.action_status.keys())
            .select_related("theme")
            .order_by("site_id", "title", "id")
        }
        self.actions_by_site = defaultdict(list)
        for pk, action in self.actions.items():
            self.actions_by_site[action.site_id].append(pk)
        self.partners_per_action = dict(
            Action.partners.through.objects.filter(action_id__in=self.action_status.keys())
            .values("action_id")
            .annotate(n=Count("partnerorganisation_id"))
            .values_list("action_id", "n")
        )
        self.partner_count = dict(
            PartnerOrganisation.objects.known_by(end)
            .filter(site_id__in=ids)
            .values("site_id")
            .annotate(n=Count("id"))
            .values_list("site_id", "n")
        )
        self.present_partners = indicator_rules.distinct_partners(ids, start, end)

    def _load_diagnostic(self, ids: list[int], start, end) -> None:
        """Themes worked on (findings and actions), territory assessments and their items."""
        self.themes = defaultdict(set)
        for site_id, theme_id in Finding.objects.filter(site_id__in=ids, date__lte=end).values_list(
            "site_id", "theme_id"
        ):
            self.themes[site_id].add(theme_id)
        for action in self.actions.values():
            if action.theme_id:
                self.themes[action.site_id].add(action.theme_id)
        self.theme_names = dict(Theme.objects.values_list("id", "name"))
        self.theme_order = {pk: i for i, pk in enumerate(Theme.objects.values_list("id", flat=True))}
        self.assessments = list(
            Assessment.objects.filter(site_id__in=ids, date__lte=end)
            .order_by("site_id", "item_id", "respondent_kind", "date")
            .values_list("site_id", "item_id", "respondent_kind", "score")
        )
        self.items = list(AssessmentItem.objects.order_by("order", "label"))

    def _load_logbook_and_events(self, ids: list[int], start, end) -> None:
        """Logbook entries overlapping the period, and the context events within it."""
        self.logbook = defaultdict(list)
        for entry in LogbookEntry.objects.filter(
            site_id__in=ids, period_end__gte=start, period_start__lte=end
        ).order_by("site_id", "-period_end", "-id"):
            self.logbook[entry.site_id].append(entry)
        self.events = list(
            ContextEvent.objects.within(start, end)
            .filter(Q(site_id__in=ids) | Q(site__isnull=True))
            .select_related("site")
            .order_by("start_date", "title")
        )


def _method(data: _Data, period: Period) -> dict:
    # A campaign belongs to the period it opened in; its answers count when dated by the period's
    # end (a report on a past period never counts answers that came after it).
    surveys = [
        {
            "title": campaign.title,
            "sent_on": french_date(campaign.opens_on),
            "total": rates.total,
            "answered": rates.answered,
            "territories": rates.territories,
            "answering_territories": rates.answering_territories,
            "rate": rates.share,
            "rates": rates,
        }
        for campaign, rates in campaign_figures.campaigns_for_period(
            site_ids=data.ids, start=period.start, end=period.end
        )
    ]
    logbook_sites = sum(1 for site in data.sites if data.logbook.get(site.pk))
    return {
        "surveys": surveys,
        "logbook_entries": sum(len(v) for v in data.logbook.values()),
        "logbook_sites": logbook_sites,
        "meetings": sum(row["count"] for row in data.meetings.values()),
        "actions": len(data.actions),
        "assessments": len(data.assessments),
    }


def _dashboard_figures(data: _Data, period: Period) -> dict:
    """FTE (at the period's end) and steering meetings (over the period's quarters), min / mean /
    max across the sites, from the dashboards' statistics service: the report and the national
    dashboard never disagree on these figures. Sites without a facilitator count as 0 ETP there."""
    figures = multisite.distributions(
        exact=True,
        sites=Site.objects.filter(pk__in=data.ids),
        period=multisite.SitePeriod(start=quarter_of(period.start), end=quarter_of(period.end)),
        today=period.end,
    )
    result = {}
    for name in ("fte", "steering"):
        formatted = {key: format_number(figures[name][key], 1) for key in ("min", "mean", "max")}
        formatted["count"] = len(data.sites)
        result[name] = {**formatted, "text": spread_text(formatted)}
    return result


def _facilitation(data: _Data) -> dict:
    values = [data.fte[s.pk] for s in data.sites if data.fte.get(s.pk)]
    buckets = []
    for low, high in FTE_BUCKETS:
        label = (
            _("moins de %(h)s") % {"h": format_number(high)}
            if low == 0
            else _("%(h)s et plus") % {"h": format_number(low)}
            if high > 10
            else f"{format_number(low)} – {format_number(high)}"
        )
        buckets.append((label, sum(1 for v in values if low <= v < high)))
    configurations = Counter(data.configurations[s.pk].value for s in data.sites)
    config_parts = [(label, configurations.get(value, 0)) for value, label in Site.Configuration.choices]
    recruitment = Counter(quarter_label(day) for day in data.first_start.values())
    quarters = sorted(data.first_start.values())
    quarter_labels = list(dict.fromkeys(quarter_label(day) for day in quarters))
    contracts = Counter(a.get_contract_type_display() for items in data.facilitators.values() for a in items)
    return {
        "fte": spread(values),
        "without_facilitator": len(data.sites) - len(values),
        "fte_chart": charts.column_chart(
            title=_("Temps d'animation par site (ETP)"),
            categories=[label for label, _n in buckets],
            series=[(_("Sites"), [n for _l, n in buckets])],
            category_header=_("Temps dédié"),
            summary=_("Temps d'animation par site : %(spread)s.") % {"spread": spread(values, "ETP")["text"]},
        ),
        "configurations": config_parts,
        "configuration_chart": charts.share_bar(title=_("Configurations de l'animation"), parts=config_parts),
        "recruitment_chart": charts.column_chart(
            title=_("Recrutement des animateur·rices par trimestre"),
            categories=quarter_labels,
            series=[(_("Sites"), [recruitment[q] for q in quarter_labels])],
            category_header=_("Trimestre"),
        ),
        "recruitment": [(q, recruitment[q]) for q in quarter_labels],
        "contracts": sorted(contracts.items()),
    }


def _steering(data: _Data) -> dict:
    totals = [data.steering_total.get(s.pk, 0) for s in data.sites]
    in_period = [data.steering_period.get(s.pk, 0) for s in data.sites]
    top = max(totals, default=0)
    categories = [format_number(n) for n in range(top + 1)]
    seats = Counter()
    for counter in data.seats.values():
        seats.update(counter)
    seat_parts = [(label, seats.get(value, 0)) for value, label in OrganisationCategory.choices]
    with_committee = [s for s in data.sites if data.seats.get(s.pk)]
    only_institutional = sum(1 for s in with_committee if set(data.seats[s.pk]) <= INSTITUTIONAL)
    with_associations = sum(
        1 for s in with_committee if data.seats[s.pk].get(OrganisationCategory.ASSOCIATION)
    )
    with_residents = sum(1 for s in with_committee if set(data.seats[s.pk]) & RESIDENT_SIDE)
    return {
        "total": spread(totals),
        "in_period": spread(in_period),
        "in_period_sum": sum(in_period),
        "chart": charts.column_chart(
            title=_("Sites selon le nombre de réunions de pilotage tenues depuis le début"),
            categories=categories,
            series=[(_("Sites"), [totals.count(n) for n in range(top + 1)])],
            category_header=_("Réunions"),
            summary=_("Réunions de pilotage tenues depuis le début, par site : %(spread)s.")
            % {"spread": spread(totals)["text"]},
        ),
        "committees": len(with_committee),
        "only_institutional": only_institutional,
        "with_associations": with_associations,
        "with_residents": with_residents,
        "seat_chart": charts.share_bar(
            title=_("Composition des instances de pilotage (sièges)"), parts=seat_parts
        ),
    }


def _positioning(data: _Data) -> dict:
    models = Counter()
    for site in data.sites:
        models.update(model.label for model in site.priority_models.all())
    model_rows = [
        (label, models.get(label, 0))
        for label in PriorityModel.objects.order_by("label").values_list("label", flat=True)
    ]
    support = Counter(site.institutional_support for site in data.sites)
    support_parts = [(label, support.get(value, 0)) for value, label in Site.InstitutionalSupport.choices]
    themes = Counter()
    for theme_ids in data.themes.values():
        themes.update(theme_ids)
    theme_rows = sorted(
        ((data.theme_names[pk], n) for pk, n in themes.items()),
        key=lambda row: (-row[1], row[0]),
    )
    return {
        "models": model_rows,
        "models_chart": charts.grouped_bars(
            title=_("Modèles prioritaires (nombre de sites)"),
            categories=[label for label, n in model_rows if n],
            series=[(_("Sites"), [n for _l, n in model_rows if n])],
            decimals=0,
            category_header=_("Modèle"),
        ),
        "support": support_parts,
        "support_chart": charts.share_bar(title=_("Portage institutionnel des sites"), parts=support_parts),
        "themes": theme_rows,
        "themes_chart": charts.grouped_bars(
            title=_("Thématiques travaillées (nombre de sites)"),
            categories=[label for label, _n in theme_rows],
            series=[(_("Sites"), [n for _l, n in theme_rows])],
            decimals=0,
            category_header=_("Thématique"),
        ),
    }


def _actions(data: _Data) -> dict:
    statuses = Counter(status for _site, status in data.action_status.values())
    parts = [(label, statuses.get(value, 0)) for value, label in Action.Status.choices]
    partner_counts = [data.partners_per_action.get(pk, 0) for pk in data.action_status]
    multi = sum(1 for n in partner_counts if n >= 2)
    return {
        "total": len(data.action_status),
        "parts": parts,
        "chart": charts.share_bar(title=_("Actions selon leur état"), parts=parts),
        "multi_partner": multi,
        "multi_partner_share": format_share(multi, len(partner_counts)),
        "partners_mean": format_number(statistics.fmean(partner_counts), 1) if partner_counts else "—",
        "residents_reached": sum(
            a.residents_reached
            for a in data.actions.values()
            if data.action_status[a.pk][1] in (Action.Status.RUNNING, Action.Status.DONE)
        ),
    }


def _attendance_parts(rows) -> list[tuple[str, int]]:
    return [
        (category.label, sum(row.get(field) or 0 for row in rows))
        for category, field in ATTENDANCE_FIELDS.items()
    ]


def _attendance(data: _Data) -> dict:
    parts = _attendance_parts(list(data.meetings.values()))
    total = sum(n for _l, n in parts)
    residents = sum(
        n
        for (category, _f), (_l, n) in zip(ATTENDANCE_FIELDS.items(), parts, strict=True)
        if category in RESIDENT_SIDE
    )
    formats = [(label, data.formats.get(value, 0)) for value, label in Meeting.Format.choices]
    return {
        "total": total,
        "residents_share": format_share(residents, total),
        "chart": charts.share_bar(title=_("Participation aux réunions par catégorie"), parts=parts),
        "formats": formats,
        "formats_chart": charts.share_bar(title=_("Format des réunions"), parts=formats),
    }


def _readings(data: _Data) -> dict:
    """The latest 1–10 reading of each item by each kind of respondent, averaged over sites."""
    latest: dict[tuple[int, int, str], Decimal] = {}
    for site_id, item_id, kind, score in data.assessments:
        latest[(site_id, item_id, kind)] = score
    by_item_kind = defaultdict(list)
    for (_site, item_id, kind), score in latest.items():
        by_item_kind[(item_id, kind)].append(float(score))
    kinds = Assessment.RespondentKind
    items = [item for item in data.items if any((item.pk, k) in by_item_kind for k in kinds.values)]
    series = []
    for value, label in kinds.choices:
        values = [
            statistics.fmean(by_item_kind[(item.pk, value)]) if by_item_kind.get((item.pk, value)) else None
            for item in items
        ]
        if any(v is not None for v in values):
            series.append((label, values))
    differences = []
    for item in items:
        inst = by_item_kind.get((item.pk, kinds.INSTITUTIONAL))
        faci = by_item_kind.get((item.pk, kinds.FACILITATOR))
        difference = reading_difference(
            statistics.fmean(faci) if faci else None, statistics.fmean(inst) if inst else None
        )
        differences.append(format_number(difference, 1))
    return {
        "sites": len({site for site, _i, _k in latest}),
        "chart": charts.grouped_bars(
            title=_("Lectures croisées du territoire (échelle de 1 à 10)"),
            categories=[item.label for item in items],
            series=series,
            max_value=10,
            category_header=_("Item"),
            extra_columns=[(str(DIFFERENCE_LABEL), differences)],
        ),
    }


def _cooperation(data: _Data, actions: dict) -> dict:
    partners = [data.partner_count.get(s.pk, 0) for s in data.sites]
    present = [int(data.present_partners.get(s.pk, 0)) for s in data.sites]
    return {
        "partners": spread(partners),
        "partners_total": sum(partners),
        "present": spread(present),
        "multi_partner": actions["multi_partner"],
        "multi_partner_share": actions["multi_partner_share"],
        "partners_mean": actions["partners_mean"],
    }


def _indicators(data: _Data, period: Period) -> tuple[list[dict], dict]:
    """The active indicators over the scope, and {site id: [(indicator, value, objective)]}."""
    indicators = list(Indicator.objects.filter(is_active=True).order_by("name"))
    entered = defaultdict(list)
    for value in IndicatorValue.objects.filter(
        site_id__in=data.ids, period_start__gte=period.start, period_end__lte=period.end
    ).values_list("indicator_id", "site_id", "value"):
        entered[(value[0], value[1])].append(value[2])
    objectives = {
        (row[0], row[1]): row[2]
        for row in IndicatorObjective.objects.filter(site_id__in=data.ids).values_list(
            "indicator_id", "site_id", "target"
        )
    }
    per_site = defaultdict(list)
    rows = []
    for indicator in indicators:
        if indicator.source == Indicator.Source.COMPUTED:
            values = indicator_rules.compute(indicator.computation, data.ids, period.start, period.end)
            if indicator.computation != "residents_share":
                values = {site.pk: values.get(site.pk, Decimal(0)) for site in data.sites}
        else:
            values = {}
            for site in data.sites:
                found = entered.get((indicator.pk, site.pk))
                if found:
                    total = sum(found)
                    values[site.pk] = total / len(found) if indicator.unit == "%" else total
        reached = 0
        with_objective = 0
        objective_sites = 0
        for site in data.sites:
            objective = objectives.get((indicator.pk, site.pk), indicator.default_objective)
            value = values.get(site.pk)
            objective_sites += objective is not None
            if objective is not None and value is not None:
                with_objective += 1
                reached += value >= objective
            per_site[site.pk].append(
                {
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "value": format_number(value, 1),
                    "objective": format_number(objective, 1),
                }
            )
        numbers = [float(v) for v in values.values()]
        rows.append(
            {
                "name": indicator.name,
                "unit": indicator.unit,
                "source": indicator.get_source_display(),
                "sites": len(values),
                "mean": format_number(statistics.fmean(numbers), 1) if numbers else "—",
                "total": format_number(sum(numbers), 1) if numbers and indicator.unit != "%" else "—",
                "reached": _reached_text(reached, with_objective, objective_sites),
            }
        )
    return rows, per_site


def _reached_text(reached: int, measured: int, objective_sites: int) -> str:
    """« 3 sur 12 » sites at their objective, among those with both an objective and a value;
    never « 0 sur 0 », which read as a failure: the reason there is nothing to count instead."""
    if not objective_sites:
        return _("sans objectif")
    if not measured:
        return _("aucune valeur sur la période")
    return _("%(r)s sur %(n)s") % {"r": format_number(reached), "n": format_number(measured)}


def _meeting_bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(n)s et plus") % {"n": format_number(low)}
    if low == high:
        return format_number(low)
    return f"{format_number(low)} – {format_number(high)}"


def _rankings(data: _Data, values: dict[int, int], measure: str) -> list[dict]:
    """The RANKED sites with the highest, then the lowest value (ties by name: always the same)."""
    rows = [(values.get(site.pk, 0), site) for site in data.sites]
    highest = sorted(rows, key=lambda row: (-row[0], row[1].name))[:RANKED]
    lowest = sorted(rows, key=lambda row: (row[0], row[1].name))[:RANKED]
    return [
        {
            "caption": caption % {"n": format_number(RANKED), "measure": measure},
            "measure": measure,
            "rows": [
                {
                    "rank": rank,
                    "name": site.name,
                    "network": site.network.name,
                    "value": format_number(value, 0),
                }
                for rank, (value, site) in enumerate(ranked, start=1)
            ],
        }
        for caption, ranked in (
            (_("Les %(n)s sites les plus hauts — %(measure)s"), highest),
            (_("Les %(n)s sites les plus bas — %(measure)s"), lowest),
        )
    ]


def _between_sites(data: _Data) -> dict:
    """How the sites of a large scope spread on each per-site figure, instead of one row per site:
    quartiles, sites per bucket and the ten highest and lowest (the rows themselves are in each
    site's section and in the XLSX exports)."""
    meetings = {site_id: row["count"] for site_id, row in data.meetings.items()}
    present = {site_id: int(n) for site_id, n in data.present_partners.items()}
    actions = {site_id: len(ids) for site_id, ids in data.actions_by_site.items()}
    logbook = {site_id: len(entries) for site_id, entries in data.logbook.items()}

    def every_site(values: dict) -> list:
        return [values.get(site.pk, 0) for site in data.sites]

    measures = [
        (_("Temps d'animation (ETP, sites avec animateur·rice)"), [v for v in every_site(data.fte) if v]),
        (_("Réunions de pilotage sur la période"), every_site(data.steering_period)),
        (_("Réunions de pilotage depuis le début"), every_site(data.steering_total)),
        (_("Réunions de la période"), every_site(meetings)),
        (_("Organisations partenaires"), every_site(data.partner_count)),
        (_("Organisations présentes aux réunions de la période"), every_site(present)),
        (_("Actions suivies à la fin de la période"), every_site(actions)),
        (_("Entrées du carnet de bord sur la période"), every_site(logbook)),
    ]
    per_site_meetings = every_site(meetings)
    buckets = [
        (
            _meeting_bucket_label(low, high),
            sum(1 for n in per_site_meetings if n >= low and (high is None or n <= high)),
        )
        for low, high in MEETING_BUCKETS
    ]
    return {
        "measures": [
            {"label": label, "count": len(values), **quartiles(values)} for label, values in measures
        ],
        "meetings_chart": charts.column_chart(
            title=_("Sites selon le nombre de réunions de la période"),
            categories=[label for label, _n in buckets],
            series=[(_("Sites"), [n for _l, n in buckets])],
            category_header=_("Réunions"),
            summary=_("De %(min)s à %(max)s réunions par site, médiane %(median)s.")
            % quartiles(per_site_meetings),
        ),
        "rankings": [
            *_rankings(data, meetings, _("Réunions de la période")),
            *_rankings(data, present, _("Organisations présentes aux réunions de la période")),
        ],
    }


def _event_row(event: ContextEvent) -> dict:
    return {
        "title": event.title,
        "kind": event.get_kind_display(),
        "where": event.site.name if event.site else _("National"),
        "start": french_date(event.start_date),
    }


def _highlights(entries: list[LogbookEntry]) -> list[dict]:
    result = []
    for entry in entries[:HIGHLIGHTS_PER_SITE]:
        result.append(
            {
                "kind": entry.get_kind_display(),
                "dates": _("du %(start)s au %(end)s")
                % {"start": french_date(entry.period_start), "end": french_date(entry.period_end)},
                "happened": excerpt(entry.happened),
                "difficulties": excerpt(entry.difficulties),
                "lessons": excerpt(entry.lessons),
            }
        )
    return result


def _most_recent(action_ids: list[int], data: _Data) -> list[int]:
    """At most ATC_REPORT_LIST_MAX actions, the most recently updated, kept in title order: a
    site with thousands of actions made a report of hundreds of pages (the full list is in the
    XLSX export of the actions)."""
    limit = settings.ATC_REPORT_LIST_MAX
    if len(action_ids) <= limit:
        return action_ids
    recent = set(sorted(action_ids, key=lambda pk: (data.actions[pk].updated_at, pk), reverse=True)[:limit])
    return [pk for pk in action_ids if pk in recent]


def _site_section(site: Site, data: _Data, indicators: list[dict], *, events: bool) -> dict:
    meetings = data.meetings.get(site.pk, {})
    parts = _attendance_parts([meetings]) if meetings else []
    action_ids = data.actions_by_site.get(site.pk, [])
    statuses = Counter(data.action_status[pk][1] for pk in action_ids)
    listed = _most_recent(action_ids, data)
    site_events = [event for event in data.events if event.site_id == site.pk] if events else []
    actions = [
        {
            "title": action.title,
            "status": Action.Status(data.action_status[pk][1]).label,
            "theme": action.theme.name if action.theme else "—",
            "partners": data.partners_per_action.get(pk, 0),
        }
        for pk in listed
        for action in (data.actions[pk],)
    ]
    return {
        "anchor": f"site-{site.slug}",
        "site": site,
        "neighbourhoods": [str(n) for n in site.neighbourhoods.all()],
        "models": [m.label for m in site.priority_models.all()],
        "schemes": [s.label for s in site.other_schemes.all()],
        "facilitators": [
            {
                "name": a.person_name,
                "position": a.get_position_display(),
                "fte": fte(a.fte),
                "contract": a.get_contract_type_display(),
                "start": french_date(a.start_date),
                "end": french_date(a.end_date) if a.end_date else "",
            }
            for a in data.facilitators.get(site.pk, [])
        ],
        "fte": fte(data.fte[site.pk]) if data.fte.get(site.pk) else "—",
        "configuration": data.configurations[site.pk],
        "steering_total": data.steering_total.get(site.pk, 0),
        "steering_period": data.steering_period.get(site.pk, 0),
        "meetings": meetings.get("count", 0),
        "attendance_chart": charts.share_bar(
            title=_("Participation aux réunions de la période — %(site)s") % {"site": site.name},
            parts=parts,
        )
        if parts
        else None,
        "status_counts": [(label, statuses.get(value, 0)) for value, label in Action.Status.choices],
        "actions": actions,
        "actions_more": len(action_ids) - len(listed),
        "partners": data.partner_count.get(site.pk, 0),
        "present_partners": int(data.present_partners.get(site.pk, 0)),
        "themes": sorted(
            (data.theme_names[pk] for pk in data.themes.get(site.pk, ())),
            key=lambda name: name,
        ),
        "highlights": _highlights(data.logbook.get(site.pk, [])),
        "highlights_more": max(0, len(data.logbook.get(site.pk, [])) - HIGHLIGHTS_PER_SITE),
        "indicators": indicators,
        "events": [_event_row(event) for event in site_events[: settings.ATC_REPORT_LIST_MAX]],
        "events_more": max(0, len(site_events) - settings.ATC_REPORT_LIST_MAX),
    }


def build_content(
    *,
    target: Target,
    period: Period,
    site_ids: list[int] | None = None,
    summary: bool = True,
    sections: bool = True,
    narrative: NarrativeTexts | None = None,
) -> dict:
    """Everything the report template shows, for a scope and a period.

    `site_ids`, `summary` and `sections` cut a large report into parts (the summary alone, then
    the sections of a few dozen sites each), rendered by several workers and assembled.

    Over ATC_REPORT_SITE_ROWS_MAX sites, the summary shows how the sites spread (quartiles,
    buckets, the ten highest and lowest) instead of a row per site, and lists only the national
    context events; each site's section then lists its own.
    """
    data = _Data(target, period, site_ids)
    scope_size = len(data.sites) if site_ids is None else target.sites().count()
    aggregate = scope_size > settings.ATC_REPORT_SITE_ROWS_MAX
    content = {
        "title": _("Rapport d'évaluation — %(target)s") % {"target": target.title},
        "summary": summary,
        "aggregate": aggregate,
        "target": target,
        "period": period,
        "period_title": period.title,
        "period_dates": _("du %(start)s au %(end)s")
        % {"start": french_date(period.start), "end": french_date(period.end)},
        "site_count": scope_size,
        "sections": [],
    }
    indicator_rows, indicators_per_site = _indicators(data, period)
    texts = _narrative(narrative, data, period)
    content["narrative"] = texts
    if target.scope == Scope.SITE:
        content["positions"] = comparison.site_positions(target.site, period)
    if sections:
        content["sections"] = [
            _site_section(site, data, indicators_per_site.get(site.pk, []), events=aggregate)
            for site in data.sites
        ]
    if not summary:
        return content
    dashboard = _dashboard_figures(data, period)
    actions = _actions(data)
    networks = Counter(site.network.name for site in data.sites)
    content.update(
        {
            "map": _sites_map(data.sites),
            "networks": sorted(networks.items()),
            "method": _method(data, period),
            "facilitation": {**_facilitation(data), "fte": dashboard["fte"]},
            "steering": {**_steering(data), "in_period": dashboard["steering"]},
            "positioning": _positioning(data),
            "actions": actions,
            "attendance": _attendance(data),
            "readings": _readings(data),
            "cooperation": _cooperation(data, actions),
            "indicators": indicator_rows,
            "events": [_event_row(event) for event in data.events if not (aggregate and event.site_id)],
            "ledger_chapter": ledger_chapter(sites=data.sites, period=period),
        }
    )
    if aggregate:
        content["between_sites"] = _between_sites(data)
        content["local_events"] = _local_events([event for event in data.events if event.site_id])
    content.update(_summary(target, data, period))
    if target.scope == Scope.NETWORK:
        content["network_table"] = comparison.network_table(data.sites, period)
    content["method"]["paragraphs"] = [
        text for hook in METHOD_PARAGRAPHS if (text := hook(target, period, data.ids))
    ]
    content["chapters"] = [
        {
            "key": chapter.key,
            "title": str(chapter.title),
            "template": chapter.template,
            "commentary": texts["commentaries"].get(chapter.key, []),
        }
        for chapter in CHAPTERS
        if chapter.shown(content)
    ]
    content["annex"] = _annex(content)
    return content


def _summary(target: Target, data: _Data, period: Period) -> dict:
    """The one-page summary: key figures against the previous comparable period, the attention
    points of the period, what progressed."""
    previous = comparison.previous_period(period)
    return {
        "previous_title": previous.title,
        "previous_short": previous.short,
        "period_short": period.short,
        "previous_dates": _("du %(start)s au %(end)s")
        % {"start": french_date(previous.start), "end": french_date(previous.end)},
        "key_figures": comparison.key_figures(data.ids, period, previous),
        "attention_points": comparison.attention_points(data.ids, period),
        "progress": comparison.progress(data.ids, period),
    }


def _sites_map(sites: list[Site]):
    """The map of the sites the report covers."""
    return france_map(
        title=_("Carte des sites couverts"),
        points=MapPoint.of_sites(sites),
    )


def _local_events(events) -> dict:
    """How many local context events, on how many sites, of which kinds (the summary of a report
    over many sites; each site's section lists its own)."""
    return {
        "count": len(events),
        "sites": len({event.site_id for event in events}),
        "kinds": sorted(Counter(event.get_kind_display() for event in events).items()),
    }
