"""`coordination backup` / `restore` and the start-up check (`coordination.startup`)."""

import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coordination import db, startup
from coordination.cli import main
from tests.conftest import make_app


def _count(app, table: str) -> int:
    with db.engine_of(app).connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def test_backup_verifies_and_restore_brings_the_data_back(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "backup.dump"
    result = runner.invoke(main, ["backup", str(path)])
    assert result.exit_code == 0 and "backup written and verified" in result.output, result.output
    assert "tables" in result.output and "rows" in result.output and path.stat().st_size > 0

    before = _count(app, "bodycountry")
    assert before > 0
    with db.engine_of(app).begin() as connection:
        connection.execute(text("DELETE FROM bodycountry"))
    assert _count(app, "bodycountry") == 0

    refused = runner.invoke(main, ["restore", str(path)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert _count(app, "bodycountry") == 0

    restored = runner.invoke(main, ["restore", str(path), "--yes"])
    assert restored.exit_code == 0 and "schema at head" in restored.output, restored.output
    assert _count(app, "bodycountry") == before


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    path = tmp_path / "not-a-backup"
    path.write_bytes(b"hello" * 1000)
    result = app.test_cli_runner().invoke(main, ["restore", str(path), "--yes"])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output


def test_start_up_check_refuses_an_older_revision_and_names_the_command(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with pytest.raises(startup.NotReady, match="empty"):
            startup.check_ready(engine)
        db.upgrade(engine, "0016")
        with pytest.raises(startup.NotReady) as refused:
            startup.check_ready(engine)
        assert "0016" in refused.value.message and "coordination db upgrade" in refused.value.message
        startup.check_ready(engine, require_head=False)  # `serve` migrates it next
        db.upgrade(engine)
        startup.check_ready(engine)
    finally:
        engine.dispose()


def test_a_mistyped_database_url_gives_one_line_not_a_traceback(tmp_path):
    with pytest.raises(startup.NotReady, match="unknown scheme"):
        make_app("postgres+nosuchdriver://u:secret@db/coordination")
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(startup.NotReady, match="cannot create directory"):
        make_app(f"sqlite:///{tmp_path / 'file' / 'sub'}/db.sqlite")
    wsgi = subprocess.run(
        [sys.executable, "-c", "import coordination.wsgi"],
        env={"DATABASE_URL": "mysql://u:secret@db/coordination", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert wsgi.returncode == 4, wsgi.stderr
    assert wsgi.stderr.count("\n") == 1 and "unknown scheme" in wsgi.stderr and "secret" not in wsgi.stderr


def test_a_backup_taken_under_write_load_restores_to_identical_row_counts(app, tmp_path):
    """Writers go on committing while the backup runs: the backup is one consistent snapshot, and the
    database restored from it has exactly the row counts the backup recorded, table by table."""
    from coordination import backup
    from coordination.auth.models import SignInFailure

    engine = db.engine_of(app)
    stop, written = threading.Event(), []

    def write() -> None:
        with Session(engine) as session:
            while not stop.is_set():
                session.add(SignInFailure(email=f"load-{len(written)}@example.org", address="192.0.2.1"))
                session.commit()
                written.append(1)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        summary = backup.backup(engine, tmp_path / "backup.dump")
        during = len(written)
        while len(written) < during + 20:
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    assert 20 <= summary.rows["signinfailure"] < len(written)

    backup.restore(engine, tmp_path / "backup.dump")
    with engine.connect() as connection:
        for table, rows in summary.rows.items():
            assert connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == rows, table
