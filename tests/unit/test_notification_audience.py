"""Who a decision notifies, and who is asked to acknowledge it, on a small hand-made organisation graph
(no database): one message per person, departments through their representative and their people seated
in the bodies concerned, missions through their head of mission and platform secretary."""

import networkx as nx
import pytest

from coordination.routing.rules import (
    Unit,
    answering_audience,
    concerned_bodies,
    decision_audience,
    department_representatives,
)

DEF = Unit("department", "DEF")
FA = Unit("department", "FA")
JUST = Unit("department", "JUST")
BUJUMBURA = Unit("mission", "BUJUMBURA")
NIAMEY = Unit("mission", "NIAMEY")
NEW_YORK = Unit("mission", "NEW_YORK")
GREAT_LAKES = Unit("body", "tf-great-lakes")

# person id: (department, clearance, {body slug: role})
PEOPLE = {
    1: ("FA", "secret", {"sg": "chair"}),
    2: ("FA", "secret", {"sg": "secretary"}),
    3: ("FA", "secret", {"sg": "observer"}),  # press service
    10: ("DEF", "secret", {"sg": "member"}),  # chief of staff, the named representative
    11: ("DEF", "secret", {"sg": "member"}),  # seconded diplomat
    12: ("DEF", "top_secret", {"tf-great-lakes": "member"}),
    13: ("DEF", "secret", {"tf-sahel": "member"}),
    14: ("DEF", "secret", {"platform-bujumbura": "member"}),  # defence attaché
    20: ("JUST", "confidential", {"sg": "observer"}),
    30: ("FA", "secret", {"tf-great-lakes": "chair", "platform-bujumbura": "observer"}),
    31: ("FA", "confidential", {"tf-great-lakes": "secretary"}),
    32: ("FA", "unclassified", {"tf-great-lakes": "member"}),
    40: ("FA", "secret", {"platform-bujumbura": "chair"}),  # ambassador in Bujumbura
    41: ("FA", "secret", {"platform-bujumbura": "secretary"}),
    42: ("FA", "secret", {"platform-bujumbura": "member"}),  # development attaché
    43: ("ENABEL", "secret", {"platform-bujumbura": "member"}),
    50: ("FA", "secret", {"platform-new_york": "chair"}),  # permanent representative
    51: ("FA", "secret", {"platform-new_york": "co_chair"}),  # deputy permanent representative
    52: ("FA", "secret", {"platform-new_york": "secretary"}),
    53: ("FA", "secret", {"platform-new_york": "member"}),
}
UNSEATED_DEFENCE = range(100, 138)  # 38 Defence employees without a seat


def organisation(*, representatives: dict[str, int] | None = None) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    representatives = representatives if representatives is not None else {"DEF": 10}
    for code in ("FA", "DEF", "JUST", "ENABEL"):
        rep = representatives.get(code)
        g.add_node(
            f"department:{code}",
            kind="department",
            label=code,
            representative=f"person:{rep}" if rep else None,
        )
    for slug, kind in (
        ("sg", "steering_group"),
        ("tf-great-lakes", "task_force"),
        ("tf-sahel", "task_force"),
        ("platform-bujumbura", "consultation_platform"),
        ("platform-new_york", "consultation_platform"),
    ):
        g.add_node(f"body:{slug}", kind="body", body_kind=kind, label=slug, status="active", themes=())
    g.add_edge("body:platform-bujumbura", "mission:BUJUMBURA", relation="platform_of")
    g.add_edge("body:platform-new_york", "mission:NEW_YORK", relation="platform_of")
    g.add_node("mission:NIAMEY", kind="mission", label="Niamey")  # no platform
    people = dict(PEOPLE) | {pid: ("DEF", "secret", {}) for pid in UNSEATED_DEFENCE}
    for pid, (department, clearance, seats) in people.items():
        node = f"person:{pid}"
        g.add_node(node, kind="person", label=str(pid), clearance=clearance, department=department)
        g.add_edge(node, f"department:{department}", relation="works_in")
        for slug, role in seats.items():
            g.add_edge(node, f"body:{slug}", relation="member_of", role=role)
    return g


def reached(units, *, classification="unclassified", issuing="sg", graph=None):
    return decision_audience(graph or organisation(), units, classification, issuing_body=issuing)


def answering(units, *, classification="unclassified", graph=None):
    return answering_audience(graph or organisation(), units, classification)


# --- departments ------------------------------------------------------------------------------------


def test_a_department_is_reached_through_its_representative_and_its_people_in_the_issuing_body():
    # the steering group addresses Defence: not its 38 employees without a seat
    assert set(reached([DEF])) == {10, 11}
    assert set(answering([DEF])) == {10}


def test_a_department_reaches_its_people_seated_in_the_bodies_and_platforms_addressed():
    assert set(reached([DEF, GREAT_LAKES])) >= {10, 11, 12}
    assert 14 in reached([DEF, BUJUMBURA])
    # a task force the decision does not concern does not pull its Defence member in
    assert 13 not in reached([DEF, GREAT_LAKES, BUJUMBURA])


