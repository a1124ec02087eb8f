"""Seats: seating people in bodies and ending seats, through the service, the API and the pages; who may
do it (the seating rule), the history kept, and what an unseated member still reads."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.reports import queries as report_queries
from coordination.rules import Forbidden
from coordination.structure import queries as structure
from coordination.structure import service
from coordination.structure.service import StructureError
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, make_person, post

GREAT_LAKES = "task-force-great-lakes"


def now() -> datetime:
    return datetime.now(UTC)


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def body(session, slug=GREAT_LAKES):
    return structure.get_body(session=session, slug=slug)


def seat(session, actor_email, person, role="member", reason="desk officer", **extra):
    return service.seat_person(
        session=session,
        actor=who(session, actor_email),
        body=body(session),
        person=person,
        role=role,
        reason=reason,
        now=extra.pop("now", now()),
        **extra,
    )


# --- service ----------------------------------------------------------------------------------------


def test_chair_seats_changes_role_and_ends_a_seat_and_the_history_keeps_each_step(session):
    newcomer = make_person(session, department="FA", directorate="DGB")
    chair = who(session, DGB_DIRECTOR)

    first, outcome = seat(session, DGB_DIRECTOR, newcomer, reason="Desk officer Burundi")
    assert outcome == "seated" and first.seated_by_id == chair.id
    assert structure.role_in(session=session, person_id=newcomer.id, body_id=first.body_id) == "member"

    later = (now() + timedelta(days=90)).date()
    _same, outcome = seat(session, DGB_DIRECTOR, newcomer, reason="Desk officer Burundi", ends_on=later)
    assert outcome == "updated" and _same.id == first.id and _same.ends_on == later
    _same, outcome = seat(session, DGB_DIRECTOR, newcomer, reason="Desk officer Burundi", ends_on=later)
    assert outcome == "unchanged"

    second, outcome = seat(session, DGB_DIRECTOR, newcomer, role="observer", reason="Moves to DGM")
    assert outcome == "role_changed" and second.id != first.id

    ended = service.end_seat(
        session=session,
        actor=chair,
        body=body(session),
        person_id=newcomer.id,
        reason="Posted abroad",
        now=now(),
    )
    assert ended.ended_by_id == chair.id and ended.end_reason == "Posted abroad"
    assert structure.role_in(session=session, person_id=newcomer.id, body_id=first.body_id) is None

    history = [
        s
        for s in structure.seat_history(session=session, body_id=first.body_id)
        if s.person_id == newcomer.id
    ]
    assert [(s.role, s.end_reason) for s in history] == [
        ("observer", "Posted abroad"),
        ("member", "role changed to observer"),
    ]
    assert all(s.ended_at is not None for s in history)
    assert [s.body.slug for s in structure.seats_held_by(session=session, person_id=newcomer.id)] == [
        GREAT_LAKES
    ] * 2
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == GREAT_LAKES, AuditEvent.action.like("seat.%"))
    ).all()
    assert actions == ["seat.seated", "seat.updated", "seat.role_changed", "seat.ended"]


@pytest.mark.parametrize(
    "actor, role, rule",
    [
        (AMBASSADOR_KINSHASA, "member", "only the task force's chair, a co-chair or its secretary seats"),
        (DGB_DIRECTOR, "co_chair", "a task force's chairs are seated by the steering group's chair"),
        (JUSTICE_MEMBER, "observer", "only the task force's chair, a co-chair or its secretary seats"),
    ],
)
def test_the_seating_rule_refuses_with_its_words(session, actor, role, rule):
    newcomer = make_person(session)
    with pytest.raises(Forbidden, match=rule):
        seat(session, actor, newcomer, role=role)
    assert structure.seats_held_by(session=session, person_id=newcomer.id) == []


def test_the_steering_group_seats_a_task_force_co_chair_and_only_it_ends_that_seat(session):
    newcomer = make_person(session)
    _seat, outcome = seat(session, SG_CHAIR, newcomer, role="co_chair", reason="Defence: major department")
    assert outcome == "seated"
    with pytest.raises(Forbidden, match="a task force's chairs are seated by the steering group"):
        service.end_seat(
            session=session,
            actor=who(session, DGB_DIRECTOR),
            body=body(session),
            person_id=newcomer.id,
            reason="no",
            now=now(),
        )
    # changing a member into a co-chair needs the authority for both roles
    member = make_person(session, bodies=((GREAT_LAKES, "member"),))
    with pytest.raises(Forbidden):
        seat(session, DGB_DIRECTOR, member, role="co_chair")


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"role": "president"}, "role"),
        ({"reason": "  "}, "reason"),
        ({"ends_on": (datetime.now(UTC) - timedelta(days=1)).date()}, "ends_on"),
        ({"starts_on": (datetime.now(UTC) + timedelta(days=2)).date()}, "starts_on"),
    ],
)
def test_bad_seats_are_refused_naming_the_field(session, extra, field):
    newcomer = make_person(session)
    with pytest.raises(StructureError) as refused:
        seat(session, DGB_DIRECTOR, newcomer, **extra)
    assert refused.value.field == field


def test_ending_a_seat_needs_a_reason_and_a_seat(session):
    member = make_person(session, bodies=((GREAT_LAKES, "member"),))
    chair = who(session, DGB_DIRECTOR)
    with pytest.raises(StructureError) as refused:
        service.end_seat(
            session=session, actor=chair, body=body(session), person_id=member.id, reason=" ", now=now()
        )
    assert refused.value.field == "reason"
    outsider = make_person(session)
    with pytest.raises(StructureError) as refused:
        service.end_seat(
            session=session, actor=chair, body=body(session), person_id=outsider.id, reason="x", now=now()
        )
    assert refused.value.field == "person_id"


def test_seatable_roles_follow_the_rule(session):
    great_lakes = body(session)
    kinshasa = structure.get_body(session=session, slug="platform-kinshasa")

    def roles(email, found):
        return {
            str(r) for r in structure.seatable_roles(session=session, viewer=who(session, email), body=found)
        }

    assert roles(DGB_DIRECTOR, great_lakes) == {"secretary", "member", "observer"}
    assert roles(SG_CHAIR, great_lakes) == {"chair", "co_chair"}
    assert roles(SG_SECRETARY, great_lakes) == {"chair", "co_chair"}
    assert roles(JUSTICE_MEMBER, great_lakes) == set()
    assert roles(AMBASSADOR_KINSHASA, kinshasa) == {"chair", "co_chair", "secretary", "member", "observer"}


def test_an_unseated_member_keeps_what_reached_them_while_seated_and_nothing_after(session):
    ambassador = who(session, AMBASSADOR_KINSHASA)
    member = make_person(session, department="JUST", bodies=((GREAT_LAKES, "member"),))
    before = post(session, ambassador, mission_code="KINSHASA", country_code="COD", body="Before").report
    assert report_queries.get_visible_report(
        session=session, viewer=member, report_id=before.id, policy=POLICY
    )

    service.end_seat(
        session=session,
        actor=who(session, DGB_DIRECTOR),
        body=body(session),
        person_id=member.id,
        reason="Back to the ministry",
        now=now(),
    )
    after = post(session, ambassador, mission_code="KINSHASA", country_code="COD", body="After").report
    member = structure.get_person(session=session, person_id=member.id)
    assert report_queries.get_visible_report(
        session=session, viewer=member, report_id=before.id, policy=POLICY
    )
    assert (
        report_queries.get_visible_report(session=session, viewer=member, report_id=after.id, policy=POLICY)
        is None
    )
    chair = who(session, DGB_DIRECTOR)
    assert report_queries.get_visible_report(session=session, viewer=chair, report_id=after.id, policy=POLICY)


# --- API --------------------------------------------------------------------------------------------


def test_api_seats_a_person_changes_the_role_ends_the_seat_and_lists_the_history(client, api_token, session):
    newcomer = make_person(session, name="Ines Newcomer")
    headers = api_token(DGB_DIRECTOR)
    url = f"/api/v1/bodies/{GREAT_LAKES}/seats"

    response = client.post(
        url, json={"person_id": newcomer.id, "role": "member", "reason": "Desk"}, headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "seated" and response.json["seated_by"] == "Bart Heylen"
    assert response.json["person"]["name"] == "Ines Newcomer" and response.json["current"] is True

    response = client.post(
        url, json={"person_id": newcomer.id, "role": "observer", "reason": "Less time"}, headers=headers
    )
    assert response.status_code == 200 and response.json["outcome"] == "role_changed"

    current = client.get(url, headers=headers).json["items"]
    assert [s["role"] for s in current if s["person"]["id"] == newcomer.id] == ["observer"]
    assert all(s["current"] for s in current)

    response = client.post(f"{url}/{newcomer.id}/end", json={"reason": "Posted abroad"}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["ended_by"] == "Bart Heylen" and response.json["end_reason"] == "Posted abroad"

    history = client.get(f"{url}?history=true", headers=headers).json["items"]
    mine = [s for s in history if s["person"]["id"] == newcomer.id]
    assert [(s["role"], s["end_reason"], s["current"]) for s in mine] == [
        ("observer", "Posted abroad", False),
        ("member", "role changed to observer", False),
    ]
    assert all(s["ended_at"] and s["started_at"] for s in mine)
    assert not [s for s in client.get(url, headers=headers).json["items"] if s["person"]["id"] == newcomer.id]


def test_api_refusals_are_403_with_the_rule_and_404_for_an_unknown_body(client, api_token, session):
    newcomer = make_person(session)
    url = f"/api/v1/bodies/{GREAT_LAKES}/seats"
    body_json = {"person_id": newcomer.id, "role": "member", "reason": "Desk"}
    response = client.post(url, json=body_json, headers=api_token(AMBASSADOR_KINSHASA))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "only the task force's chair, a co-chair or its secretary" in response.json["detail"]

    response = client.post(url, json={**body_json, "role": "chair"}, headers=api_token(DGB_DIRECTOR))
    assert response.status_code == 403 and "steering group's chair" in response.json["detail"]

    chair = api_token(DGB_DIRECTOR)
    member = who(session, JUSTICE_MEMBER)
    response = client.post(f"{url}/{member.id}/end", json={"reason": "x"}, headers=api_token(JUSTICE_MEMBER))
    assert response.status_code == 403
    response = client.post("/api/v1/bodies/no-such-body/seats", json=body_json, headers=chair)
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/bodies/no-such-body/seats/{member.id}/end", json={"reason": "x"}, headers=chair
    )
    assert response.status_code == 404
    assert client.get("/api/v1/bodies/no-such-body/seats", headers=chair).status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"person_id": 999_999}, "person_id"),
        ({"role": "president"}, "role"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"ends_on": "2001-01-01"}, "ends_on"),
        ({"starts_on": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()}, "starts_on"),
    ],
)
def test_api_bad_seats_are_422_naming_the_field(client, api_token, session, change, field):
    newcomer = make_person(session)
    body_json = {"person_id": newcomer.id, "role": "member", "reason": "Desk", **change}
    response = client.post(
        f"/api/v1/bodies/{GREAT_LAKES}/seats", json=body_json, headers=api_token(DGB_DIRECTOR)
    )
    assert response.status_code == 422, response.json
    assert field in {e["field"] for e in response.json["errors"]}


def test_api_ending_needs_a_reason_and_a_seat(client, api_token, session):
    outsider = make_person(session)
    member = who(session, JUSTICE_MEMBER)
    headers = api_token(DGB_DIRECTOR)
    url = f"/api/v1/bodies/{GREAT_LAKES}/seats"
    response = client.post(f"{url}/{member.id}/end", json={"reason": ""}, headers=headers)
    assert response.status_code == 422 and "reason" in {e["field"] for e in response.json["errors"]}
    response = client.post(f"{url}/{outsider.id}/end", json={"reason": "x"}, headers=headers)
    assert response.status_code == 422 and "person_id" in {e["field"] for e in response.json["errors"]}


def test_openapi_lists_the_seat_and_bulk_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/bodies/{slug}/seats",
        "/api/v1/bodies/{slug}/seats/{person_id}/end",
        "/api/v1/people/import",
        "/api/v1/people/export.csv",
    ):
        assert path in paths, path
    assert "text/csv" in paths["/api/v1/people/import"]["post"]["requestBody"]["content"]


# --- pages ------------------------------------------------------------------------------------------


def test_the_chair_sees_the_seat_form_and_end_buttons_a_member_does_not(client, auth):
    auth.login(DGB_DIRECTOR)
    page = client.get(f"/bodies/{GREAT_LAKES}").get_data(as_text=True)
    assert "Seat a person" in page and "End seat" in page and "Seats that ended" in page
    task_force_page = client.get(f"/task-forces/{GREAT_LAKES}").get_data(as_text=True)
    assert "Seat a person" in task_force_page and 'value="task_force"' in task_force_page
    auth.logout()
    auth.login(JUSTICE_MEMBER)
    page = client.get(f"/bodies/{GREAT_LAKES}").get_data(as_text=True)
    assert "Seat a person" not in page and "End seat" not in page and "Seats that ended" in page


def test_pages_seat_and_end_a_seat_and_show_refusals_as_messages(client, auth, session):
    newcomer = make_person(session, name="Pia Pagewise")
    auth.login(DGB_DIRECTOR)
    response = client.post(
        f"/bodies/{GREAT_LAKES}/seats",
        data={"person_id": str(newcomer.id), "role": "member", "reason": "Desk officer", "back": "body"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/bodies/{GREAT_LAKES}#members"
    )
    session.rollback()  # a fresh read: the page wrote in its own transaction
    assert structure.role_in(session=session, person_id=newcomer.id, body_id=body(session).id) == "member"

    refused = client.post(
        f"/bodies/{GREAT_LAKES}/seats",
        data={"email": newcomer.email, "role": "chair", "reason": "Promotion", "back": "task_force"},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    assert "a task force&#39;s chairs are seated by the steering group" in refused.get_data(as_text=True)

    missing = client.post(
        f"/bodies/{GREAT_LAKES}/seats", data={"role": "member", "reason": "x"}, follow_redirects=True
    )
    assert missing.status_code == 200 and "Choose a person" in missing.get_data(as_text=True)

    no_reason = client.post(
        f"/bodies/{GREAT_LAKES}/seats/{newcomer.id}/end", data={"reason": ""}, follow_redirects=True
    )
    assert no_reason.status_code == 200 and "This field is required" in no_reason.get_data(as_text=True)

    ended = client.post(
        f"/bodies/{GREAT_LAKES}/seats/{newcomer.id}/end",
        data={"reason": "Went on leave"},
        follow_redirects=True,
    )
    page = ended.get_data(as_text=True)
    assert ended.status_code == 200 and "Went on leave" in page  # in the seat history of the body
    person_page = client.get(f"/people/{newcomer.id}").get_data(as_text=True)
    assert "Seat history" in person_page and "Went on leave" in person_page and "Desk officer" in person_page

    auth.logout()
    auth.login(JUSTICE_MEMBER)
    refused = client.post(
        f"/bodies/{GREAT_LAKES}/seats/{who(session, DGB_DIRECTOR).id}/end",
        data={"reason": "coup"},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    assert "a task force&#39;s chairs are seated by the steering group" in refused.get_data(as_text=True)
    assert client.post("/bodies/no-such-body/seats", data={"reason": "x"}).status_code == 404
