"""Business rules for field reports: posting, routing into deliveries, need-to-know, inbox and triage.

Need-to-know is enforced in `visible_reports`, the one query every page, API call, inbox and later
search or export starts from.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import networkx as nx
from sqlalchemy import and_, exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from coordination import audit
from coordination.markup import render_markdown
from coordination.reports.models import (
    TRIAGE_TRANSITIONS,
    Delivery,
    FieldReport,
    ReportComment,
    ReportCreate,
    ReportKind,
    ReportRead,
    Severity,
    TriageStatus,
)
from coordination.routing.rules import ReportFacts, route_report
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure.models import (
    Body,
    BodyKind,
    Clearance,
    Country,
    Department,
    Membership,
    MembershipRole,
    Mission,
    Person,
    utcnow,
)

TRIAGE_ROLES = {
    MembershipRole.chair,
    MembershipRole.co_chair,
    MembershipRole.secretary,
    MembershipRole.member,
}
TRIAGE_BODY_KINDS = {BodyKind.task_force, BodyKind.steering_group}
EARLY_WARNING_RULES = ("uncovered", "early_warning", "high_severity")
INTELLIGENCE_DIRECTORATE = "ADIV"


class ReportError(RuleViolation):
    """Input the report rules refuse."""


class NotAllowed(Forbidden):
    """The person may not do this to the report."""


class IdempotencyConflict(Conflict, ReportError):
    """The Idempotency-Key was used before for a different request."""


@dataclass(frozen=True)
class NeedToKnow:
    """Information from these origin departments is shared only with the departments of the sharing group."""

    restricted_origins: frozenset[str] = frozenset({"DEF"})
    sharing_group: frozenset[str] = frozenset({"FA", "DEF"})

    @classmethod
    def from_config(cls, config) -> "NeedToKnow":
        return cls(
            restricted_origins=frozenset(config["NEED_TO_KNOW_RESTRICTED_ORIGINS"]),
            sharing_group=frozenset(config["NEED_TO_KNOW_SHARING_GROUP"]),
        )


# --- need-to-know -----------------------------------------------------------------------------------


def visible_reports(*, person: Person, policy: NeedToKnow, among: list[int] | None = None):
    """Reports this person may see: their own, or routed to a body they sit in, within their clearance,
    and, for information from a restricted origin (Defence), only if their department shares in it.

    `among` limits the question to these report ids, inside the routing check too: PostgreSQL may
    otherwise answer it by hashing every delivery to the person's bodies (hundreds of thousands for a
    task force chair after five years) to test a few thousand candidates."""
    my_bodies = select(Membership.body_id).where(Membership.person_id == person.id)
    routed_to_me = exists().where(Delivery.report_id == FieldReport.id, Delivery.body_id.in_(my_bodies))
    query = select(FieldReport)
    if among is not None:
        routed_to_me = routed_to_me.where(Delivery.report_id.in_(among))
        query = query.where(FieldReport.id.in_(among))
    return query.where(
        or_(FieldReport.author_id == person.id, and_(routed_to_me, _cleared_for(person, policy)))
    )


def _cleared_for(person: Person, policy: NeedToKnow):
    """Within the person's clearance and, for a restricted origin, only if their department shares."""
    clearance = Clearance(person.clearance)
    levels = [level.value for level in Clearance if clearance.covers(level)]
    conditions = [FieldReport.classification.in_(levels)]
    if person.department.code not in policy.sharing_group:
        restricted = select(Department.id).where(Department.code.in_(policy.restricted_origins))
        conditions.append(FieldReport.origin_department_id.not_in(restricted))
    return and_(*conditions)


def _visible_when_delivered(person: Person, policy: NeedToKnow):
    """visible_reports' condition for a report already known to be delivered to one of the person's
    bodies (the routing check is then the delivery itself)."""
    return or_(FieldReport.author_id == person.id, _cleared_for(person, policy))


def get_visible_report(
    *, session: Session, person: Person, report_id: int, policy: NeedToKnow
) -> FieldReport | None:
    """The report, or None when it does not exist or the person may not know it exists."""
    query = visible_reports(person=person, policy=policy).where(FieldReport.id == report_id)
    return session.exec(query).first()


# --- posting ----------------------------------------------------------------------------------------


