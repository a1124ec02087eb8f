"""A bare reference endpoint for the benchmark (bench/run.py), registered only with BENCH_REFERENCE.

`POST /bench/reference` stores the JSON body it receives as one row of a table of its own, with no
sign-in, validation, routing or audit: the ceiling that field-report ingest is compared with. The table
is created on first use (it is no part of the schema and has no migration).
"""

import json
import threading
from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import text

bp = Blueprint("benchref", __name__)
_created: set[str] = set()
_lock = threading.Lock()


def _ensure_table(connection) -> None:
    key = connection.engine.url.render_as_string(hide_password=True)
    if key in _created:
        return
    with _lock:
        identity = "integer PRIMARY KEY" if connection.dialect.name == "sqlite" else "bigserial PRIMARY KEY"
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS bench_reference (id {identity}, title varchar(200) NOT NULL, "
            "body text NOT NULL, payload text NOT NULL, created_at timestamp NOT NULL)"
        )
        _created.add(key)


@bp.post("/bench/reference")
def reference():
    data = request.get_json(silent=True) or {}
    engine = current_app.extensions["coordination.engine"]
    with engine.begin() as connection:
        _ensure_table(connection)
        row_id = connection.execute(
            text(
                "INSERT INTO bench_reference (title, body, payload, created_at) "
                "VALUES (:title, :body, :payload, :created_at) RETURNING id"
            ),
            {
                "title": str(data.get("title", ""))[:200],
                "body": str(data.get("body", "")),
                "payload": json.dumps({k: v for k, v in data.items() if k not in ("title", "body")}),
                "created_at": datetime.now(UTC).replace(tzinfo=None),
            },
        ).scalar()
    return jsonify(id=row_id), 201


def init_app(app: Flask) -> None:
    if app.config.get("BENCH_REFERENCE"):
        app.register_blueprint(bp)
        app.extensions["csrf"].exempt(bp)
