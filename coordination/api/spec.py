"""The OpenAPI document as sent: errors are problem details (RFC 9457) served as
`application/problem+json`, and a 422 carries the object that names each field, never an array. Every
operation that takes a body may answer 400 (malformed JSON) and 413 (too large)."""

import copy
from functools import cache

import flask_openapi3.utils
from flask_openapi3 import OpenAPI

PROBLEM_MEDIA_TYPE = "application/problem+json"
VALIDATION_SCHEMA = {"$ref": "#/components/schemas/ValidationProblem"}


def describe_problems_as_sent(spec: dict) -> dict:
    """Rewrite every error response (4xx, 5xx) of the document in place to say what is sent."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                responses.setdefault("400", {"description": "The body is not valid JSON"})
                responses.setdefault("413", {"description": "The body is larger than the limit"})
            for status, response in operation.get("responses", {}).items():
                if not str(status).isdigit() or int(status) < 400:
                    continue
                content = response.get("content") or {}
                schema = next(iter(content.values()), {}).get(
                    "schema", {"$ref": "#/components/schemas/Problem"}
                )
                if int(status) == 422:
                    schema = VALIDATION_SCHEMA
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": schema}}
                # An answer of the operation's own shape (the people import's 422 lists its row errors)
                # stays JSON, beside the problem the same status has for invalid parameters.
                response["content"].update(
                    {media: body for media, body in content.items() if _is_own_shape(body.get("schema"))}
                )
    return spec


def _is_own_shape(schema: dict | None) -> bool:
    """A model the operation declared for this status, not a problem (nor flask-openapi3's default 422,
    an array of them)."""
    ref = (schema or {}).get("$ref", "")
    return bool(ref) and not ref.endswith("Problem")


class CoordinationOpenAPI(OpenAPI):
    """flask-openapi3's app, whose generated document describes problem responses as they are sent."""

    def generate_spec_json(self):
        super().generate_spec_json()
        describe_problems_as_sent(self.spec_json)


def _schema_once_per_model(model_schema):
    """flask-openapi3 asks for a model's JSON schema at each route that names it (the problem model 346
    times, 575 asks for 113 models): a second of every worker's start. Each model's schema is made once;
    each caller gets its own copy, as the callers change what they get."""
    made = cache(model_schema)

    def schema_of(model, mode="validation"):
        return copy.deepcopy(made(model, mode))

    schema_of.made = made
    return schema_of


if not hasattr(flask_openapi3.utils.get_model_schema, "made"):
    flask_openapi3.utils.get_model_schema = _schema_once_per_model(flask_openapi3.utils.get_model_schema)
