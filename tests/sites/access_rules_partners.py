"""Who may open the partner and facilitation pages (see tests/access.py).

Kept beside tests/sites/access_rules.py, whose owner merges it with
`from tests.sites.access_rules_partners import RULES as PARTNER_RULES` and `RULES |= PARTNER_RULES`
(and adds `build`'s objects to theirs) so the permission matrix sees these URLs.
"""

from tests.access import SITE_READ, SITE_WRITE, Rule
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory


def _site(o):
    return {"slug": o["site"].slug}


def _partner(o):
    return {"slug": o["site"].slug, "pk": o["listed_partner"].pk}


def _partner_post(o):
    return {"name": "Organisation déclarée par la matrice", "category": "association"}


RULES = {
    "partners:partner_list": Rule(SITE_READ, _site),
    "partners:partner_create": Rule(SITE_WRITE, _site, ("GET", "POST"), _partner_post),
    "partners:partner_detail": Rule(SITE_READ, _partner),
    "partners:partner_update": Rule(SITE_WRITE, _partner, ("GET", "POST"), _partner_post),
    "team:facilitator_history": Rule(SITE_READ, _site),
}


def build(site, user):
    return {
        "listed_partner": PartnerOrganisationFactory(site=site),
        "listed_assignment": FacilitatorAssignmentFactory(site=site),
    }
