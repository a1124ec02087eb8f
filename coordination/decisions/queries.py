"""Reads of decisions, acknowledgements and actions, always for a given viewer, and what other areas quote
(the dashboard, agendas, situation reports, the annual review, lessons, notifications, search).

Need-to-know is enforced in `visible_decisions`: a viewer sees a decision within their clearance that
they drafted, that a body they sit in issued, or that was adopted and addressed to a unit that reaches
them (a body they sit in, a mission whose platform they sit in, their department). An action is seen
with its decision.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, exists, func, literal, or_, union
from sqlmodel import Session, select

from coordination.classification import Clearance, NeedToKnow, levels_within
from coordination.decisions.enums import AcknowledgementStatus, ActionStatus, DecisionStatus, UnitKind
from coordination.decisions.models import Action, ActionUpdate, Addressee, Decision, DecisionReport
from coordination.reports import queries as reports
from coordination.routing.rules import Unit
from coordination.search.kinds import Searchable, join_parts
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, MembershipRole

if TYPE_CHECKING:
    from coordination.reports.models import FieldReport
    from coordination.structure.models import Body, Person

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


# --- need-to-know -----------------------------------------------------------------------------------


def visible_decisions(*, viewer: "Person"):
    """SQL: the decisions this viewer may see."""
    return select(Decision).where(_visible_to_seated(viewer))


def _visible_to_seated(viewer: "Person"):
    """`_visible_to` with the viewer's seats as subqueries (read by the statement itself)."""
    return _visible_to(viewer, structure.seated_body_ids(viewer.id), structure.seated_mission_ids(viewer.id))


def _visible_to(viewer: "Person", bodies, missions, *, as_set: bool = False):
    """SQL condition on a decision row: the viewer may see it. `bodies` and `missions` are the bodies the
    viewer sits in and the missions whose platforms they sit in, as subqueries or as lists. With `as_set`,
    "addressed to me" is one uncorrelated set of decision ids, found once from the units' index, instead
    of a lookup for each decision row: cheaper when thousands of rows are tested (counts), dearer when a
    page stops after a few."""
    to_me = or_(
        and_(Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(bodies)),
        and_(Addressee.unit_kind == UnitKind.mission, Addressee.unit_id.in_(missions)),
        and_(Addressee.unit_kind == UnitKind.department, Addressee.unit_id == viewer.department_id),
    )
    if as_set:
        addressed_to_me = Decision.id.in_(select(Addressee.decision_id).where(to_me).correlate(None))
    else:
        addressed_to_me = exists(
            select(Addressee.id).where(Addressee.decision_id == Decision.id, to_me).correlate(Decision)
        )
    return and_(
        Decision.classification.in_(levels_within(viewer.clearance)),
        or_(
            Decision.created_by_id == viewer.id,
            Decision.issuing_body_id.in_(bodies),
            and_(Decision.status != DecisionStatus.draft, addressed_to_me),
        ),
    )


def get_visible_decision(*, session: Session, viewer: "Person", decision_id: int) -> Decision | None:
    return session.exec(visible_decisions(viewer=viewer).where(Decision.id == decision_id)).first()


def visible_among(*, session: Session, viewer: "Person", ids) -> dict[int, Decision]:
    """Those of these decisions the viewer may see, by id."""
    ids = list(ids)
    if not ids:
        return {}
    return {d.id: d for d in session.exec(visible_decisions(viewer=viewer).where(Decision.id.in_(ids)))}


def visible_ids(*, session: Session, viewer: "Person", ids) -> set[int]:
    """Which of these decision ids the viewer may see (ids only: no decision is loaded)."""
    ids = list(ids)
    if not ids:
        return set()
    query = visible_decisions(viewer=viewer).with_only_columns(Decision.id).where(Decision.id.in_(ids))
    return set(session.exec(query))


