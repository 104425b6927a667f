"""Attention thresholds changed by the national team (every change refreshes every site's
signals), and the notifications of newly raised signals."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from atc.notifications import kinds
from atc.notifications.services import notify
from atc.permissions import site_followers, site_team
from evaluation.figures import attention
from evaluation.models import AttentionSignal, AttentionThreshold

# The rules whose signal is, for the site's team, a reminder of something to do.
REMINDER_KIND = {"minutes": kinds.REMINDER_MINUTES, "reporting": kinds.REMINDER_INDICATORS}

REFRESH_TASK = "evaluation.refresh_attention_signals"


def thresholds_update(*, values: dict[tuple[str, str], int], user) -> list[tuple[str, str]]:
    """Record the thresholds whose value changes (`values`: (rule, parameter) → value, each within
    its parameter's bounds) by `user`; returns the (rule, parameter) changed. Each change is kept in
    the threshold's history (who, when, old and new value). The caller queues the refresh of every
    site's signals when anything changed (`tasks.refresh_attention_signals`, after the commit)."""
    changed = []
    with transaction.atomic():
        current = attention.thresholds()
        for (rule, key), value in values.items():
            param = attention.parameter(rule, key)
            if not param.minimum <= value <= param.maximum:
                raise ValueError(f"{rule}.{key} = {value} is outside [{param.minimum}, {param.maximum}]")
            if current[(rule, key)] == value:
                continue
            row = AttentionThreshold.objects.select_for_update().filter(rule=rule, parameter=key).first()
            if row is None:
                row = AttentionThreshold(rule=rule, parameter=key)
            row.value = value
            row.updated_by = user
            row._history_user = user
            row.save()
            changed.append((rule, key))
    return changed


def signals_notify(*, signal_ids: list[int]) -> int:
    """Tell of each newly raised signal (still open): the site's followers (préfet delegates,
    network coordinators, national team) as « point d'attention », and its team as a reminder for
    the rules that ask them to do something (minutes, logbook and indicators), as a point of attention
    otherwise. Once per signal and person, whatever the retries (the notification's dedupe key).
    Returns the notifications created."""
    created = 0
    signals = AttentionSignal.objects.open().filter(pk__in=signal_ids).select_related("site")
    for signal in signals:
        rule = attention.BY_KEY.get(signal.rule)
        if rule is None:
            continue
        site = signal.site
        title = _("%(site)s : %(label)s") % {"site": site.name, "label": rule.label}
        common = {"body": signal.reason, "dedupe_key": f"attention:{signal.pk}", "site": site}
        team = site_team(site)
        created += len(
            notify(
                kinds.SIGNAL,
                recipients=site_followers(site).exclude(pk__in=team.values("pk")),
                title=title,
                url=reverse("attention:site_history", args=[site.slug]),
                **common,
            )
        )
        created += len(
            notify(
                REMINDER_KIND.get(signal.rule, kinds.SIGNAL),
                recipients=team,
                title=title,
                url=reverse("sites:site_home", args=[site.slug]),
                **common,
            )
        )
    return created
