"""API endpoints for the organisation (departments, missions, bodies, people, countries) and their API
types. The organisation is not need-to-know information."""

from flask_openapi3 import Tag
from pydantic import BaseModel, EmailStr, Field
from sqlmodel import SQLModel

from coordination.api import BEARER, SlugPath, api, json_response
from coordination.api.problems import problem
from coordination.classification import Clearance
from coordination.db import get_session
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
    directorates: list[DirectoratePublic] = []


class PersonSummary(SQLModel):
    id: int
    name: str
    email: EmailStr
    function: str
    department: str
    directorate: str | None


class PersonPublic(PersonSummary):
    clearance: Clearance
    languages: list[str]
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


class MissionPublic(MissionSummary):
    platform: BodyPublic | None


PersonPublic.model_rebuild()


def department_public(d: Department) -> DepartmentPublic:
    return DepartmentPublic(
        code=d.code,
        name=d.name,
        level=d.level,
        kind=d.kind,
        opt_in=d.opt_in,
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
    )


def person_public(p: Person) -> PersonPublic:
    return PersonPublic(
        **person_summary_public(p).model_dump(),
        clearance=p.clearance,
        languages=p.languages,
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
    )


def mission_public(m: Mission, platform: Body | None) -> MissionPublic:
    return MissionPublic(
        **mission_summary_public(m).model_dump(), platform=body_public(platform) if platform else None
    )


class CodePath(BaseModel):
    code: str = Field(max_length=30, description="Short code, e.g. FA or KINSHASA")


class PersonPath(BaseModel):
    person_id: int = Field(ge=1)


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
    departments = structure.list_departments(session=get_session())
    return json_response(DepartmentList(items=[department_public(d) for d in departments]))


@api.get("/departments/<code>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: DepartmentPublic})
def get_department(path: CodePath):
    department = structure.get_department(session=get_session(), code=path.code.upper())
    if department is None:
        return problem(404, f"No department with code {path.code}.")
    return json_response(department_public(department))


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
