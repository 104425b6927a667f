"""`check_figures`: every stored or served figure recomputed from the records, differences listed.

Checked, each difference naming the site (or scope), the figure and both values:
- the stored pre-aggregates of every site marked fresh (a rebuild from the records must give the
  same rows);
- the site table the dashboards, the exports and the reports read (each site's meetings, steering
  meetings and actions, counted again from the records);
- every cached figure a reader would be served now: the site dashboards' and cooperation maps'
  rendered figures, the rows of the first page of each reader's site tables, and the overview
  distributions and quarterly charts of each reader's scope.
  They are recomputed from the records (the pre-aggregates of the sites found wrong rebuilt in a
  savepoint that is rolled back, so the check changes nothing). The overview figures may lag the
  data by `OVERVIEW_LAG_SECONDS` by design: such a lagging value is a difference unless
  `allow_lag` is given.
"""

import datetime
import difflib
import re
from html.parser import HTMLParser

from django.db import connection, models, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from atc.models import User
from atc.periods import next_quarter, quarter_of
from atc.permissions import is_national, readable_sites
from evaluation.figures import attention, rendered, triggers
from evaluation.figures.aggregates import compute_site_rows, refresh_site_stats, refresh_stale, stale_site_ids
from evaluation.figures.cache import OVERVIEW_LAG_SECONDS, scope_key, served, site_served
from evaluation.figures.multisite import (
    SitePeriod,
    distributions,
    distributions_parts,
    site_table,
    table_state,
)
from evaluation.models import AttentionSignal
from pilotage.models import Action, Meeting
from sites.models import Network, Site, SiteQuarterStats

# The SiteQuarterStats columns compared (every figure column; not the id).
_COLUMNS = [f.name for f in SiteQuarterStats._meta.concrete_fields if f.name not in {"id", "site", "quarter"}]


def _stored_differences(site_ids: list[int]) -> tuple[list[str], set[int]]:
    """The differences, and the sites they were found on."""
    stored: dict[tuple[int, datetime.date], SiteQuarterStats] = {
        (row.site_id, row.quarter): row for row in SiteQuarterStats.objects.filter(site_id__in=site_ids)
    }
    differences = []
    wrong: set[int] = set()
    for site_id in site_ids:
        before = len(differences)
        expected = {row.quarter: row for row in compute_site_rows(site_id)}
        quarters = sorted(set(expected) | {q for s, q in stored if s == site_id})
        for quarter in quarters:
            want, have = expected.get(quarter), stored.get((site_id, quarter))
            if want is None or have is None:
                differences.append(
                    f"site {site_id}, {quarter}: ligne {'en trop' if want is None else 'manquante'}"
                )
                continue
            for column in _COLUMNS:
                if getattr(want, column) != getattr(have, column):
                    differences.append(
                        f"site {site_id}, {quarter}, {column}: stocké {getattr(have, column)!r}, "
                        f"recalculé {getattr(want, column)!r}"
                    )
        if len(differences) > before:
            wrong.add(site_id)
    return differences, wrong


