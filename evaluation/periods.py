"""Report periods and scopes as people type them: `2021`, `2021-H1`, `2021-Q1`,
`2021-01-01..2021-06-30`; `national`, `network:FCSF`, `site:marseille` or `site:QP013044`.

Shared by the report form, the schedules and `manage.py build_report`, so the three read a period
the same way.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from evaluation.models import Periodicity, Scope
from sites.models import Network, Site

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
    """The last complete period of the given periodicity before the one `today` falls in."""
    if periodicity == Periodicity.YEAR:
        return parse_period(str(today.year - 1))
    months = 6 if periodicity == Periodicity.HALF_YEAR else 3
    index = (today.month - 1) // months
    year = today.year
    if index == 0:
        year, index = year - 1, 12 // months
    prefix = "H" if months == 6 else "Q"
    return parse_period(f"{year}-{prefix}{index}")


@dataclass(frozen=True)
class Target:
    """What a report covers: the whole experiment, one network or one site."""

    scope: str
    network: Network | None = None
    site: Site | None = None

    @property
    def title(self) -> str:
        if self.scope == Scope.SITE:
            return _("Site de %(site)s") % {"site": self.site.name}
        if self.scope == Scope.NETWORK:
            return _("Réseau %(network)s") % {"network": self.network.name}
        return _("Ensemble de l'expérimentation")

    @property
    def slug(self) -> str:
        if self.scope == Scope.SITE:
            return f"site-{self.site.slug}"
        if self.scope == Scope.NETWORK:
            return f"reseau-{self.network.code}"
        return "national"

    def sites(self):
        queryset = Site.objects.all()
        if self.scope == Scope.SITE:
            return queryset.filter(pk=self.site.pk)
        if self.scope == Scope.NETWORK:
            return queryset.filter(network=self.network)
        return queryset


def parse_scope(text: str) -> Target:
    """`national`, `network:CODE` or `site:SLUG` (the site's short name or one of its QPV codes)."""
    text = (text or "").strip()
    kind, _sep, value = text.partition(":")
    kind, value = kind.lower(), value.strip()
    if kind == "national" and not value:
        return Target(Scope.NATIONAL)
    if kind == "network" and value:
        network = Network.objects.filter(Q(code__iexact=value) | Q(name__iexact=value)).first()
        if network is None:
            raise PeriodError(_("Tête de réseau inconnue : %(code)s.") % {"code": value})
        return Target(Scope.NETWORK, network=network)
    if kind == "site" and value:
        code = value.upper()
        site = (
            Site.objects.filter(
                Q(slug=value.lower()) | Q(neighbourhoods__code_2015=code) | Q(neighbourhoods__code_2024=code)
            )
            .distinct()
            .first()
        )
        if site is None:
            raise PeriodError(_("Site inconnu : %(site)s.") % {"site": value})
        return Target(Scope.SITE, site=site)
    raise PeriodError(_("Périmètre illisible : écrivez national, network:CODE ou site:NOM (ou un code QPV)."))
