"""The rules that compute an indicator from the platform's data, per site and period.

Each rule takes the site ids and the period and answers {site id: value} in a fixed number of
queries, whatever the number of sites (the national report asks for 1,600 at once).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilotage.models import ATTENDANCE_FIELDS, Action, ActionStatusChange, Meeting
from sites.models import OrganisationCategory

Values = dict[int, Decimal]


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def action_statuses_at(site_ids: Iterable[int], day: dt.date) -> dict[int, tuple[int, str]]:
    """{action id: (site id, status on `day`)} for the actions that existed by then.

    An action existed once it started, got its first status, or was recorded. Its status on the
    day is the last recorded change up to then (before its first change: that change's former
    status), so a report on a past period shows the actions as they stood then.
    """
    moment = end_of_day(day)
    existed = Q(start_date__lte=day) | Q(created_at__lte=moment) | Q(status_changes__changed_at__lte=moment)
    actions = (
        Action.objects.filter(existed, site_id__in=site_ids).distinct().values_list("id", "site_id", "status")
    )
    result = {pk: (site_id, status) for pk, site_id, status in actions}
    changes = (
        ActionStatusChange.objects.filter(action_id__in=result.keys())
        .order_by("action_id", "changed_at", "id")
        .values_list("action_id", "from_status", "to_status", "changed_at")
    )
    seen = set()
    for action_id, from_status, to_status, changed_at in changes:
        site_id = result[action_id][0]
        if changed_at <= moment:
            result[action_id] = (site_id, to_status)
        elif action_id not in seen:
            result[action_id] = (site_id, from_status or Action.Status.IDEA)
        seen.add(action_id)
    return result


def _period_meetings(site_ids, start, end):
    return Meeting.objects.filter(site_id__in=site_ids, date__gte=start, date__lte=end)


def steering_meetings(site_ids, start, end) -> Values:
    rows = (
        _period_meetings(site_ids, start, end)
        .filter(kind=Meeting.Kind.STEERING)
        .values("site_id")
        .annotate(n=Count("id"))
    )
    return {row["site_id"]: Decimal(row["n"]) for row in rows}


def meetings(site_ids, start, end) -> Values:
    rows = _period_meetings(site_ids, start, end).values("site_id").annotate(n=Count("id"))
    return {row["site_id"]: Decimal(row["n"]) for row in rows}


def residents_share(site_ids, start, end) -> Values:
    resident_fields = [
        ATTENDANCE_FIELDS[OrganisationCategory.RESIDENTS],
        ATTENDANCE_FIELDS[OrganisationCategory.CITIZENS_COUNCIL],
    ]
    sums = {field: Sum(field) for field in ATTENDANCE_FIELDS.values()}
    rows = _period_meetings(site_ids, start, end).values("site_id").annotate(**sums)
    result = {}
    for row in rows:
        total = sum(row[field] or 0 for field in ATTENDANCE_FIELDS.values())
        if total:
            residents = sum(row[field] or 0 for field in resident_fields)
            result[row["site_id"]] = (Decimal(residents) * 100 / total).quantize(Decimal("0.1"))
    return result


def actions_running(site_ids, start, end) -> Values:
    result: Values = {}
    for site_id, status in action_statuses_at(site_ids, end).values():
        if status == Action.Status.RUNNING:
            result[site_id] = result.get(site_id, Decimal(0)) + 1
    return result


def distinct_partners(site_ids, start, end) -> Values:
    rows = (
        Meeting.organisations.through.objects.filter(
            meeting__site_id__in=site_ids, meeting__date__gte=start, meeting__date__lte=end
        )
        .values("meeting__site_id")
        .annotate(n=Count("partnerorganisation_id", distinct=True))
    )
    return {row["meeting__site_id"]: Decimal(row["n"]) for row in rows}


def actions_done(site_ids, start, end) -> Values:
    rows = (
        ActionStatusChange.objects.filter(
            action__site_id__in=site_ids,
            to_status=Action.Status.DONE,
            changed_at__gte=start_of_day(start),
            changed_at__lte=end_of_day(end),
        )
        .values("action__site_id")
        .annotate(n=Count("action_id", distinct=True))
    )
    return {row["action__site_id"]: Decimal(row["n"]) for row in rows}


RULES: dict[str, tuple[str, Callable[..., Values]]] = {
    "steering_meetings": (_("Réunions de l'instance de pilotage sur la période"), steering_meetings),
    "meetings": (_("Réunions de toutes sortes sur la période"), meetings),
    "residents_share": (
        _("Part des habitant·es et du conseil citoyen parmi les participant·es (%)"),
        residents_share,
    ),
    "actions_running": (_("Actions en cours à la fin de la période"), actions_running),
    "actions_done": (_("Actions réalisées pendant la période"), actions_done),
    "distinct_partners": (
        _("Organisations distinctes présentes à au moins une réunion"),
        distinct_partners,
    ),
}


def rule_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, (label, _fn) in RULES.items()]


def compute(rule: str, site_ids: Iterable[int], start: dt.date, end: dt.date) -> Values:
    """{site id: value} of a computed indicator; sites without data are absent (no value)."""
    if rule not in RULES:
        return {}
    return RULES[rule][1](list(site_ids), start, end)
