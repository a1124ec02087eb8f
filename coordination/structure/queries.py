"""Reads of the organisation for pages and for other areas: people, bodies and who sits where.

The organisation is not need-to-know information: every signed-in person may see who sits in which body.
Other areas compose their need-to-know conditions from the SQL building blocks at the end (the bodies a
person sits in, the departments of restricted origins, ...) instead of reading these tables themselves.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, exists, or_
from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, select

from coordination.db import one_of
from coordination.rules import Forbidden
from coordination.structure.authority import seating_refusal
from coordination.structure.enums import BodyKind, BodyStatus, MembershipRole
from coordination.structure.graph import (
    BodyRef,
    MissionRef,
    build_organisation_graph,
    current_revision,
    department_code_of,
    directory_of,
    organisation_graph,
)
from coordination.structure.models import (
    Body,
    BodyCountry,
    Country,
    Department,
    Directorate,
    Membership,
    Mission,
    MissionAccreditation,
    Person,
)

__all__ = ["build_organisation_graph", "current_revision", "department_code_of", "organisation_graph"]

SEATED = Membership.ended_at.is_(None)
"""SQL: the seat is current (a seat that ended keeps its row, for the history)."""

if TYPE_CHECKING:
    import networkx as nx


def list_countries(*, session: Session, region: str | None = None) -> list[Country]:
    query = select(Country).order_by(Country.name)
    if region:
        query = query.where(Country.region == region)
    return list(session.exec(query))


def get_country(*, session: Session, code: str) -> Country | None:
    return session.get(Country, code.upper())


def list_departments(*, session: Session) -> list[Department]:
    query = select(Department).options(selectinload(Department.directorates))
    departments = list(session.exec(query))
    level_order = {"federal": 0, "regional": 1, "community": 2}
    return sorted(departments, key=lambda d: (d.opt_in, level_order.get(d.level, 9), d.name))


def get_department(*, session: Session, code: str) -> Department | None:
    query = select(Department).where(Department.code == code).options(selectinload(Department.directorates))
    return session.exec(query).first()


def get_directorate(*, session: Session, department_code: str, code: str) -> Directorate | None:
    query = (
        select(Directorate)
        .join(Department)
        .where(Department.code == department_code, Directorate.code == code)
    )
    return session.exec(query).first()


def _person_options():
    return (
        joinedload(Person.department),
        joinedload(Person.directorate),
        selectinload(Person.memberships).joinedload(Membership.body),
    )


def get_person(*, session: Session, person_id: int) -> Person | None:
    query = select(Person).where(Person.id == person_id).options(*_person_options())
    return session.exec(query).first()


def get_person_by_email(*, session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email.strip().lower())).first()


def list_people(*, session: Session, department_code: str | None = None) -> list[Person]:
    query = select(Person).options(*_person_options()).order_by(Person.name)
    if department_code:
        query = query.join(Department, Person.department_id == Department.id).where(
            Department.code == department_code
        )
    return list(session.exec(query))


def _mission_options():
    return (
        selectinload(Mission.host_country),
        selectinload(Mission.accredited_countries),
    )


def list_missions(*, session: Session) -> list[Mission]:
    query = select(Mission).options(*_mission_options())
    missions = list(session.exec(query))
    return sorted(missions, key=lambda m: (m.kind != "embassy", m.kind, m.city))


def mission_places(*, session: Session) -> list:
    """Open missions as the map draws them (code, name, kind, city, host country, where the city is), in
    `list_missions`' order, without the accreditations that `list_missions` loads."""
    query = select(
        Mission.code,
        Mission.name,
        Mission.kind,
        Mission.city,
        Mission.host_country_code,
        Mission.closed_at,
        Mission.longitude,
        Mission.latitude,
    ).where(Mission.closed_at.is_(None))
    return sorted(session.exec(query), key=lambda m: (m.kind != "embassy", m.kind, m.city))


def get_mission(*, session: Session, code: str) -> Mission | None:
    query = select(Mission).where(Mission.code == code.upper()).options(*_mission_options())
    return session.exec(query).first()


def platform_of(*, session: Session, mission: Mission) -> Body | None:
    """The consultation platform run by a mission."""
    query = select(Body).where(Body.mission_id == mission.id).options(*_body_options())
    return session.exec(query).first()


