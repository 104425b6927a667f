"""Every figure shown is declared once in the registry, with its definition.

The pages are rendered on the demo data; each figure label the templates print carries
`data-figure="<key>"` (the `figure_labels` template tags), each chart too. A figure shown without a
declaration, a chart without one, or a header whose text is not the registry's label fails here.
"""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from atc.models import User
from atc.periods import parse_period
from evaluation.figures import registry
from evaluation.figures.registry import Place
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_html

pytestmark = pytest.mark.django_db


class _Figures(HTMLParser):
    """The figure markers of a page: every key, the text of each `<span data-figure>` label, the
    charts, the `data-definition` entries and the definition links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.keys: set[str] = set()
        self.labels: list[tuple[str, str]] = []
        self.charts: list[str] = []
        self.definitions: set[str] = set()
        self.definition_links: list[str] = []
        self._span: list | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        keys = (attrs.get("data-figure") or "").split()
        self.keys.update(keys)
        if "data-definition" in attrs:
            self.definitions.add(attrs["data-definition"])
        if tag == "figure" and "chart" in (attrs.get("class") or "").split():
            self.charts.append(attrs.get("data-figure", ""))
        if tag == "a" and "definition-link" in (attrs.get("class") or ""):
            self.definition_links.append(attrs["href"])
        if tag == "span" and keys and self._span is None:
            self._span = [keys[0], ""]
            self._depth = 0
        elif tag == "span" and self._span is not None:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "span" and self._span is not None:
            if self._depth:
                self._depth -= 1
            else:
                self.labels.append((self._span[0], self._span[1]))
                self._span = None

    def handle_data(self, data):
        if self._span is not None:
            self._span[1] += data


def _read(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def national_client(demo, client):
    client.force_login(User.objects.get(email="national@example.org"))
    return client


def _assert_declared_and_labelled(figures: _Figures, place: Place) -> None:
    undeclared = sorted(figures.keys - set(registry.BY_KEY))
    assert not undeclared, f"Figures shown without a declaration: {undeclared}"
    assert figures.charts, "the page shows no chart: the markers are not read"
    assert all(figures.charts), f"{figures.charts.count('')} chart(s) without a declared figure"
    for key, text in figures.labels:
        assert " ".join(text.split()) == str(registry.get(key).label), key
    elsewhere = sorted(k for k in figures.keys if place not in registry.get(k).places)
    assert not elsewhere, f"Shown on « {place.label} » but not declared there: {elsewhere}"


PAGES = {
    "site": (lambda: reverse("dashboards:site", args=["marseille"]), Place.SITE_DASHBOARD),
    "cooperation": (lambda: reverse("dashboards:cooperation", args=["marseille"]), Place.COOPERATION),
    "national": (lambda: reverse("dashboards:national"), Place.SITE_TABLES),
    "network": (lambda: reverse("dashboards:network", args=["fcsf"]), Place.SITE_TABLES),
}


def test_every_declared_figure_has_a_label_a_definition_a_unit_and_its_own_label():
    labels = [str(figure.label) for figure in registry.FIGURES]
    assert len(set(labels)) == len(labels), "two figures share a label: name them apart"
    for figure in registry.FIGURES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", figure.key), figure.key
        assert str(figure.label).strip(), figure.key
        assert str(figure.definition).strip().endswith("."), f"{figure.key}: a definition is one sentence"
        assert str(figure.unit).strip(), figure.key
        assert figure.places, f"{figure.key} is shown nowhere"


def test_words_that_meant_two_things_are_two_figures():
    steering, meetings = registry.get("steering_civil_share"), registry.get("meetings_civil_share")
    assert steering.label != meetings.label
    assert "pilotage" in str(steering.label) and "toutes réunions" in str(meetings.label)
    range_gap = registry.get("reading_gap_range")
    facilitator_gap = registry.get("reading_gap_facilitator_institutional")
    assert range_gap.label != facilitator_gap.label


@pytest.mark.parametrize("page", PAGES)
def test_every_figure_a_dashboard_shows_is_declared(national_client, page):
    url, place = PAGES[page]
    response = national_client.get(url())
    assert response.status_code == 200
    figures = _read(response.content.decode())
    assert figures.keys
    _assert_declared_and_labelled(figures, place)
    definitions = reverse("definitions:index")
    assert figures.definition_links
    for href in figures.definition_links:
        assert href.startswith(f"{definitions}#") and href.split("#")[1] in registry.BY_KEY


@pytest.mark.parametrize("page", ["national", "network"])
def test_the_site_table_headers_are_the_registry_labels(national_client, page):
    url, _place = PAGES[page]
    figures = _read(national_client.get(url()).content.decode())
    columns = [key for key in registry.SITE_TABLE_COLUMNS if key]
    shown = [(key, text) for key, text in figures.labels if key in columns]
    # Each figure column of the site table (the distribution table repeats a few of them).
    assert [key for key, _text in shown][: len(columns)] == columns
    assert "Associations et habitant·es, toutes réunions (%)" in [text for _k, text in shown]


def test_the_site_dashboard_names_the_steering_mix_apart_from_all_meetings(national_client):
    figures = _read(national_client.get(PAGES["site"][0]()).content.decode())
    assert (
        "steering_civil_share",
        "Associations et habitant·es en comité de pilotage, depuis le début (%)",
    ) in figures.labels


def test_every_figure_of_the_national_report_is_declared_and_defined_in_its_method_chapter(demo):
    html = render_html(target=parse_scope("national"), period=parse_period("2020-Q3"))
    figures = _read(html)
    _assert_report_figures(figures, aggregate=False)
    for key in ("steering_meetings_period", "steering_meetings_total", "fte_in_post", "meetings_period"):
        assert key in figures.keys


def test_a_large_report_marks_every_row_of_its_distribution_chapter(demo, settings):
    settings.ATC_REPORT_SITE_ROWS_MAX = 5
    html = render_html(target=parse_scope("national"), period=parse_period("2020-Q3"))
    figures = _read(html)
    _assert_report_figures(figures, aggregate=True)
    chapter = html[html.index('id="repartition"') :]
    chapter = chapter[: chapter.index("</table>")]
    rows = re.findall(r'<th scope="row"([^>]*)>', chapter)
    assert rows and all("data-figure=" in attrs for attrs in rows), rows


def _assert_report_figures(figures: _Figures, *, aggregate: bool) -> None:
    place = Place.REPORT_LARGE if aggregate else Place.REPORT
    assert figures.keys
    undeclared = sorted(figures.keys - set(registry.BY_KEY))
    assert not undeclared, f"Figures shown without a declaration: {undeclared}"
    assert figures.charts and all(figures.charts), figures.charts
    for key, text in figures.labels:
        assert " ".join(text.split()) == str(registry.get(key).label), key
    undefined = sorted(figures.keys - figures.definitions)
    assert not undefined, f"Figures the « Méthode et sources » chapter does not define: {undefined}"
    assert figures.definitions == {f.key for f in registry.report_definitions(aggregate=aggregate)}
    elsewhere = sorted(
        k for k in figures.keys if not {Place.REPORT, place}.intersection(registry.get(k).places)
    )
    assert not elsewhere, elsewhere


def test_the_definitions_page_lists_every_figure_for_every_signed_in_person(demo, client):
    client.force_login(User.objects.get(email="facilitator@example.org"))
    response = client.get(reverse("definitions:index"))
    assert response.status_code == 200
    page = response.content.decode()
    figures = _read(page)
    assert figures.definitions == set(registry.BY_KEY)
    for figure in registry.FIGURES:
        assert f'<h3 id="{figure.key}">{escape(str(figure.label))}</h3>' in page
        assert escape(str(figure.definition)) in page
    for theme, _figures in registry.by_theme():
        assert f'<h2 id="theme-{theme.value}">{escape(str(theme.label))}</h2>' in page


def test_the_definition_link_has_a_name_screen_readers_can_read(national_client):
    page = national_client.get(PAGES["national"][0]()).content.decode()
    assert (
        '<a class="definition-link" href="/definitions/#meetings_civil_share">'
        '<span aria-hidden="true">?</span><span class="visually-hidden">'
        "Définition : Associations et habitant·es, toutes réunions (%)</span></a>"
    ) in page


@pytest.mark.parametrize("page", PAGES)
def test_every_dashboard_links_to_the_definitions_page(national_client, page):
    url, _place = PAGES[page]
    content = national_client.get(url()).content.decode()
    assert f'<a href="{reverse("definitions:index")}">Définitions des chiffres</a>' in content
