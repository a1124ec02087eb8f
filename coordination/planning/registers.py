"""Per effort: synergies with external actors, and the risk register."""

from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from coordination.audit import service as audit
from coordination.planning.models import Partnership, Risk
from coordination.rules import RuleViolation
from coordination.structure import queries as structure
from coordination.structure.enums import MembershipRole

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person

ACTOR_KINDS = ("EU", "UN", "NATO", "OSCE", "regional", "other")
PARTNER_STATUSES = ("exploring", "active", "ended")
KEEPING_ROLES = {
    MembershipRole.chair,
    MembershipRole.co_chair,
    MembershipRole.secretary,
    MembershipRole.member,
}


class RegisterError(RuleViolation):
    """A register entry the rules refuse."""


def _require_member(session: Session, person: "Person", effort: "Body") -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=effort.id,
        roles=KEEPING_ROLES,
        refusal="members of the task force keep its registers",
    )


def add_partner(
    *,
    session: Session,
    person: "Person",
    effort: "Body",
    actor: str,
    actor_kind: str,
    what: str,
    contact: str = "",
    status: str = "exploring",
) -> Partnership:
    _require_member(session, person, effort)
    if actor_kind not in ACTOR_KINDS:
        raise RegisterError(f"the actor is one of {', '.join(ACTOR_KINDS)}", "actor_kind")
    if status not in PARTNER_STATUSES:
        raise RegisterError(f"the status is one of {', '.join(PARTNER_STATUSES)}", "status")
    if len((actor or "").strip()) < 2 or len((what or "").strip()) < 3:
        raise RegisterError("name the actor and the synergy", "actor")
    partner = Partnership(
        effort_id=effort.id,
        actor=actor.strip(),
        actor_kind=actor_kind,
        what=what.strip(),
        contact=contact.strip(),
        status=status,
    )
    session.add(partner)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="partner.add",
        object_type="body",
        object_id=effort.slug,
        partner=partner.actor,
    )
    session.commit()
    return partner


def add_risk(
    *,
    session: Session,
    person: "Person",
    effort: "Body",
    risk: str,
    likelihood: int,
    impact: int,
    owner: "Person",
    mitigation: str,
    review_on: date,
) -> Risk:
    _require_member(session, person, effort)
    if not (1 <= int(likelihood) <= 5 and 1 <= int(impact) <= 5):
        raise RegisterError("likelihood and impact are scored 1 to 5", "likelihood")
    if len((risk or "").strip()) < 5:
        raise RegisterError("describe the risk", "risk")
    entry = Risk(
        effort_id=effort.id,
        risk=risk.strip(),
        likelihood=int(likelihood),
        impact=int(impact),
        owner_id=owner.id,
        mitigation=mitigation.strip(),
        review_on=review_on,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="risk.add",
        object_type="body",
        object_id=effort.slug,
        risk=entry.id,
    )
    session.commit()
    return entry


def partners(*, session: Session, effort: "Body") -> list[Partnership]:
    return list(
        session.exec(
            select(Partnership).where(Partnership.effort_id == effort.id).order_by(Partnership.actor)
        )
    )


def risks(*, session: Session, effort: "Body") -> list[Risk]:
    """Highest score (likelihood x impact) first."""
    found = session.exec(select(Risk).where(Risk.effort_id == effort.id)).all()
    return sorted(found, key=lambda r: (-r.likelihood * r.impact, r.review_on))
