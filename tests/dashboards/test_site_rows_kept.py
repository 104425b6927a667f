"""A page of the site table sorted by a site column keeps each row under its own site's versions:
a write on one of the page's sites computes and renders that row alone, the other rows are served
as kept, and what the page serves equals the page rendered on an empty cache (check_figures says
the same)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse

from evaluation.figures import aggregates, multisite
from pilotage.models import Action, Meeting
from sites.models import Site
from tests.dashboards.factories import MeetingFactory
from tests.dashboards.test_cached_pages import _meetings_cell, _page
from tests.dashboards.test_site_table_versions import _table
from tests.fragments import empty_cache
from tests.pilotage.factories import ActionFactory
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes, meeting_row
from tests.pilotage.test_meetings import meeting_data
from tests.sites.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db

NATIONAL = reverse("dashboards:national")
NETWORK = reverse("dashboards:network", args=["fcsf"])


@pytest.fixture
def rows_computed(monkeypatch):
    """The ids of the sites whose row had its figures computed while the test runs."""
    computed = []
    compute = multisite.with_figures

    def counting(sites, **kwargs):
        computed.extend(site.pk for site in sites)
        return compute(sites, **kwargs)

    monkeypatch.setattr(multisite, "with_figures", counting)
    return computed


def _row(page: str, name: str) -> str:
    body = page[page.index('<table class="site-table">') :]
    return next(r for r in body.split("<tr>")[1:] if f">{name}</a></th>" in r)


def _fresh(client, url) -> str:
    empty_cache()
    return _page(client, url)


def _check() -> tuple[int, str]:
    """check_figures, the overview figures' documented lag allowed (the table's rows have none)."""
    out = StringIO()
    try:
        call_command("check_figures", "--allow-lag", stdout=out, stderr=StringIO())
    except SystemExit as exit_status:
        return exit_status.code, out.getvalue()
    return 0, out.getvalue()


def test_a_write_on_one_site_of_the_page_computes_that_row_alone(
    client, national_team, facilitator, marseille, tourcoing, rows_computed
):
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    first = _page(client, NATIONAL)
    assert {marseille.pk, tourcoing.pk} <= set(rows_computed)
    tourcoing_row = _row(first, tourcoing.name)
    meetings = int(_meetings_cell(first, marseille.name))

    # The meeting form, as Marseille's facilitator saves it.
    rows_computed.clear()
    writer = Client()
    writer.force_login(facilitator)
    assert (
        writer.post(reverse("pilotage:meeting_create", args=["marseille"]), meeting_data()).status_code == 302
    )
    page = _page(client, NATIONAL)
    assert rows_computed == [marseille.pk]
    assert int(_meetings_cell(page, marseille.name)) == meetings + 1
    assert _row(page, tourcoing.name) == tourcoing_row

    # A queryset update on Tourcoing (no signal, the database triggers only).
    rows_computed.clear()
    Meeting.objects.filter(pk=MeetingFactory(site=tourcoing).pk).update(
        date=F("date") - datetime.timedelta(days=1)
    )
    page = _page(client, NATIONAL)
    assert rows_computed == [tourcoing.pk]
    assert int(_meetings_cell(page, marseille.name)) == meetings + 1

    # Two meetings imported from a spreadsheet on Marseille.
    rows_computed.clear()
    preview = writer.post(
        reverse("imports:import_start", args=["marseille"]),
        {
            "kind": "reunions",
            "file": SimpleUploadedFile(
                "historique.csv", csv_bytes([MEETING_HEADER, meeting_row(1), meeting_row(2)])
            ),
        },
    )
    writer.post(reverse("imports:import_confirm", args=["marseille"]), {"token": preview.context["token"]})
    page = _page(client, NATIONAL)
    assert rows_computed == [marseille.pk]
    assert int(_meetings_cell(page, marseille.name)) == meetings + 3
    assert _table(_fresh(client, NATIONAL)) == _table(page)


def test_a_row_is_shared_by_the_national_and_the_network_tables(
    client, national_team, network_coordinator, marseille, rows_computed
):
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    _page(client, NATIONAL)
    rows_computed.clear()
    client.force_login(network_coordinator)
    page = _page(client, NETWORK)
    assert marseille.name in page
    assert rows_computed == []
    assert _table(_fresh(client, NETWORK)) == _table(page)


def test_a_page_whose_rows_are_kept_reads_them_in_a_fixed_number_of_queries(
    client, national_team, marseille, tourcoing, django_assert_max_num_queries
):
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    _page(client, NATIONAL)
    with django_assert_max_num_queries(5):  # a hit: versions read, nothing computed
        _page(client, NATIONAL)
    MeetingFactory(site=marseille)
    MeetingFactory(site=tourcoing)
    aggregates.refresh_all_stale()
    # The two rows computed again: three queries for both (figures, FTE, attention), not per row.
    with django_assert_max_num_queries(8):
        _page(client, NATIONAL)


def _writes(site):
    """Writes of several kinds on a site the page shows, each followed by a read of the page."""
    yield "a meeting", lambda: MeetingFactory(site=site, title="Réunion de quartier")
    yield (
        "a bulk update",
        lambda: Meeting.objects.filter(site=site).update(date=F("date") - datetime.timedelta(days=1)),
    )
    yield "an action", lambda: ActionFactory(site=site, title="Jardin partagé")
    yield "an action done", lambda: Action.objects.filter(site=site).update(status=Action.Status.DONE)
    yield (
        "a facilitator in post",
        lambda: FacilitatorAssignmentFactory(site=site, fte=Decimal("0.6"), end_date=None),
    )
    yield "a meeting deleted", lambda: Meeting.objects.filter(site=site).order_by("pk")[:1].get().delete()


@pytest.mark.parametrize(
    ("reader", "url", "slug"),
    [
        ("national_team", NATIONAL, "marseille"),
        ("network_coordinator", NETWORK, "marseille"),
        ("prefet_delegate", reverse("dashboards:my_sites"), "tourcoing"),
    ],
)
def test_after_each_write_the_served_table_equals_a_fresh_one(client, request, reader, url, slug):
    site = Site.objects.get(slug=slug)
    MeetingFactory(site=site, title="Première réunion")
    aggregates.refresh_all_stale()
    client.force_login(request.getfixturevalue(reader))
    for what, write in _writes(site):
        _page(client, url)
        write()
        served = _page(client, url)
        assert _page(client, url) == served, what
        assert _check() == (0, "Aucune différence : chaque chiffre correspond aux données.\n"), what
        assert _table(_fresh(client, url)) == _table(served), what


def test_markup_and_quotes_in_a_site_name_are_escaped_in_a_kept_row(
    client, national_team, network_coordinator, marseille, rows_computed
):
    Site.objects.filter(pk=marseille.pk).update(name='<b onmouseover="alert(1)">Frais</b> & l\'Étang')
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    _page(client, NATIONAL)
    rows_computed.clear()
    client.force_login(network_coordinator)
    page = _page(client, NETWORK)  # another table: Marseille's row served as kept
    assert rows_computed == []
    assert "&lt;b onmouseover=&#34;alert(1)&#34;&gt;Frais&lt;/b&gt; &amp; l&#39;Étang" in page
    assert "<b onmouseover" not in page


def test_a_row_computed_again_has_the_figures_the_table_computes(marseille, tourcoing):
    """The rows computed one by one read the table's queries compiled once per number of sites:
    each site, alone or with another, gets its own figures, not the first one's."""
    FacilitatorAssignmentFactory(site=marseille, fte=Decimal("0.6"), end_date=None)
    MeetingFactory(site=tourcoing, title="Réunion de quartier")
    aggregates.refresh_all_stale()
    period = multisite.SitePeriod.default()
    everyone = Site.objects.all()
    table = multisite.site_table(sites=everyone, period=period, exact=True)
    names = ("fte", *multisite.FIGURES, "attention")
    expected = {site.pk: {name: getattr(site, name) for name in names} for site in table.rows}
    assert len({repr(figures) for figures in expected.values()}) > 1
    shown = multisite.table_state(sites=everyone, period=period).window.sites
    for chosen in ([site] for site in shown):
        computed = multisite.with_figures(chosen, period=period)
        assert {s.pk: {name: getattr(s, name) for name in names} for s in computed} == {
            s.pk: expected[s.pk] for s in chosen
        }
    for first, second in zip(shown, shown[1:], strict=False):
        computed = multisite.with_figures([first, second], period=period)
        assert [{name: getattr(s, name) for name in names} for s in computed] == [
            expected[first.pk],
            expected[second.pk],
        ]
