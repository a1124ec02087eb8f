"""API endpoints for plans and resources: objectives and measurements, budget lines and the joint budget,
roster warnings, press clearing, partners and risks, and CSV exports."""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Response, abort, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field
from sqlmodel import Session

from coordination.api import (
    BEARER,
    IdPath,
    SlugPath,
    api,
    json_response,
    pdf_openapi,
    pdf_response,
    preconditions,
)
from coordination.api.problems import Problem, problem
from coordination.db import get_session
from coordination.planning import budget, plans, press, printing, registers, roster
from coordination.planning.budget import MAX_AMOUNT
from coordination.planning.models import Objective
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind
from coordination.types import RecordId, RequestBody, Title, Year

PLANNING_TAG = Tag(
    name="planning", description="Operational plans, budget lines, roster, press clearing, registers"
)
ERRORS = {403: Problem, 404: Problem, 422: Problem}


def _now() -> datetime:
    return datetime.now(UTC)


class YearQuery(BaseModel):
    year: int | None = Field(default=None, ge=2000, le=2100)


class ObjectiveIn(RequestBody):
    year: int = Field(ge=2000, le=2100)
    statement: str = Field(max_length=500)
    indicator: str = Field(max_length=200)
    unit: str = Field(default="", max_length=40)
    baseline: float = Field(allow_inf_nan=False)
    target: float = Field(allow_inf_nan=False)
    deadline: date
    department_code: str = Field(max_length=20, description="The responsible service")
    directorate_code: str | None = Field(default=None, max_length=20)
    resources: str = Field(default="", max_length=1000)


class MeasurementIn(RequestBody):
    measured_on: date
    value: float = Field(allow_inf_nan=False)
    note: str = Field(default="", max_length=500)


class MeasurementOut(BaseModel):
    measured_on: date
    value: float
    note: str


class ObjectiveOut(BaseModel):
    """An objective; the ETag versions the effort's whole operational plan (objectives, measurements)."""

    model_config = preconditions.VERSIONED

    id: int
    year: int
    statement: str
    indicator: str
    unit: str
    baseline: float = Field(allow_inf_nan=False)
    target: float = Field(allow_inf_nan=False)
    deadline: date
    responsible: str
    achievement: float | None
    measurements: list[MeasurementOut]


class ObjectiveList(BaseModel):
    """Objectives of an effort; the ETag versions its whole operational plan, every year of it."""

    model_config = preconditions.VERSIONED

    items: list[ObjectiveOut]


class BudgetLineIn(RequestBody):
    department_code: str = Field(max_length=20)
    year: int = Field(ge=2000, le=2100)
    pledged: Decimal = Field(ge=0, le=MAX_AMOUNT)
    committed: Decimal = Field(ge=0, le=MAX_AMOUNT)
    spent: Decimal = Field(ge=0, le=MAX_AMOUNT)
    note: str = Field(default="", max_length=500)


class YearTotals(BaseModel):
    year: int
    pledged: Decimal
    committed: Decimal
    spent: Decimal
    by_department: dict[str, dict[str, Decimal]]
    departments_without_a_line: list[str]


class JointBudgetOut(BaseModel):
    """The joint budget; its ETag versions every line of it."""

    model_config = preconditions.VERSIONED

    effort: str
    unit: str = "thousands of euros"
    years: list[YearTotals]


class RosterWarnings(BaseModel):
    overcommitted: dict[str, int] = Field(description="e-mail -> total share in percent")
    missing_skills: list[str]
    missing_languages: list[str]
    departments_without_designations: list[str]


class AssignmentIn(RequestBody):
    person_id: int
    share: int = Field(ge=1, le=100)
    start_on: date
    end_on: date | None = None


class PressIn(RequestBody):
    title: Title = Field(max_length=200)
    body: str = Field(default="", max_length=20_000)


class PressMoveIn(RequestBody):
    to: str = Field(pattern="^(submitted|cleared|returned|released)$")
    comment: str = Field(default="", max_length=2000)


class PressOut(BaseModel):
    id: int
    title: str
    status: str


class PartnerIn(RequestBody):
    actor: str = Field(max_length=200)
    actor_kind: str
    what: str = Field(max_length=1000)
    contact: str = Field(default="", max_length=200)
    status: str = "exploring"


class RiskIn(RequestBody):
    risk: str = Field(max_length=500)
    likelihood: int
    impact: int
    mitigation: str = Field(default="", max_length=2000)
    review_on: date


class RegistersOut(BaseModel):
    partners: list[dict]
    risks: list[dict]


def _effort(session: Session, slug: str):
    body = structure.find_body(session=session, slug=slug)
    if body is None or body.kind != BodyKind.task_force:
        abort(problem(404, f"No task force {slug}."))
    return body


def _with_plan_version(session: Session, response, effort_id: int):
    return preconditions.with_etag(response, plans.version(session=session, effort_id=effort_id))


