"""Priorities of the steering group (countries, themes, regions made of countries): tiers, owners, review
cycle, and a history of every change."""

import calendar
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.countries import find_country, unknown_countries, unknown_country
from coordination.rules import RuleViolation
from coordination.steering.enums import SubjectKind
from coordination.steering.models import Priority, PriorityChange, PriorityCountry
from coordination.steering.queries import find_priority, member_countries
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


def may_change_priorities(*, session: Session, person: "Person") -> bool:
    """Whether this person may set, change and review priorities (for showing the forms)."""
    steering_group = structure.get_steering_group(session=session)
    return steering_group is not None and (
        structure.role_in(session=session, person_id=person.id, body_id=steering_group.id) in MANAGING_ROLES
    )


REGION_NAME_LENGTH = 60


def _subject(session: Session, subject_kind: SubjectKind, subject: str) -> str:
    """The subject as stored: an upper-case known country code, a known theme, or a region's name."""
    if subject_kind is SubjectKind.country:
        typed = subject.strip()
        subject = find_country(typed) or typed.upper()
        if not structure.known_countries(session=session, codes=[subject]):
            raise PriorityError(unknown_country(typed), "subject")
    elif subject_kind is SubjectKind.theme:
        subject = subject.strip().lower()
        if subject not in {t.value for t in Theme}:
            raise PriorityError(f"unknown theme {subject}", "subject")
    else:
        subject = " ".join(subject.split())
        if not subject or len(subject) > REGION_NAME_LENGTH:
            raise PriorityError(f"name the region in 1 to {REGION_NAME_LENGTH} characters", "subject")
    return subject


def _countries(session: Session, subject_kind: SubjectKind, countries: list[str] | None) -> list[str] | None:
    """A region's member countries as sorted upper-case codes (None: not given); only a region has them."""
    if countries is None:
        return None
    typed = {c.strip(): find_country(c) or c.strip().upper() for c in countries if c.strip()}
    codes = sorted(set(typed.values()))
    if subject_kind is not SubjectKind.region:
        if codes:
            raise PriorityError("only a region has member countries", "countries")
        return None
    known = structure.known_countries(session=session, codes=codes)
    if unknown := [text for text, code in typed.items() if code not in known]:
        raise PriorityError(unknown_countries(unknown), "countries")
    if len(codes) < 2:
        raise PriorityError("a region has at least two countries", "countries")
    return codes


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
    countries: list[str] | None = None,
    now: datetime,
) -> Priority:
    """Create a priority or change its tier, rationale, owner, review interval or (a region's) member
    countries; every change is history. Creating it or changing its tier counts as a review: the next
    review falls `review_every_months` after that day."""
    _require_steering_group(session, person)
    try:
        subject_kind = SubjectKind(subject_kind)
    except ValueError as exc:
        raise PriorityError("a priority is a country, a theme or a region", "subject_kind") from exc
    subject = _subject(session, subject_kind, subject)
    countries = _countries(session, subject_kind, countries)
    if tier not in (1, 2, 3):
        raise PriorityError("the tier is 1, 2 or 3", "tier")
    if owner_id is not None and not structure.people_by_id(session=session, ids=[owner_id]):
        raise PriorityError(f"no person {owner_id}", "owner_id")
    if review_every_months is not None and not 1 <= review_every_months <= 36:
        raise PriorityError("review every 1 to 36 months", "review_every_months")
    priority = find_priority(session=session, subject_kind=subject_kind, subject=subject)
    old_countries = None
    if priority is None:
        if subject_kind is SubjectKind.region and countries is None:
            raise PriorityError("name the region's countries", "countries")
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
        if change.kind == "tier":
            priority.next_review_on = add_months(now.date(), priority.review_every_months)
        priority.updated_at = now
        if countries is not None:
            old_countries = member_countries(session=session, priorities=[priority])[priority.id]
            if old_countries == countries:
                old_countries = countries = None
    if countries is not None:
        session.exec(delete(PriorityCountry).where(PriorityCountry.priority_id == priority.id))
        session.add_all(PriorityCountry(priority_id=priority.id, country_code=code) for code in countries)
    session.add_all([priority, change])
    audit.record(
        session,
        actor_id=person.id,
        action=f"priority.{change.kind}",
        object_type="priority",
        object_id=priority.id,
        old_tier=change.old_tier,
        new_tier=change.new_tier,
        next_review_on=priority.next_review_on.isoformat(),
        **({"old_countries": old_countries} if old_countries is not None else {}),
        **({"countries": countries} if countries is not None else {}),
    )
    session.commit()
    return priority


def review_priority(
    *, session: Session, person: "Person", priority: Priority, reason: str, now: datetime
) -> Priority:
    """Record that the steering group reviewed a priority and kept its tier, with a note of what the review
    found; the next review falls `review_every_months` after the day of this one."""
    _require_steering_group(session, person)
    if not reason.strip():
        raise PriorityError("say what the review found", "reason")
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
        session,
        actor_id=person.id,
        action="priority.reviewed",
        object_type="priority",
        object_id=priority.id,
        tier=priority.tier,
        next_review_on=priority.next_review_on.isoformat(),
    )
    session.commit()
    return priority
