"""`coordination scheduler`: APScheduler 3.11 in its own process, never inside the web workers."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlmodel import Session

from coordination import db
from coordination.jobs import tasks
from coordination.jobs.lock import holder_name, job_lock
from coordination.notifications.mail import Mailer

log = logging.getLogger(__name__)


def run_job(
    app: Flask,
    name: str,
    job: Callable,
    *,
    now: datetime | None = None,
    holder: str | None = None,
    lease_clock: datetime | None = None,
) -> int | None:
    """Run one job under its lease; None when another scheduler holds it.

    `now` is the job's clock (injected to catch up or to test); the lease always runs on the wall clock
    (`lease_clock` only in tests), so a run `--now` in the future never leaves a lease held past it."""
    now = now or datetime.now(UTC)
    holder = holder or holder_name()
    with (
        app.app_context(),
        Session(db.engine_of(app), expire_on_commit=False) as session,
        job_lock(session=session, name=name, holder=holder, now=lease_clock or datetime.now(UTC)) as got,
    ):
        if not got:
            log.info("job %s is held by another scheduler; skipped", name)
            return None
        done = job(
            session=session,
            now=now,
            mailer=Mailer.from_config(app.config),
            base_url=app.config["BASE_URL"],
            config=app.config,
        )
        log.info("job %s: %s", name, done)
        return done


def run_all(app: Flask, *, now: datetime | None = None, daily: bool = False) -> dict[str, int | None]:
    jobs = {**tasks.FREQUENT_JOBS, **(tasks.DAILY_JOBS if daily else {})}
    return {name: run_job(app, name, job, now=now) for name, job in jobs.items()}


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    for name, job in tasks.FREQUENT_JOBS.items():
        scheduler.add_job(
            run_job,
            IntervalTrigger(minutes=1),
            args=(app, name, job),
            id=name,
            max_instances=1,
            coalesce=True,
        )
    hour = app.config["DIGEST_HOUR"]
    for name, job in tasks.DAILY_JOBS.items():
        scheduler.add_job(
            run_job,
            CronTrigger(hour=hour, minute=0),
            args=(app, name, job),
            id=name,
            max_instances=1,
            coalesce=True,
        )
    return scheduler
