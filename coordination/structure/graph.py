"""Build the organisation graph from the database and keep it cached until the organisation changes.

Nodes are keyed `kind:key` (``body:task-force-great-lakes``, ``mission:KINSHASA``, ``department:FA``,
``person:12``, ``country:BDI``) and carry their attributes, so routing needs no database access.
"""

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coordination import db
from coordination.structure.enums import BodyKind
from coordination.structure.models import (
    Body,
    BodyCountry,
    Country,
    Department,
    Membership,
    Mission,
    OrganisationRevision,
    Person,
)

if TYPE_CHECKING:
    import networkx as nx


def body_node(slug: str) -> str:
    return f"body:{slug}"


def mission_node(code: str) -> str:
    return f"mission:{code}"


def department_node(code: str) -> str:
    return f"department:{code}"


def person_node(person_id: int) -> str:
    return f"person:{person_id}"


def country_node(code: str) -> str:
    return f"country:{code}"


@dataclass(frozen=True, slots=True)
class MissionRef:
    """What posting from a mission needs to know of it."""

    id: int
    code: str
    name: str
    host_country_code: str
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class BodyRef:
    """A body by its id, slug and name (what a delivery shows)."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Directory:
    """Lookups that posting a report makes, answered from the cached graph instead of four queries;
    kept as `graph.graph["directory"]`, so it is rebuilt with the graph when the organisation changes."""

    missions: dict[str, MissionRef]
    bodies: dict[str, BodyRef]
    platform_seats: frozenset[tuple[int, int]]  # (person id, mission id): seated in its platform
    countries: frozenset[str]


def directory_of(graph: "nx.MultiDiGraph") -> Directory:
    return graph.graph["directory"]


def department_code_of(graph: "nx.MultiDiGraph", person: "Person") -> str:
    """A person's department's code, from the graph when they are in it (no query for a post's alert)."""
    node = graph.nodes.get(person_node(person.id))
    return node["department"] if node is not None else person.department.code


def build_organisation_graph(*, session: Session) -> "nx.MultiDiGraph":
    """The whole organisation as a directed graph, in a handful of queries."""
    import networkx as nx  # 0.4 s and 12 MB: loaded by the first graph built, not at a worker's start

    graph = nx.MultiDiGraph()
    departments = session.exec(select(Department)).all()
    department_codes = {d.id: d.code for d in departments}
    for department in departments:
        graph.add_node(
            department_node(department.code),
            kind="department",
            label=department.code,
            name=department.name,
            level=str(department.level),
            opt_in=department.opt_in,
            # the person the department named to answer the steering group's decisions (see
            # routing.rules.department_representatives: it counts only while they sit there)
            representative=(
                person_node(department.representative_id) if department.representative_id else None
            ),
        )
    missions = session.exec(select(Mission).options(selectinload(Mission.accredited_countries))).all()
    for mission in missions:
        graph.add_node(
            mission_node(mission.code),
            kind="mission",
            label=mission.city,
            name=mission.name,
            mission_kind=str(mission.kind),
        )
        for code in mission.covered_country_codes:
            graph.add_node(country_node(code), kind="country", label=code)
            graph.add_edge(mission_node(mission.code), country_node(code), relation="covers")
    # people and seats as columns, not objects: 5,000 Person objects left a worker 20 MB bigger
    clearances: dict = {}
    people = session.exec(select(Person.id, Person.name, Person.clearance, Person.department_id))
    for person in people:
        graph.add_node(
            person_node(person.id),
            kind="person",
            label=person.name,
            clearance=clearances.setdefault(person.clearance, str(person.clearance)),
            department=department_codes[person.department_id],
        )
        graph.add_edge(
            person_node(person.id),
            department_node(department_codes[person.department_id]),
            relation="works_in",
        )
    bodies = session.exec(
        select(Body).options(
            selectinload(Body.mission), selectinload(Body.countries), selectinload(Body.missions)
        )
    ).all()
    steering_group = next((b for b in bodies if b.kind == BodyKind.steering_group), None)
    overrides = {
        (row.body_id, row.country_code): row.override_reason
        for row in session.exec(select(BodyCountry).where(BodyCountry.override_reason != ""))
    }
    for body in bodies:
        node = body_node(body.slug)
        graph.add_node(
            node,
            kind="body",
            body_kind=str(body.kind),
            label=body.name,
            status=str(body.status),
            themes=tuple(body.themes),
        )
        if body.kind == BodyKind.consultation_platform and body.mission:
            graph.add_edge(node, mission_node(body.mission.code), relation="platform_of")
        if body.kind == BodyKind.task_force:
            if steering_group is not None:
                graph.add_edge(node, body_node(steering_group.slug), relation="reports_to")
            for country in body.countries:
                graph.add_node(country_node(country.code), kind="country", label=country.code)
                graph.add_edge(
                    node,
                    country_node(country.code),
                    relation="covers",
                    override=overrides.get((body.id, country.code), ""),
                )
            for mission in body.missions:
                graph.add_edge(node, mission_node(mission.code), relation="works_with")
    slugs = {b.id: b.slug for b in bodies}
    platform_missions = {
        b.id: b.mission_id
        for b in bodies
        if b.kind == BodyKind.consultation_platform and b.mission_id is not None
    }
    platform_seats = set()
    roles: dict = {}
    seats = session.exec(
        select(Membership.person_id, Membership.body_id, Membership.role).where(Membership.ended_at.is_(None))
    )
    for membership in seats:
        if membership.body_id in platform_missions:
            platform_seats.add((membership.person_id, platform_missions[membership.body_id]))
        graph.add_edge(
            person_node(membership.person_id),
            body_node(slugs[membership.body_id]),
            relation="member_of",
            role=roles.setdefault(membership.role, str(membership.role)),
        )
    if steering_group is not None:
        sg_node = body_node(steering_group.slug)
        represented = {
            graph.nodes[source]["department"]
            for source, _target, data in graph.in_edges(sg_node, data=True)
            if data.get("relation") == "member_of"
        }
        for code in sorted(represented):
            graph.add_edge(department_node(code), sg_node, relation="represented_in")
    graph.graph["directory"] = Directory(
        missions={
            m.code: MissionRef(m.id, m.code, m.name, m.host_country_code, m.closed_at) for m in missions
        },
        bodies={b.slug: BodyRef(b.id, b.slug, b.name) for b in bodies},
        platform_seats=frozenset(platform_seats),
        countries=frozenset(session.exec(select(Country.code))),
    )
    return graph


_REVISION = select(OrganisationRevision.revision).where(OrganisationRevision.id == 1)


def current_revision(*, session: Session) -> int:
    """The organisation's revision: one column, not the row as an object (every post and page asks)."""
    return session.execute(_REVISION).scalar() or 0


@dataclass
class _Cached:
    revision: int
    graph: "nx.MultiDiGraph"


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def organisation_graph(*, session: Session) -> "nx.MultiDiGraph":
    """The cached graph for this database, rebuilt only when the organisation revision has moved."""
    key = db.database_key(session)
    revision = current_revision(session=session)
    cached = _cache.get(key)
    if cached is not None and cached.revision == revision:
        return cached.graph
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.revision != revision:
            cached = _Cached(revision=revision, graph=build_organisation_graph(session=session))
            _cache[key] = cached
    return cached.graph
