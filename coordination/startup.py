"""Start-up checks: refuse, in one line, a database that cannot be opened or written or is not at the
schema head, rather than a traceback or a server that answers 500 "no such table"."""

from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

BACKENDS = ("sqlite", "postgresql")


class NotReady(click.ClickException):
    """The database cannot be served; the message says why and what to do, in one line."""


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def check_url(url: str) -> None:
    """Refuse a DATABASE_URL that cannot name a database this app can use (before making an engine)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise NotReady(f"DATABASE_URL is not a database URL: {url.split('@')[-1]!r}") from None
    try:
        parsed.get_dialect()
        known = parsed.get_backend_name() in BACKENDS
    except NoSuchModuleError:
        known = False
    if not known:
        raise NotReady(
            f"DATABASE_URL {safe_url(parsed)}: unknown scheme {parsed.drivername!r} "
            "(use sqlite:///path or postgresql+psycopg://user:pw@host/db)"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        directory = Path(parsed.database).parent
        if not directory.exists():
            try:
                directory.mkdir(parents=True, exist_ok=True)  # first run: as make_engine does
            except OSError as error:
                raise NotReady(
                    f"DATABASE_URL {safe_url(parsed)}: cannot create directory {directory}: {error.strerror}"
                ) from None
        if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
            raise NotReady(
                f"DATABASE_URL {safe_url(parsed)}: directory {directory} is not writable "
                "(SQLite writes its journal files beside the database)"
            )


def _one_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    return " ".join(str(orig).split()) or type(orig).__name__


SCHEMA_HEAD = "0030"
"""The newest migration's revision, so that a worker checks the schema without importing Alembic (10 MB a
worker); tests/test_migrations.py holds it to Alembic's own head."""


def revisions(engine: Engine) -> tuple[str | None, str]:
    """The database's schema revision (None when it has none) and the code's head, in plain SQL."""
    with engine.connect() as connection:
        try:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            connection.rollback()
            current = None  # no alembic_version table: an empty database
    return current, SCHEMA_HEAD


def check_ready(engine: Engine, *, require_head: bool = True) -> None:
    """Refuse a database that cannot be opened or written, or (with `require_head`) is not at the head.

    `coordination serve` checks without `require_head` before it migrates; the WSGI entry (gunicorn),
    which never migrates, requires the head: an empty database is refused too, with the command to run."""
    where = safe_url(engine.url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # a write in a transaction rolled back: fails on a read-only file or directory
                with connection.begin() as transaction:
                    connection.execute(text("CREATE TABLE _coordination_write_check (x INTEGER)"))
                    transaction.rollback()
            elif connection.execute(text("SHOW transaction_read_only")).scalar() == "on":
                raise NotReady(f"database {where} is read-only (a standby?)")
        current, head = revisions(engine) if require_head else (None, None)
    except DBAPIError as error:
        raise NotReady(f"cannot open or write database {where}: {_one_line(error)}") from None
    except OSError as error:  # e.g. a SQLite file that cannot be created
        raise NotReady(f"cannot open database {where}: {error}") from None
    if require_head and current != head:
        raise NotReady(
            f"database {where} is at schema revision {current or 'none (empty)'}, the code needs {head}: "
            "run `coordination db upgrade` first"
        )
