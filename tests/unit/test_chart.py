import networkx as nx

from coordination.structure.chart import organisation_chart


def _graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node(
        "department:FA", kind="department", label="FA", name="Foreign Affairs", level="federal", opt_in=False
    )
    g.add_node(
        "department:FLA",
        kind="department",
        label="FLA",
        name="Flemish Government",
        level="regional",
        opt_in=True,
    )
    g.add_node(
        "body:sg", kind="body", body_kind="steering_group", label="Steering group", status="active", themes=()
    )
    g.add_node(
        "body:tf", kind="body", body_kind="task_force", label="TF Great Lakes", status="active", themes=()
    )
    g.add_node(
        "body:platform", kind="body", body_kind="consultation_platform", label="P", status="active", themes=()
    )
    g.add_node("mission:KINSHASA", kind="mission", label="Kinshasa", name="Embassy", mission_kind="embassy")
    g.add_node("mission:PARIS", kind="mission", label="Paris", name="Embassy", mission_kind="embassy")
    g.add_node("person:1", kind="person", label="A", clearance="secret", department="FA")
    g.add_edge("department:FA", "body:sg", relation="represented_in")
    g.add_edge("body:tf", "body:sg", relation="reports_to")
    g.add_edge("body:tf", "mission:KINSHASA", relation="works_with")
    g.add_edge("person:1", "body:tf", relation="member_of")
    return g


def test_chart_places_each_kind_in_its_column_and_leaves_people_and_platforms_out():
    chart = organisation_chart(_graph())
    assert [n.key for n in chart.column("department")] == ["department:FA", "department:FLA"]
    assert [n.key for n in chart.column("steering_group")] == ["body:sg"]
    assert [n.key for n in chart.column("task_force")] == ["body:tf"]
    # missions linked to a task force come first
    assert [n.key for n in chart.column("mission")] == ["mission:KINSHASA", "mission:PARIS"]
    assert all(not n.key.startswith(("person:", "body:platform")) for n in chart.nodes)


def test_chart_edges_join_facing_sides_and_mark_opt_in_departments():
    chart = organisation_chart(_graph())
    relations = sorted(e.relation for e in chart.edges)
    assert relations == ["reports_to", "represented_in", "works_with"]
    reports = next(e for e in chart.edges if e.relation == "reports_to")
    assert reports.path.startswith("M")
    assert "opt-in" in next(n for n in chart.nodes if n.key == "department:FLA").css
    assert chart.height >= 2 * 26
