"""Quick figures on the seeded demo database (not ministry scale: that is issue 8's generator).

    .venv/bin/python bench/quick.py

Builds a fresh seeded SQLite database in a temporary folder, then prints: organisation graph size and
build time, routing time per report, and in-process latency of posting a field report and reading
the inbox through the API.
"""

import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from coordination import create_app, db
from coordination.routing.rules import ReportFacts, route_report
from coordination.seed import load_scenario, load_seed
from coordination.structure.graph import build_organisation_graph

DEMO_PASSWORD = "demo-coordination"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="coordination-bench-"))
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "TESTING": True, "SECRET_KEY": "bench"}
    )
    engine = db.engine_of(app)
    db.upgrade(engine)
    with Session(engine) as session:
        load_seed(session=session, demo_password=DEMO_PASSWORD)
        load_scenario(session=session)
        builds = []
        for _ in range(5):
            started = time.perf_counter()
            graph = build_organisation_graph(session=session)
            builds.append((time.perf_counter() - started) * 1000)
    print(
        f"organisation graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
        f"built in {statistics.median(builds):.1f} ms (median of 5)"
    )
    facts = [
        ReportFacts(country="COD", mission="KINSHASA"),
        ReportFacts(country="NER", mission="NIAMEY", early_warning=True, severity="high"),
        ReportFacts(country="BDI", mission="BUJUMBURA", severity="critical"),
    ]
    rounds = 30_000
    started = time.perf_counter()
    for i in range(rounds):
        route_report(facts[i % 3], graph)
    print(
        f"route_report: {(time.perf_counter() - started) / rounds * 1e6:.1f} µs per report (mean of {rounds})"
    )

    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"email": "catherine.lemmens@diplobel.example", "password": DEMO_PASSWORD}
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    posts = []
    for i in range(300):
        body = {
            "title": f"Bench report {i}",
            "mission_code": "KINSHASA",
            "body": "Some **text**",
            "severity": "high" if i % 5 == 0 else "info",
        }
        started = time.perf_counter()
        response = client.post("/api/v1/field-reports", json=body, headers=headers)
        posts.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.json
    print(
        f"POST /api/v1/field-reports, 300 sequential, in-process: p50 {percentile(posts, 50):.1f} ms, "
        f"p99 {percentile(posts, 99):.1f} ms"
    )
    reads = []
    for _ in range(100):
        started = time.perf_counter()
        response = client.get("/api/v1/inbox", headers=headers)
        reads.append((time.perf_counter() - started) * 1000)
    print(
        f"GET /api/v1/inbox ({len(response.json['items'])} items): p50 {percentile(reads, 50):.1f} ms, "
        f"p95 {percentile(reads, 95):.1f} ms"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
