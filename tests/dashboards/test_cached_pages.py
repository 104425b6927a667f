"""The site dashboard and the site tables as kept fragments: what a reader sees after any write is
what a fresh rendering shows, a page served from the cache equals the page rendered on an empty
cache, and a reader with other rights never gets another reader's fragment."""

import html
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from atc.models import User
from evaluation.figures.aggregates import refresh_all_stale
from pilotage.models import AvoidedCostClaim, Meeting
from sites.comments.services import comment_create, comment_reply
from sites.francemap import MapPoint, france_map
from sites.models import ReviewComment, ReviewReply, Site
from tests.conftest import _clear_cache
from tests.dashboards.factories import MeetingFactory
from tests.pilotage.factories import ActionFactory, ClaimFactory
from tests.pilotage.test_ledger import _post
from tests.surveys.factories import CampaignFactory, QuestionFactory

pytestmark = pytest.mark.django_db

SITE = "marseille"
SVG = "{http://www.w3.org/2000/svg}"


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # A CSRF token is masked afresh on every rendering: not a difference a reader sees.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _plain(text: str) -> str:
    return " ".join(html.unescape(text).replace("\u00a0", " ").replace("\u202f", " ").split())


def _site_url():
    return reverse("dashboards:site", args=[SITE])


@pytest.fixture
def marseille_action(marseille):
    return ActionFactory(site=marseille, title="Médiation locative partagée")


# --- The site dashboard: avoided costs and crossed readings kept with the figures ---------------


def test_the_site_dashboard_served_from_the_cache_equals_a_fresh_rendering(
    client, national_team, marseille, marseille_action
):
    ClaimFactory(site=marseille, action=marseille_action, description="Nuitées évitées")
    client.force_login(national_team)
    refresh_all_stale()
    _clear_cache()
    fresh = _page(client, _site_url())
    assert _page(client, _site_url()) == fresh
    assert "Nuitées évitées" in fresh


def test_a_claim_saved_by_the_form_edited_in_bulk_and_deleted_shows_on_the_next_read(
    client, facilitator, marseille, marseille_action
):
    client.force_login(facilitator)
    assert "Expulsions locatives évitées" not in _page(client, _site_url())
    create = reverse("ledger:claim_create", args=[SITE, marseille_action.pk])
    assert client.post(create, _post(marseille_action)).status_code == 302
    assert "Expulsions locatives évitées" in _page(client, _site_url())

    AvoidedCostClaim.objects.filter(site=marseille).update(amount=Decimal("27000"))
    assert "27 000 €" in _plain(_page(client, _site_url()))

    AvoidedCostClaim.objects.filter(site=marseille).delete()
    page = _page(client, _site_url())
    assert "Expulsions locatives évitées" not in page
    assert "Aucun coût évité ni effet levier enregistré." in _plain(page)


def test_a_crossed_readings_campaign_and_its_new_title_show_on_the_next_read(client, facilitator, marseille):
    client.force_login(facilitator)
    assert "Regards croisés" not in _page(client, _site_url())
    question = QuestionFactory(
        questionnaire__site=marseille, questionnaire__template="crossed_readings", kind="long_text"
    )
    campaign = CampaignFactory(questionnaire=question.questionnaire, site=marseille, title="Lecture 2024")
    page = _plain(_page(client, _site_url()))
    assert "Regards croisés" in page and "Lecture 2024" in page
    type(campaign).objects.filter(pk=campaign.pk).update(title="Lecture de printemps")
    assert "Lecture de printemps" in _plain(_page(client, _site_url()))


def test_the_comment_form_stays_outside_the_kept_figures(
    client, facilitator, prefet_delegate, marseille, national_team
):
    # The national team may comment, the facilitator may not: each gets the form, or not, whoever
    # rendered the figures first.
    client.force_login(national_team)
    assert "Enregistrer le commentaire" in _page(client, _site_url())
    client.force_login(facilitator)
    assert "Enregistrer le commentaire" not in _page(client, _site_url())
    client.force_login(national_team)
    assert "Enregistrer le commentaire" in _page(client, _site_url())


# --- The site tables: the rows are a fragment kept under the data version -----------------------


def _row(page: str, name: str) -> str:
    """The text of a site's row in the site table."""
    body = page[page.index('<table class="site-table">') :]
    body = body[: body.index("</table>")]
    for row in body.split("<tr>")[1:]:
        if f">{name}</a></th>" in row:
            return _plain(re.sub(r"<[^>]+>", " ", row))
    raise AssertionError(f"{name} not in the table")


def _meetings_cell(page: str, name: str) -> str:
    # Site, points d'attention, network, region, FTE, then the meetings of the period.
    body = page[page.index('<table class="site-table">') :]
    row = next(r for r in body.split("<tr>")[1:] if f">{name}</a></th>" in r)
    return re.findall(r"<td[^>]*>(.*?)</td>", row)[4]


def test_the_national_table_served_from_the_cache_equals_a_fresh_rendering(client, national_team):
    client.force_login(national_team)
    url = reverse("dashboards:national") + "?tri=-attention"
    refresh_all_stale()  # else the first reading says some sites are being rebuilt
    _clear_cache()
    fresh = _page(client, url)
    assert _page(client, url) == fresh
    assert fresh.count('id="tableau-sites"') == 1


