"""A person's scope is read once and cached (atc.permissions.access_of): every change to a role must
still apply on the very next request, on whichever server process answers it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from atc.models import Role
from sites.models import Network

pytestmark = pytest.mark.django_db


def _site_home(client, slug):
    return client.get(reverse("sites:site_home", args=[slug]))


def _warm(client):
    """Two pages, so that the person's scope is surely in the cache before the change."""
    client.get(reverse("home"))
    client.get(reverse("home"))


def test_a_site_removed_from_a_role_is_out_of_reach_on_the_next_request(client, facilitator, marseille):
    client.force_login(facilitator)
    _warm(client)
    assert _site_home(client, "marseille").status_code == 200
    facilitator.roles.get().sites.remove(marseille)
    assert _site_home(client, "marseille").status_code == 404


def test_a_site_added_to_a_role_is_readable_and_writable_at_once(client, facilitator, grenoble):
    client.force_login(facilitator)
    _warm(client)
    assert _site_home(client, "grenoble").status_code == 404
    facilitator.roles.get().sites.add(grenoble)
    page = _site_home(client, "grenoble")
    assert page.status_code == 200
    assert "Saisir une réunion" in page.content.decode()


def test_an_ended_role_stops_access_and_leaves_the_header(client, facilitator):
    client.force_login(facilitator)
    _warm(client)
    assert "Animateur·rice territorial·e" in _site_home(client, "marseille").content.decode()
    role = facilitator.roles.get()
    role.start_date = timezone.localdate() - datetime.timedelta(days=30)
    role.end_date = timezone.localdate() - datetime.timedelta(days=1)
    role.save()
    assert _site_home(client, "marseille").status_code == 404
    assert "Aucun rôle actif" in client.get(reverse("home")).content.decode()


def test_a_deleted_role_takes_the_national_pages_away(client, national_team):
    client.force_login(national_team)
    _warm(client)
    assert client.get(reverse("dashboards:national")).status_code == 200
    national_team.roles.all().delete()
    assert client.get(reverse("dashboards:national")).status_code == 403


def test_a_new_network_role_opens_that_network_only(client, outsider):
    client.force_login(outsider)
    _warm(client)
    assert _site_home(client, "marseille").status_code == 404
    Role.objects.create(
        user=outsider, kind=Role.Kind.NETWORK_COORDINATOR, network=Network.objects.get(code="fcsf")
    )
    page = client.get(reverse("home")).content.decode()
    assert "Coordination de tête de réseau" in page
    assert reverse("dashboards:network", args=["fcsf"]) in page


def test_two_people_never_share_a_cached_scope(client, facilitator, prefet_delegate):
    client.force_login(facilitator)
    _warm(client)
    assert _site_home(client, "marseille").status_code == 200
    client.force_login(prefet_delegate)
    assert _site_home(client, "marseille").status_code == 404
    assert _site_home(client, "tourcoing").status_code == 200
