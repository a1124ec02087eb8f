"""Meetings: scheduled once or weekly, an agenda drafted by the system from what is due, edited by the
secretary, minutes and attendance, decisions adopted in the meeting, and an iCalendar invitation."""

import uuid
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import and_, delete, func
from sqlmodel import Session, select

from coordination import audit
from coordination.decisions.models import (
    AcknowledgementStatus,
    Action,
    ActionStatus,
    Addressee,
    Decision,
    DecisionStatus,
)
from coordination.markup import render_markdown
from coordination.meetings.models import AgendaItem, AgendaKind, Attendance, Meeting
from coordination.reports.models import Delivery, FieldReport, TriageStatus
from coordination.rules import RuleViolation
from coordination.sitreps import service as sitreps
from coordination.steering import service as priorities
from coordination.structure import service as structure
from coordination.structure.models import Body, BodyKind, Membership, MembershipRole, Person

ORGANISING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
DEFAULT_HORIZON = timedelta(days=7)


class MeetingError(RuleViolation):
    """A meeting change the rules refuse."""


def visible_meetings(*, person: Person):
    """Meetings (and so their minutes) of the bodies the person sits in; administrators see all."""
    if person.is_admin:
        return select(Meeting)
    return select(Meeting).where(
        Meeting.body_id.in_(select(Membership.body_id).where(Membership.person_id == person.id))
    )


def _require_organiser(session: Session, person: Person, body_id: int) -> None:
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
    person: Person,
    body: Body,
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


def meetings_of(*, session: Session, body: Body, since: datetime | None = None) -> list[Meeting]:
    query = select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.starts_at)
    if since is not None:
        query = query.where(Meeting.starts_at >= since)
    return list(session.exec(query))


def neighbours(*, session: Session, meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The body's meeting before this one and the one after it."""
    before = session.exec(
        select(Meeting)
        .where(Meeting.body_id == meeting.body_id, Meeting.starts_at < meeting.starts_at)
        .order_by(Meeting.starts_at.desc())
    ).first()
    after = session.exec(
        select(Meeting)
        .where(Meeting.body_id == meeting.body_id, Meeting.starts_at > meeting.starts_at)
        .order_by(Meeting.starts_at)
    ).first()
    return before, after


def _report_title(report: FieldReport) -> str:
    if report.classification != "unclassified":
        return f"Field report #{report.id} ({report.classification}, {report.country_code})"
    return f"{report.title} ({report.country_code}, #{report.id})"


def due_items(*, session: Session, meeting: Meeting) -> list[tuple[AgendaKind, int | None, str]]:
    """What is due at this meeting: the agenda the system drafts, in order.

    The window looks back to the body's previous meeting (a week if none) and ahead to its next one
    (a week if none): priorities due for review in that horizon, early warnings and validated reports
    received since, its decisions still awaiting acknowledgement, its overdue actions, and situation
    reports falling due (the steering group's come from every active task force).
    """
    body = session.get(Body, meeting.body_id)
    before, after = neighbours(session=session, meeting=meeting)
    since = before.starts_at if before else meeting.starts_at - DEFAULT_HORIZON
    horizon = after.starts_at if after else meeting.starts_at + DEFAULT_HORIZON
    is_steering_group = body.kind == BodyKind.steering_group
    items: list[tuple[AgendaKind, int | None, str]] = []
    if is_steering_group:
        for p in priorities.due_for_review(session=session, until=horizon.date()):
            label = priorities.subject_label(session, p)
            items.append(
                (
                    AgendaKind.priority_review,
                    p.id,
                    f"Review priority: {label} (tier {p.tier}, review due {p.next_review_on:%d %b %Y})",
                )
            )
    received = (
        select(FieldReport)
        .join(Delivery, Delivery.report_id == FieldReport.id)
        .where(
            Delivery.body_id == body.id,
            FieldReport.created_at >= since,
            FieldReport.created_at < meeting.starts_at,
        )
        .order_by(FieldReport.created_at)
    )
    for report in session.exec(received.where(FieldReport.early_warning)):
        items.append((AgendaKind.early_warning, report.id, f"Early warning: {_report_title(report)}"))
    validated = (
        select(FieldReport)
        .join(Delivery, Delivery.report_id == FieldReport.id)
        .where(
            Delivery.body_id == body.id,
            FieldReport.status == TriageStatus.validated,
            FieldReport.updated_at >= since,
            FieldReport.updated_at < meeting.starts_at,
            FieldReport.early_warning.is_(False),
        )
        .order_by(FieldReport.updated_at)
    )
    for report in session.exec(validated):
        items.append((AgendaKind.validated_report, report.id, f"Validated report: {_report_title(report)}"))
    pending = session.exec(
        select(Decision, func.count(Addressee.id))
        .join(
            Addressee,
            and_(Addressee.decision_id == Decision.id, Addressee.status == AcknowledgementStatus.pending),
        )
        .where(Decision.issuing_body_id == body.id, Decision.status == DecisionStatus.adopted)
        .group_by(Decision.id)
        .order_by(Decision.acknowledgement_due_at)
    )
    for decision, missing in pending:
        items.append(
            (
                AgendaKind.pending_acknowledgement,
                decision.id,
                f"Awaiting acknowledgement from {missing} unit(s): {decision.title}",
            )
        )
    overdue = (
        select(Action)
        .join(Decision, Decision.id == Action.decision_id)
        .where(Action.status != ActionStatus.done, Action.due_on < meeting.starts_at.date())
    )
    if not is_steering_group:
        overdue = overdue.where(Decision.issuing_body_id == body.id)
    for action in session.exec(overdue.order_by(Action.due_on)):
        items.append(
            (
                AgendaKind.overdue_action,
                action.id,
                f"Overdue action: {action.title} (due {action.due_on:%d %b %Y})",
            )
        )
    if is_steering_group:
        due = sitreps.due_by(session=session, until=horizon.date())
    elif body.kind == BodyKind.task_force:
        due = [
            (body, when)
            for tf, when in sitreps.due_by(session=session, until=horizon.date())
            if tf.id == body.id
        ]
    else:
        due = []
    for task_force, when in due:
        items.append(
            (
                AgendaKind.situation_report_due,
                task_force.id,
                f"Situation report due from {task_force.name} ({when:%d %b %Y})",
            )
        )
    return items


def draft_agenda(
    *, session: Session, person: Person | None, meeting: Meeting, now: datetime
) -> list[AgendaItem]:
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
        AgendaItem(meeting_id=meeting.id, position=i, kind=kind, reference_id=ref, title=title)
        for i, (kind, ref, title) in enumerate(due_items(session=session, meeting=meeting), start=1)
    ]
    for offset, item in enumerate(kept, start=len(drafted) + 1):
        item.position = offset
    meeting.agenda_drafted_at = now
    session.add_all([*drafted, *kept, meeting])
    session.commit()
    return agenda(session=session, meeting=meeting)


