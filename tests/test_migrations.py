# ruff: noqa: E501  (SQL fixtures read best on one line each)
"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import json
import uuid

import pytest
import sqlalchemy as sa
from alembic import command

from coordination import db
from tests.conftest import _admin_connection, _drop_database, _postgres_url


def test_migrations_match_the_models(database_url):
    config = db.alembic_config(database_url)
    command.check(config)  # raises if autogenerate finds any difference


def test_migrations_downgrade_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        config = db.alembic_config(url)
        command.downgrade(config, "base")
        db.upgrade(engine)
        command.check(config)
    finally:
        engine.dispose()


def test_upgrading_a_database_that_holds_data(tmp_path):
    """Later migrations alter tables that others reference; an instance with data must still upgrade."""
    url = f"sqlite:///{tmp_path / 'in-use.db'}"
    engine = db.make_engine(url)
    try:
        db.upgrade(engine, "0003")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO country (code, name, is_partner) VALUES ('BEL', 'Belgium', 0)",
                "INSERT INTO department (id, code, name, level, kind, opt_in) "
                "VALUES (1, 'FA', 'Foreign Affairs', 'federal', 'public_service', 0)",
                "INSERT INTO directorate (id, department_id, code, name) VALUES (1, 1, 'DGB', 'Bilateral')",
                "INSERT INTO person (id, email, name, department_id, directorate_id, function, clearance, languages,"
                " active, is_demo, is_admin, created_at) VALUES (1, 'a@b.example', 'A', 1, 1, '', 'secret', '[]',"
                " 1, 0, 0, '2026-01-01 00:00:00')",
                "INSERT INTO body (id, slug, kind, name, description, goals, status, themes, created_at) VALUES"
                " (1, 'steering-group', 'steering_group', 'SG', '', '', 'active', '[]', '2026-01-01 00:00:00')",
                "INSERT INTO membership (body_id, person_id, role, reason) VALUES (1, 1, 'chair', '')",
                "INSERT INTO decision (id, issuing_body_id, title, text, text_html, rationale, procedure,"
                " classification, status, acknowledgement_hours, created_by_id, created_at) VALUES (1, 1, 'D', '',"
                " '', '', 'meeting', 'unclassified', 'draft', 48, 1, '2026-01-01 00:00:00')",
            ):
                connection.exec_driver_sql(statement)
        db.upgrade(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT major_departments, sitrep_every_days FROM body"
            ).one() == ("[]", 14)
            assert connection.exec_driver_sql("SELECT count(*) FROM membership").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


