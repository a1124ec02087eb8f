"""`coordination scheduler`: APScheduler 3.11 in its own process, never inside the web workers."""

import contextlib
import logging
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlmodel import Session

from coordination import db
from coordination.jobs import tasks
from coordination.jobs.lock import Heartbeat, acquire, holder_name, release, wall_clock_from
from coordination.notifications.mail import Mailer

log = logging.getLogger(__name__)
FREQUENTLY = timedelta(minutes=1)  # how often the frequent jobs run


def run_job(
    app: Flask,
    name: str,
    job: Callable,
    *,
    now: datetime | None = None,
    holder: str | None = None,
    lease_clock: datetime | None = None,
) -> int | None:
    """Run one job under its lease; None when another scheduler holds it. A job that raises releases its
    lease, records and logs the error (with its traceback), and raises it again.

    `now` is the job's clock (injected to catch up or to test); the lease always runs on the wall clock
    (`lease_clock` only in tests), so a run `--now` in the future never leaves a lease held past it.
    Every transaction of the job takes SQLite's write lock as it begins (waiting for it up to the busy
    timeout), so that a job never fails with "database is locked" from a stale snapshot when another job
    or a request wrote meanwhile; the jobs commit per item, so that each holds it briefly."""
    now = now or datetime.now(UTC)
    holder = holder or holder_name()
    clock = wall_clock_from(lease_clock or datetime.now(UTC))
    engine = db.engine_of(app).execution_options(write_lock=True)
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        if not acquire(session=session, name=name, holder=holder, now=clock()):
            log.info("job %s is held by another scheduler; skipped", name)
            return None
        log.info("job %s started (as of %s)", name, now.isoformat(timespec="seconds"))
        began = time.monotonic()
        try:
            with Heartbeat(engine, name=name, holder=holder, clock=clock):
                done = job(
                    session=session,
                    now=now,
                    mailer=Mailer.from_config(app.config),
                    base_url=app.config["BASE_URL"],
                    config=app.config,
                )
        except Exception as error:
            log.exception("job %s failed after %.1f s", name, time.monotonic() - began)
            session.rollback()
            message = "".join(traceback.format_exception_only(error)).strip()
            try:
                release(session=session, name=name, holder=holder, now=clock(), error=message)
            except Exception:
                log.exception("job %s: could not release its lease (it expires by itself)", name)
            raise
        release(session=session, name=name, holder=holder, now=clock(), count=done)
        log.info("job %s finished: %s in %.1f s", name, done, time.monotonic() - began)
        return done


def run_all(
    app: Flask, *, now: datetime | None = None, daily: bool = False
) -> dict[str, int | Exception | None]:
    """Every job once, one after the other; a job that fails (logged) does not stop the others."""
    jobs = {**tasks.FREQUENT_JOBS, **(tasks.DAILY_JOBS if daily else {})}
    done: dict[str, int | Exception | None] = {}
    for name, job in jobs.items():
        try:
            done[name] = run_job(app, name, job, now=now)
        except Exception as error:
            done[name] = error
    return done


def _scheduled(app: Flask, name: str, job: Callable) -> None:
    """run_job for the scheduler: the error is logged and recorded already, not again by APScheduler."""
    with contextlib.suppress(Exception):
        run_job(app, name, job)


def triggers(config) -> dict[str, BaseTrigger]:
    """When each job runs: the frequent ones every minute, the daily ones at DIGEST_HOUR (local time)."""
    timezone = config["BABEL_DEFAULT_TIMEZONE"]
    hour = config["DIGEST_HOUR"]
    return {
        **{
            name: IntervalTrigger(seconds=FREQUENTLY.total_seconds(), timezone=timezone)
            for name in tasks.FREQUENT_JOBS
        },
        **{name: CronTrigger(hour=hour, minute=0, timezone=timezone) for name in tasks.DAILY_JOBS},
    }


def next_run(config, name: str, *, now: datetime, last_started_at: datetime | None) -> datetime | None:
    """When the scheduler runs a job next, computed from its schedule (a frequent job a minute after its
    last start, or now if that has passed)."""
    if name in tasks.FREQUENT_JOBS:
        if last_started_at is None:
            return now
        return max(now, last_started_at + FREQUENTLY)
    trigger = triggers(config).get(name)
    return trigger.get_next_fire_time(None, now) if trigger is not None else None


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    jobs = {**tasks.FREQUENT_JOBS, **tasks.DAILY_JOBS}
    for name, trigger in triggers(app.config).items():
        scheduler.add_job(
            _scheduled, trigger, args=(app, name, jobs[name]), id=name, max_instances=1, coalesce=True
        )
    return scheduler
