"""Commands on field reports: posting (validated, rendered, routed into deliveries), marking read, triage,
comments and forwarding. Reads live in queries.py; `ReportCreate` is the input of posting."""

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.countries import country_name, unknown_country
from coordination.db import adopt_inserted
from coordination.labels import label_now
from coordination.markup import render_markdown
from coordination.notifications import service as notifications
from coordination.places import coordinates
from coordination.places import queries as places
from coordination.reports import queries
from coordination.reports.enums import TRIAGE_TRANSITIONS, ReportKind, TriageStatus
from coordination.reports.models import Delivery, FieldReport, ReportComment, ReportCreate, ReportRead
from coordination.routing.alerts import ESCALATION_ROLES, Readability, alert_audience, needs_alert
from coordination.routing.rules import Recipient, ReportFacts, route_report
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.types import utcnow

if TYPE_CHECKING:
    import networkx as nx

    from coordination.structure.graph import BodyRef
    from coordination.structure.models import Body, Person

__all__ = ["ReportCreate"]

INTELLIGENCE_DIRECTORATE = "ADIV"


class ReportError(RuleViolation):
    """Input the report rules refuse."""


class NotAllowed(Forbidden):
    """The person may not do this to the report."""


class IdempotencyConflict(Conflict, ReportError):
    """The Idempotency-Key was used before for a different request."""


class TriageConflict(Conflict, ReportError):
    """Someone else triaged the report for this body first: the step asked for is no longer open."""


def _moved_past(current: TriageStatus, wanted: TriageStatus) -> bool:
    """Whether the delivery has gone through a status from which `wanted` was a step: a race lost, not a
    wrong request."""
    sources = {status for status, targets in TRIAGE_TRANSITIONS.items() if wanted in targets}
    reached, frontier = set(), set(sources)
    while frontier:
        status = frontier.pop()
        reached.add(status)
        frontier |= TRIAGE_TRANSITIONS[status] - reached
    return current in reached - sources


# --- posting ----------------------------------------------------------------------------------------


LOCATION_FIELDS = {"place_id", "place_name", "latitude", "longitude", "event_at"}
EVENT_AHEAD = timedelta(minutes=10)  # clocks of phones in the field run a little fast
EVENT_LOOKBACK = timedelta(days=90)  # older than that it is background, and mostly a mistyped year


