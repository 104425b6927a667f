"""Dashboards: a site's, its cooperation map, and the tables comparing sites (national, network,
"my sites"), with their CSV/XLSX exports. Figures come from `evaluation.figures`; access from
`atc.permissions` and `Site.objects.for_user`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from atc.periods import (
    PRESET_EXPERIMENT,
    PRESET_LAST_FOUR,
    PRESET_RANGE,
    PRESET_YEAR,
    QuarterSpan,
    experiment_span,
    experiment_years,
    last_four_quarters,
    quarter_label,
    quarter_param,
    read_quarter_span,
)
from atc.permissions import can_comment_site, log_refusal, require_national
from evaluation.figures import charts as figure_charts
from evaluation.figures import exports as figure_exports
from evaluation.figures import multisite, rendered
from evaluation.figures import site as site_figures
from evaluation.figures import tables as exports
from evaluation.figures.aggregates import CIVIL_SHARE_ALL_LABEL, CIVIL_SHARE_STEERING_LABEL
from evaluation.figures.cache import scope_key, site_cached, sites_cached, versions_read_once
from evaluation.figures.rendered import period_query
from sites.access import get_site_for_user
from sites.comments.forms import ReviewCommentForm
from sites.comments.services import comment_create
from sites.comments.views import thread_comments, threads_for
from sites.francemap import MapPoint, france_map
from sites.models import Network, PriorityModel, ReviewComment, Site

# --- The period every dashboard shows (GET: periode, annee, du, au) ---------------------------------


def _chosen_period(request) -> QuarterSpan:
    """The period the query string asks for; what cannot be read is said in a French message and
    the whole experiment is shown instead."""
    span, problem = read_quarter_span(request.GET, timezone.localdate())
    if problem:
        messages.warning(request, problem)
    return span


def _export_period(request) -> QuarterSpan | HttpResponseBadRequest:
    """An export reads the period as its page does; a file is never made for another period than
    the one asked for: what cannot be read gets a French message instead of a download."""
    span, problem = read_quarter_span(request.GET, timezone.localdate())
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    return span


def _period_control(span: QuarterSpan) -> dict:
    """What the period fieldset (templates/dashboards/_period_control.html) offers."""
    today = timezone.localdate()
    whole = experiment_span(today)
    return {
        "span": span,
        "presets": {
            "experiment": PRESET_EXPERIMENT,
            "last_four": PRESET_LAST_FOUR,
            "year": PRESET_YEAR,
            "range": PRESET_RANGE,
        },
        "whole": whole,
        "last_four": last_four_quarters(today),
        "years": experiment_years(today),
        "quarters": [(quarter_param(q), quarter_label(q)) for q in whole.quarters],
        "first": quarter_param(span.first),
        "last": quarter_param(span.last),
        "query": period_query(span),
    }


def _site_context(request, site, span, comment_form=None):
    may_comment = can_comment_site(request.user, site)
    # Computed only when the template's cached fragment is missing (figurecache "site": rendered
    # once per site, period and day, kept until the next change to this site's data).
    dashboard = SimpleLazyObject(lambda: site_figures.site_dashboard(site=site, period=span))
    return {
        "site": site,
        "period": span,
        "period_control": _period_control(span),
        "period_query": period_query(span),
        "dash": dashboard,
        "charts": SimpleLazyObject(lambda: figure_charts.site_charts(dashboard)),
        # The comments are kept with the site's data (a comment, a reply, a « traité » and a renamed
        # author bump a version, so they show on the next read); the reader's rights on each
        # thread, and its forms, are worked out on every request.
        "threads": threads_for(
            request.user, site_cached(site.pk, ("review-threads",), lambda: _comments(site))
        ),
        "can_comment": may_comment,
        # Read on each request too: a signal clears as soon as the site team fixes its cause.
        "signals": site_figures.attention_signals(site),
        "comment_form": comment_form or (ReviewCommentForm() if may_comment else None),
    }


def _comments(site) -> list[ReviewComment]:
    return list(thread_comments(ReviewComment.objects.filter(site=site)).select_related("site")[:20])


def site_dashboard(request, slug):
    """A site's dashboard, read before a steering committee."""
    site = get_site_for_user(request, slug)
    # A read-only page: the site's versions are read once, for its signals and its figures.
    with versions_read_once():
        return render(request, "dashboards/site.html", _site_context(request, site, _chosen_period(request)))


