"""Changes to the organisation: countries, departments, people, missions, bodies and seats.

The `upsert_*` functions load seed data and set-up flows (no person acts, nothing is committed); the
commands after them are what people do in the app: each checks who may do it, writes the audit log with
who and why, and commits.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import insert, update
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from coordination import db
from coordination.audit import service as audit
from coordination.classification import Clearance
from coordination.countries import find_country, unknown_countries, unknown_country
from coordination.places import queries as places
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure.authority import seating_refusal
from coordination.structure.enums import BodyKind, BodyStatus, MembershipRole, MissionKind
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
    get_steering_group,
    known_countries,
    role_in,
    seated_person_ids,
)
from coordination.types import utcnow


class StructureError(RuleViolation):
    """A change to the organisation that the rules refuse; the message says why (and `field` where)."""


class SeatConflict(Conflict, StructureError):
    """Someone else ended or changed the seat first."""


def _apply(obj, values: dict) -> bool:
    """Set attributes that differ; return whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def bump_revision(*, session: Session) -> int:
    """Mark the organisation as changed so that cached graphs are rebuilt. The row stays locked until the
    commit: two changes at once must not both write the same next revision."""
    row = session.get(OrganisationRevision, 1, with_for_update=True, populate_existing=True)
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
    is_security_officer: bool | None = None,
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
    if is_security_officer is not None:
        values["is_security_officer"] = is_security_officer
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
        _locate(mission)
        session.add(mission)
        session.flush()
        changed = True
    else:
        place = (mission.host_country_code, mission.city)
        changed = _apply(mission, values)
        if place != (mission.host_country_code, mission.city):
            _locate(mission)
    wanted = {c.upper() for c in accredited} - {mission.host_country_code}
    present = {c.code for c in mission.accredited_countries}
    for country_code in wanted - present:
        session.add(MissionAccreditation(mission_id=mission.id, country_code=country_code))
        changed = True
    return mission, changed


# --- bodies -----------------------------------------------------------------------------------------


def _locate(mission: Mission) -> None:
    """Where the mission's city is, kept on the mission for the maps (see `Mission.longitude`)."""
    found = places.town(mission.host_country_code, mission.city)
    mission.longitude, mission.latitude = found if found else (None, None)


def platform_name(mission: Mission) -> str:
    """A consultation platform is named after its mission's city, and its organisation where two missions
    share a city (the permanent representations to the EU and to NATO are both in Brussels)."""
    name = f"Consultation platform {mission.city}"
    return f"{name} ({mission.organisation})" if mission.organisation else name


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
    name = (name or "").strip()
    namesake = session.exec(select(Body.slug).where(Body.name == name, Body.slug != slug)).first()
    if namesake is not None:
        raise StructureError(f"another body is already called {name!r}", "name")
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
    membership = current_seat(session=session, body_id=body.id, person_id=person.id)
    if membership is None:
        session.add(
            Membership(
                body_id=body.id, person_id=person.id, role=role, reason=reason, started_at=body.created_at
            )
        )
        session.flush()
        session.expire(body, ["memberships"])
        session.expire(person, ["memberships"])
        return True
    return _apply(membership, {"role": role, "reason": reason})


