"""API endpoints for the organisation (departments, missions, bodies, people, countries) and their API
types. The organisation is not need-to-know information."""

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from flask import Response, current_app, g, request
from flask_openapi3 import Tag
from pydantic import BaseModel, EmailStr, Field
from sqlmodel import Session, SQLModel

from coordination.api import BEARER, SlugPath, api, json_response
from coordination.api.problems import Problem, problem
from coordination.auth import service as auth
from coordination.auth.throttle import SignInLimits
from coordination.classification import Clearance
from coordination.db import get_session
from coordination.structure import bulk, service
from coordination.structure import queries as structure
from coordination.structure.enums import (
    BodyKind,
    BodyStatus,
    DepartmentKind,
    GovernmentLevel,
    MembershipRole,
    MissionKind,
)
from coordination.structure.models import Body, Department, Mission, Person
from coordination.structure.queries import ordered_memberships
from coordination.types import MAX_ID, RequestBody, Title

STRUCTURE_TAG = Tag(name="structure", description="Departments, missions, bodies and people")


class CountryPublic(SQLModel):
    code: str
    name: str
    region: str | None
    is_partner: bool


class DirectoratePublic(SQLModel):
    code: str
    name: str


class DepartmentPublic(SQLModel):
    code: str
    name: str
    level: GovernmentLevel
    kind: DepartmentKind
    opt_in: bool
    participating: bool = Field(description="An opt-in government takes part only while it has opted in")
    representative: "PersonSummary | None" = Field(
        default=None, description="Who answers the steering group's decisions for the department"
    )
    directorates: list[DirectoratePublic] = []


class PersonSummary(SQLModel):
    id: int
    name: str
    email: EmailStr
    function: str
    department: str
    directorate: str | None
    active: bool = Field(description="A deactivated person cannot sign in and sits nowhere")


class PersonPublic(PersonSummary):
    clearance: Clearance
    languages: list[str]
    skills: list[str]
    mission: str | None = Field(description="Code of the mission the person is posted at")
    is_admin: bool
    is_security_officer: bool
    deactivated_at: datetime | None
    bodies: list["MembershipOfPerson"] = []


class MembershipOfPerson(SQLModel):
    body: str
    body_name: str
    role: MembershipRole


class MemberPublic(SQLModel):
    person: PersonSummary
    role: MembershipRole
    reason: str = ""


class BodySummary(SQLModel):
    slug: str
    kind: BodyKind
    name: str
    status: BodyStatus
    mission: str | None = None


class BodyPublic(BodySummary):
    description: str
    goals: str
    themes: list[str]
    countries: list[str]
    missions: list[str]
    members: list[MemberPublic]


class MissionSummary(SQLModel):
    code: str
    kind: MissionKind
    name: str
    city: str
    host_country: str
    organisation: str | None
    accredited_countries: list[str]
    opened_at: datetime
    closed_at: datetime | None = Field(description="A closed mission's platform is stood down")


class MissionPublic(MissionSummary):
    platform: BodyPublic | None


PersonPublic.model_rebuild()
DepartmentPublic.model_rebuild()


def department_public(d: Department, representative: Person | None = None) -> DepartmentPublic:
    return DepartmentPublic(
        code=d.code,
        name=d.name,
        level=d.level,
        kind=d.kind,
        opt_in=d.opt_in,
        participating=d.participating,
        representative=person_summary_public(representative) if representative else None,
        directorates=[
            DirectoratePublic(code=x.code, name=x.name) for x in sorted(d.directorates, key=lambda x: x.code)
        ],
    )


def person_summary_public(p: Person) -> PersonSummary:
    return PersonSummary(
        id=p.id,
        name=p.name,
        email=p.email,
        function=p.function,
        department=p.department.code,
        directorate=p.directorate.code if p.directorate else None,
        active=p.active,
    )


