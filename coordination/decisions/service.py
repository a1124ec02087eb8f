"""Business rules for decisions: drafting, adoption by the chair, one acknowledgement per addressee unit,
need-to-know, and actions whose progress flows back up. No notifications here: see flows.py."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from coordination import audit
from coordination.decisions.models import (
    AcknowledgementStatus,
    Action,
    ActionStatus,
    ActionUpdate,
    Addressee,
    Decision,
    DecisionReport,
    DecisionStatus,
    Procedure,
    UnitKind,
)
from coordination.markup import render_markdown
from coordination.reports import service as reports
from coordination.routing.rules import Unit
from coordination.rules import Forbidden, RuleViolation
from coordination.structure import service as structure
from coordination.structure.models import (
    Body,
    BodyKind,
    Clearance,
    Department,
    Membership,
    MembershipRole,
    Mission,
    Person,
)

ISSUING_KINDS = {BodyKind.steering_group, BodyKind.task_force}
DRAFTING_ROLES = {
    MembershipRole.chair,
    MembershipRole.co_chair,
    MembershipRole.secretary,
    MembershipRole.member,
}
ADOPTING_ROLES = {MembershipRole.chair, MembershipRole.co_chair}
MANAGING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
ANSWERING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}


class DecisionError(RuleViolation):
    """Input the decision rules refuse."""


class NotAllowed(Forbidden):
    """The person may not do this to the decision."""


def _roles_in(session: Session, person: Person, body_id: int) -> set[str]:
    role = structure.role_in(session=session, person_id=person.id, body_id=body_id)
    return {role.value} if role else set()


# --- units ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedUnit:
    kind: UnitKind
    id: int
    key: str  # body slug, department code or mission code
    label: str

    @property
    def unit(self) -> Unit:
        return Unit(self.kind.value, self.key)


def resolve_unit(*, session: Session, kind: str, key: str) -> ResolvedUnit:
    """Find an addressee unit by kind and key (body slug, department code, mission code)."""
    try:
        kind = UnitKind(kind)
    except ValueError as exc:
        raise DecisionError(f"unknown addressee kind {kind!r}", "addressees") from exc
    if kind is UnitKind.body:
        body = structure.get_body(session=session, slug=key)
        if body is None or body.kind == BodyKind.steering_group:
            raise DecisionError(f"no task force or platform {key!r}", "addressees")
        return ResolvedUnit(kind, body.id, body.slug, body.name)
    if kind is UnitKind.department:
        department = structure.get_department(session=session, code=key.upper())
        if department is None:
            raise DecisionError(f"no department {key!r}", "addressees")
        return ResolvedUnit(kind, department.id, department.code, department.name)
    mission = structure.get_mission(session=session, code=key)
    if mission is None:
        raise DecisionError(f"no mission {key!r}", "addressees")
    return ResolvedUnit(kind, mission.id, mission.code, mission.name)


def units_of(*, session: Session, addressees: list[Addressee]) -> dict[int, ResolvedUnit]:
    """Resolve addressees to units in three queries, keyed by addressee id."""
    ids = defaultdict(set)
    for a in addressees:
        ids[UnitKind(a.unit_kind)].add(a.unit_id)
    bodies = (
        {b.id: b for b in session.exec(select(Body).where(Body.id.in_(ids[UnitKind.body])))}
        if ids[UnitKind.body]
        else {}
    )
    departments = (
        {d.id: d for d in session.exec(select(Department).where(Department.id.in_(ids[UnitKind.department])))}
        if ids[UnitKind.department]
        else {}
    )
    missions = (
        {m.id: m for m in session.exec(select(Mission).where(Mission.id.in_(ids[UnitKind.mission])))}
        if ids[UnitKind.mission]
        else {}
    )
    resolved = {}
    for a in addressees:
        kind = UnitKind(a.unit_kind)
        if kind is UnitKind.body:
            b = bodies[a.unit_id]
            resolved[a.id] = ResolvedUnit(kind, b.id, b.slug, b.name)
        elif kind is UnitKind.department:
            d = departments[a.unit_id]
            resolved[a.id] = ResolvedUnit(kind, d.id, d.code, d.name)
        else:
            m = missions[a.unit_id]
            resolved[a.id] = ResolvedUnit(kind, m.id, m.code, m.name)
    return resolved


def answering_people(*, session: Session, unit: ResolvedUnit) -> list[Person]:
    """Who may acknowledge for a unit: chair, co-chair or secretary of a body or of a mission's platform;
    for a department, its people who sit in the steering group (its representatives)."""
    if unit.kind is UnitKind.department:
        query = (
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .join(Body, Body.id == Membership.body_id)
            .where(Person.department_id == unit.id, Body.kind == BodyKind.steering_group)
        )
    else:
        body_id = unit.id
        if unit.kind is UnitKind.mission:
            platform = session.exec(select(Body.id).where(Body.mission_id == unit.id)).first()
            if platform is None:
                return []
            body_id = platform
        query = (
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.body_id == body_id, Membership.role.in_([r.value for r in ANSWERING_ROLES]))
        )
    return list(session.exec(query.order_by(Person.name)).unique())


def may_answer_for(*, session: Session, person: Person, unit: ResolvedUnit) -> bool:
    return any(p.id == person.id for p in answering_people(session=session, unit=unit))


# --- need-to-know -----------------------------------------------------------------------------------


def visible_decisions(*, person: Person):
    """Decisions this person may see: within their clearance, and drafted by them, issued by a body they
    sit in, or adopted and addressed to a unit that reaches them (body, mission platform, department)."""
    clearance = Clearance(person.clearance)
    levels = [level.value for level in Clearance if clearance.covers(level)]
    my_bodies = select(Membership.body_id).where(Membership.person_id == person.id)
    my_missions = select(Body.mission_id).where(Body.id.in_(my_bodies), Body.mission_id.is_not(None))
    addressed_to_me = exists().where(
        Addressee.decision_id == Decision.id,
        or_(
            and_(Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(my_bodies)),
            and_(Addressee.unit_kind == UnitKind.mission, Addressee.unit_id.in_(my_missions)),
            and_(Addressee.unit_kind == UnitKind.department, Addressee.unit_id == person.department_id),
        ),
    )
    adopted_or_later = Decision.status != DecisionStatus.draft
    return select(Decision).where(
        Decision.classification.in_(levels),
        or_(
            Decision.created_by_id == person.id,
            Decision.issuing_body_id.in_(my_bodies),
            and_(adopted_or_later, addressed_to_me),
        ),
    )


def get_visible_decision(*, session: Session, person: Person, decision_id: int) -> Decision | None:
    return session.exec(visible_decisions(person=person).where(Decision.id == decision_id)).first()


def list_decisions(
    *, session: Session, person: Person, status: str | None = None, limit: int = 200
) -> list[Decision]:
    query = (
        visible_decisions(person=person).order_by(Decision.created_at.desc(), Decision.id.desc()).limit(limit)
    )
    if status:
        query = query.where(Decision.status == status)
    return list(session.exec(query))


def issuing_bodies_for(*, session: Session, person: Person) -> list[Body]:
    """The steering group and task forces this person may draft decisions in."""
    query = (
        select(Body)
        .join(Membership, Membership.body_id == Body.id)
        .where(
            Membership.person_id == person.id,
            Membership.role.in_([r.value for r in DRAFTING_ROLES]),
            Body.kind.in_([k.value for k in ISSUING_KINDS]),
        )
        .order_by(Body.name)
    )
    return list(session.exec(query))


# --- drafting and adoption --------------------------------------------------------------------------


def draft_decision(
    *,
    session: Session,
    author: Person,
    issuing_body: str,
    title: str,
    text: str = "",
    rationale: str = "",
    procedure: str = Procedure.meeting,
    classification: str = Clearance.unclassified,
    acknowledgement_hours: int = 48,
    addressees: list[tuple[str, str]],
    report_ids: list[int] = (),
    meeting_id: int | None = None,
    now: datetime,
) -> Decision:
    """A draft decision of the steering group or a task force, with its addressees and motivating reports
    (and the meeting it was taken in, if any)."""
    body = structure.get_body(session=session, slug=issuing_body)
    if body is None or body.kind not in ISSUING_KINDS:
        raise DecisionError("decisions are issued by the steering group or a task force", "issuing_body")
    if not _roles_in(session, author, body.id) & {r.value for r in DRAFTING_ROLES}:
        raise NotAllowed(f"only members of {body.name} draft its decisions")
    title = (title or "").strip()
    if len(title) < 3:
        raise DecisionError("give the decision a title", "title")
    try:
        classification = Clearance(classification)
        procedure = Procedure(procedure)
    except ValueError as exc:
        raise DecisionError(str(exc), "classification") from exc
    if not Clearance(author.clearance).covers(classification):
        raise DecisionError("you cannot classify above your own clearance", "classification")
    if not 1 <= int(acknowledgement_hours) <= 24 * 60:
        raise DecisionError(
            "the acknowledgement deadline is between 1 hour and 60 days", "acknowledgement_hours"
        )
    units = [resolve_unit(session=session, kind=kind, key=key) for kind, key in addressees]
    if not units:
        raise DecisionError(
            "address the decision to at least one task force, department or mission", "addressees"
        )
    policy = reports.NeedToKnow()
    for report_id in report_ids:
        if (
            reports.get_visible_report(session=session, person=author, report_id=report_id, policy=policy)
            is None
        ):
            raise DecisionError(f"no field report {report_id}", "report_ids")
    if meeting_id is not None:
        from coordination.meetings.models import Meeting

        meeting = session.get(Meeting, meeting_id)
        if meeting is None or meeting.body_id != body.id:
            raise DecisionError("the meeting is not one of the issuing body's", "meeting_id")
        procedure = Procedure.meeting
    decision = Decision(
        meeting_id=meeting_id,
        issuing_body_id=body.id,
        title=title,
        text=text,
        text_html=render_markdown(text),
        rationale=rationale.strip(),
        procedure=procedure,
        classification=classification,
        acknowledgement_hours=int(acknowledgement_hours),
        created_by_id=author.id,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    seen = set()
    for unit in units:
        if (unit.kind, unit.id) not in seen:
            seen.add((unit.kind, unit.id))
            session.add(Addressee(decision_id=decision.id, unit_kind=unit.kind, unit_id=unit.id))
    for report_id in dict.fromkeys(report_ids):
        session.add(DecisionReport(decision_id=decision.id, report_id=report_id))
    audit.record(
        session,
        actor_id=author.id,
        action="decision.create",
        object_type="decision",
        object_id=decision.id,
        addressees=[f"{u.kind.value}:{u.key}" for u in units],
    )
    session.commit()
    return decision


def adopt(*, session: Session, person: Person, decision: Decision, now: datetime) -> Decision:
    """Only the chair or a co-chair of the issuing body adopts; the acknowledgement clock starts now."""
    if decision.status != DecisionStatus.draft:
        raise DecisionError(f"a {decision.status} decision cannot be adopted", "status")
    if not _roles_in(session, person, decision.issuing_body_id) & {r.value for r in ADOPTING_ROLES}:
        raise NotAllowed("only the chair or a co-chair of the issuing body adopts its decisions")
    decision.status = DecisionStatus.adopted
    decision.adopted_by_id = person.id
    decision.adopted_at = now
    decision.acknowledgement_due_at = now + timedelta(hours=decision.acknowledgement_hours)
    session.add(decision)
    audit.record(
        session, actor_id=person.id, action="decision.adopt", object_type="decision", object_id=decision.id
    )
    session.commit()
    return decision


def withdraw(
    *, session: Session, person: Person, decision: Decision, superseded_by: Decision | None = None
) -> Decision:
    """Withdraw an adopted decision, or mark it superseded by a later one of the same body."""
    if decision.status != DecisionStatus.adopted:
        raise DecisionError("only an adopted decision is withdrawn or superseded", "status")
    if not _roles_in(session, person, decision.issuing_body_id) & {r.value for r in ADOPTING_ROLES}:
        raise NotAllowed("only the chair or a co-chair of the issuing body withdraws its decisions")
    if superseded_by is not None:
        if superseded_by.issuing_body_id != decision.issuing_body_id or superseded_by.id == decision.id:
            raise DecisionError(
                "a decision is superseded by another decision of the same body", "superseded_by"
            )
        decision.status = DecisionStatus.superseded
        decision.superseded_by_id = superseded_by.id
    else:
        decision.status = DecisionStatus.withdrawn
    session.add(decision)
    audit.record(
        session,
        actor_id=person.id,
        action=f"decision.{decision.status}",
        object_type="decision",
        object_id=decision.id,
    )
    session.commit()
    return decision


# --- acknowledgements -------------------------------------------------------------------------------


def addressees_of(*, session: Session, decision: Decision) -> list[Addressee]:
    return list(
        session.exec(select(Addressee).where(Addressee.decision_id == decision.id).order_by(Addressee.id))
    )


def acknowledge(
    *,
    session: Session,
    person: Person,
    decision: Decision,
    unit_kind: str,
    unit_key: str,
    comply: bool = True,
    comment: str = "",
    now: datetime,
) -> Addressee:
    """One answer per addressee unit, by someone authorised for it; cannot-comply needs a reason."""
    if decision.status != DecisionStatus.adopted:
        raise DecisionError("only an adopted decision is acknowledged", "status")
    unit = resolve_unit(session=session, kind=unit_kind, key=unit_key)
    addressee = session.exec(
        select(Addressee).where(
            Addressee.decision_id == decision.id,
            Addressee.unit_kind == unit.kind,
            Addressee.unit_id == unit.id,
        )
    ).first()
    if addressee is None:
        raise DecisionError(f"{unit.label} is not an addressee of this decision", "unit")
    if not may_answer_for(session=session, person=person, unit=unit):
        raise NotAllowed(f"you may not answer for {unit.label}")
    if addressee.status != AcknowledgementStatus.pending:
        raise DecisionError(f"{unit.label} has already answered", "unit")
    comment = (comment or "").strip()
    if not comply and not comment:
        raise DecisionError("say why the unit cannot comply", "comment")
    addressee.status = AcknowledgementStatus.acknowledged if comply else AcknowledgementStatus.cannot_comply
    addressee.answered_at = now
    addressee.answered_by_id = person.id
    addressee.comment = comment
    session.add(addressee)
    audit.record(
        session,
        actor_id=person.id,
        action=f"decision.{addressee.status}",
        object_type="decision",
        object_id=decision.id,
        unit=f"{unit.kind.value}:{unit.key}",
    )
    session.commit()
    return addressee


@dataclass
class AcknowledgementRow:
    addressee: Addressee
    unit: ResolvedUnit
    answered_by: Person | None
    late: bool


def acknowledgement_table(*, session: Session, decision: Decision, now: datetime) -> list[AcknowledgementRow]:
    """Who has acknowledged, who has not, who cannot comply: the issuing body's live table."""
    addressees = addressees_of(session=session, decision=decision)
    units = units_of(session=session, addressees=addressees)
    people_ids = {a.answered_by_id for a in addressees if a.answered_by_id}
    people = (
        {p.id: p for p in session.exec(select(Person).where(Person.id.in_(people_ids)))} if people_ids else {}
    )
    due = decision.acknowledgement_due_at
    return [
        AcknowledgementRow(
            addressee=a,
            unit=units[a.id],
            answered_by=people.get(a.answered_by_id),
            late=a.status == AcknowledgementStatus.pending and due is not None and now > due,
        )
        for a in addressees
    ]


