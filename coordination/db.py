"""Engine, one session per request, and migrations."""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import ColumnElement, Engine, any_, bindparam, event, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15_000  # how long a SQLite writer waits for the write lock before "database is locked"
log = logging.getLogger(__name__)


def _sqlite_from_hint(self, table, text):
    """SQLite's `INDEXED BY` follows a table in FROM, which is what `select().with_hint(table, text,
    "sqlite")` means; SQLAlchemy's SQLite compiler drops such hints, so it renders them here."""
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


def make_engine(url: str, *, echo: bool = False, schema: str | None = None) -> Engine:
    """An engine with SQLite set up for concurrent use (WAL, foreign keys, busy timeout); on PostgreSQL,
    reading and writing the tables of `schema` when one is given (an exercise's own, see exercises.store)."""
    import coordination.models  # noqa: F401  (every table, and the listener that keeps search in step)

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, decide where transactions begin, so that DDL (migrations)
            # is transactional too; see the "begin" listener below.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A request that writes takes the write lock when its transaction begins: a deferred
            # transaction that reads first and writes later fails at once ("database is locked") if
            # another writer committed in between, since its snapshot is stale and waiting cannot help.
            # So does a connection opened for writing (`write_soon`), whatever the request.
            immediate = _writing_request() or connection.get_execution_options().get("write_lock", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # JIT compilation pays off for long analytical queries, not for pages: on a large database the
    # planner's cost estimates switch it on for queries that then spend more time compiling than running.
    # So do parallel workers: starting them cost a task force chair's inbox 20 ms at 1M (93 -> 72 ms).
    options = "-c jit=off -c max_parallel_workers_per_gather=0"
    options += f" -c search_path={schema}" if schema else ""
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args={"options": options},
        # kept where every engine derived by execution_options() still finds it (see database_key)
        execution_options={"coordination_schema": schema or ""},
    )


def _writing_request() -> bool:
    return (
        has_request_context()
        and request.method not in ("GET", "HEAD", "OPTIONS")
        and not g.get("db_reads_first", False)
    )


@contextmanager
def reads_before_writing(session: Session):
    """Within a writing request, run the block's reads in a transaction of their own that does not take
    SQLite's write lock, and end it on leaving: the writes that follow then hold the lock only for
    themselves. Whatever the block read may change before the writes, as under READ COMMITTED."""
    g.db_reads_first = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        g.db_reads_first = False


# --- records inserted around the unit of work ----------------------------------------------------------

_INSERT_FOLLOWERS: list[Callable[[Session, list], None]] = []


def follows_inserts(follower: Callable[[Session, list], None]) -> Callable[[Session, list], None]:
    """Register what must follow every record inserted, as the search index follows the ORM's flushes."""
    _INSERT_FOLLOWERS.append(follower)
    return follower


def adopt_inserted(session: Session, records: list) -> None:
    """Records written by a Core INSERT (a post's report: the unit of work cost it more than the insert),
    their ids set: attached to the session as if loaded, so later changes to them are UPDATEs, and handed
    to the followers (the search index) in the same transaction."""
    for record in records:
        make_transient_to_detached(record)
        session.add(record)
    for follower in _INSERT_FOLLOWERS:
        follower(session, records)


# --- what a read writes -----------------------------------------------------------------------------

WRITE_NOW_WAIT_MS = 0  # how long a page waits for SQLite's write lock (or a row lock): not at all
DEFERRED_ATTEMPTS = 5  # attempts of a deferred write, each waiting up to the busy timeout
DEFERRED_BATCH = 100  # deferred writes done in one transaction
DRAIN_AT_EXIT_S = 20.0  # within gunicorn's graceful timeout (30 s), so what is left gets logged