def _required_reason(reason: str | None, why: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise StructureError(f"say why {why}", "reason")
    if len(reason) > 300:
        raise StructureError("the reason is at most 300 characters", "reason")
    return reason


def current_seat(*, session: Session, body_id: int, person_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(
            Membership.body_id == body_id, Membership.person_id == person_id, Membership.ended_at.is_(None)
        )
    ).first()


def _sat_in(session: Session, body_id: int, person_id: int) -> bool:
    """Whether the person has ever had a seat in the body."""
    seats = select(Membership.id).where(Membership.body_id == body_id, Membership.person_id == person_id)
    return session.exec(seats.limit(1)).first() is not None


def lock_body(*, session: Session, body: Body) -> Body:
    """Hold the body's row until the commit and read it again (SELECT ... FOR UPDATE; on SQLite the
    write lock serialises writers already): a change that depends on the body's status or seats then sees
    them as the previous change left them."""
    session.exec(select(Body.id).where(Body.id == body.id).with_for_update())
    session.refresh(body)
    return body


def _lock_seats_of(session: Session, body: Body) -> None:
    """Seat changes in one body happen one after the other: whoever seats a person sees the seats as the
    previous change left them, never two current seats of one person."""
    session.exec(select(Body.id).where(Body.id == body.id).with_for_update())


def _expire_seats(session: Session, *objects) -> None:
    session.flush()
    for obj in objects:
        if obj is not None:
            session.expire(obj, ["memberships"])


def check_seat(
    *,
    body: Body,
    person: Person | None,
    role: MembershipRole | str,
    reason: str,
    now: datetime,
    started_at: datetime | None = None,
    ends_on: date | None = None,
) -> tuple[MembershipRole, str]:
    """The rules of a seat that do not depend on who acts (`person` None: someone a bulk import is about to
    add). Raises StructureError naming the field; returns the role and the cleaned reason."""
    try:
        role = MembershipRole(role)
    except ValueError as exc:
        raise StructureError(
            f"unknown role {role!r}: one of {', '.join(r.value for r in MembershipRole)}", "role"
        ) from exc
    if person is not None and not person.active:
        raise StructureError(f"{person.name} is deactivated: reactivate them first", "person_id")
    if body.status == BodyStatus.stood_down:
        raise StructureError(f"{body.name} is stood down: nobody is seated in it any more", "body")
    if started_at is not None and started_at > now:
        raise StructureError(
            "a seat starts today or earlier: seat the person on the day they start", "starts_on"
        )
    if ends_on is not None and ends_on < now.date():
        raise StructureError("the planned end of a seat is today or later", "ends_on")
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise StructureError("the reason is at most 300 characters", "reason")
    return role, reason


def open_seat(
    *,
    session: Session,
    body: Body,
    person: Person,
    role: MembershipRole | str,
    reason: str,
    seated_by: Person | None,
    now: datetime,
    started_at: datetime | None = None,
    ends_on: date | None = None,
) -> tuple[Membership, str]:
    """Seat a person in a body, or change their role or planned end; no check of who acts, no commit.

    Returns the current seat and what happened: "seated", "role_changed", "updated" or "unchanged". A
    change of role ends the seat and opens another, so the history shows who held which role when."""
    role, reason = check_seat(
        body=body, person=person, role=role, reason=reason, now=now, started_at=started_at, ends_on=ends_on
    )
    started_at = started_at or now
    existing = current_seat(session=session, body_id=body.id, person_id=person.id)
    if existing is not None and existing.role == role:
        if _apply(existing, {"ends_on": ends_on, **({"reason": reason} if reason else {})}):
            session.add(existing)
            return existing, "updated"
        return existing, "unchanged"
    outcome = "seated"
    if existing is not None:
        close_seat(
            session=session,
            seat=existing,
            ended_by=seated_by,
            reason=f"role changed to {role.value}",
            now=now,
        )
        started_at = now
        outcome = "role_changed"
    seat = Membership(
        body_id=body.id,
        person_id=person.id,
        role=role,
        reason=reason,
        started_at=started_at,
        ends_on=ends_on,
        seated_by_id=seated_by.id if seated_by else None,
    )
    session.add(seat)
    _expire_seats(session, body, person)
    return seat, outcome


def close_seat(
    *, session: Session, seat: Membership, ended_by: Person | None, reason: str, now: datetime
) -> Membership:
    """End a seat from now on: the row stays (history), deliveries to the body stop reaching the person,
    and what reached them before stays theirs. No check of who acts, no commit."""
    seat.ended_at = now
    seat.ended_by_id = ended_by.id if ended_by else None
    seat.end_reason = (reason or "").strip()[:300]
    session.add(seat)
    session.flush()
    for cls, key in ((Body, seat.body_id), (Person, seat.person_id)):
        cached = session.identity_map.get(identity_key(cls, key))
        if cached is not None:
            session.expire(cached, ["memberships"])
    return seat


def unseat(
    *,
    session: Session,
    body: Body,
    person_id: int,
    ended_by: Person | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """End a person's current seat in a body; returns whether they sat there."""
    seat = current_seat(session=session, body_id=body.id, person_id=person_id)
    if seat is None:
        return False
    close_seat(session=session, seat=seat, ended_by=ended_by, reason=reason, now=now or utcnow())
    return True


# --- seats: what people do ---------------------------------------------------------------------------


def _roles_of(
    session: Session, person: Person, body: Body
) -> tuple[MembershipRole | None, MembershipRole | None]:
    """The acting person's role in the body and in the steering group."""
    steering_group = session.exec(select(Body).where(Body.kind == BodyKind.steering_group)).first()
    role = role_in(session=session, person_id=person.id, body_id=body.id)
    steering_role = (
        role_in(session=session, person_id=person.id, body_id=steering_group.id) if steering_group else None
    )
    return role, steering_role


def require_seating_authority(
    *, session: Session, actor: Person, body: Body, role: MembershipRole | str
) -> None:
    """Forbidden, naming the rule, unless the actor may seat (or unseat) someone in this role here."""
    role = MembershipRole(role)
    actor_role, steering_role = _roles_of(session, actor, body)
    has_chair = bool(seated_person_ids(session=session, body_id=body.id, roles=[MembershipRole.chair]))
    refusal = seating_refusal(
        body_kind=BodyKind(body.kind),
        role=role,
        actor_role=actor_role,
        actor_steering_role=steering_role,
        body_has_chair=has_chair,
    )
    if refusal:
        raise Forbidden(refusal)


def seat_person(
    *,
    session: Session,
    actor: Person,
    body: Body,
    person: Person,
    role: MembershipRole | str,
    reason: str,
    now: datetime,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> tuple[Membership, str]:
    """Someone the rules allow seats a person in a body (or changes their role or planned end), audited."""
    try:
        role = MembershipRole(role)
    except ValueError as exc:
        raise StructureError(f"unknown role {role!r}", "role") from exc
    _lock_seats_of(session, body)
    require_seating_authority(session=session, actor=actor, body=body, role=role)
    existing = current_seat(session=session, body_id=body.id, person_id=person.id)
    if existing is not None and existing.role != role:
        # changing a role also takes the old one away: the actor must be allowed to do both
        require_seating_authority(session=session, actor=actor, body=body, role=existing.role)
    reason = _required_reason(reason, "the person takes this seat")
    started_at = None
    if starts_on is not None:
        started_at = (
            now if starts_on == now.date() else datetime.combine(starts_on, datetime.min.time(), now.tzinfo)
        )
    seat, outcome = open_seat(
        session=session,
        body=body,
        person=person,
        role=role,
        reason=reason,
        seated_by=actor,
        now=now,
        started_at=started_at,
        ends_on=ends_on,
    )
    if outcome != "unchanged":
        bump_revision(session=session)
        audit.record(
            session,
            actor_id=actor.id,
            action=f"seat.{outcome}",
            object_type="body",
            object_id=body.slug,
            person=person.id,
            role=role.value,
            reason=seat.reason,
            ends_on=ends_on.isoformat() if ends_on else None,
        )
    session.commit()
    return seat, outcome


def end_seat(
    *, session: Session, actor: Person, body: Body, person_id: int, reason: str, now: datetime
) -> Membership:
    """Someone the rules allow ends a person's seat, with the reason; audited. Nothing is deleted."""
    seat = current_seat(session=session, body_id=body.id, person_id=person_id)
    if seat is not None:
        # it may be ending or changing right now: wait for that, then read it again
        locked = select(Membership).where(Membership.id == seat.id).with_for_update(of=Membership)
        seat = session.exec(locked.execution_options(populate_existing=True)).one()
    if seat is None or seat.ended_at is not None:
        if seat is not None or _sat_in(session, body.id, person_id):
            raise SeatConflict(gettext("This seat has already ended."), "person_id")
        raise StructureError("this person has no seat in this body", "person_id")
    require_seating_authority(session=session, actor=actor, body=body, role=seat.role)
    reason = _required_reason(reason, "the seat ends")
    close_seat(session=session, seat=seat, ended_by=actor, reason=reason, now=now)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="seat.ended",
        object_type="body",
        object_id=body.slug,
        person=person_id,
        role=str(seat.role),
        reason=seat.end_reason,
    )
    session.commit()
    return seat


def end_seats_due(*, session: Session, now: datetime) -> int:
    """End the seats whose planned end date has passed (the scheduler runs this daily)."""
    due = session.exec(
        select(Membership).where(Membership.ended_at.is_(None), Membership.ends_on < now.date())
    ).all()
    for seat in due:
        close_seat(session=session, seat=seat, ended_by=None, reason="planned end of the seat", now=now)
        audit.record(
            session,
            actor_id=None,
            action="seat.ended",
            object_type="body",
            object_id=seat.body_id,
            person=seat.person_id,
            role=str(seat.role),
            reason="planned end of the seat",
        )
    if due:
        bump_revision(session=session)
    session.commit()
    return len(due)


BODY_LIFECYCLE_FIELDS = {
    "status",
    "chairs_override_reason",
    "chairs_decided_by_id",
    "chairs_decided_at",
    "closing_report",
    "stood_down_at",
    "description",
    "goals",
}


def set_country_override(*, session: Session, body: Body, country: str, reason: str) -> None:
    """Record why the steering group lets this task force cover a country another task force covers."""
    row = session.get(BodyCountry, (body.id, country))
    if row is None:
        raise StructureError(f"{country} is not in the scope of {body.name}", "countries")
    row.override_reason = reason.strip()[:300]
    session.add(row)


def update_body(*, session: Session, body: Body, **values) -> bool:
    """Change a body's lifecycle fields (status, who decided on its chairs, its closing report, its public
    description); returns whether anything changed."""
    unknown = set(values) - BODY_LIFECYCLE_FIELDS
    if unknown:
        raise StructureError(f"not a lifecycle field of a body: {', '.join(sorted(unknown))}")
    changed = _apply(body, values)
    session.add(body)
    return changed


# --- people: what people do --------------------------------------------------------------------------

PERSON_FIELDS = (
    "name",
    "function",
    "department_code",
    "directorate_code",
    "mission_code",
    "languages",
    "skills",
)
SELF_EDITABLE = frozenset({"function", "languages", "skills"})


def _require_admin(actor: Person, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"only an administrator of the structure {what}")


def _clean_list(values: Iterable[str] | str | None, field: str, *, lower: bool = True) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace(";", ",").split(",")
    cleaned = []
    for value in values:
        if not isinstance(value, str):
            raise StructureError("a list of words is expected", field)
        value = value.strip()
        if not value:
            continue
        if len(value) > 60:
            raise StructureError(f"{value[:20]}…: at most 60 characters each", field)
        cleaned.append(value.lower() if lower else value)
    if len(cleaned) > 30:
        raise StructureError("at most 30 entries", field)
    return sorted(set(cleaned))


def person_values(*, session: Session, values: dict, partial: bool = False) -> dict:
    """Check a person's fields (as typed in a form, an API call or a CSV row) and turn codes into ids.

    Raises StructureError naming the field; returns the columns to set. With `partial`, only the given
    fields are checked."""
    result: dict = {}
    if "name" in values or not partial:
        name = (values.get("name") or "").strip()
        if not 2 <= len(name) <= 200:
            raise StructureError("a name of 2 to 200 characters", "name")
        result["name"] = name
    if "function" in values:
        function = (values.get("function") or "").strip()
        if len(function) > 200:
            raise StructureError("a function of at most 200 characters", "function")
        result["function"] = function
    department = None
    if "department_code" in values or not partial:
        code = (values.get("department_code") or "").strip().upper()
        department = get_department(session=session, code=code) if code else None
        if department is None:
            raise StructureError(
                f"unknown department {code!r}" if code else "a department is required", "department_code"
            )
        result["department_id"] = department.id
    if "directorate_code" in values:
        code = (values.get("directorate_code") or "").strip().upper()
        if code:
            department_code = department.code if department else values.get("_department_code")
            directorate = get_directorate(session=session, department_code=department_code or "", code=code)
            if directorate is None:
                raise StructureError(f"no directorate {code!r} in {department_code}", "directorate_code")
            result["directorate_id"] = directorate.id
        else:
            result["directorate_id"] = None
    if "mission_code" in values:
        code = (values.get("mission_code") or "").strip().upper()
        if code:
            mission = get_mission(session=session, code=code)
            if mission is None:
                raise StructureError(f"unknown mission {code!r}", "mission_code")
            if mission.closed_at is not None:
                raise StructureError(f"{mission.name} is closed", "mission_code")
            result["mission_id"] = mission.id
        else:
            result["mission_id"] = None
    if "languages" in values:
        result["languages"] = _clean_list(values.get("languages"), "languages")
    if "skills" in values:
        result["skills"] = _clean_list(values.get("skills"), "skills")
    return result


def check_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise StructureError("a valid e-mail address", "email")
    return email


def create_person(*, session: Session, actor: Person, email: str, now: datetime, **values) -> Person:
    """An administrator adds a person (unclassified until a security officer grants a clearance)."""
    _require_admin(actor, "adds people")
    person = add_person(session=session, actor=actor, email=email, values=values, now=now)
    session.commit()
    return person


def add_person(*, session: Session, actor: Person | None, email: str, values: dict, now: datetime) -> Person:
    """Check and add a person, audited; no check of who acts, no commit (bulk imports share it)."""
    email = check_email(email)
    if get_person_by_email(session=session, email=email) is not None:
        raise StructureError(f"{email} already exists", "email")
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise StructureError(f"not a field of a person: {', '.join(sorted(unknown))}", sorted(unknown)[0])
    columns = person_values(session=session, values=values)
    return add_checked_people(session=session, actor=actor, people={email: columns}, now=now)[email]


def add_checked_people(
    *, session: Session, actor: Person | None, people: dict[str, dict], now: datetime
) -> dict[str, Person]:
    """Add people whose e-mail (`check_email`, not yet taken) and columns (`person_values`) are checked, in
    one flush, each audited; no check of who acts, no commit. A bulk import checks every row first."""
    added = {email: Person(email=email, created_at=now, **columns) for email, columns in people.items()}
    if not added:
        return added
    session.add_all(added.values())
    session.flush()
    bump_revision(session=session)
    for email, person in added.items():
        audit.record(
            session,
            actor_id=actor.id if actor else None,
            action="person.create",
            object_type="person",
            object_id=person.id,
            email=email,
            department=person.department_id,
        )
    return added


def update_person(*, session: Session, actor: Person, person: Person, values: dict) -> dict:
    """An administrator edits a person; people edit their own function, languages and skills. Returns the
    fields that changed (old and new), which the audit log keeps."""
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise StructureError(f"not a field of a person: {', '.join(sorted(unknown))}", sorted(unknown)[0])
    if not actor.is_admin and not (actor.id == person.id and set(values) <= SELF_EDITABLE):
        raise Forbidden(
            "only an administrator of the structure edits a person; you may edit your own function, "
            "languages and skills"
        )
    if "directorate_code" in values and "department_code" not in values:
        values = {**values, "_department_code": person.department.code}
    columns = person_values(session=session, values=values, partial=True)
    changes = {
        key: [_plain(getattr(person, key)), _plain(value)]
        for key, value in columns.items()
        if getattr(person, key) != value
    }
    if "department_id" in columns and "directorate_id" not in columns and person.directorate_id:
        # a directorate belongs to a department: moving department leaves the old directorate
        changes["directorate_id"] = [person.directorate_id, None]
        columns["directorate_id"] = None
    if changes:
        _apply(person, columns)
        session.add(person)
        bump_revision(session=session)
        audit.record(
            session,
            actor_id=actor.id,
            action="person.update",
            object_type="person",
            object_id=person.id,
            changes=changes,
        )
    session.commit()
    return changes


def _plain(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def change_clearance(
    *, session: Session, actor: Person, person: Person, clearance: str, reason: str, now: datetime
) -> bool:
    """A security officer changes a person's clearance, with the reason; it applies to the next page they
    open. Nobody changes their own clearance."""
    if not actor.is_security_officer:
        raise Forbidden("only a security officer changes a clearance")
    if actor.id == person.id:
        raise Forbidden("a security officer does not change their own clearance")
    try:
        clearance = Clearance(clearance)
    except ValueError as exc:
        raise StructureError(f"unknown clearance {clearance!r}", "clearance") from exc
    reason = _required_reason(reason, "the clearance changes (e.g. the security investigation)")
    if person.clearance == clearance:
        return False
    before = str(person.clearance)
    person.clearance = clearance
    session.add(person)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="person.clearance",
        object_type="person",
        object_id=person.id,
        before=before,
        after=clearance.value,
        reason=reason,
    )
    session.commit()
    return True


def set_person_roles(
    *,
    session: Session,
    actor: Person,
    person: Person,
    is_admin: bool | None = None,
    is_security_officer: bool | None = None,
) -> bool:
    """An administrator names administrators and security officers; nobody grants a role to themselves."""
    _require_admin(actor, "names administrators and security officers")
    if actor.id == person.id:
        raise Forbidden("nobody changes their own roles")
    values = {
        key: value
        for key, value in (("is_admin", is_admin), ("is_security_officer", is_security_officer))
        if value is not None
    }
    before = {key: getattr(person, key) for key in values}
    if not _apply(person, values):
        return False
    session.add(person)
    audit.record(
        session,
        actor_id=actor.id,
        action="person.roles",
        object_type="person",
        object_id=person.id,
        before=before,
        after=values,
    )
    session.commit()
    return True


def deactivate_person(*, session: Session, actor: Person, person: Person, reason: str, now: datetime) -> int:
    """An administrator deactivates a person: they cannot sign in, their open sessions and API tokens stop
    working at once, and their seats end (the history stays). Returns the number of seats ended."""
    from coordination.auth import service as auth  # auth reads the organisation; imported when needed

    _require_admin(actor, "deactivates people")
    if actor.id == person.id:
        raise Forbidden("nobody deactivates themselves")
    reason = _required_reason(reason, "the person is deactivated")
    if not person.active:
        raise StructureError(f"{person.name} is already deactivated", "person_id")
    person.active = False
    person.deactivated_at = now
    session.add(person)
    seats = session.exec(
        select(Membership).where(Membership.person_id == person.id, Membership.ended_at.is_(None))
    ).all()
    for seat in seats:
        close_seat(session=session, seat=seat, ended_by=actor, reason=f"deactivated: {reason}", now=now)
    tokens = auth.revoke_tokens(session=session, person_id=person.id)
    auth.end_sessions(session=session, person_id=person.id)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="person.deactivate",
        object_type="person",
        object_id=person.id,
        reason=reason[:300],
        seats_ended=len(seats),
        tokens_revoked=tokens,
    )
    session.commit()
    return len(seats)


def reactivate_person(*, session: Session, actor: Person, person: Person, reason: str, now: datetime) -> None:
    """An administrator reactivates a person; seats are not given back (seat them again where needed)."""
    _require_admin(actor, "reactivates people")
    if person.active:
        raise StructureError(f"{person.name} is active", "person_id")
    person.active = True
    person.deactivated_at = None
    session.add(person)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="person.reactivate",
        object_type="person",
        object_id=person.id,
        reason=(reason or "").strip()[:300],
    )
    session.commit()