def person_public(p: Person) -> PersonPublic:
    return PersonPublic(
        **person_summary_public(p).model_dump(),
        clearance=p.clearance,
        languages=p.languages,
        skills=p.skills,
        mission=p.mission.code if p.mission else None,
        is_admin=p.is_admin,
        is_security_officer=p.is_security_officer,
        deactivated_at=p.deactivated_at,
        bodies=[
            MembershipOfPerson(body=m.body.slug, body_name=m.body.name, role=m.role)
            for m in sorted(p.memberships, key=lambda m: m.body.name)
        ],
    )


def body_summary_public(b: Body) -> BodySummary:
    return BodySummary(
        slug=b.slug, kind=b.kind, name=b.name, status=b.status, mission=b.mission.code if b.mission else None
    )


def body_public(b: Body) -> BodyPublic:
    return BodyPublic(
        **body_summary_public(b).model_dump(),
        description=b.description,
        goals=b.goals,
        themes=list(b.themes),
        countries=sorted(c.code for c in b.countries),
        missions=sorted(m.code for m in b.missions),
        members=[
            MemberPublic(person=person_summary_public(m.person), role=m.role, reason=m.reason)
            for m in ordered_memberships(b)
        ],
    )


def mission_summary_public(m: Mission) -> MissionSummary:
    return MissionSummary(
        code=m.code,
        kind=m.kind,
        name=m.name,
        city=m.city,
        host_country=m.host_country_code,
        organisation=m.organisation,
        accredited_countries=sorted(c.code for c in m.accredited_countries),
        opened_at=m.opened_at,
        closed_at=m.closed_at,
    )


def mission_public(m: Mission, platform: Body | None) -> MissionPublic:
    return MissionPublic(
        **mission_summary_public(m).model_dump(), platform=body_public(platform) if platform else None
    )


class CodePath(BaseModel):
    code: str = Field(max_length=30, description="Short code, e.g. FA or KINSHASA")


class PersonPath(BaseModel):
    person_id: int = Field(ge=1, le=MAX_ID)


class BodyQuery(BaseModel):
    kind: BodyKind | None = None


class DepartmentList(BaseModel):
    items: list[DepartmentPublic]


class MissionList(BaseModel):
    items: list[MissionSummary]


class BodyList(BaseModel):
    items: list[BodySummary]


class PersonList(BaseModel):
    items: list[PersonSummary]


class CountryList(BaseModel):
    items: list[CountryPublic]


@api.get("/departments", tags=[STRUCTURE_TAG], security=BEARER, responses={200: DepartmentList})
def list_departments():
    session = get_session()
    departments = structure.list_departments(session=session)
    representatives = structure.people_by_id(session=session, ids=[d.representative_id for d in departments])
    return json_response(
        DepartmentList(
            items=[department_public(d, representatives.get(d.representative_id)) for d in departments]
        )
    )