def _fingerprint(data: ReportCreate) -> str:
    return hashlib.sha256(json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def _facts(report: FieldReport, mission_code: str | None) -> ReportFacts:
    return ReportFacts(
        country=report.country_code,
        themes=tuple(report.themes),
        severity=report.severity,
        early_warning=report.early_warning,
        mission=mission_code,
        kind=report.kind,
        intelligence_level=report.intelligence_level,
    )


def postable_missions(*, session: Session, person: Person) -> list:
    """Missions whose consultation platform the person sits in: where they may post from."""
    query = (
        select(Body)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person.id, Body.kind == BodyKind.consultation_platform)
    )
    return [body.mission for body in session.exec(query) if body.mission is not None]


def may_write_intelligence(person: Person) -> bool:
    return person.directorate is not None and person.directorate.code == INTELLIGENCE_DIRECTORATE


def _validate(session: Session, author: Person, data: ReportCreate, policy: NeedToKnow):
    mission = None
    if data.mission_code:
        mission = session.exec(select(Mission).where(Mission.code == data.mission_code.upper())).first()
        if mission is None:
            raise ReportError(f"unknown mission {data.mission_code}", "mission_code")
        sits_in_platform = session.exec(
            select(Membership.id)
            .join(Body, Body.id == Membership.body_id)
            .where(
                Membership.person_id == author.id,
                Body.kind == BodyKind.consultation_platform,
                Body.mission_id == mission.id,
            )
        ).first()
        if sits_in_platform is None:
            raise NotAllowed(f"you do not sit in the consultation platform of {mission.code}")
    country = data.country_code or (mission.host_country_code if mission else None)
    if not country:
        raise ReportError("give the country the report is about (or the posting mission)", "country_code")
    if session.get(Country, country) is None:
        raise ReportError(f"unknown country code {country}", "country_code")
    if not Clearance(author.clearance).covers(data.classification):
        raise ReportError("you cannot classify above your own clearance", "classification")
    if data.kind == ReportKind.intelligence_brief:
        if not may_write_intelligence(author):
            raise NotAllowed("only the Military Intelligence Service posts intelligence briefs")
        if data.intelligence_level is None:
            raise ReportError("an intelligence brief is strategic or tactical", "intelligence_level")
    elif data.intelligence_level is not None:
        raise ReportError("only intelligence briefs have an intelligence level", "intelligence_level")
    if data.updates_report_id is not None and (
        get_visible_report(session=session, person=author, report_id=data.updates_report_id, policy=policy)
        is None
    ):
        raise ReportError(f"no report {data.updates_report_id} to update", "updates_report_id")
    return mission, country


@dataclass
class Posted:
    report: FieldReport
    deliveries: list[Delivery]
    created: bool
    bodies: dict[int, Body] = field(default_factory=dict)  # the delivery bodies, by id


@dataclass
class PreparedReport:
    """A report checked, rendered and routed, not yet stored."""

    author: Person
    report: FieldReport
    recipients: list
    bodies: dict[str, Body]  # the recipient bodies, by slug


def prepare_report(
    *,
    session: Session,
    author: Person,
    data: ReportCreate,
    graph: nx.MultiDiGraph,
    policy: NeedToKnow,
    idempotency_key: str | None = None,
) -> "PreparedReport | Posted":
    """Everything before the first write: validation, rendering and routing. Only reads, so that on
    SQLite the write lock is held for the inserts alone. A repeated Idempotency-Key gives the Posted
    report of the first time instead."""
    fingerprint = _fingerprint(data)
    if idempotency_key:
        replay = _replay(session, author, idempotency_key, fingerprint)
        if replay:
            return replay
    mission, country = _validate(session, author, data, policy)
    values = data.model_dump(exclude={"mission_code", "country_code"})
    report = FieldReport(
        **values,
        country_code=country,
        body_html=render_markdown(data.body),
        author_id=author.id,
        origin_department_id=author.department_id,
        mission_id=mission.id if mission else None,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint if idempotency_key else None,
    )
    recipients = route_report(_facts(report, mission.code if mission else None), graph)
    bodies = {
        b.slug: b for b in session.exec(select(Body).where(Body.slug.in_([r.body for r in recipients])))
    }
    return PreparedReport(author=author, report=report, recipients=recipients, bodies=bodies)