def write_soon(session: Session, write: Callable[[Session], None], *, what: str) -> None:
    """Record what a read leaves behind (a read receipt, the audit event of an opening) without making the
    reader wait for, or fail on, another writer.

    The session's transaction ends first. `write` then adds its rows to a session of its own, in a short
    transaction that takes SQLite's write lock as it begins, so it never works from a stale snapshot (a
    transaction that read first gets "database is locked" at once when another writer committed since). It
    runs at once when the lock is free, so that the rest of the page already sees the rows; otherwise the
    page goes on and a thread of the process writes them, in batches, waiting for the lock as long as any
    writer, `DEFERRED_ATTEMPTS` times, and logs an error naming `what` (everything the rows hold) if it
    still fails. What is still waiting when the process exits is written first (SIGTERM included under
    gunicorn and `coordination serve`), or logged; only a killed process loses it unlogged. `write` may
    run in another thread and more than once: it must use only what it was given, never the request.
    Outside a request (a script, a job, a test) it writes at once, waiting as long as it must."""
    session.commit()
    engine = session.get_bind().engine
    if not has_request_context():
        _write(engine, [write], wait_ms=None)
        return
    try:
        _write(engine, [write], wait_ms=WRITE_NOW_WAIT_MS)
    except OperationalError as error:
        log.info("database busy, recorded after the response: %s (%s)", what, error.orig)
        _deferred.put(engine, write, what)


def wait_for_deferred_writes(timeout: float = 10.0) -> bool:
    """Wait until this process has done every deferred write (`write_soon`); whether it had in time."""
    return _deferred.wait(timeout)


def _write(engine: Engine, writes: list[Callable[[Session], None]], *, wait_ms: int | None) -> None:
    """The writes in one transaction of their own, which takes SQLite's write lock as it begins; waiting
    at most `wait_ms` for that lock (or, on PostgreSQL, a row lock), or up to the busy timeout if None."""
    with engine.connect() as connection:
        connection.execution_options(write_lock=True)
        sqlite = engine.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection if sqlite and wait_ms is not None else None
        if raw is not None:
            raw.execute(f"PRAGMA busy_timeout={wait_ms}")
        try:
            with Session(connection) as session:
                if not sqlite and wait_ms is not None:
                    session.execute(text(f"SET LOCAL lock_timeout = {max(wait_ms, 1)}"))
                for write in writes:
                    write(session)
                session.commit()
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


class _DeferredWrites:
    """The writes of `write_soon` that found the database busy, done by one thread per process (started
    on first use, again in a forked worker), a batch to a transaction; drained when the process exits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._pid: int | None = None

    def put(self, engine: Engine, write: Callable[[Session], None], what: str) -> None:
        with self._lock:
            if self._pid != os.getpid():
                self._pid, self._queue = os.getpid(), queue.Queue()
                threading.Thread(
                    target=self._run, args=(self._queue,), name="coordination-deferred-writes", daemon=True
                ).start()
            self._queue.put((engine, write, what))

    def left(self) -> list[str]:
        """What is still waiting (taken off the queue)."""
        pending, left = self._queue if self._pid == os.getpid() else None, []
        while pending is not None:
            try:
                left.append(pending.get_nowait()[2])
            except queue.Empty:
                break
        return left

    def wait(self, timeout: float) -> bool:
        pending = self._queue if self._pid == os.getpid() else None
        if pending is None:
            return True
        deadline = time.monotonic() + timeout
        with pending.all_tasks_done:
            while pending.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                pending.all_tasks_done.wait(left)
        return True

    def _run(self, pending: queue.Queue) -> None:
        while True:
            batch = [pending.get()]
            while len(batch) < DEFERRED_BATCH:
                try:
                    batch.append(pending.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write_batch(batch)
            finally:
                for _item in batch:
                    pending.task_done()

    @staticmethod
    def _write_batch(batch: list) -> None:
        by_engine: dict[Engine, list] = {}
        for engine, write, what in batch:
            by_engine.setdefault(engine, []).append((write, what))
        for engine, items in by_engine.items():
            try:
                _write(engine, [write for write, _what in items], wait_ms=None)
                continue
            except Exception:  # each is tried again on its own below
                log.warning("deferred batch of %d writes failed; trying them one by one", len(items))
            for write, what in items:
                for attempt in range(1, DEFERRED_ATTEMPTS + 1):
                    try:
                        _write(engine, [write], wait_ms=None)
                        break
                    except OperationalError:
                        if attempt == DEFERRED_ATTEMPTS:
                            log.exception("NOT RECORDED after %d attempts: %s", attempt, what)
                        else:
                            time.sleep(0.2 * attempt)
                    except Exception:  # logged with what was lost, never silently
                        log.exception("NOT RECORDED: %s", what)
                        break


_deferred = _DeferredWrites()


@atexit.register
def _drain_deferred_writes() -> None:
    if not _deferred.wait(DRAIN_AT_EXIT_S):
        for what in _deferred.left():
            log.error("NOT RECORDED, still waiting at exit after %s s: %s", DRAIN_AT_EXIT_S, what)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date; used on first run, by `coordination db upgrade` and by tests."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        if sqlite:
            # SQLite alters a table by copying it; with foreign keys enforced, dropping the old copy of a
            # referenced table fails. Switch them off for the migration (only possible outside a
            # transaction, hence on the driver's connection) and check the data afterwards.
            raw.execute("PRAGMA foreign_keys=OFF")
        with connection.begin():
            before = MigrationContext.configure(connection).get_current_revision()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            migrated = MigrationContext.configure(connection).get_current_revision() != before
        if sqlite:
            # the check reads every table (seconds on a ministry's database): only after a migration ran
            violations = raw.execute("PRAGMA foreign_key_check").fetchall() if migrated else []
            raw.execute("PRAGMA foreign_keys=ON")
            if violations:
                raise RuntimeError(f"migration left rows that break foreign keys: {violations[:5]}")


def continue_ids(session: Session, tables) -> None:
    """After rows were copied in with their ids: PostgreSQL's sequences go on from the highest id (SQLite
    takes the next rowid by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                )
            )


