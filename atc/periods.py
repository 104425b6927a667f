"""Periods, in one place: calendar quarters (the unit of the pre-aggregates and the dashboards'
filters) and periods as people type them, read by every form, URL, command and report.

`parse_period` reads « 2021 », « T1 2021 », « 2021-T1 », « 2021-Q1 », « S2 2021 », « 2021-H2 »,
two dates (« 2021-01-01..2021-06-30 », « du 01/01/2021 au 30/06/2021 ») and every label this module
writes (`Period.label`, `.short`, `.title`). Anything else, or a year outside 2000–2100, raises
`PeriodError` with a French message: forms show it as a field error, URLs answer 404 or fall back.

Pure functions, no model import.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# The experiment's first quarter: the pre-aggregates and the dashboards' quarter filters start here.
EXPERIMENT_START = dt.date(2019, 7, 1)
# The plausible span of any date the platform counts: outside it, a date is a typo (year 9999…).
YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_DAYS = 366 * 5


class PeriodError(ValueError):
    """A period or a scope that cannot be read; the message says what to type instead."""


def french_date(day: dt.date) -> str:
    """`22 novembre 2026`, `1er janvier 2021` (the French ordinal for the first of the month)."""
    text = date_format(day, "j F Y")
    return "1er" + text[1:] if day.day == 1 else text


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, the month's last day when it has fewer days
    (31 March minus one month: 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def _ordinal(number: int) -> str:
    return _("1er") if number == 1 else _("%(n)se") % {"n": number}


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A span of days. `label` is its canonical, URL-safe name (`2021-T1`, `2021-S2`, `2021`,
    `2021-01-01..2021-06-30`); how it is shown is derived from the dates, so a period stored
    under an older label (`2021-Q1`) reads the same."""

    label: str
    start: dt.date
    end: dt.date

    @property
    def kind(self) -> str:
        """`year`, `half_year`, `quarter` or `range` (the first three: `Periodicity`'s values)."""
        start, end = self.start, self.end
        if ".." in self.label:  # typed as two dates: shown as two dates
            return "range"
        if start.day != 1 or start.year != end.year or end != _month_end(end.year, end.month):
            return "range"
        months = end.month - start.month + 1
        if months == 12:
            return "year"
        if months == 6 and start.month in (1, 7):
            return "half_year"
        if months == 3 and start.month in (1, 4, 7, 10):
            return "quarter"
        return "range"

    @property
    def short(self) -> str:
        """How tables and filters name it: `T1 2021`, `S2 2021`, `2021`, `01/01/2021 – 30/06/2021`."""
        kind, year = self.kind, self.start.year
        if kind == "year":
            return str(year)
        if kind == "half_year":
            return _("S%(n)s %(year)s") % {"n": 1 if self.start.month == 1 else 2, "year": year}
        if kind == "quarter":
            return _("T%(n)s %(year)s") % {"n": (self.start.month - 1) // 3 + 1, "year": year}
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    @property
    def title(self) -> str:
        """The period in words: `1er trimestre 2021`, `2e semestre 2020`, `année 2021`…"""
        kind, year = self.kind, self.start.year
        if kind == "year":
            return _("année %(year)s") % {"year": year}
        if kind == "half_year":
            return _("%(n)s semestre %(year)s") % {
                "n": _ordinal(1 if self.start.month == 1 else 2),
                "year": year,
            }
        if kind == "quarter":
            return _("%(n)s trimestre %(year)s") % {
                "n": _ordinal((self.start.month - 1) // 3 + 1),
                "year": year,
            }
        return _("du %(start)s au %(end)s") % {"start": french_date(self.start), "end": french_date(self.end)}


def year_period(year: int) -> Period:
    _check_year(year)
    return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


def half_year_period(year: int, half: int) -> Period:
    _check_year(year)
    return Period(f"{year}-S{half}", dt.date(year, 6 * half - 5, 1), _month_end(year, 6 * half))


def quarter_period(year: int, number: int) -> Period:
    _check_year(year)
    return Period(f"{year}-T{number}", dt.date(year, 3 * number - 2, 1), _month_end(year, 3 * number))


def adjacent_period(period: Period, step: int) -> Period | None:
    """The year, half-year or quarter `step` periods after `period` (before it when negative), of
    the same kind; None for two dates typed as a range, or past the years the platform accepts."""
    months = {"year": 12, "half_year": 6, "quarter": 3}.get(period.kind)
    if months is None:
        return None
    index = period.start.year * 12 + period.start.month - 1 + step * months
    year, month = divmod(index, 12)
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    if months == 12:
        return year_period(year)
    number = month // months + 1
    return half_year_period(year, number) if months == 6 else quarter_period(year, number)


def range_period(start: dt.date, end: dt.date) -> Period:
    _check_year(start.year)
    _check_year(end.year)
    if end < start:
        raise PeriodError(_("La date de fin doit suivre la date de début."))
    if (end - start).days > MAX_DAYS:
        raise PeriodError(_("Une période couvre au plus cinq ans."))
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PeriodError(
            _("Année %(year)s hors de la plage admise : écrivez une année entre %(min)s et %(max)s.")
            % {"year": year, "min": YEAR_MIN, "max": YEAR_MAX}
        )


# --- Quarters (the pre-aggregates' and the dashboards' unit) --------------------------------------


def quarter_of(day: dt.date) -> dt.date:
    """The first day of the calendar quarter holding `day`."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(quarter: dt.date) -> dt.date:
    month = quarter.month + 3
    return dt.date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_as_period(quarter: dt.date) -> Period:
    """The quarter holding the day `quarter` (no year check: it names stored rows, whatever they hold)."""
    quarter = quarter_of(quarter)
    number = (quarter.month - 1) // 3 + 1
    return Period(f"{quarter.year}-T{number}", quarter, _month_end(quarter.year, 3 * number))


def quarter_label(quarter: dt.date) -> str:
    """`T1 2021`: how the interface names a quarter."""
    return quarter_as_period(quarter).short


def quarter_param(quarter: dt.date) -> str:
    """`2021-T1`: how a URL names a quarter (read back by `parse_quarter`)."""
    return quarter_as_period(quarter).label


def parse_quarter(text: str | None) -> dt.date | None:
    """First day of the quarter named by `text` (any syntax of `parse_period`); None when empty.
    Raises PeriodError when `text` is not a quarter."""
    if not (text or "").strip():
        return None
    period = parse_period(text)
    if period.kind != "quarter":
        raise PeriodError(_("Choisissez un trimestre, par exemple T1 2021."))
    return period.start


def quarters_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every quarter from `first`'s to `last`'s, both included."""
    quarters, current = [], quarter_of(first)
    while current <= last:
        quarters.append(current)
        current = next_quarter(current)
    return quarters


# --- Reading what people type ---------------------------------------------------------------------

_YEAR = r"(\d{4})"
_FORMS = [
    # (pattern, kind, group of the year, group of the number)
    (re.compile(rf"^{_YEAR}$", re.IGNORECASE), "year", 1, None),
    (re.compile(rf"^(?:ann[ée]e\s+){_YEAR}$", re.IGNORECASE), "year", 1, None),
    (re.compile(rf"^{_YEAR}\s*[-\s]?\s*[TQ]([1-4])$", re.IGNORECASE), "quarter", 1, 2),
    (re.compile(rf"^[TQ]([1-4])\s*[-\s]?\s*{_YEAR}$", re.IGNORECASE), "quarter", 2, 1),
    (re.compile(rf"^([1-4])(?:er|e|ème)\s+trimestre\s+{_YEAR}$", re.IGNORECASE), "quarter", 2, 1),
    (re.compile(rf"^{_YEAR}\s*[-\s]?\s*[SH]([12])$", re.IGNORECASE), "half_year", 1, 2),
    (re.compile(rf"^[SH]([12])\s*[-\s]?\s*{_YEAR}$", re.IGNORECASE), "half_year", 2, 1),
    (re.compile(rf"^([12])(?:er|e|ème)\s+semestre\s+{_YEAR}$", re.IGNORECASE), "half_year", 2, 1),
]
_DAY = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|1er\s+\S+\s+\d{4}|\d{1,2}\s+\S+\s+\d{4})"
_RANGE = re.compile(rf"^(?:du\s+)?{_DAY}\s*(?:\.\.|–|—|\s-\s|\sau\s)\s*{_DAY}$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("janvier",),
            ("février", "fevrier"),
            ("mars",),
            ("avril",),
            ("mai",),
            ("juin",),
            ("juillet",),
            ("août", "aout"),
            ("septembre",),
            ("octobre",),
            ("novembre",),
            ("décembre", "decembre"),
        ],
        start=1,
    )
    for name in names
}


