"""Writes of the indicators: the values a site enters for a period, all at once."""

from decimal import Decimal

from django.db import transaction

from atc.periods import Period
from evaluation.models import IndicatorValue


def indicator_values_save(*, site, period: Period, values: dict[int, Decimal | None], user) -> int:
    """Create, update or clear (None) the site's values for the period; how many are now set.

    One transaction: an error saves nothing.
    """
    with transaction.atomic():
        existing = {
            v.indicator_id: v
            for v in IndicatorValue.objects.select_for_update().filter(
                site=site, period_start=period.start, period_end=period.end
            )
        }
        for indicator_id, value in values.items():
            row = existing.get(indicator_id)
            if value is None:
                if row is not None:
                    row.delete()
                continue
            if row is None:
                IndicatorValue.objects.create(
                    indicator_id=indicator_id,
                    site=site,
                    period_start=period.start,
                    period_end=period.end,
                    value=value,
                    entered_by=user,
                )
            elif row.value != value:
                row.value, row.entered_by = value, user
                row.save(update_fields=["value", "entered_by", "entered_at"])
        return sum(1 for value in values.values() if value is not None)