def readers_among(*, session: Session, decision: Decision, person_ids) -> set[int]:
    """Which of these people may see the decision: whom a notification about it may reach. The same
    rule as `visible_decisions`, asked the other way round (for one decision, of many people, in three
    queries however many they are)."""
    people = structure.clearances_of(session=session, person_ids=person_ids)
    if not people:
        return set()
    seats = structure.seat_map(session=session, person_ids=people)
    platforms = structure.platform_missions(session=session, body_ids={b for s in seats.values() for b in s})
    addressees = (
        addressees_of(session=session, decision=decision) if decision.status != DecisionStatus.draft else []
    )
    readers = set()
    for person_id, (clearance, department_id) in people.items():
        if not Clearance(clearance).covers(decision.classification):
            continue
        bodies = seats.get(person_id, set())
        if person_id == decision.created_by_id or decision.issuing_body_id in bodies:
            readers.add(person_id)
            continue
        missions = {platforms[b] for b in bodies if b in platforms}
        if any(
            (a.unit_kind == UnitKind.body and a.unit_id in bodies)
            or (a.unit_kind == UnitKind.mission and a.unit_id in missions)
            or (a.unit_kind == UnitKind.department and a.unit_id == department_id)
            for a in addressees
        ):
            readers.add(person_id)
    return readers


def _listed(viewer: "Person", status: str | None):
    """The decisions list's query, newest first: for the page and for its export."""
    query = visible_decisions(viewer=viewer).order_by(Decision.created_at.desc(), Decision.id.desc())
    return query.where(Decision.status == status) if status else query


def list_decisions(
    *, session: Session, viewer: "Person", status: str | None = None, limit: int = 200
) -> list[Decision]:
    return list(session.exec(_listed(viewer, status).limit(limit)))


@dataclass
class ExportedDecision:
    decision: Decision
    issuing_body: "Body"
    acknowledgements: list[tuple[Addressee, "ResolvedUnit"]]
    actions: list[tuple[Action, "ResolvedUnit"]]


def decision_batches(
    *, session: Session, viewer: "Person", status: str | None = None, batch: int = 1000
) -> Iterator[list[ExportedDecision]]:
    """Every decision of the list with its filter (not only the newest 200), with its acknowledgements and
    actions, in batches read by keyset on (created_at, id): what the export streams."""
    query = _listed(viewer, status)
    after: tuple[datetime, int] | None = None
    while True:
        page = query
        if after is not None:
            page = query.where(
                or_(
                    Decision.created_at < after[0],
                    and_(Decision.created_at == after[0], Decision.id < after[1]),
                )
            )
        decisions = list(session.exec(page.limit(batch)))
        if not decisions:
            return
        ids = [d.id for d in decisions]
        addressees = list(
            session.exec(select(Addressee).where(Addressee.decision_id.in_(ids)).order_by(Addressee.id))
        )
        actions = list(
            session.exec(select(Action).where(Action.decision_id.in_(ids)).order_by(Action.due_on, Action.id))
        )
        units = units_of(session=session, addressees=addressees)
        owners = units_of(
            session=session,
            addressees=[
                Addressee(id=a.id, decision_id=a.decision_id, unit_kind=a.owner_kind, unit_id=a.owner_id)
                for a in actions
            ],
        )
        bodies = structure.bodies_by_id(session=session, ids={d.issuing_body_id for d in decisions})
        acknowledged = defaultdict(list)
        for a in addressees:
            acknowledged[a.decision_id].append((a, units[a.id]))
        given = defaultdict(list)
        for a in actions:
            given[a.decision_id].append((a, owners[a.id]))
        yield [
            ExportedDecision(d, bodies[d.issuing_body_id], acknowledged[d.id], given[d.id]) for d in decisions
        ]
        after = (decisions[-1].created_at, decisions[-1].id)


EXPORT_COLUMNS = (
    "id",
    "created_at",
    "title",
    "issuing_body",
    "status",
    "procedure",
    "classification",
    "adopted_at",
    "acknowledgement_due_at",
    "superseded_by_id",
    "acknowledgements",
    "actions",
    "text",
)


def export_row(item: ExportedDecision) -> dict:
    """A decision with its acknowledgements and actions as one exported row."""
    d = item.decision
    return {
        "id": d.id,
        "created_at": d.created_at,
        "title": d.title,
        "issuing_body": item.issuing_body.slug,
        "status": d.status,
        "procedure": d.procedure,
        "classification": d.classification,
        "adopted_at": d.adopted_at,
        "acknowledgement_due_at": d.acknowledgement_due_at,
        "superseded_by_id": d.superseded_by_id,
        "acknowledgements": [
            {
                "unit": f"{unit.kind}:{unit.key}",
                "status": a.status,
                "answered_at": a.answered_at,
                "comment": a.comment,
            }
            for a, unit in item.acknowledgements
        ],
        "actions": [
            {
                "title": a.title,
                "owner": f"{unit.kind}:{unit.key}",
                "due_on": a.due_on,
                "status": a.status,
            }
            for a, unit in item.actions
        ],
        "text": d.text,
    }


