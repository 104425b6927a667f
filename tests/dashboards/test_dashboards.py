"""The dashboards as their readers see them: figures, access, comments, exports, map, query counts."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from diagnostics.models import Diagnostic
from evaluation.figures import multisite
from evaluation.figures import site as site_figures
from evaluation.figures.aggregates import refresh_all_stale
from sites.francemap import MapPoint, france_map
from sites.models import ReviewComment, Site
from tests.conftest import NORD, _clear_cache
from tests.dashboards.factories import (
    ActionFactory,
    CommitteeMemberFactory,
    FacilitatorAssignmentFactory,
    MeetingFactory,
    PartnerOrganisationFactory,
)

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"


def _fill(site, meetings, commit):
    """A site with a facilitator, partners, steering and other meetings, and actions."""
    partners = [PartnerOrganisationFactory(site=site, state=True), PartnerOrganisationFactory(site=site)]
    with commit(execute=True):
        FacilitatorAssignmentFactory(site=site, person_name=f"Animatrice {site.slug}")
        CommitteeMemberFactory(committee__site=site, organisation=partners[0])
        for index in range(meetings):
            meeting = MeetingFactory(
                site=site, steering=index % 3 == 0, date=D(2021, 1, 4) + datetime.timedelta(days=20 * index)
            )
            meeting.organisations.set(partners)
            ActionFactory(site=site, start_date=D(2021, 2, 1), partners=partners)
    return partners


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboards:site", args=["marseille"]),
        reverse("dashboards:cooperation", args=["marseille"]),
        reverse("dashboards:national"),
        reverse("dashboards:network", args=["fcsf"]),
        reverse("dashboards:my_sites"),
        reverse("dashboards:national_export", args=["xlsx"]),
    ],
)
def test_query_count_does_not_grow_with_the_data(
    client, national_team, marseille, grenoble, url, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    client.get(reverse("home"))  # the session's idle expiry is pushed once a minute: not counted
    _fill(marseille, 2, django_capture_on_commit_callbacks)
    # The first read after a write also rebuilds the written sites' pre-aggregates (a fixed number
    # of queries per site, bench/RESULTS.md); the pin is on reading fresh figures.
    refresh_all_stale()
    _clear_cache()  # both counts on a cold cache: every figure computed
    small = _count(client, url)
    _fill(marseille, 12, django_capture_on_commit_callbacks)
    _fill(grenoble, 12, django_capture_on_commit_callbacks)
    refresh_all_stale()
    _clear_cache()
    assert _count(client, url) == small
    assert small <= 30


def test_site_dashboard_shows_facilitation_steering_and_actions(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    _fill(marseille, 6, django_capture_on_commit_callbacks)
    client.force_login(national_team)
    response = client.get(reverse("dashboards:site", args=["marseille"]))
    page = response.content.decode()
    assert "Animatrice marseille" in page
    assert "Composition de l&#x27;instance de pilotage par catégorie" in page
    assert "Voir les données du graphique" in page
    assert response.context["dash"].steering.meetings_held == 2
    assert response.context["dash"].actions_total == 6


def test_creating_editing_and_deleting_a_meeting_changes_the_national_figure(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    url = reverse("dashboards:national") + "?tri=-pilotage"

    def steering_of_marseille():
        rows = client.get(url).context["table"].rows
        return next(s.steering for s in rows if s.slug == "marseille")

    assert steering_of_marseille() == 0
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory(site=marseille, steering=True, date=D(2021, 3, 1))
    assert steering_of_marseille() == 1
    with django_capture_on_commit_callbacks(execute=True):
        meeting.kind = "partners_workshop"
        meeting.save()
    assert steering_of_marseille() == 0
    with django_capture_on_commit_callbacks(execute=True):
        meeting.kind = "steering"
        meeting.save()
    assert steering_of_marseille() == 1
    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()
    assert steering_of_marseille() == 0


def test_an_action_changes_the_site_table(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    with django_capture_on_commit_callbacks(execute=True):
        action = ActionFactory(site=marseille, start_date=D(2021, 2, 1), residents_reached=40)
    row = multisite.site_table(
        sites=Site.objects.filter(slug="marseille"), period=multisite.SitePeriod()
    ).rows[0]
    assert (row.actions_count, row.reached) == (1, 40)
    with django_capture_on_commit_callbacks(execute=True):
        action.residents_reached = 55
        action.save()
    row = multisite.site_table(
        sites=Site.objects.filter(slug="marseille"), period=multisite.SitePeriod()
    ).rows[0]
    assert row.reached == 55


def test_delegate_sees_their_three_sites_only(client, prefet_delegate):
    client.force_login(prefet_delegate)
    response = client.get(reverse("dashboards:my_sites"))
    assert sorted(s.slug for s in response.context["table"].rows) == sorted(NORD)
    assert client.get(reverse("dashboards:site", args=["tourcoing"])).status_code == 200
    assert client.get(reverse("dashboards:site", args=["marseille"])).status_code == 404
    assert client.get(reverse("dashboards:national")).status_code == 403


def test_coordinator_sees_their_network_only(client, network_coordinator):
    client.force_login(network_coordinator)
    fcsf = client.get(reverse("dashboards:network", args=["fcsf"])).context["table"]
    assert fcsf.total == 5
    assert client.get(reverse("dashboards:network", args=["cnlrq"])).context["table"].total == 0
    assert client.get(reverse("dashboards:site", args=["grenoble"])).status_code == 404


def test_outsider_gets_404_on_a_site_dashboard(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("dashboards:site", args=["marseille"])).status_code == 404
    assert client.get(reverse("dashboards:cooperation", args=["marseille"])).status_code == 404
    assert client.get(reverse("dashboards:my_sites")).context["table"].total == 0


def test_delegate_leaves_a_dated_comment_the_site_team_reads(client, prefet_delegate, tourcoing):
    client.force_login(prefet_delegate)
    url = reverse("dashboards:site_comment", args=["tourcoing"])
    response = client.post(url, {"body": "Comité utile, à élargir aux habitant·es."})
    assert response.status_code == 302
    comment = ReviewComment.objects.get(site=tourcoing)
    assert comment.author == prefet_delegate
    page = client.get(reverse("dashboards:site", args=["tourcoing"])).content.decode()
    assert "Comité utile, à élargir aux habitant·es." in page
    # The page shows the local (Paris) day, which differs from UTC's for an hour or two each night.
    assert timezone.localtime(comment.created_at).strftime("%d/%m/%Y") in page


def test_an_empty_comment_saves_nothing_and_says_what_to_do(client, prefet_delegate, tourcoing):
    client.force_login(prefet_delegate)
    response = client.post(reverse("dashboards:site_comment", args=["tourcoing"]), {"body": "   "})
    assert response.status_code == 200
    assert not ReviewComment.objects.exists()
    assert (
        "Écrivez votre commentaire" in response.content.decode() or "obligatoire" in response.content.decode()
    )


def test_facilitator_may_not_comment_but_reads_comments(client, facilitator, marseille, national_team):
    ReviewComment.objects.create(site=marseille, author=national_team, body="Beau travail <b>collectif</b>")
    client.force_login(facilitator)
    response = client.post(reverse("dashboards:site_comment", args=["marseille"]), {"body": "Moi aussi"})
    assert response.status_code == 403
    page = client.get(reverse("dashboards:site", args=["marseille"])).content.decode()
    assert "Beau travail &lt;b&gt;collectif&lt;/b&gt;" in page
    assert "Enregistrer le commentaire" not in page


def test_table_is_sorted_filtered_and_paginated(client, national_team):
    client.force_login(national_team)
    url = reverse("dashboards:national")
    rows = client.get(url + "?tri=-nom").context["table"].rows
    assert [s.name for s in rows] == sorted((s.name for s in rows), reverse=True)
    table = client.get(url + "?reseau=bbz").context["table"]
    assert table.total == 5 and {s.network.code for s in table.rows} == {"bbz"}
    table = client.get(url + "?region=Hauts-de-France").context["table"]
    assert {s.slug for s in table.rows} == set(NORD)
    table = multisite.site_table(sites=Site.objects.all(), period=multisite.SitePeriod(), page=2)
    assert table.page == 1 and table.pages == 1


def test_reporting_completeness_ignores_quarters_before_the_start(
    marseille, django_capture_on_commit_callbacks
):
    from evaluation.models import LogbookEntry

    marseille.start_date = D(2021, 4, 1)
    with django_capture_on_commit_callbacks(execute=True):
        marseille.save()
        LogbookEntry.objects.create(
            site=marseille, period_start=D(2021, 4, 1), period_end=D(2021, 6, 30), happened="Lancement"
        )
    period = multisite.SitePeriod(start=D(2021, 1, 1), end=D(2021, 12, 1))
    row = multisite.site_table(sites=Site.objects.filter(pk=marseille.pk), period=period).rows[0]
    assert (row.logbook_filled, row.expected) == (1, 3)


def test_cooperation_map_counts_pairs_and_change_since_diagnostic(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    Diagnostic.objects.create(site=marseille, title="Diagnostic partagé", date=D(2021, 1, 15))
    state, association = _fill(marseille, 4, django_capture_on_commit_callbacks)
    client.force_login(national_team)
    coop = site_figures.cooperation(site=marseille)
    assert coop.pairs == [(association, state, 8)] or coop.pairs == [(state, association, 8)]
    assert coop.cross_pairs == 1
    page = client.get(reverse("dashboards:cooperation", args=["marseille"])).content.decode()
    assert (
        '<strong>1</strong> <span data-figure="partner_pairs">Paires qui ont travaillé ensemble</span>'
        in page
    )
    assert '<strong>1</strong> <span data-figure="cross_sector_pairs">Paires intersectorielles</span>' in page
    assert "Premier diagnostic le 15/01/2021" in page  # the change since the diagnostic is shown
    ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))
    assert state.name in page


def test_site_exports_are_csv_with_bom_and_xlsx(client, national_team, marseille):
    FacilitatorAssignmentFactory(site=marseille, person_name='=HYPERLINK("http://x")')
    client.force_login(national_team)
    response = client.get(reverse("dashboards:site_export", args=["marseille", "animation", "csv"]))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Personne", "Fonction", "ETP"]
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    response = client.get(reverse("dashboards:site_export", args=["marseille", "tout", "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Animation"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s"


def test_national_export_lists_every_site_with_injection_safe_names(client, national_team, marseille):
    marseille.name = "@SUM(1+1)"
    marseille.save()
    client.force_login(national_team)
    response = client.get(reverse("dashboards:national_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 15
    assert "'@SUM(1+1)" in names
    response = client.get(reverse("dashboards:national_export", args=["csv"]))
    assert "'@SUM(1+1)" in response.content.decode("utf-8")


def test_network_export_is_scoped_to_what_the_reader_sees(client, prefet_delegate):
    client.force_login(prefet_delegate)
    response = client.get(reverse("dashboards:network_export", args=["fcsf", "csv"]))
    lines = response.content.decode("utf-8").strip().splitlines()
    assert len(lines) == 2 and "Tourcoing" in lines[1]


def test_map_shows_the_15_sites_and_the_martinique_inset(client, national_team):
    client.force_login(national_team)
    page = client.get(reverse("dashboards:national")).content.decode()
    figure = page[page.index('aria-labelledby="map-title"') :]
    root = ET.fromstring(re.search(r"<svg.*</svg>", figure, re.S).group(0))
    dots = list(root.iter(f"{SVG}circle"))
    assert len(dots) == 15
    assert [d.get("data-region") for d in dots].count("martinique") == 1
    assert any(p.get("data-region") == "martinique" for p in root.iter(f"{SVG}path"))
    assert "Martinique" in [t.text for t in root.iter(f"{SVG}text")]
    summary = re.search(r'<span class="chart-summary">([^<]*)</span>', figure).group(1)
    assert summary.startswith("15 sites sur la carte")


def test_map_keeps_a_far_point_inside_its_inset():
    chart = france_map(title="Carte", points=[MapPoint("Fort-de-France", 14.6, -61.07, "972", "Martinique")])
    dot = next(ET.fromstring(str(chart.svg)).iter(f"{SVG}circle"))
    assert 10 <= float(dot.get("cx")) <= 110 and 106 <= float(dot.get("cy")) <= 192


def test_the_site_figures_are_cached_and_a_new_finding_or_facilitator_shows_at_once(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    from tests.diagnostics.factories import FindingFactory
    from tests.sites.factories import FacilitatorAssignmentFactory

    _fill(marseille, 3, django_capture_on_commit_callbacks)
    client.force_login(national_team)
    url = reverse("dashboards:site", args=["marseille"])
    first = _count(client, url)
    assert _count(client, url) < first  # the second reader gets the rendered figures
    with django_capture_on_commit_callbacks(execute=True):
        FindingFactory(site=marseille, title="Manque de lieux pour les jeunes le soir")
        FacilitatorAssignmentFactory(site=marseille, person_name="Inès Nouvelle-Recrue")
    page = client.get(url).content.decode()
    assert "Inès Nouvelle-Recrue" in page
    assert "Manque de lieux pour les jeunes le soir" in page
    with django_capture_on_commit_callbacks(execute=True):
        ReviewComment.objects.create(site=marseille, author=national_team, body="Point d'étape utile.")
    assert "Point d&#x27;étape utile." in client.get(url).content.decode()


def test_a_write_on_another_site_keeps_this_sites_figures_cached(
    client, national_team, marseille, grenoble, django_capture_on_commit_callbacks
):
    from tests.pilotage.factories import MeetingFactory

    _fill(marseille, 3, django_capture_on_commit_callbacks)
    client.force_login(national_team)
    marseille_url = reverse("dashboards:site", args=["marseille"])
    grenoble_url = reverse("dashboards:site", args=["grenoble"])
    _count(client, marseille_url)
    cached = _count(client, marseille_url)
    _count(client, grenoble_url)
    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(site=grenoble, title="Comité de pilotage de Grenoble", steering=True)
    # Grenoble's figures are rendered again (with the new meeting); Marseille's stay as they were.
    assert _count(client, marseille_url) == cached
    assert _count(client, grenoble_url) > cached
    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(site=marseille, title="Comité de pilotage de Marseille", steering=True)
    assert _count(client, marseille_url) > cached


def test_the_cooperation_figures_are_cached_and_follow_a_new_meeting(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    url = reverse("dashboards:cooperation", args=["marseille"])
    client.get(reverse("home"))  # the session's idle expiry is pushed once a minute: not counted
    _clear_cache()
    first = _count(client, url)
    assert _count(client, url) < first  # the second reader gets the rendered figures
    assert (
        '<strong>0</strong> <span data-figure="partner_pairs">Paires qui ont travaillé ensemble</span>'
        in client.get(url).content.decode()
    )
    _fill(marseille, 2, django_capture_on_commit_callbacks)  # meetings joining two partners
    assert (
        '<strong>1</strong> <span data-figure="partner_pairs">Paires qui ont travaillé ensemble</span>'
        in client.get(url).content.decode()
    )


def test_the_overview_charts_and_map_are_kept_rendered_and_the_map_follows_a_renamed_site(
    client, national_team, marseille, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    url = reverse("dashboards:national")
    client.get(reverse("home"))  # the session's idle expiry is pushed once a minute: not counted
    _clear_cache()
    first = _count(client, url)
    # Charts and map come back rendered: their queries (quarterly totals, the sites' places) go.
    assert _count(client, url) <= first - 2
    with django_capture_on_commit_callbacks(execute=True):
        marseille.name = "Marseille <Nord-Est>"
        marseille.save()
    page = client.get(url).content.decode()
    map_section = page[page.index('aria-labelledby="map-title"') :]
    assert "<title>Marseille &lt;Nord-Est&gt;</title>" in map_section
