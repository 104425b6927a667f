"""`{% figurecache kind part… %}…{% endfigurecache %}`: a fragment of a template rendered once
and kept in the versioned figure cache (evaluation/figures/cache.py), so that a change to the
data it shows makes it unreachable rather than stale.

`kind` says which versions key it:
- "site": the first part is a site's id; kept until that site's data changes;
- "site-records": the same, for a fragment that shows the site's records (its committees, its
  partners) and none of its figures: a stale site's pre-aggregates are not rebuilt for it;
- "sites": kept until a site's own row changes (names, places, network);
- "overview": figures over many sites, at most `OVERVIEW_LAG_SECONDS` old after a change;
- "table": the first part is the versions of what the fragment reads, given by the view
  (`multisite.table_state`); kept until they change, with no lag (the site table, which the
  overview pages promise is always up to date).
The parts name everything else the fragment depends on (a name for the fragment, the scope, the
period); the language and today's date are always added.

What the fragment reads should reach it lazily (`SimpleLazyObject`), so that a hit computes
nothing. The cached text is the enclosed template's own output, autoescaped, and is inserted as
rendered, like `{% include %}`'s: nothing is marked safe here.
"""

from django import template

from evaluation.figures.cache import (
    OVERVIEW_LAG_SECONDS,
    cached,
    fragment_parts,
    site_cached,
    sites_cached,
    versions_cached,
)

register = template.Library()

KINDS = ("site", "site-records", "sites", "overview", "table")


class FigureCacheNode(template.Node):
    def __init__(self, nodelist, kind: str, parts):
        self.nodelist = nodelist
        self.kind = kind
        self.parts = parts

    def render(self, context) -> str:
        parts = tuple(part.resolve(context) for part in self.parts)

        def compute() -> str:
            return self.nodelist.render(context)

        if self.kind in ("site", "site-records"):
            return site_cached(parts[0], fragment_parts(*parts[1:]), compute, rebuild=self.kind == "site")
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
    nodelist = parser.parse(("endfigurecache",))
    parser.delete_first_token()
    return FigureCacheNode(nodelist, kind, [parser.compile_filter(bit) for bit in bits[2:]])
