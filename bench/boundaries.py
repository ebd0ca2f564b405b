"""Build the map's boundaries (server/static/geo/boundaries.geojson) from Natural Earth.

Natural Earth's admin-0 countries and admin-1 provinces at 1:50m, both public domain
(naturalearthdata.com/about/terms-of-use), simplified so that the package file stays small:
China's provinces (admin-1, ADM0_A3 CHN) in finer detail, every country (admin-0) coarser, as
the background. Coordinates rounded to 0.01 degree; rings that simplify to nothing are left out.

    python bench/boundaries.py ADMIN0.geojson ADMIN1.geojson [OUT]

where ADMIN0 is ne_50m_admin_0_countries.geojson and ADMIN1 is
ne_50m_admin_1_states_provinces.geojson (as in the natural-earth-vector repository's geojson/
folder, or any copy of them). The folder's README says where the bundled file came from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "server" / "static" / "geo" / "boundaries.geojson"
PROVINCE_TOLERANCE = 0.03  # degrees: about 3 km, finer than a province's outline needs at a country's scale
COUNTRY_TOLERANCE = 0.15  # degrees: a background outline
DIGITS = 2


def _distance(p, a, b) -> float:
    """Distance of p from the segment a-b (in degrees, plane geometry: enough to simplify)."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker, iterative: the points that keep the line within tolerance of the original."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring(points: list, tolerance: float) -> list | None:
    kept = [[round(x, DIGITS), round(y, DIGITS)] for x, y in simplify(points, tolerance)]
    deduped = [p for i, p in enumerate(kept) if i == 0 or p != kept[i - 1]]
    return deduped if len(deduped) >= 4 else None


def polygons(geometry: dict, tolerance: float) -> list:
    """The geometry as a list of polygons (lists of rings), simplified."""
    parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for polygon in parts:
        rings = [r for r in (ring(r, tolerance) for r in polygon) if r]
        if rings:
            out.append(rings)
    return out


def feature(kind: str, name: str, code: str, geometry: dict, tolerance: float) -> dict | None:
    parts = polygons(geometry, tolerance)
    if not parts:
        return None
    return {
        "type": "Feature",
        "properties": {"kind": kind, "name": name, "code": code},
        "geometry": {"type": "MultiPolygon", "coordinates": parts},
    }


def build(admin0: Path, admin1: Path) -> dict:
    features = []
    for f in json.loads(admin0.read_text(encoding="utf-8"))["features"]:
        p = f["properties"]
        made = feature("country", p["NAME"], p["ADM0_A3"], f["geometry"], COUNTRY_TOLERANCE)
        if made:
            features.append(made)
    for f in json.loads(admin1.read_text(encoding="utf-8"))["features"]:
        p = f["properties"]
        if p.get("adm0_a3") != "CHN":
            continue
        made = feature("province", p["name"], p.get("iso_3166_2") or p["adm1_code"], f["geometry"], PROVINCE_TOLERANCE)
        if made:
            features.append(made)
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m admin-0 countries and admin-1 states and provinces (China), public domain; "
        "simplified by bench/boundaries.py",
        "features": features,
    }


def main(argv: list[str]) -> None:
    if len(argv) not in (2, 3):
        sys.exit("usage: python bench/boundaries.py ADMIN0.geojson ADMIN1.geojson [OUT]")
    out = Path(argv[2]) if len(argv) == 3 else OUT
    collection = build(Path(argv[0]), Path(argv[1]))
    out.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    kinds = [f["properties"]["kind"] for f in collection["features"]]
    print(
        f"{out}: {out.stat().st_size:,} bytes, {kinds.count('country')} countries, {kinds.count('province')} provinces"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
