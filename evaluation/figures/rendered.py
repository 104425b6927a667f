"""The figure fragments the pages keep rendered through `{% figurecache %}` (evaluation/dashboards/
templatetags/figure_cache.py): the site dashboard's figures (with its avoided costs and crossed
readings) and the cooperation map's (until the site's data changes) and the overview's quarterly
charts (with their documented lag) and the site table's rows (each under its own site's versions,
when the page's sites are known before their figures: `multisite.TableState.window`).

For each: the cache key parts the template tag builds, and an uncached rendering of the same
fragment, which `check_figures` compares with what the cache would serve.
"""

from urllib.parse import urlencode

from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone

from atc.jinja2 import url_per_row
from atc.periods import QuarterSpan, experiment_span
from evaluation.figures import charts as figure_charts
from evaluation.figures import multisite
from evaluation.figures import site as site_figures
from evaluation.figures.cache import fragment_parts, rows_cached, rows_served, scope_key
from sites.models import Site


def _span(span: QuarterSpan | None) -> QuarterSpan:
    return span or experiment_span(timezone.localdate())


def site_figures_parts(span: QuarterSpan | None = None) -> tuple:
    """Kept per period (`span`: the whole experiment by default, as the page opens)."""
    return fragment_parts("site-figures", _span(span).key)


def render_site_figures(site: Site, span: QuarterSpan | None = None) -> str:
    dashboard = site_figures.site_dashboard(site=site, period=_span(span))
    context = {
        "site": site,
        "dash": dashboard,
        "charts": figure_charts.site_charts(dashboard),
        "period_query": period_query(_span(span)),
    }
    return render_to_string("dashboards/_site_figures.html", context)


def cooperation_parts(span: QuarterSpan | None = None) -> tuple:
    return fragment_parts("cooperation", _span(span).key)


def render_cooperation_figures(site: Site, span: QuarterSpan | None = None) -> str:
    coop = site_figures.cooperation(site=site, period=_span(span))
    context = {
        "site": site,
        "coop": coop,
        "charts": figure_charts.cooperation_charts(coop),
        "period_query": period_query(_span(span)),
    }
    return render_to_string("dashboards/_cooperation_figures.html", context)


def period_query(span: QuarterSpan) -> str:
    """The period as a query string (`periode=…&du=…`), carried by a dashboard's export links."""
    return urlencode(span.params())


def overview_charts_parts(*, sites, period: multisite.SitePeriod) -> tuple:
    return fragment_parts(scope_key(period.apply(sites)), period, "overview-charts")


def render_overview_charts(*, sites, period: multisite.SitePeriod) -> str:
    charts = figure_charts.overview_charts(totals=multisite.quarter_totals(sites=sites, period=period))
    return render_to_string("dashboards/_overview_charts.html", {"charts": charts})


def site_rows_parts(period: multisite.SitePeriod) -> tuple:
    """A row shows its site's own columns and figures over the period, the same for every reader:
    kept per period only, so the national table, the network's and « Mes sites » share it."""
    return fragment_parts("site-row", period.start, period.end)


def site_rows(*, state: multisite.TableState, period: multisite.SitePeriod, today=None) -> list[str]:
    """The rendered rows of the page of the site table `state` names (it has a window), each kept
    under its own site's versions (`state.rows`): a write on one of the 50 sites computes and
    renders that row alone. One cache read when every row is kept."""
    window = state.window
    by_id = {site.pk: site for site in window.sites}

    def compute(ids: list[int]) -> dict[int, str]:
        sites = multisite.with_figures([by_id[pk] for pk in ids], period=period, today=today)
        return render_site_rows(sites)

    return rows_cached(window.ids, state.rows, site_rows_parts(period), compute)


def site_rows_served(*, state: multisite.TableState, period: multisite.SitePeriod) -> dict[int, str]:
    """The rows `site_rows` would serve from the cache now ({site id: rendered row})."""
    return rows_served(state.window.ids, state.rows, site_rows_parts(period))


def render_site_rows(sites) -> dict[int, str]:
    """Site id → its rendered row (the sites with their figures, `multisite.with_figures`)."""
    row = engines["jinja2"].get_template("dashboards/_site_row.html").template.module.site_row
    site_url = url_per_row("dashboards:site")
    attention_url = url_per_row("attention:site_history")
    return {site.pk: str(row(site, site_url, attention_url)) for site in sites}
