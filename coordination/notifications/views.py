"""Pages of a person's notifications and of their settings (e-mail preference, personal feed links)."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordination import playmode
from coordination.db import get_session
from coordination.notifications import service
from coordination.notifications.forms import PreferencesForm
from coordination.structure import queries as structure

bp = Blueprint("notifications", __name__)


def feed_reader_or_404(token: str):
    """The person whose feed token this is, as the personal feeds read for them; 404 for any other token."""
    person = service.person_for_feed_token(
        session=get_session(), token=token, production=current_app.config["COORDINATION_ENV"] == "production"
    )
    if person is None:
        abort(404)
    return structure.get_person(session=get_session(), person_id=person.id)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


@bp.app_context_processor
def _notification_count():
    if not current_user.is_authenticated:
        return {}
    return {"notifications_unread": service.unread_count(session=get_session(), person=current_user)}


@bp.get("/notifications")
def notifications_page():
    items = service.unread(session=get_session(), person=current_user)
    return render_template("notifications/notifications.html", items=items)


@bp.post("/notifications/read")
def notifications_read():
    service.mark_all_read(session=get_session(), person=current_user, now=datetime.now(UTC))
    return redirect(url_for("notifications.notifications_page"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    session = get_session()
    current = service.settings_of(session=session, person_id=current_user.id)
    form = PreferencesForm(email=current.email)
    token = None
    if request.method == "POST":
        if request.form.get("new_feed_token") and form.validate_on_submit():
            token = service.new_feed_token(session=session, person=current_user)
            flash(_("New feed links made; the old ones no longer work."), "info")
        elif form.validate_on_submit():
            service.set_email_preference(session=session, person=current_user, preference=form.email.data)
            flash(_("Preferences saved."), "info")
            return redirect(url_for("notifications.settings"))
    base = playmode.site_url()  # before url_for paths
    return render_template(
        "notifications/settings.html",
        form=form,
        token=token,
        has_token=bool(current.feed_token_hash),
        base=base,
    )
