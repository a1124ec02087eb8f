"""On SQLite a writing request takes the write lock when its transaction begins, except for the reads it
runs first inside `db.reads_before_writing`: those go on while another request writes."""

import sqlite3
import time

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from coordination import db
from coordination.structure.models import Mission

# SQLite's database-wide write lock; PostgreSQL locks rows, so there is nothing to show there.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def other_writer(app):
    """Another connection holding SQLite's write lock, as a concurrent request storing a report does."""
    path = db.engine_of(app).url.database
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    connection.execute("ROLLBACK")
    connection.close()


def test_reads_before_writing_go_on_while_another_request_writes(app, other_writer):
    with app.test_request_context("/api/v1/field-reports", method="POST"):
        session = db.get_session()
        started = time.monotonic()
        with db.reads_before_writing(session):
            mission = session.exec(select(Mission).where(Mission.code == "NIAMEY")).one()
        assert mission.code == "NIAMEY"
        assert time.monotonic() - started < 1  # no wait for the lock (the busy timeout is 15 s)
        assert not session.in_transaction()  # the read transaction ended with the block


def test_a_writing_request_otherwise_waits_for_the_lock(app, other_writer):
    engine = db.make_engine(str(db.engine_of(app).url))

    @event.listens_for(engine, "connect")
    def _wait_briefly(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    with (
        app.test_request_context("/api/v1/field-reports", method="POST"),
        engine.connect() as connection,
        pytest.raises(OperationalError, match="database is locked"),
    ):
        connection.exec_driver_sql("SELECT 1").all()
    engine.dispose()
