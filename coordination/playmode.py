"""Whether this request (or job) works inside an exercise, and how what it sends out says so.

An exercise's pages are the whole application on the exercise's own database (see exercises.play); they
set `g.exercise_name` and `g.play_root`. E-mail subjects, exports, feeds and document markings ask here so
that nothing made in an exercise can be taken for real work once it leaves the page."""

from contextlib import contextmanager

from flask import current_app, g, has_app_context

EXERCISE_MARK = "EXERCISE — OEFENING — EXERCICE"
"""Like a classification marking, written in the three languages whatever the reader's (see
standards.marking)."""


def exercise_name() -> str | None:
    """The exercise's name when this request or job works in one, else None."""
    return g.get("exercise_name") if has_app_context() else None


def marked(text: str) -> str:
    """`text` with the exercise's mark before it when in an exercise (titles of feeds and documents)."""
    name = exercise_name()
    return f"EXERCISE ({name}): {text}" if name else text


def subject_prefix() -> str:
    name = exercise_name()
    return f"[EXERCISE {name}] " if name else ""


def cap_status() -> str:
    """CAP 1.2's <status>: Exercise for what an exercise sends, else Actual."""
    return "Exercise" if exercise_name() else "Actual"


def base_url(config=None) -> str:
    """The site's address for links that leave the page (e-mails, feeds, exports): within an exercise,
    the exercise's pages."""
    base = (config if config is not None else current_app.config)["BASE_URL"].rstrip("/")
    return base + (g.get("play_root", "") if has_app_context() else "")


def site_url() -> str:
    """The site's address without the exercise's prefix: for links made with `url_for`, which carries the
    prefix already."""
    return current_app.config["BASE_URL"].rstrip("/")


@contextmanager
def working_in(name: str, play_root: str):
    """Within the block, this application context works in the exercise `name` whose pages are under
    `play_root` (the scheduler's jobs, run for each running exercise)."""
    before = {key: g.pop(key, None) for key in ("exercise_name", "play_root")}
    g.exercise_name, g.play_root = name, play_root
    try:
        yield
    finally:
        for key, value in before.items():
            g.pop(key, None)
            if value is not None:
                setattr(g, key, value)
