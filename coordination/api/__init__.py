"""The JSON API under /api/v1: thin views over the same services as the pages."""

from flask import Flask, current_app, g, request
from flask_openapi3 import APIBlueprint, Tag

from coordination.api.problems import Problem, problem
from coordination.auth import service as auth
from coordination.db import get_session
from coordination.rules import Forbidden, RuleViolation

BEARER = [{"bearerAuth": []}]
PUBLIC_ENDPOINTS = {"api.issue_token"}

api = APIBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    abp_responses={401: Problem, 404: Problem},
)

AUTH_TAG = Tag(name="auth", description="Bearer tokens for programs")
STRUCTURE_TAG = Tag(name="structure", description="Departments, missions, bodies and people")


@api.before_request
def _authenticate():
    """Every API call but the token request carries `Authorization: Bearer <token>`."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    person = None
    if scheme.lower() == "bearer" and token:
        person = auth.person_for_token(
            session=get_session(),
            token=token.strip(),
            production=current_app.config["COORDINATION_ENV"] == "production",
        )
    if person is None:
        response = problem(401, "A valid bearer token is required (POST /api/v1/auth/token).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="coordination"'
        return response
    g.api_person = person
    # End the read transaction of the token check: on SQLite a writing request takes the write lock
    # when its transaction begins, and it should not hold it while the request body is validated.
    get_session().commit()
    return None


@api.errorhandler(Forbidden)
def _forbidden(error: Forbidden):
    return problem(403, str(error))


@api.errorhandler(RuleViolation)
def _rule_violation(error: RuleViolation):
    field = error.field or "body"
    return problem(error.status, str(error), errors=[{"field": field, "message": str(error), "type": "rule"}])


def init_app(app: Flask) -> None:
    from coordination.api import decisions, planning, reports, search, steering, views  # noqa: F401  (registers endpoints)

    app.register_api(api)
    app.extensions["csrf"].exempt(api)
