"""The search page: what each persona finds, on both databases; hostile queries; escaping;
pagination; pinned query counts. PostgreSQL-only behaviour (stemming, the indexes) is in
test_search_postgres.py."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from evaluation.search import services as search_services
from tests.diagnostics.factories import FindingFactory
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import ActionFactory, DecisionFactory, MeetingFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

URL = reverse("search:results")


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _text(page: str) -> str:
    """The page's visible words, marks removed (« <mark>stock</mark> » reads « stock »)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)))


@pytest.fixture
def food_stock(marseille, grenoble, tourcoing):
    """The same words on three sites: only the readers of each may find it."""
    return {
        "marseille_meeting": MeetingFactory(
            site=marseille,
            title="Réunion du collectif d'aide alimentaire",
            agenda="Mise en commun du stock alimentaire des six associations",
            date=datetime.date(2021, 3, 4),
        ),
        "marseille_action": ActionFactory(
            site=marseille, title="Stock alimentaire partagé", description="Un commun entre associations."
        ),
        "grenoble_meeting": MeetingFactory(
            site=grenoble, title="Stock alimentaire de la Villeneuve", date=datetime.date(2021, 5, 6)
        ),
        "grenoble_action": ActionFactory(site=grenoble, title="Stock alimentaire grenoblois"),
        "tourcoing_action": ActionFactory(site=tourcoing, title="Stock alimentaire de la Bourgogne"),
    }


def test_the_marseille_facilitator_finds_marseilles_meeting_and_action_only(client, facilitator, food_stock):
    text = _text(_get(client, facilitator, q="stock alimentaire"))
    assert "Réunion du collectif d'aide alimentaire" in text
    assert "Stock alimentaire partagé" in text
    assert "Villeneuve" not in text and "grenoblois" not in text and "Bourgogne" not in text
    assert "2 résultats pour « stock alimentaire »" in text
    # Grouped by kind, with the site and the date.
    assert "Réunions 1" in text and "Actions 1" in text
    assert "Marseille" in text and "04/03/2021" in text


def test_each_reader_finds_the_sites_they_may_read(
    client, food_stock, prefet_delegate, network_coordinator, national_team, outsider
):
    delegate = _text(_get(client, prefet_delegate, q="stock alimentaire"))
    assert "Bourgogne" in delegate and "partagé" not in delegate and "Villeneuve" not in delegate
    fcsf = _text(_get(client, network_coordinator, q="stock alimentaire"))
    assert "Bourgogne" in fcsf and "partagé" in fcsf and "Villeneuve" not in fcsf
    national = _text(_get(client, national_team, q="stock alimentaire"))
    assert all(word in national for word in ("Bourgogne", "partagé", "Villeneuve", "grenoblois"))
    nobody = _text(_get(client, outsider, q="stock alimentaire"))
    assert "0 résultat" in nobody and "Stock" not in nobody.replace("« stock", "")


def test_results_link_to_the_records_pages(client, facilitator, food_stock):
    html = _get(client, facilitator, q="stock alimentaire")
    meeting, action = food_stock["marseille_meeting"], food_stock["marseille_action"]
    for url in (
        reverse("pilotage:meeting_detail", kwargs={"slug": "marseille", "pk": meeting.pk}),
        reverse("pilotage:action_detail", kwargs={"slug": "marseille", "pk": action.pk}),
    ):
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200


def test_accents_and_case_are_ignored(client, facilitator, marseille):
    MeetingFactory(site=marseille, title="Épicerie solidaire : première réunion")
    assert "Épicerie solidaire" in _text(_get(client, facilitator, q="EPICERIE premiere"))
    assert "Épicerie solidaire" in _text(_get(client, facilitator, q="épicerie"))


