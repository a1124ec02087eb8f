"""An exercise's pages: the whole application served under /exercises/<key>/play/ on the exercise's own
database, under a banner and a colour of their own.

A WSGI layer moves the prefix into SCRIPT_NAME, so every route and every `url_for` works unchanged and
every link stays inside the exercise; a hook selects the exercise's engine for the request's session
(`db.get_session`). Sign-in stays the real one (`db.home_session`): the people are the same, by id, since
the exercise's database holds a copy of the organisation. Need-to-know applies as everywhere, since the
same queries run. Once the exercise has ended its record is read-only."""

import re

from flask import Flask, abort, current_app, g, redirect, render_template, request
from flask_login import current_user
from sqlmodel import Session

from coordination import db, playmode
from coordination.api import bearer_person
from coordination.api.problems import problem
from coordination.exercises import clock, queries, store
from coordination.structure import queries as structure
from coordination.types import utcnow

PREFIX = re.compile(r"^/exercises/(?P<key>[a-z0-9][a-z0-9-]{0,79})/play(?=/|$)")
ENVIRON_KEY = "coordination.exercise"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REAL_SIGN_IN = "auth"
"""The blueprint whose pages (sign-in, sign-out, password, tokens, sessions) an exercise sends to the real
site: sign-in is kept in the real database."""


class PlayPrefix:
    """WSGI middleware: /exercises/<key>/play/<path> is <path> of the application, with the prefix as its
    script root and the exercise's key noted in the environ."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        found = PREFIX.match(path)
        if found:
            environ["coordination.real_script_root"] = environ.get("SCRIPT_NAME", "")
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + found.group(0)
            environ["PATH_INFO"] = path[found.end() :] or "/"
            environ[ENVIRON_KEY] = found.group("key")
        return self.wsgi_app(environ, start_response)


def _real_url() -> str:
    """The address of this request on the real site (outside the exercise)."""
    path = request.environ.get("coordination.real_script_root", "") + request.path
    query = request.query_string.decode("latin-1")
    return path + (f"?{query}" if query else "")


PLAY_KEYS = ("exercise", "exercise_name", "play_root", "play_engine")


def _leave_exercise(_exc=None) -> None:
    """Nothing of an exercise's request outlives it: where an application context spans requests (a test
    client's, a script's), the next request must not find the exercise's database in `g`."""
    if g.get("play_engine") is None:
        return
    for name in PLAY_KEYS:
        g.pop(name, None)
    for name in ("db_session", "home_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()


def _enter_exercise():
    _leave_exercise()
    key = request.environ.get(ENVIRON_KEY)
    if key is None:
        return None
    main = db.engine_of(current_app)
    g.home_session = Session(main, expire_on_commit=False)
    exercise = queries.by_key(session=g.home_session, key=key)
    g.home_session.commit()
    if exercise is None or exercise.status not in queries.PLAYABLE:
        abort(404)
    if request.blueprint == REAL_SIGN_IN and request.endpoint != "auth.set_language":
        return redirect(_real_url(), 307)
    g.exercise, g.exercise_name = exercise, exercise.name
    g.play_root = request.script_root
    g.play_engine = store.engine_for(main.url.render_as_string(hide_password=False), exercise.key)
    if request.method not in SAFE_METHODS and exercise.status not in queries.WRITABLE:
        abort(409, description="This exercise has ended: its record is kept as it was, read-only.")
    person = _signed_in_person()
    if person is not None and structure.get_person(session=db.get_session(), person_id=person.id) is None:
        # the organisation was copied when the exercise started: someone added since is not in it
        if request.blueprint == "api":
            return problem(403, "You joined the organisation after this exercise started: you are not in it.")
        return render_template("exercises/not_a_player.html"), 403
    return None


def _signed_in_person():
    """Whoever signed in (a page's cookie or an API token), without requiring it: the views decide."""
    if request.blueprint == "api":
        return bearer_person()
    return current_user if current_user.is_authenticated else None


def _exercise_marks(response):
    """Downloads made in an exercise say so in their file name and in a header."""
    name = g.get("exercise_name")
    if name is None:
        return response
    response.headers["X-Coordination-Exercise"] = g.exercise.key
    disposition = response.headers.get("Content-Disposition")
    if disposition and "filename=" in disposition:
        response.headers["Content-Disposition"] = re.sub(
            r'filename=("?)', r"filename=\1EXERCISE-", disposition, count=1
        )
    return response


def _banner():
    exercise = g.get("exercise")
    if exercise is None:
        return {"playing": None}
    return {
        "playing": exercise,
        "exercise_clock": clock.exercise_elapsed(exercise, utcnow()),
        "exercise_home": request.environ.get("coordination.real_script_root", "")
        + f"/exercises/{exercise.key}",
    }


def init_app(app: Flask) -> None:
    """Before any other hook: the request's database must be chosen before anything reads it."""
    app.wsgi_app = PlayPrefix(app.wsgi_app)
    app.before_request_funcs.setdefault(None, []).insert(0, _enter_exercise)
    app.after_request(_exercise_marks)
    app.teardown_request(_leave_exercise)
    app.context_processor(_banner)
    app.add_template_filter(on_site, "on_site")
    app.add_template_global(playmode.marked, "exercise_marked")


def on_site(link: str) -> str:
    """A site-relative link kept in the database (a notification's, a search hit's), on this site: within
    an exercise, the exercise's page."""
    return request.script_root + link if link.startswith("/") and not link.startswith("//") else link
