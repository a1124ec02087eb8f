"""Optimistic concurrency over HTTP (RFC 9110 ETag and If-Match) for edited texts.

A GET sends `ETag: "<version>"`; an edit that sends `If-Match` with it is refused with 412 if someone
saved meanwhile, and nothing is written. Without If-Match the edit is accepted as before (last save
wins): clients should send it."""

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from coordination.api import api
from coordination.api.problems import problem
from coordination.rules import StaleVersion

ETAG_HEADERS = {
    "ETag": {
        "description": "The version of the text; send it back in If-Match to edit it without overwriting "
        "someone else's save.",
        "schema": {"type": "string"},
    }
}
VERSIONED = ConfigDict(openapi_extra={"headers": ETAG_HEADERS})  # a response model that carries an ETag
PRECONDITION_DESCRIPTION = (
    "Send `If-Match` with the ETag you read: if the text was saved by someone else since, the edit is "
    "refused with 412 (its detail and `ETag` give the current version) and nothing is written. Without "
    "If-Match the edit overwrites whatever is stored."
)


class IfMatch(BaseModel):
    if_match: str = Field(
        default="",
        alias="If-Match",
        max_length=200,
        description='The ETag of the version read, e.g. "3f2a9c0d1b7e4a65"',
    )


def expected_version(header: IfMatch | None) -> str | None:
    """The version an If-Match names (weak or strong, quoted or not); None when absent or `*`."""
    value = (header.if_match if header else "").strip().removeprefix("W/").strip('"')
    return None if value in ("", "*") else value


def with_etag(response: Response, version: str) -> Response:
    response.headers["ETag"] = f'"{version}"'
    return response


@api.errorhandler(StaleVersion)
def _stale_version(error: StaleVersion):
    detail = (
        f"The text changed since it was read: someone else saved it. The current version is "
        f'"{error.current}"; read it again and send that ETag in If-Match.'
    )
    return with_etag(problem(412, detail, etag=f'"{error.current}"'), error.current)