def latest_of_body(*, session: Session, viewer: "Person", body_id: int, limit: int = 8) -> list[Decision]:
    """A body's latest decisions the viewer may see, newest first."""
    query = (
        visible_decisions(viewer=viewer)
        .where(Decision.issuing_body_id == body_id)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(limit)
    )
    return list(session.exec(query))


def adopted_by_body(*, session: Session, viewer: "Person", body_id: int) -> list[Decision]:
    """A body's adopted decisions the viewer may see, latest adoption first."""
    query = (
        visible_decisions(viewer=viewer)
        .where(Decision.issuing_body_id == body_id, Decision.status == DecisionStatus.adopted)
        .order_by(Decision.adopted_at.desc())
    )
    return list(session.exec(query))


def of_meeting(*, session: Session, viewer: "Person", meeting_id: int) -> list[Decision]:
    """The decisions taken in a meeting that the viewer may see."""
    query = visible_decisions(viewer=viewer).where(Decision.meeting_id == meeting_id).order_by(Decision.id)
    return list(session.exec(query))


def issuing_bodies_for(*, session: Session, viewer: "Person") -> list["Body"]:
    """The steering group and task forces this viewer may draft decisions in."""
    return structure.seats_of(session=session, person_id=viewer.id, roles=DRAFTING_ROLES, kinds=ISSUING_KINDS)


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


def units_of(*, session: Session, addressees: list[Addressee]) -> dict[int, ResolvedUnit]:
    """Resolve addressees to units in three queries, keyed by addressee id."""
    ids = defaultdict(set)
    for a in addressees:
        ids[UnitKind(a.unit_kind)].add(a.unit_id)
    bodies = structure.bodies_by_id(session=session, ids=ids[UnitKind.body])
    departments = structure.departments_by_id(session=session, ids=ids[UnitKind.department])
    missions = structure.missions_by_id(session=session, ids=ids[UnitKind.mission])
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


def unit_of_action(*, session: Session, action: Action) -> ResolvedUnit:
    owner = Addressee(
        id=0, decision_id=action.decision_id, unit_kind=action.owner_kind, unit_id=action.owner_id
    )
    return units_of(session=session, addressees=[owner])[0]


def answering_people(*, session: Session, unit: ResolvedUnit) -> list["Person"]:
    """Who may acknowledge for a unit: chair, co-chair or secretary of a body or of a mission's platform;
    for a department, the representative it named in the steering group (or its people seated there)."""
    if unit.kind is UnitKind.department:
        return structure.representatives_of(session=session, department_id=unit.id)
    body_id = unit.id
    if unit.kind is UnitKind.mission:
        body_id = structure.platform_id_of(session=session, mission_id=unit.id)
        if body_id is None:
            return []
    return structure.people_seated(session=session, body_id=body_id, roles=ANSWERING_ROLES)


def may_answer_for(*, session: Session, person: "Person", unit: ResolvedUnit) -> bool:
    return any(p.id == person.id for p in answering_people(session=session, unit=unit))


# --- acknowledgements -------------------------------------------------------------------------------


def addressees_of(*, session: Session, decision: Decision) -> list[Addressee]:
    return list(
        session.exec(select(Addressee).where(Addressee.decision_id == decision.id).order_by(Addressee.id))
    )


def addressee_of(*, session: Session, decision: Decision, unit: ResolvedUnit) -> Addressee | None:
    return session.exec(
        select(Addressee).where(
            Addressee.decision_id == decision.id,
            Addressee.unit_kind == unit.kind,
            Addressee.unit_id == unit.id,
        )
    ).first()


@dataclass
class AcknowledgementRow:
    addressee: Addressee
    unit: ResolvedUnit
    answered_by: "Person | None"
    late: bool


