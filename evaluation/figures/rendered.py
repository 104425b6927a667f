"""The figure fragments the pages keep rendered through `{% figurecache %}` (evaluation/dashboards/
templatetags/figure_cache.py): the site dashboard's and the cooperation map's figures (until the
site's data changes) and the overview's quarterly charts (with their documented lag).

For each: the cache key parts the template tag builds, and an uncached rendering of the same
fragment, which `check_figures` compares with what the cache would serve.
"""

from django.template.loader import render_to_string

from evaluation.figures import charts as figure_charts
from evaluation.figures import multisite
from evaluation.figures import site as site_figures
from evaluation.figures.cache import fragment_parts, scope_key
from sites.models import Site


def site_figures_parts() -> tuple:
    return fragment_parts("site-figures")


def render_site_figures(site: Site) -> str:
    dashboard = site_figures.site_dashboard(site=site)
    context = {"site": site, "dash": dashboard, "charts": figure_charts.site_charts(dashboard)}
    return render_to_string("dashboards/_site_figures.html", context)


def cooperation_parts() -> tuple:
    return fragment_parts("cooperation")


def render_cooperation_figures(site: Site) -> str:
    coop = site_figures.cooperation(site=site)
    context = {"site": site, "coop": coop, "charts": figure_charts.cooperation_charts(coop)}
    return render_to_string("dashboards/_cooperation_figures.html", context)


def overview_charts_parts(*, sites, period: multisite.SitePeriod) -> tuple:
    return fragment_parts(scope_key(period.apply(sites)), period, "overview-charts")


def render_overview_charts(*, sites, period: multisite.SitePeriod) -> str:
    charts = figure_charts.overview_charts(totals=multisite.quarter_totals(sites=sites, period=period))
    return render_to_string("dashboards/_overview_charts.html", {"charts": charts})