@api.get("/departments/<code>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: DepartmentPublic})
def get_department(path: CodePath):
    session = get_session()
    department = structure.get_department(session=session, code=path.code.upper())
    if department is None:
        return problem(404, f"No department with code {path.code}.")
    return json_response(_department_out(session, department))


@api.get("/missions", tags=[STRUCTURE_TAG], security=BEARER, responses={200: MissionList})
def list_missions():
    missions = structure.list_missions(session=get_session())
    return json_response(MissionList(items=[mission_summary_public(m) for m in missions]))


@api.get("/missions/<code>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: MissionPublic})
def get_mission(path: CodePath):
    session = get_session()
    mission = structure.get_mission(session=session, code=path.code)
    if mission is None:
        return problem(404, f"No mission with code {path.code}.")
    platform = structure.platform_of(session=session, mission=mission)
    return json_response(mission_public(mission, platform))


@api.get("/bodies", tags=[STRUCTURE_TAG], security=BEARER, responses={200: BodyList})
def list_bodies(query: BodyQuery):
    bodies = structure.list_bodies(session=get_session(), kind=query.kind)
    return json_response(BodyList(items=[body_summary_public(b) for b in bodies]))


@api.get("/bodies/<slug>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: BodyPublic})
def get_body(path: SlugPath):
    body = structure.get_body(session=get_session(), slug=path.slug)
    if body is None:
        return problem(404, f"No body {path.slug}.")
    return json_response(body_public(body))


@api.get("/people", tags=[STRUCTURE_TAG], security=BEARER, responses={200: PersonList})
def list_people():
    people = structure.list_people(session=get_session())
    return json_response(PersonList(items=[person_summary_public(p) for p in people]))


@api.get("/people/<int:person_id>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: PersonPublic})
def get_person(path: PersonPath):
    person = structure.get_person(session=get_session(), person_id=path.person_id)
    if person is None:
        return problem(404, f"No person {path.person_id}.")
    return json_response(person_public(person))


@api.get("/countries", tags=[STRUCTURE_TAG], security=BEARER, responses={200: CountryList})
def list_countries():
    countries = structure.list_countries(session=get_session())
    return json_response(
        CountryList(items=[CountryPublic.model_validate(c, from_attributes=True) for c in countries])
    )


# --- changing people, missions and departments ------------------------------------------------------
# Who may do what is the service's rule: an administrator adds, edits, (de)activates people and names roles;
# a security officer changes clearances; people edit their own function, languages and skills.

ERRORS = {403: Problem, 404: Problem, 422: Problem}
Word = Annotated[str, Field(min_length=1, max_length=60)]
CountryCode = Annotated[str, Field(min_length=2, max_length=3, description="ISO 3166-1 code, e.g. COD")]
Reason = Annotated[str, Field(min_length=1, max_length=300, description="Why; kept in the audit log")]


def _now() -> datetime:
    return datetime.now(UTC)


def _without_default(schema: dict) -> None:
    schema.pop("default", None)


def omittable(**limits):
    """A field that may be left out, and then does not change; it is never null."""
    return Field(default=None, json_schema_extra=_without_default, **limits)


class PersonIn(RequestBody):
    email: EmailStr = Field(max_length=254)
    name: Title = Field(min_length=2, max_length=200)
    function: str = Field(default="", max_length=200)
    department_code: str = Field(min_length=1, max_length=20, description="e.g. FA")
    directorate_code: str | None = Field(
        default=None, max_length=20, description="A directorate of that department, e.g. DGB"
    )
    mission_code: str | None = Field(
        default=None, max_length=30, description="An open mission, e.g. KINSHASA"
    )
    languages: list[Word] = Field(default=[], max_length=30, description="e.g. nl, fr, en")
    skills: list[Word] = Field(default=[], max_length=30)


class PersonUpdate(RequestBody):
    """Only the fields sent change; people may send their own function, languages and skills."""

    name: Title = omittable(min_length=2, max_length=200)
    function: str = omittable(max_length=200)
    department_code: str = omittable(min_length=1, max_length=20)
    directorate_code: str | None = Field(default=None, max_length=20, description="null: no directorate")
    mission_code: str | None = Field(default=None, max_length=30, description="null: posted at no mission")
    languages: list[Word] = omittable(max_length=30)
    skills: list[Word] = omittable(max_length=30)


class ClearanceIn(RequestBody):
    clearance: Clearance
    reason: Reason


class RolesIn(RequestBody):
    is_admin: bool | None = Field(default=None, description="Administrator of the structure")
    is_security_officer: bool | None = Field(default=None, description="May change clearances")


class ReasonIn(RequestBody):
    reason: Reason


class MissionIn(RequestBody):
    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9-]{1,29}$", description="e.g. KINSHASA or PR-NATO")
    kind: MissionKind
    name: Title = Field(min_length=2, max_length=200)
    city: str = Field(min_length=2, max_length=100)
    host_country_code: CountryCode
    accredited: list[CountryCode] = Field(default=[], max_length=60, description="Other countries covered")
    organisation: str | None = Field(
        default=None, max_length=20, description="For a permanent representation, e.g. NATO"
    )


class MissionUpdate(RequestBody):
    """Only the fields sent change; `accredited` replaces the whole set."""

    name: Title = omittable(min_length=2, max_length=200)
    city: str = omittable(min_length=2, max_length=100)
    host_country_code: CountryCode = omittable()
    accredited: list[CountryCode] = omittable(max_length=60)


class ParticipationIn(RequestBody):
    participating: bool = Field(description="An opt-in government opts in (true) or out (false)")
    reason: Reason


class RepresentativeIn(RequestBody):
    person_id: int = Field(
        ge=1, le=MAX_ID, description="A person of the department; seated in the steering group if not"
    )


def _person_or_404(session: Session, person_id: int):
    person = structure.get_person(session=session, person_id=person_id)
    return person, None if person else problem(404, f"No person {person_id}.")


def _person_out(session: Session, person_id: int):
    session.expire_all()
    return person_public(structure.get_person(session=session, person_id=person_id))


def _mission_out(session: Session, code: str) -> MissionPublic:
    session.expire_all()
    mission = structure.get_mission(session=session, code=code)
    return mission_public(mission, structure.platform_of(session=session, mission=mission))


def _department_out(session: Session, department: Department) -> DepartmentPublic:
    representative = (
        structure.get_person(session=session, person_id=department.representative_id)
        if department.representative_id
        else None
    )
    return department_public(department, representative)


@api.post(
    "/people",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={201: PersonPublic, **ERRORS},
    summary="An administrator adds a person (unclassified until a security officer grants a clearance)",
)
def create_person(body: PersonIn):
    session = get_session()
    person = service.create_person(session=session, actor=g.api_person, now=_now(), **body.model_dump())
    return json_response(_person_out(session, person.id), 201)


@api.patch(
    "/people/<int:person_id>",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: PersonPublic, **ERRORS},
    summary="An administrator edits a person; people edit their own function, languages and skills",
)
def update_person(path: PersonPath, body: PersonUpdate):
    session = get_session()
    person, missing = _person_or_404(session, path.person_id)
    if missing:
        return missing
    service.update_person(
        session=session, actor=g.api_person, person=person, values=body.model_dump(exclude_unset=True)
    )
    return json_response(_person_out(session, person.id))


@api.post(
    "/people/<int:person_id>/clearance",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: PersonPublic, **ERRORS},
    summary="A security officer changes someone else's clearance, with the reason; it applies at once",
)
def change_clearance(path: PersonPath, body: ClearanceIn):
    session = get_session()
    person, missing = _person_or_404(session, path.person_id)
    if missing:
        return missing
    service.change_clearance(
        session=session,
        actor=g.api_person,
        person=person,
        clearance=body.clearance,
        reason=body.reason,
        now=_now(),
    )
    return json_response(_person_out(session, person.id))


@api.post(
    "/people/<int:person_id>/roles",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: PersonPublic, **ERRORS},
    summary="An administrator names (or stops) administrators and security officers; not themselves",
)
def set_roles(path: PersonPath, body: RolesIn):
    session = get_session()
    person, missing = _person_or_404(session, path.person_id)
    if missing:
        return missing
    service.set_person_roles(session=session, actor=g.api_person, person=person, **body.model_dump())
    return json_response(_person_out(session, person.id))