@require_POST
def site_comment(request, slug):
    """A préfet delegate (or the national team) leaves a dated review comment on the dashboard."""
    site = get_site_for_user(request, slug)
    if not can_comment_site(request.user, site):
        log_refusal(request, "cannot_comment", site.pk)
        raise PermissionDenied(_("Seul·es les délégué·es du préfet du site peuvent commenter."))
    form = ReviewCommentForm(request.POST)
    if not form.is_valid():
        return render(
            request, "dashboards/site.html", _site_context(request, site, _chosen_period(request), form)
        )
    comment_create(site=site, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, _("Votre commentaire est enregistré ; l'équipe du site le verra ici."))
    return redirect(reverse("dashboards:site", args=[site.slug]) + "#commentaires")


def site_export(request, slug, table, fmt):
    """One table of the site dashboard as CSV, or all of them as XLSX, over the page's period."""
    site = get_site_for_user(request, slug)
    span = _export_period(request)
    if isinstance(span, HttpResponseBadRequest):
        return span
    dashboard = site_figures.site_dashboard(site=site, period=span)
    tables = figure_exports.site_export_tables(dashboard, figure_charts.site_charts(dashboard))
    if table == "tout":
        return exports.xlsx_response(list(tables.values()), f"tableau-de-bord-{site.slug}")
    if table not in tables:
        raise Http404(_("Tableau inconnu"))
    return exports.response_for(fmt, [tables[table]], f"{site.slug}-{table}")


def site_cooperation(request, slug):
    """Which partner organisations work together on the site, and how that changed. The figures
    are rendered once and kept until the site's data changes, like the site dashboard's."""
    site = get_site_for_user(request, slug)
    span = _chosen_period(request)
    coop = SimpleLazyObject(lambda: site_figures.cooperation(site=site, period=span))
    charts = SimpleLazyObject(lambda: figure_charts.cooperation_charts(coop))
    context = {
        "site": site,
        "coop": coop,
        "charts": charts,
        "period": span,
        "period_control": _period_control(span),
        "period_query": period_query(span),
    }
    return render(request, "dashboards/cooperation.html", context)


def cooperation_export(request, slug, fmt):
    site = get_site_for_user(request, slug)
    span = _export_period(request)
    if isinstance(span, HttpResponseBadRequest):
        return span
    coop = site_figures.cooperation(site=site, period=span)
    charts = figure_charts.cooperation_charts(coop)
    pairs = exports.Table(
        title=_("Paires de partenaires"),
        headers=[_("Partenaire"), _("Catégorie"), _("Avec"), _("Catégorie"), _("Fois ensemble")],
        rows=[
            [a.name, a.get_category_display(), b.name, b.get_category_display(), n] for a, b, n in coop.pairs
        ],
    )
    tables = [pairs, *(figure_exports.chart_export(c) for name, c in charts.items() if name != "graph")]
    return exports.response_for(fmt, tables, f"cooperation-{site.slug}")


# --- Comparing sites ------------------------------------------------------------------------------


