"""Pages to set up, confirm and stand down task forces."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.decisions import queries as decisions
from coordination.formchecks import CountryListField, Form, confirmed
from coordination.lessons import queries as lessons
from coordination.maps import queries as maps
from coordination.reports.forms import THEME_CHOICES
from coordination.rules import Forbidden, RuleViolation
from coordination.sitreps import queries as sitreps
from coordination.sitreps.views import sitrep_form
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, BodyStatus
from coordination.structure.views import seating_panel
from coordination.taskforces import service

bp = Blueprint("taskforces", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


def _now() -> datetime:
    return datetime.now(UTC)


class TaskForceForm(Form):
    goals_decision_id = SelectField(_l("Steering-group decision that defines the goals"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=3, max=200)])
    description = TextAreaField(
        _l("Public description (everyone in the structure reads it)"), validators=[Length(max=2000)]
    )
    goals = TextAreaField(_l("Goals, as they may be shared with everyone"), validators=[Length(max=10_000)])
    countries = CountryListField(_l("Countries in scope (country names, separated by commas)"))
    overlap_reason = StringField(
        _l("Reason, if another task force already covers one of these countries"),
        validators=[Length(max=300)],
    )
    themes = SelectMultipleField(_l("Themes"), choices=THEME_CHOICES)
    major_departments = SelectMultipleField(_l("Departments for which the issue is major"), choices=[])
    expert_director = SelectField(_l("Chair (leave empty for the DGB director)"), choices=[])


class ConfirmForm(Form):
    chair = SelectField(_l("Chair"), choices=[], validate_choice=False)
    co_chairs = SelectMultipleField(_l("Co-chairs"), choices=[], validate_choice=False)
    # set by the page's form: the co-chairs list is then meant as sent, even when empty
    chosen = HiddenField()
    reason = StringField(
        _l("Reason, if the steering group overrides the proposal"), validators=[Length(max=300)]
    )


def _person_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def confirm_form(body) -> ConfirmForm:
    """The proposed chairs preselected; any director or steering-group member may be chosen instead."""
    session = get_session()
    form = ConfirmForm(prefix="confirm")
    steering_group = structure.get_steering_group(session=session)
    candidates = {p.id: p for p in structure.directors(session=session) if p.active}
    if steering_group is not None:
        candidates.update({p.id: p for p in structure.members_of(session=session, body_id=steering_group.id)})
    seats = structure.ordered_memberships(body)
    candidates.update({m.person.id: m.person for m in seats})
    choices = [
        (str(p.id), f"{p.name} ({p.function})") for p in sorted(candidates.values(), key=lambda p: p.name)
    ]
    form.chair.choices = choices
    form.co_chairs.choices = choices
    if request.method == "GET":
        form.chair.data = next((str(m.person_id) for m in seats if m.role == "chair"), None)
        form.co_chairs.data = [str(m.person_id) for m in seats if m.role == "co_chair"]
        form.chosen.data = "1"
    return form


class StandDownForm(Form):
    closing_report = TextAreaField(_l("Closing report"), validators=[DataRequired(), Length(max=20_000)])


def _task_force_or_404(slug: str):
    body = structure.get_body(session=get_session(), slug=slug)
    if body is None or body.kind != BodyKind.task_force:
        abort(404)
    return body


@bp.route("/task-forces/new", methods=["GET", "POST"])
def new_task_force():
    session = get_session()
    steering_group = structure.get_steering_group(session=session)
    if steering_group is None:
        abort(404)
    form = TaskForceForm()
    adopted = decisions.adopted_by_body(session=session, viewer=current_user, body_id=steering_group.id)
    form.goals_decision_id.choices = [("", _("Choose an adopted decision"))] + [
        (str(d.id), d.title) for d in adopted
    ]
    form.major_departments.choices = [(d.code, d.name) for d in structure.list_departments(session=session)]
    form.expert_director.choices = [("", _("The DGB director"))] + [
        (str(p.id), f"{p.name} ({p.function})") for p in structure.directors(session=session)
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
                description=form.description.data or "",
                goals=form.goals.data or "",
                countries=form.countries.data or [],
                themes=form.themes.data or [],
                major_departments=form.major_departments.data or [],
                expert_director_id=int(form.expert_director.data) if form.expert_director.data else None,
                overlap_reason=form.overlap_reason.data or "",
                now=_now(),
            )
        except RuleViolation as error:
            session.rollback()
            getattr(form, error.field or "name", form.name).errors.append(str(error))
        else:
            flash(_("Task force proposed. The steering group confirms or overrides the chairs."), "info")
            return redirect(url_for("taskforces.task_force", slug=body.slug))
    return render_template("taskforces/new.html", form=form), 400 if request.method == "POST" else 200


@bp.get("/task-forces/<slug>")
def task_force(slug: str):
    session = get_session()
    body = _task_force_or_404(slug)
    decision = (
        decisions.get_visible_decision(
            session=session, viewer=current_user, decision_id=body.goals_decision_id
        )
        if body.goals_decision_id
        else None
    )
    decided_by = structure.people_by_id(session=session, ids=[body.chairs_decided_by_id]).get(
        body.chairs_decided_by_id
    )
    policy = NeedToKnow.from_config(current_app.config)
    return render_template(
        "taskforces/task_force.html",
        body=body,
        decision=decision,
        decided_by=decided_by,
        memberships=structure.ordered_memberships(body),
        stand_down_form=StandDownForm(),
        sitreps=sitreps.for_task_force(session=session, viewer=current_user, policy=policy, task_force=body),
        earlier_lessons=lessons.earlier_lessons(session=session, viewer=current_user, task_force=body),
        next_due=sitreps.next_due_on(session=session, task_force=body)
        if body.status == BodyStatus.active
        else None,
        sitrep_form=sitrep_form(body),
        confirm_form=confirm_form(body) if body.status == BodyStatus.proposed else None,
        chair_history=[
            seat
            for seat in structure.seat_history(session=session, body_id=body.id)
            if seat.ended_at is not None and seat.role in ("chair", "co_chair")
        ],
        seating=seating_panel(body, back="task_force"),
        map=maps.countries_map(
            session=session,
            viewer=current_user,
            policy=policy,
            countries=sorted(c.code for c in body.countries),
            now=_now(),
            tile_url=current_app.config["MAP_TILE_URL"],
        ),
    )


@bp.post("/task-forces/<slug>/confirm")
def confirm(slug: str):
    session = get_session()
    body = _task_force_or_404(slug)
    form = confirm_form(body)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("taskforces.task_force", slug=slug))
    try:
        service.confirm_chairs(
            session=session,
            person=current_user,
            task_force=body,
            chair_id=_person_id(form.chair.data),
            co_chair_ids=[i for i in map(_person_id, form.co_chairs.data or []) if i is not None]
            if form.chosen.data
            else None,
            reason=form.reason.data or "",
            now=_now(),
        )
    except (RuleViolation, Forbidden) as error:
        session.rollback()
        flash(str(error), "error")
    else:
        flash(_("Chairs confirmed; the task force is active."), "info")
    return redirect(url_for("taskforces.task_force", slug=slug))


@bp.post("/task-forces/<slug>/stand-down")
def stand_down(slug: str):
    session = get_session()
    form = StandDownForm()
    if not confirmed(request.form):
        abort(
            400, description=_("Tick the confirmation box to stand the task force down; nothing was changed.")
        )
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
