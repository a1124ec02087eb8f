"""Lessons pages: the log with filters, chart and exports; submitting an observation; one lesson with
its stage line, history, the steps the reader may take, endorsement and remedial actions."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from coordination.audit import service as audit
from coordination.classification import NeedToKnow
from coordination.countries import find_country
from coordination.db import get_session
from coordination.decisions import queries as decision_queries
from coordination.decisions.forms import CLASSIFICATION_CHOICES
from coordination.formchecks import CountryListField, Form
from coordination.lessons import queries, service
from coordination.lessons.enums import LessonStage
from coordination.markup import render_markdown
from coordination.reports.forms import THEME_CHOICES
from coordination.rules import Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, BodyStatus

bp = Blueprint("lessons", __name__)

STAGE_LABELS = {
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted as observation"),
    "rejected": _l("Rejected"),
    "analysed": _l("Analysed"),
    "identified": _l("Lesson identified"),
    "endorsed": _l("Endorsed"),
    "tasked": _l("Action body tasked"),
    "implemented": _l("Implemented"),
    "validated": _l("Validated"),
    "learned": _l("Lesson learned"),
    "archived": _l("Archived"),
}
STEP_LABELS = {
    "accept": _l("Accept as observation"),
    "reject": _l("Reject"),
    "analyse": _l("Mark as analysed"),
    "identify": _l("Lesson identified"),
    "implement": _l("Mark as implemented"),
    "validate": _l("Validate"),
    "learn": _l("Lesson learned"),
    "archive": _l("Archive"),
}


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


@bp.app_template_filter("lesson_stage")
def lesson_stage(value: str) -> str:
    return str(STAGE_LABELS.get(value, value))


def _now() -> datetime:
    return datetime.now(UTC)


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _ids(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").replace(",", " ").split() if part.isdigit()]


def _words(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


class ObservationForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    observation = TextAreaField(
        _l("Observation: what happened, as fact"), validators=[DataRequired(), Length(max=20_000)]
    )
    discussion = TextAreaField(
        _l("Discussion: why; who, what, where, when, how"), validators=[Optional(), Length(max=20_000)]
    )
    conclusion = TextAreaField(_l("Conclusion"), validators=[Optional(), Length(max=20_000)])
    recommendation = TextAreaField(
        _l("Recommendation: what to change, how, by whom"), validators=[Optional(), Length(max=20_000)]
    )
    classification = SelectField(_l("Classification"), choices=CLASSIFICATION_CHOICES, default="unclassified")
    effort = StringField(
        _l("Effort"), validators=[Optional(), Length(max=120)], render_kw={"list": "efforts"}
    )
    task_force = SelectField(_l("Task force"), choices=[], validate_choice=False)
    themes = SelectMultipleField(_l("Themes"), choices=THEME_CHOICES)
    countries = CountryListField(_l("Countries (names, separated by commas)"))
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=300)])
    report_ids = StringField(
        _l("Field reports it concerns (numbers)"), validators=[Optional(), Length(max=300)]
    )
    decision_ids = StringField(
        _l("Decisions it concerns (numbers)"), validators=[Optional(), Length(max=300)]
    )


class EditForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    observation = TextAreaField(_l("Observation"), validators=[DataRequired(), Length(max=20_000)])
    discussion = TextAreaField(_l("Discussion"), validators=[Optional(), Length(max=20_000)])
    conclusion = TextAreaField(_l("Conclusion"), validators=[Optional(), Length(max=20_000)])
    recommendation = TextAreaField(_l("Recommendation"), validators=[Optional(), Length(max=20_000)])


class StepForm(Form):
    note = TextAreaField(
        _l("Note (a reason is required to reject)"), validators=[Optional(), Length(max=2000)]
    )


class EndorseForm(Form):
    action_body = SelectField(_l("Action body to task"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class RemedialActionForm(Form):
    title = StringField(_l("Remedial action"), validators=[DataRequired(), Length(min=3, max=200)])
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    due_on = DateField(_l("Due on"), validators=[DataRequired()])


def _task_force_choices(session) -> list[tuple[str, str]]:
    bodies = structure.list_bodies(session=session, kind=BodyKind.task_force)
    return [("", _("None"))] + [(b.slug, b.name) for b in bodies]


def _filters() -> queries.LessonFilter:
    return queries.LessonFilter(
        stage=request.args.get("stage") or None,
        effort=request.args.get("effort") or None,
        theme=request.args.get("theme") or None,
        country=find_country(request.args.get("country"))
        or (request.args.get("country") or "").upper()
        or None,
    )


@bp.get("/lessons")
def log():
    session = get_session()
    filters = _filters()
    found = queries.find(session=session, viewer=current_user, filters=filters)
    series = queries.stage_counts_over_time(session=session, viewer=current_user, now=_now())
    countries = structure.country_names(session=session)
    return render_template(
        "lessons/log.html",
        lessons=found,
        filters=filters,
        stages=list(LessonStage),
        efforts=queries.efforts(session=session, viewer=current_user),
        themes=THEME_CHOICES,
        counts=queries.counts_by_stage(session=session, viewer=current_user),
        series=series,
        most=max([sum(c[i] for c in series.counts.values()) for i in range(len(series.months))] + [1]),
        countries=countries,
        export_args={k: v for k, v in request.args.items() if k in ("stage", "effort", "theme", "country")},
    )


@bp.get("/lessons.csv")
def export_csv():
    found = queries.find(session=get_session(), viewer=current_user, filters=_filters(), limit=100_000)
    return Response(
        queries.as_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=lessons.csv"},
    )


@bp.get("/lessons.md")
def export_markdown():
    found = queries.find(session=get_session(), viewer=current_user, filters=_filters(), limit=100_000)
    return Response(
        queries.as_markdown(found),
        mimetype="text/markdown",
        headers={"Content-Disposition": "attachment; filename=lessons.md"},
    )


@bp.route("/lessons/new", methods=["GET", "POST"])
def new_lesson():
    session = get_session()
    form = ObservationForm()
    form.task_force.choices = _task_force_choices(session)
    if request.method == "GET" and request.args.get("task_force"):
        form.task_force.data = request.args["task_force"]
    if form.validate_on_submit():
        try:
            lesson = service.submit_observation(
                session=session,
                person=current_user,
                title=form.title.data,
                observation=form.observation.data,
                discussion=form.discussion.data or "",
                conclusion=form.conclusion.data or "",
                recommendation=form.recommendation.data or "",
                classification=form.classification.data,
                effort=form.effort.data or "",
                task_force=form.task_force.data or None,
                themes=form.themes.data or [],
                countries=form.countries.data or [],
                tags=_words(form.tags.data),
                report_ids=_ids(form.report_ids.data),
                decision_ids=_ids(form.decision_ids.data),
                policy=_policy(),
                now=_now(),
            )
        except RuleViolation as error:
            session.rollback()
            getattr(form, error.field or "title", form.title).errors.append(str(error))
        else:
            flash(_("Observation submitted. The steering group will review it."), "info")
            return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lessons/new.html", form=form, efforts=queries.efforts(session=session, viewer=current_user)
    ), status


def _lesson_or_404(lesson_id: int):
    lesson = queries.get_visible_lesson(session=get_session(), viewer=current_user, lesson_id=lesson_id)
    if lesson is None:
        abort(404)
    return lesson


@bp.get("/lessons/<int:lesson_id>")
def lesson(lesson_id: int):
    session = get_session()
    found = _lesson_or_404(lesson_id)
    audit.record_opening(
        session,
        actor_id=current_user.id,
        action="lesson.open",
        object_type="lesson",
        object_id=found.id,
        classification=found.classification,
    )
    bodies = structure.bodies_by_id(session=session, ids=[found.task_force_id, found.action_body_id])
    decisions, reports = queries.concerns(
        session=session, viewer=current_user, lesson=found, policy=_policy()
    )
    steps = service.next_steps(session=session, person=current_user, lesson=found)
    endorse = found.stage == LessonStage.identified and service.may_take(
        session=session, person=current_user, lesson=found, step=service.STEPS["endorse"]
    )
    task = found.stage in (LessonStage.endorsed, LessonStage.tasked) and service.may_take(
        session=session, person=current_user, lesson=found, step=service.STEPS["task"]
    )
    endorse_form = EndorseForm()
    if endorse:
        active = [
            b
            for kind in (BodyKind.task_force, BodyKind.consultation_platform)
            for b in structure.list_bodies(session=session, kind=kind)
            if b.status == BodyStatus.active
        ]
        endorse_form.action_body.choices = [(b.slug, b.name) for b in active]
        if found.task_force_id:
            endorse_form.action_body.data = structure.bodies_by_id(
                session=session, ids=[found.task_force_id]
            )[found.task_force_id].slug
    action_form = RemedialActionForm()
    if task:
        members = _members_of(session, found.action_body_id)
        action_form.owner.choices = [("", _("The action body"))] + [(str(p.id), p.name) for p in members]
    may_edit = service.may_edit(session=session, person=current_user, lesson=found)
    parts = [
        (_("Observation"), found.observation),
        (_("Discussion"), found.discussion),
        (_("Conclusion"), found.conclusion),
        (_("Recommendation"), found.recommendation),
    ]
    return render_template(
        "lessons/lesson.html",
        lesson=found,
        parts=[(heading, render_markdown(text)) for heading, text in parts],
        stages=[s for s in LessonStage if s != LessonStage.rejected or found.rejection_reason],
        is_past=queries.is_past,
        history=queries.history(session=session, lesson=found),
        decisions=decisions,
        reports=reports,
        actions=queries.remedial_actions(session=session, viewer=current_user, lesson=found),
        endorsement=decision_queries.get_visible_decision(
            session=session, viewer=current_user, decision_id=found.endorsement_decision_id
        )
        if found.endorsement_decision_id
        else None,
        task_force=bodies.get(found.task_force_id),
        action_body=bodies.get(found.action_body_id),
        author=structure.people_by_id(session=session, ids=[found.submitted_by_id])[found.submitted_by_id],
        steps=steps,
        step_labels=STEP_LABELS,
        step_form=StepForm(),
        endorse=endorse,
        endorse_form=endorse_form,
        task=task,
        action_form=action_form,
        edit_form=EditForm(obj=found) if may_edit else None,
    )


def _members_of(session, body_id: int | None) -> list:
    body = structure.body_by_id(session=session, body_id=body_id) if body_id else None
    return [m.person for m in structure.ordered_memberships(body)] if body else []


def _back(lesson_id: int):
    return redirect(url_for("lessons.lesson", lesson_id=lesson_id))


def _attempt(lesson_id: int, action, done_message: str):
    session = get_session()
    try:
        action()
    except (RuleViolation, Forbidden) as error:
        session.rollback()
        flash(str(error), "error")
    else:
        flash(done_message, "info")
    return _back(lesson_id)


@bp.post("/lessons/<int:lesson_id>/steps/<step>")
def take_step(lesson_id: int, step: str):
    found = _lesson_or_404(lesson_id)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    return _attempt(
        lesson_id,
        lambda: service.advance(
            session=get_session(),
            person=current_user,
            lesson=found,
            step_name=step,
            note=form.note.data or "",
            now=_now(),
        ),
        _("The lesson moved on."),
    )


@bp.post("/lessons/<int:lesson_id>/endorse")
def endorse(lesson_id: int):
    found = _lesson_or_404(lesson_id)
    form = EndorseForm()
    if not form.validate_on_submit():
        abort(400)
    return _attempt(
        lesson_id,
        lambda: service.endorse(
            session=get_session(),
            person=current_user,
            lesson=found,
            action_body=form.action_body.data or "",
            note=form.note.data or "",
            now=_now(),
        ),
        _("Lesson endorsed: the action body has been told."),
    )


@bp.post("/lessons/<int:lesson_id>/actions")
def add_action(lesson_id: int):
    found = _lesson_or_404(lesson_id)
    form = RemedialActionForm()
    if not form.validate_on_submit():
        flash(_("Give the remedial action a title and a due date."), "error")
        return _back(lesson_id)
    owner = int(form.owner.data) if (form.owner.data or "").isdigit() else None
    return _attempt(
        lesson_id,
        lambda: service.add_remedial_action(
            session=get_session(),
            person=current_user,
            lesson=found,
            title=form.title.data,
            due_on=form.due_on.data,
            owner_person_id=owner,
            now=_now(),
        ),
        _("Remedial action tasked."),
    )


@bp.post("/lessons/<int:lesson_id>/edit")
def edit(lesson_id: int):
    found = _lesson_or_404(lesson_id)
    form = EditForm()
    if not form.validate_on_submit():
        flash(_("Give the lesson a title and an observation."), "error")
        return _back(lesson_id)
    return _attempt(
        lesson_id,
        lambda: service.edit(
            session=get_session(),
            person=current_user,
            lesson=found,
            title=form.title.data,
            observation=form.observation.data,
            discussion=form.discussion.data or "",
            conclusion=form.conclusion.data or "",
            recommendation=form.recommendation.data or "",
        ),
        _("Lesson saved."),
    )
