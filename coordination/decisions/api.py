"""API endpoints for decisions, acknowledgements and actions, and their API types."""

from datetime import UTC, date, datetime

from flask import current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination import exports
from coordination.api import BEARER, api, json_response, pdf_openapi, pdf_response
from coordination.api.problems import Problem, problem
from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.db import get_session, session_for_stream
from coordination.decisions import flows, printing, queries, service
from coordination.decisions.enums import (
    AcknowledgementStatus,
    ActionStatus,
    DecisionStatus,
    Procedure,
    UnitKind,
)
from coordination.decisions.models import Decision
from coordination.structure import queries as structure
from coordination.types import RecordId, RequestBody, Title


class UnitRef(BaseModel):
    kind: UnitKind
    key: str = Field(max_length=80, description="Body slug, department code or mission code")


class DecisionCreate(RequestBody):
    issuing_body: str = Field(max_length=80, description="Slug of the steering group or a task force")
    title: Title = Field(min_length=3, max_length=200)
    text: str = Field(default="", max_length=50_000, description="Markdown")
    rationale: str = Field(default="", max_length=20_000)
    procedure: Procedure = Procedure.meeting
    classification: Clearance = Clearance.unclassified
    acknowledgement_hours: int = Field(default=48, ge=1, le=1440)
    addressees: list[UnitRef] = Field(min_length=1)
    report_ids: list[RecordId] = Field(default=[], max_length=50)


class AcknowledgementCreate(RequestBody):
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


class ActionCreate(RequestBody):
    title: Title = Field(min_length=3, max_length=200)
    owner: UnitRef
    owner_person_id: RecordId | None = None
    due_on: date


class ActionUpdateCreate(RequestBody):
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


DECISIONS_TAG = Tag(name="decisions", description="Downstream: decisions, acknowledgements, actions")
ERRORS = {403: Problem, 404: Problem, 422: Problem}


class DecisionPath(BaseModel):
    decision_id: int = Field(ge=1)


class ActionPath(BaseModel):
    action_id: int = Field(ge=1)


class ActionQuery(BaseModel):
    body: str | None = Field(default=None, max_length=80, description="Only decisions issued by this body")
    include_done: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


def decision_public(session: Session, decision: Decision) -> DecisionPublic:
    table = queries.acknowledgement_table(session=session, decision=decision, now=_now())
    counts = {status: 0 for status in ("pending", "acknowledged", "cannot_comply")}
    for row in table:
        counts[row.addressee.status] += 1
    return DecisionPublic(
        id=decision.id,
        issuing_body=structure.bodies_by_id(session=session, ids=[decision.issuing_body_id])[
            decision.issuing_body_id
        ].slug,
        title=decision.title,
        text=decision.text,
        text_html=decision.text_html,
        rationale=decision.rationale,
        procedure=decision.procedure,
        classification=decision.classification,
        status=decision.status,
        acknowledgement_due_at=decision.acknowledgement_due_at,
        adopted_at=decision.adopted_at,
        acknowledgements=[
            AcknowledgementPublic(
                unit=UnitRef(kind=row.unit.kind, key=row.unit.key),
                label=row.unit.label,
                status=row.addressee.status,
                answered_by=row.answered_by.name if row.answered_by else None,
                answered_at=row.addressee.answered_at,
                comment=row.addressee.comment,
                late=row.late,
            )
            for row in table
        ],
        counts=counts,
    )


def _visible(decision_id: int):
    return queries.get_visible_decision(session=get_session(), viewer=g.api_person, decision_id=decision_id)


@api.get(
    "/decisions/<int:decision_id>.pdf",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={200: pdf_openapi("The decision with its acknowledgement table"), 404: Problem},
    summary="A decision printed, as the page's PDF",
)
def get_decision_pdf(path: DecisionPath):
    decision = _visible(path.decision_id)
    if decision is None:
        return problem(404, f"No decision {path.decision_id}.")
    data = printing.printed(session=get_session(), viewer=g.api_person, decision=decision, now=_now())
    return pdf_response(data, printing.filename(decision))


@api.post(
    "/decisions",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={201: DecisionPublic, **ERRORS},
    summary="Draft a decision of the steering group or a task force",
)
def create_decision(body: DecisionCreate):
    session = get_session()
    decision = service.draft_decision(
        session=session,
        author=g.api_person,
        issuing_body=body.issuing_body,
        title=body.title,
        text=body.text,
        rationale=body.rationale,
        procedure=body.procedure,
        classification=body.classification,
        acknowledgement_hours=body.acknowledgement_hours,
        addressees=[(a.kind.value, a.key) for a in body.addressees],
        report_ids=body.report_ids,
        policy=NeedToKnow.from_config(current_app.config),
        now=_now(),
    )
    return json_response(decision_public(session, decision), 201)


@api.get(
    "/decisions/<int:decision_id>",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={200: DecisionPublic, 404: Problem},
    summary="A decision with its acknowledgement table",
)
def get_decision(path: DecisionPath):
    session = get_session()
    decision = _visible(path.decision_id)
    if decision is None:
        return problem(404, f"No decision {path.decision_id}.")
    audit.record_opening(
        session,
        actor_id=g.api_person.id,
        action="decision.open",
        object_type="decision",
        object_id=decision.id,
        classification=decision.classification,
    )
    return json_response(decision_public(session, decision))


