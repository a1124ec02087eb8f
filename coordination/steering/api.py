"""API endpoints for the steering group's priorities, and their API types."""

from datetime import UTC, date, datetime
from typing import Annotated

from flask import g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination.api import BEARER, IdPath, api, json_response
from coordination.api.problems import Problem, problem
from coordination.db import get_session
from coordination.steering import queries, service
from coordination.steering.models import Priority
from coordination.types import RecordId, RequestBody

PRIORITIES_TAG = Tag(
    name="priorities", description="The steering group's priority countries, themes and regions"
)
ERRORS = {403: Problem, 404: Problem, 422: Problem}


CountryCode = Annotated[str, Field(pattern="^[A-Za-z]{3}$", description="ISO 3166-1 alpha-3 code")]


class PriorityIn(RequestBody):
    subject_kind: str = Field(pattern="^(country|theme|region)$")
    subject: str = Field(max_length=60, description="A country code, a theme, or a region's name")
    tier: int = Field(ge=1, le=3)
    rationale: str = Field(default="", max_length=10_000)
    reason: str = Field(default="", max_length=500, description="Required when changing an existing priority")
    owner_id: RecordId | None = None
    review_every_months: int | None = Field(
        default=None,
        ge=1,
        le=36,
        description="Creating a priority or changing its tier counts as a review: the next review falls "
        "this many months later",
    )
    countries: list[CountryCode] | None = Field(
        default=None,
        max_length=60,
        description="A region's member countries (at least two): required when creating a region, "
        "replaces them when given on a change, refused for a country or a theme",
    )


class ReviewIn(RequestBody):
    reason: str = Field(
        min_length=1, max_length=500, description="What the review found; recorded in the history"
    )


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
    countries: list[str] = Field(description="A region's member countries (empty for a country or a theme)")


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


def _priority_out(
    session: Session, p: Priority, label: str | None = None, countries: list[str] | None = None
) -> PriorityOut:
    if countries is None:
        countries = queries.member_countries(session=session, priorities=[p])[p.id]
    return PriorityOut(
        id=p.id,
        subject_kind=p.subject_kind,
        subject=p.subject,
        label=queries.subject_label(session, p) if label is None else label,
        tier=p.tier,
        rationale=p.rationale,
        owner_id=p.owner_id,
        review_every_months=p.review_every_months,
        next_review_on=p.next_review_on,
        countries=countries,
    )


@api.get("/priorities", tags=[PRIORITIES_TAG], security=BEARER, responses={200: PriorityList})
def list_priorities():
    session = get_session()
    rows = queries.list_priorities(session=session)
    labels = queries.subject_labels(session=session, priorities=rows)
    members = queries.member_countries(session=session, priorities=rows)
    return json_response(
        PriorityList(items=[_priority_out(session, p, labels[p.id], members[p.id]) for p in rows])
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


@api.post(
    "/priorities/<int:item_id>/review",
    tags=[PRIORITIES_TAG],
    security=BEARER,
    responses={200: PriorityOut, **ERRORS},
    summary="Record a review that keeps the tier (steering group); the next review falls "
    "review_every_months after today",
)
def review_priority(path: IdPath, body: ReviewIn):
    session = get_session()
    priority = queries.get_priority(session=session, priority_id=path.item_id)
    if priority is None:
        return problem(404, f"No priority {path.item_id}.")
    service.review_priority(
        session=session, person=g.api_person, priority=priority, reason=body.reason, now=datetime.now(UTC)
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