# --- missions and departments: what people do ---------------------------------------------------------

MISSION_CODE = re.compile(r"[A-Z][A-Z0-9-]{1,29}")
STEERING_SEATERS = frozenset({MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary})


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not 2 <= len(value) <= limit:
        raise StructureError(f"a {field} of 2 to {limit} characters", field)
    return value


def _mission_countries(
    session: Session, host_country_code: str | None, accredited: Iterable[str]
) -> tuple[str, list[str]]:
    """The host country and the other countries a mission is accredited to, checked (codes upper-cased)."""
    typed = (host_country_code or "").strip()
    if not typed:
        raise StructureError(gettext("Choose the host country."), "host_country_code")
    host = find_country(typed) or typed.upper()
    if get_country(session=session, code=host) is None:
        raise StructureError(unknown_country(typed), "host_country_code")
    if isinstance(accredited, str):
        accredited = accredited.replace(";", ",").split(",")
    typed_codes = {
        code.strip(): find_country(code) or code.strip().upper()
        for code in accredited
        if code and code.strip()
    }
    codes = set(typed_codes.values()) - {host}
    unknown = sorted(codes - known_countries(session=session, codes=codes))
    if unknown:
        raise StructureError(
            unknown_countries(t for t, code in typed_codes.items() if code in unknown), "accredited"
        )
    return host, sorted(codes)


