from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def attention_link(rule, site) -> str:
    """Where the site team fixes what the rule found (the rule's URL name with the site's slug)."""
    url = reverse(rule.url_name, args=[site.slug])
    return f"{url}#{rule.anchor}" if rule.anchor else url
