"""API endpoints for priorities, task forces, meetings and situation reports."""

from datetime import UTC, date, datetime

from flask import Response, abort, current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination.api import BEARER, api
from coordination.api.problems import Problem, problem
from coordination.api.views import json_response
from coordination.db import get_session
from coordination.meetings import service as meetings
from coordination.meetings.models import Meeting
from coordination.sitreps import service as sitreps
from coordination.sitreps.models import SituationReport
from coordination.steering import service as priorities
from coordination.steering.models import Priority
from coordination.structure import service as structure
from coordination.structure.models import Body, BodyKind, Person
from coordination.taskforces import service as taskforces

STEERING_TAG = Tag(name="steering", description="Priorities, task forces, meetings, situation reports")
ERRORS = {403: Problem, 404: Problem, 422: Problem}


def _now() -> datetime:
    return datetime.now(UTC)


# --- types ------------------------------------------------------------------------------------------


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


class TaskForceIn(BaseModel):
    goals_decision_id: int | None = Field(default=None, description="An adopted steering-group decision")
    name: str = Field(min_length=3, max_length=200)
    countries: list[str] = []
    themes: list[str] = []
    major_departments: list[str] = Field(
        default=[], description="Department codes flagged by the steering group"
    )
    expert_director_id: int | None = None


class ChairOut(BaseModel):
    role: str
    person_id: int
    name: str
    reason: str


class TaskForceOut(BaseModel):
    slug: str
    name: str
    status: str
    countries: list[str]
    themes: list[str]
    missions: list[str]
    goals_decision_id: int | None
    chairs: list[ChairOut]
    chairs_decided_by: str | None


class ConfirmIn(BaseModel):
    chair_id: int | None = Field(default=None, description="Override the proposed chair")
    co_chair_ids: list[int] | None = Field(default=None, description="Override the proposed co-chairs")


class StandDownIn(BaseModel):
    closing_report: str = Field(min_length=1, max_length=20_000)


class MeetingIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    starts_at: datetime = Field(description="With a time zone")
    duration_minutes: int = Field(default=90, ge=15, le=720)
    location: str = Field(default="", max_length=200)
    weekly_occurrences: int = Field(default=1, ge=1, le=52)


class AgendaItemOut(BaseModel):
    position: int
    kind: str
    reference_id: int | None
    title: str


class MeetingOut(BaseModel):
    id: int
    body: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    agenda: list[AgendaItemOut]
    minutes: str
    present: list[int]


class MeetingList(BaseModel):
    items: list[MeetingOut]


class MinutesIn(BaseModel):
    minutes: str = Field(default="", max_length=100_000)
    present: list[int] = []


class SitrepIn(BaseModel):
    period_start: date
    period_end: date


class SitrepOut(BaseModel):
    id: int
    task_force: str
    period_start: date
    period_end: date
    status: str
    body: str
    submitted_at: datetime | None


class SlugPath(BaseModel):
    slug: str = Field(max_length=80)


class IdPath(BaseModel):
    item_id: int = Field(ge=1)


# --- helpers ----------------------------------------------------------------------------------------


def _priority_out(session: Session, p: Priority) -> PriorityOut:
    return PriorityOut(
        id=p.id,
        subject_kind=p.subject_kind,
        subject=p.subject,
        label=priorities.subject_label(session, p),
        tier=p.tier,
        rationale=p.rationale,
        owner_id=p.owner_id,
        review_every_months=p.review_every_months,
        next_review_on=p.next_review_on,
    )


def _task_force_out(session: Session, body: Body) -> TaskForceOut:
    body = structure.get_body(session=session, slug=body.slug)
    chairs = [
        ChairOut(role=m.role, person_id=m.person_id, name=m.person.name, reason=m.reason)
        for m in structure.ordered_memberships(body)
        if m.role in ("chair", "co_chair")
    ]
    decided = session.get(Person, body.chairs_decided_by_id) if body.chairs_decided_by_id else None
    return TaskForceOut(
        slug=body.slug,
        name=body.name,
        status=body.status,
        countries=sorted(c.code for c in body.countries),
        themes=list(body.themes),
        missions=sorted(m.code for m in body.missions),
        goals_decision_id=body.goals_decision_id,
        chairs=chairs,
        chairs_decided_by=decided.name if decided else None,
    )


