"""A person sees and ends their sign-ins, sees when each API token was last used, and changes their
password on a page (issue 16). Browsers hold a remember-me cookie of a sign-in started through the service
and tokens are issued through it: each argon2 check of a password sign-in costs up to a second."""

import re
from datetime import timedelta

from flask_login.utils import encode_cookie
from sqlmodel import select, update

from coordination.audit.models import AuditEvent
from coordination.auth import service as auth_service
from coordination.auth.models import ApiToken, SignedInSession, SignInFailure
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, DEMO_PASSWORD, DGB_DIRECTOR

NEW_PASSWORD = "a much longer new password"


def _bearer(app, session, email: str = DGB_DIRECTOR) -> dict:
    person = structure.get_person_by_email(session=session, email=email)
    token, _row = auth_service.issue_token(
        session=session, person=person, lifetime=app.config["API_TOKEN_LIFETIME"]
    )
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _remembered_browser(app, session, user_agent: str, email: str = DGB_DIRECTOR):
    """A browser holding the remember-me cookie of a sign-in made elsewhere."""
    person = structure.get_person_by_email(session=session, email=email)
    user_id = auth_service.start_session(
        session=session,
        person=person,
        lifetime=auth_service.session_lifetime(app.config),
        user_agent=user_agent,
        address="192.0.2.7",
    )
    session.commit()
    browser = app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = user_agent
    with app.test_request_context():
        browser.set_cookie("remember_token", encode_cookie(user_id))
    return browser


def _signed_in(browser) -> bool:
    return browser.get("/").status_code == 200


def _read(session, query):
    """Every row of the query as committed now (SQLite reads from the snapshot of its transaction)."""
    session.rollback()
    session.expire_all()
    return session.exec(query).all()


def test_a_person_sees_and_ends_their_own_sign_ins(app, session):
    laptop = _remembered_browser(app, session, "Firefox on the laptop")
    phone = _remembered_browser(app, session, "Safari on the phone")
    _remembered_browser(app, session, "Edge of the ambassador", email=AMBASSADOR_KINSHASA)
    assert _signed_in(phone) and _signed_in(phone)  # the second request too ("strong" session protection)
    saved = {name: phone.get_cookie(name).value for name in ("session", "remember_token")}

    page = laptop.get("/settings/tokens").get_data(as_text=True)
    assert "Sign-ins and tokens" in page
    assert "Firefox on the laptop" in page and "Safari on the phone" in page and "192.0.2.7" in page
    assert "Edge of the ambassador" not in page
    assert page.count("(this browser)") == 1
    assert page.index("Safari on the phone") < page.index("(this browser)")  # newest first

    bearer = _bearer(app, session)
    listed = laptop.get("/api/v1/auth/sessions", headers=bearer).json["items"]
    assert [item["user_agent"] for item in listed] == ["Safari on the phone", "Firefox on the laptop"]
    digests = {row.id for row in _read(session, select(SignedInSession))}
    assert all(re.fullmatch("[0-9a-f]{16}", item["id"]) and item["id"] not in digests for item in listed)
    assert listed[1]["last_seen_at"] and listed[1]["address"] == "192.0.2.7"

    phone_id, laptop_id = listed[0]["id"], listed[1]["id"]
    assert f"/settings/sessions/{phone_id}/revoke" in page
    assert laptop.post(f"/settings/sessions/{phone_id}/revoke").status_code == 302
    assert not _signed_in(phone)
    for name, value in saved.items():
        copy = app.test_client()
        copy.set_cookie(name, value)
        assert not _signed_in(copy)
    assert _signed_in(laptop)
    assert laptop.post(f"/settings/sessions/{phone_id}/revoke").status_code == 404
    assert laptop.delete(f"/api/v1/auth/sessions/{phone_id}", headers=bearer).status_code == 404
    assert len(_read(session, select(AuditEvent).where(AuditEvent.action == "session.revoke"))) == 1

    ambassador = next(
        row for row in _read(session, select(SignedInSession)) if row.user_agent.startswith("Edge")
    )
    response = laptop.delete(f"/api/v1/auth/sessions/{ambassador.id[:16]}", headers=bearer)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert laptop.delete("/api/v1/auth/sessions/not-an-id", headers=bearer).status_code == 422

    response = laptop.post(f"/settings/sessions/{laptop_id}/revoke", follow_redirects=True)
    assert "You are signed out." in response.get_data(as_text=True)
    assert not _signed_in(laptop)
    assert laptop.get("/api/v1/auth/sessions", headers=bearer).json["items"] == []


