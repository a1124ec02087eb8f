"""Priorities of the steering group: tiers, owners, review cycle, and a history of every change."""

import calendar
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from coordination.audit import service as audit
from coordination.rules import RuleViolation
from coordination.steering.enums import SubjectKind
from coordination.steering.models import Priority, PriorityChange
from coordination.steering.queries import find_priority
from coordination.structure import queries as structure
from coordination.structure.enums import MembershipRole, Theme

if TYPE_CHECKING:
    from coordination.structure.models import Person

MANAGING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}


class PriorityError(RuleViolation):
    """A priority the rules refuse."""


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require_steering_group(session: Session, person: "Person") -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=structure.get_steering_group(session=session).id,
        roles=MANAGING_ROLES,
        refusal="only the chair, a co-chair or the secretary of the steering group changes priorities",
    )


def set_priority(
    *,
    session: Session,
    person: "Person",
    subject_kind: str,
    subject: str,
    tier: int,
    rationale: str = "",
    reason: str = "",
    owner_id: int | None = None,
    review_every_months: int | None = None,
    now: datetime,
) -> Priority:
    """Create a priority or change its tier, rationale, owner or review interval; every change is history."""
    _require_steering_group(session, person)
    try:
        subject_kind = SubjectKind(subject_kind)
    except ValueError as exc:
        raise PriorityError("a priority is a country or a theme", "subject_kind") from exc
    subject = subject.strip().upper() if subject_kind is SubjectKind.country else subject.strip().lower()
    if subject_kind is SubjectKind.country and not structure.known_countries(
        session=session, codes=[subject]
    ):
        raise PriorityError(f"unknown country code {subject}", "subject")
    if subject_kind is SubjectKind.theme and subject not in {t.value for t in Theme}:
        raise PriorityError(f"unknown theme {subject}", "subject")
    if tier not in (1, 2, 3):
        raise PriorityError("the tier is 1, 2 or 3", "tier")
    if owner_id is not None and not structure.people_by_id(session=session, ids=[owner_id]):
        raise PriorityError(f"no person {owner_id}", "owner_id")
    if review_every_months is not None and not 1 <= review_every_months <= 36:
        raise PriorityError("review every 1 to 36 months", "review_every_months")
    priority = find_priority(session=session, subject_kind=subject_kind, subject=subject)
    if priority is None:
        months = review_every_months or 6
        priority = Priority(
            subject_kind=subject_kind,
            subject=subject,
            tier=tier,
            rationale=rationale.strip(),
            owner_id=owner_id or person.id,
            review_every_months=months,
            next_review_on=add_months(now.date(), months),
            created_at=now,
            updated_at=now,
        )
        session.add(priority)
        session.flush()
        change = PriorityChange(
            priority_id=priority.id,
            changed_by_id=person.id,
            changed_at=now,
            kind="created",
            new_tier=tier,
            reason=reason.strip() or rationale.strip(),
        )
    else:
        if not reason.strip():
            raise PriorityError("say why the priority changes", "reason")
        change = PriorityChange(
            priority_id=priority.id,
            changed_by_id=person.id,
            changed_at=now,
            kind="tier" if tier != priority.tier else "details",
            old_tier=priority.tier,
            new_tier=tier,
            reason=reason.strip(),
        )
        priority.tier = tier
        if rationale.strip():
            priority.rationale = rationale.strip()
        if owner_id is not None:
            priority.owner_id = owner_id
        if review_every_months is not None:
            priority.review_every_months = review_every_months
        priority.updated_at = now
    session.add_all([priority, change])
    audit.record(
        session,
        actor_id=person.id,
        action=f"priority.{change.kind}",
        object_type="priority",
        object_id=priority.id,
        old_tier=change.old_tier,
        new_tier=change.new_tier,
    )
    session.commit()
    return priority


def review_priority(
    *, session: Session, person: "Person", priority: Priority, reason: str, now: datetime
) -> Priority:
    """Record that the steering group reviewed a priority (tier kept); the next review moves on."""
    _require_steering_group(session, person)
    priority.next_review_on = add_months(now.date(), priority.review_every_months)
    priority.updated_at = now
    session.add(priority)
    session.add(
        PriorityChange(
            priority_id=priority.id,
            changed_by_id=person.id,
            changed_at=now,
            kind="reviewed",
            old_tier=priority.tier,
            new_tier=priority.tier,
            reason=reason.strip(),
        )
    )
    audit.record(
        session, actor_id=person.id, action="priority.reviewed", object_type="priority", object_id=priority.id
    )
    session.commit()
    return priority
