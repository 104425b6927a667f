"""Writes of the national monitoring committee (no site: `site` stays empty on every row)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atc.records import assign, set_many
from pilotage.models import Committee, CommitteeMember, Meeting


def national_committee():
    """The national monitoring committee, or None before its first member is recorded."""
    return Committee.objects.filter(kind=Committee.Kind.NATIONAL, site=None).order_by("pk").first()


def national_member_add(*, data: Mapping[str, Any]) -> CommitteeMember:
    """Record a member from validated data (NationalMemberForm's fields), creating the committee
    on first use."""
    with transaction.atomic():
        committee = national_committee() or Committee.objects.create(
            kind=Committee.Kind.NATIONAL, site=None, name=_("Comité de suivi national")
        )
        member = CommitteeMember()
        assign(member, data)
        member.committee = committee
        member.save()
    return member


def national_meeting_save(*, data: Mapping[str, Any], user, meeting: Meeting | None = None) -> Meeting:
    """Create a national committee meeting or a national event, or update `meeting`, from
    validated data (NationalMeetingForm's fields); it is attached to no site."""
    meeting = meeting if meeting is not None else Meeting()
    with transaction.atomic():
        created = meeting.pk is None
        many = assign(meeting, data)
        meeting.site = None
        if meeting.kind == Meeting.Kind.NATIONAL_COMMITTEE:
            meeting.committee = national_committee()
        else:
            meeting.committee = None
        if created:
            meeting.created_by = user
        meeting.save()
        set_many(meeting, many, created=created)
    return meeting
