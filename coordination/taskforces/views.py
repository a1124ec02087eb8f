"""Pages to set up, confirm and stand down task forces, and their situation reports."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from coordination.db import get_session
from coordination.decisions.models import Decision, DecisionStatus
from coordination.lessons import service as lessons
from coordination.reports.forms import THEME_CHOICES
from coordination.rules import RuleViolation
from coordination.sitreps import service as sitreps
from coordination.sitreps.models import SituationReport
from coordination.structure import service as structure
from coordination.structure.models import Body, BodyKind, BodyStatus, Person
from coordination.taskforces import service

bp = Blueprint("taskforces", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


def _now() -> datetime:
    return datetime.now(UTC)


class TaskForceForm(FlaskForm):
    goals_decision_id = SelectField(_l("Steering-group decision that defines the goals"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=3, max=200)])
    countries = StringField(
        _l("Countries in scope (ISO codes, comma-separated)"), validators=[Length(max=200)]
    )
    themes = SelectMultipleField(_l("Themes"), choices=THEME_CHOICES)
    major_departments = SelectMultipleField(_l("Departments for which the issue is major"), choices=[])
    expert_director = SelectField(_l("Chair (leave empty for the DGB director)"), choices=[])


class StandDownForm(FlaskForm):
    closing_report = TextAreaField(_l("Closing report"), validators=[DataRequired(), Length(max=20_000)])


class SitrepForm(FlaskForm):
    period_start = DateField(_l("From"), validators=[DataRequired()])
    period_end = DateField(_l("To"), validators=[DataRequired()])


class SitrepEditForm(FlaskForm):
    body = TextAreaField(_l("Situation report (Markdown)"), validators=[Length(max=100_000)])


def _task_force_or_404(slug: str) -> Body:
    body = structure.get_body(session=get_session(), slug=slug)
    if body is None or body.kind != BodyKind.task_force:
        abort(404)
    return body


@bp.route("/task-forces/new", methods=["GET", "POST"])
def new_task_force():
    session = get_session()
    steering_group = structure.get_steering_group(session=session)
    form = TaskForceForm()
    adopted = session.exec(
        select(Decision)
        .where(Decision.issuing_body_id == steering_group.id, Decision.status == DecisionStatus.adopted)
        .order_by(Decision.adopted_at.desc())
    ).all()
    form.goals_decision_id.choices = [("", _("Choose an adopted decision"))] + [
        (str(d.id), d.title) for d in adopted
    ]
    form.major_departments.choices = [(d.code, d.name) for d in structure.list_departments(session=session)]
    directors = session.exec(
        select(Person).where(Person.function.ilike("%director%")).order_by(Person.name)
    ).all()
    form.expert_director.choices = [("", _("The DGB director"))] + [
        (str(p.id), f"{p.name} ({p.function})") for p in directors
    ]
    if request.method == "GET" and request.args.get("decision", "").isdigit():
        form.goals_decision_id.data = request.args["decision"]
    if form.validate_on_submit():
        try:
            body, _proposals = service.create_task_force(
                session=session,
                person=current_user,
                goals_decision_id=int(form.goals_decision_id.data) if form.goals_decision_id.data else None,
                name=form.name.data,
                countries=(form.countries.data or "").replace(" ", "").split(","),
                themes=form.themes.data or [],
                major_departments=form.major_departments.data or [],
                expert_director_id=int(form.expert_director.data) if form.expert_director.data else None,
                now=_now(),
            )
        except RuleViolation as error:
            getattr(form, error.field or "name", form.name).errors.append(str(error))
        else:
            flash(_("Task force proposed. The steering group confirms or overrides the chairs."), "info")
            return redirect(url_for("taskforces.task_force", slug=body.slug))
    return render_template("taskforces/new.html", form=form), 400 if request.method == "POST" else 200


@bp.get("/task-forces/<slug>")
def task_force(slug: str):
    session = get_session()
    body = _task_force_or_404(slug)
    decision = session.get(Decision, body.goals_decision_id) if body.goals_decision_id else None
    decided_by = session.get(Person, body.chairs_decided_by_id) if body.chairs_decided_by_id else None
    return render_template(
        "taskforces/task_force.html",
        body=body,
        decision=decision,
        decided_by=decided_by,
        memberships=structure.ordered_memberships(body),
        stand_down_form=StandDownForm(),
        sitreps=sitreps.for_task_force(session=session, person=current_user, task_force=body),
        earlier_lessons=lessons.earlier_lessons(session=session, person=current_user, task_force=body),
        next_due=sitreps.next_due_on(session=session, task_force=body)
        if body.status == BodyStatus.active
        else None,
        sitrep_form=SitrepForm(
            period_start=_now().date() - timedelta(days=body.sitrep_every_days), period_end=_now().date()
        ),
    )


@bp.post("/task-forces/<slug>/confirm")
def confirm(slug: str):
    session = get_session()
    try:
        service.confirm_chairs(
            session=session, person=current_user, task_force=_task_force_or_404(slug), now=_now()
        )
    except RuleViolation as error:
        flash(str(error), "error")
    else:
        flash(_("Chairs confirmed; the task force is active."), "info")
    return redirect(url_for("taskforces.task_force", slug=slug))


@bp.post("/task-forces/<slug>/stand-down")
def stand_down(slug: str):
    session = get_session()
    form = StandDownForm()
    try:
        service.stand_down(
            session=session,
            person=current_user,
            task_force=_task_force_or_404(slug),
            closing_report=form.closing_report.data or "",
            now=_now(),
        )
    except RuleViolation as error:
        flash(str(error), "error")
    else:
        flash(_("The task force is stood down."), "info")
    return redirect(url_for("taskforces.task_force", slug=slug))


@bp.post("/task-forces/<slug>/situation-reports")
def compile_sitrep(slug: str):
    session = get_session()
    form = SitrepForm()
    if not form.validate_on_submit():
        flash(_("Give the period of the situation report."), "error")
        return redirect(url_for("taskforces.task_force", slug=slug))
    try:
        sitrep = sitreps.compile_draft(
            session=session,
            person=current_user,
            task_force=_task_force_or_404(slug),
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            now=_now(),
        )
    except RuleViolation as error:
        flash(str(error), "error")
        return redirect(url_for("taskforces.task_force", slug=slug))
    return redirect(url_for("taskforces.sitrep", sitrep_id=sitrep.id))


@bp.route("/situation-reports/<int:sitrep_id>", methods=["GET", "POST"])
def sitrep(sitrep_id: int):
    session = get_session()
    found = session.exec(
        sitreps.visible_sitreps(person=current_user).where(SituationReport.id == sitrep_id)
    ).first()
    if found is None:
        abort(404)
    body = session.get(Body, found.task_force_id)
    form = SitrepEditForm(body=found.body)
    if request.method == "POST":
        try:
            if request.form.get("submit_report"):
                sitrep_service_submit(session, found, form)
                flash(_("Situation report submitted to the steering group."), "info")
            elif form.validate_on_submit():
                sitreps.edit(session=session, person=current_user, sitrep=found, body=form.body.data or "")
                flash(_("Draft saved."), "info")
        except RuleViolation as error:
            flash(str(error), "error")
        return redirect(url_for("taskforces.sitrep", sitrep_id=found.id))
    template = "taskforces/sitrep_print.html" if request.args.get("print") else "taskforces/sitrep.html"
    return render_template(template, sitrep=found, body=body, form=form)


def sitrep_service_submit(session, found: SituationReport, form: SitrepEditForm) -> None:
    if form.validate_on_submit() and form.body.data is not None and form.body.data != found.body:
        sitreps.edit(session=session, person=current_user, sitrep=found, body=form.body.data)
    sitreps.submit(session=session, person=current_user, sitrep=found, now=_now())
