"""Sign-out, "sign out everywhere", a password change and revoking a token end credentials at once, saved
copies of cookies included (issue 16)."""

from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.auth import service as auth_service
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_saved_session_cookie_no_longer_signs_in_after_sign_out(client, auth):
    auth.login(DGB_DIRECTOR)
    saved = client.get_cookie("session").value
    auth.logout()
    client.set_cookie("session", saved)
    assert not _signed_in(client)


def test_sign_out_everywhere_ends_remember_me_api_tokens_and_feed_links(app, client, session):
    response = client.post(
        "/login", data={"email": AMBASSADOR_KINSHASA, "password": "demo-coordination", "remember": "y"}
    )
    assert response.status_code == 302
    remember = client.get_cookie("remember_token").value
    other_device = app.test_client()
    other_device.set_cookie("remember_token", remember)
    assert _signed_in(other_device)
    token = client.post(
        "/api/v1/auth/token", json={"email": AMBASSADOR_KINSHASA, "password": "demo-coordination"}
    ).json["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/tokens", headers=bearer).status_code == 200
    page = client.post("/settings", data={"email": "immediately", "new_feed_token": "1"}).get_data(
        as_text=True
    )
    feed = page.split("/feeds/")[1].split("/")[0]
    assert client.get(f"/feeds/{feed}/decisions.atom").status_code == 200
    assert "Sign out everywhere" in client.get("/settings").get_data(as_text=True)

    assert client.post("/sign-out-everywhere").status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(other_device)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert not _signed_in(fresh)
    assert client.get("/api/v1/auth/tokens", headers=bearer).status_code == 401
    assert client.get(f"/feeds/{feed}/decisions.atom").status_code == 404
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "session.sign_out_everywhere")).one()


def test_a_password_change_ends_every_session(app, client, auth, session):
    auth.login(DGB_DIRECTOR)
    assert _signed_in(client)
    person = structure.get_person_by_email(session=session, email=DGB_DIRECTOR)
    auth_service.set_password(session=session, person=person, password="a brand new password")
    session.commit()
    assert not _signed_in(client)
    auth.login(DGB_DIRECTOR, "a brand new password")
    assert _signed_in(client)


def test_revoking_one_api_token_through_the_api(client, api_token, session):
    first, second = api_token(DGB_DIRECTOR), api_token(DGB_DIRECTOR)
    listed = client.get("/api/v1/auth/tokens", headers=first).json["items"]
    assert len(listed) == 2 and "token_hash" not in listed[0] and "expires_at" in listed[0]
    newest = listed[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{newest}", headers=first).status_code == 204
    assert client.get("/api/v1/auth/tokens", headers=second).status_code == 401
    assert [t["id"] for t in client.get("/api/v1/auth/tokens", headers=first).json["items"]] != [newest]
    assert client.delete(f"/api/v1/auth/tokens/{newest}", headers=first).status_code == 404
    other = api_token(AMBASSADOR_KINSHASA)
    own = client.get("/api/v1/auth/tokens", headers=first).json["items"][0]["id"]
    response = client.delete(f"/api/v1/auth/tokens/{own}", headers=other)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).all()) == 1


def test_revoking_one_api_token_on_the_page(client, auth, api_token):
    bearer = api_token(DGB_DIRECTOR)
    auth.login(DGB_DIRECTOR)
    token_id = client.get("/api/v1/auth/tokens", headers=bearer).json["items"][0]["id"]
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert f"/settings/tokens/{token_id}/revoke" in page
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/auth/tokens", headers=bearer).status_code == 401
    assert "You have no API tokens that still work" in client.get("/settings/tokens").get_data(as_text=True)
