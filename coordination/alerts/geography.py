"""Which country a point lies in, from the country shapes the maps draw (Natural Earth 1:110m, offline):
enough to name the country of a warning area's centre. Points off every shape (at sea, or in a country
too small for those shapes) name none."""

import re
from functools import cache

from coordination.maps.shapes import Box, project, shapes


@cache
def _rings() -> dict[str, tuple[Box, list[list[tuple[int, int]]]]]:
    """Per country, its frame and its rings of absolute points (the paths are M x y, then relative steps)."""
    found = {}
    for code, shape in shapes().items():
        if not shape.path:
            continue
        rings = []
        for part in shape.path.split("M")[1:]:
            numbers = [int(n) for n in re.findall(r"-?\d+", part)]
            x, y = numbers[0], numbers[1]
            ring = [(x, y)]
            for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
                x, y = x + dx, y + dy
                ring.append((x, y))
            rings.append(ring)
        found[code] = (shape.extent, rings)
    return found


def _inside(x: float, y: float, ring: list[tuple[int, int]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def country_at(latitude: float, longitude: float) -> str | None:
    """The ISO 3166-1 alpha-3 code of the country whose shape holds the point (even-odd across its
    rings, so that lakes and enclaves are holes)."""
    x, y = project(longitude, latitude)
    for code, (frame, rings) in _rings().items():
        if frame.holds(x, y) and sum(_inside(x, y, ring) for ring in rings) % 2:
            return code
    return None
