"""A lease per job in the database: whoever holds an unexpired lease runs the job, nobody else does.

Works the same on SQLite and PostgreSQL: taking the lease is one conditional UPDATE (or the INSERT
of a new row), so two schedulers racing for it cannot both win.
"""

import os
import socket
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coordination.jobs.models import JobLock

LEASE = timedelta(minutes=10)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(*, session: Session, name: str, holder: str, now: datetime) -> bool:
    result = session.exec(
        update(JobLock)
        .where(JobLock.name == name, (JobLock.expires_at <= now) | (JobLock.holder == holder))
        .values(holder=holder, expires_at=now + LEASE)
    )
    if result.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    if session.get(JobLock, name) is not None:
        return False
    try:
        session.add(JobLock(name=name, holder=holder, expires_at=now + LEASE))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def release(*, session: Session, name: str, holder: str, now: datetime) -> None:
    session.exec(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(expires_at=now, last_run_at=now)
    )
    session.commit()


@contextmanager
def job_lock(*, session: Session, name: str, holder: str, now: datetime):
    """Yield True if this holder got the lease (and release it after), False if another holds it."""
    got = acquire(session=session, name=name, holder=holder, now=now)
    try:
        yield got
    finally:
        if got:
            release(session=session, name=name, holder=holder, now=now)
