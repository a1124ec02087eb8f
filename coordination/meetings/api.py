"""API endpoints for meetings: schedule, read (agenda as the caller may read it), redraft, minutes,
invitation; and their API types."""

from datetime import UTC, datetime

from flask import Response, abort, current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination import playmode
from coordination.api import BEARER, IdPath, SlugPath, api, json_response
from coordination.api.preconditions import (
    PRECONDITION_DESCRIPTION,
    VERSIONED,
    IfMatch,
    expected_version,
    with_etag,
)
from coordination.api.problems import Problem, problem
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.meetings import queries, service
from coordination.meetings.enums import AgendaKind
from coordination.meetings.models import Meeting
from coordination.structure import queries as structure
from coordination.types import Moment, RecordId, RequestBody, Title

MEETINGS_TAG = Tag(name="meetings", description="Meetings of bodies: agendas, minutes, invitations")
ERRORS = {403: Problem, 404: Problem, 422: Problem}


class MeetingIn(RequestBody):
    title: Title = Field(min_length=3, max_length=200)
    starts_at: Moment = Field(description="ISO 8601 with a time zone, between 2000 and 2100")
    duration_minutes: int = Field(default=90, ge=15, le=720)
    location: str = Field(default="", max_length=200)
    weekly_occurrences: int = Field(default=1, ge=1, le=52)


class AgendaItemOut(BaseModel):
    position: int
    kind: AgendaKind
    reference_id: int | None
    title: str


class MeetingOut(BaseModel):
    """A meeting; its ETag versions the minutes and attendance."""

    model_config = VERSIONED

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


class MinutesIn(RequestBody):
    minutes: str = Field(default="", max_length=100_000)
    present: list[RecordId] = Field(default=[], max_length=500)


def _now() -> datetime:
    return datetime.now(UTC)


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _meeting_out(session: Session, meeting: Meeting) -> MeetingOut:
    present = [pid for pid, here in queries.attendance(session=session, meeting=meeting).items() if here]
    lines = queries.agenda(session=session, viewer=g.api_person, policy=_policy(), meeting=meeting)
    return MeetingOut(
        id=meeting.id,
        body=structure.bodies_by_id(session=session, ids=[meeting.body_id])[meeting.body_id].slug,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        agenda=[
            AgendaItemOut(
                position=line.number, kind=line.kind, reference_id=line.reference_id, title=line.title
            )
            for line in lines
        ],
        minutes=meeting.minutes,
        present=sorted(present),
    )


def _meeting_response(session: Session, meeting: Meeting):
    """The meeting as JSON, with the version of its minutes as ETag."""
    response = json_response(_meeting_out(session, meeting))
    return with_etag(response, queries.minutes_version(session=session, meeting=meeting))


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = queries.get_visible_meeting(session=session, viewer=g.api_person, meeting_id=meeting_id)
    if meeting is None:
        abort(problem(404, f"No meeting {meeting_id}."))
    return meeting


@api.post(
    "/bodies/<slug>/meetings",
    tags=[MEETINGS_TAG],
    security=BEARER,
    responses={201: MeetingList, **ERRORS},
    summary="Schedule a meeting, or a weekly series",
)
def schedule_meetings(path: SlugPath, body: MeetingIn):
    session = get_session()
    found = structure.find_body(session=session, slug=path.slug)
    if found is None:
        return problem(404, f"No body {path.slug}.")
    created = service.schedule(session=session, person=g.api_person, body=found, **body.model_dump())
    return json_response(MeetingList(items=[_meeting_out(session, m) for m in created]), 201)


@api.get(
    "/meetings/<int:item_id>",
    tags=[MEETINGS_TAG],
    security=BEARER,
    responses={200: MeetingOut, 404: Problem},
    summary="A meeting with its agenda (drafted on first read; the lines the caller may see), minutes and "
    "attendance",
)
def get_meeting(path: IdPath):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    if meeting.agenda_drafted_at is None:
        service.draft_agenda(session=session, person=None, meeting=meeting, now=_now())
    return _meeting_response(session, meeting)


@api.post(
    "/meetings/<int:item_id>/agenda",
    tags=[MEETINGS_TAG],
    security=BEARER,
    responses={200: MeetingOut, **ERRORS},
    summary="Redraft the agenda from what is due now",
)
def redraft_agenda(path: IdPath):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    service.draft_agenda(session=session, person=g.api_person, meeting=meeting, now=_now())
    return _meeting_response(session, meeting)


@api.put(
    "/meetings/<int:item_id>/minutes",
    tags=[MEETINGS_TAG],
    security=BEARER,
    responses={200: MeetingOut, **ERRORS, 412: Problem},
    summary="Record the minutes and attendance",
    description=PRECONDITION_DESCRIPTION,
)
def put_minutes(path: IdPath, body: MinutesIn, header: IfMatch):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    service.record_minutes(
        session=session,
        person=g.api_person,
        meeting=meeting,
        minutes=body.minutes,
        present_ids=body.present,
        expected_version=expected_version(header),
    )
    return _meeting_response(session, meeting)


@api.get(
    "/meetings/<int:item_id>/invitation.ics",
    tags=[MEETINGS_TAG],
    security=BEARER,
    responses={200: None, 404: Problem},
    summary="iCalendar invitation, its agenda as the caller may read it",
)
def meeting_invitation(path: IdPath):
    session = get_session()
    meeting = _meeting(session, path.item_id)
    ics = queries.invitation(
        session=session,
        viewer=g.api_person,
        policy=_policy(),
        meeting=meeting,
        base_url=playmode.base_url(),
    )
    return Response(ics, mimetype="text/calendar")
