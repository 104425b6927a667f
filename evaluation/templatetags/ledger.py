"""`{% ledger_totals site %}`: the site's avoided costs and leverage on its dashboard, a block of
its own (templates/dashboards/_ledger.html) computed on each view: claims are few per site."""

from django import template

from evaluation.figures.ledger import sites_ledger

register = template.Library()


@register.inclusion_tag("dashboards/_ledger.html")
def ledger_totals(site) -> dict:
    return {"ledger": sites_ledger([site.pk]), "site": site}
