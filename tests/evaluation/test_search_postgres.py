"""What only PostgreSQL's full-text search does: French stemming, accents folded by the
`french_unaccent` configuration, ts_headline's marks, and every kind's query reading its GIN index."""

import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from evaluation.search import documents
from evaluation.search.services import KINDS, postgres_matches
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search only"),
]


def _found(client, user, query):
    client.force_login(user)
    page = client.get(reverse("search:results"), {"q": query}).content.decode()
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_french_stemming_finds_plural_and_other_forms(client, facilitator, marseille):
    MeetingFactory(site=marseille, title="Stock alimentaire partagé")
    ActionFactory(site=marseille, title="Accompagner les habitantes")
    assert "Stock alimentaire partagé" in _found(client, facilitator, "stocks alimentaires")
    assert "Accompagner les habitantes" in _found(client, facilitator, "accompagnement habitante")


def test_the_configuration_folds_accents(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector(%s, 'Réunion à l''épicerie') @@ websearch_to_tsquery(%s, 'reunion EPICERIE')",
            [documents.CONFIG, documents.CONFIG],
        )
        assert cursor.fetchone()[0] is True


def test_matches_are_marked_by_ts_headline(client, facilitator, marseille):
    MeetingFactory(
        site=marseille, title="Atelier", minutes="Long compte rendu. " * 30 + "Le potager est planté."
    )
    client.force_login(facilitator)
    page = client.get(reverse("search:results"), {"q": "potager"}).content.decode()
    assert "<mark>potager</mark>" in page
    # Only a fragment around the match, not the whole minutes.
    assert page.count("Long compte rendu") < 30


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_every_kind_reads_its_gin_index(national_team, kind):
    """The query repeats the indexed expression exactly (else PostgreSQL reads every row). Without
    a site filter (the national team), and with sequential scans priced out as on a large table."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = postgres_matches(kind, national_team, "stock alimentaire").explain()
    assert kind.document.index in plan, plan
