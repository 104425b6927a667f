"""`{% ledger_totals site %}`: the site's avoided costs and leverage on its dashboard, a block of
its own (templates/dashboards/_ledger.html). It sits inside the dashboard's cached figures
(`{% figurecache "site" %}`): the claims table has its trigger, so a new claim, an edit or a
delete bumps the site's version and the block is computed again on the next read only."""

from django import template

from evaluation.figures.ledger import sites_ledger

register = template.Library()


@register.inclusion_tag("dashboards/_ledger.html")
def ledger_totals(site) -> dict:
    return {"ledger": sites_ledger([site.pk]), "site": site}
