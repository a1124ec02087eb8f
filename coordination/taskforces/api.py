"""API endpoints for task forces: propose from a steering-group decision, read, confirm the chairs, stand
down; and their API types."""

from datetime import UTC, datetime

from flask import g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination.api import BEARER, SlugPath, api, json_response
from coordination.api.problems import Problem, problem
from coordination.db import get_session
from coordination.decisions import queries as decisions
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, BodyStatus, MembershipRole
from coordination.taskforces import service
from coordination.types import RecordId, RequestBody, Title

PersonId = RecordId
TASK_FORCES_TAG = Tag(name="task forces", description="Task forces: set up, chairs, stand-down")
ERRORS = {403: Problem, 404: Problem, 422: Problem}


class TaskForceIn(RequestBody):
    goals_decision_id: RecordId | None = Field(default=None, description="An adopted steering-group decision")
    name: Title = Field(min_length=3, max_length=200)
    description: str = Field(
        default="", max_length=2000, description="Public: everyone in the structure reads it"
    )
    goals: str = Field(default="", max_length=10_000, description="Public: the goals as they may be shared")
    countries: list[str] = []
    themes: list[str] = []
    major_departments: list[str] = Field(
        default=[], description="Department codes flagged by the steering group"
    )
    expert_director_id: RecordId | None = None
    overlap_reason: str = Field(
        default="",
        max_length=300,
        description="Required when another active or proposed task force already covers one of the countries",
    )


class ChairOut(BaseModel):
    role: MembershipRole
    person_id: int
    name: str
    reason: str


class ChairSeatOut(BaseModel):
    """A chair or co-chair seat, current or ended: the record of who was proposed and who confirmed."""

    role: MembershipRole
    person_id: int
    name: str
    reason: str
    started_at: datetime
    ended_at: datetime | None
    end_reason: str


class TaskForceOut(BaseModel):
    slug: str
    name: str
    status: BodyStatus
    description: str
    goals: str
    countries: list[str]
    themes: list[str]
    missions: list[str]
    goals_decision_id: int | None = Field(description="Only when the caller may see that decision")
    chairs: list[ChairOut]
    chairs_decided_by: str | None
    chairs_override_reason: str = Field(description="Why the steering group overrode the proposed chairs")
    chair_history: list[ChairSeatOut] = Field(description="Every chair and co-chair seat, newest first")


class ConfirmIn(RequestBody):
    chair_id: PersonId | None = Field(default=None, description="Override the proposed chair")
    co_chair_ids: list[PersonId] | None = Field(
        default=None, max_length=10, description="Override the proposed co-chairs"
    )
    reason: str = Field(default="", max_length=300, description="Required when overriding the proposal")


class StandDownIn(RequestBody):
    closing_report: str = Field(min_length=1, max_length=20_000)


def _now() -> datetime:
    return datetime.now(UTC)


def _task_force_out(session: Session, slug: str) -> TaskForceOut:
    body = structure.get_body(session=session, slug=slug)
    chairs = [
        ChairOut(role=m.role, person_id=m.person_id, name=m.person.name, reason=m.reason)
        for m in structure.ordered_memberships(body)
        if m.role in (MembershipRole.chair, MembershipRole.co_chair)
    ]
    decided = structure.people_by_id(session=session, ids=[body.chairs_decided_by_id]).get(
        body.chairs_decided_by_id
    )
    goals_decision = (
        decisions.get_visible_decision(
            session=session, viewer=g.api_person, decision_id=body.goals_decision_id
        )
        if body.goals_decision_id
        else None
    )
    return TaskForceOut(
        slug=body.slug,
        name=body.name,
        status=body.status,
        description=body.description,
        goals=body.goals,
        countries=sorted(c.code for c in body.countries),
        themes=list(body.themes),
        missions=sorted(m.code for m in body.missions),
        goals_decision_id=goals_decision.id if goals_decision else None,
        chairs=chairs,
        chairs_decided_by=decided.name if decided else None,
        chairs_override_reason=body.chairs_override_reason,
        chair_history=[
            ChairSeatOut(
                role=seat.role,
                person_id=seat.person_id,
                name=seat.person.name,
                reason=seat.reason,
                started_at=seat.started_at,
                ended_at=seat.ended_at,
                end_reason=seat.end_reason,
            )
            for seat in structure.seat_history(session=session, body_id=body.id)
            if seat.role in (MembershipRole.chair, MembershipRole.co_chair)
        ],
    )


def _task_force(session: Session, slug: str):
    body = structure.find_body(session=session, slug=slug)
    return body if body is not None and body.kind == BodyKind.task_force else None


@api.post(
    "/task-forces",
    tags=[TASK_FORCES_TAG],
    security=BEARER,
    responses={201: TaskForceOut, **ERRORS},
    summary="Propose a task force from an adopted steering-group decision; returns the proposed chairs",
)
def create_task_force(body: TaskForceIn):
    session = get_session()
    created, _proposals = service.create_task_force(
        session=session, person=g.api_person, now=_now(), **body.model_dump()
    )
    return json_response(_task_force_out(session, created.slug), 201)


@api.get(
    "/task-forces/<slug>",
    tags=[TASK_FORCES_TAG],
    security=BEARER,
    responses={200: TaskForceOut, 404: Problem},
)
def get_task_force(path: SlugPath):
    session = get_session()
    if _task_force(session, path.slug) is None:
        return problem(404, f"No task force {path.slug}.")
    return json_response(_task_force_out(session, path.slug))


@api.post(
    "/task-forces/<slug>/confirm",
    tags=[TASK_FORCES_TAG],
    security=BEARER,
    responses={200: TaskForceOut, **ERRORS, 409: Problem},
    summary="The steering group confirms or overrides the chairs",
)
def confirm_task_force(path: SlugPath, body: ConfirmIn):
    session = get_session()
    task_force = _task_force(session, path.slug)
    if task_force is None:
        return problem(404, f"No task force {path.slug}.")
    service.confirm_chairs(
        session=session, person=g.api_person, task_force=task_force, now=_now(), **body.model_dump()
    )
    session.expire_all()
    return json_response(_task_force_out(session, path.slug))


@api.post(
    "/task-forces/<slug>/stand-down",
    tags=[TASK_FORCES_TAG],
    security=BEARER,
    responses={200: TaskForceOut, **ERRORS, 409: Problem},
)
def stand_down_task_force(path: SlugPath, body: StandDownIn):
    session = get_session()
    task_force = _task_force(session, path.slug)
    if task_force is None:
        return problem(404, f"No task force {path.slug}.")
    service.stand_down(
        session=session,
        person=g.api_person,
        task_force=task_force,
        closing_report=body.closing_report,
        now=_now(),
    )
    return json_response(_task_force_out(session, path.slug))