class OverviewFilterForm(forms.Form):
    """The filters of the site tables (GET): every field optional."""

    reseau = forms.ChoiceField(label=gettext_lazy("Tête de réseau"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Région"), required=False)
    modele = forms.ChoiceField(label=gettext_lazy("Modèle prioritaire"), required=False)
    appui = forms.ChoiceField(label=gettext_lazy("Appui institutionnel"), required=False)
    a_suivre = forms.ChoiceField(
        label=gettext_lazy("Points d'attention"),
        required=False,
        choices=[("", gettext_lazy("Tous les sites")), ("1", gettext_lazy("À suivre (au moins un point)"))],
    )

    def __init__(self, *args, sites, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Tous"))]
        networks, regions, models = sites_cached(
            ("overview-filters", scope_key(sites)),
            lambda: (
                list(Network.objects.values_list("code", "name")),
                list(sites.order_by("region").values_list("region", flat=True).distinct()),
                list(PriorityModel.objects.values_list("code", "label")),
            ),
        )
        if network is None:
            self.fields["reseau"].choices = everything + networks
        else:
            del self.fields["reseau"]
        self.fields["region"].choices = everything + [(r, r) for r in regions]
        self.fields["modele"].choices = everything + models
        self.fields["appui"].choices = everything + list(Site.InstitutionalSupport.choices)

    def selects(self) -> list[dict]:
        """Each filter as label, name, choices and the value chosen. The template renders the
        ~100 options with Jinja2, several times cheaper than the Django engine (bench/fragments.py)."""
        return [
            {
                "name": name,
                "label": field.label,
                "choices": field.choices,
                "selected": self.data.get(name) or "",
            }
            for name, field in self.fields.items()
        ]

    def period(self, span: QuarterSpan, network=None) -> multisite.SitePeriod:
        """The filters and the dashboard's period (read apart, by `read_quarter_span`)."""
        data = self.cleaned_data if self.is_valid() else {}
        return multisite.SitePeriod(
            network=network.code if network else data.get("reseau", ""),
            region=data.get("region", ""),
            priority_model=data.get("modele", ""),
            support=data.get("appui", ""),
            start=span.first,
            end=span.last,
            attention=data.get("a_suivre") == "1",
        )


def _map(sites):
    points = [
        MapPoint(name, float(lat), float(lon), dep, region)
        for name, lat, lon, dep, region in sites.values_list(
            "name", "latitude", "longitude", "departement_code", "region"
        )
    ]
    return france_map(title=_("Carte des sites"), points=points)


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _overview(request, **kwargs):
    # A read-only page: the data and sites' versions are read once for all its figures.
    with versions_read_once():
        return _overview_page(request, **kwargs)


def _overview_page(
    request, *, sites, title, url_name, url_args=(), network=None, show_map=True, open_comments=None
):
    form = OverviewFilterForm(request.GET or None, sites=sites, network=network)
    span = _chosen_period(request)
    period = form.period(span, network)
    sort = request.GET.get("tri", "nom")
    page = _page_number(request)
    # The stale sites the table reads are rebuilt (a few) before any figure is read; the table
    # itself is a cached fragment of the template (figurecache "table", kept under the versions the
    # state names): computed only when its entry is missing.
    state = multisite.table_state(sites=sites, period=period, sort=sort, page=page)
    pending = state.pending
    if state.window is not None:
        # The page's sites are known: each row is kept under its own site's versions, so a write
        # on one of them renders that row alone.
        table = multisite.window_table(state.window, sort)
        site_rows = SimpleLazyObject(lambda: rendered.site_rows(state=state, period=period))
    else:
        table = SimpleLazyObject(
            lambda: multisite.site_table(sites=sites, period=period, sort=sort, page=page, state=state)
        )
        site_rows = None
    if pending:
        messages.info(
            request,
            ngettext(
                "Les chiffres de %(n)s site sont en cours de mise à jour : "
                "rechargez la page dans une minute.",
                "Les chiffres de %(n)s sites sont en cours de mise à jour : "
                "rechargez la page dans une minute.",
                pending,
            )
            % {"n": pending},
        )
    scoped = period.apply(sites)
    # The charts and the map are cached fragments of the template (figurecache): computed only
    # when their entry is missing.
    charts = SimpleLazyObject(
        lambda: figure_charts.overview_charts(totals=multisite.quarter_totals(sites=sites, period=period))
    )
    # The links carry the filters and the sort only (they key the kept table: a parameter the page
    # does not read must not make another copy of it), and the period as it was read: a link never
    # carries a period the page refused.
    query = QueryDict(mutable=True)
    for name in (*form.fields, "tri"):
        if name in request.GET:
            query.setlist(name, request.GET.getlist(name))
    query.update(span.params())
    sort_query = query.copy()
    sort_query.pop("tri", None)
    return render(
        request,
        "dashboards/overview.html",
        {
            "title": title,
            "form": form,
            "selects": form.selects(),
            "table": table,
            "table_versions": state.versions,
            "site_rows": site_rows,
            "page": page,
            "distributions": multisite.distributions(sites=sites, period=period),
            "charts": charts,
            "show_map": show_map,
            "site_map": SimpleLazyObject(lambda: _map(scoped)),
            "scope": scope_key(scoped),
            "period": period,
            "period_control": _period_control(span),
            "network": network,
            "query": query.urlencode(),
            "sort": sort,
            "sort_query": sort_query.urlencode(),
            "export_url": reverse(f"dashboards:{url_name}_export", args=[*url_args, "xlsx"]),
            "export_csv_url": reverse(f"dashboards:{url_name}_export", args=[*url_args, "csv"]),
            "open_comments": open_comments,
            "columns": _columns(),
        },
    )


def _columns():
    """Sortable columns of the site table: (sort key or "", header), in the order of
    `registry.SITE_TABLE_COLUMNS` (the exports keep their own order, attention points last)."""
    keys = [
        "nom",
        "attention",
        "reseau",
        "region",
        "etp",
        "reunions",
        "pilotage",
        "mixite",
        "mixite-pilotage",
        "actions",
        "",
        "habitants",
        "",
    ]
    keys += ["carnet", ""]
    headers = [
        _("Site"),
        _("Points d'attention"),
        _("Tête de réseau"),
        _("Région"),
        _("ETP"),
        _("Réunions"),
        _("Pilotage"),
        CIVIL_SHARE_ALL_LABEL,
        CIVIL_SHARE_STEERING_LABEL,
        _("Actions"),
        _("Dont réalisées"),
        _("Habitant·es touché·es"),
        _("Partenaires (max.)"),
        _("Carnet de bord"),
        _("Indicateurs"),
    ]
    return list(zip(keys, headers, strict=True))


def _export(request, *, sites, fmt, filename, network=None):
    span = _export_period(request)
    if isinstance(span, HttpResponseBadRequest):
        return span
    form = OverviewFilterForm(request.GET or None, sites=sites, network=network)
    period = form.period(span, network)
    table = multisite.site_table(
        sites=sites, period=period, sort=request.GET.get("tri", "nom"), page_size=None
    )
    return exports.response_for(fmt, [figure_exports.site_table_export(table.rows, _("Sites"))], filename)


def national_dashboard(request):
    """Every site, compared: the national team's table, distributions, reporting and map."""
    require_national(request)
    return _overview(
        request,
        sites=Site.objects.for_user(request.user),
        title=_("Tableau de bord national"),
        url_name="national",
    )


def national_export(request, fmt):
    require_national(request)
    return _export(request, sites=Site.objects.for_user(request.user), fmt=fmt, filename="sites-national")


def network_dashboard(request, code):
    """A network's sites, as far as the reader may see them (a coordinator: all five)."""
    network = get_object_or_404(Network, code=code)
    sites = Site.objects.for_user(request.user).filter(network=network)
    title = _("Tableau de bord du réseau %(network)s") % {"network": network.name}
    return _overview(
        request, sites=sites, title=title, url_name="network", url_args=[network.code], network=network
    )


def network_export(request, code, fmt):
    network = get_object_or_404(Network, code=code)
    sites = Site.objects.for_user(request.user).filter(network=network)
    return _export(request, sites=sites, fmt=fmt, filename=f"sites-{network.code}", network=network)


def my_sites_dashboard(request):
    """The reader's own sites side by side (a préfet delegate's three sites of the Nord)."""
    return _overview(
        request,
        sites=Site.objects.for_user(request.user),
        title=_("Mes sites"),
        url_name="my_sites",
        # One count query: the person's comments still waiting for the site team.
        open_comments=ReviewComment.objects.written_by(request.user).open().count(),
    )


def my_sites_export(request, fmt):
    return _export(request, sites=Site.objects.for_user(request.user), fmt=fmt, filename="mes-sites")
