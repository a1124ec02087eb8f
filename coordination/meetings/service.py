"""Meetings: scheduled once or weekly, an agenda drafted by the system from what is due, edited by the
secretary, and minutes with attendance. Reads (and the agenda as each reader sees it) live in queries.py."""

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func
from sqlmodel import Session, select

from coordination.audit import service as audit
from coordination.decisions import queries as decisions
from coordination.markup import render_markdown
from coordination.meetings import queries
from coordination.meetings.enums import AgendaKind
from coordination.meetings.models import AgendaItem, Attendance, Meeting
from coordination.meetings.queries import neighbours
from coordination.reports import queries as reports
from coordination.rules import RuleViolation, check_version
from coordination.sitreps import queries as sitreps
from coordination.steering import queries as priorities
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, MembershipRole

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person

ORGANISING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
DEFAULT_HORIZON = timedelta(days=7)


class MeetingError(RuleViolation):
    """A meeting change the rules refuse."""


def _require_organiser(session: Session, person: "Person", body_id: int) -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=body_id,
        roles=ORGANISING_ROLES,
        refusal="only the chair, a co-chair or the secretary organises the body's meetings",
    )


def schedule(
    *,
    session: Session,
    person: "Person",
    body: "Body",
    title: str,
    starts_at: datetime,
    duration_minutes: int = 90,
    location: str = "",
    weekly_occurrences: int = 1,
) -> list[Meeting]:
    """One meeting, or a weekly series (the weekly coordination meeting)."""
    _require_organiser(session, person, body.id)
    if starts_at.tzinfo is None:
        raise MeetingError("give the start time with its time zone", "starts_at")
    if not 1 <= weekly_occurrences <= 52:
        raise MeetingError("a series has 1 to 52 weekly meetings", "weekly_occurrences")
    if not 15 <= duration_minutes <= 12 * 60:
        raise MeetingError("a meeting lasts 15 minutes to 12 hours", "duration_minutes")
    title = (title or "").strip()
    if len(title) < 3:
        raise MeetingError("give the meeting a title", "title")
    series = uuid.uuid4().hex[:12] if weekly_occurrences > 1 else None
    meetings = []
    for week in range(weekly_occurrences):
        start = starts_at + timedelta(weeks=week)
        meetings.append(
            Meeting(
                body_id=body.id,
                series=series,
                title=title,
                starts_at=start,
                ends_at=start + timedelta(minutes=duration_minutes),
                location=location.strip(),
                created_by_id=person.id,
            )
        )
    session.add_all(meetings)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="meeting.schedule",
        object_type="body",
        object_id=body.slug,
        meetings=[m.id for m in meetings],
    )
    session.commit()
    return meetings


def due_items(*, session: Session, meeting: Meeting) -> list[tuple[AgendaKind, int]]:
    """What is due at this meeting, as references: the agenda the system drafts, in order. Each reader
    then sees the lines about what they may see (`queries.agenda`).

    The window looks back to the body's previous meeting (a week if none) and ahead to its next one
    (a week if none): priorities due for review in that horizon, early warnings and validated reports
    received since, its decisions still awaiting acknowledgement, its overdue actions, and situation
    reports falling due (the steering group's come from every active task force).
    """
    body = structure.bodies_by_id(session=session, ids=[meeting.body_id])[meeting.body_id]
    before, after = neighbours(session=session, meeting=meeting)
    since = before.starts_at if before else meeting.starts_at - DEFAULT_HORIZON
    horizon = after.starts_at if after else meeting.starts_at + DEFAULT_HORIZON
    is_steering_group = body.kind == BodyKind.steering_group
    items: list[tuple[AgendaKind, int]] = []
    if is_steering_group:
        items += [
            (AgendaKind.priority_review, p.id)
            for p in priorities.due_for_review(session=session, until=horizon.date())
        ]
    items += [
        (AgendaKind(kind), report_id)
        for kind, report_id in reports.received_for_agenda(
            session=session, body_id=body.id, since=since, until=meeting.starts_at
        )
    ]
    items += [
        (AgendaKind.pending_acknowledgement, decision_id)
        for decision_id in decisions.pending_for_agenda(session=session, body_id=body.id)
    ]
    items += [
        (AgendaKind.overdue_action, action_id)
        for action_id in decisions.overdue_for_agenda(
            session=session, body_id=None if is_steering_group else body.id, before=meeting.starts_at.date()
        )
    ]
    if body.kind in (BodyKind.steering_group, BodyKind.task_force):
        items += [
            (AgendaKind.situation_report_due, task_force.id)
            for task_force, _when in sitreps.due_by(session=session, until=horizon.date())
            if is_steering_group or task_force.id == body.id
        ]
    return items


def draft_agenda(*, session: Session, person: "Person | None", meeting: Meeting, now: datetime) -> None:
    """Replace the system's items with what is due now; items the secretary added are kept after them."""
    if person is not None:
        _require_organiser(session, person, meeting.body_id)
    kept = session.exec(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.kind == AgendaKind.other)
        .order_by(AgendaItem.position)
    ).all()
    session.exec(
        delete(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.kind != AgendaKind.other)
    )
    drafted = [
        AgendaItem(meeting_id=meeting.id, position=i, kind=kind, reference_id=ref, title="")
        for i, (kind, ref) in enumerate(due_items(session=session, meeting=meeting), start=1)
    ]
    for offset, item in enumerate(kept, start=len(drafted) + 1):
        item.position = offset
    meeting.agenda_drafted_at = now
    session.add_all([*drafted, *kept, meeting])
    session.commit()


def add_item(
    *, session: Session, person: "Person", meeting: Meeting, title: str, notes: str = ""
) -> AgendaItem:
    _require_organiser(session, person, meeting.body_id)
    if len((title or "").strip()) < 3:
        raise MeetingError("give the agenda item a title", "title")
    last = session.exec(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    ).one()
    item = AgendaItem(
        meeting_id=meeting.id,
        position=(last or 0) + 1,
        kind=AgendaKind.other,
        title=title.strip(),
        notes=notes.strip(),
    )
    session.add(item)
    session.commit()
    return item


def remove_item(*, session: Session, person: "Person", meeting: Meeting, item_id: int) -> None:
    _require_organiser(session, person, meeting.body_id)
    session.exec(delete(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.id == item_id))
    session.commit()


def record_minutes(
    *,
    session: Session,
    person: "Person",
    meeting: Meeting,
    minutes: str,
    present_ids: list[int],
    expected_version: str | None = None,
) -> Meeting:
    """Minutes in Markdown and who attended; refused if they changed since `expected_version` was read."""
    _require_organiser(session, person, meeting.body_id)
    session.refresh(meeting, with_for_update=True)
    check_version(
        expected=expected_version,
        current=queries.minutes_version(session=session, meeting=meeting),
        what="minutes",
    )
    members = structure.seated_person_ids(session=session, body_id=meeting.body_id)
    if set(present_ids) - members:
        raise MeetingError("attendance lists members of the body", "present")
    meeting.minutes = minutes
    meeting.minutes_html = render_markdown(minutes)
    session.exec(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    session.add_all(
        Attendance(meeting_id=meeting.id, person_id=pid, present=pid in present_ids) for pid in members
    )
    session.add(meeting)
    audit.record(
        session, actor_id=person.id, action="meeting.minutes", object_type="meeting", object_id=meeting.id
    )
    session.commit()
    return meeting
