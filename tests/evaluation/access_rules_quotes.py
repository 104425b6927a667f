"""Who may open a site's actors' quotes: its readers read them, its team records them."""

from tests.access import SITE_READ, SITE_WRITE, Rule
from tests.evaluation.factories import QuoteFactory


def _quote_post(o):
    return {
        "text": "On a appris à travailler ensemble.",
        "speaker_role": "Délégué du préfet",
        "said_on": "2021-05-04",
    }


RULES = {
    "quotes:quote_list": Rule(SITE_READ, lambda o: {"slug": o["site"].slug}),
    "quotes:quote_create": Rule(SITE_WRITE, lambda o: {"slug": o["site"].slug}, ("GET", "POST"), _quote_post),
    "quotes:quote_edit": Rule(
        SITE_WRITE,
        lambda o: {"slug": o["site"].slug, "pk": o["quote"].pk},
        ("GET", "POST"),
        _quote_post,
    ),
}


def build(site, user):
    return {"quote": QuoteFactory(site=site, recorded_by=user)}
