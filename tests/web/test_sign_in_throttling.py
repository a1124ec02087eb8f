"""Sign-in throttling per account and per address, kept in the database, lifted by an administrator."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from coordination import db
from coordination.audit.models import AuditEvent
from coordination.auth import service as auth
from coordination.auth.models import SignInFailure
from coordination.auth.throttle import SignInLimits
from coordination.structure import queries as structure
from coordination.types import utcnow
from tests.conftest import make_app
from tests.demo import DEMO_PASSWORD, DGB_DIRECTOR, DGD_DIRECTOR, SG_SECRETARY

ADMIN = SG_SECRETARY  # the seeded administrator of the structure
WRONG = "not-the-password"


def actions(session, action: str) -> list[AuditEvent]:
    session.rollback()  # a new read transaction sees what the requests committed
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def person_id(session, email: str) -> int:
    return structure.get_person_by_email(session=session, email=email).id


def test_five_wrong_passwords_lock_the_account_on_the_page_until_an_administrator_lifts_it(
    app, client, auth, session
):
    for _ in range(4):
        assert auth.login(DGB_DIRECTOR, WRONG).status_code == 400
    locked = auth.login(DGB_DIRECTOR, WRONG)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "Too many failed sign-ins; try again after" in locked.get_data(as_text=True)
    assert "Brussels time or ask an administrator" in locked.get_data(as_text=True)
    refused = auth.login(DGB_DIRECTOR)  # the right password
    assert refused.status_code == 429 and "ask an administrator" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302

    director = person_id(session, DGB_DIRECTOR)
    failed = actions(session, "auth.sign_in_failed")
    assert len(failed) == 5 and {e.actor_id for e in failed} == {director}
    assert all(WRONG not in str(e.detail) and DEMO_PASSWORD not in str(e.detail) for e in failed)
    assert [e.detail["scope"] for e in actions(session, "auth.locked")] == ["account"]
    assert len(actions(session, "auth.throttled")) == 1

    admin = app.test_client()
    assert admin.post("/login", data={"email": ADMIN, "password": DEMO_PASSWORD}).status_code == 302
    page = admin.get(f"/people/{director}").get_data(as_text=True)
    assert "Lift the lockout" in page
    assert admin.post(f"/people/{director}/unlock").status_code == 302
    assert "Lift the lockout" not in admin.get(f"/people/{director}").get_data(as_text=True)
    unlocked = actions(session, "auth.unlocked")
    assert len(unlocked) == 1 and unlocked[0].object_id == str(director)

    assert auth.login(DGB_DIRECTOR).status_code == 302


def test_five_wrong_passwords_lock_the_account_on_the_api_until_an_administrator_lifts_it(
    client, api_token, session
):
    def token(password: str):
        return client.post("/api/v1/auth/token", json={"email": DGD_DIRECTOR, "password": password})

    for _ in range(4):
        assert token(WRONG).status_code == 401
    locked = token(WRONG)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "too many failed sign-ins; try again after" in locked.json["detail"]
    assert "Brussels time or ask an administrator" in locked.json["detail"]
    assert token(DEMO_PASSWORD).status_code == 429

    director = person_id(session, DGD_DIRECTOR)
    outsider = api_token(DGB_DIRECTOR)
    assert client.post(f"/api/v1/people/{director}/unlock", headers=outsider).status_code == 403
    assert client.post(f"/api/v1/people/{director}/unlock", headers=api_token(ADMIN)).status_code == 200
    assert token(DEMO_PASSWORD).status_code == 201
    assert len(actions(session, "auth.unlocked")) == 1


def test_a_successful_sign_in_clears_the_accounts_failures(auth):
    for _ in range(4):
        assert auth.login(DGB_DIRECTOR, WRONG).status_code == 400
    assert auth.login(DGB_DIRECTOR).status_code == 302
    auth.logout()
    for _ in range(4):
        assert auth.login(DGB_DIRECTOR, WRONG).status_code == 400


def test_too_many_failures_from_one_address_throttle_it(database_url):
    app = make_app(database_url, SIGN_IN_ADDRESS_FAILURES=3)
    try:
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        for n in range(3):
            response = attacker.post("/login", data={"email": f"nobody{n}@example.org", "password": WRONG})
        assert response.status_code == 429
        assert (
            attacker.post("/login", data={"email": DGB_DIRECTOR, "password": DEMO_PASSWORD}).status_code
            == 429
        )
        token = attacker.post("/api/v1/auth/token", json={"email": DGB_DIRECTOR, "password": DEMO_PASSWORD})
        assert token.status_code == 429 and "Retry-After" in token.headers

        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
        assert (
            elsewhere.post("/login", data={"email": DGB_DIRECTOR, "password": DEMO_PASSWORD}).status_code
            == 302
        )

        with Session(db.engine_of(app), expire_on_commit=False) as session:
            failed = actions(session, "auth.sign_in_failed")
            assert len(failed) == 3 and {e.actor_id for e in failed} == {None}
            assert {e.detail["address"] for e in failed} == {"192.0.2.7"}
            assert [e.detail["scope"] for e in actions(session, "auth.locked")] == ["address"]
            assert {e.detail["scope"] for e in actions(session, "auth.throttled")} == {"address"}
    finally:
        db.engine_of(app).dispose()


def test_the_lockout_holds_across_two_instances_on_the_same_database(database_url):
    first, second = make_app(database_url), make_app(database_url)
    try:
        one, two = first.test_client(), second.test_client()
        for _ in range(5):
            one.post("/login", data={"email": DGB_DIRECTOR, "password": WRONG})
        assert two.post("/login", data={"email": DGB_DIRECTOR, "password": DEMO_PASSWORD}).status_code == 429
        token = two.post("/api/v1/auth/token", json={"email": DGB_DIRECTOR, "password": DEMO_PASSWORD})
        assert token.status_code == 429
    finally:
        db.engine_of(first).dispose()
        db.engine_of(second).dispose()


def test_the_lockout_ends_by_itself(app, session):
    limits = SignInLimits.from_config(app.config)
    start = utcnow()

    def sign_in(password: str, at):
        return auth.authenticate(
            session=session,
            email=DGB_DIRECTOR,
            password=password,
            production=False,
            address="192.0.2.1",
            limits=limits,
            now=at,
        )

    for n in range(5):
        with pytest.raises(auth.SignInRefused):
            sign_in(WRONG, start + timedelta(seconds=n))
    with pytest.raises(auth.SignInRefused) as refused:
        sign_in(DEMO_PASSWORD, start + timedelta(minutes=14))
    assert refused.value.reason == "throttled"
    assert refused.value.until == start + timedelta(seconds=4) + limits.account.lockout
    assert sign_in(DEMO_PASSWORD, start + timedelta(minutes=16)).email == DGB_DIRECTOR


@pytest.mark.parametrize("proxies, address", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_address_is_the_one_the_trusted_proxy_saw(database_url, proxies, address):
    """Behind a load balancer (COORDINATION_TRUSTED_PROXIES=1) throttling counts the client's address, not
    the balancer's; without a trusted proxy a forged X-Forwarded-For is ignored."""
    app = make_app(database_url, TRUSTED_PROXIES=proxies)
    try:
        app.test_client().post(
            "/login",
            data={"email": DGB_DIRECTOR, "password": WRONG},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        with Session(db.engine_of(app)) as session:
            assert [f.address for f in session.exec(select(SignInFailure))] == [address]
    finally:
        db.engine_of(app).dispose()
