"""Who may open each steering page (see tests/access.py for the format)."""

from pilotage.calendars.services import feed_create
from pilotage.models import MinutesEvent
from tests.access import AUTHENTICATED, MINUTES_VALIDATE, PUBLIC, SITE_READ, SITE_WRITE, Rule
from tests.atc.factories import UserFactory
from tests.pilotage.factories import (
    ActionFactory,
    AttachmentFactory,
    CommitteeMemberFactory,
    DecisionFactory,
    MeetingFactory,
)


def _site(o):
    return {"slug": o["site"].slug}


def _meeting(o):
    return {"slug": o["site"].slug, "pk": o["meeting"].pk}


def _action(o):
    return {"slug": o["site"].slug, "pk": o["action"].pk}


def _attachment(o):
    return {"slug": o["site"].slug, "pk": o["attachment"].pk}


def _meeting_post(o):
    return {
        "kind": "partners_workshop",
        "date": "2021-03-15",
        "format": "in_person",
        "title": "Atelier de la matrice",
        "minutes_status": "none",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }


RULES = {
    "pilotage:meeting_list": Rule(SITE_READ, _site),
    "pilotage:meeting_ical": Rule(SITE_READ, _site),
    "pilotage:meeting_detail": Rule(SITE_READ, _meeting),
    "pilotage:meeting_create": Rule(SITE_WRITE, _site, ("GET", "POST"), _meeting_post),
    "pilotage:meeting_edit": Rule(SITE_WRITE, _meeting, ("GET",)),
    "pilotage:meeting_roster": Rule(SITE_WRITE, _site),
    # The sign-in sheet names the committee's members: the site team prints it.
    "pilotage:meeting_sign_in_sheet": Rule(SITE_WRITE, _meeting),
    "pilotage:meeting_tally": Rule(SITE_WRITE, _meeting, ("GET", "POST"), lambda o: {}),
    "pilotage:meeting_attachment_add": Rule(SITE_WRITE, _meeting, ("POST",), lambda o: {}),
    "pilotage:minutes_submit": Rule(SITE_WRITE, _meeting, ("POST",), lambda o: {}),
    "pilotage:minutes_validate": Rule(MINUTES_VALIDATE, _meeting, ("POST",), lambda o: {}),
    "pilotage:minutes_reopen": Rule(SITE_WRITE, _meeting, ("POST",), lambda o: {"reason": "Coquille"}),
    "pilotage:decision_to_action": Rule(
        SITE_WRITE, lambda o: {"slug": o["site"].slug, "pk": o["decision"].pk}, redirects=True
    ),
    "pilotage:action_board": Rule(SITE_READ, _site),
    "pilotage:action_list": Rule(SITE_READ, _site),
    "pilotage:action_detail": Rule(SITE_READ, _action),
    "pilotage:action_create": Rule(SITE_WRITE, _site),
    "pilotage:action_edit": Rule(SITE_WRITE, _action),
    "pilotage:action_status": Rule(SITE_WRITE, _action, ("POST",), lambda o: {"status": "preparation"}),
    "pilotage:action_attachment_add": Rule(SITE_WRITE, _action, ("POST",), lambda o: {}),
    "pilotage:attachment_download": Rule(SITE_READ, _attachment),
    "pilotage:attachment_delete": Rule(SITE_WRITE, _attachment, ("POST",), lambda o: {}),
    # One's own subscription: any signed-in person (the feed lists what they may read).
    "calendars:subscription": Rule(AUTHENTICATED, methods=("GET", "POST"), post_data=lambda o: {}),
    "calendars:revoke": Rule(AUTHENTICATED, methods=("POST",), post_data=lambda o: {}),
    # The feed opens for whoever holds its secret address (calendar apps have no session).
    "calendars:feed": Rule(PUBLIC, lambda o: {"key": o["feed_key"]}),
}


def build(site, user):
    """A meeting with a decision, a committee with members, an action and an attachment."""
    meeting = MeetingFactory(site=site, steering=True, created_by=user)
    members = CommitteeMemberFactory.create_batch(2, committee=meeting.committee)
    decision = DecisionFactory(meeting=meeting)
    # A step of the minutes' history with a reason (the leak tests plant their marker in it).
    MinutesEvent.objects.create(meeting=meeting, kind=MinutesEvent.Kind.REOPENED, by=user, reason="Coquille")
    action = ActionFactory(site=site, meeting=meeting)
    attachment = AttachmentFactory(site=site, meeting=meeting, uploaded_by=user)
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "members": members,
        "decision": decision,
        "action": action,
        "attachment": attachment,
        # A calendar subscription of a person of its own (a new key replaces a person's earlier one).
        "feed_key": feed_create(user=UserFactory()),
    }
