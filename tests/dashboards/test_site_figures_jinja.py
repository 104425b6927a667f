"""The site dashboard's figures drawn by Jinja2 (templates/jinja2/dashboards/_site_figures.html and
the chart, table and label templates it includes) say what the Django templates they replaced said
(kept as they were in tests/dashboards/plain_templates/), and escape what people typed."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.template.loader import render_to_string
from django.urls import reverse

from diagnostics.models import Theme
from evaluation.figures import charts as figure_charts
from evaluation.figures import site as site_figures
from evaluation.figures.aggregates import refresh_all_stale
from evaluation.figures.rendered import period_query
from sites.models import ContextEvent, Scheme
from tests.conftest import _clear_cache
from tests.dashboards.factories import (
    ActionFactory,
    CommitteeMemberFactory,
    FacilitatorAssignmentFactory,
    MeetingFactory,
    PartnerOrganisationFactory,
)
from tests.diagnostics.factories import DiagnosticFactory, FindingFactory
from tests.evaluation.factories import LogbookEntryFactory

D = datetime.date
PLAIN = Path(__file__).parent / "plain_templates"
# A first read on an empty cache: the session, the reader and their roles (5), the site's versions,
# comments, signals, unread notifications, its ledger, network and crossed readings (7), and the
# figures (12: each table once; the actions per status and per theme in one query).
QUERIES_FIRST_READ = 24
HOSTILE = '<b>Café</b> "l\'Étoile" & <script>x</script>'


def _plain(name: str, context: dict) -> str:
    """`name` rendered by the Django engine, the plain templates and the figure labels' plain tags
    first (the project's other tags and templates as they are)."""
    django = settings.TEMPLATES[0]
    engine = Engine(
        dirs=[PLAIN, *django["DIRS"]],
        app_dirs=True,
        libraries={
            **get_installed_libraries(),
            **django["OPTIONS"]["libraries"],
            "figure_labels": "tests.dashboards.plain_figure_labels",
        },
        string_if_invalid=django["OPTIONS"]["string_if_invalid"],
    )
    return engine.get_template(name).render(Context(context))


def _squash(html: str) -> str:
    """The same document for a browser: whitespace between tags and runs of spaces dropped, and
    the escaping spelled one way (Jinja2 writes &#34; where Django writes &quot;; an apostrophe,
    escaped by Django's {% translate %} and not in a Jinja2 translation, is one character)."""
    html = html.replace("&#x27;", "'").replace("&#39;", "'").replace("&quot;", "&#34;")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _fill(site, text: str, commit):
    """A site with something in every part of its figures, `text` in whatever people type."""
    theme = Theme.objects.get(code="civic-engagement")
    theme.name = f"Thème {text}"
    theme.save()
    partners = [
        PartnerOrganisationFactory(site=site, state=True, name=f"Partenaire {text}"),
        PartnerOrganisationFactory(site=site, name=f"Association {text}"),
    ]
    scheme = Scheme.objects.create(code="dispositif-test", label=f"Dispositif {text}")
    with commit(execute=True):
        site.city = f"Ville {text}"
        site.save()
        site.other_schemes.add(scheme)
        FacilitatorAssignmentFactory(
            site=site, person_name=f"Animatrice {text}", start_date=D(2020, 1, 6), end_date=D(2021, 6, 30)
        )
        FacilitatorAssignmentFactory(site=site, person_name=f"Animateur {text}", start_date=D(2021, 10, 4))
        CommitteeMemberFactory(committee__site=site, organisation=partners[0])
        for index in range(6):
            meeting = MeetingFactory(
                site=site, steering=index % 3 == 0, date=D(2021, 1, 4) + datetime.timedelta(days=40 * index)
            )
            meeting.organisations.set(partners)
        finding = FindingFactory(site=site, title=f"Constat {text}", theme=theme)
        FindingFactory(site=site, title=f"Constat sans action {text}", theme=theme)
        ActionFactory(site=site, start_date=D(2021, 2, 1), partners=partners, theme=theme).findings.set(
            [finding]
        )
        ActionFactory(site=site, start_date=D(2021, 5, 1), partners=partners)
        DiagnosticFactory(site=site, title=f"Diagnostic {text}")
        LogbookEntryFactory(site=site, happened=f"Ateliers {text} " * 20)
        ContextEvent.objects.create(
            site=site, kind=ContextEvent.Kind.OTHER, title=f"Événement {text}", start_date=D(2021, 3, 1)
        )
    refresh_all_stale()


def _context(site) -> dict:
    dash = site_figures.site_dashboard(site=site)
    return {
        "site": site,
        "dash": dash,
        "charts": figure_charts.site_charts(dash),
        "period_query": period_query(dash.period),
    }


@pytest.mark.parametrize("text", ["ordinaire", HOSTILE])
def test_the_jinja2_figures_equal_the_django_template_they_replace(
    marseille, text, django_capture_on_commit_callbacks
):
    _fill(marseille, text, django_capture_on_commit_callbacks)
    context = _context(marseille)
    jinja = render_to_string("dashboards/_site_figures.html", context)
    plain = _plain("dashboards/_site_figures.html", context)
    assert "Animateur" in jinja and "<figure" in jinja and "Constat sans action" in jinja
    assert _squash(jinja) == _squash(plain)


def test_an_empty_site_draws_the_same_figures_in_both_engines(grenoble):
    context = _context(grenoble)
    jinja = render_to_string("dashboards/_site_figures.html", context)
    assert "Aucun événement de contexte." in jinja and "Rien à montrer" in jinja
    assert _squash(jinja) == _squash(_plain("dashboards/_site_figures.html", context))


def test_a_chart_include_draws_what_the_django_chart_drew(marseille, django_capture_on_commit_callbacks):
    _fill(marseille, HOSTILE, django_capture_on_commit_callbacks)
    charts = _context(marseille)["charts"]
    for name, key in [("actions_theme", "actions_by_theme"), ("composition", "")]:
        context = {"chart": charts[name], "figure": key}
        assert _squash(render_to_string("includes/chart.html", context)) == _squash(
            _plain("includes/chart.html", context)
        )


def test_markup_typed_in_names_themes_and_labels_is_shown_as_text(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    _fill(marseille, HOSTILE, django_capture_on_commit_callbacks)
    client.force_login(national_team)
    page = client.get(reverse("dashboards:site", args=["marseille"])).content.decode()
    assert "<script>x</script>" not in page and "<b>Café</b>" not in page
    shown = "&lt;b&gt;Café&lt;/b&gt; &#34;l&#39;Étoile&#34; &amp; &lt;script&gt;x&lt;/script&gt;"
    for said in [
        f"Ville {shown}",  # the site's city, atop the figures
        f'<th scope="row">Animateur {shown}</th>',  # facilitators in post
        f'Constat sans action {shown} <span class="muted">Thème {shown}',  # finding and theme
        f"Dispositif {shown}",  # the site's other schemes
        f"Événement {shown}",  # context events
        f"Arrivée de Animateur {shown}",  # the timeline
        f'<th scope="row">Thème {shown}</th>',  # the actions-by-theme chart's data table
    ]:
        assert said in page, said


def test_a_first_read_of_a_site_dashboard_reads_each_table_once(
    client, national_team, marseille, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    _fill(marseille, "ordinaire", django_capture_on_commit_callbacks)
    client.force_login(national_team)
    client.get(reverse("home"))  # the session's idle expiry is pushed once a minute: not counted
    _clear_cache()  # every figure computed and the fragment drawn
    url = reverse("dashboards:site", args=["marseille"])
    with django_assert_max_num_queries(QUERIES_FIRST_READ):
        assert "Constat sans action" in client.get(url).content.decode()
