"""The page header and the navigations drawn once per set of values (`{% kept %}`,
atc/templatetags/kept.py): a kept rendering is the fresh one, each person sees their own, and any
change to what they show is drawn on the next page."""

import datetime
import re

import pytest
from django.urls import reverse

from atc.models import Role
from atc.notifications.services import notification_read
from atc.templatetags import kept
from tests.atc.factories import NotificationFactory, RoleFactory, UserFactory
from tests.fragments import without_tokens

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'<header class="site-header".*?</header>', re.S)


def _header(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return without_tokens(HEADER.search(response.content.decode()).group(0).encode())


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/sites/marseille/",
        "/sites/marseille/reunions/",
        "/sites/marseille/tableau-de-bord/",
        "/notifications/",
    ],
)
def test_a_kept_header_is_the_header_drawn_fresh(client, facilitator, url):
    client.force_login(facilitator)
    kept.forget_all()
    fresh = _header(client, url)
    assert _header(client, url) == fresh  # served from the kept fragments
    kept.forget_all()
    assert _header(client, url) == fresh


def test_the_current_page_is_marked_in_each_navigation(client, facilitator):
    client.force_login(facilitator)
    meetings = _header(client, "/sites/marseille/reunions/")
    actions = _header(client, reverse("pilotage:action_board", args=["marseille"]))
    assert re.search(r'href="/sites/marseille/reunions/"\s+aria-current="page"', meetings)
    assert not re.search(r'href="/sites/marseille/reunions/"\s+aria-current="page"', actions)
    assert 'aria-current="page">Actions<' in actions
    home = _header(client, "/")
    assert 'aria-current="page">Accueil<' in home and 'aria-current="page">Accueil<' not in actions


def test_two_people_never_see_each_others_header(client, facilitator, prefet_delegate):
    client.force_login(facilitator)
    mine = _header(client, "/sites/marseille/")
    client.force_login(prefet_delegate)
    theirs = _header(client, "/")
    assert str(facilitator) in mine and str(facilitator) not in theirs
    assert str(prefet_delegate) in theirs and "Mes sites" in theirs and "Mes sites" not in mine
    national = UserFactory(email="national2@example.org", first_name="Nadia", last_name="Nationale")
    RoleFactory(user=national, kind=Role.Kind.NATIONAL_TEAM)
    client.force_login(national)
    site_nav = _header(client, "/sites/marseille/")
    assert "Nadia Nationale" in site_nav and "Tableau national" in site_nav
    # The import is offered to the site team only, on the same site's navigation.
    assert "/import/" not in site_nav and "/import/" in mine


def test_a_renamed_person_a_new_role_and_a_read_notification_show_on_the_next_page(client, facilitator):
    notification = NotificationFactory(recipient=facilitator)
    client.force_login(facilitator)
    before = _header(client, "/sites/marseille/")
    assert re.search(r'<span class="badge">1<', before)
    facilitator.first_name, facilitator.last_name = "Renée", "Renommée"
    facilitator.save()
    assert "Renée Renommée" in _header(client, "/sites/marseille/")
    RoleFactory(
        user=facilitator,
        kind=Role.Kind.PREFET_DELEGATE,
        start_date=datetime.date(2020, 1, 1),
        sites=list(facilitator.roles.first().sites.all()),
    )
    assert "Mes sites" in _header(client, "/sites/marseille/")
    notification_read(user=facilitator, notification_id=notification.pk)
    assert "badge" not in _header(client, "/sites/marseille/")


def test_the_sign_out_button_posts_its_form_with_a_token_of_this_page(client, facilitator):
    client.force_login(facilitator)
    client.get("/")  # the header is kept now
    page = client.get("/sites/marseille/").content.decode()
    assert re.search(r'<button type="submit" form="sign-out"', page)
    form = re.search(
        r'<form id="sign-out" method="post" action="([^"]+)"[^>]*>\s*<input[^>]+csrfmiddlewaretoken', page
    )
    assert form and form.group(1) == reverse("account_logout")
    assert client.post(form.group(1)).status_code == 302
    assert client.get("/sites/marseille/").status_code == 302  # signed out


def test_a_fragment_whose_values_cannot_be_keys_is_drawn_every_time():
    from django.template import Context, Template

    page = Template('{% load kept %}{% kept "t" items=items %}{{ items|length }}{% endkept %}')
    kept.forget_all()
    assert page.render(Context({"items": [1, 2]})) == "2"
    assert page.render(Context({"items": [1, 2, 3]})) == "3"
    assert page.render(Context({"items": (1, 2, 3)})) == "3"
    assert len(kept._entries) == 1  # only the hashable tuple was kept


def test_markup_and_control_characters_in_a_name_are_escaped_in_the_kept_header(client, facilitator):
    facilitator.first_name = '<img src=x onerror="alert(1)" hx-get="/x">\x1b'
    facilitator.last_name = "O'Brien & <b>Fils</b>"
    facilitator.save()
    client.force_login(facilitator)
    for _ in range(2):  # drawn, then served as kept
        header = _header(client, "/sites/marseille/")
        assert "<img" not in header and "<b>" not in header and 'hx-get="/x"' not in header
        assert "&lt;img src=x onerror=&quot;alert(1)&quot; hx-get=&quot;/x&quot;&gt;" in header
        assert "O&#x27;Brien &amp; &lt;b&gt;Fils&lt;/b&gt;" in header
