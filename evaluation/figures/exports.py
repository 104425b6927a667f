"""The figures as export tables (CSV/XLSX of the dashboards)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from atc.charts import Chart
from atc.periods import quarter_label, quarter_of
from evaluation.figures.aggregates import CIVIL_SHARE_ALL_LABEL, CIVIL_SHARE_STEERING_LABEL
from evaluation.figures.site import SiteDashboard
from evaluation.figures.tables import Table
from sites.models import Site

SITE_TABLE_HEADERS = [
    _lazy("Site"),
    _lazy("Tête de réseau"),
    _lazy("Région"),
    _lazy("ETP d'animation"),
    _lazy("Réunions"),
    _lazy("Réunions de pilotage"),
    CIVIL_SHARE_ALL_LABEL,
    CIVIL_SHARE_STEERING_LABEL,
    _lazy("Actions"),
    _lazy("Dont réalisées"),
    _lazy("Habitant·es touché·es"),
    _lazy("Partenaires (max. par trimestre)"),
    _lazy("Trimestres avec carnet de bord"),
    _lazy("Trimestres avec indicateurs"),
    _lazy("Trimestres attendus"),
    _lazy("Points d'attention en cours"),
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
                None if s.steering_civil_share is None else round(s.steering_civil_share, 1),
                s.actions_count,
                s.actions_done,
                s.reached,
                s.partners_max,
                s.logbook_filled,
                s.indicators_filled,
                s.expected,
                s.attention,
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
                _("Bilans de période couvrant le trimestre"),
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
