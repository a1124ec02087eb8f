"""The maps' projection, frames and what a map draws: pure functions over the shipped country shapes."""

import json
from pathlib import Path

import pytest
import yaml

from coordination.maps.render import Pin, Shade, draw, frame_around, frame_of_countries, worst_of
from coordination.maps.shapes import WIDTH, Box, frame, project, shapes, world

ROOT = Path(__file__).resolve().parents[2]


def test_web_mercator_puts_null_island_in_the_middle_and_the_edges_on_the_frame():
    assert project(0, 0) == pytest.approx((WIDTH / 2, WIDTH / 2))
    assert project(-180, 85.05112878) == pytest.approx((0, 0), abs=1e-6)
    assert project(180, -85.05112878) == pytest.approx((WIDTH, WIDTH), abs=1e-6)
    assert project(0, 89.9) == project(0, 85.06)  # clamped, not infinite
    brussels = project(4.35, 50.85)
    assert shapes()["BEL"].main.holds(*brussels)


def test_the_shipped_shapes_cover_every_seeded_country_and_stay_small():
    data = ROOT / "coordination" / "maps" / "countries.json"
    assert data.stat().st_size < 80_000 and "public domain" in json.loads(data.read_text())["source"]
    seeded = {c["code"] for c in yaml.safe_load((ROOT / "seed" / "countries.yaml").read_text())}
    assert seeded <= set(shapes())
    assert shapes()["MUS"].path is None  # too small at 1:110m: a dot
    for code in ("XKX", "SOM", "CYP", "FRA", "USA"):
        shape = shapes()[code]
        assert shape.path and shape.main.holds(*shape.label)
    assert shapes()["FRA"].main.right - shapes()["FRA"].main.left < 200  # not stretched to French Guiana


def test_a_frame_holds_its_countries_with_a_margin_and_fits_a_phone():
    view = frame_of_countries(["COD", "RWA", "BDI"])
    for code in ("COD", "RWA", "BDI"):
        box = shapes()[code].main
        assert view.holds(box.left, box.top) and view.holds(box.right, box.bottom)
    assert 1 <= view.width / view.height <= 2
    small = frame_of_countries(["BEL"])
    assert small.width >= 160 and small.holds(*shapes()["BEL"].label)
    assert frame([]) == world() == frame_of_countries(["ATA"])
    edge = frame_around(179.9, 0)
    assert edge.right <= world().right and edge.holds(*project(179.9, 0))


def test_a_map_shades_by_count_outlines_the_worst_severity_and_places_points():
    shades = [Shade("COD", "DR Congo", 12, "critical"), Shade("NER", "Niger", 1, "low")]
    pins = [
        Pin("report", "Roadblocks", "COD", longitude=29.2, latitude=-1.7, severity="high"),
        Pin("mission", "Embassy in Niamey", "NER"),  # no coordinates: at the country's marker
        Pin("mission", "Nowhere", "ZZZ"),
    ]
    world_map = draw(shades=shades, pins=pins)
    drawn = {c.code: c for c in world_map.countries}
    assert drawn["COD"].classes == "land ew-4 worst-critical" and drawn["NER"].classes == "land ew-1"
    assert drawn["FRA"].classes == "land" and "MUS" not in drawn  # a dot only when it has something
    assert [s.code for s in world_map.shades] == ["COD", "NER"]
    goma, niamey = world_map.pins
    assert (goma.approximate, niamey.approximate) == (False, True)
    assert (niamey.x, niamey.y) == shapes()["NER"].label
    assert len(world_map.pins) == 2


def test_a_zoomed_map_draws_only_what_is_in_view():
    view = frame_of_countries(["BDI"])
    zoomed = draw(
        shades=[Shade("MUS", "Mauritius", 2, "high")],
        pins=[Pin("report", "Far away", "BRA", longitude=-47.9, latitude=-15.8)],
        view=view,
        focus=["BDI"],
    )
    codes = {c.code for c in zoomed.countries}
    assert {"BDI", "RWA", "COD"} <= codes and not codes & {"BRA", "FRA", "MUS"}
    assert zoomed.pins == [] and "focus" in next(c for c in zoomed.countries if c.code == "BDI").classes
    assert zoomed.view_box == view.view_box and len(view.view_box.split()) == 4


def test_worst_severity_and_count_bands():
    assert worst_of({"info": 3, "high": 1, "critical": 0}) == "high"
    assert worst_of({}) == "info"
    assert [Shade("X", "X", n, "info").band for n in (1, 2, 4, 5, 9, 10, 400)] == [1, 2, 2, 3, 3, 4, 4]
    assert Box(0, 0, 10, 5).view_box == "0 0 10 5"
