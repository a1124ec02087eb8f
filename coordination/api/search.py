"""API: full-text search and the lessons-learned log, under the same need-to-know rules as the pages."""

from datetime import date, datetime
from typing import Literal

from flask import current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from coordination.api import BEARER, api
from coordination.api.problems import Problem, problem
from coordination.api.views import json_response
from coordination.db import get_session
from coordination.lessons import service as lessons
from coordination.lessons.models import Lesson, LessonStage
from coordination.reports.service import NeedToKnow
from coordination.search import service as search_service
from coordination.structure.models import Clearance, utcnow

SEARCH_TAG = Tag(name="search", description="One search over everything the person may see")
LESSONS_TAG = Tag(name="lessons", description="The joint lessons-learned log")

Kind = Literal["report", "decision", "minutes", "sitrep", "lesson"]


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="Words; every word must match")
    kind: Kind | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class SearchHit(BaseModel):
    kind: Kind
    id: int
    title: str
    snippet: str = Field(description="Plain text around the matching words")
    when: datetime | None
    link: str
    detail: str


class SearchResults(BaseModel):
    query: str
    terms: list[str]
    items: list[SearchHit]


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


@api.get("/search", tags=[SEARCH_TAG], security=BEARER, responses={200: SearchResults, 422: Problem})
def search(query: SearchQuery):
    """Ranked matches among the field reports, decisions, minutes, situation reports and lessons the
    caller may see; nothing else is counted or hinted at."""
    hits = search_service.search(
        session=get_session(),
        person=g.api_person,
        policy=_policy(),
        query=query.q,
        kinds=[query.kind] if query.kind else None,
        limit=query.limit,
        offset=query.offset,
    )
    items = [
        SearchHit(
            kind=h.kind,
            id=h.item_id,
            title=h.title,
            snippet=h.snippet_text,
            when=h.when,
            link=h.link,
            detail=h.detail,
        )
        for h in hits
    ]
    return json_response(SearchResults(query=query.q, terms=search_service.terms_of(query.q), items=items))


# --- lessons ----------------------------------------------------------------------------------------


class LessonIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
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
    decision_ids: list[int] = Field(default_factory=list, max_length=50)
    report_ids: list[int] = Field(default_factory=list, max_length=50)


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


class StepIn(BaseModel):
    step: Literal["accept", "reject", "analyse", "identify", "implement", "validate", "learn", "archive"]
    note: str = Field(default="", max_length=2000)


class EndorseIn(BaseModel):
    action_body: str = Field(min_length=1, max_length=80, description="Slug of the body tasked")
    note: str = Field(default="", max_length=2000)


class RemedialActionIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    due_on: date
    owner_person_id: int | None = None


class RemedialActionOut(BaseModel):
    id: int
    title: str
    due_on: date
    status: str


def _out(lesson: Lesson) -> LessonOut:
    return LessonOut.model_validate(lesson, from_attributes=True)


def _lesson(lesson_id: int) -> Lesson | None:
    return lessons.get_visible_lesson(session=get_session(), person=g.api_person, lesson_id=lesson_id)


def _missing(lesson_id: int):
    return problem(404, f"No lesson {lesson_id}.")


@api.get("/lessons", tags=[LESSONS_TAG], security=BEARER, responses={200: LessonList})
def list_lessons(query: LessonQuery):
    found = lessons.find(
        session=get_session(),
        person=g.api_person,
        filters=lessons.LessonFilter(
            stage=query.stage, effort=query.effort, theme=query.theme, country=query.country
        ),
        limit=query.limit,
    )
    return json_response(LessonList(items=[_out(le) for le in found]))


@api.post("/lessons", tags=[LESSONS_TAG], security=BEARER, responses={201: LessonOut, 422: Problem})
def submit_lesson(body: LessonIn):
    """Submit an observation; it starts at the stage 'submitted'."""
    lesson = lessons.submit_observation(
        session=get_session(), person=g.api_person, policy=_policy(), now=_now(), **body.model_dump()
    )
    return json_response(_out(lesson), 201)


@api.get("/lessons/<int:lesson_id>", tags=[LESSONS_TAG], security=BEARER, responses={200: LessonOut})
def get_lesson(path: LessonPath):
    lesson = _lesson(path.lesson_id)
    return json_response(_out(lesson)) if lesson else _missing(path.lesson_id)


@api.post(
    "/lessons/<int:lesson_id>/steps",
    tags=[LESSONS_TAG],
    security=BEARER,
    responses={200: LessonOut, 403: Problem, 422: Problem},
)
def take_step(path: LessonPath, body: StepIn):
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    lessons.advance(
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
    responses={200: LessonOut, 403: Problem, 422: Problem},
)
def endorse_lesson(path: LessonPath, body: EndorseIn):
    """The steering group endorses the lesson and names the action body (an adopted decision)."""
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    lessons.endorse(
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
    responses={201: RemedialActionOut, 403: Problem, 422: Problem},
)
def add_remedial_action(path: LessonPath, body: RemedialActionIn):
    lesson = _lesson(path.lesson_id)
    if lesson is None:
        return _missing(path.lesson_id)
    action = lessons.add_remedial_action(
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
