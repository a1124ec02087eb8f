import pytest

from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, SG_CHAIR, SG_SECRETARY


def test_audit_log_needs_sign_in(client):
    response = client.get("/audit")
    assert response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize("email", [SG_CHAIR, DGB_DIRECTOR, AMBASSADOR_KINSHASA])
def test_audit_log_is_forbidden_to_people_who_are_not_administrators(client, auth, email):
    auth.login(email)
    response = client.get("/audit")
    assert response.status_code == 403
    assert "You may not see this page" in response.get_data(as_text=True)
    assert 'href="/audit"' not in client.get("/").get_data(as_text=True)


def test_administrator_reads_sign_ins_and_the_seed_load(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    auth.logout()
    auth.login(SG_SECRETARY)
    page = client.get("/audit").get_data(as_text=True)
    assert "session.sign_in" in page and "Catherine Lemmens" in page
    assert "seed.load" in page
    assert 'href="/audit"' in client.get("/").get_data(as_text=True)


def test_administrator_sees_the_hash_chain_intact_and_then_the_event_edited_around_it(app, client, auth):
    from sqlalchemy import text

    from coordination import db

    auth.login(SG_SECRETARY)
    page = client.get("/audit").get_data(as_text=True)
    assert "events are intact" in page and "Head of the chain: " in page
    with db.engine_of(app).begin() as connection:
        edited = connection.execute(text("SELECT id FROM auditevent ORDER BY seq LIMIT 1")).scalar_one()
        connection.execute(text(f"UPDATE auditevent SET action = 'seed.forged' WHERE id = {edited}"))
    page = client.get("/audit").get_data(as_text=True)
    assert "The hash chain is broken: 1 problem(s)" in page
    assert f"Event {edited} at " in page and "edited: its content no longer matches its hash" in page
