"""Who may call the read-only API (/api/v1/): every list answers any signed-in person with their
own scope (an outsider gets an empty list); a record of a site they may not read is a 404."""

import datetime
from decimal import Decimal

from tests.access import AUTHENTICATED, PUBLIC, SITE_READ, Rule
from tests.diagnostics.factories import AssessmentFactory
from tests.reports.factories import IndicatorFactory, IndicatorValueFactory


def _api(policy, kwargs=lambda o: {}):
    return Rule(policy, kwargs, api=True)


RULES = {
    "api:schema": Rule(PUBLIC),
    "api:docs": Rule(PUBLIC),
    "api:figures": _api(AUTHENTICATED),
    "api:network-list": _api(AUTHENTICATED),
    "api:network-detail": _api(AUTHENTICATED, lambda o: {"code": o["site"].network.code}),
    "api:indicator-list": _api(AUTHENTICATED),
    "api:indicator-detail": _api(AUTHENTICATED, lambda o: {"code": o["api_indicator"].code}),
    "api:site-list": _api(AUTHENTICATED),
    "api:site-detail": _api(SITE_READ, lambda o: {"slug": o["site"].slug}),
    "api:qpv-list": _api(AUTHENTICATED),
    "api:qpv-detail": _api(SITE_READ, lambda o: {"pk": o["qpv"].pk}),
    "api:meeting-list": _api(AUTHENTICATED),
    "api:meeting-detail": _api(SITE_READ, lambda o: {"pk": o["meeting"].pk}),
    "api:action-list": _api(AUTHENTICATED),
    "api:action-detail": _api(SITE_READ, lambda o: {"pk": o["action"].pk}),
    "api:finding-list": _api(AUTHENTICATED),
    "api:finding-detail": _api(SITE_READ, lambda o: {"pk": o["finding"].pk}),
    "api:reading-list": _api(AUTHENTICATED),
    "api:reading-detail": _api(SITE_READ, lambda o: {"pk": o["reading"].pk}),
    "api:indicator-value-list": _api(AUTHENTICATED),
    "api:indicator-value-detail": _api(SITE_READ, lambda o: {"pk": o["indicator_value"].pk}),
    "api:report-list": _api(AUTHENTICATED),
    "api:report-detail": _api(SITE_READ, lambda o: {"id": o["report"].public_id}),
    "api:report-download": _api(SITE_READ, lambda o: {"id": o["report"].public_id}),
}


def build(site, user):
    """A reading, an indicator with a value, and the site's first QPV (the meeting, action,
    finding and report come from the other apps' rules)."""
    indicator = IndicatorFactory(code=f"api-{site.slug}", name=f"Indicateur API {site.slug}")
    return {
        # A date and kind of respondent no other app's rules use (one reading per site, item,
        # kind and date).
        "reading": AssessmentFactory(site=site, by_residents=True, date=datetime.date(2020, 2, 29)),
        "api_indicator": indicator,
        "indicator_value": IndicatorValueFactory(site=site, indicator=indicator, value=Decimal("7")),
        "qpv": site.neighbourhoods.order_by("pk").first(),
    }
