"""The routing function, rule by rule, on a small hand-made organisation graph (no database)."""

import networkx as nx
import pytest

from coordination.routing.rules import ReportFacts, route_report


def organisation(*, sahel_active: bool = False) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()

    def body(slug, kind, status="active", themes=()):
        g.add_node(
            f"body:{slug}", kind="body", body_kind=kind, label=slug, status=status, themes=tuple(themes)
        )

    body("sg", "steering_group")
    body("tf-great-lakes", "task_force", themes=("diplomacy", "defence"))
    body("tf-sahel", "task_force", status="active" if sahel_active else "stood_down")
    body("tf-migration", "task_force", themes=("consular", "order"))
    for code in ("KINSHASA", "NIAMEY"):
        g.add_node(f"mission:{code}", kind="mission", label=code, name=code, mission_kind="embassy")
        body(f"platform-{code.lower()}", "consultation_platform")
        g.add_edge(f"body:platform-{code.lower()}", f"mission:{code}", relation="platform_of")
    for country in ("BDI", "COD", "RWA"):
        g.add_edge("body:tf-great-lakes", f"country:{country}", relation="covers")
    g.add_edge("body:tf-sahel", "country:NER", relation="covers")
    for tf in ("tf-great-lakes", "tf-sahel", "tf-migration"):
        g.add_edge(f"body:{tf}", "body:sg", relation="reports_to")
    return g


def routed(facts: ReportFacts, graph=None) -> dict[str, str]:
    return {r.body: r.reason for r in route_report(facts, graph or organisation())}


def test_report_goes_to_the_posting_missions_platform_and_the_task_force_covering_its_country():
    recipients = routed(ReportFacts(country="COD", mission="KINSHASA"))
    assert recipients == {
        "platform-kinshasa": "platform of the posting mission (KINSHASA)",
        "tf-great-lakes": "task force covers COD",
    }


def test_a_country_task_forces_themes_do_not_pull_in_reports_from_other_countries():
    assert "tf-great-lakes" not in routed(ReportFacts(country="NER", themes=("diplomacy",)))


def test_a_thematic_task_force_receives_reports_on_its_themes_anywhere():
    recipients = routed(ReportFacts(country="MAR", themes=("consular",)))
    assert recipients["tf-migration"] == "task force covers theme consular"
    assert "sg" not in recipients


def test_early_warning_also_reaches_the_steering_group():
    recipients = routed(ReportFacts(country="BDI", early_warning=True))
    assert recipients["sg"] == "early warning"
    assert "tf-great-lakes" in recipients


@pytest.mark.parametrize(
    "severity, expected", [("high", True), ("critical", True), ("medium", False), ("info", False)]
)
def test_high_and_critical_severity_reach_the_steering_group(severity, expected):
    assert ("sg" in routed(ReportFacts(country="RWA", severity=severity))) is expected


def test_uncovered_early_warning_from_niamey_lands_in_the_steering_group_queue():
    recipients = route_report(
        ReportFacts(country="NER", mission="NIAMEY", early_warning=True), organisation()
    )
    sg = next(r for r in recipients if r.body == "sg")
    assert sg.rule == "uncovered"
    assert sg.reason == "no active task force covers NER: steering group early-warning queue; early warning"
    assert {r.body for r in recipients} == {"sg", "platform-niamey"}


def test_a_stood_down_task_force_receives_nothing_and_an_active_one_does():
    assert "tf-sahel" not in routed(ReportFacts(country="NER"))
    recipients = routed(ReportFacts(country="NER"), organisation(sahel_active=True))
    assert recipients["tf-sahel"] == "task force covers NER" and "sg" not in recipients


def test_nothing_falls_on_the_floor_even_without_a_mission_or_theme():
    assert routed(ReportFacts(country="ATA")) == {
        "sg": "no active task force covers ATA: steering group early-warning queue"
    }


def test_strategic_intelligence_goes_to_the_steering_group_only():
    facts = ReportFacts(
        country="COD", kind="intelligence_brief", intelligence_level="strategic", mission="KINSHASA"
    )
    assert routed(facts) == {"sg": "strategic intelligence"}


def test_tactical_intelligence_goes_to_the_task_forces_and_never_to_a_platform():
    facts = ReportFacts(
        country="COD", kind="intelligence_brief", intelligence_level="tactical", mission="KINSHASA"
    )
    assert routed(facts) == {"tf-great-lakes": "tactical intelligence: task force covers COD"}


def test_uncovered_tactical_intelligence_goes_to_the_steering_group_queue():
    facts = ReportFacts(country="NER", kind="intelligence_brief", intelligence_level="tactical")
    assert routed(facts)["sg"].startswith("no active task force covers NER")


def test_routing_one_report_is_pure_and_repeatable():
    graph = organisation()
    facts = ReportFacts(country="BDI", severity="critical", mission="KINSHASA")
    assert route_report(facts, graph) == route_report(facts, graph)
    assert graph.number_of_nodes() == organisation().number_of_nodes()
