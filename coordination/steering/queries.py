"""Reads of the steering group's priorities and their history (not need-to-know information: every
signed-in person may see what the government prioritises)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import Session, select

from coordination.countries import country_name
from coordination.steering.enums import SubjectKind
from coordination.steering.models import Priority, PriorityChange, PriorityCountry
from coordination.structure import queries as structure

if TYPE_CHECKING:
    from coordination.structure.models import Person


def list_priorities(*, session: Session) -> list[Priority]:
    return list(
        session.exec(select(Priority).order_by(Priority.tier, Priority.subject_kind, Priority.subject))
    )


def get_priority(*, session: Session, priority_id: int) -> Priority | None:
    return session.get(Priority, priority_id)


def find_priority(*, session: Session, subject_kind: SubjectKind, subject: str) -> Priority | None:
    """The priority on this subject; a region is found by its name in any case."""
    same = (
        func.lower(Priority.subject) == subject.lower()
        if subject_kind == SubjectKind.region
        else Priority.subject == subject
    )
    return session.exec(select(Priority).where(Priority.subject_kind == subject_kind, same)).first()


def member_countries(*, session: Session, priorities: list[Priority]) -> dict[int, list[str]]:
    """The member country codes of each of these priorities, in code order (empty unless a region)."""
    members: dict[int, list[str]] = {p.id: [] for p in priorities}
    ids = [p.id for p in priorities if p.subject_kind == SubjectKind.region]
    if ids:
        rows = session.exec(
            select(PriorityCountry.priority_id, PriorityCountry.country_code)
            .where(PriorityCountry.priority_id.in_(ids))
            .order_by(PriorityCountry.priority_id, PriorityCountry.country_code)
        )
        for priority_id, code in rows:
            members[priority_id].append(code)
    return members


def member_country_names(*, session: Session, priorities: list[Priority]) -> dict[int, list[tuple[str, str]]]:
    """(code, name) of the member countries of each of these priorities (empty unless a region)."""
    members = member_countries(session=session, priorities=priorities)
    names = structure.country_names(session=session, codes={c for codes in members.values() for c in codes})
    return {pid: [(c, country_name(c, names.get(c))) for c in codes] for pid, codes in members.items()}


def subject_label(session: Session, priority: Priority) -> str:
    return subject_labels(session=session, priorities=[priority])[priority.id]


def subject_labels(*, session: Session, priorities: list[Priority]) -> dict[int, str]:
    """What each priority is about, in words ("Niger (NER)", "Humanitarian", "African Great Lakes (BDI,
    COD, RWA)"), by priority id."""
    names = structure.country_names(
        session=session, codes={p.subject for p in priorities if p.subject_kind == SubjectKind.country}
    )
    members = member_countries(session=session, priorities=priorities)

    def label(p: Priority) -> str:
        if p.subject_kind == SubjectKind.country:
            if p.subject in names:
                return f"{country_name(p.subject, names[p.subject])} ({p.subject})"
            return p.subject
        if p.subject_kind == SubjectKind.region:
            return f"{p.subject} ({', '.join(members[p.id])})" if members[p.id] else p.subject
        return p.subject.capitalize()

    return {p.id: label(p) for p in priorities}


def history(*, session: Session, priority: Priority) -> list[tuple[PriorityChange, "Person"]]:
    changes = list(
        session.exec(
            select(PriorityChange)
            .where(PriorityChange.priority_id == priority.id)
            .order_by(PriorityChange.changed_at, PriorityChange.id)
        )
    )
    people = structure.people_by_id(session=session, ids=[c.changed_by_id for c in changes])
    return [(c, people[c.changed_by_id]) for c in changes]


def changes_since(*, session: Session, since: datetime) -> list[tuple[PriorityChange, Priority, "Person"]]:
    rows = session.exec(
        select(PriorityChange, Priority)
        .join(Priority, Priority.id == PriorityChange.priority_id)
        .where(PriorityChange.changed_at >= since)
        .order_by(PriorityChange.changed_at.desc(), PriorityChange.id.desc())
    ).all()
    people = structure.people_by_id(session=session, ids=[c.changed_by_id for c, _p in rows])
    return [(c, p, people[c.changed_by_id]) for c, p in rows]


def due_for_review(*, session: Session, until: date) -> list[Priority]:
    query = (
        select(Priority)
        .where(Priority.next_review_on <= until)
        .order_by(Priority.next_review_on, Priority.id)
    )
    return list(session.exec(query))


def any_priority(*, session: Session) -> bool:
    return session.exec(select(Priority.id).limit(1)).first() is not None
