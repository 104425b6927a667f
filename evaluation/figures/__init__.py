"""Every figure of the dashboards, the exports and the evaluation reports, computed here only.

Modules, each depending only on those listed before it:
- `cache`: the one versioned cache of computed figures;
- `aggregates`: the pre-aggregates (`SiteQuarterStats`) and their refresh;
- `site`: one site's figures (dashboard, cooperation map);
- `multisite`: the site tables, distributions and quarterly totals;
- `charts`: the charts drawn from them;
- `exports`: the export tables.
Periods (quarters, report periods) come from `atc.periods`.
"""
