"""Reads of meetings, always for a given viewer: which meetings they may see, and the agenda, decision
list and invitation of a meeting as that viewer may read them.

A meeting (its title, agenda and minutes) is seen by the members of its body; administrators see every
meeting. An agenda line about a report, a decision or an action appears only to readers who may see that
item, with no trace of it for the others: no title, id, level or count.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session, select

from coordination import playmode
from coordination.classification import NeedToKnow
from coordination.decisions import queries as decisions
from coordination.meetings.enums import AgendaKind
from coordination.meetings.models import AgendaItem, Attendance, Meeting
from coordination.reports import queries as reports
from coordination.search.kinds import Searchable
from coordination.sitreps import queries as sitreps
from coordination.steering import queries as priorities
from coordination.structure import queries as structure
from coordination.versions import version_of

if TYPE_CHECKING:
    from coordination.decisions.models import Decision
    from coordination.structure.models import Body, Person


def visible_meetings(*, viewer: "Person"):
    """SQL: the meetings (and so their minutes) the viewer may see."""
    if viewer.is_admin:
        return select(Meeting)
    return select(Meeting).where(Meeting.body_id.in_(structure.seated_body_ids(viewer.id)))


def get_visible_meeting(*, session: Session, viewer: "Person", meeting_id: int) -> Meeting | None:
    return session.exec(visible_meetings(viewer=viewer).where(Meeting.id == meeting_id)).first()


def visible_ids(*, session: Session, viewer: "Person", ids) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    query = visible_meetings(viewer=viewer).with_only_columns(Meeting.id).where(Meeting.id.in_(ids))
    return set(session.exec(query))


def body_of_meeting(*, session: Session, meeting_id: int) -> int | None:
    """The body a meeting belongs to (bodies are not need-to-know)."""
    return session.exec(select(Meeting.body_id).where(Meeting.id == meeting_id)).first()


def meetings_of(*, session: Session, body: "Body", since: datetime | None = None) -> list[Meeting]:
    query = select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.starts_at)
    if since is not None:
        query = query.where(Meeting.starts_at >= since)
    return list(session.exec(query))


def any_meeting_of(*, session: Session, body_id: int) -> bool:
    return session.exec(select(Meeting.id).where(Meeting.body_id == body_id).limit(1)).first() is not None


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


def agenda_items(*, session: Session, meeting: Meeting) -> list[AgendaItem]:
    """The stored agenda: references and the secretary's own items, in order (not for display)."""
    return list(
        session.exec(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
        )
    )


@dataclass(frozen=True)
class AgendaLine:
    """An agenda line as one reader reads it."""

    item_id: int
    number: int
    kind: AgendaKind
    reference_id: int | None
    title: str
    notes: str = ""