def acknowledgement_table(*, session: Session, decision: Decision, now: datetime) -> list[AcknowledgementRow]:
    """Who has acknowledged a decision the viewer holds, who has not, who cannot comply: the issuing
    body's live table."""
    addressees = addressees_of(session=session, decision=decision)
    units = units_of(session=session, addressees=addressees)
    people = structure.people_by_id(session=session, ids={a.answered_by_id for a in addressees})
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


def units_i_answer_for(*, session: Session, viewer: "Person", decision: Decision) -> list[ResolvedUnit]:
    """Pending addressee units of this decision that the viewer may acknowledge."""
    if decision.status != DecisionStatus.adopted:
        return []
    pending = [
        a
        for a in addressees_of(session=session, decision=decision)
        if a.status == AcknowledgementStatus.pending
    ]
    units = units_of(session=session, addressees=pending)
    return [units[a.id] for a in pending if may_answer_for(session=session, person=viewer, unit=units[a.id])]


def motivating_reports(
    *, session: Session, viewer: "Person", decision: Decision, policy: NeedToKnow
) -> list["FieldReport"]:
    """The field reports that motivated the decision, limited to those the viewer may see."""
    ids = session.exec(
        select(DecisionReport.report_id).where(DecisionReport.decision_id == decision.id)
    ).all()
    return reports.visible_among(session=session, viewer=viewer, policy=policy, ids=list(ids))


def _awaiting_query(session: Session, viewer: "Person"):
    managed = structure.seats_of(session=session, person_id=viewer.id, roles=ANSWERING_ROLES)
    body_ids = [body.id for body in managed]
    mission_ids = [body.mission_id for body in managed if body.mission_id]
    units = [
        and_(Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(body_ids)),
        and_(Addressee.unit_kind == UnitKind.mission, Addressee.unit_id.in_(mission_ids)),
    ]
    if structure.sits_in_steering_group(session=session, person_id=viewer.id):
        units.append(
            and_(Addressee.unit_kind == UnitKind.department, Addressee.unit_id == viewer.department_id)
        )
    # SQLite would otherwise read every pending acknowledgement (by state) and test its unit.
    return (
        select(Decision, Addressee)
        .join(Addressee, Addressee.decision_id == Decision.id)
        .where(
            Decision.status == DecisionStatus.adopted,
            Addressee.status == AcknowledgementStatus.pending,
            or_(*units),
            _visible_to_seated(viewer),
        )
        .with_hint(Addressee, "INDEXED BY ix_addressee_unit_status", "sqlite")
    )


def awaiting_my_answer(
    *, session: Session, viewer: "Person", limit: int | None = None
) -> list[tuple[Decision, Addressee]]:
    """Adopted decisions with a pending addressee unit the viewer may answer for, soonest due first."""
    query = _awaiting_query(session, viewer).order_by(Decision.acknowledgement_due_at, Addressee.id)
    return list(session.exec(query.limit(limit) if limit else query))


def soonest_awaiting_my_answer(
    *, session: Session, viewer: "Person", limit: int
) -> tuple[list[tuple[Decision, Addressee]], int]:
    """The `limit` soonest due of `awaiting_my_answer`, and how many there are in all (counted on the
    addressee ids alone, and only when there are more than `limit`)."""
    soonest = awaiting_my_answer(session=session, viewer=viewer, limit=limit)
    if len(soonest) < limit:
        return soonest, len(soonest)
    awaiting = _awaiting_query(session, viewer).with_only_columns(Addressee.id).subquery()
    return soonest, session.exec(select(func.count()).select_from(awaiting)).one()


# --- actions ----------------------------------------------------------------------------------------


def get_visible_action(
    *, session: Session, viewer: "Person", action_id: int
) -> tuple[Action, Decision] | None:
    """An action with its decision, when the viewer may see the decision."""
    action = session.get(Action, action_id)
    if action is None:
        return None
    decision = get_visible_decision(session=session, viewer=viewer, decision_id=action.decision_id)
    return (action, decision) if decision is not None else None


def actions_of_decision(*, session: Session, decision: Decision) -> list[Action]:
    """The actions of a decision the viewer holds, by due date."""
    return list(
        session.exec(
            select(Action).where(Action.decision_id == decision.id).order_by(Action.due_on, Action.id)
        )
    )


