"""Meeting pages: schedule, drafted agenda the secretary edits, minutes and attendance, invitation."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateTimeLocalField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from coordination import playmode
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.formchecks import Form, confirmed, within_years
from coordination.i18n import BRUSSELS
from coordination.meetings import queries, service
from coordination.rules import RuleViolation, StaleVersion
from coordination.structure import queries as structure

bp = Blueprint("meetings", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts (Brussels time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), within_years]
    )
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=90, validators=[NumberRange(15, 720)])
    location = StringField(_l("Location"), validators=[Length(max=200)])
    weekly_occurrences = IntegerField(_l("Weekly occurrences"), default=1, validators=[NumberRange(1, 52)])


class AgendaItemForm(Form):
    title = StringField(_l("Add an agenda item"), validators=[DataRequired(), Length(min=3, max=300)])


class MinutesForm(Form):
    minutes = TextAreaField(_l("Minutes (Markdown)"), validators=[Length(max=100_000)])
    version = HiddenField(validators=[Length(max=40)])


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _member(session, body) -> bool:
    return any(m.person_id == current_user.id for m in body.memberships)


def _meeting_or_404(meeting_id: int):
    session = get_session()
    meeting = queries.get_visible_meeting(session=session, viewer=current_user, meeting_id=meeting_id)
    if meeting is None:
        abort(404)
    return meeting, structure.body_by_id(session=session, body_id=meeting.body_id)


@bp.route("/bodies/<slug>/meetings", methods=["GET", "POST"])
def body_meetings(slug: str):
    session = get_session()
    body = structure.get_body(session=session, slug=slug)
    if body is None:
        abort(404)
    if not (_member(session, body) or current_user.is_admin):
        abort(403)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            created = service.schedule(
                session=session,
                person=current_user,
                body=body,
                title=form.title.data,
                starts_at=form.starts_at.data.replace(tzinfo=BRUSSELS).astimezone(UTC),
                duration_minutes=form.duration_minutes.data,
                location=form.location.data or "",
                weekly_occurrences=form.weekly_occurrences.data,
            )
        except RuleViolation as error:
            flash(str(error), "error")
        else:
            flash(_("%(count)s meeting(s) scheduled.", count=len(created)), "info")
            return redirect(url_for("meetings.body_meetings", slug=slug))
    return render_template(
        "meetings/list.html",
        body=body,
        meetings=queries.meetings_of(session=session, body=body),
        form=form,
        now=datetime.now(UTC),
    ), (400 if form.errors else 200)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    session = get_session()
    found, body = _meeting_or_404(meeting_id)
    if found.agenda_drafted_at is None:
        service.draft_agenda(session=session, person=None, meeting=found, now=datetime.now(UTC))
    return _meeting_page(found, body)


def _meeting_page(found, body, *, item_form=None, minutes_form=None, conflict=None, status: int = 200):
    """The meeting page; with a form that failed validation, its errors shown and a 400; with minutes
    refused as stale (`conflict`), the stored ones beside the reader's own."""
    session = get_session()
    present = queries.attendance(session=session, meeting=found)
    version = queries.minutes_version(session=session, meeting=found)
    memberships = structure.ordered_memberships(body)
    return render_template(
        "meetings/meeting.html",
        meeting=found,
        body=body,
        agenda=queries.agenda(session=session, viewer=current_user, policy=_policy(), meeting=found),
        item_form=item_form or AgendaItemForm(formdata=None),
        minutes_form=minutes_form or MinutesForm(formdata=None, minutes=found.minutes, version=version),
        present=conflict["present"] if conflict else present,
        stored_present=[m.person.name for m in memberships if present.get(m.person_id)],
        conflict=conflict,
        memberships=memberships,
        decisions=queries.decisions_of(session=session, viewer=current_user, meeting=found),
        previous_next=queries.neighbours(session=session, meeting=found),
    ), status


@bp.post("/meetings/<int:meeting_id>/agenda")
def edit_agenda(meeting_id: int):
    session = get_session()
    found, _body = _meeting_or_404(meeting_id)
    try:
        if request.form.get("redraft"):
            service.draft_agenda(session=session, person=current_user, meeting=found, now=datetime.now(UTC))
        elif request.form.get("remove", "").isdigit():
            if not confirmed(request.form):
                abort(
                    400,
                    description=_(
                        "Tick the confirmation box to remove the agenda item; nothing was changed."
                    ),
                )
            service.remove_item(
                session=session, person=current_user, meeting=found, item_id=int(request.form["remove"])
            )
        else:
            form = AgendaItemForm()
            if not form.validate_on_submit():
                return _meeting_page(found, _body, item_form=form, status=400)
            service.add_item(session=session, person=current_user, meeting=found, title=form.title.data)
    except RuleViolation as error:
        flash(str(error), "error")
    return redirect(url_for("meetings.meeting", meeting_id=found.id) + "#agenda")


@bp.post("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int):
    session = get_session()
    found, body = _meeting_or_404(meeting_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _meeting_page(found, body, minutes_form=form, status=400)
    present = [int(v) for v in request.form.getlist("present") if v.isdigit()]
    try:
        service.record_minutes(
            session=session,
            person=current_user,
            meeting=found,
            minutes=form.minutes.data or "",
            present_ids=present,
            expected_version=form.version.data or None,
        )
    except StaleVersion as stale:
        session.rollback()
        form.version.data = stale.current
        conflict = {"present": dict.fromkeys(present, True)}
        return _meeting_page(found, body, minutes_form=form, conflict=conflict, status=409)
    except RuleViolation as error:
        flash(str(error), "error")
    else:
        flash(_("Minutes and attendance saved."), "info")
    return redirect(url_for("meetings.meeting", meeting_id=found.id) + "#minutes")


@bp.get("/meetings/<int:meeting_id>/invitation.ics")
def invitation(meeting_id: int):
    found, _body = _meeting_or_404(meeting_id)
    ics = queries.invitation(
        session=get_session(),
        viewer=current_user,
        policy=_policy(),
        meeting=found,
        base_url=playmode.base_url(),
    )
    return Response(
        ics,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{found.id}.ics"'},
    )
