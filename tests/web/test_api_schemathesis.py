"""The API against its own OpenAPI document: Schemathesis sends generated requests to every operation as
each demo role and fails on any 5xx and on any status, media type or body that the document does not
describe.

SQLite only: the document and the code that answers are the same on both databases, and the run has to stay
within about two minutes of CI time; PostgreSQL's own behaviour (locks, constraint errors) is covered by the
service and web tests, which run on both. Generation is derandomised, without shrinking or an example
database, so each run sends the same requests and takes the same time. Requests that break the document
(wrong types, missing fields) are sent as the administrator only, who reaches the most code: what they must
get, a 4xx problem, does not depend on who asks.
"""

import re
import shutil
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from coordination import db
from coordination.structure import queries as structure
from tests import summary
from tests.conftest import make_app
from tests.demo import (
    AMBASSADOR_KINSHASA,
    DEMO_PASSWORD,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

ROLES = {
    "steering group chair": SG_CHAIR,
    "task force chair": DGB_DIRECTOR,
    "embassy platform chair": AMBASSADOR_KINSHASA,
    "administrator": SG_SECRETARY,
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Revoking a token may revoke the one the run is using, so that operation goes last.
LAST = {("DELETE", "/api/v1/auth/tokens/{token_id}")}
# Signing in answers the same whoever asks, and each attempt hashes a password: once is enough.
ONCE = {("POST", "/api/v1/auth/token")}
KNOWN_PERSON = JUSTICE_MEMBER  # sits in the Great Lakes task force
INVALID_INPUT_AS = "administrator"

SETTINGS = settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def _known_path_parameters(operation, person_id: int) -> dict:
    """Path parameters naming what the seed holds, so that generated bodies reach the rules behind a
    found resource, not only its 404 (the seed has structure only: no decisions, reports or lessons)."""
    known = {
        "slug": "task-force-great-lakes",
        "code": "DGB" if "/departments/" in operation.path else "KINSHASA",
        "person_id": person_id,
    }
    names = re.findall(r"{(\w+)}", operation.path)
    return {name: known[name] for name in names if name in known}


def _first_failure(strategy, app, headers: dict) -> str | None:
    """The first failure Schemathesis finds with the cases of one strategy, or None."""
    found: list[str] = []

    @SETTINGS
    @given(case=strategy)
    def exercise(case):
        if found:
            return
        try:
            case.call_and_validate(headers=headers, checks=CHECKS, app=app)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001  (all are reported, the run goes on)
            found.append(f"{type(error).__name__}: {error}")

    exercise()
    return found[0] if found else None


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(role, seeded_template, tmp_path):
    path = tmp_path / "schemathesis.db"
    shutil.copyfile(seeded_template, path)
    app = make_app(f"sqlite:///{path}")
    try:
        client = app.test_client()
        issued = client.post("/api/v1/auth/token", json={"email": ROLES[role], "password": DEMO_PASSWORD})
        assert issued.status_code == 201, issued.json
        headers = {"Authorization": f"Bearer {issued.json['access_token']}"}
        with Session(db.engine_of(app)) as session:
            person_id = structure.get_person_by_email(session=session, email=KNOWN_PERSON).id
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = sorted(
            (result.ok() for result in schema.get_all_operations()),
            key=lambda op: ((op.method.upper(), op.path) in LAST, op.path, op.method),
        )
        started, cpu = time.monotonic(), time.process_time()
        failures = {}
        for operation in operations:
            name = (operation.method.upper(), operation.path)
            if name in ONCE and role != next(iter(ROLES)):
                continue
            modes = [GenerationMode.POSITIVE]
            if role == INVALID_INPUT_AS:
                modes.append(GenerationMode.NEGATIVE)
            known = _known_path_parameters(operation, person_id)
            strategies = [operation.as_strategy(mode) for mode in modes]
            if known:
                strategies += [operation.as_strategy(mode, path_parameters=known) for mode in modes]
            for strategy in strategies:
                if failure := _first_failure(strategy, app, headers):
                    failures[" ".join(name)] = failure
                    break
        summary.add(
            f"schemathesis as {role}: {len(operations)} operations in {time.monotonic() - started:.1f} s "
            f"({time.process_time() - cpu:.1f} s CPU)"
        )
    finally:
        db.engine_of(app).dispose()
    assert not failures, "\n\n".join(f"{name}\n{failure}" for name, failure in failures.items())
