"""API types for decisions, acknowledgements and actions."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from coordination.decisions.models import (
    AcknowledgementStatus,
    ActionStatus,
    DecisionStatus,
    Procedure,
    UnitKind,
)
from coordination.structure.models import Clearance


class UnitRef(BaseModel):
    kind: UnitKind
    key: str = Field(max_length=80, description="Body slug, department code or mission code")


class DecisionCreate(BaseModel):
    issuing_body: str = Field(max_length=80, description="Slug of the steering group or a task force")
    title: str = Field(min_length=3, max_length=200)
    text: str = Field(default="", max_length=50_000, description="Markdown")
    rationale: str = Field(default="", max_length=20_000)
    procedure: Procedure = Procedure.meeting
    classification: Clearance = Clearance.unclassified
    acknowledgement_hours: int = Field(default=48, ge=1, le=1440)
    addressees: list[UnitRef] = Field(min_length=1)
    report_ids: list[int] = []


class AcknowledgementCreate(BaseModel):
    unit: UnitRef
    comply: bool = True
    comment: str = Field(default="", max_length=5000, description="Required when comply is false")


class AcknowledgementPublic(BaseModel):
    unit: UnitRef
    label: str
    status: AcknowledgementStatus
    answered_by: str | None
    answered_at: datetime | None
    comment: str
    late: bool


class DecisionPublic(BaseModel):
    id: int
    issuing_body: str
    title: str
    text: str
    text_html: str
    rationale: str
    procedure: Procedure
    classification: Clearance
    status: DecisionStatus
    acknowledgement_due_at: datetime | None
    adopted_at: datetime | None
    acknowledgements: list[AcknowledgementPublic]
    counts: dict[str, int]


class ActionCreate(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    owner: UnitRef
    owner_person_id: int | None = None
    due_on: date


class ActionUpdateCreate(BaseModel):
    status: ActionStatus
    body: str = Field(default="", max_length=20_000, description="Markdown")


class ActionPublic(BaseModel):
    id: int
    decision_id: int
    title: str
    owner: UnitRef
    owner_label: str
    owner_person_id: int | None
    due_on: date
    status: ActionStatus
    late: bool
    latest_update: str | None


class ActionList(BaseModel):
    items: list[ActionPublic]