def _fingerprint(data: ReportCreate) -> str:
    # place and event time left out when empty: keys used before they existed still replay
    unset = {name for name in LOCATION_FIELDS if getattr(data, name) is None}
    values = data.model_dump(mode="json", exclude=unset)
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Location:
    place_id: str | None = None
    place_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def locate(
    *,
    country: str,
    place_id: str | None = None,
    place_name: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Location:
    """Where a report's event happened: a place of the gazetteer in the report's country (picked by id, or
    named so that exactly one place matches), coordinates, or both (coordinates given win over the
    place's). A name the gazetteer does not know, or knows several times, is kept as typed only with
    coordinates."""
    if (latitude is None) != (longitude is None):
        raise ReportError(_("Give both the latitude and the longitude."), "latitude")
    if latitude is not None:
        try:
            coordinates.check(latitude, longitude)
        except coordinates.CoordinateError as error:
            raise ReportError(str(error), "latitude") from None
    if place_id:
        place = places.get(place_id)
        if place is None or place.country != country:
            message = _("The gazetteer has no place %(id)s in this country.", id=place_id)
            raise ReportError(message, "place_id")
        found = [place]
    elif place_name:
        found = places.matches(country, place_name)
    else:
        return Location(latitude=latitude, longitude=longitude)
    if len(found) == 1:
        place = found[0]
        if latitude is None:
            latitude, longitude = place.latitude, place.longitude
        return Location(place.id, place.full_name, latitude, longitude)
    if latitude is not None:
        return Location(None, place_name, latitude, longitude)
    if found:
        listed = "; ".join(p.label for p in found[:10])
        raise ReportError(
            _(
                "Several places are called %(name)s: %(places)s. Type one of them as listed, or give"
                " coordinates.",
                name=place_name,
                places=listed,
            ),
            "place_name",
        )
    raise ReportError(
        _(
            "No place called %(name)s in this country. Check the spelling, or give coordinates.",
            name=place_name,
        ),
        "place_name",
    )


def check_event_time(event_at: datetime, *, now: datetime) -> datetime:
    """The event time in UTC (a time without zone is taken as UTC): at most EVENT_AHEAD after posting and
    at most EVENT_LOOKBACK before it."""
    if event_at.tzinfo is None:
        event_at = event_at.replace(tzinfo=UTC)
    event_at = event_at.astimezone(UTC)
    if event_at > now + EVENT_AHEAD:
        raise ReportError(_("The time of the event cannot be in the future."), "event_at")
    if event_at < now - EVENT_LOOKBACK:
        raise ReportError(
            _(
                "The time of the event is more than %(days)s days ago: report older events in the text.",
                days=EVENT_LOOKBACK.days,
            ),
            "event_at",
        )
    return event_at


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


def may_write_intelligence(person: "Person") -> bool:
    return person.directorate is not None and person.directorate.code == INTELLIGENCE_DIRECTORATE


def _validate(
    session: Session,
    author: "Person",
    data: ReportCreate,
    policy: NeedToKnow,
    now: datetime,
    graph: "nx.MultiDiGraph",
):
    """The organisation's part is read from the cached graph (missions, platform seats, countries)."""
    mission = None
    if data.mission_code:
        mission = structure.mission_in(graph, data.mission_code)
        if mission is None:
            raise ReportError(f"unknown mission {data.mission_code}", "mission_code")
        if mission.closed_at is not None:
            raise ReportError(f"{mission.name} is closed: nobody posts from it", "mission_code")
        if not structure.sits_in_platform_of(graph, person_id=author.id, mission_id=mission.id):
            raise NotAllowed(f"you do not sit in the consultation platform of {mission.code}")
    country = data.country_code or (mission.host_country_code if mission else None)
    if not country:
        raise ReportError("give the country the report is about (or the posting mission)", "country_code")
    if not structure.is_known_country(graph, country):
        raise ReportError(unknown_country(country), "country_code")
    if not Clearance(author.clearance).covers(data.classification):
        raise ReportError("you cannot classify above your own clearance", "classification")
    if data.kind == ReportKind.external_alert:
        raise ReportError("external alerts come in from configured alert feeds only", "kind")
    if data.kind == ReportKind.intelligence_brief:
        if not may_write_intelligence(author):
            raise NotAllowed("only the Military Intelligence Service posts intelligence briefs")
        if data.intelligence_level is None:
            raise ReportError("an intelligence brief is strategic or tactical", "intelligence_level")
    elif data.intelligence_level is not None:
        raise ReportError("only intelligence briefs have an intelligence level", "intelligence_level")
    if data.updates_report_id is not None and (
        queries.get_visible_report(
            session=session, viewer=author, report_id=data.updates_report_id, policy=policy
        )
        is None
    ):
        raise ReportError(f"no report {data.updates_report_id} to update", "updates_report_id")
    location = locate(
        country=country,
        place_id=data.place_id,
        place_name=data.place_name,
        latitude=data.latitude,
        longitude=data.longitude,
    )
    event_at = check_event_time(data.event_at, now=now) if data.event_at else None
    return mission, country, location, event_at


class NewDelivery:
    """A delivery as a post writes it (plain values: building SQLModel objects cost a post more than
    writing them)."""

    __slots__ = ("report_id", "body_id", "rule", "reason", "delivered_at", "status")
    COLUMNS = __slots__

    def __init__(self, report_id: int, body_id: int, rule: str, reason: str, delivered_at: datetime):
        self.report_id, self.body_id, self.rule, self.reason = report_id, body_id, rule, reason
        self.delivered_at, self.status = delivered_at, TriageStatus.new


@dataclass
class Posted:
    report: FieldReport
    # as written, in one statement: not in the session (change rows by UPDATE); Delivery rows on a replay
    deliveries: "list[NewDelivery | Delivery]"
    created: bool
    bodies: dict[int, "BodyRef"] = field(default_factory=dict)  # the delivery bodies, by id


@dataclass
class PreparedReport:
    """A report checked, rendered and routed, not yet stored."""

    author: "Person"
    report: FieldReport
    recipients: list
    bodies: dict[str, "BodyRef"]  # the recipient bodies, by slug
    alerted: set[int] = field(default_factory=set)  # who is alerted at once (see routing.alerts)


def prepare_report(
    *,
    session: Session,
    author: "Person",
    data: ReportCreate,
    graph: "nx.MultiDiGraph",
    policy: NeedToKnow,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> "PreparedReport | Posted":
    """Everything before the first write: validation, rendering and routing. Only reads, so that on
    SQLite the write lock is held for the inserts alone. A repeated Idempotency-Key gives the Posted
    report of the first time instead."""
    fingerprint = _fingerprint(data)
    if idempotency_key:
        replay = _replay(session, author, idempotency_key, fingerprint)
        if replay:
            return replay
    now = now or utcnow()
    mission, country, location, event_at = _validate(session, author, data, policy, now, graph)
    values = data.model_dump(exclude={"mission_code", "country_code", *LOCATION_FIELDS})
    report = FieldReport(
        **values,
        **asdict(location),
        event_at=event_at,
        created_at=now,
        updated_at=now,
        country_code=country,
        body_html=render_markdown(data.body),
        author_id=author.id,
        origin_department_id=author.department_id,
        mission_id=mission.id if mission else None,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint if idempotency_key else None,
    )
    recipients = route_report(_facts(report, mission.code if mission else None), graph)
    bodies = structure.body_refs(graph, [r.body for r in recipients])
    alerted = set()
    if needs_alert(early_warning=report.early_warning, severity=report.severity):
        alerted = alert_audience(
            graph,
            [r.body for r in recipients],
            Readability(report.classification, structure.department_code_of(graph, author), policy),
            exclude={author.id},
        )
    return PreparedReport(author=author, report=report, recipients=recipients, bodies=bodies, alerted=alerted)


def store_report(*, session: Session, prepared: PreparedReport, commit: bool = True) -> Posted:
    """Store a prepared report with its deliveries and audit events in one transaction (the caller's,
    left open, when `commit` is false)."""
    report, author, recipients, bodies = (
        prepared.report,
        prepared.author,
        prepared.recipients,
        prepared.bodies,
    )
    try:
        report.id = session.execute(_INSERT_REPORT, _row_of(report)).scalar_one()
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
    adopt_inserted(session, [report])
    deliveries = [
        NewDelivery(report.id, bodies[r.body].id, r.rule, r.reason, report.created_at)
        for r in recipients
        if r.body in bodies
    ]
    _insert_deliveries(session, deliveries)
    if prepared.alerted:
        _alert(session, report, prepared.alerted, now=report.created_at)
    session.flush()  # the audit events come last (on PostgreSQL they take the chain's lock)
    about = {"actor_id": author.id, "object_type": "field_report", "object_id": report.id}
    audit.record_at_once(
        session,
        [
            {
                **about,
                "action": "report.create",
                "detail": {"classification": report.classification, "country": report.country_code},
            },
            {
                **about,
                "action": "report.route",
                "detail": {"recipients": {r.body: r.reason for r in recipients}},
            },
        ],
    )
    if commit:
        session.commit()
    return Posted(
        report=report, deliveries=deliveries, created=True, bodies={b.id: b for b in bodies.values()}
    )


_REPORT_COLUMNS = tuple(c.name for c in FieldReport.__table__.columns if c.name != "id")
# built once: building a statement cost a post more than running it
_INSERT_REPORT = insert(FieldReport.__table__).returning(FieldReport.__table__.c.id)
_INSERT_DELIVERIES = insert(Delivery.__table__)


def _row_of(report: FieldReport) -> dict:
    return {name: getattr(report, name) for name in _REPORT_COLUMNS}


def _insert_deliveries(session: Session, deliveries: list[NewDelivery]) -> None:
    """One executemany of plain rows: the unit of work would fetch back each delivery's id, which nothing
    that posts needs (`backdate` updates the rows)."""
    if deliveries:
        columns = NewDelivery.COLUMNS
        session.execute(_INSERT_DELIVERIES, [{c: getattr(d, c) for c in columns} for d in deliveries])


def post_report(
    *,
    session: Session,
    author: "Person",
    data: ReportCreate,
    graph: "nx.MultiDiGraph",
    policy: NeedToKnow,
    idempotency_key: str | None = None,
    now: datetime | None = None,
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
        now=now,
    )
    if isinstance(prepared, Posted):
        return prepared
    return store_report(session=session, prepared=prepared)


def external_alert_reason(source: str) -> str:
    """The routing reason of an item taken in from an external alert feed."""
    return f"external alert from {source.replace(';', ',')}"


def post_external_alert(
    *,
    session: Session,
    author: "Person",
    source: str,
    title: str,
    body: str,
    countries: list[str],
    severity: str,
    early_warning: bool,
    graph: "nx.MultiDiGraph",
    policy: NeedToKnow,
    updates_report_id: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime | None = None,
) -> FieldReport:
    """An external early-warning item (a CAP alert taken in from the feed `source`), posted in the name of
    the person accountable for the feed, unclassified, and routed like a field report on each of its
    countries (the first is the item's own), with the reason "external alert from <source>"; stored in
    the caller's transaction, which the caller commits with its own record of the alert."""
    known = structure.known_countries(session=session, codes=countries)
    countries = [code for code in countries if code in known]
    if not countries:
        raise ReportError("none of the alert's countries is known here", "country_code")
    data = ReportCreate(
        title=title[:200] if len(title) >= 3 else f"{title} ...",
        body=body[:50_000],
        country_code=countries[0],
        severity=severity,
        early_warning=early_warning,
        classification=Clearance.unclassified,
        updates_report_id=updates_report_id,
        latitude=latitude,
        longitude=longitude,
    )
    prepared = prepare_report(session=session, author=author, data=data, graph=graph, policy=policy, now=now)
    assert isinstance(prepared, PreparedReport)  # no idempotency key: never a replay
    prepared.report.kind = ReportKind.external_alert
    facts = _facts(prepared.report, None)
    reason = external_alert_reason(source)
    routed: dict[str, tuple[str, list[str]]] = {}
    for country in countries:
        for recipient in route_report(replace(facts, country=country), graph):
            rule, reasons = routed.setdefault(recipient.body, (recipient.rule, [reason]))
            reasons.extend(r for r in recipient.reason.split("; ") if r not in reasons)
    if updates_report_id is not None:
        # an update or cancel reaches every body that received the item it amends
        original = session.get(FieldReport, updates_report_id)
        earlier = queries.deliveries_of(session=session, report=original) if original else []
        for body in structure.bodies_by_id(session=session, ids=[d.body_id for d in earlier]).values():
            routed.setdefault(body.slug, ("amended_item", [reason]))
    prepared.recipients = [
        Recipient(body=body_slug, rule=rule, reason="; ".join(reasons))
        for body_slug, (rule, reasons) in routed.items()
    ]
    prepared.bodies = structure.body_refs(graph, routed)
    if needs_alert(early_warning=early_warning, severity=prepared.report.severity):
        prepared.alerted = alert_audience(
            graph,
            list(routed),
            Readability(prepared.report.classification, structure.department_code_of(graph, author), policy),
            exclude={author.id},
        )
    return store_report(session=session, prepared=prepared, commit=False).report


def withdraw_early_warning(
    *, session: Session, report_id: int, actor_id: int, reason: str, now: datetime
) -> bool:
    """The report no longer counts as an early warning (the sender cancelled the alert it came from): it
    leaves the counts, the map, the untriaged queues and their escalation, while the report, its thread
    and its deliveries stay. In the caller's transaction; False when it was not an early warning."""
    report = session.get(FieldReport, report_id)
    if report is None or not report.early_warning:
        return False
    report.early_warning = False
    report.updated_at = now
    session.add(report)
    audit.record(
        session,
        actor_id=actor_id,
        action="report.early_warning_withdrawn",
        object_type="field_report",
        object_id=report.id,
        reason=reason,
    )
    return True


def _replay(session: Session, author: "Person", key: str, fingerprint: str) -> Posted | None:
    existing = queries.own_report_by_key(session=session, author_id=author.id, key=key)
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different report", "Idempotency-Key"
        )
    return Posted(
        report=existing, deliveries=queries.deliveries_of(session=session, report=existing), created=False
    )


# --- alerts -----------------------------------------------------------------------------------------


def report_link(report: FieldReport) -> str:
    return f"/reports/{report.id}"


def _tell_at_once(
    session: Session, report: FieldReport, person_ids: set[int], kind: str, message, now
) -> None:
    """In the app, and by e-mail at once unless they turned it off (a digest does not delay it), each in
    their language; in the caller's transaction."""
    notifications.notify_in_their_language(
        session=session,
        person_ids=person_ids,
        kind=kind,
        message=message,
        link=report_link(report),
        now=now,
        urgent=True,
        commit=False,
    )


def _alert(session: Session, report: FieldReport, person_ids: set[int], *, now: datetime) -> None:
    """Tell the people who run the receiving bodies at once."""

    def message() -> tuple[str, str]:
        if report.early_warning:
            title = _(
                "Early warning on %(country)s: %(title)s",
                country=country_name(report.country_code),
                title=report.title,
            )
        else:
            title = _(
                "%(severity)s report on %(country)s: %(title)s",
                severity=label_now("severity", report.severity),
                country=country_name(report.country_code),
                title=report.title,
            )
        return title, _("Please triage it for your body.")

    _tell_at_once(session, report, person_ids, "report.alert", message, now)


def escalate_untriaged_early_warnings(
    *, session: Session, now: datetime, after: timedelta, policy: NeedToKnow, lookback: timedelta
) -> int:
    """An early warning that no receiving body has triaged `after` it was posted goes, once, to the
    steering group's chair and secretary (those of them who may read it). Early warnings older than
    `after + lookback` are left alone: a scheduler that was down for a week does not flood them."""
    due = queries.untriaged_early_warnings(
        session=session, posted_before=now - after, posted_after=now - after - lookback
    )
    if not due:
        return 0
    graph = structure.organisation_graph(session=session)
    steering_group = structure.get_steering_group(session=session)
    origins = structure.departments_by_id(session=session, ids={r.origin_department_id for r in due})
    hours = round(after.total_seconds() / 3600, 1)
    for report in due:
        report.escalated_at = now
        session.add(report)
        people = set()
        if steering_group is not None:
            people = alert_audience(
                graph,
                [steering_group.slug],
                Readability(report.classification, origins[report.origin_department_id].code, policy),
                roles=ESCALATION_ROLES,
            )

        def message(report=report) -> tuple[str, str]:
            return (
                _(
                    "Untriaged early warning on %(country)s: %(title)s",
                    country=country_name(report.country_code),
                    title=report.title,
                ),
                _("No receiving body has triaged it within %(hours)s hours.", hours=f"{hours:g}"),
            )

        _tell_at_once(session, report, people, "report.escalation", message, now)
        audit.record(
            session,
            actor_id=None,
            action="report.escalate",
            object_type="field_report",
            object_id=report.id,
            notified=len(people),
        )
        session.commit()
    return len(due)


def _tell_reporter(session: Session, report: FieldReport, actor: "Person", message, *, now: datetime) -> None:
    """The loop back to the field: the reporter hears of every triage step and comment on their report,
    in their language (not of their own)."""
    if report.author_id == actor.id:
        return
    notifications.notify_in_their_language(
        session=session,
        person_ids={report.author_id},
        kind="report.feedback",
        message=message,
        link=report_link(report),
        now=now,
        commit=False,
    )


# --- reading ----------------------------------------------------------------------------------------


def open_report(*, session: Session, person: "Person", report: FieldReport) -> None:
    """Mark the report read by this person; opening a classified report is audited every time.

    Opening is a read: the receipt and the audit event are written together in a transaction of their
    own that neither makes the page wait for another writer nor fails it (`db.write_soon`: at once when
    the database is free, else after the response). The writes read nothing, so on SQLite they never
    work from a stale snapshot. Only plain values go into them: they may run in another thread."""
    from coordination.db import write_soon

    person_id, report_id, classification, opened_at = person.id, report.id, report.classification, utcnow()

    def record(write: Session) -> None:
        insert = (postgresql if write.get_bind().dialect.name == "postgresql" else sqlite).insert
        write.execute(
            insert(ReportRead)
            .values(report_id=report_id, person_id=person_id, read_at=opened_at)
            .on_conflict_do_nothing()
        )
        audit.add_opening(
            write,
            actor_id=person_id,
            action="report.open",
            object_type="field_report",
            object_id=report_id,
            classification=classification,
            at=opened_at,
        )

    audited = "" if classification == Clearance.unclassified else " and report.open audit event"
    write_soon(
        session,
        record,
        what=f"read receipt{audited} of field report {report_id} ({classification}) by person {person_id} "
        f"at {opened_at.isoformat()}",
    )


# --- triage -----------------------------------------------------------------------------------------


def triage(
    *,
    session: Session,
    person: "Person",
    report: FieldReport,
    to_status: TriageStatus | str,
    comment: str = "",
    body: "Body | None" = None,
    now: datetime | None = None,
) -> ReportComment:
    """Move one receiving body's delivery of a report along new -> under review -> validated or
    dismissed -> archived. `body` may be left out when the person triages in only one receiving body."""
    now = now or utcnow()
    try:
        to_status = TriageStatus(to_status)
    except ValueError as exc:
        raise ReportError(f"unknown status {to_status}", "status") from exc
    mine = queries.triage_bodies(session=session, viewer=person, report=report)
    if not mine:
        raise NotAllowed(
            "only members of a task force or the steering group that received the report triage it"
        )
    if body is None:
        if len(mine) > 1:
            names = ", ".join(b.name for b in mine)
            raise ReportError(f"say for which body you triage it: {names}", "body")
        body = mine[0]
    elif body.id not in {b.id for b in mine}:
        raise NotAllowed(f"you do not triage for {body.name}, or it did not receive this report")
    delivery = queries.delivery_to(session=session, report=report, body_id=body.id)
    session.refresh(delivery, with_for_update=True)  # the step depends on the status: hold it until commit
    from_status = TriageStatus(delivery.status)
    if _moved_past(from_status, to_status):
        raise TriageConflict(
            _(
                "%(body)s has already moved this report on (status: %(status)s).",
                body=body.name,
                status=label_now("report_status", from_status),
            ),
            "status",
        )
    if to_status not in TRIAGE_TRANSITIONS[from_status]:
        raise ReportError(
            f"{body.name}: a {from_status.value} report cannot become {to_status.value}", "status"
        )
    delivery.status = to_status
    delivery.status_changed_at = now
    delivery.holder_id = person.id
    report.updated_at = now
    step = ReportComment(
        report_id=report.id,
        author_id=person.id,
        body_id=body.id,
        body=comment.strip(),
        from_status=from_status,
        to_status=to_status,
        created_at=now,
    )
    session.add_all([delivery, report, step])
    audit.record(
        session,
        actor_id=person.id,
        action="report.triage",
        object_type="field_report",
        object_id=report.id,
        body=body.slug,
        from_status=from_status.value,
        to_status=to_status.value,
    )

    def message() -> tuple[str, str]:
        title = _(
            "%(body)s: your report “%(title)s” is now %(status)s",
            body=body.name,
            title=report.title,
            status=label_now("report_status", to_status),
        )
        return title, step.body

    _tell_reporter(session, report, person, message, now=now)
    session.commit()
    return step


def add_comment(
    *, session: Session, person: "Person", report: FieldReport, body: str, now: datetime | None = None
) -> ReportComment:
    """A remark by anyone who can see the report; the reporter sees it on their report and is told."""
    now = now or utcnow()
    body = body.strip()
    if not body:
        raise ReportError("write a comment", "body")
    comment = ReportComment(report_id=report.id, author_id=person.id, body=body, created_at=now)
    session.add(comment)
    audit.record(
        session, actor_id=person.id, action="report.comment", object_type="field_report", object_id=report.id
    )
    _tell_reporter(
        session,
        report,
        person,
        lambda: (
            _("%(name)s commented on your report “%(title)s”", name=person.name, title=report.title),
            body,
        ),
        now=now,
    )
    session.commit()
    return comment


def forward(
    *,
    session: Session,
    person: "Person",
    report: FieldReport,
    body: "Body",
    policy: NeedToKnow,
    now: datetime | None = None,
) -> Delivery:
    """Pass a report on to another body; refused for restricted distribution. An early warning or a
    high-severity report alerts the people who run that body, as posting does."""
    now = now or utcnow()
    if report.restricted_distribution:
        raise NotAllowed("restricted distribution: this report stays with the bodies it was routed to")
    mine = [b.id for b in structure.seats_of(session=session, person_id=person.id)]
    if not queries.received_by_any(session=session, report=report, body_ids=mine):
        raise NotAllowed("only members of a body that received the report forward it")
    existing = queries.delivery_to(session=session, report=report, body_id=body.id)
    if existing:
        return existing
    delivery = Delivery(
        report_id=report.id,
        body_id=body.id,
        rule="forwarded",
        reason=f"forwarded by {person.name}",
        forwarded_by_id=person.id,
        delivered_at=now,
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
    if needs_alert(early_warning=report.early_warning, severity=report.severity):
        origin = structure.departments_by_id(session=session, ids=[report.origin_department_id])
        people = alert_audience(
            structure.organisation_graph(session=session),
            [body.slug],
            Readability(report.classification, origin[report.origin_department_id].code, policy),
            exclude={person.id},
        )
        _alert(session, report, people, now=now)
    session.commit()
    return delivery


# --- hand-over to a new task force ------------------------------------------------------------------

HAND_OVER_DAYS = 90
OPEN_STATUSES = (TriageStatus.new, TriageStatus.under_review, TriageStatus.validated)


def hand_over(*, session: Session, task_force: "Body", now: datetime, days: int = HAND_OVER_DAYS) -> int:
    """Deliver to a task force that has just become active the open reports of the last `days` that the
    routing rules would now send it (its countries or themes, the steering group's early-warning queue
    included; strategic intelligence stays with the steering group), with the reason "handed over at
    set-up". No commit; returns how many were handed over."""
    graph = structure.organisation_graph(session=session)
    candidates = queries.hand_over_candidates(
        session=session,
        body_id=task_force.id,
        countries=structure.body_country_codes(session=session, body_id=task_force.id),
        themes=list(task_force.themes),
        since=now - timedelta(days=days),
        statuses=OPEN_STATUSES,
    )
    missions = structure.missions_by_id(session=session, ids={r.mission_id for r in candidates})
    handed = []
    for report in candidates:
        mission = missions.get(report.mission_id)
        for recipient in route_report(_facts(report, mission.code if mission else None), graph):
            if recipient.body == task_force.slug:
                handed.append(
                    Delivery(
                        report_id=report.id,
                        body_id=task_force.id,
                        rule="handed_over",
                        reason=f"handed over at set-up: {recipient.reason}"[:300],
                        delivered_at=now,
                    )
                )
    session.add_all(handed)
    if handed:
        audit.record(
            session,
            actor_id=None,
            action="report.hand_over",
            object_type="body",
            object_id=task_force.slug,
            count=len(handed),  # no report ids: the audit log's reader may not see them all
        )
    return len(handed)
