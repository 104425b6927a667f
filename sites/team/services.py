"""Writes of the team pages (arrivals, changes of FTE, departures) and the history they leave.

Each write keeps a historical row (simple_history on FacilitatorAssignment) with a change reason
saying what happened, which the team page lists."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from atc.formats import format_number
from atc.records import assign
from sites.models import FacilitatorAssignment, Site

ARRIVAL = "arrival"
FTE_CHANGE = "fte"
DEPARTURE = "departure"

ARRIVAL_FIELDS = ("person_name", "user", "position", "fte", "contract_type", "start_date")


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def assignment_arrive(*, site: Site, data: Mapping[str, Any]) -> FacilitatorAssignment:
    """Record a person's arrival on the site from validated data (ArrivalForm's fields)."""
    assignment = FacilitatorAssignment(site=site)
    assign(assignment, {name: data[name] for name in ARRIVAL_FIELDS if name in data})
    assignment._change_reason = ARRIVAL
    with transaction.atomic():
        assignment.full_clean()
        assignment.save()
    return assignment


def assignment_change_fte(
    *, assignment: FacilitatorAssignment, fte: Decimal, since: datetime.date
) -> FacilitatorAssignment:
    """A new FTE from `since`: the row holds the current value (the dashboards read it), the
    history keeps the previous ones."""
    with transaction.atomic():
        locked = FacilitatorAssignment.objects.select_for_update().get(pk=assignment.pk)
        locked.fte = fte
        locked.fte_since = since
        locked._change_reason = FTE_CHANGE
        locked.full_clean()
        locked.save()
    return locked


def assignment_depart(
    *,
    assignment: FacilitatorAssignment,
    end_date: datetime.date,
    reason: str,
    details: str = "",
    handover_note: str = "",
) -> FacilitatorAssignment:
    """A person's departure: their last day, the reason and the handover note. The row stays (its
    tenure, the vacancies and the turnover are derived from it)."""
    with transaction.atomic():
        locked = FacilitatorAssignment.objects.select_for_update().get(pk=assignment.pk)
        locked.end_date = end_date
        locked.departure_reason = reason
        locked.departure_details = details.strip()
        locked.handover_note = handover_note.strip()
        locked._change_reason = DEPARTURE
        locked.full_clean()
        locked.save()
    return locked


@dataclass(frozen=True)
class TeamChange:
    """One line of the team's history: when it was recorded, by whom, about whom, what."""

    recorded_at: datetime.datetime
    recorded_by: str
    person_name: str
    summary: str


def _summary(record, previous) -> str:
    reason = record.history_change_reason
    if record.history_type == "+":
        return _("Arrivée le %(day)s : %(position)s, %(fte)s ETP, %(contract)s.") % {
            "day": _day(record.start_date),
            "position": FacilitatorAssignment.Position(record.position).label,
            "fte": format_number(record.fte, 2),
            "contract": FacilitatorAssignment.ContractType(record.contract_type).label,
        }
    if record.history_type == "-":
        return _("Affectation supprimée.")
    if reason == FTE_CHANGE and previous is not None:
        return _("Temps dédié passé de %(old)s à %(new)s ETP à compter du %(day)s.") % {
            "old": format_number(previous.fte, 2),
            "new": format_number(record.fte, 2),
            "day": _day(record.fte_since or record.start_date),
        }
    if reason == DEPARTURE and record.end_date:
        reason_label = (
            FacilitatorAssignment.DepartureReason(record.departure_reason).label
            if record.departure_reason
            else _("motif non précisé")
        )
        return _("Départ le %(day)s : %(reason)s.") % {"day": _day(record.end_date), "reason": reason_label}
    return _("Fiche modifiée.")


def team_changes(site: Site) -> list[TeamChange]:
    """Every recorded change to the site's team, newest first (one query)."""
    records = list(
        FacilitatorAssignment.history.filter(site_id=site.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes, previous = [], {}
    for record in records:
        changes.append(
            TeamChange(
                recorded_at=record.history_date,
                recorded_by=str(record.history_user) if record.history_user else _("la plateforme"),
                person_name=record.person_name,
                summary=_summary(record, previous.get(record.id)),
            )
        )
        previous[record.id] = record
    changes.sort(key=lambda c: c.recorded_at, reverse=True)
    return changes
