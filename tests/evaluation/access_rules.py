"""Who may open the logbook pages (see tests/access.py)."""

from tests.access import SITE_READ, SITE_WRITE, Rule
from tests.evaluation.factories import LogbookEntryFactory


def _site(o):
    return {"slug": o["site"].slug}


def _entry(o):
    return {"slug": o["site"].slug, "pk": o["logbook_entry"].pk}


def _entry_post(o):
    return {
        "kind": "periodic",
        "period_start": "2021-04-01",
        "period_end": "2021-06-30",
        "happened": "Entrée déclarée par la matrice des accès.",
    }


RULES = {
    "evaluation:logbook_list": Rule(SITE_READ, _site),
    "evaluation:logbook_create": Rule(SITE_WRITE, _site, ("GET", "POST"), _entry_post),
    "evaluation:logbook_detail": Rule(SITE_READ, _entry),
    "evaluation:logbook_update": Rule(SITE_WRITE, _entry, ("GET", "POST"), _entry_post),
}


def build(site, user):
    return {"logbook_entry": LogbookEntryFactory(site=site)}
