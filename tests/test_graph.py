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
