"""API endpoints for the lessons-learned log, under the same need-to-know rules as the pages, and their
API types."""

from datetime import date, datetime
from typing import Literal

from flask import current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem, problem
from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.db import get_session
from coordination.decisions import queries as decisions
from coordination.lessons import queries, service
from coordination.lessons.enums import LessonStage
from coordination.lessons.models import Lesson
from coordination.types import RecordId, RequestBody, Title, utcnow

LESSONS_TAG = Tag(name="lessons", description="The joint lessons-learned log")


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


class LessonIn(RequestBody):
    title: Title = Field(min_length=3, max_length=200)
    observation: str = Field(min_length=1, max_length=20_000, description="What happened, as fact")
    discussion: str = Field(default="", max_length=20_000)
    conclusion: str = Field(default="", max_length=20_000)
    recommendation: str = Field(default="", max_length=20_000)
    classification: Clearance = Clearance.unclassified
    effort: str = Field(default="", max_length=120)
    task_force: str | None = Field(default=None, max_length=80, description="Slug of the task force")
    themes: list[str] = Field(default_factory=list, max_length=10)
    countries: list[str] = Field(default_factory=list, max_length=30, description="ISO 3166-1 alpha-3")
    tags: list[str] = Field(default_factory=list, max_length=20)
    decision_ids: list[RecordId] = Field(default_factory=list, max_length=50)
    report_ids: list[RecordId] = Field(default_factory=list, max_length=50)


class LessonOut(BaseModel):
    id: int
    title: str
    stage: LessonStage
    classification: Clearance
    observation: str
    discussion: str
    conclusion: str
    recommendation: str
    effort: str
    themes: list[str]
    countries: list[str]
    tags: list[str]
    rejection_reason: str
    endorsement_decision_id: int | None
    submitted_at: datetime


class LessonList(BaseModel):
    items: list[LessonOut]


class LessonQuery(BaseModel):
    stage: LessonStage | None = None
    effort: str | None = Field(default=None, max_length=120)
    theme: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=3)
    limit: int = Field(default=100, ge=1, le=500)


class LessonPath(BaseModel):
    lesson_id: int = Field(ge=1)


class StepIn(RequestBody):
    step: Literal["accept", "reject", "analyse", "identify", "implement", "validate", "learn", "archive"]
    note: str = Field(default="", max_length=2000)


class EndorseIn(RequestBody):
    action_body: str = Field(min_length=1, max_length=80, description="Slug of the body tasked")
    note: str = Field(default="", max_length=2000)


class RemedialActionIn(RequestBody):
    title: Title = Field(min_length=3, max_length=200)
    due_on: date
    owner_person_id: RecordId | None = None


class RemedialActionOut(BaseModel):
    id: int
    title: str
    due_on: date
    status: str


def _out(lesson: Lesson) -> LessonOut:
    out = LessonOut.model_validate(lesson, from_attributes=True)
    if lesson.endorsement_decision_id and not decisions.visible_ids(
        session=get_session(), viewer=g.api_person, ids=[lesson.endorsement_decision_id]
    ):
        out.endorsement_decision_id = None
    return out


def _lesson(lesson_id: int) -> Lesson | None:
    return queries.get_visible_lesson(session=get_session(), viewer=g.api_person, lesson_id=lesson_id)


def _missing(lesson_id: int):
    return problem(404, f"No lesson {lesson_id}.")


@api.get("/lessons", tags=[LESSONS_TAG], security=BEARER, responses={200: LessonList})
def list_lessons(query: LessonQuery):
    found = queries.find(
        session=get_session(),
        viewer=g.api_person,
        filters=queries.LessonFilter(
            stage=query.stage, effort=query.effort, theme=query.theme, country=query.country
        ),
        limit=query.limit,
    )
    return json_response(LessonList(items=[_out(le) for le in found]))


@api.post("/lessons", tags=[LESSONS_TAG], security=BEARER, responses={201: LessonOut, 422: Problem})
def submit_lesson(body: LessonIn):
    """Submit an observation; it starts at the stage 'submitted'."""
    lesson = service.submit_observation(
        session=get_session(), person=g.api_person, policy=_policy(), now=_now(), **body.model_dump()
    )
    return json_response(_out(lesson), 201)


@api.get("/lessons/<int:lesson_id>", tags=[LESSONS_TAG], security=BEARER, responses={200: LessonOut})
def get_lesson(path: LessonPath):
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    audit.record_opening(
        get_session(),
        actor_id=g.api_person.id,
        action="lesson.open",
        object_type="lesson",
        object_id=lesson.id,
        classification=lesson.classification,
    )
    return json_response(_out(lesson))


@api.post(
    "/lessons/<int:lesson_id>/steps",
    tags=[LESSONS_TAG],
    security=BEARER,
    responses={200: LessonOut, 403: Problem, 409: Problem, 422: Problem},
)
def take_step(path: LessonPath, body: StepIn):
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    service.advance(
        session=get_session(),
        person=g.api_person,
        lesson=lesson,
        step_name=body.step,
        note=body.note,
        now=_now(),
    )
    return json_response(_out(lesson))


@api.post(
    "/lessons/<int:lesson_id>/endorsement",
    tags=[LESSONS_TAG],
    security=BEARER,
    responses={200: LessonOut, 403: Problem, 409: Problem, 422: Problem},
)
def endorse_lesson(path: LessonPath, body: EndorseIn):
    """The steering group endorses the lesson and names the action body (an adopted decision)."""
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    service.endorse(
        session=get_session(),
        person=g.api_person,
        lesson=lesson,
        action_body=body.action_body,
        note=body.note,
        now=_now(),
    )
    return json_response(_out(lesson))


@api.post(
    "/lessons/<int:lesson_id>/actions",
    tags=[LESSONS_TAG],
    security=BEARER,
    responses={201: RemedialActionOut, 403: Problem, 409: Problem, 422: Problem},
)
def add_remedial_action(path: LessonPath, body: RemedialActionIn):
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    action = service.add_remedial_action(
        session=get_session(),
        person=g.api_person,
        lesson=lesson,
        title=body.title,
        due_on=body.due_on,
        owner_person_id=body.owner_person_id,
        now=_now(),
    )
    return json_response(RemedialActionOut.model_validate(action, from_attributes=True), 201)


def _now() -> datetime:
    return utcnow()
