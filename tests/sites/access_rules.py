"""Who may open the site pages (see tests/access.py for the format)."""

import datetime

from sites.models import ContextEvent, ReviewComment, ReviewReply
from tests.access import SITE_READ, Rule
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory

RULES = {
    "sites:site_home": Rule(SITE_READ, lambda o: {"slug": o["site"].slug}),
}


def build(site, user):
    """A partner, a facilitator assignment, a review comment with a reply and a context event."""
    comment = ReviewComment.objects.create(
        site=site, author=user, body="Point d'étape sur la dynamique partenariale."
    )
    return {
        "partner": PartnerOrganisationFactory(site=site),
        "facilitator_assignment": FacilitatorAssignmentFactory(site=site),
        "review_comment": comment,
        "review_reply": ReviewReply.objects.create(comment=comment, author=user, body="Compte rendu envoyé."),
        "context_event": ContextEvent.objects.create(
            site=site,
            kind=ContextEvent.Kind.ELECTION,
            title="Élections municipales",
            start_date=datetime.date(2020, 3, 15),
        ),
    }
