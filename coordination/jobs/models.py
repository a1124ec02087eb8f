from datetime import datetime

from sqlmodel import Field, SQLModel

from coordination.types import UTCDateTime


class JobLock(SQLModel, table=True):
    """A lease on a job, so that a second scheduler started by mistake does no harm."""

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(max_length=120)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
