"""Changes to the organisation: countries, departments, people, missions, bodies and seats."""

from collections.abc import Iterable

from sqlmodel import Session, select

from coordination.classification import Clearance
from coordination.structure.enums import BodyKind, MembershipRole
from coordination.structure.models import (
    Body,
    BodyCountry,
    BodyMission,
    Country,
    Department,
    Directorate,
    Membership,
    Mission,
    MissionAccreditation,
    OrganisationRevision,
    Person,
)
from coordination.structure.queries import (
    get_body,
    get_country,
    get_department,
    get_directorate,
    get_mission,
    get_person_by_email,
)
from coordination.types import utcnow


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


# --- countries --------------------------------------------------------------------------------------


def upsert_country(*, session: Session, code: str, name: str, region: str | None, is_partner: bool) -> bool:
    code = code.upper()
    country = session.get(Country, code)
    if country is None:
        session.add(Country(code=code, name=name, region=region, is_partner=is_partner))
        return True
    return _apply(country, {"name": name, "region": region, "is_partner": is_partner})


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


# --- people -----------------------------------------------------------------------------------------


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


# --- bodies -----------------------------------------------------------------------------------------


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
    if changed:
        session.flush()
        session.expire(body, ["countries", "missions"])
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
        session.flush()
        session.expire(body, ["memberships"])
        session.expire(person, ["memberships"])
        return True
    return _apply(membership, {"role": role, "reason": reason})


def unseat(*, session: Session, body: Body, person_id: int) -> bool:
    """Take a person's seat in a body away; returns whether they sat there."""
    membership = session.exec(
        select(Membership).where(Membership.body_id == body.id, Membership.person_id == person_id)
    ).first()
    if membership is None:
        return False
    session.delete(membership)
    session.flush()
    session.expire(body, ["memberships"])
    return True


BODY_LIFECYCLE_FIELDS = {
    "status",
    "chairs_decided_by_id",
    "chairs_decided_at",
    "closing_report",
    "stood_down_at",
    "description",
    "goals",
}


def update_body(*, session: Session, body: Body, **values) -> bool:
    """Change a body's lifecycle fields (status, who decided on its chairs, its closing report, its public
    description); returns whether anything changed."""
    unknown = set(values) - BODY_LIFECYCLE_FIELDS
    if unknown:
        raise StructureError(f"not a lifecycle field of a body: {', '.join(sorted(unknown))}")
    changed = _apply(body, values)
    session.add(body)
    return changed