@pytest.fixture
def empty_database(backend, tmp_path):
    """An empty database of either kind (the other tests start from a seeded one)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"coordination_empty_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _postgres_url(name)
    _drop_database(name)


def test_an_upgrade_checks_foreign_keys_after_a_migration_and_not_when_already_at_head(tmp_path):
    """SQLite migrates with foreign keys off, so a migration that ran is followed by a check of every
    table; an upgrade with nothing to do skips that check (it reads the whole database)."""
    url = f"sqlite:///{tmp_path / 'dangling.db'}"
    engine = db.make_engine(url)
    try:
        db.upgrade(engine, "0023")
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute(
                "INSERT INTO membership (body_id, person_id, role, reason, started_at, end_reason)"
                " VALUES (999, 999, 'member', '', '2026-01-01 00:00:00', '')"
            )
            raw.commit()
            raw.execute("PRAGMA foreign_keys=ON")
        with pytest.raises(RuntimeError, match="break foreign keys"):
            db.upgrade(engine)  # 0024 ran, then the check found the seat of nobody in no body
        db.upgrade(engine)  # at the head now: nothing ran, nothing checked
    finally:
        engine.dispose()


def test_0013_marks_earlier_situation_reports_and_withdraws_copied_goals(empty_database):
    """Situation reports compiled before 0013 quoted every validated report of their period: they are
    marked with the highest level and the origins of those; a task force's description and goals that
    were copied from a classified decision are withdrawn, an unclassified one's are kept."""
    engine = db.make_engine(empty_database)
    try:
        db.upgrade(engine, "0012")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO country (code, name, is_partner) VALUES ('NER', 'Niger', TRUE)",
                "INSERT INTO department (id, code, name, level, kind, opt_in) VALUES (1, 'FA', 'Foreign Affairs', 'federal', 'public_service', FALSE), (2, 'DEF', 'Defence', 'federal', 'defence', FALSE)",
                "INSERT INTO person (id, email, name, department_id, function, clearance, languages, active, is_demo, is_admin, created_at) VALUES (1, 'a@b.example', 'A', 2, '', 'secret', '[]', TRUE, FALSE, FALSE, '2026-01-01 00:00:00')",
                "INSERT INTO body (id, slug, kind, name, description, goals, status, themes, created_at, major_departments, sitrep_every_days, closing_report) VALUES (1, 'steering-group', 'steering_group', 'SG', '', '', 'active', '[]', '2026-01-01 00:00:00', '[]', 14, '')",
                "INSERT INTO decision (id, issuing_body_id, title, text, text_html, rationale, procedure, classification, status, acknowledgement_hours, created_by_id, created_at) VALUES (1, 1, 'Operation Nightingale', 'Secret goals', '', '', 'meeting', 'secret', 'adopted', 48, 1, '2026-01-01 00:00:00'), (2, 1, 'Open goals', 'Public goals', '', '', 'meeting', 'unclassified', 'adopted', 48, 1, '2026-01-01 00:00:00')",
                "INSERT INTO body (id, slug, kind, name, description, goals, status, themes, created_at, major_departments, sitrep_every_days, closing_report, goals_decision_id) VALUES (2, 'task-force-niger', 'task_force', 'TF Niger', 'Operation Nightingale', 'Secret goals', 'active', '[]', '2026-01-01 00:00:00', '[]', 14, '', 1), (3, 'task-force-open', 'task_force', 'TF Open', 'Open goals', 'Public goals', 'active', '[]', '2026-01-01 00:00:00', '[]', 14, '', 2)",
                "INSERT INTO fieldreport (id, title, body, country_code, themes, severity, early_warning, classification, restricted_distribution, kind, body_html, author_id, origin_department_id, status, created_at, updated_at) VALUES (1, 'Convoy seen', '', 'NER', '[]', 'high', FALSE, 'secret', FALSE, 'intelligence_brief', '', 1, 2, 'validated', '2026-03-05 10:00:00', '2026-03-05 10:00:00'), (2, 'Later report', '', 'NER', '[]', 'info', FALSE, 'top_secret', FALSE, 'field_report', '', 1, 2, 'validated', '2026-04-20 10:00:00', '2026-04-20 10:00:00')",
                "INSERT INTO delivery (report_id, body_id, rule, reason, delivered_at) VALUES (1, 2, 'country', 'x', '2026-03-05 10:00:00'), (2, 2, 'country', 'x', '2026-04-20 10:00:00')",
                "INSERT INTO situationreport (id, task_force_id, period_start, period_end, body, body_html, status, created_by_id, created_at) VALUES (1, 2, '2026-03-01', '2026-03-14', 'Convoy seen', '', 'submitted', 1, '2026-03-15 00:00:00'), (2, 3, '2026-03-01', '2026-03-14', 'Quiet', '', 'draft', 1, '2026-03-15 00:00:00')",
                "INSERT INTO meeting (id, body_id, title, starts_at, ends_at, location, minutes, minutes_html, created_by_id) VALUES (1, 1, 'Weekly', '2026-03-16 09:00:00', '2026-03-16 10:00:00', '', '', '', 1)",
                "INSERT INTO agendaitem (meeting_id, position, kind, reference_id, title, notes) VALUES (1, 1, 'early_warning', 1, 'Early warning: Convoy seen', ''), (1, 2, 'other', NULL, 'Any other business', '')",
            ):
                connection.exec_driver_sql(statement)
        db.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, quoted_classification, classification, origins FROM situationreport ORDER BY id"
            ).all()
            assert [
                (r[0], r[1], r[2], r[3] if isinstance(r[3], list) else json.loads(r[3])) for r in rows
            ] == [
                (1, "secret", "secret", ["DEF"]),
                (2, "unclassified", "unclassified", []),
            ]
            bodies = connection.exec_driver_sql("SELECT slug, description, goals FROM body ORDER BY id").all()
            assert bodies[1:] == [
                ("task-force-niger", "", ""),
                ("task-force-open", "Open goals", "Public goals"),
            ]
            titles = (
                connection.exec_driver_sql("SELECT title FROM agendaitem ORDER BY position").scalars().all()
            )
            assert titles == ["", "Any other business"]
    finally:
        engine.dispose()


