# ruff: noqa: E501  (SQL fixtures read best on one line each)
"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic import command

from coordination import db


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
