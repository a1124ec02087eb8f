"""Pure routing functions: given facts about an item and the organisation graph, who receives it and why.

No database access here: the graph (see graph.py) carries every attribute the rules need.
"""

from dataclasses import dataclass, field

import networkx as nx

from coordination.classification import Clearance

HIGH_SEVERITIES = frozenset({"high", "critical"})


@dataclass(frozen=True)
class ReportFacts:
    """What routing needs to know about a field report or intelligence brief."""

    country: str
    themes: tuple[str, ...] = ()
    severity: str = "info"
    early_warning: bool = False
    mission: str | None = None
    kind: str = "field_report"
    intelligence_level: str | None = None


@dataclass(frozen=True)
class Recipient:
    body: str  # body slug
    rule: str  # the first rule that chose this body
    reason: str  # every reason, joined


@dataclass(frozen=True)
class TaskForceScope:
    slug: str
    countries: frozenset[str]
    themes: frozenset[str]
    # countries the steering group let this task force cover alongside another one, with its reason
    overrides: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RoutingIndex:
    """What the rules look up, read once from a graph and kept on it (graphs are not changed after build)."""

    steering_group: str | None
    task_forces: tuple[TaskForceScope, ...]
    platforms: dict[str, str]  # mission code -> platform slug


def routing_index(graph: nx.MultiDiGraph) -> RoutingIndex:
    index = graph.graph.get("routing_index")
    if index is not None:
        return index
    steering_group = None
    task_forces = []
    platforms = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") != "body":
            continue
        slug = node.removeprefix("body:")
        if data.get("body_kind") == "steering_group":
            steering_group = slug
        elif data.get("body_kind") == "task_force" and data.get("status") == "active":
            covers = [
                (target.removeprefix("country:"), edge.get("override", ""))
                for _s, target, edge in graph.out_edges(node, data=True)
                if edge.get("relation") == "covers"
            ]
            task_forces.append(
                TaskForceScope(
                    slug,
                    frozenset(code for code, _why in covers),
                    frozenset(data.get("themes", ())),
                    tuple(sorted((code, why) for code, why in covers if why)),
                )
            )
        elif data.get("body_kind") == "consultation_platform":
            for _s, target, edge in graph.out_edges(node, data=True):
                if edge.get("relation") == "platform_of":
                    platforms[target.removeprefix("mission:")] = slug
    index = RoutingIndex(steering_group, tuple(sorted(task_forces, key=lambda t: t.slug)), platforms)
    graph.graph["routing_index"] = index
    return index


def task_forces_covering(index: RoutingIndex, country: str, themes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Active task forces whose scope covers the country or, for thematic task forces, one of the themes."""
    covering = []
    for scope in index.task_forces:
        if scope.countries:
            if country in scope.countries:
                override = dict(scope.overrides).get(country)
                why = f"task force covers {country}"
                if override:
                    why += f" (with another task force, by steering-group override: {override})"
                covering.append((scope.slug, why))
        elif shared := sorted(scope.themes & set(themes)):
            covering.append((scope.slug, f"task force covers theme {', '.join(shared)}"))
    return covering


@dataclass
class _Recipients:
    rules: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, body: str, rule: str, reason: str) -> None:
        self.rules.setdefault(body, []).append((rule, reason))

    def result(self) -> list[Recipient]:
        return [
            Recipient(body=body, rule=reasons[0][0], reason="; ".join(reason for _rule, reason in reasons))
            for body, reasons in self.rules.items()
        ]


def route_report(facts: ReportFacts, graph: nx.MultiDiGraph) -> list[Recipient]:
    """The bodies a report goes to, each with its reasons; never empty while a steering group exists."""
    index = routing_index(graph)
    recipients = _Recipients()
    is_intelligence = facts.kind == "intelligence_brief"
    strategic = is_intelligence and facts.intelligence_level == "strategic"

    if facts.mission and not is_intelligence and facts.mission in index.platforms:
        recipients.add(
            index.platforms[facts.mission],
            "mission_platform",
            f"platform of the posting mission ({facts.mission})",
        )

    covering = task_forces_covering(index, facts.country, facts.themes)
    if strategic:
        covering = []
    for slug, why in covering:
        if is_intelligence:
            recipients.add(slug, "tactical_intelligence", f"tactical intelligence: {why}")
        else:
            recipients.add(slug, "task_force_scope", why)

    if index.steering_group:
        sg = index.steering_group
        if strategic:
            recipients.add(sg, "strategic_intelligence", "strategic intelligence")
        elif not covering:
            queue = f"no active task force covers {facts.country}: steering group early-warning queue"
            recipients.add(sg, "uncovered", queue)
        if facts.early_warning:
            recipients.add(sg, "early_warning", "early warning")
        if facts.severity in HIGH_SEVERITIES:
            recipients.add(sg, "high_severity", f"{facts.severity} severity")
    return recipients.result()


# --- downstream ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """An addressee of a decision: a body (slug), a department (code) or a mission (code)."""

    kind: str
    key: str


def unit_members(graph: nx.MultiDiGraph, unit: Unit) -> set[str]:
    """Person nodes reached through a unit: body members, a mission platform, a department staff."""
    if unit.kind == "body":
        target, relation = f"body:{unit.key}", "member_of"
    elif unit.kind == "department":
        target, relation = f"department:{unit.key}", "works_in"
    elif unit.kind == "mission":
        platform = routing_index(graph).platforms.get(unit.key)
        if platform is None:
            return set()
        target, relation = f"body:{platform}", "member_of"
    else:
        raise ValueError(f"unknown unit kind {unit.kind!r}")
    if target not in graph:
        return set()
    return {
        source for source, _t, data in graph.in_edges(target, data=True) if data.get("relation") == relation
    }


def decision_audience(
    graph: nx.MultiDiGraph, units: list[Unit], classification: str
) -> dict[int, list[Unit]]:
    """Everyone a decision reaches through its addressee units, with the units they are reached through,
    limited to people whose clearance covers its classification."""
    level = Clearance(classification)
    audience: dict[int, list[Unit]] = {}
    for unit in units:
        for node in unit_members(graph, unit):
            if Clearance(graph.nodes[node]["clearance"]).covers(level):
                audience.setdefault(int(node.removeprefix("person:")), []).append(unit)
    return audience
