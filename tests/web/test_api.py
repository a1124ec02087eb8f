import pytest
from openapi_spec_validator import validate

from tests.demo import DGB_DIRECTOR


def test_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    for path in (
        "/api/v1/auth/token",
        "/api/v1/missions",
        "/api/v1/missions/{code}",
        "/api/v1/bodies/{slug}",
        "/api/v1/people/{person_id}",
        "/api/v1/departments",
    ):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_token_from_the_right_password_reads_missions(client, api_token):
    headers = api_token(DGB_DIRECTOR)
    response = client.get("/api/v1/missions", headers=headers)
    assert response.status_code == 200
    codes = {m["code"] for m in response.json["items"]}
    assert {"KINSHASA", "PR-NATO"} <= codes and len(codes) >= 29


def test_wrong_password_is_401_problem(client):
    response = client.post("/api/v1/auth/token", json={"email": DGB_DIRECTOR, "password": "wrong"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and response.json["title"] == "Unauthorized"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}]
)
def test_reading_without_a_valid_token_is_401(client, headers):
    response = client.get("/api/v1/missions", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_are_stored_hashed(client, api_token, session):
    from sqlmodel import select

    from coordination.auth.models import ApiToken

    headers = api_token(DGB_DIRECTOR)
    raw = headers["Authorization"].split()[1]
    stored = session.exec(select(ApiToken)).all()
    assert stored and all(raw not in row.token_hash for row in stored)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "password": "x"}, "email"),
        ({"email": DGB_DIRECTOR}, "password"),
        (["x"], "body"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, body, field):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in {e["field"] for e in response.json["errors"]}


def test_malformed_json_is_a_problem_not_a_500(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_mission_detail_includes_its_platform(client, api_token):
    response = client.get("/api/v1/missions/KINSHASA", headers=api_token(DGB_DIRECTOR))
    assert response.status_code == 200
    members = response.json["platform"]["members"]
    assert members[0]["role"] == "chair" and members[0]["person"]["function"].startswith("Ambassador")
    assert response.json["host_country"] == "COD"


def test_read_endpoints_for_departments_bodies_and_people(client, api_token):
    headers = api_token(DGB_DIRECTOR)
    departments = client.get("/api/v1/departments", headers=headers).json["items"]
    fa = next(d for d in departments if d["code"] == "FA")
    assert {"DGB", "DGD"} <= {x["code"] for x in fa["directorates"]}
    task_forces = client.get("/api/v1/bodies?kind=task_force", headers=headers).json["items"]
    assert [b["slug"] for b in task_forces] == ["task-force-great-lakes"]
    body = client.get("/api/v1/bodies/task-force-great-lakes", headers=headers).json
    assert body["countries"] == ["BDI", "COD", "RWA"]
    person_id = body["members"][0]["person"]["id"]
    person = client.get(f"/api/v1/people/{person_id}", headers=headers).json
    assert any(b["body"] == "task-force-great-lakes" for b in person["bodies"])
    assert len(client.get("/api/v1/people", headers=headers).json["items"]) > 200


@pytest.mark.parametrize(
    "path",
    ["/api/v1/missions/NOWHERE", "/api/v1/bodies/none", "/api/v1/departments/XX", "/api/v1/people/999999"],
)
def test_unknown_records_are_404_problems(client, api_token, path):
    response = client.get(path, headers=api_token(DGB_DIRECTOR))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_invalid_query_values_are_422(client, api_token):
    response = client.get("/api/v1/bodies?kind=committee", headers=api_token(DGB_DIRECTOR))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "kind"


def test_a_post_takes_one_connection_for_its_reads_and_its_write(app, client, api_token):
    """The token check, the post's reads and its write are transactions on one connection of the pool,
    not one checked out (pinged, and rolled back on return) for each."""
    from sqlalchemy import event

    from coordination import db

    headers = api_token("catherine.lemmens@diplobel.example")
    # the token's first use is recorded in a short transaction of its own (db.write_soon): not counted here
    assert client.get("/api/v1/inbox", headers=headers).status_code == 200
    checkouts = []

    def listener(*_args):
        checkouts.append(1)

    event.listen(db.engine_of(app).pool, "checkout", listener)
    try:
        response = client.post(
            "/api/v1/field-reports",
            json={"title": "Checkpoint reopened", "mission_code": "KINSHASA", "body": "Traffic resumed."},
            headers=headers,
        )
    finally:
        event.remove(db.engine_of(app).pool, "checkout", listener)
    assert response.status_code == 201
    assert len(checkouts) == 1
