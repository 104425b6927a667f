"""Every steering URL answered for each persona on the three matrix sites, as declared."""

import pytest
from django.urls import reverse

from sites.models import Site
from tests.access import MATRIX_SITES, allowed, expected_refusal
from tests.pilotage import access_rules

pytestmark = pytest.mark.django_db

PERSONAS = (
    "facilitator",
    "host_director",
    "prefet_delegate",
    "network_coordinator",
    "national_team",
    "outsider",
)
CASES = [
    (name, method, slug)
    for name, rule in access_rules.RULES.items()
    for method in rule.methods
    for slug in MATRIX_SITES
]


@pytest.mark.parametrize(("name", "method", "slug"), CASES)
def test_each_persona_gets_what_the_rule_says(client, personas, name, method, slug):
    rule = access_rules.RULES[name]
    site = Site.objects.get(slug=slug)
    for persona in ("anonymous", *PERSONAS):
        # Fresh objects for each person: a deletion by one must not turn into a 404 for the next.
        objects = {"site": site, **access_rules.build(site, personas["facilitator"])}
        url = reverse(name, kwargs=rule.kwargs(objects))
        data = rule.post_data(objects) if rule.post_data else {}
        client.logout()
        if persona != "anonymous":
            client.force_login(personas[persona])
        response = client.post(url, data) if method == "POST" else client.get(url)
        if allowed(rule.policy, persona, slug):
            assert response.status_code in (200, 302), (persona, response.status_code)
            if response.status_code == 302:
                assert "/comptes/" not in response["Location"], persona
        else:
            assert response.status_code == expected_refusal(rule.policy, persona, slug), persona
