"""Each import URL answers its declared rule for every persona on three sites."""

import pytest

from tests.diagnostics.test_access import check_rule
from tests.pilotage import access_rules_imports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(access_rules_imports.RULES))
def test_declared_rule_is_enforced(client, personas, name):
    check_rule(client, personas, access_rules_imports, name)
