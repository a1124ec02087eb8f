from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from coordination.structure.models import utcnow
from coordination.types import UTCDateTime


class SitrepStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


class SituationReport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    task_force_id: int = Field(foreign_key="body.id", index=True)
    period_start: date
    period_end: date = Field(index=True)
    body: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    status: SitrepStatus = Field(default=SitrepStatus.draft, sa_type=String(12), index=True)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