def test_changing_the_password_keeps_this_browser_and_ends_the_others(app, session):
    laptop = _remembered_browser(app, session, "Firefox on the laptop")
    old_remember = laptop.get_cookie("remember_token").value
    phone = _remembered_browser(app, session, "Safari on the phone")
    bearer = _bearer(app, session)
    old_hash = structure.get_person_by_email(session=session, email=DGB_DIRECTOR).password_hash
    assert "Change password" in laptop.get("/settings").get_data(as_text=True)

    wrong = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    response = laptop.post("/settings/password", data=wrong | {"confirm_password": NEW_PASSWORD})
    assert response.status_code == 400 and "Wrong password." in response.get_data(as_text=True)
    assert _read(session, select(SignInFailure).where(SignInFailure.email == DGB_DIRECTOR))
    change = {"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}
    assert laptop.post("/settings/password", data=change | {"confirm_password": "other"}).status_code == 400
    short = {"current_password": DEMO_PASSWORD, "new_password": "short", "confirm_password": "short"}
    assert laptop.post("/settings/password", data=short).status_code == 400
    assert _signed_in(phone)
    assert not _read(session, select(AuditEvent).where(AuditEvent.action == "person.password_change"))

    response = laptop.post(
        "/settings/password", data=change | {"confirm_password": NEW_PASSWORD}, follow_redirects=True
    )
    assert "Your password is changed." in response.get_data(as_text=True)
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    assert laptop.get("/api/v1/auth/tokens", headers=bearer).status_code == 401
    new_remember = laptop.get_cookie("remember_token").value
    for cookie, works in ((new_remember, True), (old_remember, False)):
        saved = app.test_client()
        saved.set_cookie("remember_token", cookie)
        assert _signed_in(saved) is works
    assert len(_read(session, select(SignedInSession))) == 1
    assert len(_read(session, select(AuditEvent).where(AuditEvent.action == "person.password_change"))) == 1
    session.rollback()
    session.expire_all()
    assert structure.get_person_by_email(session=session, email=DGB_DIRECTOR).password_hash != old_hash


def test_last_use_of_a_token_and_a_sign_in_is_written_at_most_every_few_minutes(app, client, session):
    bearer = _bearer(app, session)
    assert _read(session, select(ApiToken.last_used_at))[0] is None
    assert client.get("/api/v1/auth/tokens", headers=bearer).status_code == 200
    first = _read(session, select(ApiToken.last_used_at))[0]
    assert first is not None
    listed = client.get("/api/v1/auth/tokens", headers=bearer).json["items"]
    assert _read(session, select(ApiToken.last_used_at))[0] == first
    assert listed[0]["last_used_at"] is not None

    token = bearer["Authorization"].split()[1]
    for later, rewritten in ((timedelta(minutes=4), False), (timedelta(minutes=5), True)):
        auth_service.person_for_token(session=session, token=token, production=False, now=first + later)
        assert (_read(session, select(ApiToken.last_used_at))[0] == first + later) is rewritten

    browser = _remembered_browser(app, session, "Firefox on the laptop")
    row = _read(session, select(SignedInSession))[0]
    seen = row.last_seen_at
    assert _signed_in(browser) and _read(session, select(SignedInSession))[0].last_seen_at == seen
    for later, rewritten in ((timedelta(minutes=4), False), (timedelta(minutes=5), True)):
        noted = auth_service.note_session_seen(
            session=session, row=row, user_agent="Firefox", address="10.0.0.7", now=seen + later
        )
        row = _read(session, select(SignedInSession))[0]
        assert noted is rewritten and (row.last_seen_at == seen + later) is rewritten
    assert (row.user_agent, row.address) == ("Firefox", "10.0.0.7")

    a_while_ago = seen - timedelta(minutes=10)
    session.exec(update(SignedInSession).values(last_seen_at=a_while_ago))
    session.commit()
    assert _signed_in(browser)
    row = _read(session, select(SignedInSession))[0]
    assert row.last_seen_at > a_while_ago and row.address == "127.0.0.1"
