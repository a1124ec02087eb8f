"""The page weight of the maps (issue 17's closing note): bytes of the map on each page that carries one.

    .venv/bin/python bench/map_weight.py [--warnings 120] [--countries 30]

Builds a fresh seeded SQLite database in a temporary folder, posts early warnings (as the steering group's
chair) spread over that many countries, two in three with coordinates, then signs in as the chair and
prints, for the early-warning board, the dashboard, a task force page and a report page: the map's bytes
(the <figure> with its SVG, and the screen-reader table and list after it), gzipped (level 6, as a proxy
would), the whole page's bytes and gzipped bytes, and the time to render the page in-process.
"""

import argparse
import gzip
import math
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from coordination import create_app, db
from coordination.classification import NeedToKnow
from coordination.maps.shapes import WIDTH, shapes
from coordination.reports import service as reports
from coordination.reports.models import ReportCreate
from coordination.seed import load_scenario, load_seed
from coordination.structure import queries as structure
from coordination.structure.graph import organisation_graph

DEMO_PASSWORD = "demo-coordination"
CHAIR = "annelies.vercammen@diplobel.example"
COUNTRIES = "COD RWA BDI UGA SSD SDN ETH SOM KEN TZA MOZ MWI ZMB AGO CAF TCD NER MLI BFA NGA CMR GIN SEN"
COUNTRIES += " LBY EGY SYR LBN IRQ YEM AFG PAK MMR UKR HTI VEN COL MEX"
SEVERITIES = ["info", "low", "medium", "high", "critical"]
MAP = re.compile(r'<figure class="world-map.*?(?=<section|</main|<h2)', re.S)


def post_warnings(session: Session, *, count: int, countries: list[str]) -> int:
    chair = structure.get_person_by_email(session=session, email=CHAIR)
    graph = organisation_graph(session=session)
    first = None
    for i in range(count):
        code = countries[i % len(countries)]
        x, y = shapes()[code].label
        located = {"latitude": None, "longitude": None}
        if i % 3:
            located = _near(x, y, i)
        data = ReportCreate(
            title=f"Early warning {i} on {code}",
            country_code=code,
            early_warning=True,
            severity=SEVERITIES[i % len(SEVERITIES)],
            **located,
        )
        posted = reports.post_report(
            session=session, author=chair, data=data, graph=graph, policy=NeedToKnow()
        )
        first = first or posted.report.id
    return first


def _near(x: float, y: float, i: int) -> dict:
    """Coordinates near a country's marker (inverse Web Mercator), spread a little."""
    x, y = x + (i % 5 - 2) * 4, y + (i % 7 - 3) * 4
    longitude = x / WIDTH * 360 - 180
    latitude = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / WIDTH))))
    return {"latitude": round(latitude, 4), "longitude": round(longitude, 4)}


def weigh(client, path: str, rounds: int = 5) -> tuple[int, int, int, int, float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    page = response.get_data()
    if dump := os.environ.get("MAP_WEIGHT_DUMP"):
        Path(dump, path.strip("/").replace("/", "_") + ".html").write_bytes(page)
    found = MAP.search(page.decode())
    assert found, f"no map on {path}"
    world_map = found.group(0).encode()
    return (
        len(world_map),
        len(gzip.compress(world_map, 6)),
        len(page),
        len(gzip.compress(page, 6)),
        statistics.median(times),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warnings", type=int, default=120)
    parser.add_argument("--countries", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="coordination-maps-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
        }
    )
    engine = db.engine_of(app)
    db.upgrade(engine)
    with Session(engine) as session:
        load_seed(session=session, demo_password=DEMO_PASSWORD)
        load_scenario(session=session)
        countries = COUNTRIES.split()[: args.countries]
        report_id = post_warnings(session, count=args.warnings, countries=countries)
        session.commit()
    client = app.test_client()
    client.post("/login", data={"email": CHAIR, "password": DEMO_PASSWORD})
    print(f"{args.warnings} early warnings over {len(countries)} countries, 2 in 3 located; as the chair")
    print(f"{'page':<38} {'map B':>8} {'map gz':>8} {'page B':>8} {'page gz':>8} {'render ms':>10}")
    for path in (
        "/early-warning",
        "/dashboard",
        "/task-forces/task-force-great-lakes",
        f"/reports/{report_id}",
    ):
        raw, packed, page, page_packed, ms = weigh(client, path)
        print(f"{path:<38} {raw:>8,} {packed:>8,} {page:>8,} {page_packed:>8,} {ms:>10.1f}")
    engine.dispose()


if __name__ == "__main__":
    main()