@api.post(
    "/people/<int:person_id>/deactivate",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: PersonPublic, **ERRORS},
    summary="An administrator deactivates a person: sign-in, sessions and API tokens stop, seats end",
)
def deactivate_person(path: PersonPath, body: ReasonIn):
    session = get_session()
    person, missing = _person_or_404(session, path.person_id)
    if missing:
        return missing
    service.deactivate_person(
        session=session, actor=g.api_person, person=person, reason=body.reason, now=_now()
    )
    return json_response(_person_out(session, person.id))


@api.post(
    "/people/<int:person_id>/unlock",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: PersonPublic, **ERRORS},
    summary="An administrator lifts the lockout of a person's account after too many failed sign-ins",
)
def unlock_person(path: PersonPath):
    session = get_session()
    person, missing = _person_or_404(session, path.person_id)
    if missing:
        return missing
    auth.unlock(
        session=session,
        actor=g.api_person,
        person=person,
        now=_now(),
        limits=SignInLimits.from_config(current_app.config),
    )
    return json_response(_person_out(session, person.id))


@api.post(
    "/people/<int:person_id>/reactivate",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: PersonPublic, **ERRORS},
    summary="An administrator reactivates a person; seats are not given back",
)
def reactivate_person(path: PersonPath, body: ReasonIn):
    session = get_session()
    person, missing = _person_or_404(session, path.person_id)
    if missing:
        return missing
    service.reactivate_person(
        session=session, actor=g.api_person, person=person, reason=body.reason, now=_now()
    )
    return json_response(_person_out(session, person.id))


