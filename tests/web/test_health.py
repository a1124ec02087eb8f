"""`/healthz` tells a load balancer whether this worker can serve, without sign-in and without detail."""

from sqlalchemy import text

from coordination import db


def test_healthz_answers_ok_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "schema": "ok"}
    assert response.headers["Cache-Control"].startswith("no-store")


def test_healthz_is_unavailable_when_the_schema_is_behind_the_code(app, client):
    with db.engine_of(app).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "schema": "behind"}
