"""Engine, one session per request, and migrations."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with SQLite set up for concurrent use (WAL, foreign keys, busy timeout)."""
    import coordination.models  # noqa: F401  (every table, and the listener that keeps search in step)

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, decide where transactions begin, so that DDL (migrations)
            # is transactional too; see the "begin" listener below.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A request that writes takes the write lock when its transaction begins: a deferred
            # transaction that reads first and writes later fails at once ("database is locked") if
            # another writer committed in between, since its snapshot is stale and waiting cannot help.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")

        return engine
    # JIT compilation pays off for long analytical queries, not for pages: on a large database the
    # planner's cost estimates switch it on for queries that then spend more time compiling than running.
    return create_engine(url, echo=echo, pool_pre_ping=True, connect_args={"options": "-c jit=off"})


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


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date; used on first run, by `coordination db upgrade` and by tests."""
    from alembic import command

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
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if sqlite:
            violations = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
            if violations:
                raise RuntimeError(f"migration left rows that break foreign keys: {violations[:5]}")


def get_session() -> Session:
    """The request's database session, opened on first use and closed on teardown."""
    if "db_session" not in g:
        g.db_session = Session(current_app.extensions["coordination.engine"], expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.extensions["coordination.engine"] = make_engine(
        app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"]
    )
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    return app.extensions["coordination.engine"]
