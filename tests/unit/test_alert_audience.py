"""Who is alerted about a report, on a small hand-made organisation graph (no database)."""

import networkx as nx
import pytest

from coordination.classification import NeedToKnow
from coordination.routing.alerts import ESCALATION_ROLES, Readability, alert_audience, needs_alert


def organisation() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    people = {
        1: ("sg", "chair", "FA", "secret"),
        2: ("sg", "secretary", "FA", "confidential"),
        3: ("sg", "member", "JUST", "secret"),
        4: ("tf", "chair", "FA", "top_secret"),
        5: ("tf", "co_chair", "FA", "secret"),
        6: ("tf", "secretary", "JUST", "secret"),
        7: ("tf", "observer", "FA", "secret"),
        8: ("platform", "chair", "FA", "secret"),
        9: ("platform", "member", "DEF", "secret"),
    }
    for body in ("sg", "tf", "platform"):
        g.add_node(f"body:{body}", kind="body")
    for pid, (body, role, department, clearance) in people.items():
        g.add_node(f"person:{pid}", kind="person", clearance=clearance, department=department)
        g.add_edge(f"person:{pid}", f"body:{body}", relation="member_of", role=role)
    # the task force's chair also co-chairs the steering group: one alert, not two
    g.add_edge("person:4", "body:sg", relation="member_of", role="co_chair")
    return g


def readable(classification="unclassified", origin="FA") -> Readability:
    return Readability(classification, origin, NeedToKnow())


@pytest.mark.parametrize(
    ("early_warning", "severity", "alerts"),
    [(True, "info", True), (False, "high", True), (False, "critical", True), (False, "medium", False)],
)
def test_early_warnings_and_high_or_critical_reports_alert(early_warning, severity, alerts):
    assert needs_alert(early_warning=early_warning, severity=severity) is alerts


def test_chairs_co_chairs_and_secretaries_of_every_receiving_body_once_each():
    assert alert_audience(organisation(), ["sg", "tf", "platform"], readable()) == {1, 2, 4, 5, 6, 8}


def test_the_author_is_not_alerted_of_their_own_report():
    assert 8 not in alert_audience(organisation(), ["tf", "platform"], readable(), exclude={8})


def test_only_those_cleared_for_the_classification():
    assert alert_audience(organisation(), ["sg", "tf"], readable("secret")) == {1, 4, 5, 6}
    assert alert_audience(organisation(), ["sg", "tf"], readable("top_secret")) == {4}


def test_a_restricted_origin_reaches_only_the_sharing_group():
    # Defence information: the Justice secretary of the task force is not told
    assert alert_audience(organisation(), ["sg", "tf"], readable(origin="DEF")) == {1, 2, 4, 5}


def test_escalation_goes_to_the_steering_groups_chair_and_secretary_only():
    assert alert_audience(organisation(), ["sg"], readable(), roles=ESCALATION_ROLES) == {1, 2}


def test_a_body_missing_from_the_graph_alerts_nobody():
    assert alert_audience(organisation(), ["gone"], readable()) == set()
