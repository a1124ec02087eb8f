"""RFC 9457 problem details for every API error."""

from http import HTTPStatus

from flask import Response, json
from pydantic import BaseModel, ValidationError

PROBLEM_TYPE = "about:blank"


class FieldProblem(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    type: str = PROBLEM_TYPE
    title: str
    status: int
    detail: str | None = None


class ValidationProblem(Problem):
    errors: list[FieldProblem] = []


def problem(status: int, detail: str | None = None, *, title: str | None = None, **extra) -> Response:
    """A problem-details response; `title` defaults to the status phrase."""
    body = {
        "type": PROBLEM_TYPE,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        **({"detail": detail} if detail else {}),
        **extra,
    }
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def validation_problem(error: ValidationError) -> Response:
    """422 naming each field that failed validation (flask-openapi3's validation_error_callback)."""
    errors = [
        {
            "field": ".".join(str(part) for part in item["loc"]) or "body",
            "message": item["msg"],
            "type": item["type"],
        }
        for item in error.errors(include_url=False)
    ]
    names = ", ".join(e["field"] for e in errors)
    return problem(422, f"Invalid input: {names}", title="Unprocessable Content", errors=errors)
