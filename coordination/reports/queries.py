"""Reads of field reports, always for a given viewer: what they may see, their inbox, a report's thread,
the early-warning board, and what other areas quote (agendas, situation reports, the dashboard, lessons).

Need-to-know is enforced in `visible_reports`, which every read here starts from: a viewer sees a report
they wrote, or one routed to a body they sit in (or sat in when it was routed there), within their
clearance, and, for information from a restricted origin (Defence), only if their department shares in it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from coordination.classification import NeedToKnow, levels_within
from coordination.db import one_of
from coordination.reports.enums import TRIAGE_TRANSITIONS, Severity, TriageStatus
from coordination.reports.models import Delivery, FieldReport, ReportComment, ReportRead
from coordination.search.kinds import Searchable
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, MembershipRole

if TYPE_CHECKING:
    from coordination.structure.models import Body, Mission, Person

TRIAGE_ROLES = {
    MembershipRole.chair,
    MembershipRole.co_chair,
    MembershipRole.secretary,
    MembershipRole.member,
}
TRIAGE_BODY_KINDS = {BodyKind.task_force, BodyKind.steering_group}
EARLY_WARNING_RULES = ("uncovered", "early_warning", "high_severity")


# --- need-to-know -----------------------------------------------------------------------------------


def visible_reports(
    *, viewer: "Person", policy: NeedToKnow, among: list[int] | None = None, session: Session | None = None
):
    """SQL: the reports this viewer may see.

    `among` limits the question to these report ids, inside the routing check too: PostgreSQL may
    otherwise answer it by hashing every delivery to the viewer's bodies (hundreds of thousands for a
    task force chair after five years) to test a few thousand candidates."""
    query = select(FieldReport)
    if among is not None:
        # given the session, the ids go to PostgreSQL as one array (`db.one_of`), not 2 x 2,000 placeholders
        routed_among = (
            one_of(session, Delivery.report_id, among) if session else Delivery.report_id.in_(among)
        )
        query = query.where(one_of(session, FieldReport.id, among) if session else FieldReport.id.in_(among))
        return query.where(visible_condition(viewer=viewer, policy=policy, routed_among=routed_among))
    return query.where(visible_condition(viewer=viewer, policy=policy))


def visible_condition(*, viewer: "Person", policy: NeedToKnow, routed_among=None):
    """SQL condition on a field report row: this viewer may see it (`visible_reports` as a condition, for
    counts and lists that select other columns: no self-join through a subquery of every column). Its
    routing check correlates to the report only, so a query that joins deliveries itself may use it."""
    routed_to_me = exists().where(
        Delivery.report_id == FieldReport.id,
        structure.received_while_seated(viewer.id, Delivery.body_id, Delivery.delivered_at),
    )
    if routed_among is not None:
        routed_to_me = routed_to_me.where(routed_among)
    return or_(
        FieldReport.author_id == viewer.id,
        and_(routed_to_me.correlate(FieldReport), _cleared_for(viewer, policy)),
    )


def _cleared_for(viewer: "Person", policy: NeedToKnow):
    """Within the viewer's clearance and, for a restricted origin, only if their department shares."""
    conditions = [FieldReport.classification.in_(levels_within(viewer.clearance))]
    if viewer.department.code not in policy.sharing_group:
        restricted = structure.department_ids(policy.restricted_origins)
        conditions.append(FieldReport.origin_department_id.not_in(restricted))
    return and_(*conditions)


def _visible_when_delivered(viewer: "Person", policy: NeedToKnow):
    """visible_reports' condition for a report already known to be delivered to one of the viewer's
    bodies (the routing check is then the delivery itself)."""
    return or_(FieldReport.author_id == viewer.id, _cleared_for(viewer, policy))


def get_visible_report(
    *, session: Session, viewer: "Person", report_id: int, policy: NeedToKnow
) -> FieldReport | None:
    """The report, or None when it does not exist or the viewer may not know it exists."""
    query = visible_reports(viewer=viewer, policy=policy).where(FieldReport.id == report_id)
    return session.exec(query).first()


