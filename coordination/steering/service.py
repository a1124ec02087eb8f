"""Priorities of the steering group: tiers, owners, review cycle, and a history of every change."""

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, union
from sqlmodel import Session, select

from coordination import audit
from coordination.decisions.models import (
    AcknowledgementStatus,
    Action,
    ActionStatus,
    Addressee,
    Decision,
    DecisionStatus,
    UnitKind,
)
from coordination.reports.models import Delivery, FieldReport
from coordination.rules import RuleViolation
from coordination.steering.models import Priority, PriorityChange, SubjectKind
from coordination.structure import service as structure
from coordination.structure.models import Body, Country, MembershipRole, Person, Theme

MANAGING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}


class PriorityError(RuleViolation):
    """A priority the rules refuse."""


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require_steering_group(session: Session, person: Person) -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=structure.get_steering_group(session=session).id,
        roles=MANAGING_ROLES,
        refusal="only the chair, a co-chair or the secretary of the steering group changes priorities",
    )


def list_priorities(*, session: Session) -> list[Priority]:
    return list(
        session.exec(select(Priority).order_by(Priority.tier, Priority.subject_kind, Priority.subject))
    )


def subject_label(session: Session, priority: Priority) -> str:
    if priority.subject_kind == SubjectKind.country:
        country = session.get(Country, priority.subject)
        return f"{country.name} ({country.code})" if country else priority.subject
    return priority.subject.capitalize()


def set_priority(
    *,
    session: Session,
    person: Person,
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
    if subject_kind is SubjectKind.country and session.get(Country, subject) is None:
        raise PriorityError(f"unknown country code {subject}", "subject")
    if subject_kind is SubjectKind.theme and subject not in {t.value for t in Theme}:
        raise PriorityError(f"unknown theme {subject}", "subject")
    if tier not in (1, 2, 3):
        raise PriorityError("the tier is 1, 2 or 3", "tier")
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise PriorityError(f"no person {owner_id}", "owner_id")
    if review_every_months is not None and not 1 <= review_every_months <= 36:
        raise PriorityError("review every 1 to 36 months", "review_every_months")
    priority = session.exec(
        select(Priority).where(Priority.subject_kind == subject_kind, Priority.subject == subject)
    ).first()
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
    *, session: Session, person: Person, priority: Priority, reason: str, now: datetime
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


def history(*, session: Session, priority: Priority) -> list[tuple[PriorityChange, Person]]:
    query = (
        select(PriorityChange, Person)
        .join(Person, Person.id == PriorityChange.changed_by_id)
        .where(PriorityChange.priority_id == priority.id)
        .order_by(PriorityChange.changed_at, PriorityChange.id)
    )
    return list(session.exec(query))


def changes_since(*, session: Session, since: datetime) -> list[tuple[PriorityChange, Priority, Person]]:
    query = (
        select(PriorityChange, Priority, Person)
        .join(Priority, Priority.id == PriorityChange.priority_id)
        .join(Person, Person.id == PriorityChange.changed_by_id)
        .where(PriorityChange.changed_at >= since)
        .order_by(PriorityChange.changed_at.desc(), PriorityChange.id.desc())
    )
    return list(session.exec(query))


def due_for_review(*, session: Session, until: date) -> list[Priority]:
    query = (
        select(Priority)
        .where(Priority.next_review_on <= until)
        .order_by(Priority.next_review_on, Priority.id)
    )
    return list(session.exec(query))


EARLY_WARNING_DAYS = 14


def task_force_counts(session: Session, task_forces: list[Body], now: datetime) -> dict[int, dict[str, int]]:
    """Overdue actions, pending acknowledgements and recent early warnings (by severity) of every task
    force, counted by the database in four grouped queries that start from the few open, pending or
    recent rows rather than from each task force's history."""
    ids = [tf.id for tf in task_forces]
    counts = {tf_id: {"overdue": 0, "late_acks": 0, "pending_acks": 0, "warnings": {}} for tf_id in ids}
    if not ids:
        return counts
    open_overdue = (Action.status != ActionStatus.done) & (Action.due_on < now.date())
    # An action counts once for a task force, whether it issued the decision or is addressed by it.
    concerned = union(
        select(Action.id.label("action_id"), Decision.issuing_body_id.label("body_id"))
        .join(Decision, Decision.id == Action.decision_id)
        .where(open_overdue, Decision.issuing_body_id.in_(ids)),
        select(Action.id, Addressee.unit_id)
        .join(Addressee, Addressee.decision_id == Action.decision_id)
        .where(open_overdue, Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(ids)),
    ).subquery()
    for body_id, overdue in session.exec(
        select(concerned.c.body_id, func.count()).group_by(concerned.c.body_id)
    ):
        counts[body_id]["overdue"] = overdue
    late = case((Decision.acknowledgement_due_at < now, 1), else_=0)
    for body_id, pending, late_acks in session.exec(
        select(Decision.issuing_body_id, func.count(), func.coalesce(func.sum(late), 0))
        .join(Addressee, Addressee.decision_id == Decision.id)
        .where(
            Addressee.status == AcknowledgementStatus.pending,
            Decision.status == DecisionStatus.adopted,
            Decision.issuing_body_id.in_(ids),
        )
        .group_by(Decision.issuing_body_id)
    ):
        counts[body_id]["pending_acks"] = pending
        counts[body_id]["late_acks"] = late_acks
    since = now - timedelta(days=EARLY_WARNING_DAYS)
    for body_id, severity, warnings in session.exec(
        select(Delivery.body_id, FieldReport.severity, func.count())
        .join(FieldReport, FieldReport.id == Delivery.report_id)
        .where(
            Delivery.body_id.in_(ids),
            Delivery.delivered_at >= since,  # ranges of the (body, delivered_at) index
            FieldReport.early_warning,
            FieldReport.created_at >= since,
        )
        .group_by(Delivery.body_id, FieldReport.severity)
    ):
        counts[body_id]["warnings"][severity] = warnings
    return counts
