"""Field reports over HTTP: pages and API obey need-to-know; posting is idempotent; bad input is a problem."""

import re

import pytest

from tests.demo import (
    ADIV_ANALYST,
    AMBASSADOR_KINSHASA,
    AMBASSADOR_NIAMEY,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
)

BRIEF = {
    "title": "Armed group movements north of Goma",
    "body": "Convoys observed moving south.",
    "country_code": "COD",
    "kind": "intelligence_brief",
    "intelligence_level": "tactical",
    "classification": "secret",
    "severity": "high",
    "source_reliability": "B",
    "information_credibility": "2",
}


@pytest.fixture
def secret_brief(client, api_token):
    response = client.post("/api/v1/field-reports", json=BRIEF, headers=api_token(ADIV_ANALYST))
    assert response.status_code == 201, response.json
    return response.json


def test_secret_defence_brief_is_invisible_to_a_confidential_justice_member_everywhere(
    client, auth, api_token, secret_brief
):
    report_id = secret_brief["id"]
    assert {d["body"] for d in secret_brief["deliveries"]} == {"task-force-great-lakes", "steering-group"}
    headers = api_token(JUSTICE_MEMBER)
    assert client.get(f"/api/v1/field-reports/{report_id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/field-reports/{report_id}/read", headers=headers).status_code == 404
    assert report_id not in {
        i["report"]["id"] for i in client.get("/api/v1/inbox", headers=headers).json["items"]
    }
    auth.login(JUSTICE_MEMBER)
    assert client.get(f"/reports/{report_id}").status_code == 404
    inbox = client.get("/inbox").get_data(as_text=True)
    assert BRIEF["title"] not in inbox
    board = client.get("/bodies/task-force-great-lakes/triage").get_data(as_text=True)
    assert BRIEF["title"] not in board


def test_the_same_brief_is_visible_to_the_task_force_chair(client, auth, api_token, secret_brief):
    headers = api_token(DGB_DIRECTOR)
    response = client.get(f"/api/v1/field-reports/{secret_brief['id']}", headers=headers)
    assert response.status_code == 200 and response.json["classification"] == "secret"
    inbox = client.get("/api/v1/inbox?body=task-force-great-lakes", headers=headers).json
    assert inbox["items"][0]["report"]["id"] == secret_brief["id"] and inbox["items"][0]["unread"] is False
    auth.login(DGB_DIRECTOR)
    page = client.get(f"/reports/{secret_brief['id']}").get_data(as_text=True)
    assert BRIEF["title"] in page and "tactical intelligence: task force covers COD" in page


def test_posting_twice_with_one_idempotency_key_creates_one_report(client, api_token):
    headers = {**api_token(AMBASSADOR_KINSHASA), "Idempotency-Key": "kinshasa-2026-11-23-001"}
    body = {"title": "Fuel shortage in Kinshasa", "mission_code": "KINSHASA", "themes": ["economic"]}
    first = client.post("/api/v1/field-reports", json=body, headers=headers)
    second = client.post("/api/v1/field-reports", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json["id"] == second.json["id"] and first.json["deliveries"] == second.json["deliveries"]
    conflict = client.post("/api/v1/field-reports", json={**body, "title": "Other"}, headers=headers)
    assert conflict.status_code == 409 and conflict.mimetype == "application/problem+json"
    mine = client.get("/api/v1/inbox", headers=api_token(DGB_DIRECTOR)).json["items"]
    assert [i["report"]["title"] for i in mine].count("Fuel shortage in Kinshasa") == 1


def test_niamey_early_warning_api_reports_the_queue_reason(client, api_token):
    response = client.post(
        "/api/v1/field-reports",
        json={"title": "Troop movements near Niamey", "mission_code": "NIAMEY", "early_warning": True},
        headers=api_token(AMBASSADOR_NIAMEY),
    )
    assert response.status_code == 201
    reasons = {d["body"]: d["reason"] for d in response.json["deliveries"]}
    assert reasons["steering-group"].startswith(
        "no active task force covers NER: steering group early-warning queue"
    )


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"title": "x"}, 422, "title"),
        ({"title": "Valid title", "severity": "apocalyptic"}, 422, "severity"),
        ({"title": "Valid title", "themes": ["gardening"]}, 422, "themes.0"),
        ({"title": "Valid title", "country_code": "ZZZ"}, 422, "country_code"),
        ({"title": "Valid title", "source_reliability": "G"}, 422, "source_reliability"),
        ({"title": "Valid title", "mission_code": "NIAMEY"}, 403, None),
    ],
)
def test_bad_reports_are_problems_naming_the_field(client, api_token, body, status, field):
    response = client.post("/api/v1/field-reports", json=body, headers=api_token(AMBASSADOR_KINSHASA))
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in {e["field"] for e in response.json["errors"]}


