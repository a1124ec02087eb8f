"""API endpoints for situation reports, and their API types."""

from datetime import UTC, date, datetime

from flask import Response, current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel
from sqlmodel import Session

from coordination import playmode
from coordination.api import (
    BEARER,
    IdPath,
    SlugPath,
    api,
    json_response,
    pdf_openapi,
    pdf_response,
    preconditions,
)
from coordination.api.problems import Problem, problem
from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.db import get_session
from coordination.sitreps import exports, queries, service
from coordination.sitreps.enums import SitrepStatus
from coordination.sitreps.models import SituationReport
from coordination.standards import edxl
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind
from coordination.types import RequestBody

SITREPS_TAG = Tag(name="situation reports", description="Situation reports of task forces")
ERRORS = {403: Problem, 404: Problem, 422: Problem}


class SitrepIn(RequestBody):
    period_start: date
    period_end: date


class SitrepOut(BaseModel):
    """A situation report; its ETag versions the text and marking."""

    model_config = preconditions.VERSIONED

    id: int
    task_force: str
    period_start: date
    period_end: date
    status: SitrepStatus
    classification: Clearance
    body: str
    submitted_at: datetime | None


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _sitrep_out(session: Session, s: SituationReport) -> SitrepOut:
    return SitrepOut(
        id=s.id,
        task_force=structure.bodies_by_id(session=session, ids=[s.task_force_id])[s.task_force_id].slug,
        period_start=s.period_start,
        period_end=s.period_end,
        status=s.status,
        classification=s.classification,
        body=s.body,
        submitted_at=s.submitted_at,
    )


def _sitrep_response(session: Session, sitrep: SituationReport):
    return preconditions.with_etag(json_response(_sitrep_out(session, sitrep)), queries.version(sitrep))


def _visible(session: Session, sitrep_id: int) -> SituationReport | None:
    return queries.get_visible_sitrep(
        session=session, viewer=g.api_person, policy=_policy(), sitrep_id=sitrep_id
    )


@api.post(
    "/task-forces/<slug>/situation-reports",
    tags=[SITREPS_TAG],
    security=BEARER,
    responses={201: SitrepOut, **ERRORS},
    summary="Compile a draft situation report for a period, from what the caller may see",
)
def compile_sitrep(path: SlugPath, body: SitrepIn):
    session = get_session()
    task_force = structure.find_body(session=session, slug=path.slug)
    if task_force is None or task_force.kind != BodyKind.task_force:
        return problem(404, f"No task force {path.slug}.")
    sitrep = service.compile_draft(
        session=session,
        person=g.api_person,
        policy=_policy(),
        task_force=task_force,
        period_start=body.period_start,
        period_end=body.period_end,
        now=datetime.now(UTC),
    )
    return json_response(_sitrep_out(session, sitrep), 201)


@api.get(
    "/situation-reports/<int:item_id>",
    tags=[SITREPS_TAG],
    security=BEARER,
    responses={200: SitrepOut, 404: Problem},
)
def get_sitrep(path: IdPath):
    session = get_session()
    sitrep = _visible(session, path.item_id)
    if sitrep is None:
        return problem(404, f"No situation report {path.item_id}.")
    audit.record_opening(
        session,
        actor_id=g.api_person.id,
        action="sitrep.open",
        object_type="situation_report",
        object_id=sitrep.id,
        classification=sitrep.classification,
    )
    return _sitrep_response(session, sitrep)


@api.get(
    "/situation-reports/<int:item_id>/edxl-sitrep.xml",
    tags=[SITREPS_TAG],
    security=BEARER,
    responses={
        200: {
            "description": "The EDXL-SitRep 1.0 document (UTF-8 XML)",
            "content": {edxl.MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        404: Problem,
    },
    summary="A submitted situation report as EDXL-SitRep 1.0 XML (a draft is not exported)",
)
def get_sitrep_edxl(path: IdPath):
    session = get_session()
    sitrep = _submitted_opened(session, path.item_id, "sitrep.edxl")
    if sitrep is None:
        return problem(404, f"No submitted situation report {path.item_id}.")
    return Response(
        exports.edxl_of(session=session, sitrep=sitrep, base_url=playmode.base_url()),
        mimetype=edxl.MEDIA_TYPE,
    )


@api.get(
    "/situation-reports/<int:item_id>.pdf",
    tags=[SITREPS_TAG],
    security=BEARER,
    responses={200: pdf_openapi("The situation report"), 404: Problem},
    summary="A submitted situation report printed, as the page's PDF (a draft is not printed)",
)
def get_sitrep_pdf(path: IdPath):
    session = get_session()
    sitrep = _submitted_opened(session, path.item_id, "sitrep.pdf")
    if sitrep is None:
        return problem(404, f"No submitted situation report {path.item_id}.")
    return pdf_response(exports.pdf_of(session=session, sitrep=sitrep), f"situation-report-{sitrep.id}.pdf")


def _submitted_opened(session: Session, sitrep_id: int, action: str) -> SituationReport | None:
    """A submitted situation report the caller may see, its opening audited as `action`; None otherwise."""
    sitrep = _visible(session, sitrep_id)
    if sitrep is None or sitrep.status != SitrepStatus.submitted:
        return None
    audit.record_opening(
        session,
        actor_id=g.api_person.id,
        action=action,
        object_type="situation_report",
        object_id=sitrep.id,
        classification=sitrep.classification,
    )
    return sitrep


@api.post(
    "/situation-reports/<int:item_id>/submit",
    tags=[SITREPS_TAG],
    security=BEARER,
    responses={200: SitrepOut, **ERRORS, 409: Problem, 412: Problem},
    summary="Submit the draft to the steering group",
    description=preconditions.PRECONDITION_DESCRIPTION,
)
def submit_sitrep(path: IdPath, header: preconditions.IfMatch):
    session = get_session()
    sitrep = _visible(session, path.item_id)
    if sitrep is None:
        return problem(404, f"No situation report {path.item_id}.")
    service.submit(
        session=session,
        person=g.api_person,
        sitrep=sitrep,
        now=datetime.now(UTC),
        expected_version=preconditions.expected_version(header),
    )
    return _sitrep_response(session, sitrep)
