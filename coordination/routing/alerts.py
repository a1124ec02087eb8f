"""Who is alerted about a report: pure functions over the organisation graph, like routing.

An alert goes to the people who run a receiving body (chair, co-chairs, secretary), once each however
many of those bodies they sit in, and only to those who may read the report: clearance covering its
classification and, for a restricted origin such as Defence, a department of the sharing group.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coordination.classification import Clearance, NeedToKnow
from coordination.routing.rules import HIGH_SEVERITIES

if TYPE_CHECKING:
    import networkx as nx

MANAGING_ROLES = frozenset({"chair", "co_chair", "secretary"})
ESCALATION_ROLES = frozenset({"chair", "secretary"})


@dataclass(frozen=True)
class Readability:
    """What decides who may read a report, without the database."""

    classification: str
    origin_department: str
    policy: NeedToKnow = NeedToKnow()

    def readable_by(self, person: dict) -> bool:
        return Clearance(person["clearance"]).covers(self.classification) and self.policy.shares(
            person["department"], [self.origin_department]
        )


def needs_alert(*, early_warning: bool, severity: str) -> bool:
    """An early warning, or a report of high or critical severity, alerts at once."""
    return early_warning or severity in HIGH_SEVERITIES


def seated_in(graph: "nx.MultiDiGraph", body: str, roles: Iterable[str]) -> set[str]:
    """Person nodes seated in a body (by slug) in one of these roles."""
    target, wanted = f"body:{body}", set(roles)
    if target not in graph:
        return set()
    return {
        source
        for source, _t, data in graph.in_edges(target, data=True)
        if data.get("relation") == "member_of" and data.get("role") in wanted
    }


def alert_audience(
    graph: "nx.MultiDiGraph",
    bodies: Iterable[str],
    readability: Readability,
    *,
    roles: Iterable[str] = MANAGING_ROLES,
    exclude: Iterable[int] = (),
) -> set[int]:
    """The ids of the people to alert: those seated in these bodies in these roles who may read the
    report, each once, but for those excluded (whoever posted it)."""
    roles = frozenset(roles)
    nodes: set[str] = set()
    for body in bodies:
        nodes |= seated_in(graph, body, roles)
    excluded = set(exclude)
    return {
        person
        for person in (int(node.removeprefix("person:")) for node in nodes)
        if person not in excluded and readability.readable_by(graph.nodes[f"person:{person}"])
    }