def test_triage_over_the_api_and_the_reporter_sees_status_and_comment(client, api_token):
    posted = client.post(
        "/api/v1/field-reports",
        json={"title": "Checkpoint incident", "mission_code": "KINSHASA"},
        headers=api_token(AMBASSADOR_KINSHASA),
    ).json
    chair = api_token(DGB_DIRECTOR)
    skipped = client.post(
        f"/api/v1/field-reports/{posted['id']}/triage", json={"status": "validated"}, headers=chair
    )
    assert skipped.status_code == 422
    for status in ("under_review", "validated"):
        response = client.post(
            f"/api/v1/field-reports/{posted['id']}/triage",
            json={"status": status, "comment": "Confirmed by MONUSCO"},
            headers=chair,
        )
        statuses = {d["body"]: d["status"] for d in response.json["deliveries"]}
        assert response.status_code == 200 and statuses["task-force-great-lakes"] == status
    reporter = client.get(
        f"/api/v1/field-reports/{posted['id']}", headers=api_token(AMBASSADOR_KINSHASA)
    ).json
    task_force = next(d for d in reporter["deliveries"] if d["body"] == "task-force-great-lakes")
    assert task_force["status"] == "validated" and task_force["holder"]["name"] == "Bart Heylen"
    defence_attache_kinshasa = api_token(
        "michiel.willems@mil.example"
    )  # platform member, not in the task force
    assert (
        client.get(f"/api/v1/field-reports/{posted['id']}", headers=defence_attache_kinshasa).status_code
        == 200
    )
    platform_member = client.post(
        f"/api/v1/field-reports/{posted['id']}/triage",
        json={"status": "archived"},
        headers=defence_attache_kinshasa,
    )
    assert platform_member.status_code == 403