def agenda(*, session: Session, meeting: Meeting) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
        )
    )


def add_item(
    *, session: Session, person: Person, meeting: Meeting, title: str, notes: str = ""
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


def remove_item(*, session: Session, person: Person, meeting: Meeting, item_id: int) -> None:
    _require_organiser(session, person, meeting.body_id)
    session.exec(delete(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.id == item_id))
    session.commit()


def record_minutes(
    *, session: Session, person: Person, meeting: Meeting, minutes: str, present_ids: list[int]
) -> Meeting:
    """Minutes in Markdown and who attended."""
    _require_organiser(session, person, meeting.body_id)
    members = set(session.exec(select(Membership.person_id).where(Membership.body_id == meeting.body_id)))
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


def attendance(*, session: Session, meeting: Meeting) -> dict[int, bool]:
    return {
        a.person_id: a.present
        for a in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }


def decisions_of(*, session: Session, meeting: Meeting) -> list[Decision]:
    return list(session.exec(select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id)))


def invitation(*, session: Session, meeting: Meeting, base_url: str) -> bytes:
    """An iCalendar invitation with the body's members as attendees and the agenda in the description."""
    body = session.get(Body, meeting.body_id)
    members = session.exec(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.body_id == body.id)
    ).all()
    calendar = Calendar()
    calendar.add("prodid", "-//Coordination//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@coordination")
    event.add("summary", f"{body.name}: {meeting.title}")
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", meeting.starts_at)
    event.add("location", meeting.location)
    event.add("url", f"{base_url.rstrip('/')}/meetings/{meeting.id}")
    event.add(
        "description", "\n".join(f"{i.position}. {i.title}" for i in agenda(session=session, meeting=meeting))
    )
    for person in members:
        attendee = vCalAddress(f"MAILTO:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