def _table_differences(today: datetime.date) -> list[str]:
    """The national site table (all sites, all quarters up to today's) against direct counts."""
    limit = next_quarter(quarter_of(today))
    meetings = dict(
        Meeting.objects.filter(site__isnull=False, date__lt=limit)
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    steering = dict(
        Meeting.objects.filter(site__isnull=False, date__lt=limit, kind=Meeting.Kind.STEERING)
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    day = Coalesce("start_date", TruncDate("created_at"), output_field=models.DateField())
    actions = dict(
        Action.objects.annotate(day=day)
        .filter(day__lt=limit)
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    table = site_table(sites=Site.objects.all(), period=SitePeriod(), page_size=None, today=today)
    differences = []
    for row in table.rows:
        for label, shown, counted in (
            ("réunions", row.meetings_count, meetings.get(row.pk, 0)),
            ("réunions de pilotage", row.steering, steering.get(row.pk, 0)),
            ("actions", row.actions_count, actions.get(row.pk, 0)),
        ):
            if shown != counted:
                differences.append(f"{row.name} : {label} affichées {shown}, comptées {counted}")
    return differences


def _signal_differences(today: datetime.date) -> list[str]:
    """The open attention signals against the rules recomputed from the records (sites fresh)."""
    found = attention.evaluate(today=today)
    open_rows = set(AttentionSignal.objects.open().values_list("site_id", "rule"))
    names = dict(Site.objects.values_list("id", "name"))
    differences = []
    for site_id, rules in found.items():
        for rule in rules:
            if (site_id, rule) not in open_rows:
                differences.append(f"{names[site_id]} : point d'attention {rule} trouvé mais non signalé")
    for site_id, rule in sorted(open_rows):
        if rule not in found.get(site_id, {}):
            differences.append(
                f"{names.get(site_id, site_id)} : point d'attention {rule} signalé mais plus trouvé"
            )
    return differences


class _Sections(HTMLParser):
    """The visible text of a rendered fragment as (section heading, line) pairs."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[str, str]] = []
        self.heading = ""
        self._in_heading = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        self._in_heading = tag in {"h2", "h3"}

    def handle_endtag(self, tag):
        self._flush()
        self._in_heading = False

    def handle_data(self, data):
        self._text.append(data)

    def _flush(self):
        text = " ".join("".join(self._text).split())
        self._text = []
        if not text:
            return
        if self._in_heading:
            self.heading = text
        self.lines.append((self.heading, text))


def _sections(html: str) -> list[tuple[str, str]]:
    parser = _Sections()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.lines


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def _html_differences(where: str, shown: str, recomputed: str) -> list[str]:
    """Each changed line of two renderings, named by the section heading it falls under."""
    # The page's template puts the fragment between its own indentation: whitespace between tags
    # is not a difference a reader sees.
    shown, recomputed = _squash(shown), _squash(recomputed)
    if shown == recomputed:
        return []
    old, new = _sections(shown), _sections(recomputed)
    differences = []
    matcher = difflib.SequenceMatcher(a=[t for _h, t in old], b=[t for _h, t in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        heading = (old[i1:i2] or new[j1:j2])[0][0]
        was = " / ".join(t for _h, t in old[i1:i2]) or "(rien)"
        now = " / ".join(t for _h, t in new[j1:j2]) or "(rien)"
        # A fragment without headings (a row of the site table) is named by `where` alone.
        section = f", « {heading} »" if heading else ""
        differences.append(f"{where}{section} : servi « {was} », recalculé « {now} »")
    # Markup alone differs (an attribute, a chart's drawing): still a stale entry.
    return list(dict.fromkeys(differences)) or [f"{where} : le rendu servi diffère du rendu recalculé"]


def _served_site_differences(sites: list[Site]) -> list[str]:
    """The rendered figures kept per site (dashboard, cooperation map) against a fresh rendering."""
    differences = []
    for site in sites:
        for label, parts, render in (
            ("tableau de bord", rendered.site_figures_parts(), rendered.render_site_figures),
            ("coopération", rendered.cooperation_parts(), rendered.render_cooperation_figures),
        ):
            kept = site_served(site.pk, parts)
            if kept is not None:
                differences += _html_differences(f"{site.name}, {label}", kept.value, render(site))
    return differences


def _reader_scopes() -> list[tuple[str, object, SitePeriod]]:
    """(name, scoped sites, period) of every overview page a reader can open with its default
    filters: the national table, each network's, and each reader's « Mes sites » (deduplicated)."""
    everyone = Site.objects.all()
    scopes = [("national", everyone, SitePeriod.default())]
    for network in Network.objects.order_by("code"):
        scopes.append(
            (f"réseau {network.code}", everyone.filter(network=network), SitePeriod.default(network.code))
        )
    seen = {scope_key(sites) for _name, sites, _period in scopes}
    readers = User.objects.filter(roles__isnull=False).distinct().order_by("pk")
    for reader in readers:
        if is_national(reader):
            continue
        mine = readable_sites(reader, Site.objects.all())
        for name, sites, period in [
            (f"mes sites de {reader.email}", mine, SitePeriod.default()),
            *(
                (f"réseau {n.code} vu par {reader.email}", mine.filter(network=n), SitePeriod.default(n.code))
                for n in Network.objects.filter(sites__in=mine).distinct().order_by("code")
            ),
        ]:
            if scope_key(sites) not in seen:
                seen.add(scope_key(sites))
                scopes.append((name, sites, period))
    return scopes


def _lag_note(kept) -> str:
    return "" if kept.current else f" (valeur d'il y a {kept.age:.0f} s, décalage documenté)"


def _served_table_differences(name: str, sites, period: SitePeriod, today: datetime.date) -> list[str]:
    """The first page of the site table a reader would be served (no lag: each row kept under the
    versions of its site, `rendered.site_rows`), against the same rows rendered from figures
    computed now; and the page's sites (kept until a site is saved) against the page computed now.
    The readers' pages are sorted by name: their sites are known before their figures."""
    state = table_state(sites=sites, period=period, today=today, rebuild=False)
    kept = rendered.site_rows_served(state=state, period=period)
    if not kept:
        return []
    window = state.window
    exact = site_table(sites=sites, period=period, today=today, exact=True)
    if (window.total, window.ids) != (exact.total, [row.pk for row in exact.rows]):
        return [
            f"{name}, tableau des sites : sites servis {window.ids}, recalculés {[r.pk for r in exact.rows]}"
        ]
    fresh = rendered.render_site_rows(exact.rows)
    differences = []
    for site in exact.rows:
        if site.pk in kept:
            differences += _html_differences(
                f"{name}, tableau des sites, {site.name}", kept[site.pk], fresh[site.pk]
            )
    return differences


def _served_overview_differences(*, allow_lag: bool, today: datetime.date) -> list[str]:
    """The overview tables, distributions and quarterly charts a reader would be served, recomputed."""
    differences = []
    for name, sites, period in _reader_scopes():
        differences += _served_table_differences(name, sites, period, today)
        kept = served(distributions_parts(sites=sites, period=period), lag_seconds=OVERVIEW_LAG_SECONDS)
        if kept is not None and not (allow_lag and not kept.current):
            exact = distributions(sites=sites, period=period, exact=True)
            for figure in sorted(set(kept.value) | set(exact)):
                if kept.value.get(figure) != exact.get(figure):
                    differences.append(
                        f"{name}, distribution {figure} : servi {kept.value.get(figure)!r}, "
                        f"recalculé {exact.get(figure)!r}{_lag_note(kept)}"
                    )
        parts = rendered.overview_charts_parts(sites=sites, period=period)
        kept = served(parts, lag_seconds=OVERVIEW_LAG_SECONDS)
        if kept is not None and not (allow_lag and not kept.current):
            refresh_stale(period.apply(sites).values("id"), limit=None)
            fresh = rendered.render_overview_charts(sites=sites, period=period)
            differences += [
                line + _lag_note(kept)
                for line in _html_differences(f"{name}, graphiques trimestriels", kept.value, fresh)
            ]
    return differences


def figure_differences(*, today: datetime.date | None = None, allow_lag: bool = False) -> list[str]:
    """Every difference between a stored or served figure and its recomputation from the records.

    Sites whose data changed since their last rebuild are not differences (they are rebuilt here,
    as the next read would) — unless they claim to be fresh, which is what a missed write path
    would look like. `allow_lag`: an overview figure kept from before the latest change, within
    its documented lag, is not a difference."""
    today = today or timezone.localdate()
    # Without its trigger a table's writes would leave every figure that reads it stale.
    absent = [f"déclencheur absent : {name}" for name in triggers.missing(connection)]
    refresh_stale(limit=None)
    # The table as the readers see it, from the stored pre-aggregates.
    differences = absent + _table_differences(today) + _signal_differences(today)
    stale = set(stale_site_ids())  # only those whose rebuild failed
    sites = [site for site in Site.objects.order_by("pk") if site.pk not in stale]
    stored, wrong = _stored_differences([site.pk for site in sites])
    differences = stored + differences
    # What the caches serve, against figures recomputed from the records: the pre-aggregates found
    # wrong are rebuilt for the comparison only, then rolled back.
    with transaction.atomic():
        for site_id in sorted(wrong):
            refresh_site_stats(site_id=site_id)
        differences += _served_site_differences(sites)
        differences += _served_overview_differences(allow_lag=allow_lag, today=today)
        transaction.set_rollback(True)
    return differences