def store_report(*, session: Session, prepared: PreparedReport) -> Posted:
    """Store a prepared report with its deliveries and audit events in one transaction."""
    report, author, recipients, bodies = (
        prepared.report,
        prepared.author,
        prepared.recipients,
        prepared.bodies,
    )
    session.add(report)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        replay = (
            _replay(session, author, report.idempotency_key, report.request_fingerprint)
            if report.idempotency_key
            else None
        )
        if replay:
            return replay
        raise
    deliveries = [
        Delivery(report_id=report.id, body_id=bodies[r.body].id, rule=r.rule, reason=r.reason)
        for r in recipients
        if r.body in bodies
    ]
    session.add_all(deliveries)
    audit.record(
        session,
        actor_id=author.id,
        action="report.create",
        object_type="field_report",
        object_id=report.id,
        classification=report.classification,
        country=report.country_code,
    )
    audit.record(
        session,
        actor_id=author.id,
        action="report.route",
        object_type="field_report",
        object_id=report.id,
        recipients={r.body: r.reason for r in recipients},
    )
    session.commit()
    return Posted(
        report=report, deliveries=deliveries, created=True, bodies={b.id: b for b in bodies.values()}
    )


def post_report(
    *,
    session: Session,
    author: Person,
    data: ReportCreate,
    graph: nx.MultiDiGraph,
    policy: NeedToKnow,
    idempotency_key: str | None = None,
) -> Posted:
    """Validate, store, route and audit a report in one transaction; a repeated Idempotency-Key
    returns the report it created the first time and creates nothing."""
    prepared = prepare_report(
        session=session,
        author=author,
        data=data,
        graph=graph,
        policy=policy,
        idempotency_key=idempotency_key,
    )
    if isinstance(prepared, Posted):
        return prepared
    return store_report(session=session, prepared=prepared)


def _replay(session: Session, author: Person, key: str, fingerprint: str) -> Posted | None:
    existing = session.exec(
        select(FieldReport).where(FieldReport.author_id == author.id, FieldReport.idempotency_key == key)
    ).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different report", "Idempotency-Key"
        )
    return Posted(report=existing, deliveries=deliveries_of(session=session, report=existing), created=False)


# --- reading ----------------------------------------------------------------------------------------


def deliveries_of(*, session: Session, report: FieldReport) -> list[Delivery]:
    return list(session.exec(select(Delivery).where(Delivery.report_id == report.id).order_by(Delivery.id)))


def open_report(*, session: Session, person: Person, report: FieldReport) -> None:
    """Mark the report read by this person; opening a classified item is audited every time."""
    if session.get(ReportRead, (report.id, person.id)) is None:
        session.add(ReportRead(report_id=report.id, person_id=person.id))
    if report.classification != Clearance.unclassified:
        audit.record(
            session,
            actor_id=person.id,
            action="report.open",
            object_type="field_report",
            object_id=report.id,
            classification=report.classification,
        )
    session.commit()


def _read_by(person: Person):
    return select(ReportRead.report_id).where(ReportRead.person_id == person.id)


def _unread_by(person: Person):
    """Per delivery row, a primary-key probe; a NOT IN over everything the person ever read would
    first collect hundreds of thousands of ids."""
    return ~exists().where(ReportRead.report_id == Delivery.report_id, ReportRead.person_id == person.id)


def _my_body_ids(session: Session, person: Person, body_slug: str | None = None) -> list[int]:
    query = select(Membership.body_id).where(Membership.person_id == person.id)
    if body_slug:
        query = query.join(Body, Body.id == Membership.body_id).where(Body.slug == body_slug)
    return list(session.exec(query))


def _deliveries_newest_first(person: Person, policy: NeedToKnow, body_id: int, *columns):
    """One body's deliveries of reports the person may see, newest first: a range of the
    (body, delivered_at) index, so a LIMIT stops early however long the body's history is."""
    return (
        select(*columns)
        .select_from(Delivery)
        .join(FieldReport, FieldReport.id == Delivery.report_id)
        .where(Delivery.body_id == body_id, _visible_when_delivered(person, policy))
        .order_by(Delivery.delivered_at.desc())
    )


@dataclass
class InboxItem:
    report: FieldReport
    via: list[Body] = field(default_factory=list)
    unread: bool = True


