"""Priorities that are regions made of countries, reviews that keep the tier, and the next review that
moves on with every review or tier change (issue 15)."""

from datetime import UTC, datetime, timedelta

import pytest

from coordination.audit import queries as audit_queries
from coordination.rules import Forbidden
from coordination.steering import queries as priorities_queries
from coordination.steering import service as priorities
from coordination.structure import queries as structure
from tests.demo import JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY

NOW = datetime(2026, 8, 31, 9, 0, tzinfo=UTC)


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def great_lakes(session, **changes):
    return priorities.set_priority(
        session=session,
        person=who(session, SG_SECRETARY),
        **{
            "subject_kind": "region",
            "subject": " African  Great Lakes ",
            "countries": ["bdi", "COD", "RWA", "COD"],
            "tier": 2,
            "rationale": "Eastern DR Congo",
            "now": NOW,
            **changes,
        },
    )


def test_a_region_is_made_of_known_countries(session):
    region = great_lakes(session)
    assert (region.subject_kind, region.subject) == ("region", "African Great Lakes")
    assert priorities_queries.member_countries(session=session, priorities=[region]) == {
        region.id: ["BDI", "COD", "RWA"]
    }
    assert priorities_queries.subject_label(session, region) == "African Great Lakes (BDI, COD, RWA)"
    # the same region in any case is changed, not created again; given countries replace the old ones
    changed = great_lakes(
        session, subject="african great lakes", countries=["BDI", "COD", "RWA", "UGA"], reason="Uganda"
    )
    assert changed.id == region.id and changed.subject == "African Great Lakes"
    assert priorities_queries.member_countries(session=session, priorities=[region])[region.id][-1] == "UGA"
    event = audit_queries.recent_events(session=session, limit=1)[0]
    assert event.action == "priority.details" and event.detail["countries"] == ["BDI", "COD", "RWA", "UGA"]
    assert event.detail["old_countries"] == ["BDI", "COD", "RWA"]
    refusals = [
        ({"subject": "Sahel", "countries": ["MLI", "XXX"]}, "Not a country we know: XXX"),
        ({"subject": "Sahel", "countries": ["MLI"]}, "at least two"),
        ({"subject": "Sahel", "countries": None}, "countries"),
        ({"subject_kind": "country", "subject": "NER", "countries": ["NER", "MLI"]}, "only a region"),
        ({"subject": "x" * 61}, "name the region"),
    ]
    for changes, message in refusals:
        with pytest.raises(priorities.PriorityError, match=message):
            great_lakes(session, **changes)


def test_a_tier_change_moves_the_next_review_a_details_change_does_not(session):
    region = great_lakes(session, review_every_months=6)
    assert region.next_review_on == NOW.date().replace(year=2027, month=2, day=28)  # day clamped
    later = NOW + timedelta(days=40)
    great_lakes(session, tier=2, rationale="Sharper rationale", reason="Wording", now=later)
    assert region.next_review_on == NOW.date().replace(year=2027, month=2, day=28)
    great_lakes(session, tier=1, review_every_months=3, reason="Offensive on Goma", now=later)
    assert (
        region.next_review_on
        == priorities.add_months(later.date(), 3)
        == later.date().replace(year=2027, month=1, day=10)
    )


def test_a_review_keeps_the_tier_needs_a_note_and_the_steering_group(session):
    region = great_lakes(session, review_every_months=3)
    chair = who(session, SG_CHAIR)
    review_day = NOW + timedelta(days=70)
    with pytest.raises(priorities.PriorityError, match="review found"):
        priorities.review_priority(
            session=session, person=chair, priority=region, reason="  ", now=review_day
        )
    with pytest.raises(Forbidden):
        priorities.review_priority(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            priority=region,
            reason="Fine",
            now=review_day,
        )
    priorities.review_priority(
        session=session, person=chair, priority=region, reason="Still relevant", now=review_day
    )
    assert region.tier == 2 and region.next_review_on == priorities.add_months(review_day.date(), 3)
    last = priorities_queries.history(session=session, priority=region)[-1][0]
    assert (last.kind, last.old_tier, last.new_tier, last.reason) == ("reviewed", 2, 2, "Still relevant")
    event = audit_queries.recent_events(session=session, limit=1)[0]
    assert (event.action, event.actor_id, event.object_id) == ("priority.reviewed", chair.id, str(region.id))


