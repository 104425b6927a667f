"""Writes of a site's committees: the committee, its seats, the end of a seat (a seat ended is
kept: the composition over time and past attendance read it)."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from atc.records import assign
from pilotage.models import Committee, CommitteeMember
from sites.models import PartnerOrganisation, Site

COMMITTEE_FIELDS = ("kind", "name", "description", "is_active")
SEAT_FIELDS = ("organisation", "category", "person_name", "name_consent", "title", "start_date", "end_date")


def committee_save(*, site: Site, data: Mapping[str, Any], committee: Committee | None = None) -> Committee:
    """Create a committee of the site, or update `committee`, from validated data (CommitteeForm)."""
    committee = committee if committee is not None else Committee(site=site)
    assign(committee, {name: data[name] for name in COMMITTEE_FIELDS if name in data})
    committee.site = site
    with transaction.atomic():
        committee.full_clean()
        committee.save()
    return committee


def seat_save(
    *, committee: Committee, data: Mapping[str, Any], seat: CommitteeMember | None = None
) -> CommitteeMember:
    """Create a seat in `committee`, or update `seat`, from validated data (SeatForm's fields).

    An organisation typed in `new_organisation` becomes a partner of the site, in the seat's
    category, in the same transaction: an error saves neither."""
    seat = seat if seat is not None else CommitteeMember(committee=committee)
    with transaction.atomic():
        values = {name: data[name] for name in SEAT_FIELDS if name in data}
        typed = (data.get("new_organisation") or "").strip()
        if typed and not values.get("organisation"):
            values["organisation"], _created = PartnerOrganisation.objects.get_or_create(
                site=committee.site, name=typed, defaults={"category": values["category"]}
            )
        assign(seat, values)
        seat.committee = committee
        seat.full_clean()
        seat.save()
    return seat


def seat_end(*, seat: CommitteeMember, end_date: datetime.date) -> CommitteeMember:
    """End a seat on `end_date`; the row stays."""
    with transaction.atomic():
        locked = CommitteeMember.objects.select_for_update().get(pk=seat.pk)
        locked.end_date = end_date
        locked.full_clean()
        locked.save()
    return locked
