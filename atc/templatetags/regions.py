"""`{% element_id "tableau" as name %}`: an id unique within the page, so that a scrolling table's
box can be named by its table's caption (`aria-labelledby`), even inside loops and includes."""

import itertools

from django import template

register = template.Library()

_fallback = itertools.count(1)


@register.simple_tag(takes_context=True)
def element_id(context, prefix: str = "element") -> str:
    """The next id of this request (a document rendered without a request, a PDF's, counts on)."""
    request = context.get("request")
    if request is None:
        return f"{prefix}-{next(_fallback)}"
    counter = getattr(request, "_atc_element_ids", 0) + 1
    request._atc_element_ids = counter
    return f"{prefix}-{counter}"
