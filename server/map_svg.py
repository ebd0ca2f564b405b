"""The map: boundaries (Natural Earth, static/geo/boundaries.geojson) and points, drawn as
one inline SVG on the server, with no tiles, no script library and no network.

The projection is equirectangular, its x shrunk by cos 35° (the middle of China) so that
provinces keep their shape near it; one degree of latitude is ten units. Pan and zoom
(static/map.js) change the SVG's viewBox only. A page with a map costs the parsing of the
boundaries once per process (kept), and the writing of their outlines, about 300 KB of SVG
for the whole world (a page zoomed to a place draws only the outlines near it).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

BOUNDARIES = Path(__file__).parent / "static" / "geo" / "boundaries.geojson"
SCALE = 10.0  # SVG units per degree of latitude
X_SCALE = SCALE * math.cos(math.radians(35))
CHINA = (73.0, 17.5, 135.5, 54.0)  # lon/lat box the whole map opens on
NEAR = 12.0  # degrees around a focused map's points whose outlines are drawn
# Places whose names are shown only once the map is zoomed in (map.js sets the class "near"
# below NEAR_WIDTH units of view): at the scale of China they would cover one another.
MAJOR_LEVELS = {"country", "province", "region", "city"}
NEAR_WIDTH = 120.0


@dataclass(frozen=True)
class Marker:
    """A point on the map: a case, a place or a query's row, linking to its page."""

    label: str
    href: str  # "" for a point with no page
    lon: float
    lat: float
    kind: str = "place"  # case, place or point
    note: str = ""  # more for the tooltip (a case's place, a row's other values)
    major: bool = True  # its name shown at every scale (a country, province, region or city)


def xy(lon: float, lat: float) -> tuple[float, float]:
    return lon * X_SCALE, -lat * SCALE


@dataclass(frozen=True)
class Outline:
    kind: str  # country or province
    name: str
    box: tuple[float, float, float, float]  # lon/lat
    path: str


@cache
def outlines() -> tuple[Outline, ...]:
    collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    out = []
    for feature in collection["features"]:
        rings = [ring for polygon in feature["geometry"]["coordinates"] for ring in polygon]
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        path = "".join(
            "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in (xy(lon, lat) for lon, lat in ring)) + "Z" for ring in rings
        )
        props = feature["properties"]
        out.append(Outline(props["kind"], props["name"], (min(lons), min(lats), max(lons), max(lats)), path))
    # Countries under provinces: China's provinces are drawn over its country outline.
    return tuple(sorted(out, key=lambda o: o.kind != "country"))


def _box_of(markers: list[Marker]) -> tuple[float, float, float, float]:
    lons = [m.lon for m in markers]
    lats = [m.lat for m in markers]
    return min(lons), min(lats), max(lons), max(lats)


def view_box(box: tuple[float, float, float, float], pad: float) -> tuple[float, float, float, float]:
    """SVG viewBox (x, y, width, height) of a lon/lat box, padded by ``pad`` degrees each side."""
    west, south, east, north = box
    x0, y0 = xy(west - pad, north + pad)
    x1, y1 = xy(east + pad, south - pad)
    return x0, y0, x1 - x0, y1 - y0


def svg(markers: list[Marker], focus: bool = False, title: str = "Map") -> Markup:
    """The map of ``markers``: zoomed to them when ``focus`` (a case's or place's map), else
    opening on China with every outline drawn (the whole map)."""
    if focus and markers:
        box = _box_of(markers)
        span = max(box[2] - box[0], box[3] - box[1])
        view = view_box(box, max(3.0, span * 0.3))
        near = (box[0] - NEAR, box[1] - NEAR, box[2] + NEAR, box[3] + NEAR)
        shapes = [o for o in outlines() if _overlaps(o.box, near)]
    else:
        view = view_box(CHINA, 0)
        shapes = list(outlines())
    size = view[2] / 90  # marker radius and label size follow the view (map.js keeps them so)
    parts = [
        Markup(
            '<svg class="map{}" xmlns="http://www.w3.org/2000/svg" viewBox="{}" data-home="{}" data-near="{}" '
            'role="img" aria-label="{}" style="font-size:{:.3f}px">'
        ).format(
            " near" if view[2] < NEAR_WIDTH else "", _numbers(view), _numbers(view), NEAR_WIDTH, title, size * 1.8
        ),
        Markup('<rect class="sea" x="-2000" y="-1000" width="4000" height="2000"/>'),
    ]
    for outline in shapes:
        parts.append(
            Markup('<path class="{}" d="{}"><title>{}</title></path>').format(outline.kind, outline.path, outline.name)
        )
    parts.append(Markup('<g class="markers">'))
    for marker in sorted(markers, key=lambda m: m.kind == "case"):  # cases on top
        x, y = xy(marker.lon, marker.lat)
        tip = marker.label + (f" — {marker.note}" if marker.note else "")
        dot = Markup('<circle class="{}" cx="{:.2f}" cy="{:.2f}" r="{:.3f}"><title>{}</title></circle>').format(
            marker.kind, x, y, size, tip
        )
        label = (
            Markup('<text class="{}" x="{:.2f}" y="{:.2f}" dx="0.6em" dy="0.35em">{}</text>').format(
                "major" if marker.major else "minor", x, y, marker.label
            )
            if marker.kind != "case"
            else Markup("")
        )
        if marker.href:
            parts.append(
                Markup('<a class="marker {}" href="{}" data-label="{}">{}{}</a>').format(
                    marker.kind, marker.href, marker.label, dot, label
                )
            )
        else:
            parts.append(Markup('<g class="marker {}">{}{}</g>').format(marker.kind, dot, label))
    parts.append(Markup("</g></svg>"))
    controls = Markup(
        '<div class="map-controls" role="group" aria-label="Map zoom">'
        '<button type="button" data-zoom="in" title="Zoom in">+</button>'
        '<button type="button" data-zoom="out" title="Zoom out">−</button>'
        '<button type="button" data-zoom="home" title="Back to the first view">⟲</button></div>'
    )
    return Markup('<div class="map-frame">') + controls + Markup("").join(parts) + Markup("</div>")


def _overlaps(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _numbers(view) -> str:
    return " ".join(f"{v:.2f}" for v in view)


def spread(markers: list[Marker]) -> list[Marker]:
    """Markers at one spot set around it on a small circle (0.05°), so that each can be clicked
    once zoomed in; the first stays at the spot."""
    at: dict[tuple[float, float], int] = {}
    out = []
    for m in markers:
        key = (round(m.lon, 4), round(m.lat, 4))
        n = at.get(key, 0)
        at[key] = n + 1
        if n == 0:
            out.append(m)
            continue
        angle = n * 2.4  # radians: the golden angle, so that points never land on each other
        out.append(
            Marker(
                m.label,
                m.href,
                m.lon + 0.05 * n**0.5 * math.cos(angle),
                m.lat + 0.05 * n**0.5 * math.sin(angle),
                m.kind,
                m.note,
            )
        )
    return out