def agenda(*, session: Session, viewer: "Person", policy: NeedToKnow, meeting: Meeting) -> list[AgendaLine]:
    """The meeting's agenda for this reader: each line written now from the item it refers to, and only
    when the reader may see that item; lines are numbered among those shown."""
    items = agenda_items(session=session, meeting=meeting)
    refs: dict[AgendaKind, list[int]] = {}
    for item in items:
        if item.reference_id is not None:
            refs.setdefault(AgendaKind(item.kind), []).append(item.reference_id)
    report_ids = refs.get(AgendaKind.early_warning, []) + refs.get(AgendaKind.validated_report, [])
    seen_reports = {
        r.id: r for r in reports.visible_among(session=session, viewer=viewer, policy=policy, ids=report_ids)
    }
    seen_decisions = decisions.visible_among(
        session=session, viewer=viewer, ids=refs.get(AgendaKind.pending_acknowledgement, [])
    )
    missing = decisions.pending_units(session=session, decision_ids=seen_decisions)
    seen_actions = decisions.visible_actions_among(
        session=session, viewer=viewer, ids=refs.get(AgendaKind.overdue_action, [])
    )
    task_forces = structure.bodies_by_id(session=session, ids=refs.get(AgendaKind.situation_report_due, []))
    lines = []
    for item in items:
        kind, ref = AgendaKind(item.kind), item.reference_id
        title = None
        if kind is AgendaKind.other:
            title = item.title
        elif kind is AgendaKind.priority_review:
            priority = priorities.get_priority(session=session, priority_id=ref)
            if priority is not None:
                label = priorities.subject_label(session, priority)
                title = _(
                    "Review priority: %(subject)s (tier %(tier)s, review due %(due)s)",
                    subject=label,
                    tier=priority.tier,
                    due=priority.next_review_on.isoformat(),
                )
        elif kind in (AgendaKind.early_warning, AgendaKind.validated_report) and ref in seen_reports:
            report = seen_reports[ref]
            prefix = _("Early warning") if kind is AgendaKind.early_warning else _("Validated report")
            title = f"{prefix}: {report.title} ({report.country_code}, #{report.id})"
        elif kind is AgendaKind.pending_acknowledgement and ref in seen_decisions:
            if missing.get(ref):
                title = _(
                    "Awaiting acknowledgement from %(count)s unit(s): %(title)s",
                    count=missing[ref],
                    title=seen_decisions[ref].title,
                )
        elif kind is AgendaKind.overdue_action and ref in seen_actions:
            action = seen_actions[ref]
            title = _(
                "Overdue action: %(title)s (due %(due)s)", title=action.title, due=action.due_on.isoformat()
            )
        elif kind is AgendaKind.situation_report_due and ref in task_forces:
            task_force = task_forces[ref]
            due = sitreps.next_due_on(session=session, task_force=task_force)
            title = _(
                "Situation report due from %(task_force)s (%(due)s)",
                task_force=task_force.name,
                due=due.isoformat(),
            )
        if title is not None:
            lines.append(AgendaLine(item.id, len(lines) + 1, kind, ref, title, item.notes))
    return lines


def attendance(*, session: Session, meeting: Meeting) -> dict[int, bool]:
    return {
        a.person_id: a.present
        for a in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }


def minutes_version(*, session: Session, meeting: Meeting) -> str:
    """The version of the minutes and attendance (what one save of the minutes writes)."""
    present = sorted(pid for pid, here in attendance(session=session, meeting=meeting).items() if here)
    return version_of("minutes", meeting.id, meeting.minutes, present)


def decisions_of(*, session: Session, viewer: "Person", meeting: Meeting) -> list["Decision"]:
    """The decisions taken in the meeting that the viewer may see."""
    return decisions.of_meeting(session=session, viewer=viewer, meeting_id=meeting.id)


def invitation(
    *, session: Session, viewer: "Person", policy: NeedToKnow, meeting: Meeting, base_url: str
) -> bytes:
    """An iCalendar invitation with the body's members as attendees and the agenda, as this reader may
    read it, in the description."""
    from icalendar import Calendar, Event, vCalAddress, vText  # loaded by the first invitation, not at start

    body = structure.bodies_by_id(session=session, ids=[meeting.body_id])[meeting.body_id]
    calendar = Calendar()
    calendar.add("prodid", "-//Coordination//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@coordination")
    event.add("summary", playmode.marked(f"{body.name}: {meeting.title}"))
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", meeting.starts_at)
    event.add("location", meeting.location)
    event.add("url", f"{base_url.rstrip('/')}/meetings/{meeting.id}")
    lines = agenda(session=session, viewer=viewer, policy=policy, meeting=meeting)
    event.add("description", "\n".join(f"{line.number}. {line.title}" for line in lines))
    for person in structure.members_of(session=session, body_id=body.id):
        attendee = vCalAddress(f"MAILTO:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def _search_details(session: Session, ids: list[int]) -> dict:
    found = list(session.exec(select(Meeting).where(Meeting.id.in_(ids))))
    bodies = structure.bodies_by_id(session=session, ids={m.body_id for m in found})
    return {m.id: (m.title, m.starts_at, f"/meetings/{m.id}", bodies[m.body_id].name) for m in found}


SEARCHABLE = Searchable(
    name="minutes",
    code=3,
    model=Meeting,
    columns=("title", "minutes"),
    title=lambda m: m.title if (m.minutes or "").strip() else None,
    body=lambda m: m.minutes,
    visible_ids=lambda session, viewer, _policy, ids: visible_ids(session=session, viewer=viewer, ids=ids),
    details=_search_details,
)
