"""Build sites/data/france_map.json: a simplified outline of France and its overseas départements.

Run at development time only (the platform never fetches anything at run time):

    .venv/bin/python scripts/build_france_map.py [path/to/countries-50m.json]

Without a path, it fetches npm's `world-atlas@2` package with `npm pack` into a temporary folder.
That package redistributes Natural Earth's 1:50m Admin-0 countries (version 4.1.0) as TopoJSON;
Natural Earth data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).

The outline is projected (equirectangular, scaled by the cosine of the middle latitude), simplified
with Douglas–Peucker to about a pixel, and written as SVG path data in pixel coordinates: one
region for metropolitan France and one inset box per overseas département.
"""

import json
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "sites" / "data" / "france_map.json"
FRANCE_ID = "250"
TOLERANCE_PX = 0.7

# code, label, département, lon/lat bounding box, and the box it is drawn in (x, y, w, h).
REGIONS = [
    ("metropole", "France métropolitaine", "", (-5.3, 41.2, 9.7, 51.2), (120, 10, 470, 470)),
    ("guadeloupe", "Guadeloupe", "971", (-61.9, 15.8, -61.0, 16.55), (10, 10, 100, 86)),
    ("martinique", "Martinique", "972", (-61.25, 14.38, -60.8, 14.9), (10, 106, 100, 86)),
    ("guyane", "Guyane", "973", (-54.7, 2.0, -51.5, 5.9), (10, 202, 100, 86)),
    ("reunion", "La Réunion", "974", (55.2, -21.42, 55.86, -20.85), (10, 298, 100, 86)),
    ("mayotte", "Mayotte", "976", (45.0, -13.03, 45.32, -12.62), (10, 394, 100, 86)),
]


def fetch_topojson() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="world-atlas-"))
    subprocess.run(["npm", "pack", "world-atlas@2"], cwd=folder, check=True, capture_output=True)
    archive = next(folder.glob("world-atlas-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extract("package/countries-50m.json", folder, filter="data")
    return folder / "package" / "countries-50m.json"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def simplify(points, tolerance):
    """Douglas–Peucker, iterative; a closed ring is split at its farthest point first."""
    if len(points) < 3:
        return points
    if points[0] == points[-1]:
        x0, y0 = points[0]
        far = max(range(len(points)), key=lambda i: math.hypot(points[i][0] - x0, points[i][1] - y0))
        if 0 < far < len(points) - 1:
            return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1e-12
        best, index = 0.0, None
        for i in range(first + 1, last):
            x0, y0 = points[i]
            distance = abs(dy * x0 - dx * y0 + x2 * y1 - y2 * x1) / norm
            if distance > best:
                best, index = distance, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def projection(bbox, box):
    lon0, lat0, lon1, lat1 = bbox
    x, y, w, h = box
    k = math.cos(math.radians((lat0 + lat1) / 2))
    scale = min(w / ((lon1 - lon0) * k), h / (lat1 - lat0))
    # Centre the drawing in its box.
    ox = x + (w - (lon1 - lon0) * k * scale) / 2
    oy = y + (h - (lat1 - lat0) * scale) / 2
    return {
        "lon0": lon0,
        "lat1": lat1,
        "k": round(k, 6),
        "scale": round(scale, 6),
        "ox": round(ox, 3),
        "oy": round(oy, 3),
    }


def project(lon, lat, p):
    return (p["ox"] + (lon - p["lon0"]) * p["k"] * p["scale"], p["oy"] + (p["lat1"] - lat) * p["scale"])


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else fetch_topojson()
    topology = json.loads(path.read_text())
    arcs = decode_arcs(topology)
    france = next(g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == FRANCE_ID)
    polygons = france["arcs"] if france["type"] == "MultiPolygon" else [france["arcs"]]
    regions = []
    for code, label, departement, bbox, box in REGIONS:
        p = projection(bbox, box)
        lon0, lat0, lon1, lat1 = bbox
        parts = []
        for polygon in polygons:
            outer = ring_points(polygon[0], arcs)
            lons = [pt[0] for pt in outer]
            lats = [pt[1] for pt in outer]
            centre = (sum(lons) / len(lons), sum(lats) / len(lats))
            if not (lon0 <= centre[0] <= lon1 and lat0 <= centre[1] <= lat1):
                continue
            pixels = simplify([project(lon, lat, p) for lon, lat in outer], TOLERANCE_PX)
            if len(pixels) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pixels) + "Z")
        if not parts:
            raise SystemExit(f"No polygon of France found for {label}")
        regions.append(
            {
                "code": code,
                "label": label,
                "departement": departement,
                "bbox": list(bbox),
                "box": list(box),
                "projection": p,
                "path": "".join(parts),
            }
        )
    data = {
        "source": "Natural Earth 1:50m Admin-0 countries v4.1.0, via npm world-atlas@2 (countries-50m.json)",
        "license": "Public domain (Natural Earth terms of use: https://www.naturalearthdata.com/about/terms-of-use/)",
        "generated_by": "scripts/build_france_map.py",
        "width": 600,
        "height": 490,
        "regions": regions,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes, {len(regions)} regions")


if __name__ == "__main__":
    main(sys.argv)
