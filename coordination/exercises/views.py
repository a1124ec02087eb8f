"""The exercises' pages on the real site: the list and the archive, planning one from the library, the
controller's page (clock, steps, injects, injecting by hand, deleting) and the evaluation with the
after-action review. The exercise itself is played on its own pages (see play.py)."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from coordination.attachments.storage import store_from_config
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.exercises import clock, queries, scripts, service
from coordination.exercises.enums import MAX_SPEED
from coordination.formchecks import Form
from coordination.lessons import queries as lessons
from coordination.markup import render_markdown
from coordination.reports.forms import CLASSIFICATION_CHOICES, SEVERITY_CHOICES
from coordination.rules import Conflict, RuleViolation
from coordination.structure import queries as structure

bp = Blueprint("exercises", __name__, url_prefix="/exercises")

STEPS = {
    "start": (service.start, _l("The exercise has started: its injects will be posted as they fall due.")),
    "pause": (service.pause, _l("The exercise is paused: its clock stands still.")),
    "resume": (service.resume, _l("The exercise has resumed.")),
    "end": (service.end, _l("The exercise has ended: its record is now read-only.")),
    "archive": (service.archive, _l("The exercise is archived.")),
}


class PlanForm(Form):
    script_key = SelectField(_l("Script"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])


class SpeedForm(Form):
    speed = IntegerField(
        _l("Speed"), validators=[DataRequired(), NumberRange(min=1, max=MAX_SPEED)], default=1
    )


class StepForm(Form):
    """A step's button: only its CSRF token."""


