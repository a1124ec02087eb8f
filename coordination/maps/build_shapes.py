"""Build `countries.json`, the country shapes the maps draw, from Natural Earth's admin-0 countries.

Run once by hand when the shapes change; the app and the tests read only the JSON it writes, so neither
needs node nor this script's input at run or test time:

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m coordination.maps.build_shapes package/countries-110m.json package/countries-50m.json

The input is the world-atlas package's TopoJSON (Natural Earth 4.1.0, 1:110m, public domain). Shapes are
projected to Web Mercator (so that an optional tile layer lines up) on a square world `WIDTH` units wide,
rounded to whole units and written as compact SVG path strings keyed by ISO 3166-1 alpha-3 code. Countries
too small for the 1:110m shapes (Cabo Verde, Mauritius, Monaco...) get a label point and frame from the
1:50m shapes, and the map draws them as dots.
"""

import json
import math
import sys
from itertools import pairwise
from pathlib import Path

import pycountry

WIDTH = 4000
MAX_LATITUDE = 85.05112878
OUTPUT = Path(__file__).with_name("countries.json")
# Natural Earth shapes without an ISO numeric id: Kosovo has the user-assigned code XKX in common use;
# Northern Cyprus and Somaliland are drawn as part of the countries the app reports on (CYP, SOM).
WITHOUT_ID = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}
LEFT_OUT = {"ATA"}  # Antarctica: nothing to report there, and it doubles the height of a world map
MAIN_PART = 0.25  # parts at least this share of the largest one frame a country (not French Guiana)


def project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = (lon + 180) / 360 * WIDTH
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * WIDTH
    return x, y


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
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
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return unwrapped(points)


def unwrapped(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) made continuous, on the side where
    most of it lies: drawn flat, it would otherwise cross the whole map."""
    shift, previous, kept = 0.0, None, []
    for lon, lat in points:
        if previous is not None and lon - previous > 180:
            shift -= 360
        elif previous is not None and previous - lon > 180:
            shift += 360
        previous = lon
        kept.append((lon + shift, lat))
    middle = sum(lon for lon, _lat in kept) / len(kept)
    back = 360 * round(middle / 360)
    return [(lon - back, lat) for lon, lat in kept]


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def rounded(points: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Whole units, without points that round onto the one before."""
    kept: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not kept or point != kept[-1]:
            kept.append(point)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept


def path_of(rings: list[list[tuple[int, int]]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        (x0, y0), text = ring[0], [f"M{ring[0][0]} {ring[0][1]}l"]
        steps = []
        for x, y in ring[1:]:
            steps.append(f"{x - x0} {y - y0}")
            x0, y0 = x, y
        text.append(" ".join(steps).replace(" -", "-"))
        parts.append("".join(text) + "z")
    return "".join(parts)


def area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring + ring[:1]))) / 2


def label_point(ring: list[tuple[int, int]]) -> list[int]:
    """A point inside the ring: the middle of its widest stretch on the line through its centroid."""
    ys = [y for _x, y in ring]
    middle = (min(ys) + max(ys)) / 2
    crossings = []
    for (x0, y0), (x1, y1) in pairwise(ring + ring[:1]):
        if (y0 <= middle < y1) or (y1 <= middle < y0):
            crossings.append(x0 + (middle - y0) * (x1 - x0) / (y1 - y0))
    crossings.sort()
    stretches = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not stretches:
        xs = [x for x, _y in ring]
        return [round(sum(xs) / len(xs)), round(middle)]
    left, right = max(stretches, key=lambda s: s[1] - s[0])
    return [round((left + right) / 2), round(middle)]


def alpha3_of(geometry: dict) -> str | None:
    numeric = geometry.get("id")
    if numeric is None:
        return WITHOUT_ID.get(geometry["properties"]["name"])
    country = pycountry.countries.get(numeric=numeric)
    return country.alpha_3 if country else None


def parts_of(topology: dict) -> dict[str, list[list[list[tuple[int, int]]]]]:
    arcs = decode_arcs(topology)
    parts: dict[str, list[list[list[tuple[int, int]]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = alpha3_of(geometry)
        if code is None or code in LEFT_OUT:
            print(f"left out: {geometry['properties']['name']}", file=sys.stderr)
            continue
        for polygon in polygons_of(geometry):
            rings = [rounded([project(*p) for p in ring_points(ring, arcs)]) for ring in polygon]
            if len(rings[0]) >= 3:
                parts.setdefault(code, []).append(rings)
    return parts


def placed(polygons: list[list[list[tuple[int, int]]]]) -> dict:
    """Where a country's label goes, and the frame of its main parts."""
    largest = max(area(p[0]) for p in polygons)
    main = [p[0] for p in polygons if area(p[0]) >= MAIN_PART * largest]
    xs = [x for ring in main for x, _y in ring]
    ys = [y for ring in main for _x, y in ring]
    return {"label": label_point(max(main, key=area)), "box": [min(xs), min(ys), max(xs), max(ys)]}


def build(topology: dict, detailed: dict | None = None) -> dict:
    parts = parts_of(topology)
    countries = {
        code: {"d": "".join(path_of(rings) for rings in polygons), **placed(polygons)}
        for code, polygons in parts.items()
    }
    for code, polygons in (parts_of(detailed) if detailed else {}).items():
        if code not in countries and pycountry.countries.get(alpha_3=code):
            countries[code] = placed(polygons)
    countries = dict(sorted(countries.items()))
    return {
        "source": "Natural Earth 4.1.0 admin-0 countries 1:110m, dots from 1:50m (public domain),"
        " via the npm package world-atlas 2.0.2 (ISC); built by coordination/maps/build_shapes.py",
        "projection": "Web Mercator",
        "width": WIDTH,
        "countries": countries,
    }


def main(argv: list[str]) -> None:
    topology = json.loads(Path(argv[1]).read_text())
    detailed = json.loads(Path(argv[2]).read_text()) if len(argv) > 2 else None
    OUTPUT.write_text(json.dumps(build(topology, detailed), separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
