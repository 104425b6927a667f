"""Who may use the import pages (see tests/access.py): the site team only.

Kept beside tests/pilotage/access_rules.py, whose owner merges it with
`from tests.pilotage.access_rules_imports import RULES as IMPORT_RULES` and `RULES |= IMPORT_RULES`
so the permission matrix sees these URLs.
"""

from tests.access import SITE_WRITE, Rule


def _site(o):
    return {"slug": o["site"].slug}


RULES = {
    "imports:import_start": Rule(SITE_WRITE, _site),
    "imports:import_template": Rule(
        SITE_WRITE, lambda o: {"slug": o["site"].slug, "kind": "reunions", "fmt": "csv"}
    ),
    # An unknown token: the team is sent back to the upload page, nothing is created.
    "imports:import_confirm": Rule(SITE_WRITE, _site, ("POST",), lambda o: {"token": "inconnu"}),
}


def build(site, user):
    return {}
