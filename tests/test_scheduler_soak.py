"""The scheduler recovers (issue 16): bench/scheduler_soak.py --short, two scheduler processes on one SQLite
database and an injected clock 30 times the wall clock, one killed -9 while it holds a lease. Also: the
scheduler refuses a database it cannot serve, as the web entry does."""

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from bench import scheduler_soak
from coordination import db
from coordination.cli import main
from coordination.jobs import lock, tasks
from coordination.jobs.lock import LEASE
from coordination.jobs.scheduler import FREQUENTLY, run_job
from tests.conftest import make_app


def test_two_schedulers_one_killed_every_job_runs_on_schedule(backend, request, tmp_path):
    if backend != "sqlite":
        pytest.skip("the soak is of SQLite's locking; PostgreSQL takes the same leases")
    source = request.getfixturevalue("seeded_template")
    figures_file = tmp_path / "soak.json"
    status = scheduler_soak.main(["--short", "--source", str(source), "--json", str(figures_file)])
    figures = json.loads(figures_file.read_text())
    assert status == 0 and figures["failures"] == [], figures["failures"]
    jitter = timedelta(seconds=figures["jitter_s"])
    for name in tasks.FREQUENT_JOBS:
        job = figures["jobs"][name]
        assert job["runs"] >= 2, (name, job)  # a run that overruns its interval takes the slots it covers
        assert timedelta(seconds=job["max_wait_s"]) <= FREQUENTLY + jitter, (name, job)
        if job["after_kill_s"] is not None:
            assert timedelta(seconds=job["after_kill_s"]) <= LEASE + FREQUENTLY + jitter, (name, job)
    for name in tasks.DAILY_JOBS:  # the injected clock passes 07:00, the digest hour
        assert figures["jobs"][name]["runs"] == 1, (name, figures["jobs"][name])
    assert figures["killed_holding"], "the first scheduler was killed between runs: no takeover tested"
    for name, takeover in figures["takeover"].items():
        assert takeover["taken_over_s"] >= takeover["lease_expired_s"] - 1, name  # times logged to the second
        assert takeover["taken_over_s"] <= (LEASE + FREQUENTLY + jitter).total_seconds(), name


def test_a_job_that_ends_inside_a_read_stops_its_heartbeat_at_once(app, monkeypatch):
    """Found by the soak: a job returning with its last (write-locked) transaction open, while its heartbeat
    waited for SQLite's write lock to renew the lease, held the database for the whole busy timeout."""
    monkeypatch.setattr(lock, "HEARTBEAT", timedelta(seconds=0.02))

    def reads_last(*, session, **_kwargs) -> int:
        count = session.execute(text("SELECT count(*) FROM person")).scalar_one()
        time.sleep(0.2)  # the heartbeat tries to renew meanwhile
        return count

    began = time.monotonic()
    assert run_job(app, "remind_actions", reads_last, holder="host:1")
    assert time.monotonic() - began < 3


def _refusal(app) -> str:
    result = app.test_cli_runner().invoke(main, ["scheduler"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "scheduler started" not in result.output and result.output.strip().count("\n") == 0, result.output
    return result.output


def test_the_scheduler_refuses_a_missing_old_or_read_only_database_in_one_line(
    backend, database_url, tmp_path
):
    """As the web entry does (coordination/startup.py), rather than migrating it or failing in its jobs."""
    if backend != "sqlite":
        pytest.skip("the same check on PostgreSQL is covered by tests/test_backup.py")
    missing = make_app(f"sqlite:///{tmp_path / 'none.db'}")
    assert "none (empty)" in _refusal(missing) and "coordination db upgrade" in _refusal(missing)

    app = make_app(database_url)
    with db.engine_of(app).begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0016'"))
    assert "revision 0016" in _refusal(app)
    with db.engine_of(app).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})

    read_only = make_app(database_url)
    event.listen(
        db.engine_of(read_only), "connect", lambda connection, _: connection.execute("PRAGMA query_only=ON")
    )
    assert "readonly" in _refusal(read_only)