@api.post(
    "/missions",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={201: MissionPublic, **ERRORS},
    summary="An administrator opens a mission, with its consultation platform",
)
def open_mission(body: MissionIn):
    session = get_session()
    mission = service.open_mission(session=session, actor=g.api_person, now=_now(), **body.model_dump())
    return json_response(_mission_out(session, mission.code), 201)


@api.patch(
    "/missions/<code>",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: MissionPublic, **ERRORS},
    summary="An administrator corrects a mission; `accredited` replaces the set of countries",
)
def update_mission(path: CodePath, body: MissionUpdate):
    session = get_session()
    mission = structure.get_mission(session=session, code=path.code)
    if mission is None:
        return problem(404, f"No mission with code {path.code}.")
    service.update_mission(
        session=session, actor=g.api_person, mission=mission, **body.model_dump(exclude_unset=True)
    )
    return json_response(_mission_out(session, mission.code))


@api.post(
    "/missions/<code>/close",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: MissionPublic, **ERRORS},
    summary="An administrator closes a mission: its platform stands down and every seat in it ends",
)
def close_mission(path: CodePath, body: ReasonIn):
    session = get_session()
    mission = structure.get_mission(session=session, code=path.code)
    if mission is None:
        return problem(404, f"No mission with code {path.code}.")
    service.close_mission(
        session=session, actor=g.api_person, mission=mission, reason=body.reason, now=_now()
    )
    return json_response(_mission_out(session, mission.code))


@api.post(
    "/missions/<code>/reopen",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: MissionPublic, **ERRORS},
    summary="An administrator reopens a mission; its platform is active again, with nobody seated",
)
def reopen_mission(path: CodePath, body: ReasonIn):
    session = get_session()
    mission = structure.get_mission(session=session, code=path.code)
    if mission is None:
        return problem(404, f"No mission with code {path.code}.")
    service.reopen_mission(
        session=session, actor=g.api_person, mission=mission, reason=body.reason, now=_now()
    )
    return json_response(_mission_out(session, mission.code))


@api.patch(
    "/departments/<code>",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: DepartmentPublic, **ERRORS},
    summary="An administrator records that a regional or community government opts in or out",
)
def set_participation(path: CodePath, body: ParticipationIn):
    session = get_session()
    department = structure.get_department(session=session, code=path.code.upper())
    if department is None:
        return problem(404, f"No department with code {path.code}.")
    service.set_participation(
        session=session,
        actor=g.api_person,
        department=department,
        participating=body.participating,
        reason=body.reason,
        now=_now(),
    )
    session.expire_all()
    return json_response(
        _department_out(session, structure.get_department(session=session, code=department.code))
    )


