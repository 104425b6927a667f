"""The figures' charts (shared by the dashboards, the exports and the PDF reports)."""

import datetime

from django.utils.translation import gettext as _

from atc.charts import Chart, column_chart, grouped_bars, network_graph, share_bar, slope_chart
from atc.formats import format_number
from atc.periods import PRESET_EXPERIMENT, quarter_label, quarter_of
from diagnostics.readings import SPREAD_LABEL
from evaluation.figures.aggregates import CATEGORIES
from evaluation.figures.site import Cooperation, SiteDashboard
from sites.models import SiteQuarterStats


def chart_quarters(
    quarters: list[SiteQuarterStats], today: datetime.date, *, trim: bool = True
) -> list[SiteQuarterStats]:
    """The quarters a time chart shows: those given up to today's. With `trim` (the whole
    experiment, nobody chose it) the empty quarters after the last one with activity are left out;
    a period someone chose is shown whole. A long span makes a wider chart, scrolled on screen."""
    shown = [q for q in quarters if q.quarter <= quarter_of(today)]
    active = [i for i, q in enumerate(shown) if q.meetings or q.actions or q.logbook_entries or q.partners]
    if trim and active:
        shown = shown[: active[-1] + 1]
    return shown


def site_charts(dashboard: SiteDashboard) -> dict[str, Chart]:
    """The site dashboard's charts, each with its title, summary and data table."""
    quarters = chart_quarters(
        dashboard.quarters, dashboard.today, trim=dashboard.period.preset == PRESET_EXPERIMENT
    )
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
            extra_columns=[(str(SPREAD_LABEL), [format_number(r.spread) for r in dashboard.readings])],
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
    quarters = chart_quarters(coop.quarters, datetime.date.max, trim=coop.period.preset == PRESET_EXPERIMENT)
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
    """The network and national dashboards' charts over the period's quarters (up to the last with
    activity: a wide span makes a wider chart, scrolled on screen)."""
    active = [i for i, row in enumerate(totals) if row["meetings"] or row["logbook"]]
    totals = totals[: active[-1] + 1] if active else totals
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
