"""The API's filters: `site` (its identifier), `network` (its code) and `period` (a year, a
half-year, a quarter or two dates, as atc.periods reads them). A filter only narrows what the
person may read: it never widens it."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend

from atc.periods import Period, PeriodError, next_quarter, parse_period, quarter_of

MAX_PARAM_LENGTH = 200

SITE_HELP = gettext_lazy("Identifiant du site (par exemple « marseille »).")
NETWORK_HELP = gettext_lazy("Code de la tête de réseau (« fcsf », « cnlrq » ou « bbz »).")
PERIOD_HELP = gettext_lazy(
    "Période : une année (2021), un semestre (2021-S1), un trimestre (2021-T1) ou deux dates "
    "(2021-01-01..2021-06-30)."
)


def clean_param(request, name: str) -> str:
    """A query-string value, refused with a French message when it cannot be a filter value."""
    value = request.query_params.get(name, "")
    if len(value) > MAX_PARAM_LENGTH or any(ord(char) < 32 for char in value):
        raise exceptions.ValidationError(
            {name: [_("Valeur illisible : au plus 200 caractères imprimables.")]}
        )
    return value.strip()


def period_param(request) -> Period | None:
    """The `period` of the query string, or None; a 400 saying what to type when unreadable."""
    text = clean_param(request, "period")
    if not text:
        return None
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise exceptions.ValidationError({"period": [str(exc)]}) from exc


def quarters_of(period: Period) -> tuple[datetime.date, datetime.date]:
    """The first and last quarters of a period made of whole quarters; a 400 otherwise (figures
    are kept by quarter)."""
    first, last = quarter_of(period.start), quarter_of(period.end)
    if period.start != first or period.end != next_quarter(last) - datetime.timedelta(days=1):
        raise exceptions.ValidationError(
            {
                "period": [
                    _("Les chiffres sont trimestriels : choisissez une année, un semestre ou un trimestre.")
                ]
            }
        )
    return first, last


def _schema_param(name: str, description) -> dict:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": str(description),
        "schema": {"type": "string"},
    }


class ScopeFilter(BaseFilterBackend):
    """Narrows a list by site, network and period. The view names its lookups:
    `site_lookup` (to the site's slug), `network_lookup` (to the network's code; or a method
    `filter_network(queryset, code)`), and
    `period_lookups` = (start field, end field) of a dated row (one field twice for a date)."""

    def filter_queryset(self, request, queryset, view):
        if site := clean_param(request, "site"):
            queryset = queryset.filter(**{view.site_lookup: site})
        if network := clean_param(request, "network"):
            narrow = getattr(view, "filter_network", None)
            queryset = (
                narrow(queryset, network) if narrow else queryset.filter(**{view.network_lookup: network})
            )
        lookups = getattr(view, "period_lookups", None)
        if lookups and (period := period_param(request)) is not None:
            start, end = lookups
            # A row overlaps the period; an open end (no date) leaves that side unbounded.
            queryset = queryset.filter(
                Q(**{f"{start}__lte": period.end}) | Q(**{f"{start}__isnull": True}),
                Q(**{f"{end}__gte": period.start}) | Q(**{f"{end}__isnull": True}),
            )
        return queryset

    def get_schema_operation_parameters(self, view):
        params = [_schema_param("site", SITE_HELP), _schema_param("network", NETWORK_HELP)]
        if getattr(view, "period_lookups", None):
            params.append(_schema_param("period", PERIOD_HELP))
        return params