def test_the_pages_show_a_region_and_record_a_review(client, auth, session):
    auth.login(SG_SECRETARY)
    created = client.post(
        "/priorities",
        data={
            "subject_kind": "region",
            "subject": "African Great Lakes",
            "countries": "BDI, COD RWA",
            "tier": "1",
        },
    )
    assert created.status_code == 302
    page = client.get("/priorities").get_data(as_text=True)
    assert "African Great Lakes (BDI, COD, RWA)" in page and "Burundi, DR Congo, Rwanda" in page
    region = priorities_queries.find_priority(
        session=session, subject_kind="region", subject="African Great Lakes"
    )
    detail = client.get(f"/priorities/{region.id}").get_data(as_text=True)
    assert 'data-country="COD"' in detail and f'action="/priorities/{region.id}/review"' in detail
    assert 'value="BDI COD RWA"' in client.get(f"/priorities?edit={region.id}").get_data(as_text=True)
    assert client.post(f"/priorities/{region.id}/review", data={"reason": ""}).status_code == 400
    reviewed = client.post(f"/priorities/{region.id}/review", data={"reason": "Kept after the briefing"})
    assert reviewed.status_code == 302
    detail = client.get(f"/priorities/{region.id}").get_data(as_text=True)
    assert "reviewed, tier 1 kept" in detail and "Kept after the briefing" in detail
    auth.logout()
    auth.login(JUSTICE_MEMBER)
    assert "/review" not in client.get(f"/priorities/{region.id}").get_data(as_text=True)
    assert client.post(f"/priorities/{region.id}/review", data={"reason": "Mine"}).status_code == 403


def test_the_api_sets_a_region_and_records_a_review(client, api_token):
    headers = api_token(SG_SECRETARY)
    region = client.post(
        "/api/v1/priorities",
        headers=headers,
        json={"subject_kind": "region", "subject": "Sahel", "countries": ["MLI", "NER", "BFA"], "tier": 1},
    )
    assert region.status_code == 200 and region.json["countries"] == ["BFA", "MLI", "NER"]
    assert region.json["label"] == "Sahel (BFA, MLI, NER)"
    unknown = client.post(
        "/api/v1/priorities",
        headers=headers,
        json={"subject_kind": "region", "subject": "Middle East", "countries": ["LBN", "ZZZ"], "tier": 2},
    )
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "countries"
    url = f"/api/v1/priorities/{region.json['id']}/review"
    assert client.post(url, headers=api_token(JUSTICE_MEMBER), json={"reason": "Fine"}).status_code == 403
    blank = client.post(url, headers=headers, json={"reason": " "})
    assert blank.status_code == 422 and blank.json["errors"][0]["field"] == "reason"
    assert (
        client.post("/api/v1/priorities/999999/review", headers=headers, json={"reason": "x"}).status_code
        == 404
    )
    reviewed = client.post(url, headers=headers, json={"reason": "Transition continues"})
    assert reviewed.status_code == 200 and reviewed.json["tier"] == 1
    history = client.get(f"/api/v1/priorities/{region.json['id']}/history", headers=headers).json["history"]
    assert [(h["kind"], h["reason"]) for h in history][-1] == ("reviewed", "Transition continues")
    listed = client.get("/api/v1/priorities", headers=headers).json["items"]
    assert [p["countries"] for p in listed if p["subject"] == "Sahel"] == [["BFA", "MLI", "NER"]]
    spec = client.get("/api/v1/openapi.json").json
    review = spec["paths"]["/api/v1/priorities/{item_id}/review"]["post"]
    assert "422" in review["responses"] and "requestBody" in review
