"""With the Redis cache unreachable, people still sign in and pages still render (issue 7, item 6).

The cache points at a port where nothing listens: the same refusal a stopped Redis gives.
"""

import logging
import socket

import pytest
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from atc.access_version import bump_access_now
from atc.settings import redis_caches
from tests.atc.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _caches_down() -> dict:
    """The platform's own Redis configuration (atc.settings), on a Redis that does not answer."""
    return redis_caches(f"redis://127.0.0.1:{_closed_port()}/3", "atc-outage-test")


@pytest.fixture
def cache_down(settings):
    settings.CACHES = _caches_down()


def test_without_the_fail_soft_backend_a_cache_outage_breaks_sign_in(settings, client, facilitator):
    caches = _caches_down()
    caches["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
    caches["default"]["OPTIONS"] = {}
    settings.CACHES = caches
    with pytest.raises(RedisConnectionError):
        client.post(reverse("account_login"), {"login": facilitator.email, "password": TEST_PASSWORD})


def test_with_the_cache_down_a_person_signs_in_and_sees_their_sites(cache_down, client, facilitator):
    response = client.post(
        reverse("account_login"),
        {"login": facilitator.email, "password": TEST_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == facilitator
    assert "Marseille" in response.content.decode()


def test_with_the_cache_down_the_site_pages_render(cache_down, client, facilitator, marseille):
    client.force_login(facilitator)
    for name in ("sites:site_home", "pilotage:meeting_list", "pilotage:action_board"):
        response = client.get(reverse(name, args=[marseille.slug]))
        assert response.status_code == 200, name


def test_with_the_cache_down_the_site_tables_draw_every_row(cache_down, client, national_team, marseille):
    """The rows kept one by one are read in one `get_many`: with Redis down, all computed."""
    client.force_login(national_team)
    for url in (reverse("dashboards:national"), reverse("dashboards:network", args=[marseille.network.code])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f">{marseille.name}</a></th>" in response.content.decode(), url


def test_with_the_cache_down_reads_miss_and_writes_are_dropped(cache_down):
    cache.set("figure", 42)
    assert cache.get("figure", "recomputed") == "recomputed"
    assert cache.get_or_set("figure", lambda: 7) == 7
    # A lock or a one-time code is taken (allauth): refusing would lock everybody out.
    assert cache.add("lock", True) is True
    cache.incr("counter")
    bump_access_now()


def test_with_the_cache_down_each_ignored_error_is_logged(cache_down, caplog):
    with caplog.at_level(logging.ERROR, logger="atc.cache"):
        assert cache.get("figure") is None
    assert [record.name for record in caplog.records] == ["atc.cache"]
    assert "Connection refused" in caplog.text