def inbox(
    *,
    session: Session,
    person: Person,
    policy: NeedToKnow,
    body_slug: str | None = None,
    country: str | None = None,
    severity: str | None = None,
    unread_only: bool = False,
    limit: int = 200,
) -> list[InboxItem]:
    """Reports delivered to the bodies this person sits in and may see, newest delivery first.

    Each body's newest `limit` deliveries come from its own index range; merging them gives the inbox
    without sorting anyone's whole history."""
    arrivals: list[tuple[datetime, int, int]] = []
    for body_id in _my_body_ids(session, person, body_slug):
        query = _deliveries_newest_first(
            person, policy, body_id, Delivery.delivered_at, Delivery.report_id, Delivery.body_id
        )
        if country:
            query = query.where(FieldReport.country_code == country.upper())
        if severity:
            query = query.where(FieldReport.severity == severity)
        if unread_only:
            query = query.where(_unread_by(person))
        arrivals.extend(session.exec(query.limit(limit)).all())
    arrivals.sort(key=lambda row: (row[0], row[1]), reverse=True)
    order: dict[int, list[int]] = {}
    for _delivered_at, report_id, body_id in arrivals:
        if report_id not in order and len(order) >= limit:
            continue
        order.setdefault(report_id, []).append(body_id)
    if not order:
        return []
    reports = {r.id: r for r in session.exec(select(FieldReport).where(FieldReport.id.in_(order)))}
    bodies = {
        b.id: b for b in session.exec(select(Body).where(Body.id.in_({b for v in order.values() for b in v})))
    }
    read = set(session.exec(_read_by(person).where(ReportRead.report_id.in_(order))))
    return [
        InboxItem(report=reports[rid], via=[bodies[b] for b in body_ids], unread=rid not in read)
        for rid, body_ids in order.items()
    ]


UNREAD_CAP = 99


def unread_counts(*, session: Session, person: Person, policy: NeedToKnow) -> dict[str, int]:
    """Unread reports per body slug, and in total under the key ''; each count stops at UNREAD_CAP
    (shown as "99+"), so that the header costs the same after five years as after five days."""
    counts: dict[str, int] = {}
    unread: set[int] = set()
    slugs = dict(
        session.exec(select(Body.id, Body.slug).where(Body.id.in_(_my_body_ids(session, person)))).all()
    )
    for body_id, slug in slugs.items():
        query = _deliveries_newest_first(person, policy, body_id, Delivery.report_id).where(
            _unread_by(person)
        )
        ids = session.exec(query.limit(UNREAD_CAP)).all()
        if ids:
            counts[slug] = len(ids)
            unread.update(ids)
    counts[""] = min(len(unread), UNREAD_CAP)
    return counts


def my_reports(*, session: Session, person: Person) -> list[FieldReport]:
    query = (
        select(FieldReport).where(FieldReport.author_id == person.id).order_by(FieldReport.created_at.desc())
    )
    return list(session.exec(query))


def thread_of(
    *, session: Session, person: Person, report: FieldReport, policy: NeedToKnow
) -> list[FieldReport]:
    """The chain of updates this report belongs to, oldest first, limited to what the person may see."""
    root = report
    seen = {report.id}
    while root.updates_report_id and root.updates_report_id not in seen:
        parent = session.get(FieldReport, root.updates_report_id)
        if parent is None:
            break
        seen.add(parent.id)
        root = parent
    members = {root.id}
    frontier = [root.id]
    while frontier:
        children = session.exec(
            select(FieldReport.id).where(FieldReport.updates_report_id.in_(frontier))
        ).all()
        frontier = [c for c in children if c not in members]
        members.update(frontier)
    if len(members) == 1:
        return [report]
    query = visible_reports(person=person, policy=policy).where(FieldReport.id.in_(members))
    return sorted(session.exec(query), key=lambda r: (r.created_at, r.id))


# --- triage -----------------------------------------------------------------------------------------


def triage_bodies(*, session: Session, person: Person, report: FieldReport) -> list[Body]:
    """Task forces and the steering group that received the report and in which the person may triage."""
    query = (
        select(Body)
        .join(Delivery, Delivery.body_id == Body.id)
        .join(Membership, Membership.body_id == Body.id)
        .where(
            Delivery.report_id == report.id,
            Membership.person_id == person.id,
            Membership.role.in_([r.value for r in TRIAGE_ROLES]),
            Body.kind.in_([k.value for k in TRIAGE_BODY_KINDS]),
        )
    )
    return list(session.exec(query))


def allowed_transitions(*, session: Session, person: Person, report: FieldReport) -> list[TriageStatus]:
    if not triage_bodies(session=session, person=person, report=report):
        return []
    return sorted(TRIAGE_TRANSITIONS[TriageStatus(report.status)], key=list(TriageStatus).index)


