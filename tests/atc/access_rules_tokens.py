"""Who may open « Jetons d'API » (any signed-in person, for their own tokens) and revoke one (its
owner only: anyone else gets a 404, as if it did not exist)."""

from atc.tokens.services import api_token_create
from tests.access import AUTHENTICATED, OWNER, Rule

RULES = {
    "tokens:token_list": Rule(AUTHENTICATED, methods=("GET", "POST"), post_data=lambda o: {"name": "Script"}),
    "tokens:token_revoke": Rule(
        OWNER, lambda o: {"pk": o["api_token"].pk}, methods=("POST",), post_data=lambda o: {}
    ),
}


def build(site, user):
    """A token of the matrix's facilitator (the user every app's objects are built for)."""
    return {"api_token": api_token_create(user=user, name=f"Jeton {site.slug}").token}
