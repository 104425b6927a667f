"""Deny by default, proven: every URL pattern of the project has a declared rule, and every persona
gets what the rule says on every matrix site, for GET and POST; a refused POST changes nothing.

Rules come from tests/<app>/access_rules.py (see tests/access.py). The world of objects is built
once for the module; each case runs inside a savepoint rolled back afterwards.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from tests.access import MATRIX_SITES, PERSONAS, SITE_POLICIES, expected_refusal
from tests.access import allowed as is_allowed
from tests.atc.matrix import (
    build_world,
    changed_tables,
    collect_prefix_rules,
    collect_rules,
    fingerprint,
    pattern_key,
    sign_in,
    walk_patterns,
)

# Each case runs in pytest-django's transaction, rolled back afterwards; the mark also makes sure
# the test database is created when this module runs alone.
pytestmark = pytest.mark.django_db

RULES = collect_rules()
PREFIX_RULES = collect_prefix_rules()


def _cases():
    for name, rule in RULES.items():
        sites = MATRIX_SITES if rule.policy in SITE_POLICIES else (None,)
        for persona in PERSONAS:
            for slug in sites:
                for method in rule.methods:
                    parts = [name, persona, slug, method]
                    yield pytest.param(name, persona, slug, method, id="-".join(p for p in parts if p))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at the end."""
    media_root = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        world = build_world()
        world.media_root = media_root
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def in_world(world, db, settings):
    """The world, with whatever the test changes rolled back by pytest-django."""
    settings.MEDIA_ROOT = world.media_root
    return world


def _covered_by_prefix(name, route):
    if name:
        return any(name.startswith(prefix) for prefix in PREFIX_RULES)
    return any(rule.route_prefix and route.startswith(rule.route_prefix) for rule in PREFIX_RULES.values())


def test_every_url_pattern_has_a_declared_rule():
    undeclared = sorted(
        pattern_key(name, route)
        for name, route in walk_patterns()
        if pattern_key(name, route) not in RULES and not _covered_by_prefix(name, route)
    )
    assert not undeclared, "URL patterns without an access rule:\n" + "\n".join(undeclared)


def test_every_declared_rule_names_a_real_url_pattern():
    known = {pattern_key(name, route) for name, route in walk_patterns()}
    assert not sorted(set(RULES) - known)


@pytest.mark.parametrize(("name", "persona", "slug", "method"), list(_cases()))
def test_persona_gets_what_the_rule_says(client, in_world, name, persona, slug, method):
    rule = RULES[name]
    objects = in_world.objects[slug or "marseille"]
    url = reverse(name, kwargs=rule.kwargs(objects))
    sign_in(client, in_world, persona)
    allowed = is_allowed(rule.policy, persona, slug)
    before = fingerprint() if method == "POST" and not allowed else None

    if method == "POST":
        response = client.post(url, rule.post_data(objects) if rule.post_data else {})
    else:
        response = client.get(url)

    if allowed:
        expected = (302,) if method == "GET" and rule.redirects else (200,)
        if method == "POST":
            expected = (200, 302)
        assert response.status_code in expected, response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected_refusal(rule.policy, persona, slug, api=rule.api)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login"))
        if before is not None:
            assert not changed_tables(before, fingerprint()), "a refused POST changed the data"


def _prefix_cases():
    for prefix, prefix_rule in PREFIX_RULES.items():
        for sample in prefix_rule.samples:
            for persona in PERSONAS:
                yield pytest.param(prefix, sample, persona, id=f"{sample.name}-{persona}-GET")


@pytest.mark.parametrize(("prefix", "sample", "persona"), list(_prefix_cases()))
def test_third_party_pages_answer_as_declared(client, in_world, prefix, sample, persona):
    sign_in(client, in_world, persona)
    response = client.get(reverse(sample.name, kwargs=sample.kwargs))
    expected = sample.anonymous if persona == "anonymous" else sample.signed_in
    assert response.status_code == expected
