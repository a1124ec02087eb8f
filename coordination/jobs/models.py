from datetime import datetime

from sqlmodel import Field, SQLModel, Text

from coordination.types import UTCDateTime


class JobLock(SQLModel, table=True):
    """A lease on a job, so that a second scheduler started by mistake does no harm, and its last run.

    The holder renews the lease while the job runs (a heartbeat), so that the lease of a scheduler that
    died ends soon after; `holder` stays after release, naming who ran the job last."""

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(max_length=120)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_result: str | None = Field(default=None, max_length=20)  # "ok" or "error"
    last_count: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
