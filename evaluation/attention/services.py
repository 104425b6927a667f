"""Attention thresholds changed by the national team; every change refreshes every site's signals."""

from django.db import transaction

from evaluation.figures import attention
from evaluation.models import AttentionThreshold

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
