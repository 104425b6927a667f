"""The national team invites people and manages their roles; nobody else may."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from atc.account_services import invitation_url
from atc.models import Role, User
from sites.models import Network, Site
from sites.people.forms import InviteForm, RoleScopeForm
from tests.atc.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Un-mot-de-passe-choisi-42"


def _invite(client, **overrides):
    data = {
        "email": "Camille.Martin@Example.org",
        "first_name": "Camille",
        "last_name": "Martin",
        "kind": Role.Kind.FACILITATOR,
        "sites": [Site.objects.get(slug="aubenas").pk],
        "start_date": "2024-01-08",
        **overrides,
    }
    return client.post(reverse("person_invite"), data)


@pytest.mark.parametrize(
    "persona", ["facilitator", "host_director", "prefet_delegate", "network_coordinator", "outsider"]
)
@pytest.mark.parametrize("name", ["people", "person_invite"])
def test_only_the_national_team_manages_accounts(client, personas, persona, name):
    client.force_login(personas[persona])
    assert client.get(reverse(name)).status_code == 403


def test_a_non_national_person_cannot_end_a_role(client, facilitator, host_director):
    client.force_login(facilitator)
    role = host_director.roles.get()
    assert client.post(reverse("role_end", args=[role.pk])).status_code == 403
    role.refresh_from_db()
    assert role.end_date is None


def test_the_people_page_lists_everyone_with_their_current_roles(
    client, national_team, facilitator, prefet_delegate, django_assert_max_num_queries
):
    RoleFactory(
        user=facilitator,
        kind=Role.Kind.HOST_DIRECTOR,
        sites=[Site.objects.get(slug="grenoble")],
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    client.force_login(national_team)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("people")).content.decode()
    assert facilitator.email in page
    assert "Animateur·rice territorial·e — Marseille" in page
    assert "Délégué·e du préfet — Grande-Synthe, Roubaix, Tourcoing" in page
    assert "Direction de la structure porteuse" not in page, "ended roles are not current"


def test_the_people_page_query_count_does_not_grow_with_people(
    client, national_team, django_assert_max_num_queries
):
    marseille = Site.objects.get(slug="marseille")
    for _ in range(20):
        RoleFactory(kind=Role.Kind.FACILITATOR, sites=[marseille])
    client.force_login(national_team)
    with django_assert_max_num_queries(14):
        client.get(reverse("people"))


def test_inviting_creates_the_account_and_emails_a_working_set_password_link(
    client, national_team, django_capture_on_commit_callbacks
):
    client.force_login(national_team)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client)
    person = User.objects.get(email="camille.martin@example.org")
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert not person.has_usable_password()
    assert EmailAddress.objects.get(user=person).verified
    role = person.roles.get()
    assert role.kind == Role.Kind.FACILITATOR
    assert list(role.sites.values_list("slug", flat=True)) == ["aubenas"]
    assert role.start_date == datetime.date(2024, 1, 8)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille.martin@example.org"]
    assert message.subject == "[ATC] Votre accès à la plateforme ATC"
    assert "Bonjour Camille Martin" in message.body
    assert "Animateur·rice territorial·e — Aubenas" in message.body
    link = re.search(re.escape(settings.SITE_URL) + r"(/comptes/password/reset/key/\S+)", message.body)[1]

    client.logout()
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    response = client.post(
        reverse("account_login"), {"login": "camille.martin@example.org", "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("home")
    assert "Aubenas" in client.get(reverse("home")).content.decode()


def test_the_invitation_link_works_only_once(client, national_team):
    client.force_login(national_team)
    _invite(client)
    person = User.objects.get(email="camille.martin@example.org")
    link = invitation_url(user=person).removeprefix(settings.SITE_URL)
    client.logout()
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    page = client.get(link, follow=True).content.decode()
    assert "Mauvais jeton" in page or "invalide" in page


def test_inviting_an_existing_email_says_what_to_do(client, national_team, facilitator):
    client.force_login(national_team)
    response = _invite(client, email=facilitator.email.upper())
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse" in response.content.decode()
    assert User.objects.filter(email=facilitator.email).count() == 1


def test_an_invalid_invitation_saves_nothing(client, national_team):
    client.force_login(national_team)
    response = _invite(client, sites=[])
    assert "Cochez au moins un site pour ce rôle." in response.content.decode()
    assert not User.objects.filter(email="camille.martin@example.org").exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("kind", "sites", "network", "errors"),
    [
        (Role.Kind.FACILITATOR, [], None, {"sites"}),
        (Role.Kind.PREFET_DELEGATE, ["roubaix"], "fcsf", {"network"}),
        (Role.Kind.NETWORK_COORDINATOR, [], None, {"network"}),
        (Role.Kind.NETWORK_COORDINATOR, ["marseille"], "fcsf", {"sites"}),
        (Role.Kind.NATIONAL_TEAM, ["marseille"], None, {"sites"}),
        (Role.Kind.ADMIN, [], "bbz", {"network"}),
        (Role.Kind.HOST_DIRECTOR, ["marseille", "aubenas"], None, set()),
        (Role.Kind.NETWORK_COORDINATOR, [], "cnlrq", set()),
        (Role.Kind.NATIONAL_TEAM, [], None, set()),
    ],
)
def test_a_role_scope_must_fit_its_kind(kind, sites, network, errors):
    form = RoleScopeForm(
        {
            "kind": kind,
            "sites": list(Site.objects.filter(slug__in=sites).values_list("pk", flat=True)),
            "network": Network.objects.get(code=network).pk if network else "",
            "start_date": "2024-01-08",
        }
    )
    assert not form.is_valid() if errors else form.is_valid()
    assert set(form.errors) == errors


def test_the_invitation_form_offers_the_administrator_role_to_superusers_only(client, national_team):
    client.force_login(national_team)
    assert 'value="admin"' not in client.get(reverse("person_invite")).content.decode()
    response = _invite(client, kind=Role.Kind.ADMIN, sites=[])
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert InviteForm().fields["kind"].choices[-1][0] == Role.Kind.ADMIN


def test_the_national_team_adds_a_role_to_a_person(client, national_team, facilitator):
    client.force_login(national_team)
    response = client.post(
        reverse("person_role_add", args=[facilitator.pk]),
        {
            "kind": Role.Kind.NETWORK_COORDINATOR,
            "network": Network.objects.get(code="bbz").pk,
            "start_date": "2024-02-01",
        },
    )
    assert response["Location"] == reverse("person_detail", args=[facilitator.pk])
    assert set(facilitator.roles.values_list("kind", flat=True)) == {
        Role.Kind.FACILITATOR,
        Role.Kind.NETWORK_COORDINATOR,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Coordination de tête de réseau — BBZ" in page


def test_ending_a_role_keeps_it_in_the_tenure_history(client, national_team, facilitator):
    role = facilitator.roles.get()
    role.start_date = datetime.date(2020, 1, 6)
    role.save()
    client.force_login(national_team)
    response = client.post(reverse("role_end", args=[role.pk]))
    assert response["Location"] == reverse("person_detail", args=[facilitator.pk])
    role.refresh_from_db()
    assert role.end_date == timezone.localdate()
    page = client.get(response["Location"]).content.decode()
    assert "Rôles terminés" in page
    assert "06/01/2020" in page

    client.force_login(facilitator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not facilitator.roles.current(tomorrow).exists()


def test_ending_a_role_that_has_not_started_removes_it(client, national_team, facilitator):
    future = RoleFactory(
        user=facilitator,
        kind=Role.Kind.HOST_DIRECTOR,
        sites=[Site.objects.get(slug="marseille")],
        start_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    client.force_login(national_team)
    client.post(reverse("role_end", args=[future.pk]))
    assert not Role.objects.filter(pk=future.pk).exists()


def test_only_a_superuser_ends_an_administrator_role(client, national_team):
    admin_role = RoleFactory(kind=Role.Kind.ADMIN)
    client.force_login(national_team)
    assert client.post(reverse("role_end", args=[admin_role.pk])).status_code == 403
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.post(reverse("role_end", args=[admin_role.pk])).status_code == 302


def test_an_unknown_person_is_a_404(client, national_team):
    client.force_login(national_team)
    assert client.get(reverse("person_detail", args=[987654])).status_code == 404
    assert client.post(reverse("role_end", args=[987654])).status_code == 404


def test_the_person_page_query_count_does_not_grow_with_roles(
    client, national_team, facilitator, django_assert_max_num_queries
):
    for site in Site.objects.all()[:6]:
        RoleFactory(user=facilitator, kind=Role.Kind.HOST_DIRECTOR, sites=[site])
    client.force_login(national_team)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("person_detail", args=[facilitator.pk]))
    assert response.status_code == 200