def _meeting_out(session: Session, meeting: Meeting) -> MeetingOut:
    present = [pid for pid, here in meetings.attendance(session=session, meeting=meeting).items() if here]
    return MeetingOut(
        id=meeting.id,
        body=session.get(Body, meeting.body_id).slug,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        agenda=[
            AgendaItemOut(position=i.position, kind=i.kind, reference_id=i.reference_id, title=i.title)
            for i in meetings.agenda(session=session, meeting=meeting)
        ],
        minutes=meeting.minutes,
        present=sorted(present),
    )


def _sitrep_out(session: Session, s: SituationReport) -> SitrepOut:
    return SitrepOut(
        id=s.id,
        task_force=session.get(Body, s.task_force_id).slug,
        period_start=s.period_start,
        period_end=s.period_end,
        status=s.status,
        body=s.body,
        submitted_at=s.submitted_at,
    )


def _member_of(session: Session, body_id: int) -> bool:
    return any(m.body_id == body_id for m in g.api_person.memberships)


def _task_force(session: Session, slug: str) -> Body:
    body = structure.get_body(session=session, slug=slug)
    if body is None or body.kind != BodyKind.task_force:
        abort(problem(404, f"No task force {slug}."))
    return body


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.exec(
        meetings.visible_meetings(person=g.api_person).where(Meeting.id == meeting_id)
    ).first()
    if meeting is None:
        abort(problem(404, f"No meeting {meeting_id}."))
    return meeting


# --- priorities -------------------------------------------------------------------------------------


@api.get("/priorities", tags=[STEERING_TAG], security=BEARER, responses={200: PriorityList})
def list_priorities():
    session = get_session()
    return json_response(
        PriorityList(items=[_priority_out(session, p) for p in priorities.list_priorities(session=session)])
    )


@api.post(
    "/priorities",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: PriorityOut, **ERRORS},
    summary="Set or change a priority (steering group); every change is kept in its history",
)
def set_priority(body: PriorityIn):
    session = get_session()
    priority = priorities.set_priority(session=session, person=g.api_person, now=_now(), **body.model_dump())
    return json_response(_priority_out(session, priority))


@api.get(
    "/priorities/<int:item_id>/history",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: PriorityHistory, 404: Problem},
)
def priority_history(path: IdPath):
    session = get_session()
    priority = session.get(Priority, path.item_id)
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
        for c, who in priorities.history(session=session, priority=priority)
    ]
    return json_response(PriorityHistory(priority=_priority_out(session, priority), history=history))


# --- task forces ------------------------------------------------------------------------------------


@api.post(
    "/task-forces",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={201: TaskForceOut, **ERRORS},
    summary="Propose a task force from an adopted steering-group decision; returns the proposed chairs",
)
def create_task_force(body: TaskForceIn):
    session = get_session()
    created, _proposals = taskforces.create_task_force(
        session=session, person=g.api_person, now=_now(), **body.model_dump()
    )
    return json_response(_task_force_out(session, created), 201)


@api.get(
    "/task-forces/<slug>", tags=[STEERING_TAG], security=BEARER, responses={200: TaskForceOut, 404: Problem}
)
def get_task_force(path: SlugPath):
    session = get_session()
    return json_response(_task_force_out(session, _task_force(session, path.slug)))


@api.post(
    "/task-forces/<slug>/confirm",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: TaskForceOut, **ERRORS},
    summary="The steering group confirms or overrides the chairs",
)
def confirm_task_force(path: SlugPath, body: ConfirmIn):
    session = get_session()
    task_force = _task_force(session, path.slug)
    taskforces.confirm_chairs(
        session=session, person=g.api_person, task_force=task_force, now=_now(), **body.model_dump()
    )
    return json_response(_task_force_out(session, task_force))


