from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.filter
def turned_action(decision):
    """The action a decision became, or None.

    A missing reverse one-to-one raises in the template engine, which then renders the
    `string_if_invalid` marker (truthy) instead of an empty value.
    """
    try:
        return decision.action
    except ObjectDoesNotExist:
        return None