def test_posting_through_the_form_and_seeing_it_in_the_chairs_inbox(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    form = client.get("/reports/new").get_data(as_text=True)
    assert '<option selected value="KINSHASA">' in form and "intelligence_brief" not in form
    response = client.post(
        "/reports/new",
        data={
            "mission_code": "KINSHASA",
            "kind": "field_report",
            "intelligence_level": "",
            "title": "Protest in Gombe",
            "body": "Peaceful so far.",
            "country_code": "",
            "themes": ["diplomacy", "order"],
            "severity": "medium",
            "classification": "confidential",
            "source_reliability": "",
            "information_credibility": "",
        },
    )
    assert response.status_code == 302
    report_url = response.location
    page = client.get(report_url).get_data(as_text=True)
    assert "Protest in Gombe" in page and "task force covers COD" in page and "Confidential" in page
    auth.logout()
    auth.login(DGB_DIRECTOR)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Protest in Gombe" in inbox and 'class="unread"' in inbox
    client.get(report_url)
    assert 'class="unread"' not in client.get("/inbox?body=task-force-great-lakes").get_data(as_text=True)


FORM_KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def test_posting_the_form_twice_stores_one_report_and_a_changed_repost_is_refused(client, auth):
    """A reload after a lost answer, or a double click, sends the same form again."""
    auth.login(AMBASSADOR_KINSHASA)
    key = FORM_KEY.search(client.get("/reports/new").get_data(as_text=True)).group(1)
    assert FORM_KEY.search(client.get("/reports/new").get_data(as_text=True)).group(1) != key
    form = {
        "mission_code": "KINSHASA",
        "kind": "field_report",
        "intelligence_level": "",
        "title": "Road to Matadi blocked",
        "body": "Since this morning.",
        "country_code": "",
        "severity": "low",
        "classification": "unclassified",
        "source_reliability": "",
        "information_credibility": "",
        "idempotency_key": key,
    }
    first = client.post("/reports/new", data=form)
    again = client.post("/reports/new", data=form, follow_redirects=True)
    assert first.status_code == 302 and again.request.path == first.location
    page = again.get_data(as_text=True)
    assert "already received" in page and f'data-posted-draft="{key}"' in page

    changed = client.post("/reports/new", data={**form, "title": "Road to Matadi open again"})
    assert changed.status_code == 409
    page = changed.get_data(as_text=True)
    assert "already posted with other content" in page and f'href="{first.location}"' in page
    assert FORM_KEY.search(page).group(1) != key
    mine = client.get("/reports/mine").get_data(as_text=True)
    assert mine.count("Road to Matadi blocked") == 1 and "Road to Matadi open again" not in mine


def test_the_form_refuses_bad_input_with_messages(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    response = client.post(
        "/reports/new",
        data={
            "mission_code": "KINSHASA",
            "kind": "field_report",
            "title": "",
            "severity": "info",
            "classification": "top_secret",
        },
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_early_warning_board_is_for_the_steering_group(client, auth, api_token):
    client.post(
        "/api/v1/field-reports",
        json={
            "title": "Coup attempt",
            "mission_code": "NIAMEY",
            "early_warning": True,
            "severity": "critical",
        },
        headers=api_token(AMBASSADOR_NIAMEY),
    )
    auth.login(JUSTICE_MEMBER)
    assert client.get("/early-warning").status_code == 403
    auth.logout()
    auth.login(SG_CHAIR)
    page = client.get("/early-warning").get_data(as_text=True)
    assert "Coup attempt" in page and 'data-country="NER"' in page and 'class="sev-critical"' in page


def test_navigation_shows_the_early_warning_board_and_triage_board_to_those_who_use_them(client, auth):
    auth.login(JUSTICE_MEMBER)
    assert 'href="/early-warning"' not in client.get("/").get_data(as_text=True)
    assert 'href="/bodies/task-force-great-lakes/triage"' in client.get(
        "/bodies/task-force-great-lakes"
    ).get_data(as_text=True)
    assert 'href="/bodies/platform-kinshasa/triage"' not in client.get("/bodies/platform-kinshasa").get_data(
        as_text=True
    )
    assert client.get("/bodies/steering-group/triage").status_code == 403
    auth.logout()
    auth.login(SG_CHAIR)
    assert 'href="/early-warning"' in client.get("/").get_data(as_text=True)


INBOX_ROW = re.compile(r'<a href="/reports/(\d+)">')
OLDER = re.compile(r'<a href="(/inbox\?[^"]*older=[^"]+)" rel="next">')


def test_the_inbox_pages_through_every_report_once_in_order(client, auth, api_token, monkeypatch):
    from coordination.reports import views

    monkeypatch.setattr(views, "INBOX_PAGE", 3)
    for n in range(7):
        report = dict(BRIEF, kind="field_report", classification="unclassified", title=f"Paged report {n}")
        del report["intelligence_level"]
        posted = client.post("/api/v1/field-reports", json=report, headers=api_token(AMBASSADOR_KINSHASA))
        assert posted.status_code == 201, posted.json
    headers = api_token(DGB_DIRECTOR)
    listed = client.get("/api/v1/inbox?limit=200", headers=headers).json
    everything = listed["items"]
    assert listed["older"] is None
    assert any(len(item["via"]) > 1 for item in everything)  # listed once, at its newest delivery
    auth.login(DGB_DIRECTOR)
    seen, url, pages = [], "/inbox", 0
    while url:
        page = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        rows = [int(i) for i in INBOX_ROW.findall(page.split('<table class="inbox">')[1])]
        assert len(rows) <= 3
        seen += rows
        pages += 1
        url = m.group(1) if (m := OLDER.search(page)) else None
    assert seen == [item["report"]["id"] for item in everything] and len(seen) == len(set(seen)) >= 7
    assert pages == -(-len(seen) // 3)
    # the API pages alike: each page says where the next one starts, the last one says null
    api_seen, older, api_pages = [], None, 0
    while True:
        page = client.get(
            "/api/v1/inbox", query_string={"limit": 3} | ({"older": older} if older else {}), headers=headers
        ).json
        assert len(page["items"]) <= 3
        api_seen += [item["report"]["id"] for item in page["items"]]
        api_pages += 1
        if (older := page["older"]) is None:
            break
    assert api_seen == seen and api_pages == pages
    bad = client.get("/api/v1/inbox?older=yesterday", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    filtered = client.get("/inbox?severity=high&older=1-1").get_data(as_text=True)
    assert "Nothing older has reached you" in filtered and "Newest reports" in filtered
    refused = client.get("/inbox?older=yesterday")
    assert refused.status_code == 400 and "not valid" in refused.get_data(as_text=True)
