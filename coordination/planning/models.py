from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.types import UTCDateTime, utcnow


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


class Objective(SQLModel, table=True):
    """A SMART objective of an effort's operational plan for one calendar year."""

    id: int | None = Field(default=None, primary_key=True)
    effort_id: int = Field(foreign_key="body.id", index=True)
    year: int = Field(index=True)
    statement: str = Field(max_length=500)
    indicator: str = Field(max_length=200)
    unit: str = Field(default="", max_length=40)
    baseline: float
    target: float
    deadline: date
    department_id: int = Field(foreign_key="department.id")
    directorate_id: int | None = Field(default=None, foreign_key="directorate.id")
    resources: str = Field(default="", max_length=1000)
    created_by_id: int = Field(foreign_key="person.id")


class Measurement(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("objective_id", "measured_on"),)

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    measured_on: date
    value: float
    note: str = Field(default="", max_length=500)
    entered_by_id: int = Field(foreign_key="person.id")


class ReviewPosition(SQLModel, table=True):
    """A party's own position on a point of an effort's annual review, kept beside the others'."""

    id: int | None = Field(default=None, primary_key=True)
    effort_id: int = Field(foreign_key="body.id", index=True)
    year: int
    department_id: int = Field(foreign_key="department.id")
    author_id: int = Field(foreign_key="person.id")
    point: str = Field(max_length=300)
    position: str = Field(max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PressItem(SQLModel, table=True):
    """Press material of a task force; when several departments are involved the steering group clears it."""

    id: int | None = Field(default=None, primary_key=True)
    effort_id: int = Field(foreign_key="body.id", index=True)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=20_000)
    status: str = Field(default="draft", max_length=12, index=True)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PressStep(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="pressitem.id", index=True)
    actor_id: int = Field(foreign_key="person.id")
    from_status: str = Field(max_length=12)
    to_status: str = Field(max_length=12)
    comment: str = Field(default="", max_length=2000)
    at: datetime = Field(sa_type=UTCDateTime)


class Partnership(SQLModel, table=True):
    """Synergy with an external actor (EU, UN, NATO, OSCE, a regional organisation)."""

    id: int | None = Field(default=None, primary_key=True)
    effort_id: int = Field(foreign_key="body.id", index=True)
    actor: str = Field(max_length=200)
    actor_kind: str = Field(max_length=20)  # EU, UN, NATO, OSCE, regional, other
    what: str = Field(max_length=1000)
    contact: str = Field(default="", max_length=200)
    status: str = Field(default="exploring", max_length=12)  # exploring, active, ended


class Risk(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5 AND impact BETWEEN 1 AND 5", name="risk_scale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    effort_id: int = Field(foreign_key="body.id", index=True)
    risk: str = Field(max_length=500)
    likelihood: int
    impact: int
    owner_id: int = Field(foreign_key="person.id")
    mitigation: str = Field(default="", max_length=2000)
    review_on: date