def test_every_kind_is_searched(client, facilitator, marseille):
    meeting = MeetingFactory(site=marseille, title="Comité partenarial", minutes="Le jardin partagé avance.")
    DecisionFactory(meeting=meeting, text="Ouvrir le jardin partagé le samedi")
    ActionFactory(site=marseille, title="Chantier", outcomes="Jardin partagé planté")
    FindingFactory(site=marseille, title="Peu d'espaces verts", description="Un jardin partagé est demandé")
    LogbookEntryFactory(site=marseille, happened="Visite du jardin partagé avec le bailleur")
    PartnerOrganisationFactory(site=marseille, name="Association du Jardin partagé")
    text = _text(_get(client, facilitator, q="jardin partagé"))
    for heading in ("Réunions 1", "Décisions 1", "Actions 1", "Constats du diagnostic 1", "Carnet de bord 1"):
        assert heading in text
    assert "Partenaires 1" in text
    assert "Association du Jardin partagé" in text
    assert "Visite du jardin partagé avec le bailleur" in text


def test_a_long_text_is_shown_around_its_match_only(client, facilitator, marseille):
    LogbookEntryFactory(
        site=marseille, happened="Rien à signaler. " * 300 + "Le forum santé a réuni 40 personnes."
    )
    DecisionFactory(
        meeting=MeetingFactory(site=marseille), text="Ordre du jour suivi. " * 90 + "Forum santé en juin."
    )
    text = _text(_get(client, facilitator, q="forum santé"))
    assert "Carnet de bord 1" in text and "Décisions 1" in text
    assert "a réuni 40 personnes" in text and "Forum santé en juin" in text
    assert text.count("Rien à signaler") < 30 and text.count("Ordre du jour suivi") < 30


def test_matched_words_are_marked_and_stored_markup_is_escaped(client, facilitator, marseille):
    MeetingFactory(
        site=marseille,
        title='<script>alert("x")</script> Stock <b>alimentaire</b>',
        agenda="<img src=x onerror=alert(1)> le stock alimentaire du quartier",
    )
    html = _get(client, facilitator, q="stock")
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>alimentaire" not in html
    assert "&lt;script&gt;" in html
    assert re.search(r"<mark>stock</mark>", html, re.IGNORECASE)


@pytest.mark.parametrize(
    "query",
    [
        "stock\x00alimentaire\x1b[31m",
        "!!! ??? ... ;;;",
        "stock & | ! : * ( ) \" ' <-> alimentaire",
        "'stock':* & !(alimentaire | \"",
        '-stock OR "alimentaire',
        "\u202e\ufeffstock",
        "%_%\\",
    ],
)
def test_hostile_queries_never_fail(client, facilitator, food_stock, query):
    html = _get(client, facilitator, q=query)
    assert "Villeneuve" not in html


def test_a_huge_query_gets_a_french_message(client, facilitator, food_stock):
    html = _get(client, facilitator, q="stock " * 2000)
    assert "La recherche est limitée à 200 caractères" in html
    assert "aria-invalid" in html


def test_a_query_of_punctuation_only_finds_nothing_and_says_so(client, facilitator, food_stock):
    assert "Aucun résultat" in _text(_get(client, facilitator, q="?!,;"))


def test_results_are_paginated_per_kind(client, facilitator, marseille):
    for n in range(25):
        MeetingFactory(site=marseille, title=f"Atelier cuisine numéro {n}")
    grouped = _get(client, facilitator, q="cuisine")
    assert grouped.count('class="card search-result"') == 5
    assert "Voir les 25 résultats (réunions)" in _text(grouped)
    first = _get(client, facilitator, q="cuisine", type="reunions")
    second = _get(client, facilitator, q="cuisine", type="reunions", page=2)
    assert first.count('class="card search-result"') == 20
    assert second.count('class="card search-result"') == 5
    assert "Page 2 sur 2" in _text(second)
    assert (
        _get(client, facilitator, q="cuisine", type="reunions", page=99).count('class="card search-result"')
        == 5
    )
    # A type or page that is not one: the form says so, never an error page.
    assert "Sélectionnez un choix valide" in _get(client, facilitator, q="cuisine", type="nimportequoi")
    _get(client, facilitator, q="cuisine", page="-3")


