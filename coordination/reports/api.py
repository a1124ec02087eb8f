"""API endpoints for field reports: post (idempotent), read, inbox, mark read, triage, comment; and the
API types of reports."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app, g, request
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination import exports
from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem, problem
from coordination.classification import Clearance, NeedToKnow
from coordination.db import get_session, reads_before_writing, session_for_stream
from coordination.reports import queries, service
from coordination.reports.enums import (
    InformationCredibility,
    IntelligenceLevel,
    ReportKind,
    Severity,
    SourceReliability,
    TriageStatus,
)
from coordination.reports.models import FieldReport, ReportCreate
from coordination.structure import queries as structure
from coordination.types import RequestBody

if TYPE_CHECKING:
    from coordination.structure.models import Person


class AuthorPublic(BaseModel):
    id: int
    name: str


class DeliveryPublic(BaseModel):
    body: str
    body_name: str
    rule: str
    reason: str
    delivered_at: datetime
    status: TriageStatus = Field(description="This body's own triage of the report")
    status_changed_at: datetime | None = None
    holder: AuthorPublic | None = Field(default=None, description="Who moved it last in this body")


class ReportPublic(BaseModel):
    id: int
    title: str
    body: str
    body_html: str
    country_code: str
    themes: list[str]
    severity: Severity
    early_warning: bool
    classification: Clearance
    restricted_distribution: bool
    source_reliability: SourceReliability | None
    information_credibility: InformationCredibility | None
    kind: ReportKind
    intelligence_level: IntelligenceLevel | None
    updates_report_id: int | None = Field(description="Only when the caller may see the report it updates")
    escalated_at: datetime | None = Field(
        description="When this early warning, untriaged, went to the steering group's chair and secretary"
    )
    mission: str | None
    author: AuthorPublic
    created_at: datetime
    updated_at: datetime
    place_id: str | None = Field(
        default=None, description="The gazetteer's place: geonames:<id> (a town) or iso3166-2:<code>"
    )
    place_name: str | None = Field(default=None, description="Where it happened, e.g. Goma, Nord-Kivu")
    latitude: float | None = Field(default=None, description="Decimal degrees (WGS 84)")
    longitude: float | None = Field(default=None, description="Decimal degrees (WGS 84)")
    event_at: datetime | None = Field(default=None, description="When it happened (posting is created_at)")
    deliveries: list[DeliveryPublic] = []


class InboxEntry(BaseModel):
    report: ReportPublic
    via: list[str]
    unread: bool
    statuses: dict[str, TriageStatus] = Field(
        description="Each body it came through (slug), with that body's own triage status"
    )


class InboxPublic(BaseModel):
    unread: int = Field(description="Unread reports, counted up to 99 (99 means 99 or more).")
    items: list[InboxEntry]
    older: str | None = Field(
        description="Where the next page starts: pass it as `older` with the same filters; null on the last "
        "page."
    )


def report_publics(
    session: Session, reports: list[FieldReport], *, with_deliveries: bool = True
) -> list[ReportPublic]:
    """API types for many reports the caller may see, in a fixed number of queries (authors, missions,
    deliveries batched). The report a report updates is named only when the caller may see it too."""
    ids = [r.id for r in reports]
    updated = queries.visible_ids(
        session=session,
        viewer=g.api_person,
        policy=_policy(),
        ids=[r.updates_report_id for r in reports if r.updates_report_id],
    )
    author_ids = {r.author_id for r in reports}
    mission_ids = {r.mission_id for r in reports if r.mission_id}
    authors = structure.people_by_id(session=session, ids=author_ids)
    missions = structure.missions_by_id(session=session, ids=mission_ids)
    deliveries: dict[int, list[DeliveryPublic]] = {report_id: [] for report_id in ids}
    if with_deliveries and ids:
        rows = queries.deliveries_of_many(session=session, report_ids=ids)
        bodies = structure.bodies_by_id(session=session, ids={d.body_id for d in rows})
        holders = structure.people_by_id(session=session, ids={d.holder_id for d in rows if d.holder_id})
        for d in rows:
            body = bodies[d.body_id]
            holder = holders.get(d.holder_id)
            deliveries[d.report_id].append(
                DeliveryPublic(
                    body=body.slug,
                    body_name=body.name,
                    rule=d.rule,
                    reason=d.reason,
                    delivered_at=d.delivered_at,
                    status=d.status,
                    status_changed_at=d.status_changed_at,
                    holder=AuthorPublic(id=holder.id, name=holder.name) if holder else None,
                )
            )
    return [
        ReportPublic(
            **{name: getattr(report, name) for name in REPORT_FIELDS - {"updates_report_id"}},
            updates_report_id=report.updates_report_id if report.updates_report_id in updated else None,
            mission=missions[report.mission_id].code if report.mission_id else None,
            author=AuthorPublic(id=report.author_id, name=authors[report.author_id].name),
            deliveries=deliveries[report.id],
        )
        for report in reports
    ]


def posted_public(posted, author: "Person", mission_code: str | None) -> ReportPublic:
    """The API type of a report just posted, from what posting already holds (no query: on SQLite the
    request still holds the write lock while it answers)."""
    report = posted.report
    return ReportPublic(
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        mission=mission_code,
        author=AuthorPublic(id=author.id, name=author.name),
        deliveries=[
            DeliveryPublic(
                body=posted.bodies[d.body_id].slug,
                body_name=posted.bodies[d.body_id].name,
                rule=d.rule,
                reason=d.reason,
                delivered_at=d.delivered_at,
                status=d.status,
            )
            for d in posted.deliveries
        ],
    )


def report_public(session: Session, report: FieldReport, *, with_deliveries: bool = True) -> ReportPublic:
    return report_publics(session, [report], with_deliveries=with_deliveries)[0]


REPORT_FIELDS = {
    "id",
    "title",
    "body",
    "body_html",
    "country_code",
    "themes",
    "severity",
    "early_warning",
    "classification",
    "restricted_distribution",
    "source_reliability",
    "information_credibility",
    "kind",
    "intelligence_level",
    "updates_report_id",
    "escalated_at",
    "created_at",
    "updated_at",
    "place_id",
    "place_name",
    "latitude",
    "longitude",
    "event_at",
}


REPORTS_TAG = Tag(name="field reports", description="Upstream: field reports, intelligence briefs, triage")


class ReportPath(BaseModel):
    report_id: int = Field(ge=1)


class InboxQuery(BaseModel):
    body: str | None = Field(
        default=None, max_length=80, description="Only what came through this body (slug)"
    )
    country: str | None = Field(default=None, max_length=3)
    severity: Severity | None = None
    unread: bool = False
    limit: int = Field(default=100, ge=1, le=500, description="Reports on this page")
    older: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[0-9]{1,17}-[0-9]{1,18}$",
        description="The `older` of the page before: the page then starts after it (newest delivery first)",
    )


class TriageRequest(RequestBody):
    status: TriageStatus
    comment: str = Field(default="", max_length=10_000)
    body: str | None = Field(
        default=None,
        max_length=80,
        description="The receiving body (slug) the caller triages for; needed only when they triage in "
        "more than one of the bodies that received the report",
    )


class CommentRequest(RequestBody):
    body: str = Field(min_length=1, max_length=10_000)


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _visible(report_id: int):
    return queries.get_visible_report(
        session=get_session(), viewer=g.api_person, report_id=report_id, policy=_policy()
    )


def _not_found(report_id: int):
    return problem(404, f"No field report {report_id}.")


@api.post(
    "/field-reports",
    tags=[REPORTS_TAG],
    security=BEARER,
    responses={201: ReportPublic, 200: ReportPublic, 403: Problem, 409: Problem, 422: Problem},
    summary="Post a field report or intelligence brief; it is routed at once",
    description="Send an `Idempotency-Key` header to make retries safe: the same key and body return the "
    "report created the first time (200) and create nothing; the same key with another body is a 409.",
)
def post_field_report(body: ReportCreate):
    session = get_session()
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key and len(key) > 200:
        return problem(
            422,
            "Idempotency-Key is longer than 200 characters",
            errors=[{"field": "Idempotency-Key", "message": "too long", "type": "string_too_long"}],
        )
    with reads_before_writing(session):
        prepared = service.prepare_report(
            session=session,
            author=g.api_person,
            data=body,
            graph=structure.organisation_graph(session=session),
            policy=_policy(),
            idempotency_key=key,
        )
    posted = (
        prepared
        if isinstance(prepared, service.Posted)
        else service.store_report(session=session, prepared=prepared)
    )
    public = (
        posted_public(posted, g.api_person, body.mission_code and body.mission_code.upper())
        if posted.created
        else report_public(session, posted.report)
    )
    response = json_response(public, 201 if posted.created else 200)
    response.headers["Location"] = f"/api/v1/field-reports/{posted.report.id}"
    if key and not posted.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@api.get("/field-reports/<int:report_id>", tags=[REPORTS_TAG], security=BEARER, responses={200: ReportPublic})
def get_field_report(path: ReportPath):
    session = get_session()
    report = _visible(path.report_id)
    if report is None:
        return _not_found(path.report_id)
    service.open_report(session=session, person=g.api_person, report=report)
    return json_response(report_public(session, report))


@api.post("/field-reports/<int:report_id>/read", tags=[REPORTS_TAG], security=BEARER, responses={204: None})
def mark_field_report_read(path: ReportPath):
    report = _visible(path.report_id)
    if report is None:
        return _not_found(path.report_id)
    service.open_report(session=get_session(), person=g.api_person, report=report)
    return "", 204


@api.post(
    "/field-reports/<int:report_id>/triage",
    tags=[REPORTS_TAG],
    security=BEARER,
    responses={200: ReportPublic, 403: Problem, 409: Problem, 422: Problem},
    summary="Move a receiving body's delivery of a report along new -> under_review -> validated | "
    "dismissed -> archived (each body triages its own)",
)
def triage_field_report(path: ReportPath, body: TriageRequest):
    session = get_session()
    report = _visible(path.report_id)
    if report is None:
        return _not_found(path.report_id)
    triaging_body = None
    if body.body:
        triaging_body = structure.find_body(session=session, slug=body.body)
        if triaging_body is None:
            return problem(
                422,
                f"No body {body.body}.",
                errors=[{"field": "body", "message": "unknown body", "type": "rule"}],
            )
    service.triage(
        session=session,
        person=g.api_person,
        report=report,
        body=triaging_body,
        to_status=body.status,
        comment=body.comment,
    )
    return json_response(report_public(session, report))


@api.post(
    "/field-reports/<int:report_id>/comments",
    tags=[REPORTS_TAG],
    security=BEARER,
    responses={201: None, 422: Problem},
)
def comment_field_report(path: ReportPath, body: CommentRequest):
    report = _visible(path.report_id)
    if report is None:
        return _not_found(path.report_id)
    service.add_comment(session=get_session(), person=g.api_person, report=report, body=body.body)
    return "", 201


@api.get("/inbox", tags=[REPORTS_TAG], security=BEARER, responses={200: InboxPublic})
def get_inbox(query: InboxQuery):
    session = get_session()
    items = queries.inbox(
        session=session,
        viewer=g.api_person,
        policy=_policy(),
        body_slug=query.body,
        country=query.country,
        severity=query.severity,
        unread_only=query.unread,
        limit=query.limit + 1,
        after=queries.InboxPlace.from_token(query.older) if query.older else None,
    )
    older = items[query.limit - 1].place.token() if len(items) > query.limit else None
    items = items[: query.limit]
    counts = queries.unread_counts(session=session, viewer=g.api_person, policy=_policy())
    reports = report_publics(session, [item.report for item in items], with_deliveries=False)
    entries = [
        InboxEntry(
            report=report,
            via=[b.slug for b in item.via],
            unread=item.unread,
            statuses={b.slug: item.statuses[b.id] for b in item.via},
        )
        for report, item in zip(reports, items, strict=True)
    ]
    return json_response(InboxPublic(unread=counts.get("", 0), items=entries, older=older))


class ExportQuery(BaseModel):
    body: str | None = Field(
        default=None, max_length=80, description="Only what came through this body (slug)"
    )
    country: str | None = Field(default=None, max_length=3)
    severity: Severity | None = None
    unread: bool = False


def _export(fmt: str, query: ExportQuery):
    """The inbox with its filters, every report of it, streamed (as the page's export)."""
    session = session_for_stream()
    filters = {
        "body_slug": query.body,
        "country": query.country,
        "severity": query.severity,
        "unread_only": query.unread,
    }
    batches = queries.inbox_batches(
        session=session, viewer=g.api_person, policy=_policy(), batch=exports.BATCH, **filters
    )
    return exports.streamed(
        session=session,
        fmt=fmt,
        columns=queries.EXPORT_COLUMNS,
        batches=([queries.export_row(item) for item in items] for items in batches),
        filename="reports",
        on_end=exports.audited(
            session,
            actor_id=g.api_person.id,
            action="report.export",
            object_type="field_report",
            filters=filters,
        ),
    )


EXPORT_SUMMARY = "Every report of the inbox with its filters, newest first (not only the latest page)"


@api.get(
    "/field-reports/export.csv",
    tags=[REPORTS_TAG],
    security=BEARER,
    responses={200: exports.openapi_response("csv", "The reports"), 422: Problem},
    summary=EXPORT_SUMMARY,
)
def export_field_reports_csv(query: ExportQuery):
    return _export("csv", query)


@api.get(
    "/field-reports/export.jsonl",
    tags=[REPORTS_TAG],
    security=BEARER,
    responses={200: exports.openapi_response("jsonl", "The reports"), 422: Problem},
    summary=EXPORT_SUMMARY,
)
def export_field_reports_jsonl(query: ExportQuery):
    return _export("jsonl", query)
