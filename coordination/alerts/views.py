"""The administrators' page of CAP alert feeds: each feed's state (last poll, last success, failing with
its error and next retry, alerts taken in), adding a feed, changing or disabling one."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from coordination.alerts import queries, service
from coordination.db import get_session
from coordination.formchecks import Form
from coordination.rules import RuleViolation

bp = Blueprint("alerts", __name__)


class FeedForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    url = StringField(_l("Address (URL) of the feed"), validators=[DataRequired(), Length(max=500)])
    poll_minutes = IntegerField(
        _l("Poll every (minutes)"),
        default=15,
        validators=[DataRequired(), NumberRange(min=service.POLL_MINUTES[0], max=service.POLL_MINUTES[1])],
    )


class FeedEditForm(FeedForm):
    enabled = BooleanField(_l("Polled (untick to disable the feed)"))


@bp.before_request
@login_required
def _administrators_only():
    """Only administrators see the feeds; for anyone else the pages do not exist."""
    if not current_user.is_admin:
        abort(404)


def _refused(form, error: RuleViolation) -> None:
    get_session().rollback()
    field = form._fields.get(error.field or "") or form.name
    field.errors = [*field.errors, str(error)]


def _list_page(form, status: int = 200):
    rows = queries.feed_rows(session=get_session(), viewer=current_user)
    return render_template("alerts/feeds.html", rows=rows, form=form), status


@bp.get("/admin/alert-feeds")
def feeds():
    return _list_page(FeedForm(formdata=None))


@bp.post("/admin/alert-feeds")
def add_feed():
    form = FeedForm()
    if form.validate_on_submit():
        try:
            service.add_feed(
                session=get_session(),
                actor=current_user,
                name=form.name.data,
                url=form.url.data,
                poll_minutes=form.poll_minutes.data,
            )
        except RuleViolation as error:
            _refused(form, error)
        else:
            flash(_("Feed added: the scheduler polls it within a minute."), "info")
            return redirect(url_for("alerts.feeds"))
    return _list_page(form, status=400)


@bp.route("/admin/alert-feeds/<int:feed_id>/edit", methods=["GET", "POST"])
def edit_feed(feed_id: int):
    found = queries.get_feed(session=get_session(), viewer=current_user, feed_id=feed_id)
    if found is None:
        abort(404)
    form = FeedEditForm(
        data={
            "name": found.name,
            "url": found.url,
            "poll_minutes": found.poll_minutes,
            "enabled": found.enabled,
        }
        if request.method == "GET"
        else None
    )
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.change_feed(
                session=get_session(),
                actor=current_user,
                feed=found,
                name=form.name.data,
                url=form.url.data,
                poll_minutes=form.poll_minutes.data,
                enabled=form.enabled.data,
            )
        except RuleViolation as error:
            _refused(form, error)
        else:
            flash(_("Feed saved."), "info")
            return redirect(url_for("alerts.feeds"))
    status = 400 if request.method == "POST" else 200
    return render_template("alerts/feed_form.html", form=form, feed=found), status
