"""On SQLite a writing request takes the write lock when its transaction begins, except for the reads it
runs first inside `db.reads_before_writing`: those go on while another request writes. A read that
records something (opening a report) neither waits for nor fails on another writer (`db.write_soon`)."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from coordination import db
from coordination.audit.models import AuditEvent
from coordination.reports.models import ReportRead
from coordination.structure.models import Mission, Person
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR

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


def _post(client, headers, title: str, classification: str = "unclassified") -> int:
    body = {"title": title, "mission_code": "KINSHASA", "classification": classification}
    response = client.post("/api/v1/field-reports", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def _recorded(app, email: str, report_ids: list[int]) -> tuple[int, int]:
    """This reader's read receipts of these reports, and the "report.open" audit events of their openings."""
    with Session(db.engine_of(app)) as session:
        person_id = session.exec(select(Person.id).where(Person.email == email)).one()
        receipts = session.exec(
            select(func.count())
            .select_from(ReportRead)
            .where(ReportRead.person_id == person_id, ReportRead.report_id.in_(report_ids))
        ).one()
        opened = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.actor_id == person_id,
                AuditEvent.action == "report.open",
                AuditEvent.object_id.in_([str(i) for i in report_ids]),
            )
        ).one()
    return receipts, opened


def test_opening_a_report_neither_waits_for_nor_fails_on_another_writer(app, client, auth, api_token):
    author = api_token(AMBASSADOR_KINSHASA)
    confidential = _post(client, author, "Arms cache found in Goma", "confidential")
    plain = _post(client, author, "Fuel shortage in Kinshasa")
    reader = api_token(DGB_DIRECTOR)
    auth.login(DGB_DIRECTOR)
    other_writer = sqlite3.connect(db.engine_of(app).url.database, isolation_level=None, timeout=0)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        answers = [
            client.get(f"/reports/{confidential}"),
            client.get(f"/api/v1/field-reports/{confidential}", headers=reader),
            client.get(f"/api/v1/field-reports/{plain}", headers=reader),
        ]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert time.monotonic() - started < 3  # the busy timeout is 15 s: nobody waited for the lock
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert db.wait_for_deferred_writes(10)
    assert _recorded(app, DGB_DIRECTOR, [confidential, plain]) == (2, 2)  # every classified opening audited


def test_reports_opened_while_another_thread_posts_all_answer_and_are_all_recorded(
    app, client, auth, api_token
):
    author = api_token(AMBASSADOR_KINSHASA)
    classified = {_post(client, author, f"Checkpoint incident {n}", "confidential"): True for n in range(3)}
    reports = classified | {_post(client, author, f"Market prices {n}"): False for n in range(3)}
    reader = api_token(DGB_DIRECTOR)
    auth.login(DGB_DIRECTOR)
    stop, posted = threading.Event(), []

    def post_while_reading() -> None:
        poster = app.test_client()
        while not stop.is_set():
            body = {"title": f"Road blocked near Goma {len(posted)}", "mission_code": "KINSHASA"}
            posted.append(poster.post("/api/v1/field-reports", json=body, headers=author).status_code)

    thread = threading.Thread(target=post_while_reading)
    thread.start()
    answers, classified_openings = [], 0
    try:
        ids, deadline = list(reports), time.monotonic() + 3
        # for 3 s, and at least until every report was opened on both surfaces (a loaded machine is slow)
        while time.monotonic() < deadline or not posted or len(answers) < 2 * len(ids):
            report_id = ids[len(answers) % len(ids)]
            if len(answers) % 2:
                response = client.get(f"/api/v1/field-reports/{report_id}", headers=reader)
            else:
                response = client.get(f"/reports/{report_id}")
            response.close()
            answers.append(response.status_code)
            classified_openings += reports[report_id]
    finally:
        stop.set()
        thread.join()
    assert set(answers) == {200} and set(posted) == {201}
    assert db.wait_for_deferred_writes(10)
    assert _recorded(app, DGB_DIRECTOR, list(reports)) == (len(reports), classified_openings)
