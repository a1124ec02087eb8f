"""Security headers on every kind of response (issue 16); no inline script or handler in the templates;
production refuses short secret keys and demo accounts' feed tokens."""

import re
from pathlib import Path

import pytest
from sqlmodel import select

from coordination import TEMPLATES, config, db
from coordination.notifications import service as notifications
from coordination.structure.models import Person
from tests.conftest import make_app
from tests.demo import DGB_DIRECTOR


def _assert_security_headers(response, *, no_store: bool = True) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in headers["Permissions-Policy"] and "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # only in production
    assert (headers.get("Cache-Control") == "no-store") is no_store


def test_every_kind_of_response_carries_the_security_headers(client, auth, api_token):
    _assert_security_headers(client.get("/login"))  # a page, signed out
    auth.login(DGB_DIRECTOR)
    page = client.get("/")
    assert page.status_code == 200
    _assert_security_headers(page)
    _assert_security_headers(client.get("/no-such-page"))  # an error page
    api = client.get("/api/v1/missions", headers=api_token(DGB_DIRECTOR))
    assert api.status_code == 200
    _assert_security_headers(api)
    problem = client.get("/api/v1/missions")
    assert problem.status_code == 401 and problem.mimetype == "application/problem+json"
    _assert_security_headers(problem)
    static = client.get("/static/app.css")
    assert static.status_code == 200
    _assert_security_headers(static, no_store=False)  # static files may be cached
    static.close()


def test_the_nonce_changes_per_request_and_the_pages_scripts_carry_it(client, auth):
    auth.login(DGB_DIRECTOR)
    nonces = []
    for _ in range(2):
        response = client.get("/")
        nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
        scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
        assert scripts and all(f'nonce="{nonce}"' in script for script in scripts)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_the_api_documentation_page_alone_may_use_inline_styles(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_no_template_has_an_inline_event_handler_or_style():
    """The policy blocks them: behaviour goes in coordination/static/*.js, styles in *.css."""
    found = []
    for template in Path(TEMPLATES).rglob("*.html"):
        text = template.read_text()
        for pattern in (r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style\b", r"javascript:"):
            found += [f"{template.name}: {m.group(0).strip()}" for m in re.finditer(pattern, text)]
        found += [  # an inline script needs nonce="{{ csp_nonce() }}"
            f"{template.name}: {script}"
            for script in re.findall(r"<script\b[^>]*>", text)
            if "src=" not in script and "csp_nonce()" not in script
        ]
    assert found == []


def test_production_sends_hsts(database_url):
    app = make_app(database_url, COORDINATION_ENV="production")
    try:
        response = app.test_client().get("/login")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        db.engine_of(app).dispose()


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("COORDINATION_ENV", "production")
    monkeypatch.setenv("COORDINATION_SECRET_KEY", "x" * 10)
    with pytest.raises(RuntimeError, match="at least 32"):
        config.load(tmp_path)
    monkeypatch.setenv("COORDINATION_SECRET_KEY", "k" * 32)
    assert config.load(tmp_path)["SECRET_KEY"] == "k" * 32


def test_a_demo_accounts_feed_token_is_refused_in_production(database_url):
    development = make_app(database_url)
    try:
        with development.app_context():
            session = db.get_session()
            person = session.exec(select(Person).where(Person.email == DGB_DIRECTOR)).one()
            assert person.is_demo
            token = notifications.new_feed_token(session=session, person=person)
        assert development.test_client().get(f"/feeds/{token}/decisions.atom").status_code == 200
    finally:
        db.engine_of(development).dispose()
    production = make_app(database_url, COORDINATION_ENV="production")
    try:
        client = production.test_client()
        assert client.get(f"/feeds/{token}/decisions.atom").status_code == 404
        assert client.get(f"/feeds/{token}/deadlines.ics").status_code == 404
    finally:
        db.engine_of(production).dispose()
