"""What a map shows, worked out from figures already filtered for its reader: pure functions, no database.

A map is drawn server-side as SVG by templates/maps/_map.html from the `WorldMap` built here: the
countries in view (shaded by their number of early warnings, outlined by the worst severity among them),
missions and located reports as points, and the view box that frames them. Nothing is fetched from another
server; a tile layer under the shapes is optional (static/map_tiles.js).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from coordination.maps.shapes import Box, Shape, frame, project, shapes, world

SEVERITIES = ("critical", "high", "medium", "low", "info")  # worst first
COUNT_BANDS = (1, 2, 5, 10)  # lower bounds of the four shades of a country's early-warning count
OUTLINED = {"critical", "high"}


@dataclass(frozen=True)
class Shade:
    """A country's early warnings as its reader may see them."""

    code: str
    name: str
    count: int
    worst: str

    @property
    def band(self) -> int:
        return max(i for i, low in enumerate(COUNT_BANDS, start=1) if self.count >= low)


@dataclass(frozen=True)
class Pin:
    """Something placed on the map: at its coordinates, or, without them, at its country's marker."""

    kind: str  # "mission" or "report"
    label: str
    country: str | None
    longitude: float | None = None
    latitude: float | None = None
    severity: str | None = None
    key: str = ""


@dataclass(frozen=True)
class DrawnCountry:
    code: str
    path: str | None
    dot: tuple[int, int] | None
    classes: str
    shade: Shade | None


@dataclass(frozen=True)
class DrawnPin:
    pin: Pin
    x: float
    y: float
    approximate: bool  # placed at the country's marker, not at its own coordinates


@dataclass
class WorldMap:
    frame: Box
    countries: list[DrawnCountry]
    pins: list[DrawnPin]
    shades: list[Shade]
    radius: float
    tile_url: str = ""
    focus: list[str] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return self.frame.view_box

    @property
    def reports(self) -> list[DrawnPin]:
        return [p for p in self.pins if p.pin.kind == "report"]

    @property
    def missions(self) -> list[DrawnPin]:
        return [p for p in self.pins if p.pin.kind == "mission"]


def worst_of(by_severity: dict[str, int]) -> str:
    return next((s for s in SEVERITIES if by_severity.get(s)), "info")


def frame_of_countries(codes: Iterable[str]) -> Box:
    known = shapes()
    return frame([known[c].main for c in codes if c in known])


def frame_around(longitude: float, latitude: float) -> Box:
    x, y = project(longitude, latitude)
    return frame([Box(x, y, x, y)], least=60)


def position(pin: Pin, known: dict[str, Shape]) -> DrawnPin | None:
    if pin.longitude is not None and pin.latitude is not None:
        return DrawnPin(pin, *project(pin.longitude, pin.latitude), approximate=False)
    if pin.country in known:
        return DrawnPin(pin, *known[pin.country].label, approximate=True)
    return None


def draw(
    *,
    shades: Iterable[Shade] = (),
    pins: Iterable[Pin] = (),
    view: Box | None = None,
    focus: Iterable[str] = (),
    tile_url: str = "",
) -> WorldMap:
    """The map of these figures in this view (the world without Antarctica by default): only the countries
    and points inside the view are drawn, which keeps a zoomed map small."""
    view = view or world()
    known = shapes()
    focus = sorted(set(focus))
    by_code = {s.code: s for s in shades}
    countries = []
    for code, shape in known.items():
        if not view.overlaps(shape.extent):
            continue
        shade = by_code.get(code)
        classes = ["land"]
        if shade:
            classes.append(f"ew-{shade.band}")
            if shade.worst in OUTLINED:
                classes.append(f"worst-{shade.worst}")
        if code in focus:
            classes.append("focus")
        if shape.path is None and not (shade or code in focus):
            continue
        dot = shape.label if shape.path is None else None
        countries.append(DrawnCountry(code, shape.path, dot, " ".join(classes), shade))
    drawn = [p for p in (position(pin, known) for pin in pins) if p and view.holds(p.x, p.y)]
    return WorldMap(
        frame=view,
        countries=countries,
        pins=drawn,
        shades=sorted(by_code.values(), key=lambda s: (-s.count, s.name)),
        radius=round(view.width / 140, 1),
        tile_url=tile_url,
        focus=focus,
    )
