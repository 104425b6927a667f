"""The report's « Coûts évités et effets leviers » chapter (templates/reports/pdf/_ledger.html):
the totals of the report's sites over its period, by confidence level, with every hypothesis
listed; when the report covers several networks, each network's totals as well."""

from evaluation.figures.ledger import sites_ledger


def ledger_chapter(*, sites: list, period) -> dict:
    """The chapter's context for the report's `sites` (already read) and `period`."""
    by_network: dict[str, list[int]] = {}
    for site in sites:
        by_network.setdefault(site.network.name, []).append(site.pk)
    whole = sites_ledger([site.pk for site in sites], start=period.start, end=period.end)
    networks = []
    if len(by_network) > 1:
        networks = [
            (name, sites_ledger(ids, start=period.start, end=period.end))
            for name, ids in sorted(by_network.items())
        ]
    return {"whole": whole, "networks": [(name, led) for name, led in networks if not led.empty]}
