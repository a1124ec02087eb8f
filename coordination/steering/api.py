"""API endpoints for the steering group's priorities, and their API types."""

from datetime import UTC, date, datetime

from flask import g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination.api import BEARER, IdPath, api, json_response
from coordination.api.problems import Problem, problem
from coordination.db import get_session
from coordination.steering import queries, service
from coordination.steering.models import Priority

PRIORITIES_TAG = Tag(name="priorities", description="The steering group's priority countries and themes")
ERRORS = {403: Problem, 404: Problem, 422: Problem}


class PriorityIn(BaseModel):
    subject_kind: str = Field(pattern="^(country|theme)$")
    subject: str = Field(max_length=20)
    tier: int = Field(ge=1, le=3)
    rationale: str = Field(default="", max_length=10_000)
    reason: str = Field(default="", max_length=500, description="Required when changing an existing priority")
    owner_id: int | None = None
    review_every_months: int | None = Field(default=None, ge=1, le=36)


class PriorityOut(BaseModel):
    id: int
    subject_kind: str
    subject: str
    label: str
    tier: int
    rationale: str
    owner_id: int
    review_every_months: int
    next_review_on: date


class PriorityList(BaseModel):
    items: list[PriorityOut]


class PriorityChangeOut(BaseModel):
    kind: str
    old_tier: int | None
    new_tier: int | None
    reason: str
    changed_by: str
    changed_at: datetime


class PriorityHistory(BaseModel):
    priority: PriorityOut
    history: list[PriorityChangeOut]


def _priority_out(session: Session, p: Priority) -> PriorityOut:
    return PriorityOut(
        id=p.id,
        subject_kind=p.subject_kind,
        subject=p.subject,
        label=queries.subject_label(session, p),
        tier=p.tier,
        rationale=p.rationale,
        owner_id=p.owner_id,
        review_every_months=p.review_every_months,
        next_review_on=p.next_review_on,
    )


@api.get("/priorities", tags=[PRIORITIES_TAG], security=BEARER, responses={200: PriorityList})
def list_priorities():
    session = get_session()
    return json_response(
        PriorityList(items=[_priority_out(session, p) for p in queries.list_priorities(session=session)])
    )


@api.post(
    "/priorities",
    tags=[PRIORITIES_TAG],
    security=BEARER,
    responses={200: PriorityOut, **ERRORS},
    summary="Set or change a priority (steering group); every change is kept in its history",
)
def set_priority(body: PriorityIn):
    session = get_session()
    priority = service.set_priority(
        session=session, person=g.api_person, now=datetime.now(UTC), **body.model_dump()
    )
    return json_response(_priority_out(session, priority))


@api.get(
    "/priorities/<int:item_id>/history",
    tags=[PRIORITIES_TAG],
    security=BEARER,
    responses={200: PriorityHistory, 404: Problem},
)
def priority_history(path: IdPath):
    session = get_session()
    priority = queries.get_priority(session=session, priority_id=path.item_id)
    if priority is None:
        return problem(404, f"No priority {path.item_id}.")
    history = [
        PriorityChangeOut(
            kind=c.kind,
            old_tier=c.old_tier,
            new_tier=c.new_tier,
            reason=c.reason,
            changed_by=who.name,
            changed_at=c.changed_at,
        )
        for c, who in queries.history(session=session, priority=priority)
    ]
    return json_response(PriorityHistory(priority=_priority_out(session, priority), history=history))