def visible_actions_among(*, session: Session, viewer: "Person", ids) -> dict[int, Action]:
    """Those of these actions the viewer may see (with their decision), by id."""
    ids = list(ids)
    if not ids:
        return {}
    visible = visible_decisions(viewer=viewer).subquery()
    query = select(Action).join(visible, visible.c.id == Action.decision_id).where(Action.id.in_(ids))
    return {a.id: a for a in session.exec(query)}


def visible_action_ids(*, session: Session, viewer: "Person", ids) -> set[int]:
    return set(visible_actions_among(session=session, viewer=viewer, ids=ids))


def all_actions_done(*, session: Session, decision_id: int) -> bool:
    """Whether a decision has actions and every one of them is done (a rule, not a page: no viewer)."""
    statuses = session.exec(select(Action.status).where(Action.decision_id == decision_id)).all()
    return bool(statuses) and all(s == ActionStatus.done for s in statuses)


def may_update_action(*, session: Session, person: "Person", action: Action) -> bool:
    if action.owner_person_id == person.id:
        return True
    decision = session.get(Decision, action.decision_id)
    role = structure.role_in(session=session, person_id=person.id, body_id=decision.issuing_body_id)
    if role in MANAGING_ROLES:
        return True
    return may_answer_for(session=session, person=person, unit=unit_of_action(session=session, action=action))


@dataclass
class ActionRow:
    action: Action
    decision: Decision
    owner: ResolvedUnit
    owner_person: "Person | None"
    latest: ActionUpdate | None
    late: bool


def action_rows(*, session: Session, actions: list[Action], today: date) -> list[ActionRow]:
    """Actions the viewer holds with their decision, owner, latest update and lateness, in a fixed number
    of queries."""
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
    people = structure.people_by_id(session=session, ids={a.owner_person_id for a in actions})
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
    *,
    session: Session,
    viewer: "Person",
    today: date,
    body_slug: str | None = None,
    include_done: bool = False,
) -> list[ActionRow]:
    """Actions of decisions the viewer may see (the issuing body and the steering group follow them all)."""
    visible = visible_decisions(viewer=viewer).subquery()
    query = (
        select(Action).join(visible, visible.c.id == Action.decision_id).order_by(Action.due_on, Action.id)
    )
    if not include_done:
        query = query.where(Action.status != ActionStatus.done)
    if body_slug:
        body = structure.bodies_by_slug(session=session, slugs=[body_slug]).get(body_slug)
        if body is None:
            return []
        query = query.where(visible.c.issuing_body_id == body.id)
    return action_rows(session=session, actions=list(session.exec(query)), today=today)


def open_actions_of(*, session: Session, viewer: "Person") -> list[Action]:
    """Actions not yet done of the decisions the viewer may see."""
    visible = visible_decisions(viewer=viewer).subquery()
    return list(
        session.exec(
            select(Action)
            .join(visible, visible.c.id == Action.decision_id)
            .where(Action.status != ActionStatus.done)
        )
    )


def updates_of(*, session: Session, action: Action) -> list[tuple[ActionUpdate, "Person"]]:
    updates = list(
        session.exec(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == action.id)
            .order_by(ActionUpdate.created_at, ActionUpdate.id)
        )
    )
    authors = structure.people_by_id(session=session, ids=[u.author_id for u in updates])
    return [(u, authors[u.author_id]) for u in updates]


def _concerning(body_id: int):
    """SQL: decisions a body issued or is addressed by."""
    addressed = select(Addressee.decision_id).where(
        Addressee.unit_kind == UnitKind.body, Addressee.unit_id == body_id
    )
    return or_(Decision.issuing_body_id == body_id, Decision.id.in_(addressed))


def adopted_concerning(
    *, session: Session, viewer: "Person", body_id: int, since: datetime, until: datetime
) -> list[Decision]:
    """Decisions a body issued or received, adopted in a period, that the viewer may see (a situation
    report compiled by the viewer quotes them)."""
    query = (
        visible_decisions(viewer=viewer)
        .where(
            _concerning(body_id),
            Decision.status == DecisionStatus.adopted,
            Decision.adopted_at >= since,
            Decision.adopted_at < until,
        )
        .order_by(Decision.adopted_at)
    )
    return list(session.exec(query))


