"""The body of the site tables (national, network, "mes sites"): 50 rows of 14 cells, built in
Python rather than by the template engine, which spent about 5 ms a page on them (bench/RESULTS.md).

Same markup and the same French formats as the template's `{{ …|number }}` and `{{ …|percent }}`
(a test compares both renderings). Text is escaped with the standard library's `html.escape`, which is
what Django's `escape` calls, without the lazy-string wrapper that dominated the cost.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from atc.formats import format_number, format_percent

register = template.Library()

SLUG_MARK = "site-slug-mark"


def _number(value, places: int = 0) -> str:
    """The platform's one number format (atc.formats), as `{{ value|number }}` prints it."""
    return escape(format_number(value, places))


def _share(value) -> str:
    return escape(format_percent(value))


@register.simple_tag
def site_rows(rows):
    """`<tr>` per site of a SiteTable page, or the "no site" row."""
    if not rows:
        message = escape(_("Aucun site ne correspond à ces critères dans votre périmètre."))
        return mark_safe(f'<tr><td colspan="14">{message}</td></tr>')
    # One reverse for the page: the slug takes the mark's place.
    link = reverse("dashboards:site", args=[SLUG_MARK])
    cells = []
    for row in rows:
        figures = (
            _number(row.fte, 2),
            _number(row.meetings_count),
            _number(row.steering),
            _share(row.civil_share),
            _share(row.steering_civil_share),
            _number(row.actions_count),
            _number(row.actions_done),
            _number(row.reached),
            _number(row.partners_max),
            f"{_number(row.logbook_filled)}/{_number(row.expected)}",
            f"{_number(row.indicators_filled)}/{_number(row.expected)}",
        )
        href = escape(link.replace(SLUG_MARK, row.slug))
        cells.append(
            f'<tr><th scope="row"><a href="{href}">{escape(row.name)}</a></th>'
            f"<td>{escape(row.network.name)}</td><td>{escape(row.region)}</td>"
            + "".join(f'<td class="num">{figure}</td>' for figure in figures)
            + "</tr>"
        )
    return mark_safe("".join(cells))