def visible_among(
    *, session: Session, viewer: "Person", policy: NeedToKnow, ids: list[int]
) -> list[FieldReport]:
    """Those of these reports the viewer may see, oldest first (what a decision or a lesson quotes)."""
    if not ids:
        return []
    query = visible_reports(viewer=viewer, policy=policy, among=list(ids))
    return list(session.exec(query.order_by(FieldReport.created_at, FieldReport.id)))


def visible_ids(*, session: Session, viewer: "Person", policy: NeedToKnow, ids: list[int]) -> set[int]:
    """Which of these report ids the viewer may see (one query, probing the candidates by key)."""
    if not ids:
        return set()
    query = visible_reports(viewer=viewer, policy=policy, among=list(ids), session=session)
    query = query.with_only_columns(FieldReport.id)
    return set(session.exec(query))


def first_triaged_at(*, session: Session, report_ids: list[int]) -> dict[int, datetime | None]:
    """When a receiving body first moved each report on from "new" (for an exercise's evaluation: the
    system reads, not a reader)."""
    found = dict.fromkeys(report_ids)
    if report_ids:
        rows = session.exec(
            select(Delivery.report_id, func.min(Delivery.status_changed_at))
            .where(
                Delivery.report_id.in_(report_ids),
                Delivery.status != TriageStatus.new,
                Delivery.status_changed_at.is_not(None),
            )
            .group_by(Delivery.report_id)
        )
        found.update(dict(rows.all()))
    return found


def mission_of_reports(*, session: Session, report_ids: list[int]) -> dict[int, int | None]:
    """The posting mission's id of each report."""
    if not report_ids:
        return {}
    return dict(
        session.exec(
            select(FieldReport.id, FieldReport.mission_id).where(FieldReport.id.in_(report_ids))
        ).all()
    )


# --- posting ----------------------------------------------------------------------------------------


def postable_missions(*, session: Session, viewer: "Person") -> list["Mission"]:
    """Missions whose consultation platform the viewer sits in, while open: where they may post from."""
    platforms = structure.seats_of(
        session=session, person_id=viewer.id, kinds=[BodyKind.consultation_platform]
    )
    missions = structure.missions_by_id(session=session, ids=[b.mission_id for b in platforms])
    return sorted((m for m in missions.values() if m.closed_at is None), key=lambda m: m.city)


def own_report_by_key(*, session: Session, author_id: int, key: str) -> FieldReport | None:
    """The report an author posted with this Idempotency-Key, if any."""
    return session.exec(
        select(FieldReport).where(FieldReport.author_id == author_id, FieldReport.idempotency_key == key)
    ).first()


# --- reading ----------------------------------------------------------------------------------------


def deliveries_of(*, session: Session, report: FieldReport) -> list[Delivery]:
    """Where a report the viewer already holds was delivered (bodies are public, reasons too)."""
    return list(session.exec(select(Delivery).where(Delivery.report_id == report.id).order_by(Delivery.id)))


def _read_by(viewer: "Person"):
    return select(ReportRead.report_id).where(ReportRead.person_id == viewer.id)


def _unread_by(viewer: "Person", report_id=Delivery.report_id):
    """Per delivery row, a primary-key probe; a NOT IN over everything the viewer ever read would
    first collect hundreds of thousands of ids."""
    return ~exists().where(ReportRead.report_id == report_id, ReportRead.person_id == viewer.id)


def _inbox_filters(
    query, viewer: "Person", *, country: str | None, severity: str | None, unread_only: bool, report_id
):
    """The inbox's filters, on deliveries (the page) or on reports (the export), by `report_id`."""
    if country:
        query = query.where(FieldReport.country_code == country.upper())
    if severity:
        query = query.where(FieldReport.severity == severity)
    if unread_only:
        query = query.where(_unread_by(viewer, report_id))
    return query


def _my_body_ids(session: Session, viewer: "Person", body_slug: str | None = None) -> list[int]:
    bodies = structure.seats_of(session=session, person_id=viewer.id)
    return [b.id for b in bodies if body_slug is None or b.slug == body_slug]