def actions_concerning(
    *,
    session: Session,
    viewer: "Person",
    body_id: int,
    due_from: date | None = None,
    due_until: date | None = None,
) -> list[Action]:
    """Actions of decisions a body issued or received that the viewer may see, by due date (situation
    reports and the annual review list them)."""
    visible = visible_decisions(viewer=viewer).where(_concerning(body_id)).subquery()
    query = (
        select(Action).join(visible, visible.c.id == Action.decision_id).order_by(Action.due_on, Action.id)
    )
    if due_from is not None:
        query = query.where(Action.due_on >= due_from)
    if due_until is not None:
        query = query.where(Action.due_on <= due_until)
    return list(session.exec(query))


# --- agendas: references drafted by the system, lines shown to each reader --------------------------


def pending_for_agenda(*, session: Session, body_id: int) -> list[int]:
    """Adopted decisions of a body still awaiting an acknowledgement, soonest due first (references for
    an agenda; `pending_units` and `visible_among` give each reader the lines they may see)."""
    query = (
        select(Decision.id)
        .join(Addressee, Addressee.decision_id == Decision.id)
        .where(
            Decision.issuing_body_id == body_id,
            Decision.status == DecisionStatus.adopted,
            Addressee.status == AcknowledgementStatus.pending,
        )
        .group_by(Decision.id, Decision.acknowledgement_due_at)
        .order_by(Decision.acknowledgement_due_at)
    )
    return list(session.exec(query))


def pending_units(*, session: Session, decision_ids) -> dict[int, int]:
    """How many addressee units have not yet answered, for decisions the viewer holds."""
    ids = list(decision_ids)
    if not ids:
        return {}
    query = (
        select(Addressee.decision_id, func.count())
        .where(Addressee.decision_id.in_(ids), Addressee.status == AcknowledgementStatus.pending)
        .group_by(Addressee.decision_id)
    )
    return dict(session.exec(query).all())


def overdue_for_agenda(*, session: Session, body_id: int | None, before: date) -> list[int]:
    """Actions not done and due before a date, of a body's decisions (of every body for the steering
    group, `body_id=None`), most overdue first (references for an agenda)."""
    query = (
        select(Action.id)
        .join(Decision, Decision.id == Action.decision_id)
        .where(Action.status != ActionStatus.done, Action.due_on < before)
        .order_by(Action.due_on, Action.id)
    )
    if body_id is not None:
        query = query.where(Decision.issuing_body_id == body_id)
    return list(session.exec(query))


# --- the dashboard ----------------------------------------------------------------------------------


VISIBILITY_INDEX = "INDEXED BY ix_decision_visibility"  # SQLite's from-hint (db.py renders it)


def signals_by_body(
    *, session: Session, viewer: "Person", body_ids: list[int], now: datetime
) -> dict[int, dict[str, int]]:
    """Per task force, what the viewer may see of its overdue actions (of decisions it issued or
    received) and of its decisions' pending and late acknowledgements, counted by the database in three
    grouped queries that start from the few open or pending rows; need-to-know is a condition on each
    decision row (the viewer's seats read once), not a list of every decision the viewer may see."""
    counts = {body_id: {"overdue": 0, "late_acks": 0, "pending_acks": 0} for body_id in body_ids}
    if not body_ids:
        return counts
    seats = structure.seats_of(session=session, person_id=viewer.id)
    visible = _visible_to(
        viewer, [b.id for b in seats], [b.mission_id for b in seats if b.mission_id is not None], as_set=True
    )
    # On SQLite the issuing body's index is left aside (`+ 0`): the counts then start from the few actions
    # not done, or acknowledgements pending, rather than from every decision the task forces issued
    # (PostgreSQL finds that itself, and joins the two by hash). Each decision is then looked up by id in
    # the narrow ix_decision_visibility, not in its row (SQLite's planner prefers the row unless told; and
    # given the issuer's list, it would probe that index once for each issuer and level).
    issuer = Decision.issuing_body_id
    if session.get_bind().dialect.name == "sqlite":
        issuer = issuer + 0
    for body_id, overdue in session.exec(_overdue_by_body(session, body_ids, visible, issuer, now)):
        counts[body_id]["overdue"] = overdue
    late = case((Decision.acknowledgement_due_at < now, 1), else_=0)
    for body_id, pending, late_acks in session.exec(
        select(Decision.issuing_body_id, func.count(), func.coalesce(func.sum(late), 0))
        .join(Addressee, Addressee.decision_id == Decision.id)
        .where(
            Addressee.status == AcknowledgementStatus.pending,
            Decision.status == DecisionStatus.adopted,
            issuer.in_(body_ids),
            visible,
        )
        .group_by(Decision.issuing_body_id)
        .with_hint(Decision, VISIBILITY_INDEX, "sqlite")
    ):
        counts[body_id]["pending_acks"] = pending
        counts[body_id]["late_acks"] = late_acks
    return counts