def _platform(session: Session, mission: Mission) -> Body | None:
    return session.exec(select(Body).where(Body.mission_id == mission.id)).first()


def open_mission(
    *,
    session: Session,
    actor: Person,
    code: str,
    kind: MissionKind | str,
    name: str,
    city: str,
    host_country_code: str,
    accredited: Iterable[str] = (),
    organisation: str | None = None,
    now: datetime,
) -> Mission:
    """An administrator opens a mission, with the consultation platform it runs (nobody seated yet)."""
    _require_admin(actor, "opens missions")
    code = (code or "").strip().upper()
    if not MISSION_CODE.fullmatch(code):
        raise StructureError("a code of 2 to 30 capital letters, digits or hyphens, e.g. KINSHASA", "code")
    if get_mission(session=session, code=code) is not None:
        raise StructureError(f"there is already a mission {code}", "code")
    slug = f"platform-{code.lower()}"
    if get_body(session=session, slug=slug) is not None:
        raise StructureError(f"there is already a body {slug}", "code")
    try:
        kind = MissionKind(kind)
    except ValueError as exc:
        raise StructureError(f"unknown kind of mission {kind!r}", "kind") from exc
    name, city = _text(name, "name", 200), _text(city, "city", 100)
    organisation = (organisation or "").strip() or None
    if organisation is not None and len(organisation) > 20:
        raise StructureError("an organisation of at most 20 characters, e.g. NATO", "organisation")
    host, others = _mission_countries(session, host_country_code, accredited)
    mission = Mission(
        code=code,
        kind=kind,
        name=name,
        city=city,
        host_country_code=host,
        organisation=organisation,
        opened_at=now,
    )
    _locate(mission)
    session.add(mission)
    session.flush()
    session.add_all(MissionAccreditation(mission_id=mission.id, country_code=c) for c in others)
    try:
        platform, _ = upsert_body(
            session=session,
            slug=slug,
            kind=BodyKind.consultation_platform,
            name=platform_name(mission),
            mission_code=code,
            created_at=now,
        )
    except StructureError as error:
        raise StructureError(
            f"{error} (another mission in {city}: give the organisation it is accredited to)", "organisation"
        ) from error
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="mission.open",
        object_type="mission",
        object_id=code,
        kind=kind.value,
        host_country=host,
        accredited=others,
        platform=platform.slug,
    )
    session.commit()
    return mission


