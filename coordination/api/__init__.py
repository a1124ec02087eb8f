"""The JSON API under /api/v1: the blueprint, bearer authentication and problem responses. Each area's
api.py holds its own endpoints and types."""

from flask import Flask, current_app, g, request
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel, Field

from coordination.api.problems import Problem, problem
from coordination.auth import service as auth
from coordination.db import home_session, reads_before_writing
from coordination.rules import Forbidden, RuleViolation
from coordination.standards import pdf

BEARER = [{"bearerAuth": []}]
PUBLIC_ENDPOINTS = {"api.issue_token"}

api = APIBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    abp_responses={401: Problem, 404: Problem},
)


@api.before_request
def _authenticate():
    """Every API call but the token request carries `Authorization: Bearer <token>`."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    # a read of its own, without SQLite's write lock (a writing request would take it at once here, and
    # then again for its writes): it ends before the body is validated
    with reads_before_writing(home_session()):
        person = bearer_person()
    if person is None:
        response = problem(401, "A valid bearer token is required (POST /api/v1/auth/token).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="coordination"'
        return response
    g.api_person = person
    return None


def bearer_person():
    """The person whose valid token the request carries (`Authorization: Bearer <token>`), else None.
    Tokens are the real site's, in an exercise's API too."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return auth.person_for_token(
        session=home_session(),
        token=token.strip(),
        production=current_app.config["COORDINATION_ENV"] == "production",
    )


class SlugPath(BaseModel):
    slug: str = Field(max_length=80)


class IdPath(BaseModel):
    item_id: int = Field(ge=1)


def json_response(model: BaseModel, status: int = 200):
    """A pydantic model as the JSON body of a response."""
    return current_app.response_class(model.model_dump_json(), status=status, mimetype="application/json")


def pdf_response(data: bytes, filename: str):
    """A printed document, shown inline by a browser that follows the link."""
    return current_app.response_class(
        data, mimetype=pdf.MEDIA_TYPE, headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


def pdf_openapi(what: str) -> dict:
    """The OpenAPI description of a printed document's 200 answer."""
    return {
        "description": f"{what}, printed as PDF (A4, with its classification marking on every page)",
        "content": {pdf.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }


@api.errorhandler(Forbidden)
def _forbidden(error: Forbidden):
    return problem(403, str(error))


@api.errorhandler(RuleViolation)
def _rule_violation(error: RuleViolation):
    field = error.field or "body"
    return problem(error.status, str(error), errors=[{"field": field, "message": str(error), "type": "rule"}])


def init_app(app: Flask) -> None:
    # Each area's api.py adds its endpoints to the blueprint when imported.
    from coordination.alerts import api as alerts_api  # noqa: F401
    from coordination.attachments import api as attachments_api  # noqa: F401
    from coordination.auth import api as auth_api  # noqa: F401
    from coordination.decisions import api as decisions_api  # noqa: F401
    from coordination.exercises import api as exercises_api  # noqa: F401
    from coordination.lessons import api as lessons_api  # noqa: F401
    from coordination.meetings import api as meetings_api  # noqa: F401
    from coordination.planning import api as planning_api  # noqa: F401
    from coordination.reports import api as reports_api  # noqa: F401
    from coordination.search import api as search_api  # noqa: F401
    from coordination.sitreps import api as sitreps_api  # noqa: F401
    from coordination.steering import api as steering_api  # noqa: F401
    from coordination.structure import api as structure_api  # noqa: F401
    from coordination.taskforces import api as task_forces_api  # noqa: F401

    app.register_api(api)
    app.extensions["csrf"].exempt(api)
