"""Decisions of the steering group or a task force, their addressees, acknowledgements and actions."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from coordination.classification import Clearance
from coordination.decisions.enums import (
    AcknowledgementStatus,
    ActionStatus,
    DecisionStatus,
    Procedure,
    UnitKind,
)
from coordination.types import UTCDateTime, utcnow


class Decision(SQLModel, table=True):
    __table_args__ = (
        # Lists of decisions, all or by status, newest first: an index walk that stops at the page size.
        Index("ix_decision_status_created", "status", "created_at"),
        Index("ix_decision_created_at", "created_at"),
        Index("ix_decision_issuing_body_created", "issuing_body_id", "created_at"),
        # What the dashboard's counts read of a decision (who may see it, who issued it, when it is to
        # be acknowledged), without reading its texts: a narrow copy looked up by id.
        Index(
            "ix_decision_visibility",
            "id",
            "issuing_body_id",
            "classification",
            "status",
            "created_by_id",
            "acknowledgement_due_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    issuing_body_id: int = Field(foreign_key="body.id")
    title: str = Field(max_length=200)
    text: str = Field(default="", sa_type=Text)
    text_html: str = Field(default="", sa_type=Text)
    rationale: str = Field(default="", sa_type=Text)
    procedure: Procedure = Field(default=Procedure.meeting, sa_type=String(10))
    classification: Clearance = Field(default=Clearance.unclassified, sa_type=String(20))
    status: DecisionStatus = Field(default=DecisionStatus.draft, sa_type=String(20), index=True)
    acknowledgement_hours: int = Field(default=48, ge=1, le=24 * 60)
    acknowledgement_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    adopted_by_id: int | None = Field(default=None, foreign_key="person.id")
    adopted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    superseded_by_id: int | None = Field(default=None, foreign_key="decision.id")
    meeting_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("meeting.id", use_alter=True, name="fk_decision_meeting_id"), index=True
        ),
    )


class DecisionReport(SQLModel, table=True):
    """A field report that motivated a decision."""

    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    report_id: int = Field(foreign_key="fieldreport.id", primary_key=True)


class Addressee(SQLModel, table=True):
    """One addressee unit of a decision and its single acknowledgement."""

    __table_args__ = (
        UniqueConstraint("decision_id", "unit_kind", "unit_id"),
        CheckConstraint("unit_kind IN ('body', 'department', 'mission')", name="addressee_unit_kind"),
        # What is addressed to a unit, answered from the index alone (the dashboard), and what a unit has
        # still to acknowledge (inboxes: a few hundred, not every pending acknowledgement).
        Index("ix_addressee_unit_status", "unit_id", "unit_kind", "status", "decision_id"),
        # The acknowledgements awaited (or in any state), with their decisions, from the index alone.
        Index("ix_addressee_status_decision", "status", "decision_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id")  # the unique constraint's index begins with it
    unit_kind: UnitKind = Field(sa_type=String(12))
    unit_id: int
    status: AcknowledgementStatus = Field(default=AcknowledgementStatus.pending, sa_type=String(20))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    comment: str = Field(default="", max_length=5000)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Action(SQLModel, table=True):
    """Work a decision gives to a unit (and optionally a person), followed until done."""

    __table_args__ = (
        # A decision's open and overdue actions, counted from the index alone.
        Index("ix_action_decision_status_due", "decision_id", "status", "due_on"),
        # The actions not done, by due date: the dashboard counts the overdue ones from here, not from
        # every action ever due (most are done).
        Index(
            "ix_action_open_due",
            "due_on",
            "decision_id",
            "status",
            sqlite_where=text("status != 'done'"),
            postgresql_where=text("status != 'done'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id")
    title: str = Field(max_length=200)
    owner_kind: UnitKind = Field(sa_type=String(12))
    owner_id: int
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    due_on: date = Field(index=True)
    status: ActionStatus = Field(default=ActionStatus.open, sa_type=String(20), index=True)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reminded_due_soon_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_overdue_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ActionUpdate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    body: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    status: ActionStatus = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
