"""The map of the sites: France's outline with the overseas départements in insets, as server SVG.

The outline is data committed in `sites/data/france_map.json` (Natural Earth, public domain, built by
`scripts/build_france_map.py`): no tile server, no request leaves the platform. The result is an
`atc.charts.Chart` so templates and PDF reports show it like any chart, with its summary and table.
"""

import functools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atc.charts import FONT, MUTED, PALETTE, TEXT, Chart, ChartTable, _uid
from atc.formats import format_number

MAP_FILE = Path(__file__).resolve().parent / "data" / "france_map.json"
# Above this many points the map drops per-site links and tooltips, and draws its dots as one
# path per region, to stay light.
DETAILED_POINTS = 60
# The width of a character of an inset's 12 px label (12 px: readable on a phone), generous.
LABEL_CHAR = 7.4


@dataclass(frozen=True)
class MapPoint:
    name: str
    latitude: float
    longitude: float
    departement: str
    region: str
    url: str = ""

    @classmethod
    def of_sites(cls, sites) -> list["MapPoint"]:
        """A point per site (a `sites.models.Site`) that has its coordinates."""
        return [
            cls(
                name=site.name,
                latitude=float(site.latitude),
                longitude=float(site.longitude),
                departement=site.departement_code,
                region=site.region,
            )
            for site in sites
            if site.latitude is not None and site.longitude is not None
        ]


@functools.cache
def outline() -> dict:
    """The committed outline (read once per process)."""
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def _region_for(point: MapPoint, regions: list[dict]) -> dict | None:
    for region in regions[1:]:
        if point.departement == region["departement"]:
            return region
    if point.departement.startswith("97"):
        return None
    return regions[0]


def _project(point: MapPoint, region: dict) -> tuple[float, float]:
    p = region["projection"]
    x = p["ox"] + (point.longitude - p["lon0"]) * p["k"] * p["scale"]
    y = p["oy"] + (p["lat1"] - point.latitude) * p["scale"]
    bx, by, bw, bh = region["box"]
    # A point just outside an inset's frame (a commune on its edge) is kept inside it.
    return min(max(x, bx + 3), bx + bw - 3), min(max(y, by + 3), by + bh - 3)


def france_map(*, title: str, points: list[MapPoint]) -> Chart:
    """Every site as a dot on France; overseas sites in their département's inset."""
    data = outline()
    regions = data["regions"]
    width, height = data["width"], data["height"]
    uid = _uid(title, len(points))
    parts = []
    for region in regions:
        x, y, w, h = region["box"]
        inset = region["code"] != "metropole"
        if inset:
            parts.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#ffffff" stroke="{MUTED}" '
                f'stroke-width="1"/>'
            )
        parts.append(
            f'<path d="{region["path"]}" fill="#e8e8f4" stroke="#6a6a8a" stroke-width="0.8" '
            f'data-region="{region["code"]}"/>'
        )
        if inset:
            # Over the shape, on a white band: Guyane's outline fills its inset's lower corner,
            # where a label drawn before it disappeared.
            label = region["label"]
            parts.append(
                f'<rect x="{x + 1}" y="{y + h - 17}" width="{LABEL_CHAR * len(label) + 6:.0f}" '
                f'height="16" fill="#ffffff"/><text x="{x + 4}" y="{y + h - 4}" font-size="12" '
                f'fill="{TEXT}" data-inset-label="{region["code"]}">{escape(label)}</text>'
            )
    detailed = len(points) <= DETAILED_POINTS
    radius = 5 if detailed else 2.5
    placed, by_region = 0, Counter()
    # Beyond DETAILED_POINTS, one path per map region draws all its dots (a dot: two half-circle
    # arcs): 1,600 <circle> elements cost the browser most of the national page's style and layout.
    dots: dict[str, list[str]] = {}
    for point in points:
        region = _region_for(point, regions)
        if region is None:
            continue
        cx, cy = _project(point, region)
        placed += 1
        by_region[point.region or region["label"]] += 1
        if not detailed:
            dots.setdefault(region["code"], []).append(
                f"M{cx - radius:.1f} {cy:.1f}a{radius} {radius} 0 1 0 {2 * radius} 0"
                f"a{radius} {radius} 0 1 0 {-2 * radius} 0"
            )
            continue
        dot = (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{PALETTE[0]}" '
            f'stroke="#ffffff" stroke-width="1" data-region="{region["code"]}">'
            f"<title>{escape(point.name)}</title></circle>"
        )
        if point.url:
            dot = f'<a href="{escape(point.url)}">{dot}</a>'
        parts.append(dot)
    parts += [
        f'<path d="{"".join(drawn)}" fill="{PALETTE[0]}" stroke="#ffffff" stroke-width="1" '
        f'data-region="{code}" data-dots="{len(drawn)}"/>'
        for code, drawn in dots.items()
    ]
    summary = ngettext(
        "%(count)s site sur la carte, dans %(regions)s région.",
        "%(count)s sites sur la carte, dans %(regions)s régions.",
        placed,
    ) % {"count": format_number(placed), "regions": format_number(len(by_region))}
    # Safe: labels are escaped above; paths and numbers are our own data.
    svg = mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{uid}-title {uid}-desc" {FONT}>'
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(summary)}</desc>{"".join(parts)}</svg>'
    )
    rows = [[region, format_number(count)] for region, count in sorted(by_region.items())]
    return Chart(
        svg=svg,
        title=title,
        summary=summary,
        table=ChartTable(caption=title, headers=[_("Région"), _("Sites")], rows=rows),
        is_empty=not placed,
    )
