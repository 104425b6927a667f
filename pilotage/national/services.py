"""Writes of the national monitoring committee (no site: `site` stays empty on every row)."""

from django.db import transaction
from django.utils.translation import gettext as _

from pilotage.models import Committee, CommitteeMember, Meeting


def national_committee():
    """The national monitoring committee, or None before its first member is recorded."""
    return Committee.objects.filter(kind=Committee.Kind.NATIONAL, site=None).order_by("pk").first()


def national_member_add(*, form) -> CommitteeMember:
    """Record a member, creating the committee on first use."""
    with transaction.atomic():
        committee = national_committee() or Committee.objects.create(
            kind=Committee.Kind.NATIONAL, site=None, name=_("Comité de suivi national")
        )
        member = form.save(commit=False)
        member.committee = committee
        member.save()
    return member


def national_meeting_save(*, form, user) -> Meeting:
    """Save a national committee meeting or a national event, attached to no site."""
    with transaction.atomic():
        meeting = form.save(commit=False)
        meeting.site = None
        if meeting.kind == Meeting.Kind.NATIONAL_COMMITTEE:
            meeting.committee = national_committee()
        else:
            meeting.committee = None
        if meeting.pk is None:
            meeting.created_by = user
        meeting.save()
    return meeting
