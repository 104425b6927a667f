"""The site dashboard's crossed-readings block (« regards croisés »), kept in its own template so
the dashboard includes it with one line."""

from django import template

from evaluation.figures.campaigns import crossed_readings

register = template.Library()


@register.inclusion_tag("surveys/_site_crossed_readings.html")
def site_crossed_readings(site):
    return {"campaigns": crossed_readings(site), "site": site}