def _body_options():
    return (
        selectinload(Body.memberships)
        .joinedload(Membership.person)
        .options(joinedload(Person.department), joinedload(Person.directorate)),
        selectinload(Body.countries),
        selectinload(Body.missions),
        joinedload(Body.mission),
    )


ROLE_ORDER = {role: index for index, role in enumerate(MembershipRole)}


def ordered_memberships(body: Body) -> list[Membership]:
    """Chair first, then co-chairs, secretary, members and observers, each by name."""
    return sorted(body.memberships, key=lambda m: (ROLE_ORDER[MembershipRole(m.role)], m.person.name))


_KIND_ORDER = {kind: rank for rank, kind in enumerate(BodyKind)}  # steering group, task forces, platforms


def list_bodies(*, session: Session, kind: BodyKind | None = None) -> list[Body]:
    query = select(Body).options(selectinload(Body.mission), selectinload(Body.memberships))
    if kind:
        query = query.where(Body.kind == kind)
    return sorted(session.exec(query), key=lambda b: (_KIND_ORDER[BodyKind(b.kind)], b.name))


def body_choices(*, session: Session, kinds: list[BodyKind]) -> list[tuple[int, str, str]]:
    """(id, slug, name) of the bodies of these kinds that are not stood down, for pickers: no members,
    no missions loaded."""
    rows = session.exec(
        select(Body.id, Body.slug, Body.name, Body.kind).where(
            Body.kind.in_(kinds), Body.status != BodyStatus.stood_down
        )
    ).all()
    rows = sorted(rows, key=lambda row: (_KIND_ORDER[BodyKind(row.kind)], row.name))
    return [(row.id, row.slug, row.name) for row in rows]


def find_body(*, session: Session, slug: str) -> Body | None:
    """A body by slug without its members or scope (they load if asked for): for checks and names."""
    return session.exec(select(Body).where(Body.slug == slug)).first()


def get_body(*, session: Session, slug: str) -> Body | None:
    query = select(Body).where(Body.slug == slug).options(*_body_options())
    return session.exec(query).first()


def in_steering_group(person_id: int):
    """SQL condition: the person sits in the steering group (for need-to-know queries)."""
    return exists().where(
        Membership.person_id == person_id,
        SEATED,
        Membership.body_id.in_(select(Body.id).where(Body.kind == BodyKind.steering_group)),
    )


def get_steering_group(*, session: Session) -> Body | None:
    """The steering group, without its members (they load if asked for)."""
    return session.exec(select(Body).where(Body.kind == BodyKind.steering_group)).first()


def role_in(*, session: Session, person_id: int, body_id: int) -> MembershipRole | None:
    """The role a person holds in a body (a person sits once per body), or None."""
    role = session.exec(
        select(Membership.role).where(
            Membership.body_id == body_id, Membership.person_id == person_id, SEATED
        )
    ).first()
    return MembershipRole(role) if role else None


def require_role(
    *, session: Session, person_id: int, body_id: int, roles: set, refusal: str
) -> MembershipRole:
    """The person's role in the body if it is one of `roles`; otherwise the rule refuses with `refusal`."""
    role = role_in(session=session, person_id=person_id, body_id=body_id)
    if role not in roles:
        raise Forbidden(refusal)
    return role


def get_department_by_id(*, session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


# --- lookups by id, for pages that show names ------------------------------------------------------


def people_by_id(*, session: Session, ids: Iterable[int]) -> dict[int, Person]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {p.id: p for p in session.exec(select(Person).where(one_of(session, Person.id, ids)))}


def person_with_statement(*, columns: tuple, joined, on, key):
    """A query of a person with columns of another area's row that refers to them (`on`), found by that
    row's `key` column: built once by the caller and run by `person_with` (sign-in asks on every API
    request, and building the statement cost more than running it)."""
    return select(Person, *columns).join(joined, on == Person.id).where(key == bindparam("key"))


def person_with(*, session: Session, statement, key) -> "tuple[Person, tuple] | None":
    """The person, and the columns' values, of the row whose key is `key`, in one query."""
    row = session.execute(statement, {"key": key}).first()
    return None if row is None else (row[0], tuple(row[1:]))


def languages_of(*, session: Session, ids: Iterable[int]) -> dict[int, list[str]]:
    """The languages each of these people speaks, by id, without loading them (a notification to
    thousands is written once per language)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.exec(select(Person.id, Person.languages).where(one_of(session, Person.id, ids)))
    return {person_id: languages or [] for person_id, languages in rows}


def bodies_by_id(*, session: Session, ids: Iterable[int]) -> dict[int, Body]:
    """Bodies by id, without their members or scope."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {b.id: b for b in session.exec(select(Body).where(Body.id.in_(ids)))}


def departments_by_id(*, session: Session, ids: Iterable[int]) -> dict[int, Department]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Department).where(Department.id.in_(ids)))}


