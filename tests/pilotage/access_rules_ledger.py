"""Who may open each avoided-costs page (see tests/access.py for the format)."""

from tests.access import SITE_VERIFY, SITE_WRITE, Rule
from tests.pilotage.factories import ActionFactory, ClaimFactory


def _claim(o):
    return {"slug": o["site"].slug, "pk": o["claim"].pk}


def _claim_post(o):
    return {
        "kind": "avoided",
        "description": "Nuitées d'hôtel évitées",
        "amount": "800",
        "period_start": "2021-02-01",
        "hypothesis": "Dix nuitées à 80 € évitées grâce au relogement.",
        "source": "team",
    }


RULES = {
    "ledger:claim_create": Rule(
        SITE_WRITE,
        lambda o: {"slug": o["site"].slug, "pk": o["claim_action"].pk},
        ("GET", "POST"),
        _claim_post,
    ),
    "ledger:claim_edit": Rule(SITE_WRITE, _claim, ("GET", "POST"), _claim_post),
    "ledger:claim_delete": Rule(SITE_WRITE, _claim, ("POST",), lambda o: {}),
    "ledger:claim_verify": Rule(SITE_VERIFY, _claim, ("POST",), lambda o: {}),
}


def build(site, user):
    """An action with a documented avoided cost (a partner's statement backs it)."""
    action = ActionFactory(site=site)
    return {
        "claim_action": action,
        "claim": ClaimFactory(site=site, action=action, documented=True, created_by=user),
    }
