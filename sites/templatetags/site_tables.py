"""The body of the site tables (national, network, "mes sites"): 50 rows of 13 cells, built in
Python with format_html rather than by the template engine, which spent about 5 ms a page on them
(bench/RESULTS.md). Same markup and the same French formats as `{{ … }}` and `floatformat`."""

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

SLUG_MARK = "site-slug-mark"
ROW = (
    '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td>'
    + '<td class="num">{}</td>' * 10
    + "</tr>"
)


def _number(value) -> str:
    """What `{{ value }}` prints: a whole number as is (no thousands separator is configured),
    anything else through Django's localisation."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return localize(value)


def _share(value) -> str:
    return "—" if value is None else f"{floatformat(value, 0)} %"


@register.simple_tag
def site_rows(rows):
    """`<tr>` per site of a SiteTable page, or the "no site" row."""
    if not rows:
        return format_html(
            '<tr><td colspan="13">{}</td></tr>',
            _("Aucun site ne correspond à ces critères dans votre périmètre."),
        )
    # One reverse for the page: slugs are URL-safe ([-a-z0-9]), so the mark is replaced as is.
    link = reverse("dashboards:site", args=[SLUG_MARK])
    return format_html_join(
        "",
        ROW,
        (
            (
                link.replace(SLUG_MARK, row.slug),
                row.name,
                row.network.name,
                row.region,
                floatformat(row.fte, "-2"),
                _number(row.meetings_count),
                _number(row.steering),
                _share(row.civil_share),
                _number(row.actions_count),
                _number(row.actions_done),
                _number(row.reached),
                _number(row.partners_max),
                f"{_number(row.logbook_filled)}/{_number(row.expected)}",
                f"{_number(row.indicators_filled)}/{_number(row.expected)}",
            )
            for row in rows
        ),
    )
