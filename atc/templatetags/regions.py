"""`{% element_id "tableau" as name %}`: an id unique within the document being rendered, so that
a scrolling table's box can be named by its table's caption (`aria-labelledby`), even inside loops,
includes and inclusion tags.

A page counts on its request (which inclusion tags' contexts keep). A document rendered without a
request (a report's PDF) counts on its render context, which its includes share: the same data
give the same ids, so the report stays reproducible."""

import itertools

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def element_id(context, prefix: str = "element") -> str:
    holder = getattr(context, "request", None) or context.render_context
    counter = getattr(holder, "atc_element_ids", None)
    if counter is None:
        counter = holder.atc_element_ids = itertools.count(1)
    return f"{prefix}-{next(counter)}"
