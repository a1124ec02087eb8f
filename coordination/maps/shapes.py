"""The country shapes the maps draw and the Web Mercator projection they are drawn in.

`countries.json` ships with the package (built once by build_shapes.py from Natural Earth, public domain):
per ISO 3166-1 alpha-3 code a path on a square world `WIDTH` units wide, a point inside the country for its
marker, and the frame of its main parts (metropolitan France, not French Guiana).
"""

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WIDTH = 4000
MAX_LATITUDE = 85.05112878
NORTH, SOUTH = 84.0, -58.0  # the world map's frame: Antarctica is left out


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def view_box(self) -> str:
        return " ".join(
            f"{v:g}" for v in (round(self.left), round(self.top), round(self.width), round(self.height))
        )

    def overlaps(self, other: "Box") -> bool:
        return not (
            other.left > self.right
            or other.right < self.left
            or other.top > self.bottom
            or other.bottom < self.top
        )

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


@dataclass(frozen=True)
class Shape:
    code: str
    path: str | None  # None: too small for the world-scale shapes, drawn as a dot at `label`
    label: tuple[int, int]
    main: Box
    extent: Box


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """Web Mercator on the shapes' square world, x to the east and y to the south."""
    latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))
    x = (longitude + 180) / 360 * WIDTH
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)) / math.pi) / 2 * WIDTH
    return x, y


def world() -> Box:
    (left, top), (right, bottom) = project(-180, NORTH), project(180, SOUTH)
    return Box(left, top, right, bottom)


def _extent(path: str) -> Box:
    """The frame of every part of a path written by build_shapes (M x y, then relative steps)."""
    xs, ys = [], []
    for part in path.split("M")[1:]:
        numbers = [int(n) for n in re.findall(r"-?\d+", part)]
        x, y = numbers[0], numbers[1]
        xs.append(x)
        ys.append(y)
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
    return Box(min(xs), min(ys), max(xs), max(ys))


@cache
def shapes() -> dict[str, Shape]:
    data = json.loads(Path(__file__).with_name("countries.json").read_text())
    found = {}
    for code, entry in data["countries"].items():
        main = Box(*entry["box"])
        path = entry.get("d")
        found[code] = Shape(code, path, tuple(entry["label"]), main, _extent(path) if path else main)
    return found


def frame(boxes: list[Box], *, margin: float = 0.15, least: float = 160) -> Box:
    """A view around these boxes: a margin around them, at least `least` units wide, no taller than wide
    and no more than twice as wide as tall (a phone shows it whole), within the world map."""
    if not boxes:
        return world()
    left, top = min(b.left for b in boxes), min(b.top for b in boxes)
    right, bottom = max(b.right for b in boxes), max(b.bottom for b in boxes)
    width = max(right - left, least) * (1 + 2 * margin)
    height = max(bottom - top, least / 2) * (1 + 2 * margin)
    width, height = max(width, height), max(height, width / 2)
    bounds = world()
    width, height = min(width, bounds.width), min(height, bounds.height)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    x0 = min(max(cx - width / 2, bounds.left), bounds.right - width)
    y0 = min(max(cy - height / 2, bounds.top), bounds.bottom - height)
    return Box(x0, y0, x0 + width, y0 + height)
