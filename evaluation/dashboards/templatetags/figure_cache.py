"""`{% figurecache kind part… %}…{% endfigurecache %}`: a fragment of a template rendered once
and kept in the versioned figure cache (evaluation/figures/cache.py), so that a change to the
data it shows makes it unreachable rather than stale.

`kind` says which versions key it:
- "site": the first part is a site's id; kept until that site's data changes;
- "site-records": a fragment that shows the site's records (meetings, actions, committees…)
  and none of its figures, kept until a record of a family it `reads` changes: the last bit,
  `reads="actions,setup"`, names every family of records (triggers.RECORD_FAMILIES) the fragment
  shows, so that a meeting saved leaves the action board kept; a record's own page may name it,
  `meeting=meeting.pk` (triggers.RECORDS), to be kept under that record's version instead of its
  family's; a stale site's pre-aggregates are not rebuilt for it;
- "sites": kept until a site's own row changes (names, places, network);
- "overview": figures over many sites, at most `OVERVIEW_LAG_SECONDS` old after a change;
- "table": the first part is the versions of what the fragment reads, given by the view
  (`multisite.table_state`); kept until they change, with no lag (the site table, which the
  overview pages promise is always up to date).
The parts name everything else the fragment depends on (a name for the fragment, the scope, the
period); the language and today's date are always added.

`{% kept_rows rows %}` prints the site table's rows kept one by one (`rendered.site_rows`, each a
row of templates/jinja2/dashboards/_site_row.html kept under its site's versions), or the table's
empty state when there is none.

What the fragment reads should reach it lazily (`SimpleLazyObject`), so that a hit computes
nothing. The cached text is the enclosed template's own output, autoescaped, and is inserted as
rendered, like `{% include %}`'s: nothing is marked safe here.
"""

from django import template
from django.template import engines

from evaluation.figures.cache import (
    OVERVIEW_LAG_SECONDS,
    cached,
    fragment_parts,
    site_cached,
    site_records_cached,
    sites_cached,
    versions_cached,
)
from evaluation.figures.triggers import RECORD_FAMILIES, RECORDS

register = template.Library()

KINDS = ("site", "site-records", "sites", "overview", "table")


class FigureCacheNode(template.Node):
    def __init__(self, nodelist, kind: str, parts, families: tuple[str, ...] = (), record=None):
        self.nodelist = nodelist
        self.kind = kind
        self.parts = parts
        self.families = families
        # (kind, filter expression of its id) of the record whose page this is, or None.
        self.record = record

    def render(self, context) -> str:
        parts = tuple(part.resolve(context) for part in self.parts)

        def compute() -> str:
            return self.nodelist.render(context)

        if self.kind == "site":
            return site_cached(parts[0], fragment_parts(*parts[1:]), compute)
        if self.kind == "site-records":
            record = None
            if self.record is not None:
                record = (self.record[0], self.record[1].resolve(context))
            # The template's other kept parts read the same versions (a meeting and its files).
            memo = context.render_context.setdefault("atc-record-versions", {})
            return site_records_cached(
                parts[0], self.families, fragment_parts(*parts[1:]), compute, record=record, memo=memo
            )
        if self.kind == "sites":
            return sites_cached(fragment_parts(*parts), compute)
        if self.kind == "table":
            return versions_cached(parts[0], fragment_parts(*parts[1:]), compute)
        return cached(fragment_parts(*parts), compute, lag_seconds=OVERVIEW_LAG_SECONDS)


@register.tag
def figurecache(parser, token):
    bits = token.split_contents()
    kind = bits[1].strip("\"'") if len(bits) > 2 else ""
    if kind not in KINDS:
        raise template.TemplateSyntaxError(
            '{% figurecache "site"|"site-records"|"sites"|"overview"|"table" part… %} needs a kind '
            "and at least one part"
        )
    families, record = (), None
    if kind == "site-records":
        options = {}
        record_kinds = {name for name, _id in RECORDS.values()}
        while len(bits) > 2 and bits[-1].partition("=")[0] in {"reads", *record_kinds}:
            name, _equals, value = bits.pop().partition("=")
            options[name] = value
        reads = options.pop("reads", "").strip("\"'")
        families = tuple(reads.split(",")) if reads else ()
        if options:
            (record_kind, value), *others = options.items()
            if others:
                raise template.TemplateSyntaxError(
                    "{% figurecache %} is kept under one record's version at most"
                )
            record = (record_kind, parser.compile_filter(value))
        # A fragment showing one record's rows and nothing else of the site may be kept under that
        # record's version alone (a meeting's files); any other names the families it shows.
        if (
            (not families and record is None)
            or len(bits) < 3
            or any(family not in RECORD_FAMILIES for family in families)
        ):
            raise template.TemplateSyntaxError(
                '{% figurecache "site-records" site.pk part… reads="family,…" %} needs the families '
                f"of records the fragment shows, among {', '.join(RECORD_FAMILIES)}"
            )
    nodelist = parser.parse(("endfigurecache",))
    parser.delete_first_token()
    return FigureCacheNode(nodelist, kind, [parser.compile_filter(bit) for bit in bits[2:]], families, record)


class KeptRowsNode(template.Node):
    def __init__(self, rows):
        self.rows = rows

    def render(self, context) -> str:
        rows = self.rows.resolve(context)
        if not rows:
            return engines["jinja2"].get_template("dashboards/_site_rows.html").template.render(rows=[])
        return "".join(rows)


@register.tag
def kept_rows(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% kept_rows rows %} takes the rendered rows")
    return KeptRowsNode(parser.compile_filter(bits[1]))
