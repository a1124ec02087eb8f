"""The standby roster: people designated in advance, their assignments to task forces, and the warnings
the Comprehensive Approach needs: over-commitment, missing skills or languages, departments that
designated nobody."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_
from sqlmodel import Session, select

from coordination.audit import service as audit
from coordination.planning.models import Assignment, Designation, StaffingNeed
from coordination.rules import Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.structure.enums import BodyKind, BodyStatus, MembershipRole

if TYPE_CHECKING:
    from coordination.structure.models import Body, Department, Person

MANAGING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}


class RosterError(RuleViolation):
    """A roster change the rules refuse."""


def designate(
    *,
    session: Session,
    person: "Person",
    designee: "Person",
    skills: list[str],
    available_from: date,
    available_until: date | None = None,
    note: str = "",
    now: datetime,
) -> Designation:
    """A department designates one of its people in advance (or updates the designation)."""
    if person.department_id != designee.department_id and not person.is_admin:
        raise Forbidden("a department designates its own people")
    if available_until is not None and available_until < available_from:
        raise RosterError("availability ends before it starts", "available_until")
    skills = sorted({s.strip().lower() for s in skills if s.strip()})
    designation = session.exec(select(Designation).where(Designation.person_id == designee.id)).first()
    if designation is None:
        designation = Designation(
            person_id=designee.id, designated_by_id=person.id, available_from=available_from
        )
    designation.skills = skills
    designation.available_from = available_from
    designation.available_until = available_until
    designation.note = note.strip()
    designation.designated_by_id = person.id
    session.add(designation)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="roster.designate",
        object_type="person",
        object_id=designee.id,
        skills=skills,
    )
    session.commit()
    return designation


def assign(
    *,
    session: Session,
    person: "Person",
    assignee: "Person",
    task_force: "Body",
    share: int,
    start_on: date,
    end_on: date | None = None,
    now: datetime,
) -> Assignment:
    """Give a share of someone's time to a task force (its, or the steering group's, chairs and secretary)."""
    if task_force.kind != BodyKind.task_force:
        raise RosterError("people are assigned to task forces", "task_force")
    _require_manager(session, person, task_force)
    if not 1 <= int(share) <= 100:
        raise RosterError("the share is 1 to 100 percent of the person's time", "share")
    if end_on is not None and end_on < start_on:
        raise RosterError("the assignment ends before it starts", "end_on")
    assignment = Assignment(
        person_id=assignee.id,
        task_force_id=task_force.id,
        share=int(share),
        start_on=start_on,
        end_on=end_on,
        assigned_by_id=person.id,
        created_at=now,
    )
    session.add(assignment)
    session.flush()
    seated = _seat_assignee(session, assignment, task_force, assignee, by=person, now=now)
    audit.record(
        session,
        actor_id=person.id,
        action="roster.assign",
        object_type="person",
        object_id=assignee.id,
        task_force=task_force.slug,
        share=int(share),
        seated=seated,
    )
    session.commit()
    return assignment


ROSTER_SEAT_REASON = "standby roster assignment"


def _seat_assignee(
    session: Session, assignment: Assignment, task_force: "Body", assignee: "Person", *, by, now: datetime
) -> bool:
    """An assignment that has started seats the person as a member of the task force until it ends (a
    person already seated there keeps their seat and role). Returns whether a seat was opened."""
    if assignment.start_on > now.date() or task_force.status == BodyStatus.stood_down or not assignee.active:
        return False
    if structure.role_in(session=session, person_id=assignee.id, body_id=task_force.id) is not None:
        return False
    structure_service.open_seat(
        session=session,
        body=task_force,
        person=assignee,
        role=MembershipRole.member,
        reason=f"{ROSTER_SEAT_REASON} ({assignment.share}%)",
        seated_by=by,
        now=now,
        ends_on=assignment.end_on,
    )
    structure_service.bump_revision(session=session)
    return True


def end_assignment(
    *, session: Session, person: "Person", assignment: Assignment, reason: str, now: datetime
) -> Assignment:
    """End an assignment today; the member seat it gave ends with it (a seat given otherwise stays)."""
    task_force = structure.bodies_by_id(session=session, ids=[assignment.task_force_id])[
        assignment.task_force_id
    ]
    _require_manager(session, person, task_force)
    reason = (reason or "").strip()
    if not reason:
        raise RosterError("say why the assignment ends", "reason")
    if assignment.end_on is not None and assignment.end_on < now.date():
        raise RosterError("this assignment has already ended", "end_on")
    assignment.end_on = now.date()
    session.add(assignment)
    seat = structure_service.current_seat(
        session=session, body_id=assignment.task_force_id, person_id=assignment.person_id
    )
    seat_ended = seat is not None and seat.reason.startswith(ROSTER_SEAT_REASON)
    if seat_ended:
        structure_service.close_seat(
            session=session, seat=seat, ended_by=person, reason=f"assignment ended: {reason}", now=now
        )
        structure_service.bump_revision(session=session)
    audit.record(
        session,
        actor_id=person.id,
        action="roster.end_assignment",
        object_type="person",
        object_id=assignment.person_id,
        task_force=task_force.slug,
        reason=reason[:300],
        seat_ended=seat_ended,
    )
    session.commit()
    return assignment


def seat_started_assignments(*, session: Session, now: datetime) -> int:
    """Seat the people whose assignment starts today or started while they were not seated (the scheduler
    runs this daily with the seats whose planned end has passed)."""
    started = session.exec(select(Assignment).where(_current(now.date()))).all()
    bodies = structure.bodies_by_id(session=session, ids={a.task_force_id for a in started})
    people = structure.people_by_id(
        session=session, ids={a.person_id for a in started} | {a.assigned_by_id for a in started}
    )
    seated = 0
    for assignment in started:
        body = bodies[assignment.task_force_id]
        if body.status != BodyStatus.active:
            continue
        by = people.get(assignment.assigned_by_id)
        seated += _seat_assignee(session, assignment, body, people[assignment.person_id], by=by, now=now)
    session.commit()
    return seated


def _require_manager(session: Session, person: "Person", task_force: "Body") -> None:
    steering_group = structure.get_steering_group(session=session)
    allowed = {
        structure.role_in(session=session, person_id=person.id, body_id=b.id)
        for b in (task_force, steering_group)
    }
    if not allowed & MANAGING_ROLES:
        raise Forbidden("only the task force's or the steering group's chairs and secretary assign people")


def _current(on: date):
    return (Assignment.start_on <= on) & or_(Assignment.end_on.is_(None), Assignment.end_on >= on)


@dataclass
class OverCommitment:
    person: "Person"
    total: int
    assignments: "list[tuple[Assignment, Body]]"


def overcommitted(*, session: Session, on: date) -> list[OverCommitment]:
    """People whose shares across concurrent, active task forces exceed 100% on a date."""
    current = session.exec(select(Assignment).where(_current(on))).all()
    bodies = structure.bodies_by_id(session=session, ids={a.task_force_id for a in current})
    people = structure.people_by_id(session=session, ids={a.person_id for a in current})
    by_person: dict[int, list] = defaultdict(list)
    for assignment in current:
        body = bodies[assignment.task_force_id]
        if body.status != BodyStatus.stood_down:
            by_person[assignment.person_id].append((assignment, body))
    result = [
        OverCommitment(people[pid], sum(a.share for a, _b in items), items)
        for pid, items in by_person.items()
        if sum(a.share for a, _b in items) > 100
    ]
    return sorted(result, key=lambda o: (-o.total, o.person.name))


def set_needs(
    *, session: Session, person: "Person", task_force: "Body", skills: list[str], languages: list[str]
) -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=task_force.id,
        roles=MANAGING_ROLES,
        refusal="only the task force's chairs and secretary set what it needs",
    )
    session.exec(StaffingNeed.__table__.delete().where(StaffingNeed.task_force_id == task_force.id))
    for kind, values in (("skill", skills), ("language", languages)):
        for value in sorted({v.strip().lower() for v in values if v.strip()}):
            session.add(StaffingNeed(task_force_id=task_force.id, kind=kind, value=value))
    session.commit()


def missing_needs(*, session: Session, task_force: "Body", on: date) -> dict[str, list[str]]:
    """Skills and languages the task force needs that nobody currently assigned to it has."""
    needs = session.exec(select(StaffingNeed).where(StaffingNeed.task_force_id == task_force.id)).all()
    person_ids = set(
        session.exec(
            select(Assignment.person_id).where(Assignment.task_force_id == task_force.id, _current(on))
        )
    )
    designations = session.exec(select(Designation).where(Designation.person_id.in_(person_ids))).all()
    skills = {s for d in designations for s in d.skills}
    languages = {
        lang for p in structure.people_by_id(session=session, ids=person_ids).values() for lang in p.languages
    }
    return {
        "skill": sorted(n.value for n in needs if n.kind == "skill" and n.value not in skills),
        "language": sorted(n.value for n in needs if n.kind == "language" and n.value not in languages),
    }


def departments_without_designations(*, session: Session) -> "list[Department]":
    """Federal departments (not the opt-in governments) that have designated nobody."""
    designees = structure.people_by_id(session=session, ids=session.exec(select(Designation.person_id)).all())
    designated = {p.department_id for p in designees.values()}
    return sorted(
        (d for d in structure.list_departments(session=session) if not d.opt_in and d.id not in designated),
        key=lambda d: d.code,
    )


def roster(*, session: Session) -> "list[tuple[Designation, Person]]":
    designations = session.exec(select(Designation)).all()
    people = structure.people_by_id(session=session, ids={d.person_id for d in designations})
    return sorted(((d, people[d.person_id]) for d in designations), key=lambda row: row[1].name)


def assignments_of(*, session: Session, task_force: "Body", on: date) -> "list[tuple[Assignment, Person]]":
    """The task force's assignments current on a date or starting later, with the people, by start."""
    query = select(Assignment).where(
        Assignment.task_force_id == task_force.id,
        or_(Assignment.end_on.is_(None), Assignment.end_on >= on),
    )
    assignments = session.exec(query.order_by(Assignment.start_on, Assignment.id)).all()
    people = structure.people_by_id(session=session, ids={a.person_id for a in assignments})
    return [(a, people[a.person_id]) for a in assignments]


def get_assignment(*, session: Session, task_force: "Body", assignment_id: int) -> Assignment | None:
    assignment = session.get(Assignment, assignment_id)
    return assignment if assignment is not None and assignment.task_force_id == task_force.id else None