def test_0014_keeps_seats_as_current_history_and_names_the_brussels_platforms_apart(empty_database):
    """Seats made before 0014 become current seats that started when their body was created; a person may
    then hold a new seat in a body after an ended one; the two Brussels platforms get distinct names."""
    engine = db.make_engine(empty_database)
    try:
        db.upgrade(engine, "0013")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO country (code, name, is_partner) VALUES ('BEL', 'Belgium', FALSE)",
                "INSERT INTO department (id, code, name, level, kind, opt_in) VALUES (1, 'FA', 'Foreign Affairs', 'federal', 'public_service', FALSE)",
                "INSERT INTO person (id, email, name, department_id, function, clearance, languages, active, is_demo, is_admin, created_at) VALUES (1, 'a@b.example', 'A', 1, '', 'secret', '[]', TRUE, FALSE, FALSE, '2026-01-01 00:00:00')",
                "INSERT INTO mission (id, code, kind, name, city, host_country_code, organisation) VALUES (1, 'PR-EU', 'permanent_representation', 'PR EU', 'Brussels', 'BEL', 'EU'), (2, 'PR-NATO', 'permanent_representation', 'PR NATO', 'Brussels', 'BEL', 'NATO')",
                "INSERT INTO body (id, slug, kind, name, description, goals, status, themes, created_at, major_departments, sitrep_every_days, closing_report, mission_id) VALUES (1, 'platform-pr-eu', 'consultation_platform', 'Consultation platform Brussels', '', '', 'active', '[]', '2025-06-01 08:00:00', '[]', 14, '', 1), (2, 'platform-pr-nato', 'consultation_platform', 'Consultation platform Brussels', '', '', 'active', '[]', '2025-06-01 08:00:00', '[]', 14, '', 2)",
                "INSERT INTO membership (body_id, person_id, role, reason) VALUES (1, 1, 'chair', '')",
            ):
                connection.exec_driver_sql(statement)
        db.upgrade(engine)
        with engine.begin() as connection:
            started, ended = connection.exec_driver_sql("SELECT started_at, ended_at FROM membership").one()
            assert str(started).startswith("2025-06-01 08:00:00") and ended is None
            names = connection.exec_driver_sql("SELECT name FROM body ORDER BY id").scalars().all()
            assert names == ["Consultation platform Brussels (EU)", "Consultation platform Brussels (NATO)"]
            connection.exec_driver_sql(
                "UPDATE membership SET ended_at = '2026-02-01 00:00:00', end_reason = 'left'"
            )
            connection.exec_driver_sql(
                "INSERT INTO membership (body_id, person_id, role, reason, started_at, end_reason) "
                "VALUES (1, 1, 'member', '', '2026-03-01 00:00:00', '')"
            )
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO membership (body_id, person_id, role, reason, started_at, end_reason) "
                "VALUES (1, 1, 'observer', '', '2026-03-02 00:00:00', '')"
            )
    finally:
        engine.dispose()


