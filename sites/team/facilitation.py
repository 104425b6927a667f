"""The history of a site's facilitation: tenures, vacancies between facilitators, turnover."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from sites.models import FacilitatorAssignment, Site


@dataclass(frozen=True)
class Tenure:
    assignment: FacilitatorAssignment
    days: int
    current: bool

    @property
    def months(self) -> int:
        """Whole months of tenure (30.44 days each), at least 0."""
        return int(self.days / 30.44)


@dataclass(frozen=True)
class Vacancy:
    """A period with no lead facilitator in post; `end` is None while it lasts."""

    start: datetime.date
    end: datetime.date | None
    days: int


@dataclass(frozen=True)
class FacilitationHistory:
    tenures: list[Tenure]
    vacancies: list[Vacancy]
    departures: int
    current_fte: Decimal
    current_people: int


def facilitation_history(
    assignments: list[FacilitatorAssignment], today: datetime.date
) -> FacilitationHistory:
    """Tenures, vacancies and turnover from a site's assignments (already fetched, any order).

    A vacancy is a gap in lead coverage between the first lead's start and today; support
    assignments do not fill it (a shared function does: `FacilitatorAssignment.LEADING`). Turnover
    counts the lead facilitators who have left.
    """
    ordered = sorted(assignments, key=lambda a: (a.start_date, a.pk or 0))
    tenures = []
    for a in ordered:
        current = a.start_date <= today and (a.end_date is None or a.end_date >= today)
        last_day = min(a.end_date or today, today)
        tenures.append(Tenure(a, max((last_day - a.start_date).days + 1, 0), current))

    leads = [a for a in ordered if a.position in FacilitatorAssignment.LEADING]
    vacancies = []
    covered_until: datetime.date | None = None
    for a in leads:
        if a.start_date > today:
            break
        # Compared on the start side: an open-ended contract covers until date.max, and adding a day
        # to it would overflow.
        if covered_until is not None and covered_until < a.start_date - datetime.timedelta(days=1):
            start = covered_until + datetime.timedelta(days=1)
            end = a.start_date - datetime.timedelta(days=1)
            vacancies.append(Vacancy(start, end, (end - start).days + 1))
        end_of_this = a.end_date or datetime.date.max
        covered_until = end_of_this if covered_until is None else max(covered_until, end_of_this)
    if covered_until is not None and covered_until < today:
        start = covered_until + datetime.timedelta(days=1)
        vacancies.append(Vacancy(start, None, (today - start).days + 1))

    current = [t for t in tenures if t.current]
    return FacilitationHistory(
        tenures=tenures,
        vacancies=vacancies,
        departures=sum(1 for a in leads if a.end_date is not None and a.end_date < today),
        current_fte=sum((t.assignment.fte for t in current), Decimal("0")),
        current_people=len(current),
    )


@dataclass(frozen=True)
class Configuration:
    """A site's facilitation configuration on a day, and whether it was entered by hand."""

    value: str
    overridden: bool

    @property
    def label(self) -> str:
        return str(Site.Configuration(self.value).label)


def derived_configuration(assignments: list[FacilitatorAssignment], day: datetime.date) -> str:
    """The configuration the facilitators in post on `day` make: nobody recorded; one person;
    one lead with support; or the function shared — a person recorded in a shared function, or
    several leads (or several supports)."""
    current = [a for a in assignments if a.start_date <= day and (a.end_date is None or a.end_date >= day)]
    if not current:
        return Site.Configuration.NONE
    if any(a.position == FacilitatorAssignment.Position.SHARED for a in current):
        return Site.Configuration.SHARED
    leads = sum(1 for a in current if a.position == FacilitatorAssignment.Position.LEAD)
    supports = len(current) - leads
    if leads >= 2 or (leads == 0 and supports >= 2):
        return Site.Configuration.SHARED
    if leads == 1 and supports:
        return Site.Configuration.WITH_SUPPORT
    return Site.Configuration.SINGLE


def site_configuration(
    site: Site, assignments: list[FacilitatorAssignment], day: datetime.date
) -> Configuration:
    """The override when one was entered, else the configuration derived from `assignments`."""
    if site.configuration_override:
        return Configuration(site.configuration_override, overridden=True)
    return Configuration(derived_configuration(assignments, day), overridden=False)