def test_titles_rank_before_bodies(client, facilitator, marseille):
    MeetingFactory(
        site=marseille, title="Point d'étape", agenda="Parler du potager", date=datetime.date(2022, 1, 1)
    )
    MeetingFactory(site=marseille, title="Potager collectif", date=datetime.date(2020, 1, 1))
    text = _text(_get(client, facilitator, q="potager"))
    assert text.index("Potager collectif") < text.index("Point d'étape")


def _search_queries(client, user, django_assert_max_num_queries, **params):
    client.force_login(user)
    client.get(URL, params)  # the scope and the session are cached after the first request
    with django_assert_max_num_queries(16) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["facilitator", "network_coordinator", "national_team"])
def test_the_query_count_does_not_grow_with_the_data(
    client, request, marseille, persona, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)

    def add(first, count):
        for n in range(first, first + count):
            meeting = MeetingFactory(site=marseille, title=f"Forum santé {n}")
            DecisionFactory(meeting=meeting, text="Forum santé reconduit")
            ActionFactory(site=marseille, title=f"Forum santé {n}")
            FindingFactory(site=marseille, title=f"Forum santé attendu {n}")
            LogbookEntryFactory(site=marseille, happened=f"Forum santé {n}")
            PartnerOrganisationFactory(site=marseille, name=f"Forum santé {n}")

    add(0, 1)
    few = _search_queries(client, user, django_assert_max_num_queries, q="forum santé")
    add(1, 25)
    assert _search_queries(client, user, django_assert_max_num_queries, q="forum santé") == few
    assert _search_queries(client, user, django_assert_max_num_queries, q="forum", type="decisions") <= few


def test_the_header_has_one_labelled_search_field_on_every_page(client, facilitator):
    client.force_login(facilitator)
    for url in (reverse("home"), reverse("sites:site_home", kwargs={"slug": "marseille"})):
        html = client.get(url).content.decode()
        assert html.count('role="search"') == 1
        assert '<label for="recherche-entete">' in html and 'id="recherche-entete"' in html
        assert f'action="{URL}"' in html


def test_the_page_says_experience_sheets_are_not_searched_yet(client, facilitator):
    assert "Les fiches d'expérience n'existent pas encore" in _get(client, facilitator)


def test_the_database_in_use(client):
    """Which engine ran this file (so a run on both shows it in the output with -v)."""
    assert connection.vendor in ("sqlite", "postgresql")


def test_beyond_the_count_limit_matches_come_newest_first(client, facilitator, marseille, monkeypatch):
    monkeypatch.setattr(search_services, "COUNT_LIMIT", 3)
    for n in range(5):
        MeetingFactory(site=marseille, title=f"Permanence logement {n}", agenda="logement " * (5 - n))
    text = _text(_get(client, facilitator, q="logement"))
    assert "Plus de 3 résultats pour « logement »" in text
    assert "Réunions plus de 3" in text
    assert "ne sont plus classés par pertinence" in text
    assert (
        text.index("Permanence logement 4")
        < text.index("Permanence logement 3")
        < text.index("Permanence logement 2")
    )
    one_kind = _get(client, facilitator, q="logement", type="reunions")
    assert one_kind.count('class="card search-result"') == 3


def test_the_national_committees_meetings_are_not_site_results(client, national_team):
    """A meeting without a site (the national monitoring committee's) has no site page to link to."""
    MeetingFactory(
        site=None, committee=None, kind="national_committee", title="Comité de suivi national : alimentation"
    )
    MeetingFactory(title="Atelier alimentation")
    text = _text(_get(client, national_team, q="alimentation"))
    assert "Atelier alimentation" in text and "Comité de suivi national" not in text
