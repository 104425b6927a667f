"""The rows of a page of the site table as the reader sees them: since each row is kept on its own
(`{% kept_rows %}`), the view's context no longer carries the figures of the rows it served."""

import html
import re
from types import SimpleNamespace

from atc.formats import NARROW_NBSP, NO_VALUE

# The cells after the site's name, in the order of templates/jinja2/dashboards/_site_row.html.
CELLS = (
    "attention",
    "network",
    "region",
    "fte",
    "meetings_count",
    "steering",
    "civil_share",
    "steering_civil_share",
    "actions_count",
    "actions_done",
    "reached",
    "partners_max",
    "logbook_filled",
    "indicators_filled",
)
COUNTS = {
    "attention",
    "meetings_count",
    "steering",
    "actions_count",
    "actions_done",
    "reached",
    "partners_max",
}


def _number(text: str):
    text = text.replace(NARROW_NBSP, "").rstrip("%")
    if text == NO_VALUE:
        return None
    return float(text.replace(",", "."))


def displayed_rows(response) -> dict[str, SimpleNamespace]:
    """Site slug → its row as drawn: `name`, the counts as int, the FTE and shares as float (the
    shares to the page's precision, none), the logbook and indicators as filled quarters."""
    assert response.status_code == 200
    page = response.content.decode()
    table = page.index('<table class="site-table">')
    body = page[page.index("<tbody>", table) : page.index("</tbody>", table)]
    rows = {}
    for row in body.split("<tr>")[1:]:
        link = re.search(r'<th[^>]*><a href="/sites/([^/"]+)/[^"]*">(.*?)</a></th>', row, re.S)
        if link is None:  # the empty state
            continue
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        values = dict(zip(CELLS, cells, strict=True))
        for name in COUNTS:
            values[name] = int(values[name].split(" ")[0].replace(NARROW_NBSP, ""))
        for name in ("fte", "civil_share", "steering_civil_share"):
            values[name] = _number(values[name])
        for name in ("logbook_filled", "indicators_filled"):
            values[name] = int(values[name].split("/")[0])
        rows[link.group(1)] = SimpleNamespace(slug=link.group(1), name=html.unescape(link.group(2)), **values)
    return rows