def _read_day(text: str) -> dt.date:
    try:
        if "-" in text:
            year, month, day = (int(part) for part in text.split("-"))
        elif "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
        else:
            day_text, month_text, year_text = text.split()
            day = 1 if day_text == "1er" else int(day_text)
            month, year = _MONTHS[month_text], int(year_text)
        _check_year(year)
        return dt.date(year, month, day)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(
            _("Date impossible : %(date)s. Vérifiez le jour et le mois.") % {"date": text}
        ) from exc


def parse_period(text: str | None) -> Period:
    """Read a year, a half-year, a quarter or two dates (see the module's docstring); raise
    PeriodError, whose message says what to type, otherwise."""
    cleaned = " ".join((text or "").strip().lower().split())
    for pattern, kind, year_group, number_group in _FORMS:
        if match := pattern.match(cleaned):
            year = int(match[year_group])
            if kind == "year":
                return year_period(year)
            number = int(match[number_group])
            return quarter_period(year, number) if kind == "quarter" else half_year_period(year, number)
    if match := _RANGE.match(cleaned):
        return range_period(_read_day(match[1]), _read_day(match[2]))
    raise PeriodError(
        _(
            "Période illisible : écrivez une année (2021), un semestre (S1 2021), un trimestre "
            "(T1 2021) ou deux dates (01/01/2021..30/06/2021)."
        )
    )