def all_departments_by_id(*, session: Session) -> dict[int, Department]:
    return {d.id: d for d in session.exec(select(Department))}


def missions_by_id(*, session: Session, ids: Iterable[int]) -> dict[int, Mission]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {m.id: m for m in session.exec(select(Mission).where(Mission.id.in_(ids)))}


def country_names(*, session: Session, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Country names by code (of these codes, or of every country)."""
    query = select(Country.code, Country.name)
    if codes is not None:
        codes = set(codes)
        if not codes:
            return {}
        query = query.where(Country.code.in_(codes))
    return dict(session.exec(query).all())


def known_countries(*, session: Session, codes: Iterable[str]) -> set[str]:
    codes = set(codes)
    return set(session.exec(select(Country.code).where(Country.code.in_(codes)))) if codes else set()


def partner_countries(*, session: Session, codes: Iterable[str]) -> list[str]:
    """Which of these countries are partner countries of development cooperation, in code order."""
    codes = set(codes)
    if not codes:
        return []
    return sorted(session.exec(select(Country.code).where(Country.code.in_(codes), Country.is_partner)))


# --- from the cached organisation graph (no query: the graph was read at its revision) ----------------


def mission_in(graph: "nx.MultiDiGraph", code: str) -> MissionRef | None:
    return directory_of(graph).missions.get(code.upper())


def sits_in_platform_of(graph: "nx.MultiDiGraph", *, person_id: int, mission_id: int) -> bool:
    """The person has a current seat in the mission's consultation platform (`sits_in_platform`)."""
    return (person_id, mission_id) in directory_of(graph).platform_seats


def is_known_country(graph: "nx.MultiDiGraph", code: str) -> bool:
    return code in directory_of(graph).countries


def body_refs(graph: "nx.MultiDiGraph", slugs: Iterable[str]) -> dict[str, BodyRef]:
    """Bodies by slug, as id, slug and name (`bodies_by_slug` without a query)."""
    bodies = directory_of(graph).bodies
    return {slug: bodies[slug] for slug in slugs if slug in bodies}


def mission_by_code(*, session: Session, code: str) -> Mission | None:
    """A mission without its countries (posting a report needs only its id and host country)."""
    return session.exec(select(Mission).where(Mission.code == code.upper())).first()


def missions_covering(*, session: Session, countries: list[str]) -> list[Mission]:
    """Missions hosted in or accredited to one of these countries, by city."""
    accredited = select(MissionAccreditation.mission_id).where(
        MissionAccreditation.country_code.in_(countries)
    )
    query = select(Mission).where(Mission.host_country_code.in_(countries) | Mission.id.in_(accredited))
    return list(session.exec(query.order_by(Mission.city)))


def body_by_id(*, session: Session, body_id: int) -> Body | None:
    """A body with its members, scope and missions."""
    query = select(Body).where(Body.id == body_id).options(*_body_options())
    return session.exec(query).first()


def steering_group_id(*, session: Session) -> int | None:
    return session.exec(select(Body.id).where(Body.kind == BodyKind.steering_group)).first()


def active_task_forces(*, session: Session) -> list[Body]:
    """Active task forces by name, without their members."""
    return list(
        session.exec(
            select(Body)
            .where(Body.kind == BodyKind.task_force, Body.status == BodyStatus.active)
            .order_by(Body.name)
        )
    )


def body_country_codes(*, session: Session, body_id: int) -> list[str]:
    body = session.get(Body, body_id)
    return sorted(c.code for c in body.countries) if body else []


def directors(*, session: Session) -> list[Person]:
    """People whose function names them a director (the chairs a steering group may choose)."""
    return list(session.exec(select(Person).where(Person.function.ilike("%director%")).order_by(Person.name)))


# --- who sits where ---------------------------------------------------------------------------------


def seated_person_ids(
    *, session: Session, body_id: int, roles: Iterable[MembershipRole] | None = None
) -> set[int]:
    """The people who sit in a body (in one of these roles)."""
    query = select(Membership.person_id).where(Membership.body_id == body_id, SEATED)
    if roles is not None:
        query = query.where(Membership.role.in_([MembershipRole(r).value for r in roles]))
    return set(session.exec(query))


def members_of(*, session: Session, body_id: int) -> list[Person]:
    """The people who sit in a body, by name."""
    return list(
        session.exec(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.body_id == body_id, SEATED)
            .order_by(Person.name)
        )
    )


