from datetime import UTC, datetime

from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.structure.graph import body_node, build_organisation_graph, country_node, organisation_graph


def test_graph_links_task_forces_to_the_steering_group_their_scope_and_missions(session):
    graph = build_organisation_graph(session=session)
    tf = body_node("task-force-great-lakes")
    edges = {(target, data["relation"]) for _s, target, data in graph.out_edges(tf, data=True)}
    assert (body_node("steering-group"), "reports_to") in edges
    assert {(country_node(c), "covers") for c in ("BDI", "COD", "RWA")} <= edges
    assert ("mission:KINSHASA", "works_with") in edges
    assert graph.has_edge("body:platform-kinshasa", "mission:KINSHASA")
    assert graph.has_edge("department:DEF", body_node("steering-group"))


def test_members_reach_their_bodies_with_their_role(session):
    graph = build_organisation_graph(session=session)
    chair = structure.get_person_by_email(session=session, email="bart.heylen@diplobel.example")
    roles = {
        target: data["role"]
        for _s, target, data in graph.out_edges(f"person:{chair.id}", data=True)
        if data["relation"] == "member_of"
    }
    assert roles[body_node("task-force-great-lakes")] == "chair"


def test_cached_graph_is_reused_until_the_organisation_changes(session):
    first = organisation_graph(session=session)
    assert organisation_graph(session=session) is first
    structure_service.bump_revision(session=session)
    session.commit()
    rebuilt = organisation_graph(session=session)
    assert rebuilt is not first
    assert rebuilt.number_of_nodes() == first.number_of_nodes()


def test_naming_a_department_representative_rebuilds_the_graph_with_it(session):
    first = organisation_graph(session=session)
    chair = structure.get_person_by_email(session=session, email="annelies.vercammen@diplobel.example")
    chief = structure.get_person_by_email(session=session, email="stijn.raes@mil.example")
    assert first.nodes["department:DEF"]["representative"] != f"person:{chief.id}"
    structure_service.name_representative(
        session=session,
        actor=chair,
        department=structure.get_department(session=session, code="DEF"),
        person=chief,
        now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    rebuilt = organisation_graph(session=session)
    assert rebuilt is not first
    assert rebuilt.nodes["department:DEF"]["representative"] == f"person:{chief.id}"


def _directory_agrees_with_the_database(session):
    graph = organisation_graph(session=session)
    people = structure.list_people(session=session)
    missions = structure.list_missions(session=session)
    for mission in missions:
        ref = structure.mission_in(graph, mission.code.lower())
        assert (ref.id, ref.code, ref.name, ref.host_country_code, ref.closed_at) == (
            mission.id,
            mission.code,
            mission.name,
            mission.host_country_code,
            mission.closed_at,
        )
        platform = structure.platform_of(session=session, mission=mission)
        seated = {m.person_id for m in platform.memberships if m.ended_at is None} if platform else set()
        for person in people:
            assert structure.sits_in_platform_of(graph, person_id=person.id, mission_id=mission.id) == (
                person.id in seated
            )
        for person_id in seated:  # and the query that posting used before says the same
            assert structure.sits_in_platform(session=session, person_id=person_id, mission_id=mission.id)
    assert structure.mission_in(graph, "NOWHERE") is None
    codes = {c.code for c in structure.list_countries(session=session)}
    assert {c for c in codes | {"XXX"} if structure.is_known_country(graph, c)} == codes
    slugs = [b.slug for b in structure.list_bodies(session=session)]
    refs = structure.body_refs(graph, [*slugs, "no-such-body"])
    assert {s: (r.id, r.slug, r.name) for s, r in refs.items()} == {
        b.slug: (b.id, b.slug, b.name)
        for b in structure.bodies_by_slug(session=session, slugs=slugs).values()
    }
    return graph


def test_posting_lookups_from_the_cached_graph_agree_with_the_database_as_seats_end(session):
    """Posting a report reads missions, platform seats, countries and bodies from the cached graph: they
    must say what the tables say, and stop saying it once a seat ends or a mission closes."""
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    before = _directory_agrees_with_the_database(session)
    admin = structure.get_person_by_email(session=session, email="thomas.delvaux@diplobel.example")
    ambassador = structure.get_person_by_email(session=session, email="catherine.lemmens@diplobel.example")
    kinshasa = structure.get_mission(session=session, code="KINSHASA")
    platform = structure.platform_of(session=session, mission=kinshasa)
    member = next(
        m.person for m in platform.memberships if m.ended_at is None and m.person_id != ambassador.id
    )
    assert structure.sits_in_platform_of(before, person_id=member.id, mission_id=kinshasa.id)
    structure_service.end_seat(
        session=session,
        actor=ambassador,
        body=platform,
        person_id=member.id,
        reason="posted elsewhere",
        now=now,
    )
    after = _directory_agrees_with_the_database(session)
    assert not structure.sits_in_platform_of(after, person_id=member.id, mission_id=kinshasa.id)
    assert structure.sits_in_platform_of(after, person_id=ambassador.id, mission_id=kinshasa.id)
    structure_service.close_mission(
        session=session, actor=admin, mission=kinshasa, reason="evacuated", now=now
    )
    session.commit()
    closed = _directory_agrees_with_the_database(session)
    assert structure.mission_in(closed, "KINSHASA").closed_at is not None
