"""Actors' quotes recorded on a site, which the reports may quote."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from atc.records import assign
from evaluation.models import Quote


def quote_save(*, site, user, data: Mapping[str, Any], quote: Quote | None = None) -> Quote:
    """Create a quote on `site`, or update `quote`, from validated data (QuoteForm's fields)."""
    quote = quote if quote is not None else Quote(site=site, recorded_by=user)
    with transaction.atomic():
        assign(quote, data)
        quote.full_clean()
        quote.save()
    return quote