def people_seated(*, session: Session, body_id: int, roles: Iterable[MembershipRole]) -> list[Person]:
    """The people who sit in a body in one of these roles, by name."""
    return list(
        session.exec(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.body_id == body_id,
                SEATED,
                Membership.role.in_([MembershipRole(r).value for r in roles]),
            )
            .order_by(Person.name)
        )
    )


def steering_group_people_of_department(
    *, session: Session, department_id: int, exclude_observers: bool = False
) -> list[tuple[Person, MembershipRole]]:
    """A department's people in the steering group (its representatives), with their roles."""
    query = (
        select(Person, Membership.role)
        .join(Membership, Membership.person_id == Person.id)
        .join(Body, Body.id == Membership.body_id)
        .where(Body.kind == BodyKind.steering_group, Person.department_id == department_id, SEATED)
    )
    if exclude_observers:
        query = query.where(Membership.role != MembershipRole.observer)
    return [(person, MembershipRole(role)) for person, role in session.exec(query.order_by(Person.name))]


def seats_of(
    *,
    session: Session,
    person_id: int,
    roles: Iterable[MembershipRole] | None = None,
    kinds: Iterable[BodyKind] | None = None,
) -> list[Body]:
    """The bodies a person sits in (in one of these roles, of these kinds), by name."""
    query = (
        select(Body)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person_id, SEATED)
        .order_by(Body.name)
    )
    if roles is not None:
        query = query.where(Membership.role.in_([MembershipRole(r).value for r in roles]))
    if kinds is not None:
        query = query.where(Body.kind.in_([BodyKind(k).value for k in kinds]))
    return list(session.exec(query))


def sits_in_platform(*, session: Session, person_id: int, mission_id: int) -> bool:
    return (
        session.exec(
            select(Membership.id)
            .join(Body, Body.id == Membership.body_id)
            .where(
                Membership.person_id == person_id,
                SEATED,
                Body.kind == BodyKind.consultation_platform,
                Body.mission_id == mission_id,
            )
        ).first()
        is not None
    )


def sits_in_steering_group(*, session: Session, person_id: int) -> bool:
    return session.exec(select(in_steering_group(person_id))).one()


def platform_id_of(*, session: Session, mission_id: int) -> int | None:
    return session.exec(select(Body.id).where(Body.mission_id == mission_id)).first()


# --- SQL building blocks for other areas' need-to-know queries ----------------------------------------


def seated_body_ids(person_id: int):
    """SQL: ids of the bodies the person sits in."""
    return select(Membership.body_id).where(Membership.person_id == person_id, SEATED)


def seated_mission_ids(person_id: int):
    """SQL: ids of the missions whose consultation platform the person sits in."""
    return select(Body.mission_id).where(
        Body.id.in_(seated_body_ids(person_id)), Body.mission_id.is_not(None)
    )


def department_ids(codes: Iterable[str]):
    """SQL: ids of the departments with these codes."""
    return select(Department.id).where(Department.code.in_(list(codes)))


def body_ids_of_kinds(kinds: Iterable[BodyKind]):
    """SQL: ids of the bodies of these kinds."""
    return select(Body.id).where(Body.kind.in_([BodyKind(k).value for k in kinds]))