def _objective_out(session: Session, o: Objective, series) -> ObjectiveOut:
    department = structure.get_department_by_id(session=session, department_id=o.department_id)
    return ObjectiveOut(
        id=o.id,
        year=o.year,
        statement=o.statement,
        indicator=o.indicator,
        unit=o.unit,
        baseline=o.baseline,
        target=o.target,
        deadline=o.deadline,
        responsible=department.code,
        achievement=plans.achievement(o, series),
        measurements=[MeasurementOut(measured_on=m.measured_on, value=m.value, note=m.note) for m in series],
    )


@api.get(
    "/task-forces/<slug>/objectives", tags=[PLANNING_TAG], security=BEARER, responses={200: ObjectiveList}
)
def list_objectives(path: SlugPath, query: YearQuery):
    session = get_session()
    effort = _effort(session, path.slug)
    objs = plans.objectives(session=session, effort=effort, year=query.year)
    series = plans.measurements(session=session, objective_ids=[o.id for o in objs])
    response = json_response(ObjectiveList(items=[_objective_out(session, o, series[o.id]) for o in objs]))
    return _with_plan_version(session, response, effort.id)


@api.post(
    "/task-forces/<slug>/objectives",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={201: ObjectiveOut, **ERRORS},
)
def create_objective(path: SlugPath, body: ObjectiveIn):
    session = get_session()
    objective = plans.add_objective(
        session=session, person=g.api_person, effort=_effort(session, path.slug), **body.model_dump()
    )
    response = json_response(_objective_out(session, objective, []), 201)
    return _with_plan_version(session, response, objective.effort_id)


@api.post(
    "/objectives/<int:item_id>/measurements",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={201: ObjectiveOut, **ERRORS, 412: Problem},
    summary="Entered by the responsible service; a second entry for a day corrects it",
    description=preconditions.PRECONDITION_DESCRIPTION
    + " The ETag is that of the objectives of the effort (GET /task-forces/{slug}/objectives).",
)
def create_measurement(path: IdPath, body: MeasurementIn, header: preconditions.IfMatch):
    session = get_session()
    objective = plans.get_objective(session=session, objective_id=path.item_id)
    if objective is None:
        return problem(404, f"No objective {path.item_id}.")
    plans.record_measurement(
        session=session,
        person=g.api_person,
        objective=objective,
        expected_version=preconditions.expected_version(header),
        **body.model_dump(),
    )
    series = plans.measurements(session=session, objective_ids=[objective.id])[objective.id]
    response = json_response(_objective_out(session, objective, series), 201)
    return _with_plan_version(session, response, objective.effort_id)


@api.get(
    "/task-forces/<slug>/budget",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={200: JointBudgetOut},
    summary="The virtual joint budget: departmental lines summed per year, departments without a line",
)
def get_budget(path: SlugPath):
    session = get_session()
    effort = _effort(session, path.slug)
    joint = budget.joint_budget(session=session, effort=effort)
    years = [
        YearTotals(
            year=y,
            **joint.totals[y],
            by_department={
                code: {n: getattr(line, n) for n in budget.AMOUNTS} for code, line in joint.cells[y].items()
            },
            departments_without_a_line=[d.code for d in joint.missing[y]],
        )
        for y in joint.years
    ]
    response = json_response(JointBudgetOut(effort=effort.slug, years=years))
    return preconditions.with_etag(response, budget.version(session=session, effort_id=effort.id))


@api.post(
    "/task-forces/<slug>/budget",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={200: JointBudgetOut, **ERRORS, 412: Problem},
    summary="A department records (or corrects) its own budget line",
    description=preconditions.PRECONDITION_DESCRIPTION,
)
def set_budget_line(path: SlugPath, body: BudgetLineIn, header: preconditions.IfMatch):
    session = get_session()
    budget.set_line(
        session=session,
        person=g.api_person,
        effort=_effort(session, path.slug),
        now=_now(),
        expected_version=preconditions.expected_version(header),
        **body.model_dump(),
    )
    return get_budget(path=path)


@api.get("/task-forces/<slug>/budget.csv", tags=[PLANNING_TAG], security=BEARER, responses={200: None})
def get_budget_csv(path: SlugPath):
    session = get_session()
    return Response(
        budget.lines_csv(session=session, effort=_effort(session, path.slug)), mimetype="text/csv"
    )


@api.get("/task-forces/<slug>/objectives.csv", tags=[PLANNING_TAG], security=BEARER, responses={200: None})
def get_objectives_csv(path: SlugPath):
    session = get_session()
    return Response(
        plans.objectives_csv(session=session, effort=_effort(session, path.slug)), mimetype="text/csv"
    )


class ReviewYearQuery(BaseModel):
    year: Year | None = Field(default=None, description="The plan year; this year when none")


@api.get(
    "/task-forces/<slug>/annual-review.pdf",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={200: pdf_openapi("The annual review as you may read it"), 404: Problem, 422: Problem},
    summary="A task force's annual review printed, as the page's PDF: objectives against target, the "
    "actions of the decisions you may see, budget use and positions, marked with what it quotes",
)
def get_annual_review_pdf(path: SlugPath, query: ReviewYearQuery):
    session = get_session()
    effort = _effort(session, path.slug)
    today = _now().date()
    year = query.year or today.year
    data = printing.annual_review(session=session, viewer=g.api_person, effort=effort, year=year, today=today)
    return pdf_response(data, printing.filename(effort, year))


