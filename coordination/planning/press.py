"""Press clearing: when a task force involves several departments, its press material goes to the steering
group for clearance (draft -> submitted -> cleared or returned -> released), reviewed by the Foreign
Affairs press service; every step is audited."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session, select

from coordination.audit import service as audit
from coordination.planning.models import PressItem, PressStep
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.structure.enums import MembershipRole

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person

PRESS_SERVICE = ("FA", "PRESS")
AUTHOR_ROLES = {
    MembershipRole.chair,
    MembershipRole.co_chair,
    MembershipRole.secretary,
    MembershipRole.member,
}
RELEASING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
TRANSITIONS = {
    "draft": {"submitted", "released"},
    "submitted": {"cleared", "returned"},
    "returned": {"submitted"},
    "cleared": {"released"},
    "released": set(),
}


class PressError(RuleViolation):
    """A press step the rules refuse."""


class PressConflict(Conflict, PressError):
    """Someone else took this step, or its alternative, first."""


def _overtaken(current: str, wanted: str) -> bool:
    """Whether the item already went where it was asked to go, or the other way from the same status (or
    is released): a race lost, not a wrong request."""
    alternatives = any(current in targets and wanted in targets for targets in TRANSITIONS.values())
    return current == wanted or current == "released" or alternatives


def needs_clearance(session: Session, effort: "Body") -> bool:
    """Several departments in the task force: the steering group clears its press material."""
    return len(structure.departments_seated_in(session=session, body_id=effort.id)) > 1


def is_press_reviewer(person: "Person") -> bool:
    return bool(person.directorate and (person.department.code, person.directorate.code) == PRESS_SERVICE)


def draft(
    *, session: Session, person: "Person", effort: "Body", title: str, body: str, now: datetime
) -> PressItem:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=effort.id,
        roles=AUTHOR_ROLES,
        refusal="members of the task force draft its press material",
    )
    if len((title or "").strip()) < 3:
        raise PressError("give the press item a title", "title")
    item = PressItem(
        effort_id=effort.id,
        title=title.strip(),
        body=body.strip(),
        created_by_id=person.id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    audit.record(
        session, actor_id=person.id, action="press.draft", object_type="press_item", object_id=item.id
    )
    session.commit()
    return item


def move(
    *, session: Session, person: "Person", item: PressItem, to_status: str, comment: str = "", now: datetime
) -> PressItem:
    """One step of the clearing; a release before clearance is refused when clearance is needed."""
    effort = structure.bodies_by_id(session=session, ids=[item.effort_id])[item.effort_id]
    locked = select(PressItem).where(PressItem.id == item.id).with_for_update(of=PressItem)
    session.exec(locked.execution_options(populate_existing=True)).one()  # read again, held until commit
    if to_status not in TRANSITIONS.get(item.status, set()) and _overtaken(item.status, to_status):
        raise PressConflict(
            _("Someone else has just moved this press item on; reload it to see where it stands."), "status"
        )
    if to_status not in TRANSITIONS.get(item.status, set()):
        raise PressError(f"a {item.status} press item cannot become {to_status}", "status")
    if to_status == "released" and item.status == "draft" and needs_clearance(session, effort):
        raise PressError(
            "several departments are involved: the steering group clears it before release", "status"
        )
    if to_status in ("cleared", "returned"):
        if not is_press_reviewer(person):
            raise Forbidden("the Foreign Affairs press service clears press material")
        if to_status == "returned" and not comment.strip():
            raise PressError("say why it is returned", "comment")
    elif to_status == "released":
        structure.require_role(
            session=session,
            person_id=person.id,
            body_id=effort.id,
            roles=RELEASING_ROLES,
            refusal="the task force's chairs or secretary release its press material",
        )
    else:
        structure.require_role(
            session=session,
            person_id=person.id,
            body_id=effort.id,
            roles=AUTHOR_ROLES,
            refusal="members of the task force submit its press material",
        )
    session.add(
        PressStep(
            item_id=item.id,
            actor_id=person.id,
            from_status=item.status,
            to_status=to_status,
            comment=comment.strip(),
            at=now,
        )
    )
    audit.record(
        session,
        actor_id=person.id,
        action=f"press.{to_status}",
        object_type="press_item",
        object_id=item.id,
        from_status=item.status,
    )
    item.status = to_status
    item.updated_at = now
    session.add(item)
    session.commit()
    return item


def items(*, session: Session, effort: "Body") -> list[PressItem]:
    return list(
        session.exec(select(PressItem).where(PressItem.effort_id == effort.id).order_by(PressItem.id.desc()))
    )


def steps(*, session: Session, item: PressItem) -> "list[tuple[PressStep, Person]]":
    found = session.exec(select(PressStep).where(PressStep.item_id == item.id).order_by(PressStep.id)).all()
    people = structure.people_by_id(session=session, ids={s.actor_id for s in found})
    return [(s, people[s.actor_id]) for s in found]


def get_item(*, session: Session, item_id: int) -> PressItem | None:
    return session.get(PressItem, item_id)


def waiting(*, session: Session) -> list[tuple[PressItem, "Body"]]:
    """Press material submitted for clearance, oldest first, with its effort."""
    found = session.exec(
        select(PressItem).where(PressItem.status == "submitted").order_by(PressItem.updated_at)
    ).all()
    bodies = structure.bodies_by_id(session=session, ids={i.effort_id for i in found})
    return [(i, bodies[i.effort_id]) for i in found]
