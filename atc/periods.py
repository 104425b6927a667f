"""Periods, in one place: calendar quarters (the unit of the pre-aggregates and the dashboards'
filters) and report periods as people type them (`2021`, `2021-H1`, `2021-Q1`,
`2021-01-01..2021-06-30`).

Pure functions, no model import: every app, form, URL and report reads a period through here.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# The experiment's first quarter: the pre-aggregates and the dashboards' quarter filters start here.
EXPERIMENT_START = dt.date(2019, 7, 1)

# --- Quarters (the pre-aggregates' and the dashboards' unit) --------------------------------------


def quarter_of(day: dt.date) -> dt.date:
    """The first day of the calendar quarter holding `day`."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(quarter: dt.date) -> dt.date:
    month = quarter.month + 3
    return dt.date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_end(quarter: dt.date) -> dt.date:
    return next_quarter(quarter) - dt.timedelta(days=1)


def quarter_label(quarter: dt.date) -> str:
    """`T1 2021`: how the interface names a quarter."""
    return _("T%(n)s %(year)s") % {"n": (quarter.month - 1) // 3 + 1, "year": quarter.year}


def quarter_param(quarter: dt.date) -> str:
    """`2021-T1`: how a URL names a quarter (see `parse_quarter`)."""
    return f"{quarter.year}-T{(quarter.month - 1) // 3 + 1}"


def parse_quarter(text: str | None) -> dt.date | None:
    """`2021-T1` (or `2021-Q1`, `2021-1`) → first day of the quarter; None when unreadable."""
    if not text:
        return None
    year, _sep, number = text.strip().upper().partition("-")
    number = number.lstrip("TQ")
    if not (year.isdigit() and number.isdigit() and 1900 < int(year) < 2200 and 1 <= int(number) <= 4):
        return None
    return dt.date(int(year), 3 * int(number) - 2, 1)


def quarters_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every quarter from `first`'s to `last`'s, both included."""
    quarters, current = [], quarter_of(first)
    while current <= last:
        quarters.append(current)
        current = next_quarter(current)
    return quarters


# --- Report periods ------------------------------------------------------------------------------

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-[HS]([12])$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})-[QT]([1-4])$", re.IGNORECASE)
_DATES = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
MAX_DAYS = 366 * 5


class PeriodError(ValueError):
    """A period or a scope that cannot be read; the message says what to type instead."""


def french_date(day: dt.date) -> str:
    """`22 novembre 2026`, `1er janvier 2021` (the French ordinal for the first of the month)."""
    text = date_format(day, "j F Y")
    return "1er" + text[1:] if day.day == 1 else text


def _ordinal(number: int) -> str:
    return _("1er") if number == 1 else _("%(n)se") % {"n": number}


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date

    @property
    def title(self) -> str:
        """The period in words: `1er trimestre 2021`, `2e semestre 2020`, `année 2021`…"""
        if _YEAR.match(self.label):
            return _("année %(year)s") % {"year": self.label}
        if match := _HALF.match(self.label):
            return _("%(n)s semestre %(year)s") % {"n": _ordinal(int(match[2])), "year": match[1]}
        if match := _QUARTER.match(self.label):
            return _("%(n)s trimestre %(year)s") % {"n": _ordinal(int(match[2])), "year": match[1]}
        return _("du %(start)s au %(end)s") % {
            "start": french_date(self.start),
            "end": french_date(self.end),
        }


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _months(year: int, first: int, last: int, label: str) -> Period:
    return Period(label, dt.date(year, first, 1), _month_end(year, last))


def parse_period(text: str) -> Period:
    """Read a year, a half-year, a quarter or two dates; raise PeriodError otherwise."""
    text = (text or "").strip()
    if match := _YEAR.match(text):
        return _months(int(match[1]), 1, 12, text)
    if match := _HALF.match(text):
        half = int(match[2])
        return _months(int(match[1]), 6 * half - 5, 6 * half, f"{match[1]}-H{half}")
    if match := _QUARTER.match(text):
        quarter = int(match[2])
        return _months(int(match[1]), 3 * quarter - 2, 3 * quarter, f"{match[1]}-Q{quarter}")
    if match := _DATES.match(text):
        try:
            start, end = dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])
        except ValueError as exc:
            raise PeriodError(_("Date impossible : vérifiez le jour et le mois.")) from exc
        if end < start:
            raise PeriodError(_("La date de fin doit suivre la date de début."))
        if (end - start).days > MAX_DAYS:
            raise PeriodError(_("Une période couvre au plus cinq ans."))
        return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    raise PeriodError(
        _(
            "Période illisible : écrivez une année (2021), un semestre (2021-H1), un trimestre "
            "(2021-Q1) ou deux dates (2021-01-01..2021-06-30)."
        )
    )


def period_before(periodicity: str, today: dt.date) -> Period:
    """The last complete period of the given periodicity (`year`, `half_year`, `quarter`: the values
    of `evaluation.models.Periodicity`) before the one `today` falls in."""
    if periodicity == "year":
        return parse_period(str(today.year - 1))
    months = 6 if periodicity == "half_year" else 3
    index = (today.month - 1) // months
    year = today.year
    if index == 0:
        year, index = year - 1, 12 // months
    prefix = "H" if months == 6 else "Q"
    return parse_period(f"{year}-{prefix}{index}")