def update_mission(
    *,
    session: Session,
    actor: Person,
    mission: Mission,
    name: str | None = None,
    city: str | None = None,
    host_country_code: str | None = None,
    accredited: Iterable[str] | None = None,
) -> dict:
    """An administrator corrects a mission; a new set of accredited countries replaces the old one. Returns
    the fields that changed (old and new), which the audit log keeps."""
    _require_admin(actor, "edits missions")
    values: dict = {}
    if name is not None:
        values["name"] = _text(name, "name", 200)
    if city is not None:
        values["city"] = _text(city, "city", 100)
    present = sorted(c.code for c in mission.accredited_countries)
    host, wanted = _mission_countries(
        session,
        host_country_code if host_country_code is not None else mission.host_country_code,
        accredited if accredited is not None else present,
    )
    values["host_country_code"] = host
    changes = {
        key: [getattr(mission, key), value] for key, value in values.items() if getattr(mission, key) != value
    }
    if wanted != present:
        changes["accredited"] = [present, wanted]
    if not changes:
        return {}
    platform = _platform(session, mission)
    new_name = platform_name(
        Mission(city=values.get("city", mission.city), organisation=mission.organisation)
    )
    if platform is not None and platform.name != new_name:
        namesake = session.exec(
            select(Body.slug).where(Body.name == new_name, Body.id != platform.id)
        ).first()
        if namesake is not None:
            raise StructureError(f"another body is already called {new_name!r}", "city")
    _apply(mission, values)
    if "city" in changes or "host_country_code" in changes:
        _locate(mission)
    session.add(mission)
    if "accredited" in changes:
        rows = session.exec(
            select(MissionAccreditation).where(MissionAccreditation.mission_id == mission.id)
        ).all()
        for row in rows:
            if row.country_code not in wanted:
                session.delete(row)
        session.add_all(
            MissionAccreditation(mission_id=mission.id, country_code=c) for c in set(wanted) - set(present)
        )
        session.flush()
        session.expire(mission, ["accredited_countries"])
    if platform is not None and platform.name != new_name:
        platform.name = new_name
        session.add(platform)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="mission.update",
        object_type="mission",
        object_id=mission.code,
        changes=changes,
    )
    session.commit()
    return changes