def units_i_answer_for(*, session: Session, person: Person, decision: Decision) -> list[ResolvedUnit]:
    """Pending addressee units of this decision that this person may acknowledge."""
    if decision.status != DecisionStatus.adopted:
        return []
    pending = [
        a
        for a in addressees_of(session=session, decision=decision)
        if a.status == AcknowledgementStatus.pending
    ]
    units = units_of(session=session, addressees=pending)
    return [units[a.id] for a in pending if may_answer_for(session=session, person=person, unit=units[a.id])]


def motivating_reports(*, session: Session, person: Person, decision: Decision) -> list:
    """The field reports that motivated the decision, limited to those the person may see."""
    ids = select(DecisionReport.report_id).where(DecisionReport.decision_id == decision.id)
    query = reports.visible_reports(person=person, policy=reports.NeedToKnow()).where(
        reports.FieldReport.id.in_(ids)
    )
    return list(session.exec(query))


# --- actions ----------------------------------------------------------------------------------------


def create_action(
    *,
    session: Session,
    person: Person,
    decision: Decision,
    title: str,
    owner_kind: str,
    owner_key: str,
    due_on: date,
    owner_person_id: int | None = None,
    now: datetime,
) -> Action:
    """An action arising from an adopted decision, owned by a unit and optionally a person."""
    if decision.status != DecisionStatus.adopted:
        raise DecisionError("actions arise from adopted decisions", "status")
    if not _roles_in(session, person, decision.issuing_body_id) & {r.value for r in MANAGING_ROLES}:
        raise NotAllowed("only the chair, a co-chair or the secretary of the issuing body creates actions")
    title = (title or "").strip()
    if len(title) < 3:
        raise DecisionError("describe the action", "title")
    unit = resolve_unit(session=session, kind=owner_kind, key=owner_key)
    if owner_person_id is not None and session.get(Person, owner_person_id) is None:
        raise DecisionError(f"no person {owner_person_id}", "owner_person_id")
    action = Action(
        decision_id=decision.id,
        title=title,
        owner_kind=unit.kind,
        owner_id=unit.id,
        owner_person_id=owner_person_id,
        due_on=due_on,
        created_by_id=person.id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="action.create",
        object_type="action",
        object_id=action.id,
        decision=decision.id,
    )
    session.commit()
    return action