def _deliveries_newest_first(viewer: "Person", policy: NeedToKnow, body_id: int, *columns):
    """One body's deliveries of reports the viewer may see, newest first: a range of the
    (body, delivered_at) index, so a LIMIT stops early however long the body's history is."""
    return (
        select(*columns)
        .select_from(Delivery)
        .join(FieldReport, FieldReport.id == Delivery.report_id)
        .where(Delivery.body_id == body_id, _visible_when_delivered(viewer, policy))
        .order_by(Delivery.delivered_at.desc())
    )


@dataclass
class InboxItem:
    report: FieldReport
    via: list["Body"] = field(default_factory=list)
    unread: bool = True
    statuses: dict[int, TriageStatus] = field(default_factory=dict)  # each via body's own triage status
    delivered_at: datetime | None = None  # its newest delivery to the viewer's bodies: its place in the inbox

    @property
    def place(self) -> "InboxPlace":
        """Where the inbox stands at this item: the next page holds what came before it."""
        return InboxPlace(self.delivered_at, self.report.id)


@dataclass(frozen=True)
class InboxPlace:
    """A place in the inbox (newest delivery first): a delivery time, and the report id among equal times."""

    delivered_at: datetime
    report_id: int

    _EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

    def token(self) -> str:
        """The place as a URL parameter: microseconds since 1970 (exact), a dash, the report id."""
        return f"{(self.delivered_at - self._EPOCH) // timedelta(microseconds=1)}-{self.report_id}"

    @classmethod
    def from_token(cls, token: str) -> "InboxPlace | None":
        """The place of a token, None when it is not one (as a person may type into the address bar)."""
        micros, _dash, report_id = token.partition("-")
        if not (micros.isdigit() and report_id.isdigit()) or len(micros) > 17 or len(report_id) > 18:
            return None
        return cls(cls._EPOCH + timedelta(microseconds=int(micros)), int(report_id))


def _before(place: "InboxPlace", body_ids: list[int]):
    """Deliveries after `place` in the inbox's order, of reports that had no place before it (a report
    delivered to two of the viewer's bodies is listed once, at its newest delivery)."""
    earlier = or_(
        Delivery.delivered_at < place.delivered_at,
        and_(Delivery.delivered_at == place.delivered_at, Delivery.report_id < place.report_id),
    )
    other = aliased(Delivery)
    placed_already = exists().where(
        other.report_id == Delivery.report_id,
        other.body_id.in_(body_ids),
        or_(
            other.delivered_at > place.delivered_at,
            and_(other.delivered_at == place.delivered_at, other.report_id >= place.report_id),
        ),
    )
    return and_(earlier, ~placed_already)


def inbox(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    body_slug: str | None = None,
    country: str | None = None,
    severity: str | None = None,
    unread_only: bool = False,
    limit: int = 200,
    after: InboxPlace | None = None,
) -> list[InboxItem]:
    """Reports delivered to the bodies the viewer sits in and may see, newest delivery first, `after` a
    place of the inbox when given (the next page).

    Each body's newest `limit` deliveries come from its own index range; merging them gives the inbox
    without sorting anyone's whole history."""
    arrivals: list[tuple[datetime, int, int, str]] = []
    body_ids = _my_body_ids(session, viewer, body_slug)
    for body_id in body_ids:
        query = _deliveries_newest_first(
            viewer,
            policy,
            body_id,
            Delivery.delivered_at,
            Delivery.report_id,
            Delivery.body_id,
            Delivery.status,
        )
        query = _inbox_filters(
            query,
            viewer,
            country=country,
            severity=severity,
            unread_only=unread_only,
            report_id=Delivery.report_id,
        )
        if after is not None:
            query = query.where(_before(after, body_ids))
        arrivals.extend(session.exec(query.order_by(Delivery.report_id.desc()).limit(limit)).all())
    arrivals.sort(key=lambda row: (row[0], row[1]), reverse=True)
    order: dict[int, list[int]] = {}
    newest: dict[int, datetime] = {}
    statuses: dict[int, dict[int, TriageStatus]] = {}
    for delivered_at, report_id, body_id, status in arrivals:
        if report_id not in order and len(order) >= limit:
            continue
        newest.setdefault(report_id, delivered_at)
        order.setdefault(report_id, []).append(body_id)
        statuses.setdefault(report_id, {})[body_id] = TriageStatus(status)
    if not order:
        return []
    reports = {r.id: r for r in session.exec(select(FieldReport).where(FieldReport.id.in_(order)))}
    bodies = structure.bodies_by_id(session=session, ids={b for v in order.values() for b in v})
    read = set(session.exec(_read_by(viewer).where(ReportRead.report_id.in_(order))))
    return [
        InboxItem(
            report=reports[rid],
            via=[bodies[b] for b in via_ids],
            unread=rid not in read,
            statuses=statuses[rid],
            delivered_at=newest[rid],
        )
        for rid, via_ids in order.items()
    ]


