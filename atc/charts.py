"""Server-side SVG charts, shared by the site pages, the dashboards and the PDF reports.

Pure Python, no JavaScript and no chart library: each builder returns a `Chart` whose `.svg` is
complete markup (role="img", <title>, <desc>, viewBox, presentation attributes only, so the strict
CSP and WeasyPrint both accept it), with a French `.summary` sentence and the `.table` of the data.
Templates show all three through `templates/includes/chart.html`, so no reader depends on the
picture or on colour: series also differ by pattern and every bar carries its value as text.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from atc.formats import format_number, format_percent

Number = int | float | Decimal

WIDTH = 640
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'
TEXT = "#161616"
MUTED = "#555555"
# The width of a 12 px character of the legends, generous (DejaVu Sans averages ~6.6 px).
LEGEND_CHAR = 7
GRID = "#dddddd"
# The narrowest column of a column chart: its value and label stay 12 px and apart.
MIN_SLOT, MAX_SLOT = 56, 180
# The longest line of a partner's name beside its node in the cooperation graph.
GRAPH_LINE = 22
# Colour-blind-safe palette with contrast >= 3:1 on white; patterns below carry the same meaning.
PALETTE = ("#000091", "#b34000", "#18753c", "#6e445a", "#0063cb", "#7a6200", "#c9191e", "#3a3a3a")


@dataclass(frozen=True)
class ChartTable:
    """The chart's data as a table: column headers, then rows whose first cell names the row."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    summary: str
    table: ChartTable
    is_empty: bool = False

    def __str__(self) -> str:
        return self.svg

    @property
    def alt_text(self) -> str:
        """What a reader who cannot see the picture is told: its title, then its summary."""
        return f"{self.title}. {self.summary}" if self.summary else self.title

    @property
    def print_svg(self) -> SafeString:
        """The SVG whose <title> carries `alt_text`: a tagged PDF's figure takes its alternative
        text from there (WeasyPrint), and a page's <desc> is not read by PDF readers."""
        old = f">{escape(self.title)}</title>"
        # Safe: both texts are escaped; the rest is the chart's own markup.
        return mark_safe(self.svg.replace(old, f">{escape(self.alt_text)}</title>", 1))


@dataclass
class _Svg:
    """Accumulates escaped SVG fragments; every text goes through `text()`."""

    height: int
    title: str
    desc: str
    uid: str
    width: int = WIDTH
    parts: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)

    def add(self, fragment: str) -> None:
        self.parts.append(fragment)

    def text(self, x: float, y: float, label: str, *, anchor="start", size=12, fill=TEXT, bold=False):
        weight = ' font-weight="700"' if bold else ""
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{weight}>{escape(label)}</text>'
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, stroke: str = ""):
        outline = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
        self.add(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
            f'fill="{fill}"{outline}/>'
        )

    def line(self, x1, y1, x2, y2, *, stroke=GRID, width=1, dash=""):
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="{width}"{dashes}/>'
        )

    def series_fill(self, index: int) -> str:
        """A fill for series `index`: its colour, overlaid with a pattern from the 2nd series on."""
        colour = PALETTE[index % len(PALETTE)]
        kind = index % 4
        if kind == 0:
            return colour
        pattern_id = f"{self.uid}-p{index}"
        marks = {
            1: '<path d="M0,6 L6,0" stroke="#ffffff" stroke-width="1.5"/>',
            2: '<circle cx="3" cy="3" r="1.2" fill="#ffffff"/>',
            3: '<path d="M0,3 L6,3" stroke="#ffffff" stroke-width="1.5"/>',
        }[kind]
        self.defs.append(
            f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{colour}"/>{marks}</pattern>'
        )
        return f"url(#{pattern_id})"

    def render(self) -> SafeString:
        title_id, desc_id = f"{self.uid}-title", f"{self.uid}-desc"
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        # Safe: every label went through text() (escaped); everything else is our own numbers.
        return mark_safe(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'aria-labelledby="{title_id} {desc_id}" {FONT}>'
            f'<title id="{title_id}">{escape(self.title)}</title>'
            f'<desc id="{desc_id}">{escape(self.desc)}</desc>'
            f"{defs}{''.join(self.parts)}</svg>"
        )