def may_update_action(*, session: Session, person: Person, action: Action) -> bool:
    if action.owner_person_id == person.id:
        return True
    decision = session.get(Decision, action.decision_id)
    if _roles_in(session, person, decision.issuing_body_id) & {r.value for r in MANAGING_ROLES}:
        return True
    unit = units_of(
        session=session,
        addressees=[Addressee(id=0, decision_id=0, unit_kind=action.owner_kind, unit_id=action.owner_id)],
    )[0]
    return may_answer_for(session=session, person=person, unit=unit)


def update_action(
    *, session: Session, person: Person, action: Action, status: str, body: str = "", now: datetime
) -> ActionUpdate:
    """Progress flows back up: a status and a Markdown update by the owner or the issuing body."""
    try:
        status = ActionStatus(status)
    except ValueError as exc:
        raise DecisionError(f"unknown status {status}", "status") from exc
    if not may_update_action(session=session, person=person, action=action):
        raise NotAllowed("only the owner of the action or the issuing body updates it")
    update = ActionUpdate(
        action_id=action.id,
        author_id=person.id,
        body=body.strip(),
        body_html=render_markdown(body),
        status=status,
        created_at=now,
    )
    action.status = status
    session.add_all([update, action])
    audit.record(
        session,
        actor_id=person.id,
        action="action.update",
        object_type="action",
        object_id=action.id,
        status=status.value,
    )
    session.commit()
    return update


