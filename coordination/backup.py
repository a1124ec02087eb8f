"""Backup and restore of the whole database: SQLite through its online backup API, PostgreSQL through
pg_dump / pg_restore (custom format). Each checks what it wrote or is about to read."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_S = 15


class BackupError(click.ClickException):
    """A backup or restore that failed or was refused; the message says why."""


@dataclass
class Summary:
    path: Path
    size: int
    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        return (
            f"{self.path} ({self.size:,} bytes, {len(self.rows)} tables, {sum(self.rows.values()):,} rows, "
            f"schema revision {self.revision or 'none'})"
        )


# --- SQLite -----------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _sqlite_counts(connection: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    rows = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
    revision = None
    if "alembic_version" in rows:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = found[0] if found else None
    return rows, revision


def _sqlite_verify(path: Path) -> tuple[dict[str, int], str | None]:
    """Integrity check, then the row count of every table and the schema revision of a SQLite file."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path}: cannot open: {error}") from None
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise BackupError(f"{path}: integrity check failed: {'; '.join(r[0] for r in result[:3])}")
        return _sqlite_counts(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: not a SQLite database ({error})") from None
    finally:
        connection.close()


def _sqlite_backup(engine: Engine, target: Path) -> Summary:
    source_path = _sqlite_path(engine)
    if not source_path.is_file():
        raise BackupError(f"database {source_path} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        source = sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        destination = sqlite3.connect(temporary, isolation_level=None)
        try:
            # counts and copy from one read snapshot, while the app goes on writing (WAL)
            source.execute("BEGIN")
            expected = _sqlite_counts(source)
            source.backup(destination)
            source.execute("COMMIT")
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            destination.close()
            source.close()
        written = _sqlite_verify(Path(temporary))
        if written != expected:
            raise BackupError(f"backup does not match the database: {_difference(expected, written)}")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    rows, revision = written
    return Summary(target, target.stat().st_size, revision, rows)


def _difference(expected: tuple[dict, str | None], written: tuple[dict, str | None]) -> str:
    if expected[1] != written[1]:
        return f"schema revision {written[1]} instead of {expected[1]}"
    names = sorted(set(expected[0]) | set(written[0]))
    wrong = [
        f"{n}: {written[0].get(n)} rows, not {expected[0].get(n)}"
        for n in names
        if expected[0].get(n) != written[0].get(n)
    ]
    return "; ".join(wrong[:5])


def _sqlite_restore(engine: Engine, source_path: Path) -> Summary:
    rows, revision = _sqlite_verify(source_path)
    target = _sqlite_path(engine)
    engine.dispose()  # this process's own connections
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        # through the backup API, under SQLite's locks: never a file copied over an open WAL database
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(f"restore into {target} failed: {error}") from None
    finally:
        destination.close()
        source.close()
    restored = _sqlite_verify(target)
    if restored != (rows, revision):
        raise BackupError(
            f"restored database does not match the backup: {_difference((rows, revision), restored)}"
        )
    return Summary(source_path, source_path.stat().st_size, revision, rows)


# --- PostgreSQL -------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} not found on PATH (install the PostgreSQL client tools, e.g. postgresql-client)"
    )


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and an environment carrying it (never on a command line)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> str:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        message = " ".join(result.stderr.split())[:500] or f"exit status {result.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {message}")
    return result.stdout


def _pg_listed_tables(path: Path) -> set[str]:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    listing = _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    tables = set()
    for line in listing.splitlines():
        parts = line.split()
        # "215; 1259 16390 TABLE public person owner" / "... TABLE DATA public person owner"
        if ";" in line and not line.startswith(";") and "TABLE" in parts:
            at = parts.index("TABLE")
            rest = parts[at + 1 :]
            if rest[:1] == ["DATA"]:
                rest = rest[1:]
            if len(rest) >= 2:
                tables.add(rest[1])
    if not tables:
        raise BackupError(f"{path}: pg_restore --list shows no tables")
    return tables


def _pg_counts(engine: Engine, connection=None) -> tuple[dict[str, int], str | None]:
    if connection is None:
        with engine.connect() as own:
            return _pg_counts(engine, own)
    names = inspect(connection).get_table_names()
    rows = {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}
    revision = None
    if "alembic_version" in rows:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return rows, revision


def _pg_backup(engine: Engine, target: Path) -> Summary:
    """pg_dump of the snapshot the row counts were read in (exported from a repeatable-read transaction
    held open meanwhile), so the counts describe exactly what was dumped while the app goes on writing."""
    url, environment = _libpq(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    reading = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with reading as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
        rows, revision = _pg_counts(engine, connection)
        dump = [
            _tool("pg_dump"),
            "--format=custom",
            f"--snapshot={snapshot}",
            f"--file={target}",
            f"--dbname={url}",
        ]
        _run(dump, environment)
    listed = _pg_listed_tables(target)
    absent = sorted(set(rows) - listed)
    if absent:
        raise BackupError(f"{target}: tables missing from the dump: {', '.join(absent[:5])}")
    return Summary(target, target.stat().st_size, revision, rows)


def _pg_restore(engine: Engine, source: Path) -> Summary:
    listed = _pg_listed_tables(source)
    url, environment = _libpq(engine)
    engine.dispose()
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={url}",
            str(source),
        ],
        environment,
    )
    rows, revision = _pg_counts(engine)
    absent = sorted(listed - set(rows))
    if absent:
        raise BackupError(f"restored database lacks tables: {', '.join(absent[:5])}")
    return Summary(source, source.stat().st_size, revision, rows)


# --- entry points -----------------------------------------------------------------------------------


def backup(engine: Engine, path: Path) -> Summary:
    """Write the whole database to `path` (while the app may be running) and verify what was written."""
    if engine.dialect.name == "sqlite":
        return _sqlite_backup(engine, path)
    return _pg_backup(engine, path)


def verify(engine: Engine, path: Path) -> None:
    """Check a backup file before restoring it (integrity check / pg_restore --list)."""
    if engine.dialect.name == "sqlite":
        _sqlite_verify(path)
    else:
        _pg_listed_tables(path)


def restore(engine: Engine, path: Path) -> Summary:
    """Replace the whole database with the backup at `path`, verified first."""
    if engine.dialect.name == "sqlite":
        return _sqlite_restore(engine, path)
    return _pg_restore(engine, path)
