"""The steering API: priorities with history, task forces with proposed chairs, meetings, sitreps."""

from datetime import UTC, datetime, timedelta

from tests.demo import DGB_DIRECTOR, DGD_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY


def adopted_goals(client, api_token) -> int:
    created = client.post(
        "/api/v1/decisions",
        headers=api_token(SG_SECRETARY),
        json={
            "issuing_body": "steering-group",
            "title": "Comprehensive effort for Burundi",
            "text": "Goals.",
            "addressees": [{"kind": "department", "key": "FA"}],
        },
    )
    client.post(f"/api/v1/decisions/{created.json['id']}/adopt", headers=api_token(SG_CHAIR))
    return created.json["id"]


def test_task_force_creation_returns_the_proposed_chairs_with_reasons(client, api_token):
    headers = api_token(SG_SECRETARY)
    refused = client.post(
        "/api/v1/task-forces", headers=headers, json={"name": "Task Force Burundi", "countries": ["BDI"]}
    )
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "goals_decision_id"
    proposal = {
        "goals_decision_id": adopted_goals(client, api_token),
        "name": "Task Force Burundi",
        "countries": ["BDI"],
    }
    overlapping = client.post("/api/v1/task-forces", headers=headers, json=proposal)
    assert overlapping.status_code == 422 and overlapping.json["errors"][0]["field"] == "countries"
    assert "BDI by Task Force Great Lakes" in overlapping.json["detail"]
    response = client.post(
        "/api/v1/task-forces",
        headers=headers,
        json={**proposal, "overlap_reason": "the elections need a task force of their own"},
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "proposed" and "BUJUMBURA" in body["missions"]
    assert [(c["role"], c["reason"]) for c in body["chairs"]] == [
        ("chair", "the director of DGB chairs task forces"),
        ("co_chair", "BDI is a partner country of development cooperation: DGD co-chairs"),
    ]
    assert (
        client.post(
            f"/api/v1/task-forces/{body['slug']}/confirm", headers=api_token(JUSTICE_MEMBER), json={}
        ).status_code
        == 403
    )
    confirmed = client.post(
        f"/api/v1/task-forces/{body['slug']}/confirm", headers=api_token(SG_CHAIR), json={}
    )
    assert (
        confirmed.json["status"] == "active" and confirmed.json["chairs_decided_by"] == "Annelies Vercammen"
    )


def test_priorities_and_their_history(client, api_token):
    headers = api_token(SG_SECRETARY)
    first = client.post(
        "/api/v1/priorities",
        headers=headers,
        json={"subject_kind": "country", "subject": "COD", "tier": 2, "rationale": "Eastern DRC"},
    )
    assert first.status_code == 200 and first.json["label"] == "DR Congo (COD)"
    no_reason = client.post(
        "/api/v1/priorities", headers=headers, json={"subject_kind": "country", "subject": "COD", "tier": 1}
    )
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    client.post(
        "/api/v1/priorities",
        headers=headers,
        json={"subject_kind": "country", "subject": "COD", "tier": 1, "reason": "Offensive on Goma"},
    )
    history = client.get(f"/api/v1/priorities/{first.json['id']}/history", headers=headers).json
    assert [(h["kind"], h["old_tier"], h["new_tier"]) for h in history["history"]] == [
        ("created", None, 2),
        ("tier", 2, 1),
    ]
    assert [p["subject"] for p in client.get("/api/v1/priorities", headers=headers).json["items"]] == ["COD"]


def test_meetings_agenda_minutes_invitation_and_situation_reports(client, api_token):
    headers = api_token(DGB_DIRECTOR)
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    created = client.post(
        "/api/v1/bodies/task-force-great-lakes/meetings",
        headers=headers,
        json={"title": "Task force meeting", "starts_at": starts, "weekly_occurrences": 2},
    )
    assert created.status_code == 201 and len(created.json["items"]) == 2
    meeting_id = created.json["items"][0]["id"]
    meeting = client.get(f"/api/v1/meetings/{meeting_id}", headers=headers).json
    assert isinstance(meeting["agenda"], list)
    naive = client.post(
        "/api/v1/bodies/task-force-great-lakes/meetings",
        headers=headers,
        json={"title": "Naive time", "starts_at": "2026-12-01T10:00:00"},
    )
    assert naive.status_code == 422
    dgd = client.get("/api/v1/people", headers=headers).json["items"]
    dgd_id = next(p["id"] for p in dgd if p["email"] == DGD_DIRECTOR)
    minutes = client.put(
        f"/api/v1/meetings/{meeting_id}/minutes",
        headers=headers,
        json={"minutes": "Agreed.", "present": [dgd_id]},
    )
    assert minutes.status_code == 200 and minutes.json["present"] == [dgd_id]
    ics = client.get(f"/api/v1/meetings/{meeting_id}/invitation.ics", headers=headers)
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    outsider = api_token("olivier.brasseur@diplobel.example")  # Niamey: not in the task force
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=outsider).status_code == 404
    today = datetime.now(UTC).date()
    sitrep = client.post(
        "/api/v1/task-forces/task-force-great-lakes/situation-reports",
        headers=headers,
        json={"period_start": (today - timedelta(days=14)).isoformat(), "period_end": today.isoformat()},
    )
    assert sitrep.status_code == 201 and sitrep.json["status"] == "draft"
    submitted = client.post(f"/api/v1/situation-reports/{sitrep.json['id']}/submit", headers=headers)
    assert submitted.json["status"] == "submitted"
    backwards = client.post(
        "/api/v1/task-forces/task-force-great-lakes/situation-reports",
        headers=headers,
        json={"period_start": today.isoformat(), "period_end": (today - timedelta(days=1)).isoformat()},
    )
    assert backwards.status_code == 422
