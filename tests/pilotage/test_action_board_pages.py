"""The action board stays small with thousands of actions: each column shows one page of cards,
its full count, and links to the other pages that work without JavaScript and after an htmx
status change."""

import pytest
from django.urls import reverse

from evaluation.figures import aggregates
from pilotage.models import Action
from tests.pilotage.factories import ActionFactory

pytestmark = pytest.mark.django_db


def _many(site, count, status="idea"):
    Action.objects.bulk_create(
        ActionFactory.build(site=site, status=status, title=f"Action {n:05d}", theme=None)
        for n in range(count)
    )


@pytest.fixture
def small_pages(settings):
    settings.ATC_BOARD_PAGE_SIZE = 10


def test_a_crowded_column_shows_one_page_and_the_whole_count(client, facilitator, marseille, small_pages):
    _many(marseille, 25)
    _many(marseille, 3, status="done")
    client.force_login(facilitator)
    page = client.get(reverse("pilotage:action_board", args=["marseille"])).content.decode()
    assert page.count('class="card action-card"') == 13
    assert "Action 00009" in page and "Action 00010" not in page
    assert '<span class="badge">25</span>' in page and '<span class="badge">3</span>' in page
    assert "Actions 1 à 10 sur 25" in page
    assert 'href="?page_idea=2#column-idea"' in page


def test_the_next_page_of_a_column_keeps_the_other_columns_pages(client, facilitator, marseille, small_pages):
    _many(marseille, 25)
    _many(marseille, 15, status="done")
    client.force_login(facilitator)
    url = reverse("pilotage:action_board", args=["marseille"])
    page = client.get(url, {"page_idea": "3", "page_done": "2"}).content.decode()
    assert "Actions 21 à 25 sur 25" in page and "Action 00024" in page and "Action 00019" not in page
    assert "Actions 11 à 15 sur 15" in page
    assert 'href="?page_idea=2&amp;page_done=2#column-idea"' in page


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999999999999999999", "²"])
def test_an_unreadable_or_too_far_page_shows_a_real_page(client, facilitator, marseille, small_pages, value):
    _many(marseille, 25)
    client.force_login(facilitator)
    response = client.get(reverse("pilotage:action_board", args=["marseille"]), {"page_idea": value})
    assert response.status_code == 200
    assert "sur 25" in response.content.decode()


def test_an_htmx_status_change_returns_the_board_on_the_same_pages(
    client, facilitator, marseille, small_pages
):
    _many(marseille, 25)
    client.force_login(facilitator)
    board = reverse("pilotage:action_board", args=["marseille"])
    moved = Action.objects.get(title="Action 00022")
    response = client.post(
        reverse("pilotage:action_status", args=["marseille", moved.pk]),
        {"status": "running"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{board}?page_idea=3",
    )
    page = response.content.decode()
    assert "Actions 21 à 24 sur 24" in page
    assert '<span class="badge">1</span>' in page and "Action 00022" in page


def test_the_board_query_count_does_not_grow_with_the_actions(
    client, facilitator, marseille, django_assert_max_num_queries
):
    _many(marseille, 400)
    for status in ("preparation", "running", "done", "abandoned"):
        _many(marseille, 60, status=status)
    aggregates.refresh_all_stale()  # as the worker does after the writes
    client.force_login(facilitator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("pilotage:action_board", args=["marseille"]))
    assert response.content.decode().count('class="card action-card"') == 5 * 50
    with django_assert_max_num_queries(4):  # kept under the site's version
        client.get(reverse("pilotage:action_board", args=["marseille"]))