def _overdue_by_body(session: Session, body_ids: list[int], visible, issuer, now: datetime):
    """(task force, overdue actions) counted once per action, whether the task force issued the decision
    or is addressed by it. SQLite tests need-to-know on each overdue action's decision as it goes (its
    lookups in the narrow index are cheap); PostgreSQL tests it once for all the overdue actions, joined
    to the decisions it may see, and only then finds those that concern the task forces (by hash: at 1M
    in process 52 -> 42 ms, where testing after the union hashed twice as many rows)."""
    # as written in the partial index ix_action_open_due: a bound parameter would not let SQLite use it
    not_done = Action.status != literal(ActionStatus.done.value, literal_execute=True)
    if session.get_bind().dialect.name == "sqlite":
        open_overdue = and_(not_done, Action.due_on < now.date(), visible)
        concerned = union(
            select(Action.id.label("action_id"), Decision.issuing_body_id.label("body_id"))
            .join(Decision, Decision.id == Action.decision_id)
            .where(open_overdue, issuer.in_(body_ids))
            .with_hint(Decision, VISIBILITY_INDEX, "sqlite"),
            select(Action.id, Addressee.unit_id)
            .join(Decision, Decision.id == Action.decision_id)
            .join(Addressee, Addressee.decision_id == Action.decision_id)
            .where(open_overdue, Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(body_ids))
            .with_hint(Decision, VISIBILITY_INDEX, "sqlite"),
        ).subquery()
        return select(concerned.c.body_id, func.count()).group_by(concerned.c.body_id)
    open_overdue = (
        select(Action.id.label("action_id"), Action.decision_id, issuer.label("issuer_id"))
        .join(Decision, Decision.id == Action.decision_id)
        .where(not_done, Action.due_on < now.date(), visible)
        .cte("open_overdue")
    )
    concerned = union(
        select(open_overdue.c.action_id, open_overdue.c.issuer_id.label("body_id")).where(
            open_overdue.c.issuer_id.in_(body_ids)
        ),
        select(open_overdue.c.action_id, Addressee.unit_id)
        .join(Addressee, Addressee.decision_id == open_overdue.c.decision_id)
        .where(Addressee.unit_kind == UnitKind.body, Addressee.unit_id.in_(body_ids)),
    ).subquery()
    return select(concerned.c.body_id, func.count()).group_by(concerned.c.body_id)


@dataclass(frozen=True)
class Adoption:
    """A decision adopted, as an exercise's evaluation reads it (the system reads, not a reader)."""

    id: int
    title: str
    adopted_at: datetime
    report_ids: frozenset[int]  # the field reports it cites
    mission_ids: frozenset[int]  # the missions it is addressed to
    addressees: int
    answered: int
    last_answer_at: datetime | None  # when the last addressee answered, once all have