@api.post(
    "/task-forces/<slug>/stand-down",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: TaskForceOut, **ERRORS},
)
def stand_down_task_force(path: SlugPath, body: StandDownIn):
    session = get_session()
    task_force = _task_force(session, path.slug)
    taskforces.stand_down(
        session=session,
        person=g.api_person,
        task_force=task_force,
        closing_report=body.closing_report,
        now=_now(),
    )
    return json_response(_task_force_out(session, task_force))


# --- meetings ---------------------------------------------------------------------------------------


@api.post(
    "/bodies/<slug>/meetings",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={201: MeetingList, **ERRORS},
    summary="Schedule a meeting, or a weekly series",
)
def schedule_meetings(path: SlugPath, body: MeetingIn):
    session = get_session()
    found = structure.get_body(session=session, slug=path.slug)
    if found is None:
        return problem(404, f"No body {path.slug}.")
    created = meetings.schedule(session=session, person=g.api_person, body=found, **body.model_dump())
    return json_response(MeetingList(items=[_meeting_out(session, m) for m in created]), 201)


@api.get(
    "/meetings/<int:item_id>",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: MeetingOut, 404: Problem},
    summary="A meeting with its agenda (drafted on first read), minutes and attendance",
)
def get_meeting(path: IdPath):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    if meeting.agenda_drafted_at is None:
        meetings.draft_agenda(session=session, person=None, meeting=meeting, now=_now())
    return json_response(_meeting_out(session, meeting))


@api.post(
    "/meetings/<int:item_id>/agenda",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: MeetingOut, **ERRORS},
    summary="Redraft the agenda from what is due now",
)
def redraft_agenda(path: IdPath):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    meetings.draft_agenda(session=session, person=g.api_person, meeting=meeting, now=_now())
    return json_response(_meeting_out(session, meeting))


@api.put(
    "/meetings/<int:item_id>/minutes",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: MeetingOut, **ERRORS},
)
def put_minutes(path: IdPath, body: MinutesIn):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    meetings.record_minutes(
        session=session, person=g.api_person, meeting=meeting, minutes=body.minutes, present_ids=body.present
    )
    return json_response(_meeting_out(session, meeting))


@api.get(
    "/meetings/<int:item_id>/invitation.ics",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: None, 404: Problem},
    summary="iCalendar invitation",
)
def meeting_invitation(path: IdPath):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    ics = meetings.invitation(session=session, meeting=meeting, base_url=current_app.config["BASE_URL"])
    return Response(ics, mimetype="text/calendar")


# --- situation reports ------------------------------------------------------------------------------


@api.post(
    "/task-forces/<slug>/situation-reports",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={201: SitrepOut, **ERRORS},
    summary="Compile a draft situation report for a period",
)
def compile_sitrep(path: SlugPath, body: SitrepIn):
    session = get_session()
    sitrep = sitreps.compile_draft(
        session=session,
        person=g.api_person,
        task_force=_task_force(session, path.slug),
        period_start=body.period_start,
        period_end=body.period_end,
        now=_now(),
    )
    return json_response(_sitrep_out(session, sitrep), 201)


@api.get(
    "/situation-reports/<int:item_id>",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: SitrepOut, 404: Problem},
)
def get_sitrep(path: IdPath):
    session = get_session()
    sitrep = session.get(SituationReport, path.item_id)
    if sitrep is None:
        return problem(404, f"No situation report {path.item_id}.")
    return json_response(_sitrep_out(session, sitrep))


@api.post(
    "/situation-reports/<int:item_id>/submit",
    tags=[STEERING_TAG],
    security=BEARER,
    responses={200: SitrepOut, **ERRORS},
)
def submit_sitrep(path: IdPath):
    session = get_session()
    sitrep = session.get(SituationReport, path.item_id)
    if sitrep is None:
        return problem(404, f"No situation report {path.item_id}.")
    sitreps.submit(session=session, person=g.api_person, sitrep=sitrep, now=_now())
    return json_response(_sitrep_out(session, sitrep))
