"""Pages to browse the organisation: steering group, bodies, departments, missions, people, chart."""

from collections import defaultdict

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from coordination.db import get_session
from coordination.structure import queries as structure
from coordination.structure.chart import organisation_chart
from coordination.structure.enums import BodyKind
from coordination.structure.graph import organisation_graph

bp = Blueprint("structure", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page of the organisation needs a signed-in person."""


@bp.get("/")
def home():
    person = structure.get_person(session=get_session(), person_id=current_user.id)
    memberships = sorted(
        person.memberships, key=lambda m: (m.body.kind != BodyKind.steering_group, m.body.name)
    )
    return render_template("structure/home.html", person=person, memberships=memberships)


@bp.get("/steering-group")
def steering_group():
    body = structure.get_steering_group(session=get_session())
    if body is None:
        abort(404)
    return redirect(url_for("structure.body", slug=body.slug))


@bp.get("/bodies")
def bodies():
    grouped = defaultdict(list)
    for body in structure.list_bodies(session=get_session()):
        grouped[body.kind].append(body)
    return render_template("structure/bodies.html", grouped=grouped, kinds=list(BodyKind))


@bp.get("/bodies/<slug>")
def body(slug: str):
    found = structure.get_body(session=get_session(), slug=slug)
    if found is None:
        abort(404)
    return render_template(
        "structure/body.html", body=found, memberships=structure.ordered_memberships(found)
    )


@bp.get("/departments")
def departments():
    return render_template(
        "structure/departments.html", departments=structure.list_departments(session=get_session())
    )


@bp.get("/departments/<code>")
def department(code: str):
    session = get_session()
    found = structure.get_department(session=session, code=code)
    if found is None:
        abort(404)
    people = structure.list_people(session=session, department_code=found.code)
    return render_template("structure/department.html", department=found, people=people)


@bp.get("/missions")
def missions():
    grouped = defaultdict(list)
    for mission in structure.list_missions(session=get_session()):
        key = "" if mission.kind == "permanent_representation" else (mission.host_country.region or "~")
        grouped[key].append(mission)
    return render_template("structure/missions.html", grouped=dict(sorted(grouped.items())))


@bp.get("/missions/<code>")
def mission(code: str):
    session = get_session()
    found = structure.get_mission(session=session, code=code)
    if found is None:
        abort(404)
    platform = structure.platform_of(session=session, mission=found)
    memberships = structure.ordered_memberships(platform) if platform else []
    return render_template(
        "structure/mission.html", mission=found, platform=platform, memberships=memberships
    )


@bp.get("/people")
def people():
    return render_template("structure/people.html", people=structure.list_people(session=get_session()))


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    found = structure.get_person(session=get_session(), person_id=person_id)
    if found is None:
        abort(404)
    return render_template("structure/person.html", person=found)


@bp.get("/org-chart")
def org_chart():
    graph = organisation_graph(session=get_session())
    return render_template("structure/org_chart.html", chart=organisation_chart(graph))
