import pytest
from sqlmodel import select

from coordination import db
from coordination.audit.models import AuditEvent
from tests.conftest import make_app
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR


def test_sign_in_with_the_demo_password_opens_the_overview(client, auth):
    response = auth.login(DGB_DIRECTOR)
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Bart Heylen" in page and "Task Force Great Lakes" in page


def test_wrong_password_is_refused_with_a_message(client, auth):
    response = auth.login(DGB_DIRECTOR, "not-the-password")
    assert response.status_code == 400
    assert "Wrong e-mail address or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_is_audited(client, auth, session):
    auth.login(AMBASSADOR_KINSHASA)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "session.sign_in")).all()
    assert len(events) == 1 and events[0].actor_id is not None


def test_after_sign_in_only_local_paths_are_followed(auth, client):
    response = client.post(
        "/login?next=https://evil.example/", data={"email": DGB_DIRECTOR, "password": "demo-coordination"}
    )
    assert response.location == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/missions", data={"email": DGB_DIRECTOR, "password": "demo-coordination"}
    )
    assert response.location == "/missions"


def test_sign_out_needs_a_post(client, auth):
    auth.login(DGB_DIRECTOR)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_demo_accounts_are_refused_in_production(database_url):
    app = make_app(database_url, COORDINATION_ENV="production")
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": DGB_DIRECTOR, "password": "demo-coordination"})
        assert response.status_code == 400
        assert "Demo accounts cannot sign in" in response.get_data(as_text=True)
        assert "demo-coordination" not in client.get("/login").get_data(as_text=True)
        token = client.post(
            "/api/v1/auth/token", json={"email": DGB_DIRECTOR, "password": "demo-coordination"}
        )
        assert token.status_code == 401
    finally:
        db.engine_of(app).dispose()


def test_forms_are_protected_against_csrf(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": DGB_DIRECTOR, "password": "demo-coordination"})
        assert response.status_code == 400
        assert client.get("/").status_code == 302
    finally:
        db.engine_of(app).dispose()


def test_session_cookie_is_http_only_and_same_site(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("locale, heading", [("nl", "Aanmelden"), ("fr", "Se connecter"), ("en", "Sign in")])
def test_language_picker_translates_the_interface(client, locale, heading):
    client.post("/language", data={"locale": locale, "next": "/login"})
    assert f"<h1>{heading}</h1>" in client.get("/login").get_data(as_text=True)


def test_browser_language_is_used_until_one_is_picked(client):
    page = client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_a_password_hashed_with_other_settings_is_remade_at_the_next_sign_in(client, auth, session):
    """Hashes made before the Argon2id settings changed (argon2-cffi's defaults, 64 MiB) still sign in, and
    are then remade with the current settings (46 MiB, OWASP's first recommendation)."""
    from argon2 import PasswordHasher

    from coordination.structure.models import Person

    person = session.exec(select(Person).where(Person.email == AMBASSADOR_KINSHASA)).one()
    defaults_before = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4)
    person.password_hash = defaults_before.hash("demo-coordination")
    session.add(person)
    session.commit()
    response = auth.login(AMBASSADOR_KINSHASA)
    assert response.status_code == 302
    session.expire_all()
    remade = session.exec(select(Person.password_hash).where(Person.email == AMBASSADOR_KINSHASA)).one()
    assert remade.startswith("$argon2id$v=19$m=47104,t=1,p=1$")