def _uid(*parts) -> str:
    """A stable id prefix so several charts on one page never share pattern or title ids."""
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()
    return f"chart-{digest}"


def _axis(low: float, high: float, *, integers: bool = False) -> tuple[float, float, float]:
    """Axis bounds and tick step: about five round steps (1, 2 or 5 times a power of ten)."""
    if high <= low:
        # All values equal (often all zero): still draw a readable axis from low to low + 1.
        high = low + 1
    span = high - low
    exponent = math.floor(math.log10(span / 5))
    step = next(m * 10**e for e in (exponent, exponent + 1) for m in (1, 2, 5) if m * 10**e >= span / 5)
    if integers:
        step = max(step, 1)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _ticks(low: float, high: float, step: float) -> list[float]:
    return [low + i * step for i in range(round((high - low) / step) + 1)]


def _legend(svg: _Svg, names: Sequence[str], fills: Sequence[str], y: float) -> float:
    x = 10.0
    for name, fill in zip(names, fills, strict=True):
        width = 24 + LEGEND_CHAR * len(name)
        if x + width > svg.width - 10:
            x, y = 10.0, y + 18
        svg.rect(x, y - 10, 12, 12, fill, stroke=TEXT)
        svg.text(x + 17, y, name)
        x += width
    return y


def _wrap(label: str, limit: int) -> list[str]:
    """`label` in lines of at most `limit` characters, cut between words (a longer word alone)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _empty_chart(title: str, caption: str, headers: list[str]) -> Chart:
    summary = _("Aucune donnée n'est encore saisie.")
    svg = _Svg(height=40, title=title, desc=summary, uid=_uid(title, "empty"))
    svg.text(10, 25, summary, fill=MUTED)
    return Chart(
        svg=svg.render(),
        title=title,
        summary=summary,
        table=ChartTable(caption=caption, headers=headers, rows=[]),
        is_empty=True,
    )


def _value_cells(values: Sequence[Number | None], decimals: int) -> list[str]:
    return [format_number(v, decimals) for v in values]


def grouped_bars(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    max_value: Number | None = None,
    decimals: int = 1,
    summary: str | None = None,
    category_header: str = "",
    extra_columns: Sequence[tuple[str, Sequence[str]]] = (),
) -> Chart:
    """Horizontal bars grouped by category (e.g. items × respondent kinds); None = no reading.

    Labels sit above each group so long French item names never need truncating.
    `extra_columns` adds already-formatted columns to the data table (e.g. the gap).
    """
    names = [name for name, _values in series]
    headers = [category_header or _("Catégorie"), *names, *(h for h, _c in extra_columns)]
    values = [[None if v is None else float(v) for v in vals] for _n, vals in series]
    present = [v for vals in values for v in vals if v is not None]
    if not categories or not present:
        return _empty_chart(title, title, headers)

    _low, top, step = _axis(0, float(max_value) if max_value is not None else max(present))
    bar_h, gap, label_h = 14, 3, 18
    group_h = label_h + len(series) * (bar_h + gap) + 10
    legend_y, plot_top = 18, 44
    left, right = 10.0, WIDTH - 60.0
    height = int(plot_top + len(categories) * group_h + 24)
    if summary is None:
        best = max(
            (
                (v, c, n)
                for n, vals in zip(names, values, strict=True)
                for c, v in zip(categories, vals, strict=True)
                if v is not None
            ),
            key=lambda t: t[0],
        )
        summary = _("Valeur la plus haute : %(value)s pour « %(category)s » (%(series)s).") % {
            "value": format_number(best[0], decimals),
            "category": best[1],
            "series": best[2],
        }
    svg = _Svg(height=height, title=title, desc=summary, uid=_uid(title, categories, values))
    fills = [svg.series_fill(i) for i in range(len(series))]
    _legend(svg, names, fills, legend_y)
    scale = (right - left) / top
    for tick in _ticks(0, top, step):
        x = left + tick * scale
        svg.line(x, plot_top, x, height - 22)
        svg.text(x, height - 8, format_number(tick, 1), anchor="middle", size=12, fill=MUTED)
    for ci, category in enumerate(categories):
        y0 = plot_top + ci * group_h
        svg.text(left, y0 + 13, category, bold=True)
        for si in range(len(series)):
            value = values[si][ci]
            y = y0 + label_h + si * (bar_h + gap)
            if value is None:
                svg.text(left + 2, y + 11, _("pas de note"), size=12, fill=MUTED)
                continue
            svg.rect(left, y, value * scale, bar_h, fills[si])
            svg.text(left + value * scale + 4, y + 11, format_number(value, decimals), size=12)
    rows = []
    for ci, category in enumerate(categories):
        extras = [cells[ci] for _h, cells in extra_columns]
        rows.append([category, *_value_cells([v[ci] for v in values], decimals), *extras])
    return Chart(
        svg=svg.render(),
        title=title,
        summary=summary,
        table=ChartTable(caption=title, headers=headers, rows=rows),
    )


def _column_summary(categories, names, values, totals, *, stacked: bool, decimals: int) -> str:
    """What a column chart shows, in one sentence. Stacked series are parts of one whole, so their
    total means something; side-by-side series are different measures (sites expected, sites that
    reported), so each is described on its own and never added to the others."""
    if stacked or len(names) == 1:
        best = max(range(len(categories)), key=lambda i: totals[i])
        return _("Total : %(total)s ; le plus haut : %(best)s (%(value)s).") % {
            "total": format_number(sum(totals), decimals),
            "best": categories[best],
            "value": format_number(totals[best], decimals),
        }
    parts = []
    for name, vals in zip(names, values, strict=True):
        best = max(range(len(categories)), key=lambda i: vals[i])
        parts.append(
            _("%(series)s : au plus %(value)s (%(best)s)")
            % {"series": name, "value": format_number(vals[best], decimals), "best": categories[best]}
        )
    return " ; ".join(parts) + "."


def column_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    stacked: bool = True,
    decimals: int = 0,
    summary: str | None = None,
    category_header: str = "",
) -> Chart:
    """Vertical bars over categories (e.g. quarters); stacked by series, or side by side."""
    names = [name for name, _values in series]
    values = [[float(v or 0) for v in vals] for _n, vals in series]
    headers = [category_header or _("Période"), *names]
    if stacked and len(series) > 1:
        headers.append(_("Total"))
    totals = [sum(col) for col in zip(*values, strict=True)] if values else []
    if not categories or not any(totals):
        return _empty_chart(title, title, headers)

    peak = max(totals) if stacked else max(max(vals) for vals in values)
    _low, top, step = _axis(0, peak, integers=decimals == 0)
    # Each category gets room for its 12 px label: many quarters make a wider chart, which the page
    # scrolls inside its container rather than shrinking the text.
    # (A long theme name is capped at MAX_SLOT, as before: the data table below carries it whole.)
    slot_width = max(MIN_SLOT, min(MAX_SLOT, LEGEND_CHAR * max(map(len, categories)) + 8))
    width = max(WIDTH, round(58 + len(categories) * slot_width))
    legend_y, plot_top, plot_bottom = 18, 50, 250
    left, right = 48.0, width - 10.0
    height = plot_bottom + 40
    if summary is None:
        summary = _column_summary(categories, names, values, totals, stacked=stacked, decimals=decimals)
    svg = _Svg(height=height, title=title, desc=summary, uid=_uid(title, categories, values), width=width)
    fills = [svg.series_fill(i) for i in range(len(series))]
    _legend(svg, names, fills, legend_y)
    scale = (plot_bottom - plot_top) / top
    for tick in _ticks(0, top, step):
        y = plot_bottom - tick * scale
        svg.line(left, y, right, y)
        svg.text(left - 6, y + 4, format_number(tick, decimals), anchor="end", size=12, fill=MUTED)
    slot = (right - left) / len(categories)
    bar_w = min(48.0, slot * 0.7)
    for ci, category in enumerate(categories):
        x0 = left + ci * slot + (slot - bar_w) / 2
        if stacked:
            y = plot_bottom
            for si in range(len(series)):
                h = values[si][ci] * scale
                svg.rect(x0, y - h, bar_w, h, fills[si], stroke="#ffffff")
                y -= h
            svg.text(x0 + bar_w / 2, y - 4, format_number(totals[ci], decimals), anchor="middle", size=12)
        else:
            w = bar_w / len(series)
            for si in range(len(series)):
                h = values[si][ci] * scale
                svg.rect(x0 + si * w, plot_bottom - h, w, h, fills[si])
                svg.text(
                    x0 + si * w + w / 2,
                    plot_bottom - h - 4,
                    format_number(values[si][ci], decimals),
                    anchor="middle",
                    size=12,
                )
        svg.text(x0 + bar_w / 2, plot_bottom + 16, category, anchor="middle", size=12)
    svg.line(left, plot_bottom, right, plot_bottom, stroke=TEXT)
    rows = []
    for ci, category in enumerate(categories):
        row = [category, *_value_cells([v[ci] for v in values], decimals)]
        if stacked and len(series) > 1:
            row.append(format_number(totals[ci], decimals))
        rows.append(row)
    return Chart(
        svg=svg.render(),
        title=title,
        summary=summary,
        table=ChartTable(caption=title, headers=headers, rows=rows),
    )


def slope_chart(
    *,
    title: str,
    start_label: str,
    end_label: str,
    lines: Sequence[tuple[str, Number, Number]],
    max_value: Number | None = None,
    min_value: Number = 0,
    decimals: int = 1,
    summary: str | None = None,
    line_header: str = "",
) -> Chart:
    """The change of several values between two dates: one line per label, start to end."""
    headers = [line_header or _("Élément"), start_label, end_label, _("Évolution")]
    if not lines:
        return _empty_chart(title, title, headers)
    data = [(label, float(a), float(b)) for label, a, b in lines]
    highest = float(max_value) if max_value is not None else max(max(a, b) for _l, a, b in data)
    bottom, top, step = _axis(float(min_value), highest)
    plot_top, plot_bottom = 40, 40 + max(200, 22 * len(data))
    x_start, x_end = 90.0, 300.0
    height = plot_bottom + 20
    if summary is None:
        rising = sum(1 for _l, a, b in data if b > a)
        falling = sum(1 for _l, a, b in data if b < a)
        summary = _(
            "Entre %(start)s et %(end)s : %(up)s en hausse, %(down)s en baisse, %(flat)s stables."
        ) % {
            "start": start_label,
            "end": end_label,
            "up": rising,
            "down": falling,
            "flat": len(data) - rising - falling,
        }
    svg = _Svg(height=height, title=title, desc=summary, uid=_uid(title, data))
    span = (top - bottom) or 1

    def y_of(value: float) -> float:
        return plot_bottom - (value - bottom) / span * (plot_bottom - plot_top)

    svg.text(x_start, 20, start_label, anchor="middle", bold=True)
    svg.text(x_end, 20, end_label, anchor="middle", bold=True)
    svg.line(x_start, plot_top, x_start, plot_bottom, stroke=MUTED)
    svg.line(x_end, plot_top, x_end, plot_bottom, stroke=MUTED)
    for tick in _ticks(bottom, top, step):
        label = format_number(tick, 1)
        svg.text(x_start - 40, y_of(tick) + 4, label, anchor="end", size=12, fill=MUTED)
    # Labels on the right are pushed apart so close end values stay readable.
    placed: list[float] = []
    for index, (label, a, b) in sorted(enumerate(data), key=lambda t: y_of(t[1][2])):
        colour = PALETTE[index % len(PALETTE)]
        dash = "" if index % 2 == 0 else "5 3"
        svg.line(x_start, y_of(a), x_end, y_of(b), stroke=colour, width=2, dash=dash)
        svg.add(f'<circle cx="{x_start:.1f}" cy="{y_of(a):.1f}" r="4" fill="{colour}"/>')
        svg.add(f'<circle cx="{x_end:.1f}" cy="{y_of(b):.1f}" r="4" fill="{colour}"/>')
        svg.text(x_start - 8, y_of(a) + 4, format_number(a, decimals), anchor="end", size=12)
        label_y = max(y_of(b) + 4, (placed[-1] + 15) if placed else 0)
        placed.append(label_y)
        svg.text(x_end + 10, label_y, f"{format_number(b, decimals)} — {label}", size=12)
    rows = [
        [label, format_number(a, decimals), format_number(b, decimals), _signed(b - a, decimals)]
        for label, a, b in data
    ]
    return Chart(
        svg=svg.render(),
        title=title,
        summary=summary,
        table=ChartTable(caption=title, headers=headers, rows=rows),
    )


def _signed(value: float, decimals: int) -> str:
    if abs(value) < 10**-decimals / 2:
        return "0"
    sign = "+" if value > 0 else "−"
    return f"{sign}{format_number(abs(value), decimals)}"


def share_bar(
    *,
    title: str,
    parts: Sequence[tuple[str, Number]],
    decimals: int = 0,
    summary: str | None = None,
    part_header: str = "",
) -> Chart:
    """One horizontal bar split into shares (instead of a pie or donut), with percentages."""
    headers = [part_header or _("Catégorie"), _("Nombre"), _("Part")]
    data = [(label, float(v or 0)) for label, v in parts]
    total = sum(v for _l, v in data)
    if not data or total <= 0:
        return _empty_chart(title, title, headers)
    shares = [(label, v, v / total * 100) for label, v in data]
    if summary is None:
        label, value, share = max(shares, key=lambda t: t[1])
        summary = _("Total : %(total)s ; la plus grande part : « %(label)s » (%(share)s).") % {
            "total": format_number(total, decimals),
            "label": label,
            "share": format_percent(share),
        }
    legends = [
        f"{label} : {format_number(value, decimals)} ({format_percent(share)})"
        for label, value, share in shares
    ]
    # Two columns when every entry fits in half the width, else one: a long category (« Fonction
    # partagée entre plusieurs professionnels de la structure porteuse ») is never cut off.
    columns = 2 if max(LEGEND_CHAR * len(text) for text in legends) + 17 <= WIDTH / 2 - 10 else 1
    height = 60 + 20 * math.ceil(len(shares) / columns) + 10
    svg = _Svg(height=height, title=title, desc=summary, uid=_uid(title, shares))
    fills = [svg.series_fill(i) for i in range(len(shares))]
    x, left, right = 10.0, 10.0, WIDTH - 10.0
    for (_label, value, share), fill in zip(shares, fills, strict=True):
        w = value / total * (right - left)
        svg.rect(x, 10, w, 28, fill, stroke="#ffffff")
        if w > 34:
            svg.rect(x + w / 2 - 16, 16, 32, 16, "#ffffff")
            svg.text(x + w / 2, 28, format_percent(share), anchor="middle", size=12)
        x += w
    for i, (text, fill) in enumerate(zip(legends, fills, strict=True)):
        lx = left + (i % columns) * (WIDTH / 2)
        ly = 62 + (i // columns) * 20
        svg.rect(lx, ly - 10, 12, 12, fill, stroke=TEXT)
        svg.text(lx + 17, ly, text)
    rows = [[label, format_number(value, decimals), format_percent(share)] for label, value, share in shares]
    return Chart(
        svg=svg.render(),
        title=title,
        summary=summary,
        table=ChartTable(caption=title, headers=headers, rows=rows),
    )


def network_graph(
    *,
    title: str,
    nodes: Sequence[tuple[str, str]],
    edges: Sequence[tuple[int, int, Number]],
    summary: str | None = None,
    max_edges: int = 120,
) -> Chart:
    """Who works with whom: nodes `(label, group)` on a circle, edges `(i, j, weight)` drawn
    thicker with the weight. Groups (e.g. categories) differ by colour and pattern, listed in a
    legend; the data table lists the pairs, heaviest first. Beyond `max_edges` only the heaviest
    edges are drawn (the table keeps them all)."""
    headers = [_("Partenaire"), _("Avec"), _("Fois ensemble")]
    ordered = sorted(edges, key=lambda e: (-float(e[2]), e[0], e[1]))
    if not nodes or not ordered:
        return _empty_chart(title, title, headers)
    if summary is None:
        a, b, weight = ordered[0]
        summary = _(
            "%(nodes)s partenaires, %(pairs)s paires ; la plus fréquente : « %(a)s » et « %(b)s » "
            "(%(weight)s fois)."
        ) % {
            "nodes": len(nodes),
            "pairs": len(ordered),
            "a": nodes[a][0],
            "b": nodes[b][0],
            "weight": format_number(weight, 0),
        }
    groups = list(dict.fromkeys(group for _label, group in nodes))
    # Names are wrapped, never cut: the chart widens so the longest line fits beside its node, and
    # the circle grows with the lines to stack so that neighbours' names stay apart.
    wrapped = [_wrap(label, GRAPH_LINE) for label, _group in nodes]
    radius = max(150 if len(nodes) <= 24 else 170, 8 * sum(len(lines) for lines in wrapped))
    longest = max(len(line) for lines in wrapped for line in lines)
    width = max(WIDTH, round(2 * (radius + 14 + LEGEND_CHAR * longest) + 20))
    svg = _Svg(height=0, title=title, desc=summary, uid=_uid(title, nodes, ordered), width=width)
    fills = {group: svg.series_fill(i) for i, group in enumerate(groups)}
    legend_bottom = _legend(svg, groups, [fills[g] for g in groups], 18)
    top = legend_bottom + 12
    cx, cy = width / 2, top + radius + 90
    svg.height = int(cy + radius + 90)
    positions = []
    for index in range(len(nodes)):
        angle = -math.pi / 2 + 2 * math.pi * index / len(nodes)
        positions.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle))
    heaviest = float(ordered[0][2]) or 1
    for a, b, weight in reversed(ordered[:max_edges]):
        thickness = 1 + 5 * float(weight) / heaviest
        svg.line(
            positions[a][0],
            positions[a][1],
            positions[b][0],
            positions[b][1],
            stroke=MUTED,
            width=f"{thickness:.1f}",
        )
    for (_label, group), lines, (x, y, angle) in zip(nodes, wrapped, positions, strict=True):
        svg.add(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{fills[group]}" '
            f'stroke="{TEXT}" stroke-width="1"/>'
        )
        right = math.cos(angle) >= 0
        lx = x + (12 if right else -12)
        # Lines centred on the node; a node at the top or the bottom keeps them inside the chart.
        first_y = y + 4 - 7 * (len(lines) - 1)
        for number, line in enumerate(lines):
            svg.text(lx, first_y + 14 * number, line, anchor="start" if right else "end")
    rows = [[nodes[a][0], nodes[b][0], format_number(w, 0)] for a, b, w in ordered]
    return Chart(
        svg=svg.render(),
        title=title,
        summary=summary,
        table=ChartTable(caption=title, headers=headers, rows=rows),
    )
