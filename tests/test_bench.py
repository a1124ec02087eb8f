"""Smoke tests of the benchmark tools (bench/generate.py, bench/run.py, bench/concurrent_reads.py) at a
tiny scale on SQLite.

No timed assertions: these only check that the generator makes consistent, reproducible data and that
the benchmark runs end to end and writes its figures.
"""

import json
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bench import generate
from coordination import db
from coordination.audit import chain
from coordination.audit.models import AuditEvent
from coordination.markup import render_markdown
from coordination.routing.rules import ReportFacts, route_report
from coordination.structure.graph import build_organisation_graph

SCALE = "0.0005"


def _generate(path: Path, seed: int = 3) -> dict:
    return generate.main(
        [
            "--database-url",
            f"sqlite:///{path}",
            "--scale",
            SCALE,
            "--seed",
            str(seed),
            "--now",
            "2026-06-01",
            "--no-progress",
        ]
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("bench") / "a.db"
    return path, _generate(path)


def test_volumes_follow_the_scale(generated):
    _path, summary = generated
    made = summary["generated"]
    assert made["fieldreport"] == 500
    assert made["decision"] == 25
    assert made["lesson"] == 10
    assert made["delivery"] >= made["fieldreport"]
    assert made["search_index"] == 535
    tables = summary["tables"]
    assert tables["active_task_forces"] >= 3 and tables["task_forces"] > tables["active_task_forces"]
    assert summary["rare_word"] == generate.RARE_WORD and summary["rare_word_reports"] == 3


def test_same_seed_same_data(generated, tmp_path):
    _path, first = generated
    again = _generate(tmp_path / "b.db")
    assert again["tables"] == first["tables"]
    assert again["first_titles"] == first["first_titles"]
    other = _generate(tmp_path / "c.db", seed=4)
    assert other["first_titles"] != first["first_titles"]


def test_generated_rows_are_consistent(generated):
    path, _summary = generated
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            connection = session.connection()
            rare = connection.execute(
                text("SELECT count(*) FROM search_index WHERE search_index MATCH :word"),
                {"word": generate.RARE_WORD},
            ).scalar()
            assert rare == 5  # three reports, one decision, one lesson
            common = connection.execute(
                text("SELECT count(*) FROM search_index WHERE search_index MATCH :word"),
                {"word": generate.COMMON_WORD},
            ).scalar()
            assert common > 50
            # the HTML written in bulk is what the app's Markdown renderer makes of the text
            for body, body_html in connection.execute(
                text("SELECT body, body_html FROM fieldreport ORDER BY id DESC LIMIT 50")
            ):
                assert render_markdown(body) == body_html
            # the latest reports were routed over today's organisation, so routing them again agrees
            graph = build_organisation_graph(session=session)
            rows = connection.execute(
                text(
                    "SELECT r.id, r.country_code, r.themes, r.severity, r.early_warning, m.code, r.kind, "
                    "r.intelligence_level FROM fieldreport r LEFT JOIN mission m ON m.id = r.mission_id "
                    "ORDER BY r.id DESC LIMIT 30"
                )
            ).all()
            for id_, country, themes, severity, early, mission, kind, level in rows:
                facts = ReportFacts(
                    country, tuple(json.loads(themes)), severity, bool(early), mission, kind, level
                )
                expected = {r.body for r in route_report(facts, graph)}
                delivered = set(
                    connection.execute(
                        text(
                            "SELECT b.slug FROM delivery d JOIN body b ON b.id = d.body_id "
                            "WHERE d.report_id = :id"
                        ),
                        {"id": id_},
                    ).scalars()
                )
                assert delivered == expected
            stages = connection.execute(
                text(
                    "SELECT l.stage, (SELECT t.to_stage FROM lessontransition t WHERE t.lesson_id = l.id "
                    "ORDER BY t.at DESC, t.id DESC LIMIT 1) FROM lesson l"
                )
            ).all()
            assert stages and all(stage == last for stage, last in stages)
    finally:
        engine.dispose()


def test_demo_accounts_sign_in_on_the_generated_database(generated):
    from tests.conftest import make_app

    path, _summary = generated
    app = make_app(f"sqlite:///{path}")
    try:
        response = app.test_client().post(
            "/api/v1/auth/token", json={"email": generate.DEMO_READERS[0], "password": generate.DEMO_PASSWORD}
        )
        assert response.status_code == 201
    finally:
        db.engine_of(app).dispose()


@pytest.mark.skipif(
    shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None,
    reason="gunicorn is not installed (pip install '.[prod]')",
)
def test_benchmark_smoke_run(tmp_path):
    from bench import run

    out, database = tmp_path / "smoke.json", tmp_path / "smoke.db"
    _generate(database)
    results = run.main(["--smoke", "--database-url", f"sqlite:///{database}", "--json", str(out)])
    written = json.loads(out.read_text())
    assert written["ingest"]["requests"] > 0 and written["reference"]["statuses"].get("201", 0) > 0
    assert set(written["pages"]) == {"inbox", "dashboard", "report_page", "search_common", "search_rare"}
    assert written["pages"]["inbox"]["status"] == 200
    assert written["in_process"]["fan_out_people"] > 0
    assert written["worker_peak_rss_mb"] > 0
    assert written["eden"]["listing"]["all_listed"]  # every record the Eden-shaped clients posted
    assert written["cold_start"]["median_s"] > 0 and written["cold_start"]["parts"]["healthz_status"] == 200
    assert set(results["checks"]) == set(run.TARGETS)
    # what the run wrote is in the audit log, its chain whole (the fan-out's decision withdrawn, not deleted)
    engine = db.make_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        assert list(chain.verify(session)) == []
        withdrawn = session.exec(select(AuditEvent.id).where(AuditEvent.action == "decision.withdrawn")).all()
    engine.dispose()
    assert len(withdrawn) == 1


def test_concurrent_reads_smoke_run(generated):
    from bench import concurrent_reads

    path, _summary = generated
    results = concurrent_reads.main(
        ["--source", str(path), "--readers", "2", "--posters", "2", "--duration", "1", "--server", "werkzeug"]
    )
    assert results["ok"], results
    assert all(results["requests"][kind]["requests"] > 0 for kind in concurrent_reads.KINDS)
    recorded = results["recorded"]
    assert recorded["receipts_recorded"] == recorded["receipts_expected"] > 0