@api.post(
    "/departments/<code>/representative",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: DepartmentPublic, **ERRORS},
    summary="The steering group's chair, co-chair or secretary (or an administrator) names who answers "
    "its decisions for a department",
)
def name_representative(path: CodePath, body: RepresentativeIn):
    session = get_session()
    department = structure.get_department(session=session, code=path.code.upper())
    if department is None:
        return problem(404, f"No department with code {path.code}.")
    person = structure.get_person(session=session, person_id=body.person_id)
    if person is None:
        raise service.StructureError(f"no person {body.person_id}", "person_id")
    service.name_representative(
        session=session, actor=g.api_person, department=department, person=person, now=_now()
    )
    session.expire_all()
    return json_response(
        _department_out(session, structure.get_department(session=session, code=department.code))
    )


# --- seats: who sits in a body, seating and ending seats ----------------------------------------------
# Who may seat whom is the rule of `authority.seating_refusal`; a refusal is a 403 naming the rule.

SeatOutcome = Literal["seated", "role_changed", "updated", "unchanged"]


class SeatOut(BaseModel):
    person: PersonSummary
    role: MembershipRole
    reason: str = Field(description="Why the person took the seat")
    current: bool
    started_at: datetime
    ends_on: date | None = Field(description="Planned end of the seat; it ends by itself that day")
    ended_at: datetime | None = None
    end_reason: str = ""
    seated_by: str | None = Field(default=None, description="Who seated the person (none for seed data)")
    ended_by: str | None = Field(default=None, description="Who ended the seat (none when it ran out)")


class SeatList(BaseModel):
    items: list[SeatOut]


class SeatChange(SeatOut):
    outcome: SeatOutcome


class SeatsQuery(BaseModel):
    history: bool = Field(default=False, description="Also the seats that ended, newest first")


class SeatIn(RequestBody):
    person_id: int = Field(ge=1, le=MAX_ID)
    role: MembershipRole
    reason: Reason
    starts_on: date | None = Field(default=None, description="Today or earlier; default now")
    ends_on: date | None = Field(default=None, description="Planned end: today or later")


class SeatPath(BaseModel):
    slug: str = Field(max_length=80)
    person_id: int = Field(ge=1, le=MAX_ID)


def _seat_out(seat, names: dict) -> SeatOut:
    seated_by, ended_by = names.get(seat.seated_by_id), names.get(seat.ended_by_id)
    return SeatOut(
        person=person_summary_public(seat.person),
        role=seat.role,
        reason=seat.reason,
        current=seat.ended_at is None,
        started_at=seat.started_at,
        ends_on=seat.ends_on,
        ended_at=seat.ended_at,
        end_reason=seat.end_reason,
        seated_by=seated_by.name if seated_by else None,
        ended_by=ended_by.name if ended_by else None,
    )


def _seat_names(session: Session, seats) -> dict:
    ids = {s.seated_by_id for s in seats} | {s.ended_by_id for s in seats}
    return structure.people_by_id(session=session, ids=ids)


@api.get(
    "/bodies/<slug>/seats",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: SeatList, 404: Problem},
    summary="The current seats of a body, chair first; with history=true also the seats that ended",
)
def list_seats(path: SlugPath, query: SeatsQuery):
    session = get_session()
    body = structure.get_body(session=session, slug=path.slug)
    if body is None:
        return problem(404, f"No body {path.slug}.")
    seats = structure.ordered_memberships(body)
    if query.history:
        seats += [s for s in structure.seat_history(session=session, body_id=body.id) if s.ended_at]
    names = _seat_names(session, seats)
    return json_response(SeatList(items=[_seat_out(s, names) for s in seats]))


