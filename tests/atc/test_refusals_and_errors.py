"""Every refused access leaves one structured line without personal data; error pages are French,
in our layout, and never show a stack trace; the admin manages people and roles."""

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.test import Client
from django.urls import include, path, reverse

from atc.models import Role
from atc.urls import handler500  # noqa: F401 - the platform's own error view, for this URLconf
from sites.models import Network, Site
from tests.atc.factories import UserFactory

pytestmark = pytest.mark.django_db


def _raise_denied(request):
    raise PermissionDenied("raised deep inside a view")


def _raise_missing(request, pk):
    raise Http404("raised deep inside a view")


def _crash(request):
    raise RuntimeError("secret internals")


def _database_away(request):
    # What Django raises for a query while PostgreSQL restarts (seen in the faults script).
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


urlpatterns = [
    path("refus/", _raise_denied),
    path("absent/<int:pk>/", _raise_missing),
    path("panne/", _crash),
    path("base-absente/", _database_away),
    path("", include("atc.urls")),
]


def _access_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "atc.access"]


@pytest.fixture
def with_test_views(settings):
    settings.ROOT_URLCONF = __name__


def test_a_permission_denied_raised_anywhere_is_logged_once(client, facilitator, caplog, with_test_views):
    client.force_login(facilitator)
    with caplog.at_level(logging.WARNING, logger="atc.access"):
        assert client.get("/refus/").status_code == 403
    (line,) = _access_lines(caplog)
    assert line == {
        "event": "access_refused",
        "reason": "forbidden",
        "status": 403,
        "user_id": facilitator.pk,
        "method": "GET",
        "path": "/refus/",
        "object_id": None,
    }


def test_a_404_raised_anywhere_is_logged_with_the_object_id(client, facilitator, caplog, with_test_views):
    client.force_login(facilitator)
    with caplog.at_level(logging.WARNING, logger="atc.access"):
        assert client.get("/absent/42/").status_code == 404
    (line,) = _access_lines(caplog)
    assert line["object_id"] == 42
    assert line["user_id"] == facilitator.pk


def test_a_refusal_by_the_access_rules_is_logged_once_without_personal_data(client, facilitator, caplog):
    client.force_login(facilitator)
    with caplog.at_level(logging.WARNING, logger="atc.access"):
        assert client.get(reverse("sites:site_home", args=["grenoble"])).status_code == 404
        assert client.get(reverse("people")).status_code == 403
    lines = _access_lines(caplog)
    assert [line["reason"] for line in lines] == ["out_of_scope", "not_account_manager"]
    assert all(line["user_id"] == facilitator.pk for line in lines)
    for secret in (facilitator.email, facilitator.first_name, facilitator.last_name):
        assert secret not in caplog.text


def test_the_403_page_is_french_in_our_layout(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("people")).content.decode()
    assert "<h1>Accès refusé</h1>" in page
    assert 'class="site-header"' in page


def test_the_404_page_is_french_in_our_layout(client, facilitator):
    client.force_login(facilitator)
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in response.content.decode()


def test_the_500_page_is_french_without_a_stack_trace(facilitator, with_test_views):
    client = Client(raise_request_exception=False)
    client.force_login(facilitator)
    response = client.get("/panne/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_a_database_outage_answers_503_with_retry_after(facilitator, with_test_views):
    client = Client(raise_request_exception=False)
    client.force_login(facilitator)
    response = client.get("/base-absente/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "<h1>Service momentanément indisponible</h1>" in page
    assert "Réessayez dans quelques secondes" in page
    assert "5432" not in page and "Traceback" not in page


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_admin_lists_people_and_roles_with_their_filters(client, superuser, facilitator):
    client.force_login(superuser)
    users = client.get(reverse("admin:atc_user_changelist")).content.decode()
    assert facilitator.email in users
    roles = client.get(reverse("admin:atc_role_changelist") + "?kind=facilitator")
    assert roles.status_code == 200
    assert str(facilitator) in roles.content.decode()
    assert client.get(reverse("admin:atc_user_change", args=[facilitator.pk])).status_code == 200


def test_an_account_created_in_the_admin_gets_an_invitation(
    client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = {
        "email": "Nouvelle.Personne@example.org",
        "first_name": "Nina",
        "last_name": "Personne",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-kind": Role.Kind.PREFET_DELEGATE,
        "roles-0-sites": [Site.objects.get(slug="roubaix").pk],
        "roles-0-start_date": "2024-01-08",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:atc_user_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Role.objects.get(kind=Role.Kind.PREFET_DELEGATE).user
    assert person.email == "nouvelle.personne@example.org"
    assert not person.has_usable_password()
    assert len(mailoutbox) == 1
    assert "/comptes/password/reset/key/" in mailoutbox[0].body


def test_the_admin_checks_a_role_scope(client, superuser, facilitator):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:atc_role_add"),
        {
            "user": facilitator.pk,
            "kind": Role.Kind.NETWORK_COORDINATOR,
            "sites": [Site.objects.get(slug="roubaix").pk],
            "network": Network.objects.get(code="bbz").pk,
            "start_date": "2024-01-08",
        },
    )
    assert response.status_code == 200
    assert "décochez les sites" in response.content.decode()
    assert facilitator.roles.count() == 1