def adoptions_since(*, session: Session, since: datetime, viewer: "Person | None" = None) -> list[Adoption]:
    """Every decision adopted since `since` (that `viewer` may see, when given), in order, with what it cites
    and how far it was answered (three or four queries, for an exercise's database)."""
    decisions = session.exec(
        select(Decision.id, Decision.title, Decision.adopted_at)
        .where(Decision.status == DecisionStatus.adopted, Decision.adopted_at >= since)
        .order_by(Decision.adopted_at, Decision.id)
    ).all()
    if viewer is not None:
        visible = visible_ids(session=session, viewer=viewer, ids=[d.id for d in decisions])
        decisions = [d for d in decisions if d.id in visible]
    ids = [d.id for d in decisions]
    if not ids:
        return []
    cited = defaultdict(set)
    for decision_id, report_id in session.exec(
        select(DecisionReport.decision_id, DecisionReport.report_id).where(
            DecisionReport.decision_id.in_(ids)
        )
    ):
        cited[decision_id].add(report_id)
    units = defaultdict(list)
    for row in session.exec(
        select(Addressee.decision_id, Addressee.unit_kind, Addressee.unit_id, Addressee.answered_at).where(
            Addressee.decision_id.in_(ids)
        )
    ):
        units[row.decision_id].append(row)
    adoptions = []
    for decision in decisions:
        rows = units[decision.id]
        answers = [r.answered_at for r in rows if r.answered_at is not None]
        adoptions.append(
            Adoption(
                id=decision.id,
                title=decision.title,
                adopted_at=decision.adopted_at,
                report_ids=frozenset(cited[decision.id]),
                mission_ids=frozenset(r.unit_id for r in rows if r.unit_kind == UnitKind.mission),
                addressees=len(rows),
                answered=len(answers),
                last_answer_at=max(answers) if rows and len(answers) == len(rows) else None,
            )
        )
    return adoptions


def adopted_for_unit(*, session: Session, unit: str, since: datetime) -> bool:
    """Whether a decision addressed to this unit (`mission:CODE`, `body:slug` or `department:CODE`) has been
    adopted since `since`: what an exercise's conditional inject asks (the system asks, not a reader)."""
    kind, _colon, key = unit.partition(":")
    if kind == UnitKind.mission:
        found = structure.get_mission(session=session, code=key)
    elif kind == UnitKind.body:
        found = structure.find_body(session=session, slug=key)
    elif kind == UnitKind.department:
        found = structure.get_department(session=session, code=key)
    else:
        raise ValueError(f"no unit {unit!r}")
    if found is None:
        return False
    query = (
        select(Decision.id)
        .join(Addressee, Addressee.decision_id == Decision.id)
        .where(
            Addressee.unit_kind == kind,
            Addressee.unit_id == found.id,
            Decision.status == DecisionStatus.adopted,
            Decision.adopted_at >= since,
        )
    )
    return session.exec(query.limit(1)).first() is not None


# --- the scheduler's work: the system reads, then tells only those who may see ----------------------


def pending_addressees(*, session: Session) -> list[tuple[Addressee, Decision]]:
    """Every addressee unit of an adopted decision that has not answered (for the reminder jobs, which
    notify only `readers_among` the unit's people)."""
    return list(
        session.exec(
            select(Addressee, Decision)
            .join(Decision, Decision.id == Addressee.decision_id)
            .where(
                Decision.status == DecisionStatus.adopted, Addressee.status == AcknowledgementStatus.pending
            )
        ).all()
    )


def open_actions(*, session: Session) -> list[Action]:
    """Every action not yet done (for the reminder job)."""
    return list(
        session.exec(
            select(Action).where(
                Action.status.in_([ActionStatus.open, ActionStatus.in_progress, ActionStatus.blocked])
            )
        ).all()
    )


def decision_of(*, session: Session, action: Action) -> Decision:
    return session.get(Decision, action.decision_id)


def decision_by_id(*, session: Session, decision_id: int) -> Decision | None:
    """A decision by id, for a command that has already checked who asks (not for pages)."""
    return session.get(Decision, decision_id)


def _search_details(session: Session, ids: list[int]) -> dict:
    found = list(session.exec(select(Decision).where(Decision.id.in_(ids))))
    bodies = structure.bodies_by_id(session=session, ids={d.issuing_body_id for d in found})
    return {
        d.id: (d.title, d.created_at, f"/decisions/{d.id}", f"{bodies[d.issuing_body_id].name} · {d.status}")
        for d in found
    }


SEARCHABLE = Searchable(
    name="decision",
    code=2,
    model=Decision,
    columns=("title", "text", "rationale"),
    title=lambda d: d.title,
    body=lambda d: join_parts(d.text, d.rationale),
    visible_ids=lambda session, viewer, _policy, ids: visible_ids(session=session, viewer=viewer, ids=ids),
    details=_search_details,
)