def test_0015_adds_regions_and_a_downgrade_drops_them(empty_database):
    """A priority's subject holds a region's name and a region's countries are rows of their own; the
    priorities made before 0015 stay, and going back to 0014 drops the regions with their history."""
    engine = db.make_engine(empty_database)
    try:
        db.upgrade(engine, "0014")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO country (code, name, is_partner) VALUES ('BDI', 'Burundi', TRUE), ('COD', 'DR Congo', TRUE), ('RWA', 'Rwanda', TRUE)",
                "INSERT INTO department (id, code, name, level, kind, opt_in) VALUES (1, 'FA', 'Foreign Affairs', 'federal', 'public_service', FALSE)",
                "INSERT INTO person (id, email, name, department_id, function, clearance, languages, active, is_demo, is_admin, created_at) VALUES (1, 'a@b.example', 'A', 1, '', 'secret', '[]', TRUE, FALSE, FALSE, '2026-01-01 00:00:00')",
                "INSERT INTO priority (id, subject_kind, subject, tier, rationale, owner_id, review_every_months, next_review_on, created_at, updated_at) VALUES (1, 'country', 'COD', 1, '', 1, 6, '2026-07-01', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            ):
                connection.exec_driver_sql(statement)
        db.upgrade(engine, "0015")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO priority (id, subject_kind, subject, tier, rationale, owner_id, review_every_months, next_review_on, created_at, updated_at) VALUES (2, 'region', 'African Great Lakes region', 1, '', 1, 6, '2026-07-01', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                "INSERT INTO prioritycountry (priority_id, country_code) VALUES (2, 'BDI'), (2, 'COD'), (2, 'RWA')",
                "INSERT INTO prioritychange (priority_id, changed_by_id, changed_at, kind, new_tier, reason) VALUES (1, 1, '2026-01-01 00:00:00', 'created', 1, ''), (2, 1, '2026-01-01 00:00:00', 'created', 1, '')",
            ):
                connection.exec_driver_sql(statement)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO prioritycountry (priority_id, country_code) VALUES (2, 'ZZZ')"
            )
        command.downgrade(db.alembic_config(empty_database), "0014")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT id, subject FROM priority").all() == [(1, "COD")]
            assert connection.exec_driver_sql("SELECT priority_id FROM prioritychange").scalars().all() == [1]
            assert "prioritycountry" not in sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()


def test_0016_gives_each_triaging_body_the_shared_status_and_drops_it(empty_database):
    """The one status a report had before 0016 becomes the status of its task force's and steering
    group's deliveries, held by the last person who moved it; a platform's delivery stays new; going
    back restores the furthest status any body reached."""
    engine = db.make_engine(empty_database)
    try:
        db.upgrade(engine, "0015")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO country (code, name, is_partner) VALUES ('COD', 'DR Congo', TRUE)",
                "INSERT INTO department (id, code, name, level, kind, opt_in) VALUES (1, 'FA', 'Foreign Affairs', 'federal', 'public_service', FALSE)",
                "INSERT INTO person (id, email, name, department_id, function, clearance, languages, active, is_demo, is_admin, created_at) VALUES (1, 'a@b.example', 'A', 1, '', 'secret', '[]', TRUE, FALSE, FALSE, '2026-01-01 00:00:00'), (2, 'c@b.example', 'C', 1, '', 'secret', '[]', TRUE, FALSE, FALSE, '2026-01-01 00:00:00')",
                "INSERT INTO body (id, slug, kind, name, description, goals, status, themes, created_at, major_departments, sitrep_every_days, closing_report) VALUES (1, 'tf', 'task_force', 'TF', '', '', 'active', '[]', '2025-06-01 08:00:00', '[]', 14, ''), (2, 'platform', 'consultation_platform', 'Platform', '', '', 'active', '[]', '2025-06-01 08:00:00', '[]', 14, '')",
                "INSERT INTO fieldreport (id, title, body, country_code, themes, severity, early_warning, classification, restricted_distribution, kind, body_html, author_id, origin_department_id, status, created_at, updated_at) VALUES (1, 'Validated one', '', 'COD', '[]', 'info', FALSE, 'unclassified', FALSE, 'field_report', '', 1, 1, 'validated', '2026-01-01 00:00:00', '2026-01-02 00:00:00'), (2, 'New one', '', 'COD', '[]', 'info', TRUE, 'unclassified', FALSE, 'field_report', '', 1, 1, 'new', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                "INSERT INTO delivery (report_id, body_id, rule, reason, delivered_at) VALUES (1, 1, 'task_force_scope', '', '2026-01-01 00:00:00'), (1, 2, 'mission_platform', '', '2026-01-01 00:00:00'), (2, 1, 'task_force_scope', '', '2026-01-01 00:00:00')",
                "INSERT INTO reportcomment (report_id, author_id, body, from_status, to_status, created_at) VALUES (1, 1, '', 'new', 'under_review', '2026-01-01 06:00:00'), (1, 2, 'ok', 'under_review', 'validated', '2026-01-02 00:00:00')",
            ):
                connection.exec_driver_sql(statement)
        db.upgrade(engine, "0016")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT report_id, body_id, status, holder_id FROM delivery ORDER BY report_id, body_id"
            ).all()
            assert [tuple(r) for r in rows] == [
                (1, 1, "validated", 2),
                (1, 2, "new", None),
                (2, 1, "new", None),
            ]
            assert "status" not in {c["name"] for c in sa.inspect(connection).get_columns("fieldreport")}
        command.downgrade(db.alembic_config(empty_database), "0015")
        with engine.connect() as connection:
            statuses = connection.exec_driver_sql("SELECT id, status FROM fieldreport ORDER BY id").all()
            assert [tuple(r) for r in statuses] == [(1, "validated"), (2, "new")]
    finally:
        engine.dispose()


