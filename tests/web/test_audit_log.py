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