def test_a_department_addressed_by_a_task_force_reaches_its_people_in_that_task_force():
    assert set(reached([DEF], issuing="tf-great-lakes")) == {10, 12}
    assert set(reached([DEF], issuing=None)) == {10}


def test_an_attache_is_not_asked_to_acknowledge_for_foreign_affairs_as_a_whole():
    # Foreign Affairs named nobody: its people seated in the steering group answer, observers aside
    assert set(answering([FA])) == {1, 2}
    assert set(reached([FA])) == {1, 2, 3}  # the press observer sits in the issuing body: informed
    assert 42 not in reached([FA]) and 40 not in reached([FA])
    # when the Bujumbura embassy is addressed too, the attaché is informed, not asked to answer
    assert 42 in reached([FA, BUJUMBURA]) and 42 not in answering([FA, BUJUMBURA])


def test_a_named_representative_counts_only_while_seated_in_the_steering_group():
    graph = organisation(representatives={"DEF": 12})  # named, but seated only in a task force
    assert department_representatives(graph, "DEF") == {"person:10", "person:11"}
    assert set(answering([DEF], graph=graph)) == {10, 11}
    assert 12 not in reached([DEF], graph=graph)


def test_a_department_seated_only_as_observer_is_answered_for_by_its_observers():
    # as structure.queries.representatives_of
    assert department_representatives(organisation(), "JUST") == {"person:20"}
    assert set(answering([JUST])) == {20}


def test_a_department_without_anyone_in_the_steering_group_reaches_only_its_people_in_concerned_bodies():
    assert department_representatives(organisation(), "ENABEL") == set()
    assert set(reached([Unit("department", "ENABEL")])) == set()
    assert set(reached([Unit("department", "ENABEL"), BUJUMBURA])) == {40, 41, 43}


# --- missions and bodies ----------------------------------------------------------------------------


def test_a_mission_reaches_its_head_of_mission_and_platform_secretary_not_every_member():
    assert set(reached([BUJUMBURA])) == {40, 41}
    assert set(answering([BUJUMBURA])) == {40, 41}
    # a permanent representation's deputy co-chairs its platform and answers too
    assert set(reached([NEW_YORK])) == {50, 51, 52}


def test_a_mission_without_a_platform_reaches_nobody():
    assert reached([NIAMEY]) == {} and answering([NIAMEY]) == {}


def test_a_body_reaches_everyone_seated_in_it_and_its_chairs_and_secretary_answer():
    assert set(reached([GREAT_LAKES])) == {12, 30, 31, 32}
    assert set(answering([GREAT_LAKES])) == {30, 31}


def test_concerned_bodies_are_the_issuing_body_the_bodies_addressed_and_the_missions_platforms():
    graph = organisation()
    assert concerned_bodies(graph, [DEF, GREAT_LAKES, BUJUMBURA, NIAMEY], "sg") == {
        "body:sg",
        "body:tf-great-lakes",
        "body:platform-bujumbura",
    }


# --- once each, within clearance --------------------------------------------------------------------


def test_one_entry_per_person_with_every_unit_they_are_reached_through():
    audience = reached([GREAT_LAKES, FA, BUJUMBURA], issuing="tf-great-lakes")
    # the task force chair sits in the task force, works in Foreign Affairs and observes in the platform
    assert audience[30] == [GREAT_LAKES, FA]
    assert audience[40] == [FA, BUJUMBURA]
    assert answering([GREAT_LAKES, FA, BUJUMBURA])[40] == [BUJUMBURA]
    assert len(audience) == len(set(audience))


def test_answering_people_are_always_part_of_the_audience():
    units = [DEF, FA, JUST, GREAT_LAKES, BUJUMBURA, NEW_YORK]
    assert set(answering(units)) <= set(reached(units))


def test_the_audience_is_limited_to_people_whose_clearance_covers_the_classification():
    assert set(reached([GREAT_LAKES], classification="confidential")) == {12, 30, 31}
    assert set(reached([GREAT_LAKES], classification="top_secret")) == {12}
    assert set(answering([GREAT_LAKES], classification="secret")) == {30}
    assert 20 not in answering([JUST], classification="secret")


def test_an_unknown_unit_kind_is_refused():
    with pytest.raises(ValueError):
        reached([Unit("region", "GREAT_LAKES")])


def test_the_audience_is_pure_and_repeatable():
    graph = organisation()
    units = [DEF, FA, GREAT_LAKES, BUJUMBURA]
    first = decision_audience(graph, units, "unclassified", issuing_body="sg")
    assert decision_audience(graph, units, "unclassified", issuing_body="sg") == first
    fresh = organisation()
    assert dict(graph.nodes(data=True)) == dict(fresh.nodes(data=True))
    assert graph.number_of_edges() == fresh.number_of_edges()