def test_0020_chains_the_existing_audit_events_in_id_order_and_a_downgrade_drops_the_chain(empty_database):
    """Events written before 0020 get seq 1.. in id order, each the hash of the one before; verify then
    finds the chain intact, and an edit made afterwards with raw SQL breaks it."""
    from sqlmodel import Session

    from coordination.audit.chain import GENESIS, verify

    engine = db.make_engine(empty_database)
    try:
        db.upgrade(engine, "0019")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO auditevent (id, at, actor_id, action, object_type, object_id, detail) VALUES (3, '2026-01-01 09:00:00.123456', NULL, 'a.later', 'x', '1', '{\"b\": [1, 2], \"a\": \"é\"}'), (1, '2026-01-02 09:00:00', NULL, 'a.first', 'x', '2', '{}'), (2, '2026-01-01 08:00:00', NULL, 'a.second', 'x', '3', '{\"n\": 1.5}')"
            )
        db.upgrade(engine, "0020")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, seq, prev_hash, hash FROM auditevent ORDER BY id"
            ).all()
        assert [(r.id, r.seq) for r in rows] == [(1, 1), (2, 2), (3, 3)]
        assert [r.prev_hash for r in rows] == [GENESIS, rows[0].hash, rows[1].hash]
        with Session(engine) as session:
            assert list(verify(session)) == []
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE auditevent SET action = 'a.forged' WHERE id = 2")
        with Session(engine) as session:
            assert [(p.event_id, p.message[:6]) for p in verify(session)] == [(2, "edited")]
        command.downgrade(db.alembic_config(empty_database), "0019")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("auditevent")}
        assert not {"seq", "prev_hash", "hash"} & columns
    finally:
        engine.dispose()


def test_the_schema_head_a_worker_checks_is_alembics(tmp_path):
    """Workers compare the database with `startup.SCHEMA_HEAD` in plain SQL, without importing Alembic: a new
    migration must move it (set it to the new file's revision)."""
    from alembic.script import ScriptDirectory

    from coordination import startup

    url = f"sqlite:///{tmp_path / 'head.db'}"
    assert ScriptDirectory.from_config(db.alembic_config(url)).get_current_head() == startup.SCHEMA_HEAD
    engine = db.make_engine(url)
    try:
        assert startup.revisions(engine) == (None, startup.SCHEMA_HEAD)
        db.upgrade(engine, "0027")
        assert startup.revisions(engine) == ("0027", startup.SCHEMA_HEAD)
        db.upgrade(engine)
        assert startup.revisions(engine) == (startup.SCHEMA_HEAD, startup.SCHEMA_HEAD)
    finally:
        engine.dispose()


def test_a_worker_starts_without_alembic_or_a_password_hash(tmp_path):
    """Importing the WSGI entry loads neither Alembic (10 MB) nor hashes a password (64 MB at its peak),
    and leaves what it built out of the garbage collector's full collections (gc.freeze)."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    probe = (
        "import gc, sys; import coordination.wsgi; from coordination.auth import service; "
        "print('alembic' in sys.modules, service._dummy_hash.cache_info().currsize, gc.get_freeze_count() > 10000)"
    )
    env = {"DATABASE_URL": url, "COORDINATION_SECRET_KEY": "test", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "0", "True"]
