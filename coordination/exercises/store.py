"""Where an exercise keeps what is created in it: a database of its own, beside the real one (a file next
to SQLite's, a schema of PostgreSQL's), migrated like it and holding a copy of the organisation taken when
the exercise started. Real pages, search, exports and counts read the real database, so no exercise item
can reach them; the exercise's pages read this one."""

import re
import threading
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from coordination import db
from coordination.structure import service as structure_service

_engines: dict[tuple[str, str | None], Engine] = {}
_lock = threading.Lock()


def location(main_url: str, key: str) -> tuple[str, str | None]:
    """The exercise's database URL, and on PostgreSQL its schema."""
    url = make_url(main_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("an exercise needs the real database in a file")
        path = Path(url.database)
        beside = path.with_name(f"{path.stem}.exercise-{key}{path.suffix or '.db'}")
        return url.set(database=str(beside)).render_as_string(hide_password=False), None
    return url.render_as_string(hide_password=False), "exercise_" + re.sub(r"[^a-z0-9]+", "_", key)[:50]


def engine_for(main_url: str, key: str) -> Engine:
    """The exercise database's engine, one per process."""
    where = location(main_url, key)
    with _lock:
        if where not in _engines:
            _engines[where] = db.make_engine(where[0], schema=where[1])
        return _engines[where]


def create(*, session: Session, key: str) -> Engine:
    """Make the exercise's database: its schema at the head of the migrations and a copy of the real
    organisation (read in `session`, the real database's)."""
    main = session.get_bind().engine
    main_url = main.url.render_as_string(hide_password=False)
    _url, schema = location(main_url, key)
    if schema is not None:
        with main.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    engine = engine_for(main_url, key)
    db.upgrade(engine)
    with Session(engine) as target:
        structure_service.copy_organisation(source=session, target=target)
        target.commit()
    return engine


def drop(*, session: Session, key: str) -> None:
    """Delete the exercise's database and everything in it."""
    main = session.get_bind().engine
    main_url = main.url.render_as_string(hide_password=False)
    where = location(main_url, key)
    with _lock:
        engine = _engines.pop(where, None)
    if engine is not None:
        engine.dispose()
    if where[1] is not None:
        with main.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{where[1]}" CASCADE')
        return
    path = Path(make_url(where[0]).database)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
