"""Each diagnostic URL answers its declared rule for every persona on three sites."""

import pytest
from django.urls import reverse

from sites.models import Site
from tests.access import MATRIX_SITES, PERSONAS, allowed, expected_refusal
from tests.diagnostics import access_rules

pytestmark = pytest.mark.django_db


def check_rule(client, personas, module, name):
    """Walk personas × matrix sites × methods for one URL name of an access_rules module."""
    rule = module.RULES[name]
    for slug in MATRIX_SITES:
        site = Site.objects.get(slug=slug)
        objects = {"site": site, **module.build(site, None)}
        url = reverse(name, kwargs=rule.kwargs(objects))
        for persona in PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(personas[persona])
            for method in rule.methods:
                data = rule.post_data(objects) if method == "POST" else None
                response = client.generic(method, url) if data is None else client.post(url, data)
                where = (name, persona, slug, method)
                if allowed(rule.policy, persona, slug):
                    assert response.status_code in (200, 302), where
                    if response.status_code == 302:
                        assert "/comptes/" not in response["Location"], where
                else:
                    assert response.status_code == expected_refusal(rule.policy, persona, slug), where


@pytest.mark.parametrize("name", sorted(access_rules.RULES))
def test_declared_rule_is_enforced(client, personas, name):
    check_rule(client, personas, access_rules, name)