@api.post(
    "/decisions/<int:decision_id>/adopt",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={200: DecisionPublic, **ERRORS, 409: Problem},
    summary="Adopt (chair or co-chair of the issuing body)",
)
def adopt_decision(path: DecisionPath):
    session = get_session()
    decision = _visible(path.decision_id)
    if decision is None:
        return problem(404, f"No decision {path.decision_id}.")
    flows.adopt_and_notify(session=session, person=g.api_person, decision=decision, now=_now())
    return json_response(decision_public(session, decision))


@api.post(
    "/decisions/<int:decision_id>/acknowledgements",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={201: DecisionPublic, **ERRORS, 409: Problem},
    summary="Acknowledge for a unit, or say it cannot comply",
)
def acknowledge_decision(path: DecisionPath, body: AcknowledgementCreate):
    session = get_session()
    decision = _visible(path.decision_id)
    if decision is None:
        return problem(404, f"No decision {path.decision_id}.")
    flows.answer_and_notify(
        session=session,
        person=g.api_person,
        decision=decision,
        unit_kind=body.unit.kind.value,
        unit_key=body.unit.key,
        comply=body.comply,
        comment=body.comment,
        now=_now(),
    )
    return json_response(decision_public(session, decision), 201)


def action_public(row: queries.ActionRow) -> ActionPublic:
    return ActionPublic(
        id=row.action.id,
        decision_id=row.decision.id,
        title=row.action.title,
        owner=UnitRef(kind=row.owner.kind, key=row.owner.key),
        owner_label=row.owner.label,
        owner_person_id=row.action.owner_person_id,
        due_on=row.action.due_on,
        status=row.action.status,
        late=row.late,
        latest_update=row.latest.body if row.latest else None,
    )


@api.post(
    "/decisions/<int:decision_id>/actions",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={201: ActionPublic, **ERRORS, 409: Problem},
)
def create_action(path: DecisionPath, body: ActionCreate):
    session = get_session()
    decision = _visible(path.decision_id)
    if decision is None:
        return problem(404, f"No decision {path.decision_id}.")
    action = service.create_action(
        session=session,
        person=g.api_person,
        decision=decision,
        title=body.title,
        owner_kind=body.owner.kind.value,
        owner_key=body.owner.key,
        owner_person_id=body.owner_person_id,
        due_on=body.due_on,
        now=_now(),
    )
    return json_response(
        action_public(queries.action_rows(session=session, actions=[action], today=_now().date())[0]), 201
    )


@api.get(
    "/actions",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={200: ActionList},
    summary="Actions of the decisions you may see: open ones, with lateness and the latest update",
)
def list_actions(query: ActionQuery):
    rows = queries.monitored_actions(
        session=get_session(),
        viewer=g.api_person,
        today=_now().date(),
        body_slug=query.body,
        include_done=query.include_done,
    )
    return json_response(ActionList(items=[action_public(row) for row in rows]))


@api.post(
    "/actions/<int:action_id>/updates",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={201: ActionPublic, **ERRORS},
    summary="Report progress on an action",
)
def update_action(path: ActionPath, body: ActionUpdateCreate):
    session = get_session()
    found = queries.get_visible_action(session=session, viewer=g.api_person, action_id=path.action_id)
    if found is None:
        return problem(404, f"No action {path.action_id}.")
    action, _decision = found
    service.update_action(
        session=session,
        person=g.api_person,
        action=action,
        status=body.status,
        body=body.body,
        now=_now(),
    )
    return json_response(
        action_public(queries.action_rows(session=session, actions=[action], today=_now().date())[0]), 201
    )


class DecisionExportQuery(BaseModel):
    status: DecisionStatus | None = None


def _export(fmt: str, query: DecisionExportQuery):
    """The decisions list with its filter, with acknowledgements and actions, streamed."""
    session = session_for_stream()
    batches = queries.decision_batches(
        session=session, viewer=g.api_person, status=query.status, batch=exports.BATCH
    )
    return exports.streamed(
        session=session,
        fmt=fmt,
        columns=queries.EXPORT_COLUMNS,
        batches=([queries.export_row(item) for item in items] for items in batches),
        filename="decisions",
        on_end=exports.audited(
            session,
            actor_id=g.api_person.id,
            action="decision.export",
            object_type="decision",
            filters={"status": query.status},
        ),
    )


EXPORT_SUMMARY = (
    "Every decision the reader may see (of this status), newest first, with acknowledgements and actions"
)


@api.get(
    "/decisions/export.csv",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={200: exports.openapi_response("csv", "The decisions"), 422: Problem},
    summary=EXPORT_SUMMARY,
)
def export_decisions_csv(query: DecisionExportQuery):
    return _export("csv", query)


@api.get(
    "/decisions/export.jsonl",
    tags=[DECISIONS_TAG],
    security=BEARER,
    responses={200: exports.openapi_response("jsonl", "The decisions"), 422: Problem},
    summary=EXPORT_SUMMARY,
)
def export_decisions_jsonl(query: DecisionExportQuery):
    return _export("jsonl", query)
