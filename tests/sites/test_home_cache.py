"""The home page's list of sites is kept in a fragment under the sites' version, keyed by the
reader's scope and the page: a site renamed, a neighbourhood linked or renamed and a role given
show on the next read; two readers share an entry only when they see the same sites."""

import pytest
from django.test import Client
from django.urls import reverse

from atc.models import Role
from sites.models import Neighbourhood, Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.fragments import empty_cache, without_tokens

pytestmark = pytest.mark.django_db


def _sites(client, **query) -> str:
    page = client.get(reverse("home"), query).content.decode()
    return page.split('id="sites-title"')[1]


def test_a_hit_shows_what_an_empty_cache_shows(client, facilitator, national_team):
    for user, query in ((facilitator, {}), (national_team, {}), (national_team, {"page": "2"})):
        client.force_login(user)
        client.get(reverse("home"), query)
        empty_cache()
        plain = without_tokens(client.get(reverse("home"), query).content)
        assert without_tokens(client.get(reverse("home"), query).content) == plain


def test_a_site_renamed_or_a_neighbourhood_linked_shows_on_the_next_read(client, facilitator, marseille):
    client.force_login(facilitator)
    assert "Marseille" in _sites(client)
    Site.objects.filter(pk=marseille.pk).update(name="Marseille <b>Nord</b> & « Est »")
    listed = _sites(client)
    assert "Marseille &lt;b&gt;Nord&lt;/b&gt; &amp; « Est »" in listed
    assert "<b>Nord</b>" not in listed
    qpv = Neighbourhood.objects.create(name="Quartier témoin", code_2024="QN99999Z")
    marseille.neighbourhoods.add(qpv)
    assert "QN99999Z" in _sites(client)
    Neighbourhood.objects.filter(pk=qpv.pk).update(code_2024="QN88888Z")
    assert "QN88888Z" in _sites(client)


def test_each_scope_gets_its_own_list_and_a_role_given_shows_at_once(
    client, facilitator, marseille, grenoble
):
    client.force_login(facilitator)
    listed = _sites(client)
    assert "Marseille" in listed and "Grenoble" not in listed
    RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=[grenoble])
    listed = _sites(client)
    assert "Marseille" in listed and "Grenoble" in listed
    other = UserFactory(email="other@example.org")
    RoleFactory(user=other, kind=Role.Kind.FACILITATOR, sites=[grenoble])
    reader = Client()
    reader.force_login(other)
    listed = _sites(reader)
    assert "Grenoble" in listed and "Marseille" not in listed


def test_each_page_gets_its_own_list(client, national_team, monkeypatch):
    monkeypatch.setattr("sites.views.HOME_PAGE_SIZE", 5)  # the 15 demo sites on three pages
    client.force_login(national_team)
    first, second = _sites(client), _sites(client, page="2")
    assert "Page 1 sur 3" in first and "Page 2 sur 3" in second
    names = set(Site.objects.values_list("name", flat=True))
    shown = [{name for name in names if f">{name}</a>" in page} for page in (first, second)]
    assert len(shown[0]) == len(shown[1]) == 5 and not shown[0] & shown[1]
