"""The figure labels' Django tags as they were before their markup moved to Jinja2 (inclusion tags
over tests/dashboards/plain_templates/definitions/), the other tags as they are: the plain side
of test_site_figures_jinja.py."""

from django import template
from django.urls import reverse

from evaluation.figures import registry
from evaluation.templatetags.figure_labels import register as current

register = template.Library()
register.tags.update(current.tags)
register.filters.update(current.filters)


@register.inclusion_tag("definitions/_figure_label.html")
def figure_label(key: str) -> dict:
    return {"figure": registry.get(key)}


@register.inclusion_tag("definitions/_definition_link.html")
def definition_link(key: str) -> dict:
    return {"figure": registry.get(key), "url": reverse("definitions:index")}
