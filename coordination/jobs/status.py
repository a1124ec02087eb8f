"""Each job's last run, its lease and its next run, for `coordination jobs status` and the admin page."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from coordination.jobs import tasks
from coordination.jobs.models import JobLock
from coordination.jobs.scheduler import next_run


@dataclass(frozen=True)
class JobStatus:
    name: str
    daily: bool
    lease: JobLock | None  # None: never run
    next_run_at: datetime | None
    now: datetime

    @property
    def finished(self) -> bool:
        """Whether its last run has finished (else it runs now, or its holder died)."""
        lease = self.lease
        return (
            lease is not None
            and lease.last_finished_at is not None
            and (lease.last_started_at is None or lease.last_finished_at >= lease.last_started_at)
        )

    @property
    def running(self) -> bool:
        """Whether a scheduler holds its lease now (a job that runs, or one whose holder died lately)."""
        return self.lease is not None and self.lease.expires_at > self.now


def job_statuses(*, session: Session, config: Mapping, now: datetime) -> list[JobStatus]:
    leases = {lease.name: lease for lease in session.exec(select(JobLock)).all()}
    rows = []
    for name in [*tasks.FREQUENT_JOBS, *tasks.DAILY_JOBS]:
        lease = leases.get(name)
        last = lease.last_started_at if lease is not None else None
        rows.append(
            JobStatus(
                name=name,
                daily=name in tasks.DAILY_JOBS,
                lease=lease,
                next_run_at=next_run(config, name, now=now, last_started_at=last),
                now=now,
            )
        )
    return rows
