"""Pure routing functions: given facts about an item and the organisation graph, who receives it and why.

No database access here: the graph (see graph.py) carries every attribute the rules need.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coordination.classification import Clearance

if TYPE_CHECKING:
    import networkx as nx

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


def routing_index(graph: "nx.MultiDiGraph") -> RoutingIndex:
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


def route_report(facts: ReportFacts, graph: "nx.MultiDiGraph") -> list[Recipient]:
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


# Roles that answer for a body, and for a mission through its consultation platform (whose chair is the
# head of mission; a permanent representation's deputy may co-chair): as decisions.queries.ANSWERING_ROLES.
ANSWERING_ROLES = frozenset({"chair", "co_chair", "secretary"})


def _seated(graph: "nx.MultiDiGraph", body: str) -> dict[str, str]:
    """The person nodes seated in a body node, with their role."""
    if body not in graph:
        return {}
    return {
        source: data.get("role", "")
        for source, _t, data in graph.in_edges(body, data=True)
        if data.get("relation") == "member_of"
    }


def _platform(graph: "nx.MultiDiGraph", mission: str) -> str | None:
    platform = routing_index(graph).platforms.get(mission)
    return f"body:{platform}" if platform is not None else None


def department_representatives(graph: "nx.MultiDiGraph", code: str) -> set[str]:
    """Who answers the steering group's decisions for a department: the representative it named, while
    seated in the steering group; otherwise its people seated there, observers aside (only observers when
    it has nobody else there). The graph's twin of structure.queries.representatives_of."""
    steering_group = routing_index(graph).steering_group
    if steering_group is None:
        return set()
    seated = {
        person: role
        for person, role in _seated(graph, f"body:{steering_group}").items()
        if graph.nodes[person].get("department") == code
    }
    named = graph.nodes[f"department:{code}"].get("representative") if f"department:{code}" in graph else None
    if named in seated:
        return {named}
    return {person for person, role in seated.items() if role != "observer"} or set(seated)


def unit_answerers(graph: "nx.MultiDiGraph", unit: Unit) -> set[str]:
    """Person nodes who answer (acknowledge) for a unit: the chair, co-chair and secretary of a body or of
    a mission's platform; a department's representatives. The graph's twin of
    decisions.queries.answering_people."""
    if unit.kind == "department":
        return department_representatives(graph, unit.key)
    if unit.kind == "body":
        body = f"body:{unit.key}"
    elif unit.kind == "mission":
        body = _platform(graph, unit.key)
        if body is None:
            return set()
    else:
        raise ValueError(f"unknown unit kind {unit.kind!r}")
    return {person for person, role in _seated(graph, body).items() if role in ANSWERING_ROLES}


def concerned_bodies(
    graph: "nx.MultiDiGraph", units: list[Unit], issuing_body: str | None = None
) -> set[str]:
    """Body nodes a decision concerns: its issuing body, the bodies it addresses and the consultation
    platforms of the missions it addresses."""
    bodies = {f"body:{issuing_body}"} if issuing_body else set()
    for unit in units:
        if unit.kind == "body":
            bodies.add(f"body:{unit.key}")
        elif unit.kind == "mission" and (platform := _platform(graph, unit.key)) is not None:
            bodies.add(platform)
    return {body for body in bodies if body in graph}


def unit_members(graph: "nx.MultiDiGraph", unit: Unit, concerned: Collection[str] = ()) -> set[str]:
    """Person nodes a decision reaches through a unit:
    - a body: the people seated in it;
    - a mission: the head of mission (its platform's chair), co-chair and secretary, not every member;
    - a department: its representatives, and its people seated in one of the `concerned` bodies (see
      `concerned_bodies`), not every employee."""
    if unit.kind == "body":
        return set(_seated(graph, f"body:{unit.key}"))
    if unit.kind == "mission":
        return unit_answerers(graph, unit)
    if unit.kind == "department":
        seated = {
            person
            for body in concerned
            for person in _seated(graph, body)
            if graph.nodes[person].get("department") == unit.key
        }
        return department_representatives(graph, unit.key) | seated
    raise ValueError(f"unknown unit kind {unit.kind!r}")


def _cleared(graph: "nx.MultiDiGraph", people: set[str], classification: str) -> set[str]:
    level = Clearance(classification)
    return {node for node in people if Clearance(graph.nodes[node]["clearance"]).covers(level)}


def decision_audience(
    graph: "nx.MultiDiGraph", units: list[Unit], classification: str, *, issuing_body: str | None = None
) -> dict[int, list[Unit]]:
    """Everyone a decision reaches through its addressee units (see `unit_members`; `issuing_body` is the
    issuing body's slug), once each, with the units they are reached through, limited to people whose
    clearance covers its classification."""
    concerned = concerned_bodies(graph, units, issuing_body)
    audience: dict[int, list[Unit]] = {}
    for unit in units:
        for node in sorted(_cleared(graph, unit_members(graph, unit, concerned), classification)):
            audience.setdefault(int(node.removeprefix("person:")), []).append(unit)
    return audience


def answering_audience(
    graph: "nx.MultiDiGraph", units: list[Unit], classification: str
) -> dict[int, list[Unit]]:
    """Those of a decision's audience who answer for one of its addressee units (see `unit_answerers`),
    once each, with the units they answer for, limited to people whose clearance covers its
    classification. Everyone else in `decision_audience` is reached for information only."""
    answering: dict[int, list[Unit]] = {}
    for unit in units:
        for node in sorted(_cleared(graph, unit_answerers(graph, unit), classification)):
            answering.setdefault(int(node.removeprefix("person:")), []).append(unit)
    return answering
