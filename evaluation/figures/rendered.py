"""The figure fragments the pages keep rendered through `{% figurecache %}` (evaluation/dashboards/
templatetags/figure_cache.py): the site dashboard's figures (with its avoided costs and crossed
readings) and the cooperation map's (until the site's data changes) and the overview's quarterly
charts (with their documented lag). The overview's site table is kept too, under the exact data
version; `check_figures` compares the table's rows it is rendered from.

For each: the cache key parts the template tag builds, and an uncached rendering of the same
fragment, which `check_figures` compares with what the cache would serve.
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.utils import timezone

from atc.periods import QuarterSpan, experiment_span
from evaluation.figures import charts as figure_charts
from evaluation.figures import multisite
from evaluation.figures import site as site_figures
from evaluation.figures.cache import fragment_parts, scope_key
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
