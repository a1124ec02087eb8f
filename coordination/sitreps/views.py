"""Pages of situation reports: compile a draft for a period, read, edit, mark, submit, print."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from coordination import playmode
from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.db import get_session
from coordination.formchecks import Form
from coordination.reports.forms import CLASSIFICATION_CHOICES
from coordination.rules import RuleViolation, StaleVersion
from coordination.sitreps import exports, queries, service
from coordination.sitreps.enums import SitrepStatus
from coordination.sitreps.models import SituationReport
from coordination.standards import edxl, pdf
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind

bp = Blueprint("sitreps", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


def _now() -> datetime:
    return datetime.now(UTC)


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


class SitrepForm(Form):
    period_start = DateField(_l("From"), validators=[DataRequired()])
    period_end = DateField(_l("To"), validators=[DataRequired()])


class SitrepEditForm(Form):
    body = TextAreaField(_l("Situation report (Markdown)"), validators=[Length(max=100_000)])
    classification = SelectField(_l("Classification"), choices=CLASSIFICATION_CHOICES)
    version = HiddenField(validators=[Length(max=40)])


def sitrep_form(body) -> SitrepForm:
    """The form that compiles a task force's next situation report, its period proposed from the cadence."""
    today = _now().date()
    return SitrepForm(period_start=today - timedelta(days=body.sitrep_every_days), period_end=today)


@bp.post("/task-forces/<slug>/situation-reports")
def compile_sitrep(slug: str):
    session = get_session()
    task_force = structure.find_body(session=session, slug=slug)
    if task_force is None or task_force.kind != BodyKind.task_force:
        abort(404)
    form = SitrepForm()
    if not form.validate_on_submit():
        flash(_("Give the period of the situation report."), "error")
        return redirect(url_for("taskforces.task_force", slug=slug))
    try:
        sitrep = service.compile_draft(
            session=session,
            person=current_user,
            policy=_policy(),
            task_force=task_force,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            now=_now(),
        )
    except RuleViolation as error:
        flash(str(error), "error")
        return redirect(url_for("taskforces.task_force", slug=slug))
    return redirect(url_for("sitreps.sitrep", sitrep_id=sitrep.id))


@bp.route("/situation-reports/<int:sitrep_id>", methods=["GET", "POST"])
def sitrep(sitrep_id: int):
    session = get_session()
    found = queries.get_visible_sitrep(
        session=session, viewer=current_user, policy=_policy(), sitrep_id=sitrep_id
    )
    if found is None:
        abort(404)
    body = structure.bodies_by_id(session=session, ids=[found.task_force_id])[found.task_force_id]
    form = SitrepEditForm(
        body=found.body, classification=str(found.classification), version=queries.version(found)
    )
    held = Clearance(current_user.clearance)
    form.classification.choices = [
        (value, label)
        for value, label in CLASSIFICATION_CHOICES
        if held.covers(value) and Clearance(value).covers(found.quoted_classification)
    ]
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise RuleViolation(_("Check the text and the classification."), "body")
            read = form.version.data or None
            if form.body.data != found.body or form.classification.data != found.classification:
                service.edit(
                    session=session,
                    person=current_user,
                    sitrep=found,
                    body=form.body.data or "",
                    classification=form.classification.data,
                    expected_version=read,
                )
                read = queries.version(found)
            if request.form.get("submit_report"):
                service.submit(
                    session=session, person=current_user, sitrep=found, now=_now(), expected_version=read
                )
                flash(_("Situation report submitted to the steering group."), "info")
            else:
                flash(_("Draft saved."), "info")
        except StaleVersion as stale:
            session.rollback()
            form.version.data = stale.current
            return render_template(
                "sitreps/sitrep.html", sitrep=found, body=body, form=form, editable=True, conflict=True
            ), 409
        except RuleViolation as error:
            session.rollback()
            flash(str(error), "error")
        return redirect(url_for("sitreps.sitrep", sitrep_id=found.id))
    audit.record_opening(
        session,
        actor_id=current_user.id,
        action="sitrep.open",
        object_type="situation_report",
        object_id=found.id,
        classification=found.classification,
    )
    template = "sitreps/sitrep_print.html" if request.args.get("print") else "sitreps/sitrep.html"
    return render_template(
        template, sitrep=found, body=body, form=form, editable=found.status == SitrepStatus.draft
    )


def _submitted_or_404(sitrep_id: int) -> SituationReport:
    """A submitted situation report this reader may see; a draft is not exported."""
    found = queries.get_visible_sitrep(
        session=get_session(), viewer=current_user, policy=_policy(), sitrep_id=sitrep_id
    )
    if found is None or found.status != SitrepStatus.submitted:
        abort(404)
    return found


def _opened(found: SituationReport, action: str) -> None:
    audit.record_opening(
        get_session(),
        actor_id=current_user.id,
        action=action,
        object_type="situation_report",
        object_id=found.id,
        classification=found.classification,
    )


@bp.get("/situation-reports/<int:sitrep_id>.pdf")
def sitrep_pdf(sitrep_id: int):
    found = _submitted_or_404(sitrep_id)
    _opened(found, "sitrep.pdf")
    data = exports.pdf_of(session=get_session(), sitrep=found)
    return _download(data, pdf.MEDIA_TYPE, f"situation-report-{found.id}.pdf", inline=True)


@bp.get("/situation-reports/<int:sitrep_id>/edxl-sitrep.xml")
def sitrep_edxl(sitrep_id: int):
    found = _submitted_or_404(sitrep_id)
    _opened(found, "sitrep.edxl")
    data = exports.edxl_of(session=get_session(), sitrep=found, base_url=playmode.base_url())
    return _download(data, edxl.MEDIA_TYPE, f"situation-report-{found.id}.xml")


def _download(data: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'}
    )