@pytest.mark.parametrize("write", ["form", "bulk update", "delete"])
def test_a_meeting_written_any_way_changes_the_national_table_on_the_next_read(
    client, national_team, marseille, write, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    url = reverse("dashboards:national")
    meeting = MeetingFactory(site=marseille, title="Réunion de quartier")
    before = int(_meetings_cell(_page(client, url), marseille.name))
    if write == "form":
        MeetingFactory(site=marseille, title="Une de plus")
        expected = before + 1
    elif write == "bulk update":
        # Moved before the experiment: it leaves the period.
        Meeting.objects.filter(pk=meeting.pk).update(date=meeting.date.replace(year=2010))
        expected = before - 1
    else:
        Meeting.objects.filter(pk=meeting.pk).delete()
        expected = before - 1
    assert int(_meetings_cell(_page(client, url), marseille.name)) == expected


def test_a_renamed_site_shows_in_the_kept_table(client, national_team, marseille):
    client.force_login(national_team)
    url = reverse("dashboards:national")
    _page(client, url)
    Site.objects.filter(pk=marseille.pk).update(name="Marseille Nord-Est")
    assert "Marseille Nord-Est" in _row(_page(client, url), "Marseille Nord-Est")


def test_a_delegate_never_gets_the_national_teams_table(client, national_team, prefet_delegate):
    client.force_login(national_team)
    everyone = _page(client, reverse("dashboards:my_sites"))
    assert "15 sites" in everyone
    client.force_login(prefet_delegate)
    mine = _page(client, reverse("dashboards:my_sites"))
    assert "3 sites" in mine and "Marseille" not in mine


def test_mes_sites_and_the_national_table_keep_their_own_export_links(client, national_team):
    client.force_login(national_team)
    national = _page(client, reverse("dashboards:national"))
    mine = _page(client, reverse("dashboards:my_sites"))
    assert reverse("dashboards:national_export", args=["csv"]) in national
    assert reverse("dashboards:my_sites_export", args=["csv"]) in mine
    assert reverse("dashboards:national_export", args=["csv"]) not in mine


def test_the_attention_points_come_right_after_the_sites_name_and_still_sort(client, national_team):
    client.force_login(national_team)
    page = _page(client, reverse("dashboards:national") + "?tri=-attention")
    head = page[page.index('<table class="site-table">') :]
    head = head[: head.index("</thead>")]
    headers = [
        _plain(re.sub(r"<[^>]+>", " ", h)) for h in re.findall(r"<th scope=\"col\".*?</th>", head, re.S)
    ]
    assert headers[0] == "Site"
    assert headers[1].startswith("Points d'attention")
    assert 'aria-sort="descending"' in head.split("</th>")[1]


# --- The national map stays light ----------------------------------------------------------------


def test_a_map_of_many_sites_draws_one_path_per_region_and_keeps_its_text_alternative():
    points = [
        MapPoint(f"Site {n}", 43.3 + n / 100, 5.4, "13", "Provence-Alpes-Côte d'Azur") for n in range(80)
    ]
    points.append(MapPoint("Fort-de-France", 14.6, -61.07, "972", "Martinique"))
    chart = france_map(title="Carte des sites", points=points)
    root = ET.fromstring(str(chart.svg))
    assert not list(root.iter(f"{SVG}circle"))
    dots = {
        p.get("data-region"): int(p.get("data-dots")) for p in root.iter(f"{SVG}path") if p.get("data-dots")
    }
    assert dots == {"metropole": 80, "martinique": 1}
    assert len(list(root.iter())) < 30
    assert chart.summary == "81 sites sur la carte, dans 2 régions."
    assert root.find(f"{SVG}desc").text == chart.summary
    assert ["Martinique", "1"] in chart.table.rows


# --- The site dashboard's comment threads: kept with the site's data, rights per reader ----------


def test_a_comment_edited_in_bulk_a_deleted_reply_and_a_renamed_author_show_on_the_next_read(
    client, facilitator, marseille, national_team
):
    comment = comment_create(site=marseille, author=national_team, body="Où en est le diagnostic ?")
    reply = comment_reply(comment=comment, user=facilitator, body="Il sera prêt en mars.")
    client.force_login(facilitator)
    page = _plain(_page(client, _site_url()))
    assert "Où en est le diagnostic ?" in page and "Il sera prêt en mars." in page

    ReviewComment.objects.filter(pk=comment.pk).update(body="Où en est le diagnostic partagé ?")
    assert "Où en est le diagnostic partagé ?" in _plain(_page(client, _site_url()))

    ReviewReply.objects.filter(pk=reply.pk).delete()
    assert "Il sera prêt en mars." not in _plain(_page(client, _site_url()))

    User.objects.filter(pk=national_team.pk).update(first_name="Renommée", last_name="Nationale")
    assert "Renommée" in _plain(_page(client, _site_url()))


def test_each_reader_gets_their_own_buttons_on_the_kept_threads(
    client, facilitator, network_coordinator, marseille, national_team
):
    comment_create(site=marseille, author=national_team, body="Pensez au compte rendu du COPIL.")
    client.force_login(facilitator)
    assert "Marquer comme traité" in _page(client, _site_url())
    client.force_login(network_coordinator)
    page = _page(client, _site_url())
    assert "Pensez au compte rendu du COPIL." in page
    assert "Marquer comme traité" not in page


def test_the_table_links_keep_the_filters_sort_and_period_but_not_other_parameters(client, national_team):
    client.force_login(national_team)
    url = (
        reverse("dashboards:national")
        + "?region=Hauts-de-France&tri=-reunions&utm=lettre&periode=annee&annee=2022"
    )
    page = _page(client, url)
    table = page[page.index('id="sites-title"') : page.index("</table>")]
    links = [html.unescape(link) for link in re.findall(r'href="\?([^"]*)"', table)]
    assert links and all("utm" not in link for link in links)
    assert all("region=Hauts-de-France" in link and "annee=2022" in link for link in links)
    # The « Réunions » header, sorted descending, offers the ascending order.
    assert any(link.endswith("tri=reunions") for link in links)
