"""Business rules and queries for the organisation."""

from collections.abc import Iterable

from sqlalchemy import exists
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coordination.rules import Forbidden
from coordination.structure.models import (
    Body,
    BodyCountry,
    BodyKind,
    BodyMission,
    BodyStatus,
    Clearance,
    Country,
    Department,
    Directorate,
    Membership,
    MembershipRole,
    Mission,
    MissionAccreditation,
    OrganisationRevision,
    Person,
    utcnow,
)


class StructureError(ValueError):
    """A change to the organisation that the rules refuse; the message says why."""


def _apply(obj, values: dict) -> bool:
    """Set attributes that differ; return whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def bump_revision(*, session: Session) -> int:
    """Mark the organisation as changed so that cached graphs are rebuilt."""
    row = session.get(OrganisationRevision, 1)
    if row is None:
        row = OrganisationRevision(id=1, revision=0)
    row.revision += 1
    row.changed_at = utcnow()
    session.add(row)
    return row.revision


def current_revision(*, session: Session) -> int:
    row = session.get(OrganisationRevision, 1)
    return row.revision if row else 0


# --- countries --------------------------------------------------------------------------------------


def upsert_country(*, session: Session, code: str, name: str, region: str | None, is_partner: bool) -> bool:
    code = code.upper()
    country = session.get(Country, code)
    if country is None:
        session.add(Country(code=code, name=name, region=region, is_partner=is_partner))
        return True
    return _apply(country, {"name": name, "region": region, "is_partner": is_partner})


def list_countries(*, session: Session, region: str | None = None) -> list[Country]:
    query = select(Country).order_by(Country.name)
    if region:
        query = query.where(Country.region == region)
    return list(session.exec(query))


def get_country(*, session: Session, code: str) -> Country | None:
    return session.get(Country, code.upper())


# --- departments ------------------------------------------------------------------------------------


def upsert_department(*, session: Session, code: str, directorates: Iterable[dict] = (), **values) -> bool:
    """Create or update a department and its directorates, keyed by code."""
    department = get_department(session=session, code=code)
    changed = False
    if department is None:
        department = Department(code=code, **values)
        session.add(department)
        session.flush()
        changed = True
    else:
        changed = _apply(department, values)
    known = {d.code: d for d in department.directorates}
    for item in directorates:
        item = dict(item)
        directorate = known.get(item["code"])
        if directorate is None:
            session.add(Directorate(department_id=department.id, **item))
            changed = True
        else:
            changed |= _apply(directorate, item)
    return changed


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


# --- people -----------------------------------------------------------------------------------------


def _person_options():
    return (
        selectinload(Person.department),
        selectinload(Person.directorate),
        selectinload(Person.memberships).selectinload(Membership.body),
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


def upsert_person(
    *,
    session: Session,
    email: str,
    name: str,
    department_code: str,
    directorate_code: str | None = None,
    function: str = "",
    clearance: str = Clearance.unclassified,
    languages: Iterable[str] = (),
    password_hash: str | None = None,
    is_demo: bool = False,
    is_admin: bool | None = None,
) -> tuple[Person, bool]:
    """Create or update a person keyed by e-mail; an existing password is never overwritten."""
    email = email.strip().lower()
    department = get_department(session=session, code=department_code)
    if department is None:
        raise StructureError(f"unknown department {department_code!r}")
    directorate_id = None
    if directorate_code:
        directorate = get_directorate(session=session, department_code=department_code, code=directorate_code)
        if directorate is None:
            raise StructureError(f"unknown directorate {directorate_code!r} in {department_code}")
        directorate_id = directorate.id
    try:
        clearance = Clearance(clearance)
    except ValueError as exc:
        raise StructureError(f"unknown clearance {clearance!r}") from exc
    values = {
        "name": name,
        "department_id": department.id,
        "directorate_id": directorate_id,
        "function": function,
        "clearance": clearance,
        "languages": list(languages),
        "is_demo": is_demo,
    }
    if is_admin is not None:
        values["is_admin"] = is_admin
    person = get_person_by_email(session=session, email=email)
    if person is None:
        person = Person(email=email, password_hash=password_hash, **values)
        session.add(person)
        session.flush()
        return person, True
    return person, _apply(person, values)


# --- missions ---------------------------------------------------------------------------------------


def _mission_options():
    return (
        selectinload(Mission.host_country),
        selectinload(Mission.accredited_countries),
    )


def upsert_mission(
    *,
    session: Session,
    code: str,
    accredited: Iterable[str] = (),
    **values,
) -> tuple[Mission, bool]:
    """Create or update a mission keyed by code, with the countries it is accredited to."""
    values["host_country_code"] = values["host_country_code"].upper()
    for country_code in [values["host_country_code"], *accredited]:
        if get_country(session=session, code=country_code) is None:
            raise StructureError(f"unknown country {country_code!r} for mission {code}")
    mission = get_mission(session=session, code=code)
    changed = False
    if mission is None:
        mission = Mission(code=code, **values)
        session.add(mission)
        session.flush()
        changed = True
    else:
        changed = _apply(mission, values)
    wanted = {c.upper() for c in accredited} - {mission.host_country_code}
    present = {c.code for c in mission.accredited_countries}
    for country_code in wanted - present:
        session.add(MissionAccreditation(mission_id=mission.id, country_code=country_code))
        changed = True
    return mission, changed


def list_missions(*, session: Session) -> list[Mission]:
    query = select(Mission).options(*_mission_options())
    missions = list(session.exec(query))
    return sorted(missions, key=lambda m: (m.kind != "embassy", m.kind, m.city))


def get_mission(*, session: Session, code: str) -> Mission | None:
    query = select(Mission).where(Mission.code == code.upper()).options(*_mission_options())
    return session.exec(query).first()


def platform_of(*, session: Session, mission: Mission) -> Body | None:
    """The consultation platform run by a mission."""
    query = select(Body).where(Body.mission_id == mission.id).options(*_body_options())
    return session.exec(query).first()


# --- bodies -----------------------------------------------------------------------------------------


def _body_options():
    return (
        selectinload(Body.memberships).selectinload(Membership.person).selectinload(Person.department),
        selectinload(Body.memberships).selectinload(Membership.person).selectinload(Person.directorate),
        selectinload(Body.countries),
        selectinload(Body.missions),
        selectinload(Body.mission),
    )


ROLE_ORDER = {role: index for index, role in enumerate(MembershipRole)}


def ordered_memberships(body: Body) -> list[Membership]:
    """Chair first, then co-chairs, secretary, members and observers, each by name."""
    return sorted(body.memberships, key=lambda m: (ROLE_ORDER[MembershipRole(m.role)], m.person.name))


def upsert_body(
    *,
    session: Session,
    slug: str,
    kind: BodyKind,
    name: str,
    mission_code: str | None = None,
    countries: Iterable[str] = (),
    mission_codes: Iterable[str] = (),
    **values,
) -> tuple[Body, bool]:
    """Create or update a body keyed by slug, with its scope (countries) and linked missions."""
    kind = BodyKind(kind)
    mission_id = None
    if mission_code:
        mission = get_mission(session=session, code=mission_code)
        if mission is None:
            raise StructureError(f"unknown mission {mission_code!r}")
        mission_id = mission.id
    if kind is BodyKind.consultation_platform and mission_id is None:
        raise StructureError("a consultation platform belongs to a mission")
    if kind is BodyKind.steering_group:
        other = session.exec(
            select(Body).where(Body.kind == BodyKind.steering_group, Body.slug != slug)
        ).first()
        if other is not None:
            raise StructureError("there is already a steering group")
    body = get_body(session=session, slug=slug)
    values = {"kind": kind, "name": name, "mission_id": mission_id, **values}
    changed = False
    if body is None:
        body = Body(slug=slug, **values)
        session.add(body)
        session.flush()
        changed = True
    else:
        changed = _apply(body, values)
    present_countries = {c.code for c in body.countries}
    for code in {c.upper() for c in countries} - present_countries:
        if get_country(session=session, code=code) is None:
            raise StructureError(f"unknown country {code!r} in scope of {slug}")
        session.add(BodyCountry(body_id=body.id, country_code=code))
        changed = True
    present_missions = {m.code for m in body.missions}
    for code in set(mission_codes) - present_missions:
        mission = get_mission(session=session, code=code)
        if mission is None:
            raise StructureError(f"unknown mission {code!r} linked to {slug}")
        session.add(BodyMission(body_id=body.id, mission_id=mission.id))
        changed = True
    return body, changed


def upsert_membership(
    *, session: Session, body: Body, person: Person, role: MembershipRole | str, reason: str = ""
) -> bool:
    """Seat a person in a body with a role (a person sits once per body, in many bodies)."""
    role = MembershipRole(role)
    membership = session.exec(
        select(Membership).where(Membership.body_id == body.id, Membership.person_id == person.id)
    ).first()
    if membership is None:
        session.add(Membership(body_id=body.id, person_id=person.id, role=role, reason=reason))
        return True
    return _apply(membership, {"role": role, "reason": reason})


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


def get_body(*, session: Session, slug: str) -> Body | None:
    query = select(Body).where(Body.slug == slug).options(*_body_options())
    return session.exec(query).first()


def in_steering_group(person_id: int):
    """SQL condition: the person sits in the steering group (for need-to-know queries)."""
    return exists().where(
        Membership.person_id == person_id,
        Membership.body_id.in_(select(Body.id).where(Body.kind == BodyKind.steering_group)),
    )


def get_steering_group(*, session: Session) -> Body | None:
    query = select(Body).where(Body.kind == BodyKind.steering_group).options(*_body_options())
    return session.exec(query).first()


def role_in(*, session: Session, person_id: int, body_id: int) -> MembershipRole | None:
    """The role a person holds in a body (a person sits once per body), or None."""
    role = session.exec(
        select(Membership.role).where(Membership.body_id == body_id, Membership.person_id == person_id)
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
