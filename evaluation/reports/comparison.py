"""The report's summary figures and their comparisons: each key figure of the period beside the
previous comparable period, a site placed among its network's and all the sites (by quartile,
never by another site's name), and a network's sites side by side.

Every figure is read from the dashboards' pre-aggregates (`evaluation.figures.multisite`): the
summary and the dashboards never disagree. The pre-aggregates count by calendar quarter, so a
period typed as two dates is read on the quarters it touches.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from atc.formats import format_number
from atc.periods import Period, adjacent_period, french_date, quarter_of, range_period
from evaluation.figures import aggregates, attention, multisite
from evaluation.indicators.rules import action_statuses_at
from evaluation.models import AttentionSignal
from pilotage.models import Action
from sites.models import PartnerOrganisation, Site

ATTENTION_LISTED = 12


@dataclass(frozen=True)
class Measure:
    """A key figure of the summary: how one site's value is read and how the scope's is made."""

    key: str
    label: str
    decimals: int
    unit: str = ""
    # The scope's value from the per-site rows (a sum unless said otherwise).
    total: Callable[[list[dict]], float | None] | None = None


def _share(rows: list[dict]) -> float | None:
    attendees = sum(row.get("attendees") or 0 for row in rows)
    return sum(row.get("civil") or 0 for row in rows) * 100.0 / attendees if attendees else None


MEASURES = (
    Measure("fte", gettext_lazy("Temps d'animation en poste à la fin de la période (ETP)"), 1),
    Measure("meetings_count", gettext_lazy("Réunions tenues"), 0),
    Measure("steering", gettext_lazy("Réunions de pilotage"), 0),
    Measure("attendees", gettext_lazy("Participations aux réunions"), 0),
    Measure(
        "civil_share",
        gettext_lazy("Part de la société civile dans les participations"),
        0,
        unit="%",
        total=_share,
    ),
    Measure("actions_count", gettext_lazy("Actions démarrées"), 0),
    Measure("reached", gettext_lazy("Habitant·es touché·es par ces actions"), 0),
    Measure("logbook_filled", gettext_lazy("Trimestres couverts par le carnet de bord"), 0),
)


def previous_period(period: Period) -> Period:
    """The comparable period just before: the previous year, half-year or quarter; for two dates,
    as many days just before the first."""
    before = adjacent_period(period, -1)
    if before is not None:
        return before
    days = (period.end - period.start).days + 1
    return range_period(period.start - dt.timedelta(days=days), period.start - dt.timedelta(days=1))


def per_site(site_ids: list[int], period: Period) -> dict[int, dict]:
    """{site id: {measure key: value}} over the period, every site present (zero when silent)."""
    aggregates.refresh_stale(site_ids, limit=None)
    window = multisite.SitePeriod(start=quarter_of(period.start), end=quarter_of(period.end))
    rows = {pk: {"site_id": pk} for pk in site_ids}
    for row in multisite.stats_by_site(site_ids=site_ids, period=window, today=period.end):
        rows[row["site_id"]].update(row)
    for pk, value in multisite.current_fte(site_ids=site_ids, today=period.end).items():
        rows[pk]["fte"] = value
    return rows


def _value(measure: Measure, rows: list[dict]) -> float | None:
    if measure.total is not None:
        return measure.total(rows)
    return float(sum(Decimal(str(row.get(measure.key) or 0)) for row in rows))


def _shown(measure: Measure, value) -> str:
    if value is None:
        return "—"
    text = format_number(value, measure.decimals)
    return f"{text}\u00a0%" if measure.unit == "%" else text


def _change(measure: Measure, value, before) -> dict:
    """The change in figures and in words (never colour alone): arrow, « en hausse »…"""
    if value is None or before is None:
        return {"arrow": "", "words": _("pas de comparaison possible"), "delta": "—", "trend": "none"}
    delta = round(value - before, measure.decimals)
    if delta == 0:
        return {"arrow": "=", "words": _("stable"), "delta": "0", "trend": "same"}
    sign = "+" if delta > 0 else "\u2212"
    amount = format_number(abs(delta), measure.decimals)
    if measure.unit == "%":
        amount = _("%(n)s points") % {"n": amount}
    elif before:
        amount = f"{amount} ({sign}{format_number(abs(delta) * 100 / before, 0)}\u00a0%)"
    if delta > 0:
        return {"arrow": "↑", "words": _("en hausse"), "delta": f"+{amount}", "trend": "up"}
    return {"arrow": "↓", "words": _("en baisse"), "delta": f"{sign}{amount}", "trend": "down"}


def key_figures(site_ids: list[int], period: Period, previous: Period) -> list[dict]:
    """Each key figure of the scope: its value, the previous period's, and the change."""
    now, before = per_site(site_ids, period), per_site(site_ids, previous)
    figures = []
    for measure in MEASURES:
        value = _value(measure, list(now.values()))
        earlier = _value(measure, list(before.values()))
        figures.append(
            {
                "key": measure.key,
                "label": str(measure.label),
                "value": _shown(measure, value),
                "previous": _shown(measure, earlier),
                **_change(measure, value, earlier),
            }
        )
    return figures


