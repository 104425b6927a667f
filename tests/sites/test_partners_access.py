"""Each partner and facilitation URL answers its declared rule for every persona."""

import pytest

from tests.diagnostics.test_access import check_rule
from tests.sites import access_rules_partners

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(access_rules_partners.RULES))
def test_declared_rule_is_enforced(client, personas, name):
    check_rule(client, personas, access_rules_partners, name)
