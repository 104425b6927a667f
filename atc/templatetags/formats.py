"""`{{ value|number }}`, `{{ value|number:2 }}`, `{{ value|percent }}`: the platform's one number
format (atc.formats) in templates, instead of Django's `floatformat` or a bare `{{ value }}`."""

from django import template

from atc.formats import format_euros, format_number, format_percent

register = template.Library()


@register.filter
def number(value, decimals=1) -> str:
    return format_number(value, int(decimals))


@register.filter
def percent(value, decimals=0) -> str:
    return format_percent(value, int(decimals))


@register.filter
def euros(value) -> str:
    return format_euros(value)