def close_mission(*, session: Session, actor: Person, mission: Mission, reason: str, now: datetime) -> int:
    """An administrator closes a mission: its consultation platform stands down and every seat in it ends
    (the history stays); nobody posts from it any more. Returns the number of seats ended."""
    _require_admin(actor, "closes missions")
    if mission.closed_at is not None:
        raise StructureError(f"{mission.name} is already closed", "code")
    reason = _required_reason(reason, "the mission closes")
    mission.closed_at = now
    session.add(mission)
    platform = _platform(session, mission)
    seats = []
    if platform is not None:
        seats = session.exec(
            select(Membership).where(Membership.body_id == platform.id, Membership.ended_at.is_(None))
        ).all()
        for seat in seats:
            close_seat(
                session=session, seat=seat, ended_by=actor, reason=f"mission closed: {reason}", now=now
            )
        platform.status = BodyStatus.stood_down
        platform.stood_down_at = now
        session.add(platform)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="mission.close",
        object_type="mission",
        object_id=mission.code,
        reason=reason,
        seats_ended=len(seats),
    )
    session.commit()
    return len(seats)


def reopen_mission(*, session: Session, actor: Person, mission: Mission, reason: str, now: datetime) -> None:
    """An administrator reopens a closed mission; its platform is active again, with nobody seated (seats
    are not given back: the platform's chair or the steering group seats people again)."""
    _require_admin(actor, "reopens missions")
    if mission.closed_at is None:
        raise StructureError(f"{mission.name} is open", "code")
    reason = _required_reason(reason, "the mission reopens")
    mission.closed_at = None
    session.add(mission)
    platform = _platform(session, mission)
    if platform is not None:
        platform.status = BodyStatus.active
        platform.stood_down_at = None
        session.add(platform)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="mission.reopen",
        object_type="mission",
        object_id=mission.code,
        reason=reason,
        at=now.isoformat(),
    )
    session.commit()


