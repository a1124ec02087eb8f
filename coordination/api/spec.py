"""The OpenAPI document as sent: errors are problem details (RFC 9457) served as
`application/problem+json`, and a 422 carries the object that names each field, never an array."""

from flask_openapi3 import OpenAPI

PROBLEM_MEDIA_TYPE = "application/problem+json"
VALIDATION_SCHEMA = {"$ref": "#/components/schemas/ValidationProblem"}


def describe_problems_as_sent(spec: dict) -> dict:
    """Rewrite every error response (4xx, 5xx) of the document in place to say what is sent."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
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
    return spec


class CoordinationOpenAPI(OpenAPI):
    """flask-openapi3's app, whose generated document describes problem responses as they are sent."""

    def generate_spec_json(self):
        super().generate_spec_json()
        describe_problems_as_sent(self.spec_json)