@dataclass
class ActionRow:
    action: Action
    decision: Decision
    owner: ResolvedUnit
    owner_person: Person | None
    latest: ActionUpdate | None
    late: bool


def action_rows(*, session: Session, actions: list[Action], today: date) -> list[ActionRow]:
    """Actions with their decision, owner, latest update and lateness, in a fixed number of queries."""
    if not actions:
        return []
    decisions = {
        d.id: d
        for d in session.exec(select(Decision).where(Decision.id.in_({a.decision_id for a in actions})))
    }
    owners = units_of(
        session=session,
        addressees=[
            Addressee(id=a.id, decision_id=a.decision_id, unit_kind=a.owner_kind, unit_id=a.owner_id)
            for a in actions
        ],
    )
    person_ids = {a.owner_person_id for a in actions if a.owner_person_id}
    people = (
        {p.id: p for p in session.exec(select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
    )
    latest: dict[int, ActionUpdate] = {}
    for update in session.exec(
        select(ActionUpdate)
        .where(ActionUpdate.action_id.in_([a.id for a in actions]))
        .order_by(ActionUpdate.id)
    ):
        latest[update.action_id] = update
    return [
        ActionRow(
            action=a,
            decision=decisions[a.decision_id],
            owner=owners[a.id],
            owner_person=people.get(a.owner_person_id),
            latest=latest.get(a.id),
            late=a.status != ActionStatus.done and a.due_on < today,
        )
        for a in actions
    ]


def monitored_actions(
    *, session: Session, person: Person, today: date, body_slug: str | None = None, include_done: bool = False
) -> list[ActionRow]:
    """Actions of decisions the person may see (the issuing body and the steering group follow them all)."""
    visible = visible_decisions(person=person).subquery()
    query = (
        select(Action).join(visible, visible.c.id == Action.decision_id).order_by(Action.due_on, Action.id)
    )
    if not include_done:
        query = query.where(Action.status != ActionStatus.done)
    if body_slug:
        query = (
            query.join(Decision, Decision.id == Action.decision_id)
            .join(Body, Body.id == Decision.issuing_body_id)
            .where(Body.slug == body_slug)
        )
    return action_rows(session=session, actions=list(session.exec(query)), today=today)


def updates_of(*, session: Session, action: Action) -> list[tuple[ActionUpdate, Person]]:
    query = (
        select(ActionUpdate, Person)
        .join(Person, Person.id == ActionUpdate.author_id)
        .where(ActionUpdate.action_id == action.id)
        .order_by(ActionUpdate.created_at, ActionUpdate.id)
    )
    return list(session.exec(query))


def _awaiting_query(session: Session, person: Person):
    managed = session.exec(
        select(Body.id, Body.mission_id)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person.id, Membership.role.in_([r.value for r in ANSWERING_ROLES]))
    ).all()
    body_ids = [body_id for body_id, _mission in managed]
    mission_ids = [mission_id for _body, mission_id in managed if mission_id]
    in_steering_group = session.exec(
        select(Membership.id)
        .join(Body, Body.id == Membership.body_id)
        .where(Membership.person_id == person.id, Body.kind == BodyKind.steering_group)
    ).first()
    units = [
        and_(Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(body_ids)),
        and_(Addressee.unit_kind == UnitKind.mission, Addressee.unit_id.in_(mission_ids)),
    ]
    if in_steering_group:
        units.append(
            and_(Addressee.unit_kind == UnitKind.department, Addressee.unit_id == person.department_id)
        )
    visible = visible_decisions(person=person).subquery()
    return (
        select(Decision, Addressee)
        .join(visible, visible.c.id == Decision.id)
        .join(Addressee, Addressee.decision_id == Decision.id)
        .where(
            Decision.status == DecisionStatus.adopted,
            Addressee.status == AcknowledgementStatus.pending,
            or_(*units),
        )
    )


def awaiting_my_answer(
    *, session: Session, person: Person, limit: int | None = None
) -> list[tuple[Decision, Addressee]]:
    """Adopted decisions with a pending addressee unit this person may answer for, soonest due first."""
    query = _awaiting_query(session, person).order_by(Decision.acknowledgement_due_at, Addressee.id)
    return list(session.exec(query.limit(limit) if limit else query))


def count_awaiting_my_answer(*, session: Session, person: Person) -> int:
    awaiting = _awaiting_query(session, person).with_only_columns(Addressee.id).subquery()
    return session.exec(select(func.count()).select_from(awaiting)).one()