class InjectForm(Form):
    mission = SelectField(_l("From mission"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    body = TextAreaField(_l("Report"), validators=[Optional(), Length(max=20_000)])
    severity = SelectField(_l("Severity"), choices=SEVERITY_CHOICES, default="info")
    early_warning = BooleanField(_l("Early warning"))
    classification = SelectField(_l("Classification"), choices=CLASSIFICATION_CHOICES, default="unclassified")


class ReviewForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    observation = TextAreaField(
        _l("Observation (what happened, as fact)"), validators=[DataRequired(), Length(max=20_000)]
    )
    recommendation = TextAreaField(_l("Recommendation"), validators=[Optional(), Length(max=20_000)])
    classification = SelectField(_l("Classification"), choices=CLASSIFICATION_CHOICES, default="unclassified")


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person, and none is an exercise's own page."""
    if g.get("exercise") is not None:
        abort(404)


def _now() -> datetime:
    return datetime.now(UTC)


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _exercise_or_404(key: str):
    exercise = queries.by_key(session=get_session(), key=key)
    if exercise is None:
        abort(404)
    return exercise


def _controller_or_403() -> None:
    if not service.may_control(session=get_session(), person=current_user):
        abort(403)


def _library_choices() -> list[tuple[str, str]]:
    return [(key, script.name) for key, script in scripts.library().items()]


def _list_page(form: PlanForm, *, controls: bool, status: int = 200):
    current, archive = queries.current_and_past(session=get_session())
    return render_template(
        "exercises/list.html",
        current=current,
        archive=archive,
        controls=controls,
        form=form,
        library=scripts.library(),
        now=_now(),
        elapsed=clock.exercise_elapsed,
        format_duration=scripts.format_duration,
    ), status


@bp.get("")
def list_exercises():
    controls = service.may_control(session=get_session(), person=current_user)
    form = PlanForm()
    form.script_key.choices = _library_choices() if controls else []
    return _list_page(form, controls=controls)


@bp.post("")
def plan_exercise():
    _controller_or_403()
    session = get_session()
    form = PlanForm()
    form.script_key.choices = _library_choices()
    if form.validate_on_submit():
        try:
            exercise = service.plan(
                session=session,
                actor=current_user,
                script_key=form.script_key.data,
                name=form.name.data or "",
                now=_now(),
            )
        except RuleViolation as error:
            session.rollback()
            getattr(form, error.field or "name", form.name).errors.append(str(error))
        else:
            flash(_("The exercise is planned. Start it when the players are ready."), "info")
            return redirect(url_for("exercises.exercise", key=exercise.key))
    return _list_page(form, controls=True, status=400)


def _mission_choices() -> list[tuple[str, str]]:
    """The open missions an inject by hand may come from."""
    missions = structure.list_missions(session=get_session())
    return [(m.code, f"{m.code} · {m.name}") for m in missions if m.closed_at is None]


def _exercise_page(exercise, *, inject_form=None, speed_form=None, status: int = 200):
    session = get_session()
    controls = service.may_control(session=session, person=current_user)
    script = scripts.library().get(exercise.script_key)
    now = _now()
    if inject_form is None:
        inject_form = InjectForm()
        inject_form.mission.choices = _mission_choices()
    if speed_form is None:
        speed_form = SpeedForm(speed=exercise.speed)
    hidden = service.hidden_injects(script, current_user) if script else set()
    records = queries.injects_of(session=session, exercise=exercise) if controls else []
    records = [r for r in records if r.inject_key not in hidden]
    by_key = {r.inject_key: r for r in records}
    return render_template(
        "exercises/exercise.html",
        exercise=exercise,
        script=script,
        description_html=render_markdown(script.description) if script and script.description else None,
        controls=controls,
        steps=[s for s, allowed in service.NEXT.items() if exercise.status in allowed and s in STEPS],
        elapsed=clock.exercise_elapsed(exercise, now),
        injects=[i for i in script.injects if i.key not in hidden] if script else [],
        due=service.due(session=session, exercise=exercise, now=now) if controls else [],
        records=records,
        by_key=by_key,
        inject_form=inject_form,
        speed_form=speed_form,
        step_form=StepForm(),
        playable=exercise.status in queries.PLAYABLE,
        writable=exercise.status in queries.WRITABLE,
        format_duration=scripts.format_duration,
    ), status


@bp.get("/<key>")
def exercise(key: str):
    return _exercise_page(_exercise_or_404(key))


@bp.post("/<key>/<any(start, pause, resume, end, archive):step>")
def step(key: str, step: str):
    _controller_or_403()
    session = get_session()
    exercise = _exercise_or_404(key)
    if not StepForm().validate_on_submit():
        abort(400)
    command, done = STEPS[step]
    try:
        command(session=session, actor=current_user, exercise=exercise, now=_now())
    except Conflict as error:
        session.rollback()
        flash(str(error), "error")
        return _exercise_page(exercise, status=409)
    flash(str(done), "info")
    return redirect(url_for("exercises.exercise", key=exercise.key))


@bp.post("/<key>/speed")
def speed(key: str):
    _controller_or_403()
    session = get_session()
    exercise = _exercise_or_404(key)
    form = SpeedForm()
    if form.validate_on_submit():
        try:
            service.set_speed(
                session=session, actor=current_user, exercise=exercise, speed=form.speed.data, now=_now()
            )
        except RuleViolation as error:
            session.rollback()
            form.speed.errors.append(str(error))
        else:
            flash(_("The exercise's clock now runs at ×%(speed)s.", speed=exercise.speed), "info")
            return redirect(url_for("exercises.exercise", key=exercise.key))
    return _exercise_page(exercise, speed_form=form, status=400)


@bp.post("/<key>/post-due")
def post_due(key: str):
    """Post what has fallen due now, without waiting for the scheduler's next minute."""
    _controller_or_403()
    session = get_session()
    exercise = _exercise_or_404(key)
    if not StepForm().validate_on_submit():
        abort(400)
    done = service.post_due(session=session, exercise=exercise, now=_now(), policy=_policy())
    flash(ngettext("%(num)s inject dealt with.", "%(num)s injects dealt with.", len(done)), "info")
    return redirect(url_for("exercises.exercise", key=exercise.key))


@bp.post("/<key>/inject")
def inject(key: str):
    _controller_or_403()
    session = get_session()
    exercise = _exercise_or_404(key)
    form = InjectForm()
    form.mission.choices = _mission_choices()
    if form.validate_on_submit():
        try:
            service.inject_by_hand(
                session=session,
                actor=current_user,
                exercise=exercise,
                mission=form.mission.data,
                title=form.title.data,
                body=form.body.data or "",
                severity=form.severity.data,
                early_warning=form.early_warning.data,
                classification=form.classification.data,
                now=_now(),
                policy=_policy(),
            )
        except RuleViolation as error:
            session.rollback()
            getattr(form, error.field or "title", form.title).errors.append(str(error))
        else:
            flash(_("The inject is posted in the exercise."), "info")
            return redirect(url_for("exercises.exercise", key=exercise.key))
    return _exercise_page(exercise, inject_form=form, status=400)


@bp.post("/<key>/delete")
def delete(key: str):
    _controller_or_403()
    session = get_session()
    exercise = _exercise_or_404(key)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        service.delete(
            session=session,
            actor=current_user,
            exercise=exercise,
            now=_now(),
            files=store_from_config(current_app.config),
        )
    except Conflict as error:
        session.rollback()
        flash(str(error), "error")
        return _exercise_page(exercise, status=409)
    flash(_("The exercise and everything made in it are deleted."), "info")
    return redirect(url_for("exercises.list_exercises"))


def _evaluation_page(exercise, form=None, status: int = 200):
    session = get_session()
    script = scripts.library().get(exercise.script_key)
    result = service.evaluate(session=session, exercise=exercise, viewer=current_user)
    return render_template(
        "exercises/evaluation.html",
        exercise=exercise,
        script=script,
        result=result,
        form=form or ReviewForm(),
        lessons=lessons.from_exercise(session=session, viewer=current_user, name=exercise.name),
        format_duration=scripts.format_duration,
    ), status


@bp.get("/<key>/evaluation")
def evaluation(key: str):
    _controller_or_403()
    return _evaluation_page(_exercise_or_404(key))


@bp.post("/<key>/review")
def review(key: str):
    _controller_or_403()
    session = get_session()
    exercise = _exercise_or_404(key)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            lesson = service.review(
                session=session,
                actor=current_user,
                exercise=exercise,
                title=form.title.data,
                observation=form.observation.data,
                recommendation=form.recommendation.data or "",
                classification=form.classification.data,
                now=_now(),
                policy=_policy(),
            )
        except RuleViolation as error:
            session.rollback()
            getattr(form, error.field or "title", form.title).errors.append(str(error))
        else:
            flash(_("The observation is in the lessons log, marked as coming from the exercise."), "info")
            return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
    return _evaluation_page(exercise, form=form, status=400)


@bp.app_template_global("exercise_play_url")
def play_url(key: str) -> str:
    """The exercise's own pages (served by play.py under this prefix)."""
    return f"{request.script_root}/exercises/{key}/play/"


@bp.app_template_filter("exercise_time")
def exercise_time(elapsed) -> str:
    """T+hh:mm of exercise time."""
    minutes = int(elapsed.total_seconds() // 60)
    return f"T+{minutes // 60:02d}:{minutes % 60:02d}"
