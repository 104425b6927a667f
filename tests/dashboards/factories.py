"""Factories the dashboard tests use: the other apps' factories, re-exported in one place."""

from tests.pilotage.factories import ActionFactory, CommitteeMemberFactory, MeetingFactory
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory

__all__ = [
    "ActionFactory",
    "CommitteeMemberFactory",
    "FacilitatorAssignmentFactory",
    "MeetingFactory",
    "PartnerOrganisationFactory",
]
