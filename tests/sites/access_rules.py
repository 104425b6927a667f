"""Who may open the site pages (see tests/access.py for the format)."""

import datetime

from sites.models import ContextEvent, ReviewComment, ReviewReply
from tests.access import SITE_READ, TEAM_MANAGE, Rule
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory


def _assignment(o):
    return {"slug": o["site"].slug, "pk": o["facilitator_assignment"].pk}


def _arrival_post(o):
    return {
        "person_name": "Personne de la matrice",
        "position": "support",
        "fte": "0.5",
        "contract_type": "cdd",
        "start_date": "2021-03-01",
    }


RULES = {
    "sites:site_home": Rule(SITE_READ, lambda o: {"slug": o["site"].slug}),
    "team:arrival_create": Rule(
        TEAM_MANAGE, lambda o: {"slug": o["site"].slug}, ("GET", "POST"), _arrival_post
    ),
    "team:fte_change": Rule(
        TEAM_MANAGE, _assignment, ("GET", "POST"), lambda o: {"fte": "0.7", "since": "2021-01-01"}
    ),
    "team:departure": Rule(
        TEAM_MANAGE,
        _assignment,
        ("GET", "POST"),
        lambda o: {"end_date": "2022-01-01", "reason": "end_of_contract"},
    ),
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
