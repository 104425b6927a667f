"""A person's scope is read once and cached (atc.permissions.access_of): every change to a role must
still apply on the very next request, on whichever server process answers it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atc.account_services import role_end
from atc.models import Role, User
from atc.permissions import access_of, can_write_site
from atc.personal_data import personal_data_erase
from sites.models import Network, Site
from tests.atc.factories import UserFactory

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


# --- A role ends on its end date: every way a role can end denies the very next request ----------


def _warm_facilitator(facilitator):
    """A facilitator's own client, their Marseille scope surely cached before the change."""
    client = Client()
    client.force_login(facilitator)
    _warm(client)
    assert _site_home(client, "marseille").status_code == 200
    return client


def test_a_role_ended_on_the_people_page_denies_the_next_request(facilitator, national_team):
    facilitator_client = _warm_facilitator(facilitator)
    manager = Client()
    manager.force_login(national_team)
    manager.post(reverse("role_end", args=[facilitator.roles.get().pk]))
    assert _site_home(facilitator_client, "marseille").status_code == 404
    assert "Aucun rôle actif" in facilitator_client.get(reverse("home")).content.decode()


def test_a_role_ended_in_the_admin_denies_the_next_request(facilitator, marseille):
    facilitator_client = _warm_facilitator(facilitator)
    role = facilitator.roles.get()
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    today = timezone.localdate()
    response = admin.post(
        reverse("admin:atc_role_change", args=[role.pk]),
        {
            "user": facilitator.pk,
            "kind": role.kind,
            "sites": [marseille.pk],
            "network": "",
            "start_date": f"{role.start_date:%d/%m/%Y}",
            "end_date": f"{today:%d/%m/%Y}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    role.refresh_from_db()
    assert role.end_date == today
    assert _site_home(facilitator_client, "marseille").status_code == 404


def test_a_role_ended_by_the_service_denies_the_next_request(facilitator):
    facilitator_client = _warm_facilitator(facilitator)
    role_end(role=facilitator.roles.get())
    assert _site_home(facilitator_client, "marseille").status_code == 404


@pytest.mark.parametrize("days_ago", [0, 1, 365])
def test_a_role_whose_end_date_is_today_or_past_denies(facilitator, days_ago):
    facilitator_client = _warm_facilitator(facilitator)
    role = facilitator.roles.get()
    role.start_date = timezone.localdate() - datetime.timedelta(days=400)
    role.end_date = timezone.localdate() - datetime.timedelta(days=days_ago)
    role.save()
    assert _site_home(facilitator_client, "marseille").status_code == 404
    assert not can_write_site(facilitator, Site.objects.get(slug="marseille"))


def test_a_role_ended_with_a_queryset_update_denies_the_next_request(facilitator):
    """Erasure and any bulk change write roles without a save per row: the scope must still go."""
    facilitator_client = _warm_facilitator(facilitator)
    facilitator.roles.update(end_date=timezone.localdate())
    assert _site_home(facilitator_client, "marseille").status_code == 404


def test_a_role_whose_end_date_comes_denies_from_that_day(facilitator, monkeypatch):
    role = facilitator.roles.get()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    role.end_date = tomorrow
    role.save()
    facilitator_client = _warm_facilitator(facilitator)
    # The clock moves on to the end date; no one touches the role.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert _site_home(facilitator_client, "marseille").status_code == 404


def test_an_erased_persons_roles_end_and_their_scope_goes(facilitator):
    _warm_facilitator(facilitator)
    assert access_of(User.objects.get(pk=facilitator.pk)).writable_site_ids
    personal_data_erase(user=facilitator)
    fresh = User.objects.get(pk=facilitator.pk)
    assert not fresh.roles.current().exists()
    assert not access_of(fresh).site_ids