QUARTER_WORDS = (
    gettext_lazy("dans le quart inférieur"),
    gettext_lazy("dans le deuxième quart (sous la médiane)"),
    gettext_lazy("dans le troisième quart (au-dessus de la médiane)"),
    gettext_lazy("dans le quart supérieur"),
)


def placement(value, others: list) -> str:
    """Where a value stands among the other sites' values, in words: its quarter, never a name."""
    if value is None:
        return "—"
    others = [v for v in others if v is not None]
    if not others:
        return _("seul site avec une valeur")
    if all(v == value for v in others):
        return _("au même niveau que les autres sites")
    below = sum(1 for v in others if v < value)
    equal = sum(1 for v in others if v == value)
    rank = (below + equal / 2) / len(others)
    return str(QUARTER_WORDS[min(3, int(rank * 4))])


def site_positions(site: Site, period: Period) -> dict:
    """A site among its network's sites and all sites, anonymised: for each key figure, its value
    and its quarter in each distribution (other sites are counted, never named)."""
    everyone = per_site(list(Site.objects.values_list("pk", flat=True)), period)
    network_ids = set(Site.objects.filter(network_id=site.network_id).values_list("pk", flat=True))
    rows = []
    for measure in MEASURES:

        def value_of(pk, measure=measure):
            return _value(measure, [everyone[pk]])

        mine = value_of(site.pk)
        network = [value_of(pk) for pk in network_ids if pk != site.pk]
        national = [value_of(pk) for pk in everyone if pk != site.pk]
        rows.append(
            {
                "label": str(measure.label),
                "value": _shown(measure, mine),
                "network": _("%(where)s des sites du réseau") % {"where": placement(mine, network)},
                "national": _("%(where)s de l'ensemble des sites") % {"where": placement(mine, national)},
            }
        )
    return {
        "rows": rows,
        "network_sites": len(network_ids),
        "national_sites": len(everyone),
    }


def network_table(sites: list[Site], period: Period) -> dict:
    """A network's sites side by side on the key figures of the period."""
    values = per_site([site.pk for site in sites], period)
    return {
        "headers": [str(measure.label) for measure in MEASURES],
        "rows": [
            {
                "name": site.name,
                "cells": [_shown(m, _value(m, [values[site.pk]])) for m in MEASURES],
            }
            for site in sites
        ],
    }


def attention_points(site_ids: list[int], period: Period) -> dict:
    """The attention signals raised during the period or still open in it, in the rules' words."""
    signals = list(
        AttentionSignal.objects.filter(site_id__in=site_ids, raised_at__date__lte=period.end)
        .filter(Q(cleared_at__isnull=True) | Q(cleared_at__date__gte=period.start))
        .select_related("site")
        .order_by("site__name", "rule", "raised_at")
    )
    rows = []
    for signal in signals[:ATTENTION_LISTED]:
        rule = attention.BY_KEY.get(signal.rule)
        rows.append(
            {
                "site": signal.site.name,
                "label": str(rule.label) if rule else signal.rule,
                "reason": signal.reason,
                "state": _("résolu le %(day)s") % {"day": french_date(signal.cleared_at.date())}
                if signal.cleared_at and signal.cleared_at.date() <= period.end
                else _("ouvert à la fin de la période"),
            }
        )
    return {"rows": rows, "more": max(0, len(signals) - ATTENTION_LISTED), "total": len(signals)}


def progress(site_ids: list[int], period: Period) -> list[str]:
    """What progressed over the period, in sentences, leaving out what did not move: actions
    completed and partners joined (each counted from the state the day before the period and at
    its end). Actions started are a key figure of the summary (`actions_count`, the dashboards'
    « Actions démarrées »): not counted a second way here."""
    day_before = period.start - dt.timedelta(days=1)
    at_end, before = action_statuses_at(site_ids, period.end), action_statuses_at(site_ids, day_before)
    done = Action.Status.DONE
    completed = sum(
        1 for pk, (_s, status) in at_end.items() if status == done and before.get(pk, (0, ""))[1] != done
    )
    partners = PartnerOrganisation.objects.filter(site_id__in=site_ids)
    joined = max(0, partners.known_by(period.end).count() - partners.known_by(day_before).count())
    sentences = []
    if completed:
        sentences.append(
            ngettext(
                "%(n)s action achevée sur la période.", "%(n)s actions achevées sur la période.", completed
            )
            % {"n": format_number(completed)}
        )
    if joined:
        sentences.append(
            ngettext(
                "%(n)s nouvelle organisation partenaire.",
                "%(n)s nouvelles organisations partenaires.",
                joined,
            )
            % {"n": format_number(joined)}
        )
    return sentences
