"""API endpoints for sign-in and the organisation."""

from flask import current_app
from pydantic import BaseModel, Field

from coordination import audit
from coordination.api import AUTH_TAG, BEARER, STRUCTURE_TAG, api
from coordination.api.problems import Problem, problem
from coordination.auth import service as auth
from coordination.auth.models import TokenRequest, TokenResponse
from coordination.db import get_session
from coordination.structure import public
from coordination.structure import service as structure
from coordination.structure.models import (
    BodyKind,
    BodyPublic,
    BodySummary,
    CountryPublic,
    DepartmentPublic,
    MissionPublic,
    MissionSummary,
    PersonPublic,
    PersonSummary,
)


class CodePath(BaseModel):
    code: str = Field(max_length=30, description="Short code, e.g. FA or KINSHASA")


class SlugPath(BaseModel):
    slug: str = Field(max_length=80)


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


def json_response(model: BaseModel, status: int = 200):
    return current_app.response_class(model.model_dump_json(), status=status, mimetype="application/json")


@api.post(
    "/auth/token",
    tags=[AUTH_TAG],
    responses={201: TokenResponse, 401: Problem, 422: Problem},
    summary="Exchange an e-mail address and password for a bearer token",
)
def issue_token(body: TokenRequest):
    session = get_session()
    try:
        person = auth.authenticate(
            session=session,
            email=body.email,
            password=body.password,
            production=current_app.config["COORDINATION_ENV"] == "production",
        )
    except auth.SignInRefused as refused:
        return problem(401, str(refused))
    token, row = auth.issue_token(
        session=session, person=person, lifetime=current_app.config["API_TOKEN_LIFETIME"]
    )
    audit.record(
        session, actor_id=person.id, action="api_token.issue", object_type="person", object_id=person.id
    )
    session.commit()
    return json_response(TokenResponse(access_token=token, expires_at=row.expires_at), 201)


@api.get("/departments", tags=[STRUCTURE_TAG], security=BEARER, responses={200: DepartmentList})
def list_departments():
    departments = structure.list_departments(session=get_session())
    return json_response(DepartmentList(items=[public.department(d) for d in departments]))


@api.get("/departments/<code>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: DepartmentPublic})
def get_department(path: CodePath):
    department = structure.get_department(session=get_session(), code=path.code.upper())
    if department is None:
        return problem(404, f"No department with code {path.code}.")
    return json_response(public.department(department))


@api.get("/missions", tags=[STRUCTURE_TAG], security=BEARER, responses={200: MissionList})
def list_missions():
    missions = structure.list_missions(session=get_session())
    return json_response(MissionList(items=[public.mission_summary(m) for m in missions]))


@api.get("/missions/<code>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: MissionPublic})
def get_mission(path: CodePath):
    session = get_session()
    mission = structure.get_mission(session=session, code=path.code)
    if mission is None:
        return problem(404, f"No mission with code {path.code}.")
    platform = structure.platform_of(session=session, mission=mission)
    return json_response(public.mission(mission, platform))


@api.get("/bodies", tags=[STRUCTURE_TAG], security=BEARER, responses={200: BodyList})
def list_bodies(query: BodyQuery):
    bodies = structure.list_bodies(session=get_session(), kind=query.kind)
    return json_response(BodyList(items=[public.body_summary(b) for b in bodies]))


@api.get("/bodies/<slug>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: BodyPublic})
def get_body(path: SlugPath):
    body = structure.get_body(session=get_session(), slug=path.slug)
    if body is None:
        return problem(404, f"No body {path.slug}.")
    return json_response(public.body(body))


@api.get("/people", tags=[STRUCTURE_TAG], security=BEARER, responses={200: PersonList})
def list_people():
    people = structure.list_people(session=get_session())
    return json_response(PersonList(items=[public.person_summary(p) for p in people]))


@api.get("/people/<int:person_id>", tags=[STRUCTURE_TAG], security=BEARER, responses={200: PersonPublic})
def get_person(path: PersonPath):
    person = structure.get_person(session=get_session(), person_id=path.person_id)
    if person is None:
        return problem(404, f"No person {path.person_id}.")
    return json_response(public.person(person))


@api.get("/countries", tags=[STRUCTURE_TAG], security=BEARER, responses={200: CountryList})
def list_countries():
    countries = structure.list_countries(session=get_session())
    return json_response(
        CountryList(items=[CountryPublic.model_validate(c, from_attributes=True) for c in countries])
    )