def triage(
    *,
    session: Session,
    person: Person,
    report: FieldReport,
    to_status: TriageStatus | str,
    comment: str = "",
) -> ReportComment:
    """Move a report along new -> under review -> validated or dismissed -> archived."""
    try:
        to_status = TriageStatus(to_status)
    except ValueError as exc:
        raise ReportError(f"unknown status {to_status}", "status") from exc
    if not triage_bodies(session=session, person=person, report=report):
        raise NotAllowed(
            "only members of a task force or the steering group that received the report triage it"
        )
    from_status = TriageStatus(report.status)
    if to_status not in TRIAGE_TRANSITIONS[from_status]:
        raise ReportError(f"a {from_status.value} report cannot become {to_status.value}", "status")
    report.status = to_status
    report.updated_at = utcnow()
    step = ReportComment(
        report_id=report.id,
        author_id=person.id,
        body=comment.strip(),
        from_status=from_status,
        to_status=to_status,
    )
    session.add_all([report, step])
    audit.record(
        session,
        actor_id=person.id,
        action="report.triage",
        object_type="field_report",
        object_id=report.id,
        from_status=from_status.value,
        to_status=to_status.value,
    )
    session.commit()
    return step


def add_comment(*, session: Session, person: Person, report: FieldReport, body: str) -> ReportComment:
    """A remark by anyone who can see the report; the reporter sees it on their report."""
    body = body.strip()
    if not body:
        raise ReportError("write a comment", "body")
    comment = ReportComment(report_id=report.id, author_id=person.id, body=body)
    session.add(comment)
    audit.record(
        session, actor_id=person.id, action="report.comment", object_type="field_report", object_id=report.id
    )
    session.commit()
    return comment


def comments_of(*, session: Session, report: FieldReport) -> list[tuple[ReportComment, Person]]:
    query = (
        select(ReportComment, Person)
        .join(Person, Person.id == ReportComment.author_id)
        .where(ReportComment.report_id == report.id)
        .order_by(ReportComment.created_at, ReportComment.id)
    )
    return list(session.exec(query))


def forward(*, session: Session, person: Person, report: FieldReport, body: Body) -> Delivery:
    """Pass a report on to another body; refused for restricted distribution."""
    if report.restricted_distribution:
        raise NotAllowed("restricted distribution: this report stays with the bodies it was routed to")
    if not session.exec(
        select(Membership)
        .join(Delivery, Delivery.body_id == Membership.body_id)
        .where(Membership.person_id == person.id, Delivery.report_id == report.id)
    ).first():
        raise NotAllowed("only members of a body that received the report forward it")
    existing = session.exec(
        select(Delivery).where(Delivery.report_id == report.id, Delivery.body_id == body.id)
    ).first()
    if existing:
        return existing
    delivery = Delivery(
        report_id=report.id,
        body_id=body.id,
        rule="forwarded",
        reason=f"forwarded by {person.name}",
        forwarded_by_id=person.id,
    )
    session.add(delivery)
    audit.record(
        session,
        actor_id=person.id,
        action="report.forward",
        object_type="field_report",
        object_id=report.id,
        to=body.slug,
    )
    session.commit()
    return delivery


# --- early warning ----------------------------------------------------------------------------------


def early_warning_queue(*, session: Session, person: Person, policy: NeedToKnow, limit: int = 100):
    """Reports in the steering group's early-warning queue that this person may see, newest first."""
    visible = visible_reports(person=person, policy=policy).subquery()
    query = (
        select(FieldReport, Delivery)
        .join(visible, visible.c.id == FieldReport.id)
        .join(Delivery, Delivery.report_id == FieldReport.id)
        .join(Body, Body.id == Delivery.body_id)
        .where(Body.kind == BodyKind.steering_group, Delivery.rule.in_(EARLY_WARNING_RULES))
        .order_by(FieldReport.created_at.desc())
        .limit(limit)
    )
    return list(session.exec(query))


@dataclass
class CountryWarnings:
    country: str
    name: str
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


def early_warnings_by_country(
    *, session: Session, person: Person, policy: NeedToKnow, now: datetime, weeks: int = 8
) -> list[CountryWarnings]:
    """Countries by number and severity of early warnings over the last weeks, most first."""
    since = now - timedelta(weeks=weeks)
    visible = visible_reports(person=person, policy=policy).subquery()
    query = (
        select(FieldReport.country_code, Country.name, FieldReport.severity, func.count(FieldReport.id))
        .join(visible, visible.c.id == FieldReport.id)
        .join(Country, Country.code == FieldReport.country_code)
        .where(FieldReport.early_warning, FieldReport.created_at >= since)
        .group_by(FieldReport.country_code, Country.name, FieldReport.severity)
    )
    rows: dict[str, CountryWarnings] = {}
    for code, name, severity, count in session.exec(query):
        entry = rows.setdefault(code, CountryWarnings(code, name, {s.value: 0 for s in Severity}))
        entry.by_severity[severity] = count
    return sorted(rows.values(), key=lambda r: (-r.total, r.country))
