from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.structure.models import utcnow
from coordination.types import UTCDateTime


class BudgetLine(SQLModel, table=True):
    """One department's own budget line for an effort and a year, in thousands of euros.

    There is no joint integrated budget: the effort's virtual joint budget is the sum of these lines."""

    __table_args__ = (
        UniqueConstraint("effort_id", "department_id", "year"),
        CheckConstraint("pledged >= 0 AND committed >= 0 AND spent >= 0", name="budget_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    effort_id: int = Field(foreign_key="body.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    year: int = Field(ge=2000, le=2100, index=True)
    pledged: Decimal = Field(default=Decimal(0), sa_type=Numeric(14, 1))
    committed: Decimal = Field(default=Decimal(0), sa_type=Numeric(14, 1))
    spent: Decimal = Field(default=Decimal(0), sa_type=Numeric(14, 1))
    note: str = Field(default="", max_length=500)
    updated_by_id: int = Field(foreign_key="person.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Designation(SQLModel, table=True):
    """A person a department designates in advance for potential task forces (the standby roster)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    skills: list[str] = Field(default_factory=list, sa_type=JSON)
    available_from: date
    available_until: date | None = None
    note: str = Field(default="", max_length=500)
    designated_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    """A share of a person's time given to a task force over a period."""

    __table_args__ = (CheckConstraint("share > 0 AND share <= 100", name="assignment_share"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    task_force_id: int = Field(foreign_key="body.id", index=True)
    share: int = Field(description="Percent of the person's time")
    start_on: date
    end_on: date | None = None
    assigned_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffingNeed(SQLModel, table=True):
    """A skill or language a task force needs among the people assigned to it."""

    __table_args__ = (UniqueConstraint("task_force_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    task_force_id: int = Field(foreign_key="body.id", index=True)
    kind: str = Field(max_length=10)  # skill | language
    value: str = Field(max_length=60)
