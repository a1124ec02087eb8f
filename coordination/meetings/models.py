from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.meetings.enums import AgendaKind
from coordination.types import UTCDateTime


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    series: str | None = Field(default=None, max_length=40, index=True, description="Shared by a recurrence")
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    location: str = Field(default="", max_length=200)
    minutes: str = Field(default="", sa_type=Text)
    minutes_html: str = Field(default="", sa_type=Text)
    agenda_drafted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int = Field(foreign_key="person.id")


class AgendaItem(SQLModel, table=True):
    """One line of a meeting's agenda: a reference to what is due (shown to each reader only if they may
    see it, in words written when the page is read), or an item the secretary added (`other`, its title
    written by them)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    kind: AgendaKind = Field(sa_type=String(30))
    reference_id: int | None = None
    title: str = Field(max_length=300)
    notes: str = Field(default="", sa_type=Text)


class Attendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    present: bool = True
