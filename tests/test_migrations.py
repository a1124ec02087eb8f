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