@api.get(
    "/task-forces/<slug>/roster-warnings",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={200: RosterWarnings},
)
def get_roster_warnings(path: SlugPath):
    session = get_session()
    effort = _effort(session, path.slug)
    today = _now().date()
    missing = roster.missing_needs(session=session, task_force=effort, on=today)
    return json_response(
        RosterWarnings(
            overcommitted={o.person.email: o.total for o in roster.overcommitted(session=session, on=today)},
            missing_skills=missing["skill"],
            missing_languages=missing["language"],
            departments_without_designations=[
                d.code for d in roster.departments_without_designations(session=session)
            ],
        )
    )


@api.post(
    "/task-forces/<slug>/assignments",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={201: RosterWarnings, **ERRORS},
)
def create_assignment(path: SlugPath, body: AssignmentIn):
    session = get_session()
    assignee = structure.get_person(session=session, person_id=body.person_id)
    if assignee is None:
        return problem(404, f"No person {body.person_id}.")
    roster.assign(
        session=session,
        person=g.api_person,
        assignee=assignee,
        task_force=_effort(session, path.slug),
        share=body.share,
        start_on=body.start_on,
        end_on=body.end_on,
        now=_now(),
    )
    response = get_roster_warnings(path=path)
    response.status_code = 201
    return response


class AssignmentPath(BaseModel):
    slug: str = Field(max_length=80)
    assignment_id: RecordId


class EndAssignmentIn(RequestBody):
    reason: str = Field(min_length=1, max_length=300)


@api.post(
    "/task-forces/<slug>/assignments/<int:assignment_id>/end",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={200: RosterWarnings, **ERRORS},
    summary="End an assignment today; the member seat it gave ends with it",
)
def end_assignment(path: AssignmentPath, body: EndAssignmentIn):
    session = get_session()
    effort = _effort(session, path.slug)
    assignment = roster.get_assignment(session=session, task_force=effort, assignment_id=path.assignment_id)
    if assignment is None:
        return problem(404, f"No assignment {path.assignment_id} in {path.slug}.")
    roster.end_assignment(
        session=session, person=g.api_person, assignment=assignment, reason=body.reason, now=_now()
    )
    return get_roster_warnings(path=SlugPath(slug=path.slug))


@api.post(
    "/task-forces/<slug>/press", tags=[PLANNING_TAG], security=BEARER, responses={201: PressOut, **ERRORS}
)
def create_press_item(path: SlugPath, body: PressIn):
    session = get_session()
    item = press.draft(
        session=session,
        person=g.api_person,
        effort=_effort(session, path.slug),
        title=body.title,
        body=body.body,
        now=_now(),
    )
    return json_response(PressOut(id=item.id, title=item.title, status=item.status), 201)


@api.post(
    "/press/<int:item_id>",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={200: PressOut, **ERRORS, 409: Problem},
    summary="submitted -> cleared | returned (press service) -> released; no release before clearance",
)
def move_press_item(path: IdPath, body: PressMoveIn):
    session = get_session()
    item = press.get_item(session=session, item_id=path.item_id)
    if item is None:
        return problem(404, f"No press item {path.item_id}.")
    person = structure.get_person(session=session, person_id=g.api_person.id)
    press.move(session=session, person=person, item=item, to_status=body.to, comment=body.comment, now=_now())
    return json_response(PressOut(id=item.id, title=item.title, status=item.status))


@api.get("/task-forces/<slug>/registers", tags=[PLANNING_TAG], security=BEARER, responses={200: RegistersOut})
def get_registers(path: SlugPath):
    session = get_session()
    effort = _effort(session, path.slug)
    return json_response(
        RegistersOut(
            partners=[
                p.model_dump(exclude={"effort_id"})
                for p in registers.partners(session=session, effort=effort)
            ],
            risks=[
                r.model_dump(mode="json", exclude={"effort_id"})
                for r in registers.risks(session=session, effort=effort)
            ],
        )
    )


@api.post(
    "/task-forces/<slug>/partners",
    tags=[PLANNING_TAG],
    security=BEARER,
    responses={201: RegistersOut, **ERRORS},
)
def create_partner(path: SlugPath, body: PartnerIn):
    session = get_session()
    registers.add_partner(
        session=session, person=g.api_person, effort=_effort(session, path.slug), **body.model_dump()
    )
    response = get_registers(path=path)
    response.status_code = 201
    return response


@api.post(
    "/task-forces/<slug>/risks", tags=[PLANNING_TAG], security=BEARER, responses={201: RegistersOut, **ERRORS}
)
def create_risk(path: SlugPath, body: RiskIn):
    session = get_session()
    registers.add_risk(
        session=session,
        person=g.api_person,
        effort=_effort(session, path.slug),
        owner=g.api_person,
        **body.model_dump(),
    )
    response = get_registers(path=path)
    response.status_code = 201
    return response
