"""`/healthz`: whether this worker can serve, for a load balancer or a container orchestrator.

It answers without sign-in and says nothing a stranger could use: whether the database answers and
whether its schema is the one the code needs (200), or which of the two fails (503)."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from coordination import db

bp = Blueprint("health", __name__)

HEAD_CHECK_SECONDS = 60
"""How long a worker trusts its last look at the schema revision (reading it scans the migrations)."""


def _schema_at_head(engine) -> bool:
    from coordination.startup import revisions

    cache = current_app.extensions.setdefault("coordination.health", {})
    now = time.monotonic()
    if cache.get("checked_at") is None or now - cache["checked_at"] > HEAD_CHECK_SECONDS or not cache["ok"]:
        current, head = revisions(engine)
        cache.update(checked_at=now, ok=current == head)
    return cache["ok"]


@bp.get("/healthz")
def healthz():
    engine = db.engine_of(current_app)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
        schema = "ok" if _schema_at_head(engine) else "behind"
    except DBAPIError:
        database, schema = "unavailable", "unknown"
    healthy = database == "ok" and schema == "ok"
    response = jsonify(status="ok" if healthy else "unavailable", database=database, schema=schema)
    response.status_code = 200 if healthy else 503
    return response
