from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.steering.enums import SubjectKind
from coordination.types import UTCDateTime, utcnow


class Priority(SQLModel, table=True):
    """A priority country, theme or region of the steering group, with its tier and review cycle; a
    region's member countries are its `PriorityCountry` rows."""

    __table_args__ = (
        UniqueConstraint("subject_kind", "subject"),
        CheckConstraint("tier BETWEEN 1 AND 3", name="priority_tier"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: SubjectKind = Field(sa_type=String(10))
    subject: str = Field(max_length=60, description="ISO alpha-3 country code, theme or region name")
    tier: int = Field(ge=1, le=3)
    rationale: str = Field(default="", sa_type=Text)
    owner_id: int = Field(foreign_key="person.id")
    review_every_months: int = Field(default=6, ge=1, le=36)
    next_review_on: date = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class PriorityChange(SQLModel, table=True):
    """History of a priority: who changed what, when, from which tier to which, and why."""

    id: int | None = Field(default=None, primary_key=True)
    priority_id: int = Field(foreign_key="priority.id", index=True)
    changed_by_id: int = Field(foreign_key="person.id")
    changed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=20)  # created, tier, reviewed, details
    old_tier: int | None = None
    new_tier: int | None = None
    reason: str = Field(default="", sa_type=Text)


class PriorityCountry(SQLModel, table=True):
    """A member country of a priority that is a region (e.g. the African Great Lakes: BDI, COD, RWA)."""

    priority_id: int = Field(foreign_key="priority.id", primary_key=True)
    country_code: str = Field(foreign_key="country.code", primary_key=True, max_length=3, index=True)
