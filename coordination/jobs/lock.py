"""A lease per job in the database: whoever holds an unexpired lease runs the job, nobody else does.

Works the same on SQLite and PostgreSQL: taking the lease is one conditional UPDATE (or the INSERT
of a new row), so two schedulers racing for it cannot both win. The lease is short and its holder
renews it while the job runs (`Heartbeat`), so that the lease of a scheduler that was killed ends
within `LEASE`; a job that raises releases it at once. The lease's row also records the job's last run.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coordination.jobs.models import JobLock

LEASE = timedelta(minutes=2)  # how long a lease lasts unless its holder renews it
HEARTBEAT = timedelta(seconds=30)  # how often the holder renews it while the job runs
ERROR_CHARS = 2000  # of the error a failed run records
log = logging.getLogger(__name__)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(*, session: Session, name: str, holder: str, now: datetime, slot: datetime | None = None) -> bool:
    """Take the lease if it is free (or already ours). With `slot`, only if no scheduler has started the
    job since that slot began, so that schedulers sharing a schedule run each slot once."""
    free = (JobLock.expires_at <= now) | (JobLock.holder == holder)
    if slot is not None:
        free = free & (JobLock.last_started_at.is_(None) | (JobLock.last_started_at < slot))
    result = session.exec(
        update(JobLock)
        .where(JobLock.name == name, free)
        .values(holder=holder, expires_at=now + LEASE, last_started_at=now)
    )
    if result.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    if session.get(JobLock, name) is not None:
        session.rollback()  # end the read, so that the transaction holds no lock while the job waits
        return False
    try:
        session.add(JobLock(name=name, holder=holder, expires_at=now + LEASE, last_started_at=now))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def renew(*, session: Session, name: str, holder: str, now: datetime) -> bool:
    """Extend a held lease by `LEASE` from now; False if this holder no longer holds it."""
    result = session.exec(
        update(JobLock).where(JobLock.name == name, JobLock.holder == holder).values(expires_at=now + LEASE)
    )
    session.commit()
    return result.rowcount == 1


def release(
    *,
    session: Session,
    name: str,
    holder: str,
    now: datetime,
    count: int | None = None,
    error: str | None = None,
) -> None:
    """End the lease and record the run: what it did (`count`) or the error it raised."""
    session.exec(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(
            expires_at=now,
            last_run_at=now,
            last_finished_at=now,
            last_result="error" if error is not None else "ok",
            last_count=count,
            last_error=error[:ERROR_CHARS] if error is not None else None,
        )
    )
    session.commit()


@contextmanager
def job_lock(*, session: Session, name: str, holder: str, now: datetime):
    """Yield True if this holder got the lease (and release it after, also when the block raises),
    False if another holds it."""
    got = acquire(session=session, name=name, holder=holder, now=now)
    if not got:
        yield False
        return
    try:
        yield True
    except BaseException as error:
        session.rollback()
        release(session=session, name=name, holder=holder, now=now, error=f"{type(error).__name__}: {error}")
        raise
    release(session=session, name=name, holder=holder, now=now)


class Heartbeat:
    """While the block runs, a thread renews the lease every `HEARTBEAT` in a session of its own; it has
    stopped when the block ends, so that it never renews a lease released after."""

    def __init__(
        self,
        engine: Engine,
        *,
        name: str,
        holder: str,
        clock: Callable[[], datetime] | None = None,
        every_s: float | None = None,
    ):
        self.engine, self.name, self.holder = engine, name, holder
        self.clock = clock or (lambda: datetime.now(UTC))
        self.every_s = every_s if every_s is not None else HEARTBEAT.total_seconds()  # real seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-heartbeat-{name}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                with Session(self.engine) as session:
                    if not renew(session=session, name=self.name, holder=self.holder, now=self.clock()):
                        log.warning("job %s: lease lost to another scheduler while running", self.name)
            except Exception:
                log.exception("job %s: could not renew its lease", self.name)


def wall_clock_from(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at `start` and runs with the wall clock (the lease clock of a run)."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)
