"""Situation reports of task forces: text compiled for a period, edited and submitted by the chair.

The text is frozen once compiled: it carries the highest classification and the origin departments of
what it quotes, and only readers cleared for both see it."""

from datetime import date, datetime

from sqlalchemy import JSON, String, Text
from sqlmodel import Field, SQLModel

from coordination.classification import Clearance
from coordination.sitreps.enums import SitrepStatus
from coordination.types import UTCDateTime, utcnow


class SituationReport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    task_force_id: int = Field(foreign_key="body.id", index=True)
    period_start: date
    period_end: date = Field(index=True)
    body: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    status: SitrepStatus = Field(default=SitrepStatus.draft, sa_type=String(12), index=True)
    # The highest level of what the compiled text quotes, and the level the report is marked with (the
    # chair may mark it higher for what they write, never lower than what it quotes).
    quoted_classification: Clearance = Field(default=Clearance.unclassified, sa_type=String(20))
    classification: Clearance = Field(default=Clearance.unclassified, sa_type=String(20))
    # Codes of the departments the quoted field reports come from (Defence's stay within its sharing group).
    origins: list[str] = Field(default_factory=list, sa_type=JSON)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
