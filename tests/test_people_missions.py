"""Managing people, missions and departments: the services (who may, what is refused, what follows), the
API endpoints (201/200, 403 with the rule, 422 naming the field, 404) and the pages."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.reports import queries as reports_queries
from coordination.reports.service import ReportError
from coordination.rules import Forbidden
from coordination.structure import queries as structure
from coordination.structure import service
from coordination.structure.enums import BodyStatus, MembershipRole
from coordination.structure.models import Membership, MissionAccreditation
from coordination.structure.service import StructureError
from coordination.taskforces.service import department_representative
from tests import factories
from tests.demo import (
    ADIV_ANALYST,
    AMBASSADOR_KINSHASA,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)

NOW = datetime.now(UTC)
ADMIN = SG_SECRETARY  # the seeded administrator of the structure
SECURITY_OFFICER = "sofie.claessens@diplobel.example"
FLANDERS_OBSERVER = (
    "marijke.vanreeth@vlaanderen.example"  # Flemish government, observer in the steering group
)
JUSTICE_IN_SG = "pascal.dethier@justice.fgov.example"


def by_email(session, email: str):
    return structure.get_person_by_email(session=session, email=email)


def audited(session, action: str, object_id) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == str(object_id))
        )
    )


def current_seats(session, body_id: int) -> list[Membership]:
    return list(
        session.exec(select(Membership).where(Membership.body_id == body_id, Membership.ended_at.is_(None)))
    )


def open_goma(session, actor, **overrides):
    values = {
        "code": "goma",
        "kind": "consulate",
        "name": "Consulate of Belgium in Goma",
        "city": "Goma",
        "host_country_code": "cod",
        "accredited": ["rwa", "COD"],
        **overrides,
    }
    return service.open_mission(session=session, actor=actor, now=NOW, **values)


# --- services: people -------------------------------------------------------------------------------


def test_an_administrator_adds_a_person_unclassified_and_audited(session):
    admin = by_email(session, ADMIN)
    person = service.create_person(
        session=session,
        actor=admin,
        email=" New.Attache@Diplobel.Example ",
        now=NOW,
        name="New Attaché",
        function="Political attaché",
        department_code="fa",
        directorate_code="DGB",
        mission_code="KINSHASA",
        languages="fr, NL",
        skills=["Mediation"],
    )
    assert person.email == "new.attache@diplobel.example" and person.clearance == "unclassified"
    assert person.directorate.code == "DGB" and person.mission.code == "KINSHASA"
    assert person.languages == ["fr", "nl"] and person.skills == ["mediation"]
    assert audited(session, "person.create", person.id)[0].actor_id == admin.id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not-an-address", "name": "X Y", "department_code": "FA"}, "email"),
        ({"email": ADMIN.upper(), "name": "X Y", "department_code": "FA"}, "email"),
        ({"email": "x@y.example", "name": "X Y", "department_code": "NOPE"}, "department_code"),
        ({"email": "x@y.example", "name": "X", "department_code": "FA"}, "name"),
        (
            {"email": "x@y.example", "name": "X Y", "department_code": "FA", "directorate_code": "ADIV"},
            "directorate_code",
        ),
        (
            {"email": "x@y.example", "name": "X Y", "department_code": "FA", "mission_code": "ATLANTIS"},
            "mission_code",
        ),
    ],
)
def test_adding_a_person_refuses_bad_input_naming_the_field(session, values, field):
    values = dict(values)
    with pytest.raises(StructureError) as refused:
        service.create_person(
            session=session, actor=by_email(session, ADMIN), email=values.pop("email"), now=NOW, **values
        )
    assert refused.value.field == field


def test_only_an_administrator_adds_or_edits_people_and_people_edit_their_own_skills(session):
    member = by_email(session, JUSTICE_MEMBER)
    with pytest.raises(Forbidden, match="only an administrator of the structure adds people"):
        service.create_person(
            session=session, actor=member, email="x@y.example", now=NOW, name="X Y", department_code="FA"
        )
    changes = service.update_person(
        session=session, actor=member, person=member, values={"skills": "rule of law, Swahili"}
    )
    assert changes == {"skills": [[], ["rule of law", "swahili"]]}
    with pytest.raises(Forbidden, match="your own function, languages and skills"):
        service.update_person(session=session, actor=member, person=member, values={"name": "Someone Else"})
    with pytest.raises(Forbidden):
        service.update_person(
            session=session, actor=member, person=by_email(session, DGB_DIRECTOR), values={"function": "x"}
        )


def test_an_administrator_moves_a_person_and_the_old_directorate_goes(session):
    person = by_email(session, DGB_DIRECTOR)
    changes = service.update_person(
        session=session, actor=by_email(session, ADMIN), person=person, values={"department_code": "DEF"}
    )
    assert changes["department_id"][1] == structure.get_department(session=session, code="DEF").id
    assert person.directorate_id is None and "directorate_id" in changes
    assert audited(session, "person.update", person.id)[0].detail["changes"] == changes


def test_a_security_officer_changes_someone_elses_clearance_with_a_reason(session):
    officer, member = by_email(session, SECURITY_OFFICER), by_email(session, JUSTICE_MEMBER)
    assert service.change_clearance(
        session=session,
        actor=officer,
        person=member,
        clearance="secret",
        reason="Investigation 2026-14",
        now=NOW,
    )
    event = audited(session, "person.clearance", member.id)[0]
    assert event.detail == {"before": "confidential", "after": "secret", "reason": "Investigation 2026-14"}
    with pytest.raises(Forbidden, match="only a security officer"):
        service.change_clearance(
            session=session,
            actor=by_email(session, ADMIN),
            person=member,
            clearance="secret",
            reason="x",
            now=NOW,
        )
    with pytest.raises(Forbidden, match="their own clearance"):
        service.change_clearance(
            session=session, actor=officer, person=officer, clearance="top_secret", reason="x", now=NOW
        )
    for clearance, reason, field in (("restricted", "x", "clearance"), ("secret", "  ", "reason")):
        with pytest.raises(StructureError) as refused:
            service.change_clearance(
                session=session, actor=officer, person=member, clearance=clearance, reason=reason, now=NOW
            )
        assert refused.value.field == field


def test_an_administrator_names_roles_but_not_their_own(session):
    admin, officer = by_email(session, ADMIN), by_email(session, SECURITY_OFFICER)
    assert service.set_person_roles(session=session, actor=admin, person=officer, is_admin=True)
    assert officer.is_admin and officer.is_security_officer
    with pytest.raises(Forbidden, match="own roles"):
        service.set_person_roles(session=session, actor=admin, person=admin, is_security_officer=True)
    with pytest.raises(Forbidden, match="names administrators"):
        service.set_person_roles(
            session=session, actor=by_email(session, JUSTICE_MEMBER), person=officer, is_admin=False
        )


def test_deactivating_ends_seats_and_reactivating_gives_none_back(session):
    admin, chair = by_email(session, ADMIN), by_email(session, DGB_DIRECTOR)
    seats = len(chair.memberships)
    assert seats >= 2
    assert (
        service.deactivate_person(session=session, actor=admin, person=chair, reason="Left", now=NOW) == seats
    )
    assert not chair.active and chair.deactivated_at is not None
    assert structure.seats_of(session=session, person_id=chair.id) == []
    with pytest.raises(StructureError, match="already deactivated"):
        service.deactivate_person(session=session, actor=admin, person=chair, reason="Left", now=NOW)
    with pytest.raises(Forbidden, match="deactivates themselves"):
        service.deactivate_person(session=session, actor=admin, person=admin, reason="x", now=NOW)
    with pytest.raises(StructureError) as refused:
        service.deactivate_person(
            session=session, actor=admin, person=by_email(session, JUSTICE_MEMBER), reason=" ", now=NOW
        )
    assert refused.value.field == "reason"
    service.reactivate_person(session=session, actor=admin, person=chair, reason="Back", now=NOW)
    assert chair.active and structure.seats_of(session=session, person_id=chair.id) == []


# --- services: missions -----------------------------------------------------------------------------


def test_opening_a_mission_sets_up_its_consultation_platform(session):
    revision = structure.current_revision(session=session)
    mission = open_goma(session, by_email(session, ADMIN))
    assert mission.code == "GOMA" and mission.host_country_code == "COD" and mission.opened_at == NOW
    assert mission.covered_country_codes == ["COD", "RWA"]
    platform = structure.platform_of(session=session, mission=mission)
    assert platform.slug == "platform-goma" and platform.name == "Consultation platform Goma"
    assert platform.kind == "consultation_platform" and platform.status == BodyStatus.active
    assert platform.memberships == []
    assert audited(session, "mission.open", "GOMA")[0].detail["platform"] == "platform-goma"
    assert structure.current_revision(session=session) > revision


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "KINSHASA"}, "code"),
        ({"code": "x"}, "code"),
        ({"kind": "residence"}, "kind"),
        ({"host_country_code": "XXX"}, "host_country_code"),
        ({"accredited": ["RWA", "ZZZ"]}, "accredited"),
        ({"name": " "}, "name"),
        ({"city": "Kinshasa"}, "organisation"),  # a second platform "Consultation platform Kinshasa"
    ],
)
def test_opening_a_mission_refuses_bad_input_naming_the_field(session, overrides, field):
    with pytest.raises(StructureError) as refused:
        open_goma(session, by_email(session, ADMIN), **overrides)
    assert refused.value.field == field


def test_only_an_administrator_opens_edits_and_closes_missions(session):
    member = by_email(session, AMBASSADOR_KINSHASA)
    kinshasa = structure.get_mission(session=session, code="KINSHASA")
    with pytest.raises(Forbidden, match="only an administrator of the structure opens missions"):
        open_goma(session, member)
    with pytest.raises(Forbidden, match="edits missions"):
        service.update_mission(session=session, actor=member, mission=kinshasa, name="Renamed")
    with pytest.raises(Forbidden, match="closes missions"):
        service.close_mission(session=session, actor=member, mission=kinshasa, reason="x", now=NOW)


def test_changing_accredited_countries_replaces_the_set(session):
    kinshasa = structure.get_mission(session=session, code="KINSHASA")
    assert kinshasa.covered_country_codes == ["COD", "COG"]
    changes = service.update_mission(
        session=session,
        actor=by_email(session, ADMIN),
        mission=kinshasa,
        accredited=["caf", "BDI"],
        city="Kinshasa",
    )
    assert changes == {"accredited": [["COG"], ["BDI", "CAF"]]}
    rows = session.exec(select(MissionAccreditation).where(MissionAccreditation.mission_id == kinshasa.id))
    assert sorted(r.country_code for r in rows) == ["BDI", "CAF"]
    assert structure.get_mission(session=session, code="KINSHASA").covered_country_codes == [
        "COD",
        "BDI",
        "CAF",
    ]
    assert audited(session, "mission.update", "KINSHASA")[0].detail["changes"] == changes
    assert service.update_mission(session=session, actor=by_email(session, ADMIN), mission=kinshasa) == {}


def test_a_new_city_renames_the_platform_and_moves_the_mission_on_the_map(session):
    mission = open_goma(session, by_email(session, ADMIN))
    assert (round(mission.longitude, 1), round(mission.latitude, 1)) == (29.2, -1.7)  # Goma
    service.update_mission(session=session, actor=by_email(session, ADMIN), mission=mission, city="Bukavu")
    assert structure.platform_of(session=session, mission=mission).name == "Consultation platform Bukavu"
    assert (round(mission.longitude, 1), round(mission.latitude, 1)) == (28.8, -2.5)
    service.update_mission(
        session=session, actor=by_email(session, ADMIN), mission=mission, city="Nowhere-on-any-map"
    )
    assert (mission.longitude, mission.latitude) == (None, None)  # at its country's marker
    with pytest.raises(StructureError) as refused:
        service.update_mission(
            session=session, actor=by_email(session, ADMIN), mission=mission, city="Kinshasa"
        )
    assert refused.value.field == "city"


def test_closing_a_mission_stands_its_platform_down_and_ends_its_seats(session):
    admin = by_email(session, ADMIN)
    kinshasa = structure.get_mission(session=session, code="KINSHASA")
    platform = structure.platform_of(session=session, mission=kinshasa)
    seated = current_seats(session, platform.id)
    assert seated
    ended = service.close_mission(session=session, actor=admin, mission=kinshasa, reason="Security", now=NOW)
    assert ended == len(seated)
    assert kinshasa.closed_at == NOW and current_seats(session, platform.id) == []
    session.expire_all()
    platform = structure.platform_of(session=session, mission=kinshasa)
    assert platform.status == BodyStatus.stood_down and platform.stood_down_at == NOW
    history = structure.seat_history(session=session, body_id=platform.id)
    assert {s.end_reason for s in history} == {"mission closed: Security"}
    assert {s.ended_by_id for s in history} == {admin.id}
    with pytest.raises(StructureError) as refused:
        service.close_mission(session=session, actor=admin, mission=kinshasa, reason="again", now=NOW)
    assert refused.value.field == "code"
    # nobody is posted at a closed mission
    with pytest.raises(StructureError) as refused:
        service.update_person(
            session=session,
            actor=admin,
            person=by_email(session, DGB_DIRECTOR),
            values={"mission_code": "KINSHASA"},
        )
    assert refused.value.field == "mission_code"

    service.reopen_mission(session=session, actor=admin, mission=kinshasa, reason="Reopened", now=NOW)
    session.expire_all()
    platform = structure.platform_of(session=session, mission=kinshasa)
    assert (
        kinshasa.closed_at is None and platform.status == BodyStatus.active and platform.stood_down_at is None
    )
    assert current_seats(session, platform.id) == []
    with pytest.raises(StructureError, match="is open"):
        service.reopen_mission(session=session, actor=admin, mission=kinshasa, reason="x", now=NOW)


def test_closing_needs_a_reason(session):
    kinshasa = structure.get_mission(session=session, code="KINSHASA")
    with pytest.raises(StructureError) as refused:
        service.close_mission(
            session=session, actor=by_email(session, ADMIN), mission=kinshasa, reason="", now=NOW
        )
    assert refused.value.field == "reason" and kinshasa.closed_at is None


def test_nobody_posts_from_a_closed_mission(session):
    ambassador = by_email(session, AMBASSADOR_KINSHASA)
    assert "KINSHASA" in [
        m.code for m in reports_queries.postable_missions(session=session, viewer=ambassador)
    ]
    kinshasa = structure.get_mission(session=session, code="KINSHASA")
    kinshasa.closed_at = NOW  # closed, seats not ended yet: the closed mission alone refuses
    session.add(kinshasa)
    session.commit()
    assert "KINSHASA" not in [
        m.code for m in reports_queries.postable_missions(session=session, viewer=ambassador)
    ]
    with pytest.raises(ReportError) as refused:
        factories.post(session, ambassador, mission_code="KINSHASA")
    assert refused.value.field == "mission_code"


# --- services: departments --------------------------------------------------------------------------


def test_a_government_that_opts_out_leaves_the_steering_group(session):
    admin = by_email(session, ADMIN)
    flanders = structure.get_department(session=session, code="FLA")
    observer = by_email(session, FLANDERS_OBSERVER)
    steering_group = structure.get_steering_group(session=session)
    assert structure.role_in(session=session, person_id=observer.id, body_id=steering_group.id) == "observer"
    ended = service.set_participation(
        session=session,
        actor=admin,
        department=flanders,
        participating=False,
        reason="Coalition change",
        now=NOW,
    )
    assert ended == 1 and flanders.participating is False
    assert structure.role_in(session=session, person_id=observer.id, body_id=steering_group.id) is None
    history = structure.seats_held_by(session=session, person_id=observer.id)
    assert [s.end_reason for s in history if s.body_id == steering_group.id] == [
        "opted out: Coalition change"
    ]
    assert audited(session, "department.opt_out", "FLA")[0].detail["seats_ended"] == 1
    # opting in again seats nobody
    assert (
        service.set_participation(
            session=session, actor=admin, department=flanders, participating=True, reason="Back", now=NOW
        )
        == 0
    )
    assert flanders.participating is True
    assert structure.role_in(session=session, person_id=observer.id, body_id=steering_group.id) is None


def test_participation_is_for_opt_in_governments_set_by_an_administrator_with_a_reason(session):
    admin = by_email(session, ADMIN)
    foreign_affairs = structure.get_department(session=session, code="FA")
    flanders = structure.get_department(session=session, code="FLA")
    with pytest.raises(StructureError) as refused:
        service.set_participation(
            session=session, actor=admin, department=foreign_affairs, participating=False, reason="x", now=NOW
        )
    assert refused.value.field == "participating"
    with pytest.raises(StructureError) as refused:
        service.set_participation(
            session=session, actor=admin, department=flanders, participating=False, reason="", now=NOW
        )
    assert refused.value.field == "reason"
    with pytest.raises(Forbidden, match="only an administrator"):
        service.set_participation(
            session=session,
            actor=by_email(session, FLANDERS_OBSERVER),
            department=flanders,
            participating=False,
            reason="x",
            now=NOW,
        )


def test_the_steering_group_names_a_departments_representative(session):
    chair, member = by_email(session, SG_CHAIR), by_email(session, JUSTICE_MEMBER)
    justice = structure.get_department(session=session, code="JUST")
    steering_group = structure.get_steering_group(session=session)
    assert department_representative(session, "JUST").email == JUSTICE_IN_SG
    outcome = service.name_representative(
        session=session, actor=chair, department=justice, person=member, now=NOW
    )
    assert outcome == "seated" and justice.representative_id == member.id
    assert (
        structure.role_in(session=session, person_id=member.id, body_id=steering_group.id)
        == MembershipRole.member
    )
    seat = service.current_seat(session=session, body_id=steering_group.id, person_id=member.id)
    assert seat.reason == f"representative of {justice.name}" and seat.seated_by_id == chair.id
    assert [p.id for p in structure.representatives_of(session=session, department_id=justice.id)] == [
        member.id
    ]
    assert department_representative(session, "JUST").id == member.id
    # naming someone already seated seats nobody
    seated = by_email(session, JUSTICE_IN_SG)
    assert (
        service.name_representative(session=session, actor=chair, department=justice, person=seated, now=NOW)
        == "unchanged"
    )
    assert department_representative(session, "JUST").id == seated.id
    assert audited(session, "department.representative", "JUST")[-1].detail["after"] == seated.id


def test_naming_a_representative_is_refused_when_the_rules_say_no(session):
    justice = structure.get_department(session=session, code="JUST")
    flanders = structure.get_department(session=session, code="FLA")
    chair, admin = by_email(session, SG_CHAIR), by_email(session, ADMIN)
    member = by_email(session, JUSTICE_MEMBER)
    with pytest.raises(Forbidden, match="chair, co-chair or secretary, or an administrator"):
        service.name_representative(
            session=session, actor=by_email(session, DGB_DIRECTOR), department=justice, person=member, now=NOW
        )
    with pytest.raises(StructureError) as refused:
        service.name_representative(
            session=session, actor=chair, department=justice, person=by_email(session, DGB_DIRECTOR), now=NOW
        )
    assert refused.value.field == "person_id"
    service.deactivate_person(session=session, actor=admin, person=member, reason="Left", now=NOW)
    with pytest.raises(StructureError, match="deactivated") as refused:
        service.name_representative(session=session, actor=chair, department=justice, person=member, now=NOW)
    assert refused.value.field == "person_id"
    service.set_participation(
        session=session, actor=admin, department=flanders, participating=False, reason="Out", now=NOW
    )
    with pytest.raises(StructureError, match="opted out"):
        service.name_representative(
            session=session,
            actor=admin,
            department=flanders,
            person=by_email(session, FLANDERS_OBSERVER),
            now=NOW,
        )


# --- API --------------------------------------------------------------------------------------------


def problem_field(response) -> str:
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    return response.json["errors"][0]["field"]


NEW_PERSON = {"email": "new.attache@diplobel.example", "name": "New Attaché", "department_code": "FA"}


def test_api_adds_a_person(client, api_token):
    headers = api_token(ADMIN)
    response = client.post(
        "/api/v1/people",
        json={**NEW_PERSON, "directorate_code": "DGB", "mission_code": "KINSHASA", "skills": ["Mediation"]},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["email"] == NEW_PERSON["email"] and body["clearance"] == "unclassified" and body["active"]
    assert body["mission"] == "KINSHASA" and body["skills"] == ["mediation"] and body["directorate"] == "DGB"
    assert client.get(f"/api/v1/people/{body['id']}", headers=headers).json == body


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"department_code": "NOPE"}, "department_code"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ADMIN}, "email"),
        ({"name": "X"}, "name"),
        ({"mission_code": "ATLANTIS"}, "mission_code"),
    ],
)
def test_api_adding_a_person_names_the_bad_field(client, api_token, values, field):
    response = client.post("/api/v1/people", json={**NEW_PERSON, **values}, headers=api_token(ADMIN))
    assert problem_field(response) == field


def test_api_only_an_administrator_adds_people(client, api_token):
    response = client.post("/api/v1/people", json=NEW_PERSON, headers=api_token(DGB_DIRECTOR))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert response.json["detail"] == "only an administrator of the structure adds people"


def test_api_edits_a_person_and_people_edit_their_own_skills(client, api_token, session):
    member = by_email(session, JUSTICE_MEMBER)
    admin_headers, own_headers = api_token(ADMIN), api_token(JUSTICE_MEMBER)
    response = client.patch(
        f"/api/v1/people/{member.id}", json={"skills": ["Rule of law"]}, headers=own_headers
    )
    assert response.status_code == 200 and response.json["skills"] == ["rule of law"]
    refused = client.patch(f"/api/v1/people/{member.id}", json={"name": "Someone Else"}, headers=own_headers)
    assert refused.status_code == 403 and "your own function, languages and skills" in refused.json["detail"]
    response = client.patch(
        f"/api/v1/people/{member.id}",
        json={"department_code": "INT", "mission_code": None},
        headers=admin_headers,
    )
    assert response.status_code == 200 and response.json["department"] == "INT"
    bad = client.patch(f"/api/v1/people/{member.id}", json={"department_code": "NOPE"}, headers=admin_headers)
    assert problem_field(bad) == "department_code"
    null = client.patch(f"/api/v1/people/{member.id}", json={"name": None}, headers=admin_headers)
    assert problem_field(null) == "name"  # left out: unchanged; null is not a name
    assert (
        client.patch("/api/v1/people/999999", json={"skills": []}, headers=admin_headers).status_code == 404
    )


def test_api_clearance_is_changed_by_a_security_officer_only(client, api_token, session):
    member, officer = by_email(session, JUSTICE_MEMBER), by_email(session, SECURITY_OFFICER)
    headers = api_token(SECURITY_OFFICER)
    url = f"/api/v1/people/{member.id}/clearance"
    response = client.post(url, json={"clearance": "secret", "reason": "Investigation"}, headers=headers)
    assert response.status_code == 200 and response.json["clearance"] == "secret"
    refused = client.post(url, json={"clearance": "secret", "reason": "x"}, headers=api_token(ADMIN))
    assert (
        refused.status_code == 403 and refused.json["detail"] == "only a security officer changes a clearance"
    )
    own = client.post(
        f"/api/v1/people/{officer.id}/clearance",
        json={"clearance": "top_secret", "reason": "x"},
        headers=headers,
    )
    assert own.status_code == 403 and "their own clearance" in own.json["detail"]
    assert problem_field(
        client.post(url, json={"clearance": "restricted", "reason": "x"}, headers=headers)
    ) == ("clearance")
    assert (
        problem_field(client.post(url, json={"clearance": "secret", "reason": ""}, headers=headers))
        == "reason"
    )
    assert (
        problem_field(client.post(url, json={"clearance": "secret", "reason": "  "}, headers=headers))
        == "reason"
    )


def test_api_a_lowered_clearance_hides_a_secret_report_at_once(client, api_token, session):
    brief = client.post(
        "/api/v1/field-reports",
        json={
            "title": "Armed group movements north of Goma",
            "country_code": "COD",
            "kind": "intelligence_brief",
            "intelligence_level": "tactical",
            "classification": "secret",
        },
        headers=api_token(ADIV_ANALYST),
    )
    assert brief.status_code == 201, brief.json
    reader = api_token(DGB_DIRECTOR)
    url = f"/api/v1/field-reports/{brief.json['id']}"
    assert client.get(url, headers=reader).status_code == 200
    director = by_email(session, DGB_DIRECTOR)
    lowered = client.post(
        f"/api/v1/people/{director.id}/clearance",
        json={"clearance": "confidential", "reason": "Clearance expired"},
        headers=api_token(SECURITY_OFFICER),
    )
    assert lowered.status_code == 200
    assert client.get(url, headers=reader).status_code == 404


def test_api_roles_are_named_by_an_administrator_not_for_themselves(client, api_token, session):
    officer, admin = by_email(session, SECURITY_OFFICER), by_email(session, ADMIN)
    headers = api_token(ADMIN)
    response = client.post(f"/api/v1/people/{officer.id}/roles", json={"is_admin": True}, headers=headers)
    assert response.status_code == 200 and response.json["is_admin"] and response.json["is_security_officer"]
    own = client.post(f"/api/v1/people/{admin.id}/roles", json={"is_security_officer": True}, headers=headers)
    assert own.status_code == 403 and own.json["detail"] == "nobody changes their own roles"
    refused = client.post(
        f"/api/v1/people/{officer.id}/roles", json={"is_admin": False}, headers=api_token(DGB_DIRECTOR)
    )
    assert refused.status_code == 403 and "names administrators" in refused.json["detail"]


def test_api_deactivation_stops_tokens_and_sessions_at_once(client, api_token, auth, session):
    director = by_email(session, DGB_DIRECTOR)
    own_token = api_token(DGB_DIRECTOR)
    assert client.get("/api/v1/missions", headers=own_token).status_code == 200
    auth.login(DGB_DIRECTOR)
    assert client.get("/").status_code == 200
    admin = api_token(ADMIN)
    url = f"/api/v1/people/{director.id}"
    assert problem_field(client.post(f"{url}/deactivate", json={"reason": ""}, headers=admin)) == "reason"
    refused = client.post(f"{url}/deactivate", json={"reason": "Left"}, headers=api_token(JUSTICE_MEMBER))
    assert refused.status_code == 403 and refused.json["detail"] == (
        "only an administrator of the structure deactivates people"
    )
    response = client.post(f"{url}/deactivate", json={"reason": "Left the service"}, headers=admin)
    assert response.status_code == 200 and response.json["active"] is False and response.json["bodies"] == []
    assert client.get("/api/v1/missions", headers=own_token).status_code == 401
    page = client.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert (
        problem_field(client.post(f"{url}/deactivate", json={"reason": "again"}, headers=admin))
        == "person_id"
    )
    response = client.post(f"{url}/reactivate", json={"reason": "Returned"}, headers=admin)
    assert response.status_code == 200 and response.json["active"] is True
    assert (
        client.post("/api/v1/people/999999/reactivate", json={"reason": "x"}, headers=admin).status_code
        == 404
    )


MISSION = {
    "code": "GOMA",
    "kind": "consulate",
    "name": "Consulate of Belgium in Goma",
    "city": "Goma",
    "host_country_code": "COD",
    "accredited": ["RWA"],
}


def test_api_opens_edits_closes_and_reopens_a_mission(client, api_token):
    headers = api_token(ADMIN)
    response = client.post("/api/v1/missions", json=MISSION, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["platform"]["slug"] == "platform-goma" and response.json["closed_at"] is None
    assert response.json["accredited_countries"] == ["RWA"]
    assert problem_field(client.post("/api/v1/missions", json=MISSION, headers=headers)) == "code"
    assert (
        problem_field(
            client.post("/api/v1/missions", json={**MISSION, "code": "NEW", "kind": "x"}, headers=headers)
        )
        == "kind"
    )
    assert (
        problem_field(
            client.post(
                "/api/v1/missions",
                json={**MISSION, "code": "NEW", "host_country_code": "XX"},
                headers=headers,
            )
        )
        == "host_country_code"
    )

    response = client.patch("/api/v1/missions/goma", json={"accredited": ["BDI", "UGA"]}, headers=headers)
    assert response.status_code == 200 and response.json["accredited_countries"] == ["BDI", "UGA"]
    assert client.patch("/api/v1/missions/ATLANTIS", json={"name": "X Y"}, headers=headers).status_code == 404

    assert (
        problem_field(client.post("/api/v1/missions/GOMA/close", json={"reason": ""}, headers=headers))
        == "reason"
    )
    response = client.post("/api/v1/missions/GOMA/close", json={"reason": "Security"}, headers=headers)
    assert response.status_code == 200 and response.json["closed_at"] is not None
    assert response.json["platform"]["status"] == "stood_down"
    assert (
        problem_field(client.post("/api/v1/missions/GOMA/close", json={"reason": "x"}, headers=headers))
        == "code"
    )
    response = client.post("/api/v1/missions/GOMA/reopen", json={"reason": "Reopened"}, headers=headers)
    assert response.status_code == 200 and response.json["closed_at"] is None
    assert response.json["platform"]["status"] == "active"


def test_api_only_an_administrator_changes_missions(client, api_token):
    headers = api_token(AMBASSADOR_KINSHASA)
    for response in (
        client.post("/api/v1/missions", json=MISSION, headers=headers),
        client.patch("/api/v1/missions/KINSHASA", json={"name": "Renamed embassy"}, headers=headers),
        client.post("/api/v1/missions/KINSHASA/close", json={"reason": "x"}, headers=headers),
    ):
        assert response.status_code == 403 and response.json["detail"].startswith("only an administrator")


def test_api_a_closed_mission_refuses_new_postings_and_reports(client, api_token, session):
    headers = api_token(ADMIN)
    assert (
        client.post(
            "/api/v1/missions/KINSHASA/close", json={"reason": "Security"}, headers=headers
        ).status_code
        == 200
    )
    member = by_email(session, JUSTICE_MEMBER)
    response = client.patch(f"/api/v1/people/{member.id}", json={"mission_code": "KINSHASA"}, headers=headers)
    assert problem_field(response) == "mission_code"
    posted = client.post(
        "/api/v1/field-reports",
        json={"title": "Fuel shortage", "mission_code": "KINSHASA"},
        headers=api_token(AMBASSADOR_KINSHASA),
    )
    assert problem_field(posted) == "mission_code"


def test_api_participation_and_representative(client, api_token, session):
    headers = api_token(ADMIN)
    response = client.patch(
        "/api/v1/departments/fla", json={"participating": False, "reason": "Coalition"}, headers=headers
    )
    assert response.status_code == 200 and response.json["participating"] is False
    assert FLANDERS_OBSERVER not in {
        m["person"]["email"]
        for m in client.get("/api/v1/bodies/steering-group", headers=headers).json["members"]
    }
    federal = client.patch(
        "/api/v1/departments/FA", json={"participating": False, "reason": "x"}, headers=headers
    )
    assert problem_field(federal) == "participating"
    assert (
        problem_field(
            client.patch(
                "/api/v1/departments/FLA", json={"participating": True, "reason": ""}, headers=headers
            )
        )
        == "reason"
    )
    assert (
        client.patch(
            "/api/v1/departments/NOPE", json={"participating": True, "reason": "x"}, headers=headers
        ).status_code
        == 404
    )
    refused = client.patch(
        "/api/v1/departments/FLA",
        json={"participating": True, "reason": "x"},
        headers=api_token(FLANDERS_OBSERVER),
    )
    assert refused.status_code == 403 and "only an administrator" in refused.json["detail"]

    member = by_email(session, JUSTICE_MEMBER)
    chair = api_token(SG_CHAIR)
    response = client.post(
        "/api/v1/departments/JUST/representative", json={"person_id": member.id}, headers=chair
    )
    assert response.status_code == 200, response.json
    assert response.json["representative"]["email"] == JUSTICE_MEMBER
    steering = client.get("/api/v1/bodies/steering-group", headers=chair).json["members"]
    assert {"email": JUSTICE_MEMBER, "role": "member"} in [
        {"email": m["person"]["email"], "role": m["role"]} for m in steering
    ]
    listed = {d["code"]: d for d in client.get("/api/v1/departments", headers=chair).json["items"]}
    assert listed["JUST"]["representative"]["id"] == member.id and listed["FLA"]["participating"] is False
    other = by_email(session, DGB_DIRECTOR)
    assert (
        problem_field(
            client.post(
                "/api/v1/departments/JUST/representative", json={"person_id": other.id}, headers=chair
            )
        )
        == "person_id"
    )
    assert (
        problem_field(
            client.post("/api/v1/departments/JUST/representative", json={"person_id": 999999}, headers=chair)
        )
        == "person_id"
    )
    refused = client.post(
        "/api/v1/departments/JUST/representative",
        json={"person_id": member.id},
        headers=api_token(DGB_DIRECTOR),
    )
    assert refused.status_code == 403 and "chair, co-chair or secretary" in refused.json["detail"]


def test_openapi_describes_the_new_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, method in (
        ("/api/v1/people", "post"),
        ("/api/v1/people/{person_id}", "patch"),
        ("/api/v1/people/{person_id}/clearance", "post"),
        ("/api/v1/people/{person_id}/roles", "post"),
        ("/api/v1/people/{person_id}/deactivate", "post"),
        ("/api/v1/people/{person_id}/reactivate", "post"),
        ("/api/v1/missions", "post"),
        ("/api/v1/missions/{code}", "patch"),
        ("/api/v1/missions/{code}/close", "post"),
        ("/api/v1/missions/{code}/reopen", "post"),
        ("/api/v1/departments/{code}", "patch"),
        ("/api/v1/departments/{code}/representative", "post"),
    ):
        assert method in spec["paths"][path], (path, method)
    schemas = spec["components"]["schemas"]
    assert schemas["ClearanceIn"]["properties"]["reason"]["maxLength"] == 300
    assert {"active", "skills", "mission", "is_security_officer"} <= set(
        schemas["PersonPublic"]["properties"]
    )


# --- pages ------------------------------------------------------------------------------------------


def test_admin_pages_render_and_are_forbidden_to_others(client, auth, session):
    member = by_email(session, JUSTICE_MEMBER)
    auth.login(JUSTICE_MEMBER)
    assert client.get("/people/new").status_code == 403
    assert client.get("/missions/new").status_code == 403
    assert client.get("/missions/KINSHASA/edit").status_code == 403
    assert client.get(f"/people/{by_email(session, DGB_DIRECTOR).id}/edit").status_code == 403
    own = client.get(f"/people/{member.id}/edit").get_data(as_text=True)
    assert 'name="skills"' in own and 'name="department_code"' not in own
    assert "Add a person" not in client.get("/people").get_data(as_text=True)
    auth.logout()
    auth.login(ADMIN)
    for path in ("/people/new", "/missions/new", "/missions/KINSHASA/edit", f"/people/{member.id}/edit"):
        assert client.get(path).status_code == 200, path
    assert "/people/new" in client.get("/people").get_data(as_text=True)
    assert "/missions/new" in client.get("/missions").get_data(as_text=True)
    person_page = client.get(f"/people/{member.id}").get_data(as_text=True)
    assert "/deactivate" in person_page and "roles-is_admin" in person_page
    assert "/clearance" not in person_page  # the administrator is no security officer
    flanders = client.get("/departments/FLA").get_data(as_text=True)
    assert "/departments/FLA/participation" in flanders and "/departments/FLA/representative" in flanders


def test_adding_a_person_through_the_page_shows_refusals_on_the_field(client, auth, session):
    auth.login(ADMIN)
    form = {
        "email": "new.attache@diplobel.example",
        "name": "New Attaché",
        "department_code": "FA",
        "directorate_code": "DGM",
        "mission_code": "",
        "languages": "fr, nl",
        "skills": "",
    }
    refused = client.post("/people/new", data={**form, "email": ADMIN})
    assert refused.status_code == 400 and "already exists" in refused.get_data(as_text=True)
    response = client.post("/people/new", data=form)
    assert response.status_code == 302
    person = by_email(session, "new.attache@diplobel.example")
    assert person.directorate.code == "DGM" and person.languages == ["fr", "nl"]
    edited = client.post(f"/people/{person.id}/edit", data={**form, "function": "Desk officer Sahel"})
    assert edited.status_code == 302
    session.rollback()  # a new transaction sees what the app committed
    assert by_email(session, "new.attache@diplobel.example").function == "Desk officer Sahel"


def test_person_page_forms_deactivate_and_change_clearance(client, auth, session):
    member = by_email(session, JUSTICE_MEMBER)
    auth.login(ADMIN)
    refused = client.post(f"/people/{member.id}/deactivate", data={"status-reason": ""})
    assert refused.status_code == 400
    assert client.post(f"/people/{member.id}/deactivate", data={"status-reason": "Left"}).status_code == 302
    listing = client.get("/people").get_data(as_text=True)
    assert "Deactivated" in listing
    assert "Deactivated" in client.get(f"/people/{member.id}").get_data(as_text=True)
    assert client.post(f"/people/{member.id}/reactivate", data={"status-reason": "Back"}).status_code == 302
    assert (
        client.post(
            f"/people/{member.id}/clearance", data={"clearance-clearance": "secret", "clearance-reason": "x"}
        ).status_code
        == 403
    )
    auth.logout()
    auth.login(SECURITY_OFFICER)
    assert "/clearance" in client.get(f"/people/{member.id}").get_data(as_text=True)
    response = client.post(
        f"/people/{member.id}/clearance",
        data={"clearance-clearance": "secret", "clearance-reason": "Investigation"},
    )
    assert response.status_code == 302
    session.rollback()
    assert by_email(session, JUSTICE_MEMBER).clearance == "secret"


def test_mission_and_department_pages_close_and_name(client, auth, session):
    auth.login(ADMIN)
    response = client.post("/missions/new", data={**MISSION, "accredited": "RWA, UGA", "organisation": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.post("/missions/GOMA/close", data={"status-reason": "Security"}).status_code == 302
    page = client.get("/missions/GOMA").get_data(as_text=True)
    assert "Closed" in page
    assert client.post("/missions/GOMA/close", data={"status-reason": "again"}).status_code == 400
    assert client.post("/missions/GOMA/reopen", data={"status-reason": "Back"}).status_code == 302
    refused = client.post(
        "/departments/FA/participation",
        data={"participation-participating": "out", "participation-reason": "x"},
    )
    assert refused.status_code == 400 and "always takes part" in refused.get_data(as_text=True)
    member = by_email(session, JUSTICE_MEMBER)
    response = client.post(
        "/departments/JUST/representative", data={"representative-person_id": str(member.id)}
    )
    assert response.status_code == 302
    page = client.get("/departments/JUST").get_data(as_text=True)
    assert "named representative" in page
