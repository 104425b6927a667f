"""Who may open the shared diagnostic's pages (see tests/access.py)."""

from diagnostics.models import AssessmentItem
from tests.access import SITE_READ, SITE_WRITE, Rule
from tests.diagnostics.factories import FindingFactory


def _site(o):
    return {"slug": o["site"].slug}


def _finding_post(o):
    return {
        "theme": o["finding"].theme_id,
        "title": "Constat déclaré par la matrice",
        "source": "workshop",
        "date": "2021-01-15",
    }


def _reading_post(o):
    first = AssessmentItem.objects.order_by("order").first()
    return {
        "date": "2021-01-15",
        "respondent_kind": "facilitator",
        "respondents": "1",
        f"item_{first.pk}": "6,5",
    }


RULES = {
    "diagnostics:finding_list": Rule(SITE_READ, _site),
    "diagnostics:finding_create": Rule(SITE_WRITE, _site, ("GET", "POST"), _finding_post),
    "diagnostics:finding_update": Rule(
        SITE_WRITE,
        lambda o: {"slug": o["site"].slug, "pk": o["finding"].pk},
        ("GET", "POST"),
        _finding_post,
    ),
    "diagnostics:assessment_overview": Rule(SITE_READ, _site),
    "diagnostics:assessment_entry": Rule(SITE_WRITE, _site, ("GET", "POST"), _reading_post),
    "diagnostics:coverage": Rule(SITE_READ, _site),
}


def build(site, user):
    return {"finding": FindingFactory(site=site)}
