"""Limits on what a request may carry, so that no input reaches the database or the parser unbounded:
ids in paths within the database's integer range, a request size limit, JSON of bounded depth with
finite numbers only."""

import json
import math

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from coordination.api.problems import problem
from coordination.types import MAX_ID  # noqa: E402

MAX_JSON_DEPTH = 64
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # a people import of 20,000 rows is about 2 MB


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: 1 .. MAX_ID, so a larger number is a 404, never an overflow."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class InputTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


def json_depth_within(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests no deeper than `limit` (brackets inside strings do not count). A scan
    before parsing: Python's parser would otherwise recurse until it fails."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class StrictJSONProvider(DefaultJSONProvider):
    """Request bodies: refuse NaN, Infinity, numbers that overflow to infinity and deep nesting (Flask
    answers a 400 for any of them, as for malformed JSON)."""

    def loads(self, s, **kwargs):
        text = s.decode("utf-8") if isinstance(s, bytes | bytearray) else s
        if not json_depth_within(text):
            raise InputTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant, **kwargs)


def nul_fields(value, path: str = "") -> list[str]:
    """Where a NUL character occurs in parsed JSON (its keys included): the dotted path of each. No
    database column stores one (PostgreSQL refuses it), so no text may carry it."""
    found = []
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if "\x00" in str(key) else nul_fields(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += nul_fields(item, f"{path}.{index}" if path else str(index))
    return found


def _refuse_malformed_json():
    """A JSON body that does not parse is a 400 problem that says what is wrong and where (not a 422 that
    the body "should be a valid dictionary"): parsed once here, the API's validation reuses the result."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.is_json:
        return None
    if not request.path.startswith("/api/") or not request.get_data(cache=True):
        return None
    try:
        request.get_json()
    except BadRequest:
        try:  # again, only to name what is wrong (Flask's own error hides it outside debug mode)
            current_app.json.loads(request.get_data(cache=True))
            reason = "it could not be read"
        except (ValueError, RecursionError) as error:
            reason = str(error)
        return problem(400, f"The body is not valid JSON: {reason}", title="Malformed JSON")
    return None


def _refuse_nul():
    """Refuse a NUL character anywhere in the query string, form fields or JSON body: a 422 problem naming
    the fields on the API, a 400 page naming them on pages."""
    fields = [name for name, value in request.args.items(multi=True) if "\x00" in name + value]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            fields += nul_fields(request.get_json(silent=True))
        else:
            fields += [name for name, value in request.form.items(multi=True) if "\x00" in name + value]
    if not fields:
        return None
    fields = list(dict.fromkeys(fields))
    message = _("Text may not contain a NUL character (\\u0000): %(fields)s.", fields=", ".join(fields))
    if request.path.startswith("/api/"):
        errors = [
            {"field": name, "message": "contains a NUL character", "type": "nul_character"} for name in fields
        ]
        return problem(422, message, title="Unprocessable Content", errors=errors)
    abort(400, description=message)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.json = StrictJSONProvider(app)
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_REQUEST_BYTES)
    app.before_request(_refuse_malformed_json)
    app.before_request(_refuse_nul)
