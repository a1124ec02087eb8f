"""The scheduler recovers by itself: leases end with their holder or on failure, jobs wait for SQLite's
write lock, and every run is recorded (`coordination jobs status`, the administrators' page)."""

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coordination import db
from coordination.cli import main
from coordination.jobs import lock, tasks
from coordination.jobs.lock import LEASE, acquire
from coordination.jobs.models import JobLock
from coordination.jobs.scheduler import run_job
from tests.demo import SG_CHAIR, SG_SECRETARY


def _lease(app, name: str) -> JobLock:
    with Session(db.engine_of(app)) as session:
        return session.get(JobLock, name)


def _boom(**_kwargs) -> int:
    raise RuntimeError("the mail relay is down")


def test_a_job_that_raises_releases_its_lease_records_and_logs_the_error(app, caplog):
    caplog.set_level(logging.INFO, logger="coordination.jobs")
    with pytest.raises(RuntimeError):
        run_job(app, "send_pending_email", _boom, holder="host:1")
    lease = _lease(app, "send_pending_email")
    assert lease.expires_at <= datetime.now(UTC)
    assert lease.last_result == "error" and lease.last_error == "RuntimeError: the mail relay is down"
    failed = [r for r in caplog.records if "job send_pending_email failed" in r.getMessage()]
    assert failed and failed[0].exc_info is not None  # with its traceback
    # another scheduler (a restart, a new pid) runs it at once
    assert run_job(app, "send_pending_email", lambda **_: 2, holder="host:2") == 2
    lease = _lease(app, "send_pending_email")
    assert (lease.last_result, lease.last_count, lease.last_error, lease.holder) == ("ok", 2, None, "host:2")
    assert any("job send_pending_email finished: 2" in r.getMessage() for r in caplog.records)


def test_the_lease_of_a_killed_scheduler_is_taken_over_once_its_heartbeat_stops(app, session):
    now = datetime.now(UTC)
    assert acquire(session=session, name="remind_actions", holder="host:1", now=now)  # then killed
    assert run_job(app, "remind_actions", lambda **_: 1, holder="host:2", lease_clock=now + LEASE / 2) is None
    later = now + LEASE + timedelta(seconds=1)
    assert run_job(app, "remind_actions", lambda **_: 1, holder="host:2", lease_clock=later) == 1
    assert timedelta(minutes=2) >= LEASE  # not the 10 minutes it was


def test_the_holder_renews_its_lease_while_the_job_runs(app, monkeypatch):
    monkeypatch.setattr(lock, "HEARTBEAT", timedelta(seconds=0.05))
    seen = []

    def slow(**_kwargs) -> int:
        time.sleep(0.4)
        seen.append(_lease(app, "remind_actions").expires_at)
        return 0

    started = datetime.now(UTC)
    assert run_job(app, "remind_actions", slow, holder="host:1") == 0
    assert seen[0] > started + LEASE + timedelta(seconds=0.2)  # renewed after the start
    assert _lease(app, "remind_actions").expires_at <= datetime.now(UTC)  # and released after


def test_two_jobs_starting_at_once_both_complete(app):
    """Each reads, then writes after the other may have written: on SQLite a deferred transaction would
    fail with "database is locked" (its snapshot is stale); the jobs' transactions wait for the lock."""

    def read_then_write(*, session, **_kwargs) -> int:
        count = session.execute(text("SELECT count(*) FROM person")).scalar_one()
        time.sleep(0.2)
        session.execute(text("UPDATE person SET name = name WHERE id = (SELECT min(id) FROM person)"))
        session.commit()
        return count

    results, errors = {}, []

    def run(name: str) -> None:
        try:
            results[name] = run_job(app, name, read_then_write)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    names = ("remind_actions", "send_pending_email")
    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(results) == {"remind_actions", "send_pending_email"} and all(results.values())


def test_jobs_status_prints_each_jobs_last_run_lease_and_next_run(app):
    run_job(app, "remind_actions", lambda **_: 3, holder="host:1")
    with pytest.raises(RuntimeError):
        run_job(app, "send_pending_email", _boom, holder="host:1")
    result = app.test_cli_runner().invoke(main, ["jobs", "status"])
    assert result.exit_code == 0, result.output
    out = result.output
    block = out.split("remind_actions (every minute)")[1].split("send_pending_email")[0]
    assert "last result: ok, 3" in block and "lease: free, holder host:1" in block
    assert "last result: error: RuntimeError: the mail relay is down" in out
    daily = out.split("send_daily_digests (daily)")[1]
    assert daily.splitlines()[1] == "  last run: never"
    assert out.count("next run: 20") == len(tasks.FREQUENT_JOBS) + len(tasks.DAILY_JOBS)


def test_the_jobs_page_is_for_administrators(client, auth):
    auth.login(SG_CHAIR)
    assert client.get("/admin/jobs").status_code == 403
    assert 'href="/admin/jobs"' not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(SG_SECRETARY)
    response = client.get("/admin/jobs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Scheduled jobs" in page and "send_daily_digests" in page and "remind_actions" in page
    assert 'href="/admin/jobs"' in client.get("/").get_data(as_text=True)