def bodies_by_slug(*, session: Session, slugs: Iterable[str]) -> dict[str, Body]:
    """Bodies by slug, without their members or scope."""
    slugs = set(slugs)
    if not slugs:
        return {}
    return {b.slug: b for b in session.exec(select(Body).where(Body.slug.in_(slugs)))}


def seat_map(*, session: Session, person_ids: Iterable[int]) -> dict[int, set[int]]:
    """The ids of the bodies each of these people sits in."""
    person_ids = set(person_ids)
    seats: dict[int, set[int]] = {pid: set() for pid in person_ids}
    if person_ids:
        rows = session.exec(
            select(Membership.person_id, Membership.body_id).where(
                one_of(session, Membership.person_id, person_ids), SEATED
            )
        )
        for person_id, body_id in rows:
            seats[person_id].add(body_id)
    return seats


def platform_missions(*, session: Session, body_ids: Iterable[int]) -> dict[int, int]:
    """Of these bodies, the consultation platforms, with the id of their mission."""
    body_ids = set(body_ids)
    if not body_ids:
        return {}
    rows = session.exec(
        select(Body.id, Body.mission_id).where(Body.id.in_(body_ids), Body.mission_id.is_not(None))
    )
    return dict(rows.all())


def departments_seated_in(*, session: Session, body_id: int) -> list[Department]:
    """The departments of the people who sit in a body, by code."""
    query = (
        select(Department)
        .join(Person, Person.department_id == Department.id)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.body_id == body_id, SEATED)
        .distinct()
    )
    return sorted(session.exec(query), key=lambda d: d.code)


