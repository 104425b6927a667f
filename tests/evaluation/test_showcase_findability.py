"""Where people find the sheets and the showcase: the library in the main navigation of anyone
holding a role, the public showcase in every page's footer, signed in or not."""

import re

import pytest
from django.urls import reverse

from atc.models import Role
from sites.models import Site
from tests.atc.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _nav(response) -> str:
    match = re.search(r'<nav class="main-nav".*?</nav>', response.content.decode(), re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("kind", [Role.Kind.FACILITATOR, Role.Kind.PREFET_DELEGATE, Role.Kind.NATIONAL_TEAM])
def test_the_library_is_in_the_main_navigation_of_anyone_holding_a_role(client, kind):
    user = UserFactory()
    sites = [] if kind == Role.Kind.NATIONAL_TEAM else [Site.objects.get(slug="marseille")]
    RoleFactory(user=user, kind=kind, sites=sites)
    client.force_login(user)
    nav = _nav(client.get(reverse("home")))
    assert f'href="{reverse("sheets:library")}"' in nav
    assert "Fiches d&#x27;expérience" in nav or "Fiches d'expérience" in nav
    library = _nav(client.get(reverse("sheets:library")))
    assert f'<a href="{reverse("sheets:library")}" aria-current="page"' in library


def test_someone_without_a_role_is_not_offered_the_library(client):
    client.force_login(UserFactory())
    assert reverse("sheets:library") not in _nav(client.get(reverse("home")))


def test_the_footer_links_to_the_public_showcase_signed_in_or_not(client):
    link = f'href="{reverse("showcase:programme")}"'
    login = client.get(reverse("account_login")).content.decode()
    assert link in login.split('class="site-footer"', 1)[1]
    client.force_login(UserFactory())
    home = client.get(reverse("home")).content.decode()
    assert link in home.split('class="site-footer"', 1)[1]
