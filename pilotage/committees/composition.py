"""A committee's composition by category over time: the seats held at the end of each quarter
(`CommitteeMember.held_on`, the rule the dashboard and the report read too)."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from atc.periods import quarter_as_period, quarter_label, quarter_of, quarters_between
from pilotage.models import CommitteeMember
from sites.models import OrganisationCategory


@dataclass(frozen=True)
class CompositionRow:
    label: str
    day: datetime.date
    counts: list[int]
    total: int


@dataclass(frozen=True)
class Composition:
    categories: list[str]
    rows: list[CompositionRow]


def composition_over_time(seats: list[CommitteeMember], today: datetime.date) -> Composition:
    """Seats per category at the end of every quarter from the first seat's start to today's
    quarter (today for the current one), oldest first; only the categories that ever held a seat."""
    if not seats:
        return Composition([], [])
    starts = [s.start_date for s in seats if s.start_date is not None and s.start_date <= today]
    first = min(starts, default=today)
    days = [min(quarter_as_period(q).end, today) for q in quarters_between(quarter_of(first), today)]
    used = {s.category for s in seats}
    categories = [c for c in OrganisationCategory if c.value in used]
    rows = []
    for day in days:
        counts = Counter(s.category for s in seats if s.held_on(day))
        if day == today:
            label = _("%(quarter)s (aujourd'hui)") % {"quarter": quarter_label(day)}
        else:
            label = quarter_label(day)
        rows.append(CompositionRow(label, day, [counts[c.value] for c in categories], sum(counts.values())))
    return Composition([str(c.label) for c in categories], rows)