def inbox_batches(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    body_slug: str | None = None,
    country: str | None = None,
    severity: str | None = None,
    unread_only: bool = False,
    batch: int = 1000,
) -> Iterator[list[InboxItem]]:
    """Every report of the inbox with its filters (not only the newest `limit`), newest report first, in
    batches read by keyset on the report id: what the export streams, in the memory of one batch. Each
    item's report is the row of its columns (read-only, and cheaper to read than loaded models).

    The inbox's own rule: delivered to a body the viewer sits in, visible once delivered, filtered alike."""
    body_ids = _my_body_ids(session, viewer, body_slug)
    if not body_ids:
        return
    delivered = exists().where(Delivery.report_id == FieldReport.id, Delivery.body_id.in_(body_ids))
    query = _inbox_filters(
        select(*FieldReport.__table__.columns).where(delivered, _visible_when_delivered(viewer, policy)),
        viewer,
        country=country,
        severity=severity,
        unread_only=unread_only,
        report_id=FieldReport.id,
    ).order_by(FieldReport.id.desc())
    bodies = structure.bodies_by_id(session=session, ids=body_ids)
    last_id = None
    while True:
        page = query if last_id is None else query.where(FieldReport.id < last_id)
        reports = list(session.exec(page.limit(batch)))
        if not reports:
            return
        ids = [r.id for r in reports]
        via: dict[int, dict[int, TriageStatus]] = {}
        for report_id, body_id, status in session.exec(
            select(Delivery.report_id, Delivery.body_id, Delivery.status)
            .where(Delivery.report_id.in_(ids), Delivery.body_id.in_(body_ids))
            .order_by(Delivery.id)
        ):
            via.setdefault(report_id, {})[body_id] = TriageStatus(status)
        read = set(session.exec(_read_by(viewer).where(ReportRead.report_id.in_(ids))))
        yield [
            InboxItem(
                report=r,
                via=[bodies[b] for b in via.get(r.id, {})],
                unread=r.id not in read,
                statuses=via.get(r.id, {}),
            )
            for r in reports
        ]
        last_id = ids[-1]


EXPORT_COLUMNS = (
    "id",
    "created_at",
    "title",
    "country",
    "severity",
    "early_warning",
    "classification",
    "restricted_distribution",
    "kind",
    "themes",
    "source_reliability",
    "information_credibility",
    "place_name",
    "latitude",
    "longitude",
    "event_at",
    "updates_report_id",
    "received_by",
    "unread",
    "body",
)


def export_row(item: InboxItem) -> dict:
    """A report of the inbox as one exported row (the receiving bodies with their own triage status)."""
    r = item.report
    return {
        "id": r.id,
        "created_at": r.created_at,
        "title": r.title,
        "country": r.country_code,
        "severity": r.severity,
        "early_warning": r.early_warning,
        "classification": r.classification,
        "restricted_distribution": r.restricted_distribution,
        "kind": r.kind,
        "themes": list(r.themes or []),
        "source_reliability": r.source_reliability,
        "information_credibility": r.information_credibility,
        "place_name": r.place_name,
        "latitude": r.latitude,
        "longitude": r.longitude,
        "event_at": r.event_at,
        "updates_report_id": r.updates_report_id,
        "received_by": [{"body": b.slug, "status": item.statuses[b.id]} for b in item.via],
        "unread": item.unread,
        "body": r.body,
    }


