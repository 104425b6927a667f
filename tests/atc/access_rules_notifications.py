"""Who may open the notification pages: one's own inbox and preferences (anyone signed in), one's
own notification (its recipient; anyone else gets 404), and the unsubscribe link (anyone holding
it, without signing in: it is signed). The matrix's notification is the facilitator's."""

from atc.notifications.kinds import KINDS
from atc.notifications.services import unsubscribe_token
from tests.access import AUTHENTICATED, PUBLIC, RECIPIENT, Rule
from tests.atc.factories import NotificationFactory


def _notification(o):
    return {"pk": o["notification"].pk}


def _token(o):
    return {"token": unsubscribe_token(user=o["notification"].recipient, kinds=["comment"])}


def _preferences(o):
    chosen = {"comment": "daily", "comment_reply": "never"}
    return {kind: chosen.get(kind, "immediate") for kind in KINDS}


RULES = {
    "notifications:inbox": Rule(AUTHENTICATED),
    "notifications:open": Rule(RECIPIENT, _notification, redirects=True),
    "notifications:mark_read": Rule(RECIPIENT, _notification, ("POST",), lambda o: {}),
    "notifications:mark_all_read": Rule(AUTHENTICATED, methods=("POST",), post_data=lambda o: {}),
    "notifications:preferences": Rule(AUTHENTICATED, methods=("GET", "POST"), post_data=_preferences),
    "notifications:unsubscribe": Rule(PUBLIC, _token, ("GET", "POST"), lambda o: {}),
}


def build(site, user):
    """A notification of the facilitator's about the site."""
    return {
        "notification": NotificationFactory(
            recipient=user, site=site, url=f"/sites/{site.slug}/", dedupe_key=f"matrix:{site.slug}"
        )
    }
