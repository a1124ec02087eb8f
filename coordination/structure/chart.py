"""Lay out the organisation graph as a chart: departments, steering group, task forces, missions."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


COLUMN_X = {"department": 10, "steering_group": 330, "task_force": 600, "mission": 870}
NODE_WIDTH = {"department": 240, "steering_group": 220, "task_force": 220, "mission": 250}
ROW_HEIGHT = 26
NODE_HEIGHT = 20


@dataclass
class ChartNode:
    key: str
    column: str
    label: str
    title: str
    x: float
    y: float
    width: float
    css: str


@dataclass
class ChartEdge:
    source: ChartNode
    target: ChartNode
    relation: str

    @property
    def path(self) -> str:
        """A horizontal S-curve between the facing sides of the two boxes."""
        left, right = sorted((self.source, self.target), key=lambda n: n.x)
        x1, y1 = left.x + left.width, left.y + NODE_HEIGHT / 2
        x2, y2 = right.x, right.y + NODE_HEIGHT / 2
        mid = (x1 + x2) / 2
        return f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"


@dataclass
class Chart:
    nodes: list[ChartNode] = field(default_factory=list)
    edges: list[ChartEdge] = field(default_factory=list)
    width: int = 1130
    height: int = 0

    def column(self, name: str) -> list[ChartNode]:
        return [n for n in self.nodes if n.column == name]


def _column_of(data: dict) -> str | None:
    if data["kind"] == "department":
        return "department"
    if data["kind"] == "mission":
        return "mission"
    if data["kind"] == "body" and data["body_kind"] in ("steering_group", "task_force"):
        return data["body_kind"]
    return None


def organisation_chart(graph: "nx.MultiDiGraph") -> Chart:
    """Place each department, the steering group, every task force and mission in its column."""
    columns: dict[str, list[tuple[str, dict]]] = {name: [] for name in COLUMN_X}
    for key, data in graph.nodes(data=True):
        column = _column_of(data)
        if column:
            columns[column].append((key, data))
    columns["department"].sort(key=lambda item: (item[1]["opt_in"], item[1]["label"]))
    columns["task_force"].sort(key=lambda item: item[1]["label"])
    linked = {target for _s, target, d in graph.edges(data=True) if d.get("relation") == "works_with"}
    columns["mission"].sort(
        key=lambda item: (item[0] not in linked, item[1]["mission_kind"], item[1]["label"])
    )
    tallest = max(len(items) for items in columns.values()) or 1
    height = tallest * ROW_HEIGHT + 20
    chart = Chart(height=height)
    placed: dict[str, ChartNode] = {}
    # The steering group and task forces sit level with the middle of the departments they draw on.
    departments_middle = 10 + len(columns["department"]) * ROW_HEIGHT / 2
    for column, items in columns.items():
        top = (
            10
            if column in ("department", "mission")
            else max(10, departments_middle - len(items) * ROW_HEIGHT / 2)
        )
        for index, (key, data) in enumerate(items):
            css = column.replace("_", "-")
            if data["kind"] == "department" and data.get("opt_in"):
                css += " opt-in"
            if data["kind"] == "body" and data.get("status") != "active":
                css += " inactive"
            node = ChartNode(
                key=key,
                column=column,
                label=data["label"],
                title=data.get("name", data["label"]),
                x=COLUMN_X[column],
                y=top + index * ROW_HEIGHT,
                width=NODE_WIDTH[column],
                css=css,
            )
            placed[key] = node
            chart.nodes.append(node)
    for source, target, data in graph.edges(data=True):
        if source in placed and target in placed:
            chart.edges.append(ChartEdge(placed[source], placed[target], data.get("relation", "")))
    return chart
