"""Shared fixtures: the personas of the platform and the real reference sites.

Sites come from the data migration (the 15 real ones), so tests read like the product:
the facilitator of Marseille, the préfet delegate of the Nord (Tourcoing, Grande-Synthe, Roubaix).
"""

import os

import pytest
from django.core.cache import caches
from django.utils import timezone
from django_redis.cache import RedisCache

from atc.models import Role
from sites.models import Network, Site
from tests.atc.factories import RoleFactory, UserFactory

NORD = ("tourcoing", "grande-synthe", "roubaix")

# The local S3-compatible server and its buckets (ATC_STORAGE=s3 tests).
pytest_plugins = ["tests.objectstore", "tests.smtpserver"]


def pytest_configure(config):
    """CI asks for the real servers: then a missing DATABASE_URL or REDIS_URL is an error,
    never a quiet fallback to the embedded default."""
    if os.environ.get("ATC_REQUIRE_SERVERS") == "1":
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise pytest.UsageError(f"ATC_REQUIRE_SERVERS=1 but {', '.join(missing)} unset")


def _clear_cache():
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Never FLUSHDB (django-redis's clear): the broker may share the Redis database. Delete
        # only this run's keys (the pattern is read under the cache's key prefix).
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _clear_cache()
    yield
    # A test that opened a site's page outside the test client leaves no site's zone behind.
    timezone.deactivate()


@pytest.fixture
def marseille(db):
    return Site.objects.get(slug="marseille")


@pytest.fixture
def grenoble(db):
    return Site.objects.get(slug="grenoble")


@pytest.fixture
def tourcoing(db):
    return Site.objects.get(slug="tourcoing")


def _person(email, kind, sites=(), network=None):
    user = UserFactory(email=email)
    RoleFactory(user=user, kind=kind, sites=list(sites), network=network)
    return user


@pytest.fixture
def facilitator(db, marseille):
    return _person("facilitator@example.org", Role.Kind.FACILITATOR, [marseille])


@pytest.fixture
def host_director(db, marseille):
    return _person("host@example.org", Role.Kind.HOST_DIRECTOR, [marseille])


@pytest.fixture
def prefet_delegate(db):
    return _person("delegate@example.org", Role.Kind.PREFET_DELEGATE, Site.objects.filter(slug__in=NORD))


@pytest.fixture
def network_coordinator(db):
    return _person(
        "network@example.org",
        Role.Kind.NETWORK_COORDINATOR,
        network=Network.objects.get(code="fcsf"),
    )


@pytest.fixture
def national_team(db):
    return _person("national@example.org", Role.Kind.NATIONAL_TEAM)


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.org")


@pytest.fixture
def personas(facilitator, host_director, prefet_delegate, network_coordinator, national_team, outsider):
    return {
        "facilitator": facilitator,
        "host_director": host_director,
        "prefet_delegate": prefet_delegate,
        "network_coordinator": network_coordinator,
        "national_team": national_team,
        "outsider": outsider,
    }
