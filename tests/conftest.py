"""Fixtures: a seeded database per test on SQLite and on PostgreSQL, the app, a client and sign-in.

PostgreSQL tests need COORDINATION_TEST_POSTGRES_URL (a role that may create databases); browser
tests need Chromium at /usr/bin/chromium. Where either is absent those tests are skipped with the
reason, unless COORDINATION_TEST_STRICT=1 (set by .ci/run), which turns every such skip into a failure.
"""

import hashlib
import os
import shutil
import tempfile
import time
import uuid
import warnings

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session

from coordination import create_app, db
from coordination.seed import load_seed
from tests import summary
from tests.demo import DEMO_PASSWORD
from tests.smtp import smtp_server  # noqa: F401  (fixture)

POSTGRES_URL = os.environ.get("COORDINATION_TEST_POSTGRES_URL", "")
STRICT = os.environ.get("COORDINATION_TEST_STRICT") == "1"


def missing(reason: str):
    """Skip for want of PostgreSQL or Chromium, or fail in strict mode (CI)."""
    if STRICT:
        pytest.fail(f"{reason} (COORDINATION_TEST_STRICT=1 treats this as a failure)")
    pytest.skip(reason)


# --- databases --------------------------------------------------------------------------------------


def _admin_connection() -> psycopg.Connection:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _postgres_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def _drop_database(name: str) -> None:
    """Drop a test database; autovacuum may hold it for a moment, so try again before giving up."""
    for attempt in range(20):
        try:
            with _admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            time.sleep(0.1 * (attempt + 1))
    warnings.warn(f"test database {name} left behind", stacklevel=1)


def _migrate_and_seed(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        with Session(engine) as session:
            load_seed(session=session, demo_password=DEMO_PASSWORD)
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "postgresql" and not POSTGRES_URL:
        missing("PostgreSQL tests skipped: set COORDINATION_TEST_POSTGRES_URL=postgresql+psycopg://...")
    return request.param


@pytest.fixture(scope="session")
def seeded_template(backend, tmp_path_factory):
    """A migrated, seeded database made once per backend; each test gets a copy."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "seeded.db"
        _migrate_and_seed(f"sqlite:///{path}")
        yield path
        return
    name = f"coordination_tpl_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _migrate_and_seed(_postgres_url(name))
    yield name
    _drop_database(name)


@pytest.fixture
def database_url(backend, seeded_template, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(seeded_template, path)
        yield f"sqlite:///{path}"
        return
    name = f"coordination_test_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_template}"')
    yield _postgres_url(name)
    _drop_database(name)


# --- application ------------------------------------------------------------------------------------


def make_app(database_url: str, **overrides):
    """The app on this database; its attached files go to a folder of this database's own (the same in
    every process that opens it), never into the working tree."""
    files = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "ATTACHMENT_DIR": os.path.join(tempfile.gettempdir(), "coordination-test-files", files),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(database_url):
    application = make_app(database_url)
    yield application
    db.engine_of(application).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    with Session(db.engine_of(app), expire_on_commit=False) as s:
        yield s


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = DEMO_PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def api_token(client):
    def issue(email: str, password: str = DEMO_PASSWORD) -> dict:
        response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['access_token']}"}

    return issue


def pytest_terminal_summary(terminalreporter):
    """One line per reason tests were skipped, instead of one per test."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"SKIPPED {count} tests: {reason}", yellow=True)
    for line in summary.PRINTED:
        terminalreporter.write_line(line)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown":
        report.user_properties.extend((summary.PROPERTY, line) for line in summary.drain())


def pytest_runtest_logreport(report):
    summary.PRINTED.extend(line for name, line in report.user_properties if name == summary.PROPERTY)