def period_before(periodicity: str, today: dt.date) -> Period:
    """The last complete period of the given periodicity (`year`, `half_year`, `quarter`: the values
    of `evaluation.models.Periodicity`) before the one `today` falls in."""
    if periodicity == "year":
        return year_period(today.year - 1)
    months = 6 if periodicity == "half_year" else 3
    index = (today.month - 1) // months
    year = today.year
    if index == 0:
        year, index = year - 1, 12 // months
    return half_year_period(year, index) if months == 6 else quarter_period(year, index)


# --- The dashboards' period: a span of whole quarters ---------------------------------------------

# The experiment's last day, once it is decided; while it runs, its span ends with today's quarter.
EXPERIMENT_END: dt.date | None = None

PRESET_EXPERIMENT = "experimentation"
PRESET_LAST_FOUR = "4-derniers-trimestres"
PRESET_YEAR = "annee"
PRESET_RANGE = "plage"
PRESETS = (PRESET_EXPERIMENT, PRESET_LAST_FOUR, PRESET_YEAR, PRESET_RANGE)


@dataclass(frozen=True)
class QuarterSpan:
    """The quarters a dashboard counts, from `first`'s to `last`'s (first days of quarters), both
    included, and the preset that chose them. `params` writes it back to a query string that
    `read_quarter_span` reads the same (a dashboard's export links carry it)."""

    first: dt.date
    last: dt.date
    preset: str = PRESET_RANGE

    @property
    def start(self) -> dt.date:
        return self.first

    @property
    def end(self) -> dt.date:
        return quarter_as_period(self.last).end

    @property
    def quarters(self) -> list[dt.date]:
        return quarters_between(self.first, self.last)

    @property
    def label(self) -> str:
        """`T3 2019 – T4 2026`, `2025` for a calendar year, `T2 2026` for one quarter."""
        if self.preset == PRESET_YEAR:
            return str(self.first.year)
        if self.first == self.last:
            return quarter_label(self.first)
        return f"{quarter_label(self.first)} – {quarter_label(self.last)}"

    @property
    def key(self) -> str:
        """A cache key part naming the span (the fragments kept per period)."""
        return f"{self.preset}:{quarter_param(self.first)}:{quarter_param(self.last)}"

    def params(self) -> dict[str, str]:
        if self.preset == PRESET_EXPERIMENT:
            return {}
        if self.preset == PRESET_LAST_FOUR:
            return {"periode": PRESET_LAST_FOUR}
        if self.preset == PRESET_YEAR:
            return {"periode": PRESET_YEAR, "annee": str(self.first.year)}
        return {"periode": PRESET_RANGE, "du": quarter_param(self.first), "au": quarter_param(self.last)}

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def experiment_span(today: dt.date) -> QuarterSpan:
    """The experiment's whole duration: from its first quarter to its last (today's while it runs)."""
    last = quarter_of(EXPERIMENT_END or today)
    return QuarterSpan(
        quarter_of(EXPERIMENT_START), max(last, quarter_of(EXPERIMENT_START)), PRESET_EXPERIMENT
    )


