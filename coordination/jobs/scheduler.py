"""`coordination scheduler`: APScheduler 3.11 in its own process, never inside the web workers."""

import contextlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlmodel import Session

from coordination import db
from coordination.jobs import tasks
from coordination.jobs.clock import InjectedClock, aligned
from coordination.jobs.lock import HEARTBEAT, Heartbeat, acquire, holder_name, release, wall_clock_from
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
    slot: datetime | None = None,
    clock: InjectedClock | None = None,
) -> int | None:
    """Run one job under its lease; None when another scheduler holds it (or, given its `slot`, has run it
    in that slot). A job that raises releases its lease, records and logs the error (with its traceback),
    and raises it again.

    `now` is the job's clock (injected to catch up or to test); the lease always runs on the wall clock
    (`lease_clock` only in tests), so a run `--now` in the future never leaves a lease held past it; an
    injected `clock` (`coordination scheduler --clock-speed`) drives the job, its lease and its heartbeat.
    Every transaction of the job takes SQLite's write lock as it begins (waiting for it up to the busy
    timeout), so that a job never fails with "database is locked" from a stale snapshot when another job
    or a request wrote meanwhile; the jobs commit per item, so that each holds it briefly."""
    holder = holder or holder_name()
    if clock is not None:
        lease_now, heartbeat_s = clock.now, clock.real_seconds(HEARTBEAT)
    else:
        now, heartbeat_s = now or datetime.now(UTC), None
        lease_now = wall_clock_from(lease_clock or datetime.now(UTC))
    engine = db.engine_of(app).execution_options(write_lock=True)
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        taken = lease_now()
        if not acquire(session=session, name=name, holder=holder, now=taken, slot=slot):
            why = "held by another scheduler" if slot is None else "held, or run in this slot, by another"
            log.info("job %s is %s; skipped", name, why)
            return None
        now = now or taken  # on an injected clock, when it took the lease
        log.info(
            "job %s started (as of %s)%s",
            name,
            now.isoformat(timespec="seconds"),
            f" for the slot at {slot.isoformat(timespec='seconds')}" if slot is not None else "",
        )
        began = time.monotonic()
        try:
            with Heartbeat(engine, name=name, holder=holder, clock=lease_now, every_s=heartbeat_s):
                # The job's last transaction ends before the heartbeat stops: stopping waits for a renewal
                # under way, which waits for the write lock that transaction holds (until the busy timeout).
                try:
                    done = job(
                        session=session,
                        now=now,
                        mailer=Mailer.from_config(app.config),
                        base_url=app.config["BASE_URL"],
                        config=app.config,
                    )
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except Exception as error:
            log.exception("job %s failed after %.1f s", name, time.monotonic() - began)
            session.rollback()
            message = "".join(traceback.format_exception_only(error)).strip()
            try:
                release(session=session, name=name, holder=holder, now=lease_now(), error=message)
            except Exception:
                log.exception("job %s: could not release its lease (it expires by itself)", name)
            raise
        # logged before the lease is let go, so that no other scheduler's run of it is logged as started
        # before this one is logged as finished
        log.info("job %s finished: %s in %.1f s", name, done, time.monotonic() - began)
        release(session=session, name=name, holder=holder, now=lease_now(), count=done)
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


def wall_clock_slot(at: datetime) -> datetime:
    """The slot of a run the scheduler fires at `at`: the whole minute it fires in. Every scheduler fires the
    frequent jobs on whole minutes (`aligned`) and the daily ones on the hour, so two schedulers (a second
    one started by mistake, or two during a restart) share the slots: the first to take a job's lease runs
    it, and the other skips that slot instead of running the job again."""
    return at.replace(second=0, microsecond=0)


def _scheduled(app: Flask, name: str, job: Callable) -> None:
    """run_job for the scheduler, in its slot: the error is logged and recorded already, not again by
    APScheduler."""
    with contextlib.suppress(Exception):
        run_job(app, name, job, slot=wall_clock_slot(datetime.now(UTC)))


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
    started = datetime.now(UTC)
    for name, trigger in triggers(app.config).items():
        scheduler.add_job(
            _scheduled,
            aligned(trigger, started),
            args=(app, name, jobs[name]),
            id=name,
            max_instances=1,
            coalesce=True,
        )
    return scheduler


TICK_S = 0.01  # longest real sleep of `run_on_clock` between two looks at its clock


def _run_quietly(app: Flask, name: str, job: Callable, slot: datetime, clock: InjectedClock) -> None:
    with contextlib.suppress(Exception):  # logged and recorded by run_job
        run_job(app, name, job, slot=slot, clock=clock)


def run_on_clock(
    app: Flask, clock: InjectedClock, *, until: datetime | None = None, stop: threading.Event | None = None
) -> None:
    """The scheduler on an injected clock (see clock.py), as APScheduler runs it on the wall clock: each job
    in each of its slots in a thread of its own, one run of a job at a time (a slot that comes while the
    job still runs is skipped; slots missed are coalesced into one run), until `until` on that clock.
    Every scheduler on the clock shares the slots, and each slot is run once (`acquire`'s `slot`)."""
    stop = stop or threading.Event()
    jobs = {**tasks.FREQUENT_JOBS, **tasks.DAILY_JOBS}
    start = clock.now()
    schedule = {name: aligned(trigger, start) for name, trigger in triggers(app.config).items()}
    due = {name: trigger.get_next_fire_time(None, start) for name, trigger in schedule.items()}
    running: dict[str, Future] = {}
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="job") as pool:
        while not stop.is_set():
            now = clock.now()
            if until is not None and now >= until:
                return
            for name, job in jobs.items():
                slot = due[name]
                if slot is None or slot > now:
                    continue
                later = schedule[name].get_next_fire_time(slot, now)
                while later is not None and later <= now:
                    slot, later = later, schedule[name].get_next_fire_time(later, now)
                due[name] = later
                if name in running and not running[name].done():
                    log.warning("job %s still runs; its slot at %s is skipped", name, slot.isoformat())
                    continue
                running[name] = pool.submit(_run_quietly, app, name, job, slot, clock)
            nearest = min((at for at in due.values() if at is not None), default=None)
            wait = clock.real_seconds(nearest - clock.now()) if nearest is not None else TICK_S
            stop.wait(min(max(wait, 0.0), TICK_S))