UNREAD_CAP = 99


def unread_counts(*, session: Session, viewer: "Person", policy: NeedToKnow) -> dict[str, int]:
    """Unread reports per body slug, and in total under the key ''; each count stops at UNREAD_CAP
    (shown as "99+"), so that the header costs the same after five years as after five days."""
    counts: dict[str, int] = {}
    unread: set[int] = set()
    for body in structure.seats_of(session=session, person_id=viewer.id):
        query = _deliveries_newest_first(viewer, policy, body.id, Delivery.report_id).where(
            _unread_by(viewer)
        )
        ids = session.exec(query.limit(UNREAD_CAP)).all()
        if ids:
            counts[body.slug] = len(ids)
            unread.update(ids)
    counts[""] = min(len(unread), UNREAD_CAP)
    return counts


def my_reports(*, session: Session, viewer: "Person") -> list[FieldReport]:
    query = (
        select(FieldReport).where(FieldReport.author_id == viewer.id).order_by(FieldReport.created_at.desc())
    )
    return list(session.exec(query))


def thread_of(
    *, session: Session, viewer: "Person", report: FieldReport, policy: NeedToKnow
) -> list[FieldReport]:
    """The chain of updates this report belongs to, oldest first, limited to what the viewer may see."""
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
    query = visible_reports(viewer=viewer, policy=policy).where(FieldReport.id.in_(members))
    return sorted(session.exec(query), key=lambda r: (r.created_at, r.id))


def comments_of(*, session: Session, report: FieldReport) -> list[tuple[ReportComment, "Person"]]:
    """The triage steps and remarks on a report the viewer holds, with their authors, oldest first."""
    comments = list(
        session.exec(
            select(ReportComment)
            .where(ReportComment.report_id == report.id)
            .order_by(ReportComment.created_at, ReportComment.id)
        )
    )
    authors = structure.people_by_id(session=session, ids=[c.author_id for c in comments])
    return [(c, authors[c.author_id]) for c in comments]


# --- triage -----------------------------------------------------------------------------------------


def triage_bodies(*, session: Session, viewer: "Person", report: FieldReport) -> list["Body"]:
    """Task forces and the steering group that received the report and in which the viewer may triage."""
    mine = structure.seats_of(
        session=session, person_id=viewer.id, roles=TRIAGE_ROLES, kinds=TRIAGE_BODY_KINDS
    )
    if not mine:
        return []
    received = set(
        session.exec(
            select(Delivery.body_id).where(
                Delivery.report_id == report.id, Delivery.body_id.in_([b.id for b in mine])
            )
        )
    )
    return [b for b in mine if b.id in received]


@dataclass
class TriageSlot:
    """One receiving body the viewer triages for: where its delivery stands and where it may go."""

    body: "Body"
    delivery: Delivery
    transitions: list[TriageStatus]


def triage_slots(*, session: Session, viewer: "Person", report: FieldReport) -> list[TriageSlot]:
    """For each receiving body the viewer triages in, its own status of the report and the next steps."""
    bodies = triage_bodies(session=session, viewer=viewer, report=report)
    if not bodies:
        return []
    deliveries = {
        d.body_id: d
        for d in session.exec(
            select(Delivery).where(
                Delivery.report_id == report.id, Delivery.body_id.in_([b.id for b in bodies])
            )
        )
    }
    order = list(TriageStatus).index
    return [
        TriageSlot(
            body=b,
            delivery=deliveries[b.id],
            transitions=sorted(TRIAGE_TRANSITIONS[TriageStatus(deliveries[b.id].status)], key=order),
        )
        for b in sorted(bodies, key=lambda b: (b.kind != BodyKind.task_force, b.name))
    ]