LONG_ID_LIST = 100


def one_of(session: Session, column, values) -> ColumnElement[bool]:
    """`column IN values`, sent on PostgreSQL as one array parameter (`= ANY(%s)`) instead of a placeholder
    per value: SQLAlchemy and psycopg spend about a millisecond on every hundred placeholders (a decision
    reaching 2,185 people asked three such lists of them: 0.2 s of query text). On SQLite a long list of ids
    goes as one JSON text instead (the 2,000 candidates of a common word: 10 ms of placeholders)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    if len(values) > LONG_ID_LIST and all(type(v) is int for v in values):
        # SQLite: the ids as one JSON text, read back as a table (its JSON functions are built in)
        listed = select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(values)))
        )
        return column.in_(listed)
    return column.in_(values)


class _RequestSession(Session):
    """A request's session on one connection, held until the session closes: the request's reads and then
    its writes are transactions on the same connection. Checking a connection out of the pool and back for
    each transaction cost PostgreSQL two round trips a time (the pool's ping, its rollback on return):
    a post made 27 round trips, now 21."""

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.bind.close()


def _request_session(engine: Engine) -> Session:
    return _RequestSession(bind=engine.connect(), expire_on_commit=False)


def get_session() -> Session:
    """The request's database session, opened on first use and closed on teardown: on the exercise's own
    database when the request is one of an exercise's pages (`g.play_engine`, see exercises.play)."""
    if "db_session" not in g:
        engine = g.get("play_engine") or current_app.extensions["coordination.engine"]
        g.db_session = _request_session(engine)
    return g.db_session


def home_session() -> Session:
    """The request's session on the real database, even on an exercise's pages: sign-in, API tokens and the
    exercises themselves live there."""
    if "home_session" in g:
        return g.home_session
    if g.get("play_engine") is None:
        return get_session()
    g.home_session = _request_session(current_app.extensions["coordination.engine"])
    return g.home_session


def database_key(session: Session) -> str:
    """Which database a session reads: its URL, and on PostgreSQL the schema an exercise's engine uses."""
    engine = session.get_bind().engine
    schema = engine.get_execution_options().get("coordination_schema", "")
    return engine.url.render_as_string(hide_password=True) + "#" + schema


def session_for_stream() -> Session:
    """The request's session, handed over to a streamed response: the request's teardown, which comes
    before the stream is read, no longer closes it; the stream reads on with it and closes it."""
    session = get_session()
    g.pop("db_session")
    return session


def _close_session(_exc: BaseException | None = None) -> None:
    for name in ("db_session", "home_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()


def init_app(app: Flask) -> None:
    from coordination.startup import check_url

    check_url(app.config["DATABASE_URL"])  # a mistyped URL: one line (startup.NotReady), not a traceback
    app.extensions["coordination.engine"] = make_engine(
        app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"]
    )
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    return app.extensions["coordination.engine"]