@api.post(
    "/bodies/<slug>/seats",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: SeatChange, 201: SeatChange, **ERRORS},
    summary="Seat a person in a body (201), or change their role or planned end (200)",
)
def seat_person(path: SlugPath, body: SeatIn):
    session = get_session()
    found = structure.find_body(session=session, slug=path.slug)
    if found is None:
        return problem(404, f"No body {path.slug}.")
    person = structure.get_person(session=session, person_id=body.person_id)
    if person is None:
        raise service.StructureError(f"no person {body.person_id}", "person_id")
    seat, outcome = service.seat_person(
        session=session,
        actor=g.api_person,
        body=found,
        person=person,
        role=body.role,
        reason=body.reason,
        now=_now(),
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    out = SeatChange(**_seat_out(seat, _seat_names(session, [seat])).model_dump(), outcome=outcome)
    return json_response(out, 201 if outcome == "seated" else 200)


@api.post(
    "/bodies/<slug>/seats/<int:person_id>/end",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: SeatOut, **ERRORS, 409: Problem},
    summary="End a person's seat in a body, with the reason; the history and what they received stay",
)
def end_seat(path: SeatPath, body: ReasonIn):
    session = get_session()
    found = structure.find_body(session=session, slug=path.slug)
    if found is None:
        return problem(404, f"No body {path.slug}.")
    seat = service.end_seat(
        session=session,
        actor=g.api_person,
        body=found,
        person_id=path.person_id,
        reason=body.reason,
        now=_now(),
    )
    return json_response(_seat_out(seat, _seat_names(session, [seat])))


# --- bulk: people and seats as CSV ----------------------------------------------------------------------
# One CSV shape both ways (coordination/structure/bulk.py says which columns, and who may import what).


class ImportQuery(BaseModel):
    dry_run: bool = Field(default=False, description="Check every row and write nothing")


class RowErrorOut(BaseModel):
    line: int | None = Field(description="Line of the file (the header is line 1); none for the whole file")
    column: str | None
    message: str


class ImportOut(BaseModel):
    valid: bool
    dry_run: bool
    applied: bool = Field(description="Whether anything was written (never with an error or in a dry run)")
    rows: int
    created: int = Field(description="People added (or who would be)")
    existing: int = Field(description="People named who are already in the structure (nothing changes)")
    seated: int = Field(description="Seats opened (or that would be)")
    role_changed: int
    unchanged: int = Field(description="Rows for a seat already held in that role")
    errors: list[RowErrorOut]


CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "UTF-8 CSV; columns " + ",".join(bulk.COLUMNS) + f"; at most {bulk.MAX_ROWS:,} rows",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def import_out(result: bulk.ImportResult) -> ImportOut:
    return ImportOut(
        valid=result.valid,
        dry_run=result.dry_run,
        applied=result.applied,
        rows=result.rows,
        created=result.created,
        existing=result.existing,
        seated=result.seated,
        role_changed=result.role_changed,
        unchanged=result.unchanged,
        errors=[RowErrorOut(line=e.line, column=e.column, message=e.message) for e in result.errors],
    )


@api.post(
    "/people/import",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: ImportOut, 413: Problem, 422: ImportOut},
    summary="Import people and seats from CSV: every row is checked, and nothing is written unless all "
    "are valid (422 lists each error by line and column)",
    openapi_extensions=CSV_BODY,
)
def import_people(query: ImportQuery):
    multipart = request.mimetype == "multipart/form-data"  # a form upload (curl -F) works too
    if (request.content_length or 0) > bulk.MAX_BYTES + (64 * 1024 if multipart else 0):
        return problem(413, bulk.too_big_message())
    if multipart:
        upload = next(iter(request.files.values()), None)
        data = upload.read(bulk.MAX_BYTES + 1) if upload else b""
    else:
        data = request.stream.read(bulk.MAX_BYTES + 1)
    result = bulk.import_csv(
        session=get_session(), actor=g.api_person, text=data, dry_run=query.dry_run, now=_now()
    )
    return json_response(import_out(result), 200 if result.valid else 422)


@api.get(
    "/people/export.csv",
    tags=[STRUCTURE_TAG],
    security=BEARER,
    responses={200: None},
    summary="Every active person with each current seat, as CSV in the shape the import reads",
)
def export_people():
    return Response(
        bulk.export_csv(session=get_session()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="people-and-seats.csv"'},
    )
