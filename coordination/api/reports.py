"""API endpoints for field reports: post (idempotent), read, inbox, mark read, triage, comment."""

from flask import current_app, g, request
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from coordination.api import BEARER, api
from coordination.api.problems import Problem, problem
from coordination.api.views import json_response
from coordination.db import get_session, reads_before_writing
from coordination.reports import service
from coordination.reports.models import ReportCreate, Severity, TriageStatus
from coordination.reports.public import (
    InboxEntry,
    InboxPublic,
    ReportPublic,
    posted_public,
    report_public,
    report_publics,
)
from coordination.routing.graph import organisation_graph

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
    limit: int = Field(default=100, ge=1, le=500)


class TriageRequest(BaseModel):
    status: TriageStatus
    comment: str = Field(default="", max_length=10_000)


class CommentRequest(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


def _policy() -> service.NeedToKnow:
    return service.NeedToKnow.from_config(current_app.config)


def _visible(report_id: int):
    return service.get_visible_report(
        session=get_session(), person=g.api_person, report_id=report_id, policy=_policy()
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
            graph=organisation_graph(session=session),
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
    responses={200: ReportPublic, 403: Problem, 422: Problem},
    summary="Move a report along new -> under_review -> validated | dismissed -> archived",
)
def triage_field_report(path: ReportPath, body: TriageRequest):
    session = get_session()
    report = _visible(path.report_id)
    if report is None:
        return _not_found(path.report_id)
    service.triage(
        session=session, person=g.api_person, report=report, to_status=body.status, comment=body.comment
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
    items = service.inbox(
        session=session,
        person=g.api_person,
        policy=_policy(),
        body_slug=query.body,
        country=query.country,
        severity=query.severity,
        unread_only=query.unread,
        limit=query.limit,
    )
    counts = service.unread_counts(session=session, person=g.api_person, policy=_policy())
    reports = report_publics(session, [item.report for item in items], with_deliveries=False)
    entries = [
        InboxEntry(report=report, via=[b.slug for b in item.via], unread=item.unread)
        for report, item in zip(reports, items, strict=True)
    ]
    return json_response(InboxPublic(unread=counts.get("", 0), items=entries))