def set_participation(
    *,
    session: Session,
    actor: Person,
    department: Department,
    participating: bool,
    reason: str,
    now: datetime,
) -> int:
    """An administrator records that a regional or community government opts in or out. Opting out ends
    its people's seats in the steering group (the history stays); opting in seats nobody. Returns the
    number of seats ended."""
    _require_admin(actor, "records whether a government takes part")
    if not department.opt_in:
        raise StructureError(
            f"{department.name} is a federal department: it always takes part", "participating"
        )
    reason = _required_reason(reason, "the government opts in or out")
    if department.participating == participating:
        return 0
    department.participating = participating
    seats = []
    if not participating:
        steering_group = get_steering_group(session=session)
        if steering_group is not None:
            seats = session.exec(
                select(Membership)
                .join(Person, Person.id == Membership.person_id)
                .where(
                    Membership.body_id == steering_group.id,
                    Membership.ended_at.is_(None),
                    Person.department_id == department.id,
                )
            ).all()
        for seat in seats:
            close_seat(session=session, seat=seat, ended_by=actor, reason=f"opted out: {reason}", now=now)
        department.representative_id = None
    session.add(department)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="department.opt_in" if participating else "department.opt_out",
        object_type="department",
        object_id=department.code,
        reason=reason,
        seats_ended=len(seats),
    )
    session.commit()
    return len(seats)


