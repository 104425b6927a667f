"""Figure labels read from the registry (evaluation/figures/registry.py), never written in a
template: each label carries `data-figure="<key>"`, which the registry test collects on the
rendered pages, and a table header gets a link to the figure's entry on the « Définitions » page.

An undeclared key raises: a template naming a figure nobody defined fails its tests, not silently.
"""

from django import template
from django.template import engines

from evaluation.figures import registry

register = template.Library()


def _figure_macros():
    """The Jinja2 macros that name a figure on a page (templates/jinja2/definitions/_figure.html):
    one markup for both engines. They return Jinja2's escaped `Markup`, which Django inserts as is."""
    return engines["jinja2"].env.get_template("definitions/_figure.html").module


@register.simple_tag
def figure_label(key: str):
    """The figure's label, marked with its key."""
    return _figure_macros().label(registry.get(key))


@register.simple_tag
def figure_keys(*keys: str) -> str:
    """The keys, checked, for a `data-figure` attribute on an element whose text is a sentence
    around one or more figures rather than a label (space-separated, like a class list)."""
    return " ".join(registry.get(key).key for key in keys)


@register.simple_tag
def figure_for_label(label) -> str:
    """The key of the figure labelled `label` (a row naming itself), else ""."""
    return registry.key_for_label(label) or ""


@register.simple_tag
def definition_link(key: str):
    """A small « ? » link to the figure's definition; its accessible name is « Définition :
    <label> » (the « ? » is hidden from screen readers)."""
    return _figure_macros().definition_link(registry.get(key))


def chart_key(chart, figure: str) -> str:
    """The key of the figure a chart draws: `figure` (checked), else the figure whose label is the
    chart's title, else "" (the registry test then reports the chart)."""
    if figure:
        return registry.get(figure).key
    return registry.key_for_label(chart.title) or ""


@register.simple_tag(takes_context=True)
def chart_figure(context, chart) -> str:
    """`chart_key` for the chart an include draws, with the `figure` the include names."""
    return chart_key(chart, context.get("figure"))


def jinja_globals() -> dict:
    """What the Jinja2 templates (templates/jinja2/) call to name figures, as the tags above do:
    `figure_of(key)` (the declaration), `figure_keys(*keys)`, `chart_key(chart, figure)`."""
    return {"figure_of": registry.get, "figure_keys": figure_keys, "chart_key": chart_key}


@register.simple_tag
def site_table_headers(columns):
    """The site table's columns as (sort key, header, figure key or ""): the template shows a
    figure column's label from the registry, the view's header for the others (site, network…)."""
    return [
        (sort_key, header, registry.get(figure).key if figure else "")
        for (sort_key, header), figure in zip(columns, registry.SITE_TABLE_COLUMNS, strict=True)
    ]


@register.simple_tag
def report_definitions(aggregate: bool):
    """The declarations of the figures an evaluation report shows (its « Méthode et sources »)."""
    return registry.report_definitions(aggregate=bool(aggregate))
