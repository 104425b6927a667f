"""Who may answer a review comment, mark it « traité » or reopen it, and read their own comments
(see tests/access.py for the format). The comment is the one tests/sites/access_rules.py builds."""

from tests.access import AUTHENTICATED, COMMENT_HANDLE, COMMENT_REPLY, Rule


def _comment(o):
    return {"slug": o["site"].slug, "pk": o["review_comment"].pk}


def _reply(o):
    return {f"reponse-{o['review_comment'].pk}-body": "Le compte rendu est en ligne."}


RULES = {
    "comments:reply": Rule(COMMENT_REPLY, _comment, ("POST",), _reply),
    "comments:handle": Rule(COMMENT_HANDLE, _comment, ("POST",), lambda o: {}),
    "comments:reopen": Rule(COMMENT_HANDLE, _comment, ("POST",), lambda o: {}),
    "comments:mine": Rule(AUTHENTICATED),
}
