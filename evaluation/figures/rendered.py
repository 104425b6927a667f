"""The figure fragments the pages keep rendered: the site dashboard's and the cooperation map's
figures (until the site's data changes) and the overview charts (with their documented lag).

Each has its cache key parts, an uncached `render_…` and a cached `…_html`: the pages call the
cached one, `check_figures` compares what the cache would serve with the uncached one.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from evaluation.figures import charts as figure_charts
from evaluation.figures import multisite
from evaluation.figures import site as site_figures
from evaluation.figures.cache import OVERVIEW_LAG_SECONDS, cached, scope_key, site_cached
from sites.models import Site


def site_figures_parts() -> tuple:
    return ("site-figures", timezone.localdate(), translation.get_language())


def render_site_figures(site: Site) -> str:
    dashboard = site_figures.site_dashboard(site=site)
    context = {"site": site, "dash": dashboard, "charts": figure_charts.site_charts(dashboard)}
    return render_to_string("dashboards/_site_figures.html", context)


def site_figures_html(site: Site) -> str:
    """The dashboard's figures, charts and tables, rendered once per site and day and kept until
    the next change to this site's data (every write bumps its site's version)."""
    return site_cached(site.pk, site_figures_parts(), lambda: render_site_figures(site))


def cooperation_parts() -> tuple:
    return ("cooperation", timezone.localdate(), translation.get_language())


def render_cooperation_figures(site: Site) -> str:
    coop = site_figures.cooperation(site=site)
    context = {"site": site, "coop": coop, "charts": figure_charts.cooperation_charts(coop)}
    return render_to_string("dashboards/_cooperation_figures.html", context)


def cooperation_html(site: Site) -> str:
    """The cooperation map's figures, kept like the site dashboard's."""
    return site_cached(site.pk, cooperation_parts(), lambda: render_cooperation_figures(site))


def overview_charts_parts(*, sites, period: multisite.SitePeriod) -> tuple:
    return (
        "overview-charts-html",
        scope_key(period.apply(sites)),
        repr(period),
        timezone.localdate(),
        translation.get_language(),
    )


def render_overview_charts(*, sites, period: multisite.SitePeriod) -> dict[str, str]:
    return {
        name: render_to_string("includes/chart.html", {"chart": chart})
        for name, chart in figure_charts.overview_charts(
            totals=multisite.quarter_totals(sites=sites, period=period)
        ).items()
    }


def overview_charts_html(*, sites, period: multisite.SitePeriod) -> dict[str, str]:
    """The overview's quarterly charts, kept as rendered HTML with the lagged quarterly totals."""
    return cached(
        overview_charts_parts(sites=sites, period=period),
        lambda: render_overview_charts(sites=sites, period=period),
        lag_seconds=OVERVIEW_LAG_SECONDS,
    )
