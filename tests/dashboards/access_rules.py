"""Who may open the dashboards (see tests/access.py for the format).

The network and "my sites" tables are open to every signed-in person but only ever list the sites
that person may read (`Site.objects.for_user`): an outsider gets an empty table, a facilitator
their own site. The national table is the national team's.
"""

from tests.access import AUTHENTICATED, NATIONAL, SITE_COMMENT, SITE_READ, Rule


def _slug(o):
    return {"slug": o["site"].slug}


RULES = {
    "dashboards:site": Rule(SITE_READ, _slug),
    "dashboards:site_comment": Rule(
        SITE_COMMENT, _slug, ("POST",), lambda o: {"body": "Bonne dynamique du comité."}
    ),
    "dashboards:site_export": Rule(
        SITE_READ, lambda o: {"slug": o["site"].slug, "table": "chronologie", "fmt": "csv"}
    ),
    "dashboards:cooperation": Rule(SITE_READ, _slug),
    "dashboards:cooperation_export": Rule(SITE_READ, lambda o: {"slug": o["site"].slug, "fmt": "xlsx"}),
    "dashboards:national": Rule(NATIONAL),
    "dashboards:national_export": Rule(NATIONAL, lambda o: {"fmt": "csv"}),
    "dashboards:network": Rule(AUTHENTICATED, lambda o: {"code": o["site"].network.code}),
    "dashboards:network_export": Rule(
        AUTHENTICATED, lambda o: {"code": o["site"].network.code, "fmt": "xlsx"}
    ),
    "dashboards:my_sites": Rule(AUTHENTICATED),
    "dashboards:my_sites_export": Rule(AUTHENTICATED, lambda o: {"fmt": "csv"}),
}