def untriaged_early_warning_count(*, session: Session, viewer: "Person", policy: NeedToKnow) -> int | None:
    """How many early warnings the viewer may see wait, new, in a body they triage for (each counted
    once, up to UNREAD_CAP); None for someone who triages nowhere (the header shows nothing)."""
    bodies = structure.seats_of(
        session=session, person_id=viewer.id, roles=TRIAGE_ROLES, kinds=TRIAGE_BODY_KINDS
    )
    if not bodies:
        return None
    query = (
        select(Delivery.report_id)
        .join(FieldReport, FieldReport.id == Delivery.report_id)
        .where(
            Delivery.body_id.in_([b.id for b in bodies]),
            Delivery.status == TriageStatus.new,
            FieldReport.early_warning,
            _visible_when_delivered(viewer, policy),
        )
        .distinct()
        .limit(UNREAD_CAP)
    )
    return len(session.exec(query).all())


def untriaged_early_warnings(
    *, session: Session, posted_before: datetime, posted_after: datetime
) -> list[FieldReport]:
    """Early warnings posted in the window, not yet escalated, that no receiving body has moved from
    new. For the escalation job: no viewer, whoever is told is chosen by routing.alerts."""
    triaged = exists().where(Delivery.report_id == FieldReport.id, Delivery.status != TriageStatus.new)
    # (platforms never move their delivery: "new" there does not hold the escalation back)
    return list(
        session.exec(
            select(FieldReport)
            .where(
                FieldReport.early_warning,
                FieldReport.created_at >= posted_after,
                FieldReport.created_at <= posted_before,
                FieldReport.escalated_at.is_(None),
                ~triaged,
            )
            .order_by(FieldReport.created_at, FieldReport.id)
        )
    )


def received_by_any(*, session: Session, report: FieldReport, body_ids: list[int]) -> bool:
    """Whether the report was delivered to one of these bodies."""
    if not body_ids:
        return False
    return (
        session.exec(
            select(Delivery.id).where(Delivery.report_id == report.id, Delivery.body_id.in_(body_ids))
        ).first()
        is not None
    )


def delivery_to(*, session: Session, report: FieldReport, body_id: int) -> Delivery | None:
    return session.exec(
        select(Delivery).where(Delivery.report_id == report.id, Delivery.body_id == body_id)
    ).first()


# --- early warning ----------------------------------------------------------------------------------


def visible_early_warnings(
    *, session: Session, viewer: "Person", policy: NeedToKnow, limit: int = 50
) -> list[FieldReport]:
    """Early warnings the viewer may see, newest first (their CAP feed)."""
    query = visible_reports(viewer=viewer, policy=policy).where(FieldReport.early_warning)
    query = query.order_by(FieldReport.created_at.desc(), FieldReport.id.desc()).limit(limit)
    return list(session.exec(query))


