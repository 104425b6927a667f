"""A control character typed into a query string never reaches a page: pages that show back what
was asked (the search box, a filter's refusal) would put it into HTML, which forbids it
(atc.middleware.QueryControlCharactersMiddleware)."""

import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (reverse("search:results"), "q"),
        (reverse("pilotage:meeting_list", args=["marseille"]), "kind"),
        (reverse("dashboards:national"), "region"),
    ],
)
def test_the_value_asked_is_kept_without_its_control_characters(client, national_team, url, name):
    client.force_login(national_team)
    response = client.get(url, {name: f"sto{CONTROLS}ck <b>x</b>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert not any(character in page for character in CONTROLS)
    assert "<b>x</b>" not in page
    if name != "region":  # the national filters drop an unknown region without showing it
        assert "stock &lt;b&gt;x&lt;/b&gt;" in page or html.escape("stock <b>x</b>") in page


def test_a_query_without_control_characters_is_read_as_sent(client, national_team):
    client.force_login(national_team)
    page = client.get(reverse("search:results"), {"q": "stock\talimentaire"}).content.decode()
    assert "stock\talimentaire" in page or "stock alimentaire" in page