def clearances_of(*, session: Session, person_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """(clearance, department id) of each of these people, by id, without loading them."""
    person_ids = {i for i in person_ids if i is not None}
    if not person_ids:
        return {}
    rows = session.exec(
        select(Person.id, Person.clearance, Person.department_id).where(
            one_of(session, Person.id, person_ids)
        )
    )
    return {person_id: (clearance, department_id) for person_id, clearance, department_id in rows}


def received_while_seated(person_id: int, body_id, delivered_at):
    """SQL: an item delivered to `body_id` at `delivered_at` reached the person: they sit in that body now,
    or sat there when it was delivered (a seat that ends stops new deliveries, never takes back old ones)."""
    return or_(
        body_id.in_(seated_body_ids(person_id)),
        exists().where(
            Membership.person_id == person_id,
            Membership.body_id == body_id,
            Membership.ended_at.is_not(None),
            delivered_at < Membership.ended_at,
        ),
    )


# --- seat history and representatives ----------------------------------------------------------------


def seat_history(*, session: Session, body_id: int) -> list[Membership]:
    """Every seat a body has had, current and ended, newest first, with the people (and who acted) loaded."""
    query = (
        select(Membership)
        .where(Membership.body_id == body_id)
        .options(
            joinedload(Membership.person).options(
                joinedload(Person.department), joinedload(Person.directorate)
            )
        )
        .order_by(Membership.started_at.desc(), Membership.id.desc())
    )
    return list(session.exec(query))


def seats_held_by(*, session: Session, person_id: int) -> list[Membership]:
    """Every seat a person has held, current and ended, newest first, with the bodies loaded."""
    query = (
        select(Membership)
        .where(Membership.person_id == person_id)
        .options(joinedload(Membership.body))
        .order_by(Membership.started_at.desc(), Membership.id.desc())
    )
    return list(session.exec(query))


def seatable_roles(*, session: Session, viewer: Person, body: Body) -> list[MembershipRole]:
    """The roles in which the viewer may seat (and unseat) people in this body under the seating rule
    (`authority.seating_refusal`); none in a body that is stood down. Pages offer only these."""
    if body.status == BodyStatus.stood_down:
        return []
    actor_role = role_in(session=session, person_id=viewer.id, body_id=body.id)
    steering_id = steering_group_id(session=session)
    steering_role = None
    if steering_id is not None:
        steering_role = role_in(session=session, person_id=viewer.id, body_id=steering_id)
    has_chair = bool(seated_person_ids(session=session, body_id=body.id, roles=[MembershipRole.chair]))
    return [
        role
        for role in MembershipRole
        if seating_refusal(
            body_kind=BodyKind(body.kind),
            role=role,
            actor_role=actor_role,
            actor_steering_role=steering_role,
            body_has_chair=has_chair,
        )
        is None
    ]


def active_people_choices(*, session: Session) -> list[tuple[int, str, str]]:
    """(id, name, department code) of every active person, by name: the person picker of the seat form."""
    rows = session.exec(
        select(Person.id, Person.name, Department.code)
        .join(Department, Department.id == Person.department_id)
        .where(Person.active)
        .order_by(Person.name, Person.id)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def people_by_email(*, session: Session, emails: Iterable[str]) -> dict[str, Person]:
    """The people with these e-mail addresses (lower-cased), by address; in chunks, for bulk imports."""
    emails = sorted({e.strip().lower() for e in emails if e})
    found: dict[str, Person] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update((p.email, p) for p in session.exec(select(Person).where(Person.email.in_(chunk))))
    return found


def current_roles(*, session: Session, person_ids: Iterable[int]) -> dict[tuple[int, int], MembershipRole]:
    """The current role of each of these people in each body they sit in, by (person id, body id)."""
    person_ids = sorted({i for i in person_ids if i is not None})
    roles: dict[tuple[int, int], MembershipRole] = {}
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        rows = session.exec(
            select(Membership.person_id, Membership.body_id, Membership.role).where(
                Membership.person_id.in_(chunk), SEATED
            )
        )
        roles.update(((person_id, body_id), MembershipRole(role)) for person_id, body_id, role in rows)
    return roles


def people_and_current_seats(*, session: Session) -> list[tuple[Person, Membership | None]]:
    """Every active person with each current seat (None for people without a seat), by name then body:
    what the people-and-seats export writes. Departments, directorates, missions and bodies are loaded."""
    query = (
        select(Person, Membership)
        .outerjoin(Membership, (Membership.person_id == Person.id) & SEATED)
        .where(Person.active)
        .options(
            joinedload(Person.department),
            joinedload(Person.directorate),
            joinedload(Person.mission),
            joinedload(Membership.body),
        )
        .order_by(Person.name, Person.email, Membership.body_id)
    )
    return [(person, seat) for person, seat in session.exec(query)]


def representatives_of(*, session: Session, department_id: int) -> list[Person]:
    """Who answers the steering group's decisions for a department: the representative it named, while
    seated in the steering group; otherwise its people seated there (observers aside)."""
    department = session.get(Department, department_id)
    seated = steering_group_people_of_department(session=session, department_id=department_id)
    if department is not None and department.representative_id is not None:
        named = [p for p, _role in seated if p.id == department.representative_id]
        if named:
            return named
    return [p for p, role in seated if role != MembershipRole.observer] or [p for p, _role in seated]


def task_forces_covering_countries(
    *,
    session: Session,
    countries: Iterable[str],
    statuses: Iterable[BodyStatus] = (BodyStatus.active, BodyStatus.proposed),
    exclude_body_id: int | None = None,
    without_override_of: int | None = None,
) -> dict[str, list[str]]:
    """Of these countries, those another task force (of these statuses) covers, with its names.

    `without_override_of`: leave out the countries for which that task force has the steering group's
    override to cover them too."""
    countries = set(countries)
    if without_override_of is not None and countries:
        overridden = session.exec(
            select(BodyCountry.country_code).where(
                BodyCountry.body_id == without_override_of, BodyCountry.override_reason != ""
            )
        )
        countries -= set(overridden)
    if not countries:
        return {}
    query = (
        select(BodyCountry.country_code, Body.name)
        .join(Body, Body.id == BodyCountry.body_id)
        .where(
            Body.kind == BodyKind.task_force,
            Body.status.in_([BodyStatus(s).value for s in statuses]),
            BodyCountry.country_code.in_(countries),
        )
        .order_by(Body.name)
    )
    if exclude_body_id is not None:
        query = query.where(Body.id != exclude_body_id)
    covered: dict[str, list[str]] = {}
    for code, name in session.exec(query):
        covered.setdefault(code, []).append(name)
    return covered