def name_representative(
    *, session: Session, actor: Person, department: Department, person: Person, now: datetime
) -> str:
    """The steering group's chair, co-chair or secretary (or an administrator) names who answers the
    steering group's decisions for a department, seating them as a member where they do not sit yet.
    Returns "seated" or "unchanged" (their seat)."""
    steering_group = get_steering_group(session=session)
    if steering_group is None:
        raise StructureError("there is no steering group", "person_id")
    actor_role = role_in(session=session, person_id=actor.id, body_id=steering_group.id)
    if not actor.is_admin and actor_role not in STEERING_SEATERS:
        raise Forbidden(
            "only the steering group's chair, co-chair or secretary, or an administrator, names a "
            "department's representative"
        )
    if not person.active:
        raise StructureError(f"{person.name} is deactivated: reactivate them first", "person_id")
    if person.department_id != department.id:
        raise StructureError(f"{person.name} does not work in {department.name}", "person_id")
    if not department.participating:
        raise StructureError(f"{department.name} has opted out: record that it opts in first", "code")
    outcome = "unchanged"
    if current_seat(session=session, body_id=steering_group.id, person_id=person.id) is None:
        _seat, outcome = open_seat(
            session=session,
            body=steering_group,
            person=person,
            role=MembershipRole.member,
            reason=f"representative of {department.name}",
            seated_by=actor,
            now=now,
        )
    before = department.representative_id
    department.representative_id = person.id
    session.add(department)
    bump_revision(session=session)
    audit.record(
        session,
        actor_id=actor.id,
        action="department.representative",
        object_type="department",
        object_id=department.code,
        before=before,
        after=person.id,
        seat=outcome,
    )
    session.commit()
    return outcome


# --- a copy of the organisation, for an exercise's own database --------------------------------------

ORGANISATION = (
    Country,
    Department,
    Directorate,
    Mission,
    MissionAccreditation,
    Person,
    Body,
    BodyCountry,
    BodyMission,
    Membership,
    OrganisationRevision,
)


def copy_organisation(*, source: Session, target: Session) -> int:
    """Copy the organisation (countries, departments, missions, people, bodies and seats, with their ids)
    into an empty database of the same schema, in the target's transaction; returns the rows copied. A
    reference to a table not copied yet (a department's answerer, a directorate's head: the tables refer
    to each other) is filled in once every table is in; one to a table that is not copied at all (the
    decision that set a task force up) is left empty."""
    copied, done, deferred = 0, set(), []
    organisation = {model.__table__ for model in ORGANISATION}
    for model in ORGANISATION:
        table = model.__table__
        outside = {fk.parent.name for fk in table.foreign_keys if fk.column.table not in organisation}
        later = sorted(
            {
                fk.parent.name
                for fk in table.foreign_keys
                if (fk.column.table not in done or fk.column.table is table) and fk.parent.name not in outside
            }
        )
        rows = [{**row, **dict.fromkeys(outside)} for row in source.execute(select(table)).mappings()]
        if later:
            deferred.append((table, later, [row for row in rows if any(row[c] is not None for c in later)]))
            rows = [{**row, **dict.fromkeys(later)} for row in rows]
        if rows:
            target.execute(insert(table), rows)
            copied += len(rows)
        done.add(table)
    for table, later, rows in deferred:
        key = list(table.primary_key.columns)
        for row in rows:
            target.execute(
                update(table).where(*(c == row[c.name] for c in key)).values({c: row[c] for c in later})
            )
    db.continue_ids(target, [model.__table__ for model in ORGANISATION])
    return copied
