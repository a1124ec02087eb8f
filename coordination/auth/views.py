"""Sign-in pages, the language picker, and Flask-Login / CSRF wiring."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import (
    LoginManager,
    current_user,
    login_required,
    login_user,
    logout_user,
    user_loaded_from_cookie,
)
from flask_wtf import CSRFProtect
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from coordination.audit import service as audit
from coordination.auth import service as auth
from coordination.auth.throttle import SignInLimits
from coordination.db import get_session, home_session
from coordination.formchecks import Form
from coordination.i18n import local_time
from coordination.notifications import service as notifications
from coordination.seed import demo_accounts_listed
from coordination.structure import queries as structure

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class SignInForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ConfirmForm(Form):
    """A button that changes something: only its CSRF token."""


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=auth.MIN_PASSWORD_LENGTH, max=1024)],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class LanguageForm(Form):
    locale = SelectField(_l("Language"), choices=[])


REFUSALS = {
    "credentials": _l("Wrong e-mail address or password."),
    "disabled": _l("This account is disabled."),
    "demo": _l("Demo accounts cannot sign in to a production instance."),
}


def refusal_message(refused: auth.SignInRefused) -> str:
    if refused.reason == "throttled":
        return _(
            "Too many failed sign-ins; try again after %(time)s or ask an administrator.",
            time=local_time(refused.until, "HH:mm"),
        )
    return str(REFUSALS[refused.reason])


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("structure.home")


def _production() -> bool:
    return current_app.config["COORDINATION_ENV"] == "production"


def _session_lifetime() -> timedelta:
    return auth.session_lifetime(current_app.config)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("structure.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            person = auth.authenticate(
                session=db,
                email=form.email.data,
                password=form.password.data,
                production=_production(),
                address=request.remote_addr,
                limits=SignInLimits.from_config(current_app.config),
            )
        except auth.SignInRefused as refused:
            form.password.errors.append(refusal_message(refused))
            status = 429 if refused.reason == "throttled" else 400
            headers = {"Retry-After": auth.retry_after(refused)} if refused.reason == "throttled" else {}
        else:
            session.clear()
            login_user(person, remember=form.remember.data)
            # The session and remember-me cookies carry a key of this sign-in, which sign-out ends.
            session["_user_id"] = auth.start_session(
                session=db,
                person=person,
                lifetime=_session_lifetime(),
                user_agent=request.user_agent.string,
                address=request.remote_addr,
            )
            audit.record(
                db, actor_id=person.id, action="session.sign_in", object_type="person", object_id=person.id
            )
            db.commit()
            return redirect(_safe_next(request.args.get("next")))
    else:
        status, headers = 200 if not form.errors else 400, {}
    demo_accounts = [] if _production() else demo_accounts_listed()
    return render_template("auth/login.html", form=form, demo_accounts=demo_accounts), status, headers


@bp.post("/logout")
@login_required
def logout():
    db = get_session()
    auth.end_session(session=db, user_id=session.get("_user_id"))
    db.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of the person (this one too), revoke their API tokens and stop their feed links."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    auth.sign_out_everywhere(session=db, person=current_user)
    notifications.revoke_feed_token(session=db, person=current_user)
    db.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out everywhere; your API tokens and feed links no longer work."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/settings/tokens")
@login_required
def tokens():
    """Sign-ins and API tokens: each browser signed in as this person, and the tokens that still work."""
    db = get_session()
    return render_template(
        "auth/tokens.html",
        sessions=auth.sessions_of(session=db, person_id=current_user.id, lifetime=_session_lifetime()),
        this_browser=auth.public_id_of_cookie(session.get("_user_id")),
        public_id=auth.public_session_id,
        tokens=auth.tokens_of(session=db, person_id=current_user.id),
        form=ConfirmForm(),
    )


@bp.post("/settings/sessions/<session_id>/revoke")
@login_required
def revoke_session(session_id: str):
    """End one sign-in; ending this browser's signs it out."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    if not auth.revoke_session(session=db, person=current_user, session_id=session_id):
        abort(404)
    db.commit()
    if session_id == auth.public_id_of_cookie(session.get("_user_id")):
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That sign-in is ended: the browser that held it is signed out."), "info")
    return redirect(url_for("auth.tokens"))


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password: every other sign-in and every API token ends; this browser stays signed in
    with a fresh session. A wrong current password counts as a failed sign-in (throttled alike)."""
    form = ChangePasswordForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        db = get_session()
        person = current_user._get_current_object()
        try:
            user_id = auth.change_password(
                session=db,
                person=person,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                production=_production(),
                limits=SignInLimits.from_config(current_app.config),
                lifetime=_session_lifetime(),
                user_agent=request.user_agent.string,
                address=request.remote_addr,
            )
        except auth.SignInRefused as refused:
            message = _("Wrong password.") if refused.reason == "credentials" else refusal_message(refused)
            form.current_password.errors.append(message)
            status = 429 if refused.reason == "throttled" else 400
            headers = {"Retry-After": auth.retry_after(refused)} if refused.reason == "throttled" else {}
        else:
            db.commit()
            remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(person, remember=remember)
            session["_user_id"] = user_id
            flash(_("Your password is changed. Your other sign-ins and your API tokens have ended."), "info")
            return redirect(url_for("notifications.settings"))
    elif form.errors:
        status = 400
    return render_template("auth/password.html", form=form), status, headers


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    if not auth.revoke_token(session=db, person=current_user, token_id=token_id):
        abort(404)
    db.commit()
    flash(_("The API token is revoked."), "info")
    return redirect(url_for("auth.tokens"))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    form.locale.choices = list(current_app.config["LANGUAGES"].items())
    if form.validate_on_submit():
        session["locale"] = form.locale.data
    return redirect(_safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_person(user_id: str):
        db = home_session()  # sign-in is the real one, on an exercise's pages too
        signed_in = auth.signed_in_session(session=db, user_id=user_id, lifetime=_session_lifetime())
        if signed_in is None:
            return None
        person = structure.get_person(session=db, person_id=signed_in.person_id)
        if person is None or not person.active or (_production() and person.is_demo):
            return None
        g.signed_in_session = signed_in
        return person

    @user_loaded_from_cookie.connect_via(app)
    def _mark_session_of_this_browser(_app, user):
        """A browser signed in by its remember-me cookie gets the identifier that "strong" session protection
        checks (Flask-Login sets it only in login_user): without it the next request found none, cleared
        the session and the remember-me cookie, and "Keep me signed in" lasted one request."""
        session["_id"] = login_manager._session_identifier_generator()

    @app.before_request
    def _note_session_seen():
        """Keep "last seen" of the browser's sign-in (at most every few minutes), before the view writes."""
        if request.endpoint in (None, "static") or request.blueprint == "api":
            return
        if current_user.is_authenticated and g.get("signed_in_session") is not None:
            auth.note_session_seen(
                session=home_session(),
                row=g.signed_in_session,
                user_agent=request.user_agent.string,
                address=request.remote_addr,
            )

    @app.context_processor
    def _language_form():
        form = LanguageForm()
        form.locale.choices = list(app.config["LANGUAGES"].items())
        return {"language_form": form, "password_min_length": auth.MIN_PASSWORD_LENGTH}

    app.register_blueprint(bp)
