"""The plausible range of every number and date a person types: one place, read by the models'
validators, the forms, the import's row checks and the views that read a year from the address.

A value outside these ranges is a typo (31/12/9999, 2×10⁹ participants) that would otherwise be
saved and then break what is derived from it (quarterly figures, iCal, sums that overflow the
database's integers). Model fields name a range by its key (`bounded("date")`), so migrations
refer to the key and a range can be widened here without touching them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from atc.periods import YEAR_MAX, YEAR_MIN

# Anything before 2000 or after 2100 is a typo, not a plan: the span the period module accepts.
EARLIEST_DATE = datetime.date(YEAR_MIN, 1, 1)
LATEST_DATE = datetime.date(YEAR_MAX, 12, 31)
EARLIEST_YEAR = EARLIEST_DATE.year
LATEST_YEAR = LATEST_DATE.year
# People, participants, respondents, residents reached: more than a large town is a typo. Nine
# attendance categories at this bound still sum far below the database's 32-bit integers.
MAX_COUNT = 100_000


@dataclass(frozen=True)
class Range:
    low: object
    high: object
    message: object


def _date_message():
    return _("Indiquez une date entre le %(low)s et le %(high)s.") % {
        "low": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
        "high": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
    }


RANGES = {
    "date": Range(EARLIEST_DATE, LATEST_DATE, lazy(_date_message, str)()),
    "count": Range(0, MAX_COUNT, _("Indiquez un nombre entier entre 0 et 100 000.")),
    "percent": Range(0, 100, _("Indiquez un pourcentage entre 0 et 100.")),
    "fte": Range(Decimal("0.1"), Decimal("2.0"), _("Le temps dédié doit être compris entre 0,1 et 2,0 ETP.")),
    # Hours spent over a logbook period: more than two full-time years is a typo.
    "hours": Range(Decimal("0"), Decimal("5000"), _("Indiquez un temps passé entre 0 et 5 000 heures.")),
    # Indicator values and objectives: counts, rates or amounts, always within ±1 billion.
    "indicator": Range(
        Decimal("-1000000000"),
        Decimal("1000000000"),
        _("Indiquez une valeur entre -1 000 000 000 et 1 000 000 000."),
    ),
    "score": Range(Decimal("1"), Decimal("10"), _("La note doit être comprise entre 1 et 10.")),
    "latitude": Range(Decimal("-90"), Decimal("90"), _("La latitude doit être comprise entre -90 et 90.")),
    "longitude": Range(
        Decimal("-180"), Decimal("180"), _("La longitude doit être comprise entre -180 et 180.")
    ),
    "minutes": Range(0, 24 * 60, _("Une réunion dure au plus 24 heures (1 440 minutes).")),
    "day_of_month": Range(1, 28, _("Choisissez un jour entre 1 et 28.")),
    # Avoided costs and leverage claimed for an action (euros): a billion is beyond any
    # neighbourhood's budget; a negative amount is a cost, not an avoided one.
    "amount": Range(
        Decimal("0"), Decimal("1000000000"), _("Indiquez un montant entre 0 et 1 000 000 000 €.")
    ),
    # A quantity avoided or obtained (nights of emergency housing, hours of a service…).
    "quantity": Range(
        Decimal("0"), Decimal("1000000000"), _("Indiquez une quantité entre 0 et 1 000 000 000.")
    ),
    # Display order of catalogue entries.
    "order": Range(0, 1000, _("Indiquez un ordre entre 0 et 1 000.")),
    # Reminders of a questionnaire campaign, and the days between two sendings.
    "reminders": Range(0, 10, _("Indiquez un nombre de relances entre 0 et 10.")),
    "reminder_days": Range(1, 90, _("Indiquez un délai entre 1 et 90 jours.")),
}


@deconstructible
class AtLeast(MinValueValidator):
    """The low end of a named range; migrations store only the name."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(RANGES[kind].low, message=RANGES[kind].message)


@deconstructible
class AtMost(MaxValueValidator):
    """The high end of a named range; migrations store only the name."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(RANGES[kind].high, message=RANGES[kind].message)


def bounded(kind: str) -> list:
    """Both ends of a named range, for a model or form field's `validators`."""
    return [AtLeast(kind), AtMost(kind)]


def input_attrs(kind: str) -> dict:
    """`min`/`max` for the HTML input, so the browser says it before the server does."""
    low, high = RANGES[kind].low, RANGES[kind].high
    if isinstance(low, datetime.date):
        return {"min": low.isoformat(), "max": high.isoformat()}
    return {"min": str(low), "max": str(high)}


def range_of(model_field) -> str | None:
    """The named range a model field declares, if any."""
    return next((v.kind for v in model_field.validators if isinstance(v, AtLeast)), None)


def bound_field(field: forms.Field, kind: str) -> forms.Field:
    """Check a form field against a named range at the field itself, so that the message shows
    beside it before any of the form's own checks reads the value (a year 9999 date plus one
    day overflows). Django's generic range checks are replaced, not repeated."""
    field.validators = [
        v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
    ] + bounded(kind)
    # HTML allows min/max on date and number inputs only: a date typed as text (JJ/MM/AAAA) is
    # checked by the server alone.
    if field.widget.attrs.get("type", getattr(field.widget, "input_type", None)) in ("date", "number"):
        field.widget.attrs.update(input_attrs(kind))
    return field


class BoundedModelForm(forms.ModelForm):
    """A model form whose fields check the ranges their model fields declare."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            try:
                model_field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field has no model range
                continue
            kind = range_of(model_field) if hasattr(model_field, "validators") else None
            if kind:
                bound_field(field, kind)


def within(kind: str, value) -> bool:
    return RANGES[kind].low <= value <= RANGES[kind].high


def span_within(start: datetime.date, end: datetime.date) -> bool:
    return within("date", start) and within("date", end)


def parse_year(text: str) -> int | None:
    """A year typed in an address (`?annee=`), or None when it is not a plausible one."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return None
    year = int(text)
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None