def last_four_quarters(today: dt.date) -> QuarterSpan:
    """Today's quarter and the three before it, within the experiment."""
    whole = experiment_span(today)
    last = min(quarter_of(today), whole.last)
    first = quarter_of(months_before(last, 9))
    return QuarterSpan(max(first, whole.first), last, PRESET_LAST_FOUR)


def experiment_years(today: dt.date) -> list[int]:
    """The calendar years the year picker offers, oldest first."""
    whole = experiment_span(today)
    return list(range(whole.first.year, whole.last.year + 1))


def read_quarter_span(params, today: dt.date) -> tuple[QuarterSpan, str]:
    """The dashboards' period read from a query string (`periode`, `annee`, `du`, `au`), and a
    French message when what was asked cannot be read: the whole experiment is shown instead.

    `?du=2021-T1&au=2021-T4` alone is a custom range and `?annee=2024` alone a year, so the links
    written before the presets existed keep working. A quarter outside the experiment is refused
    with a message rather than silently moved.
    """
    whole = experiment_span(today)
    preset = (params.get("periode") or "").strip()
    start_text, end_text = (params.get("du") or "").strip(), (params.get("au") or "").strip()
    year_text = (params.get("annee") or "").strip()
    if not preset:
        preset = PRESET_RANGE if (start_text or end_text) else PRESET_YEAR if year_text else PRESET_EXPERIMENT
    if preset == PRESET_EXPERIMENT:
        return whole, ""
    if preset == PRESET_LAST_FOUR:
        return last_four_quarters(today), ""
    outside = _(
        "Choisissez une période comprise dans l'expérimentation, de %(first)s à %(last)s. "
        "L'expérimentation entière est affichée."
    ) % {"first": quarter_label(whole.first), "last": quarter_label(whole.last)}
    if preset == PRESET_YEAR:
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            return whole, _(
                "Année illisible : choisissez une année dans la liste. "
                "L'expérimentation entière est affichée."
            )
        year = int(year_text)
        if year not in experiment_years(today):
            return whole, outside
        first = max(dt.date(year, 1, 1), whole.first)
        return QuarterSpan(first, min(dt.date(year, 10, 1), whole.last), PRESET_YEAR), ""
    if preset != PRESET_RANGE:
        return whole, _(
            "Période inconnue : choisissez-en une dans la liste. L'expérimentation entière est affichée."
        )
    try:
        first = parse_quarter(start_text[:40]) or whole.first
        last = parse_quarter(end_text[:40]) or whole.last
    except PeriodError as error:
        return whole, _("%(error)s L'expérimentation entière est affichée.") % {"error": error}
    if first > last:
        return whole, _(
            "Le trimestre de début (%(first)s) suit celui de fin (%(last)s) : choisissez un début "
            "avant la fin. L'expérimentation entière est affichée."
        ) % {"first": quarter_label(first), "last": quarter_label(last)}
    if first < whole.first or last > whole.last:
        return whole, outside
    return QuarterSpan(first, last, PRESET_RANGE), ""