def early_warning_queue(*, session: Session, viewer: "Person", policy: NeedToKnow, limit: int = 100):
    """Reports in the steering group's early-warning queue that the viewer may see, newest first."""
    steering_group = structure.steering_group_id(session=session)
    if steering_group is None:
        return []
    visible = visible_condition(viewer=viewer, policy=policy)
    query = (
        select(FieldReport, Delivery)
        .where(visible)
        .join(Delivery, Delivery.report_id == FieldReport.id)
        .where(Delivery.body_id == steering_group, Delivery.rule.in_(EARLY_WARNING_RULES))
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


SEVERITY_VALUES = tuple(s.value for s in Severity)


def early_warnings_by_country(
    *, session: Session, viewer: "Person", policy: NeedToKnow, now: datetime, weeks: int = 8
) -> list[CountryWarnings]:
    """Countries by number and severity of the early warnings the viewer may see over the last weeks,
    most first."""
    since = now - timedelta(weeks=weeks)
    visible = visible_condition(viewer=viewer, policy=policy)
    query = (
        select(FieldReport.country_code, FieldReport.severity, func.count(FieldReport.id))
        .where(visible)
        .where(FieldReport.early_warning, FieldReport.created_at >= since)
        .group_by(FieldReport.country_code, FieldReport.severity)
    )
    counted = session.exec(query).all()
    names = structure.country_names(session=session, codes={code for code, _s, _n in counted})
    rows: dict[str, CountryWarnings] = {}
    for code, severity, count in counted:
        entry = rows.get(code)
        if entry is None:
            zeros = dict.fromkeys(SEVERITY_VALUES, 0)
            entry = rows[code] = CountryWarnings(code, names.get(code, code), zeros)
        entry.by_severity[severity] = count
    return sorted(rows.values(), key=lambda r: (-r.total, r.country))


@dataclass(frozen=True)
class LocatedReport:
    id: int
    title: str
    severity: str
    country: str
    place_name: str | None
    latitude: float
    longitude: float


def located_early_warnings(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    since: datetime,
    countries: list[str] | None = None,
    limit: int = 300,
) -> list[LocatedReport]:
    """Early warnings with coordinates that the viewer may see, newest first (the points on a map)."""
    visible = visible_condition(viewer=viewer, policy=policy)
    query = (
        select(FieldReport.id, FieldReport.title, FieldReport.severity, FieldReport.country_code)
        .add_columns(FieldReport.place_name, FieldReport.latitude, FieldReport.longitude)
        .where(visible)
        .where(FieldReport.early_warning, FieldReport.created_at >= since, FieldReport.latitude.is_not(None))
    )
    if countries is not None:
        query = query.where(FieldReport.country_code.in_(countries))
    rows = session.exec(query.order_by(FieldReport.created_at.desc()).limit(limit))
    return [LocatedReport(*row) for row in rows]


def early_warnings_by_body(
    *, session: Session, viewer: "Person", policy: NeedToKnow, body_ids: list[int], since: datetime
) -> dict[int, dict[str, int]]:
    """Recent early warnings delivered to each of these bodies that the viewer may see, by severity
    (the dashboard's task force signals): ranges of the (body, delivered_at) index."""
    counts: dict[int, dict[str, int]] = {body_id: {} for body_id in body_ids}
    if not body_ids:
        return counts
    visible = visible_condition(viewer=viewer, policy=policy)
    query = (
        select(Delivery.body_id, FieldReport.severity, func.count())
        .join(FieldReport, FieldReport.id == Delivery.report_id)
        .where(visible)
        .where(
            Delivery.body_id.in_(body_ids),
            Delivery.delivered_at >= since,
            FieldReport.early_warning,
            FieldReport.created_at >= since,
        )
        .group_by(Delivery.body_id, FieldReport.severity)
    )
    for body_id, severity, count in session.exec(query):
        counts[body_id][severity] = count
    return counts


# --- what other areas quote -------------------------------------------------------------------------


def received_for_agenda(
    *, session: Session, body_id: int, since: datetime, until: datetime
) -> list[tuple[str, int]]:
    """What a body's meeting should discuss, as references only ("early_warning" or "validated_report",
    report id): early warnings it received in the window and reports it validated in it. The agenda shows
    each line only to readers who may see the report (`visible_among`)."""
    received = (
        select(FieldReport.id)
        .join(Delivery, Delivery.report_id == FieldReport.id)
        .where(Delivery.body_id == body_id)
    )
    warnings = session.exec(
        received.where(
            FieldReport.early_warning, FieldReport.created_at >= since, FieldReport.created_at < until
        ).order_by(FieldReport.created_at)
    ).all()
    validated = session.exec(
        received.where(
            Delivery.status == TriageStatus.validated,
            Delivery.status_changed_at >= since,
            Delivery.status_changed_at < until,
            FieldReport.early_warning.is_(False),
        ).order_by(Delivery.status_changed_at)
    ).all()
    return [("early_warning", i) for i in warnings] + [("validated_report", i) for i in validated]


def validated_for_body(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    body_id: int,
    since: datetime,
    until: datetime,
) -> list[FieldReport]:
    """Reports a body received in a period and validated that the viewer may see, oldest first (what a
    situation report compiled by this viewer quotes)."""
    visible = visible_condition(viewer=viewer, policy=policy)
    return list(
        session.exec(
            select(FieldReport)
            .where(visible)
            .join(Delivery, Delivery.report_id == FieldReport.id)
            .where(
                Delivery.body_id == body_id,
                Delivery.status == TriageStatus.validated,
                FieldReport.created_at >= since,
                FieldReport.created_at < until,
            )
            .order_by(FieldReport.created_at)
        )
    )


def triage_statuses(
    *, session: Session, reports: list[FieldReport]
) -> dict[int, list[tuple["Body", TriageStatus]]]:
    """For reports the viewer already holds, each triaging body's own status (what the reporter
    follows), task forces first."""
    rows = deliveries_of_many(session=session, report_ids=[r.id for r in reports])
    bodies = structure.bodies_by_id(session=session, ids={d.body_id for d in rows})
    statuses: dict[int, list[tuple[Body, TriageStatus]]] = {}
    for d in rows:
        body = bodies[d.body_id]
        if body.kind in TRIAGE_BODY_KINDS:
            statuses.setdefault(d.report_id, []).append((body, TriageStatus(d.status)))
    for pairs in statuses.values():
        pairs.sort(key=lambda pair: (pair[0].kind != BodyKind.task_force, pair[0].name))
    return statuses


def origin_codes(*, session: Session, reports: list[FieldReport]) -> set[str]:
    """The codes of the departments these reports come from (a quoting text inherits their origin)."""
    departments = structure.departments_by_id(session=session, ids={r.origin_department_id for r in reports})
    return {d.code for d in departments.values()}


def deliveries_of_many(*, session: Session, report_ids: list[int]) -> list[Delivery]:
    """The deliveries of reports the viewer already holds, in delivery order."""
    if not report_ids:
        return []
    return list(
        session.exec(select(Delivery).where(Delivery.report_id.in_(report_ids)).order_by(Delivery.id))
    )


def _search_details(session: Session, ids: list[int]) -> dict:
    rows = session.exec(
        select(
            FieldReport.id,
            FieldReport.title,
            FieldReport.created_at,
            FieldReport.country_code,
            FieldReport.classification,
        ).where(FieldReport.id.in_(ids))
    )
    return {
        r.id: (r.title, r.created_at, f"/reports/{r.id}", f"{r.country_code} · {r.classification}")
        for r in rows
    }


SEARCHABLE = Searchable(
    name="report",
    code=1,
    model=FieldReport,
    columns=("title", "body"),
    title=lambda r: r.title,
    body=lambda r: r.body,
    visible_ids=lambda session, viewer, policy, ids: visible_ids(
        session=session, viewer=viewer, policy=policy, ids=ids
    ),
    details=_search_details,
)


def hand_over_candidates(
    *,
    session: Session,
    body_id: int,
    countries: list[str],
    themes: list[str],
    since: datetime,
    statuses,
) -> list[FieldReport]:
    """Reports since `since` that a receiving task force or the steering group holds in one of these
    triage statuses (platforms do not triage), on
    these countries (or, for a thematic task force with no countries, on any country: routing decides by
    theme), not yet delivered to the body. For a body that is only now taking up its scope: no viewer,
    the routing rules decide what it receives."""
    if not countries and not themes:
        return []
    still_open = exists().where(
        Delivery.report_id == FieldReport.id,
        Delivery.body_id.in_(structure.body_ids_of_kinds(TRIAGE_BODY_KINDS)),
        Delivery.status.in_([str(s) for s in statuses]),
    )
    query = select(FieldReport).where(
        FieldReport.created_at >= since,
        still_open,
        ~exists().where(Delivery.report_id == FieldReport.id, Delivery.body_id == body_id),
    )
    if countries:
        query = query.where(FieldReport.country_code.in_(countries))
    return list(session.exec(query.order_by(FieldReport.created_at, FieldReport.id)))
