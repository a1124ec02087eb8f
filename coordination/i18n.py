"""English, Dutch and French, chosen by the person (kept in the session) or by their browser."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context, request, session
from flask_babel import Babel, format_datetime, format_timedelta, get_locale, get_timezone

TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(list(languages)) or current_app.config["BABEL_DEFAULT_LOCALE"]


# Numeric patterns read the same in every language: strftime gives them at a fraction of Babel's cost,
# which counts on pages listing hundreds of times (the inbox, the dashboard).
NUMERIC_PATTERNS = {
    "yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S",
    "yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M",
    "yyyy-MM-dd": "%Y-%m-%d",
    "HH:mm": "%H:%M",
}


def datetimeformat(value=None, format=None, rebase=True) -> str:
    """Flask-Babel's `datetimeformat` filter, with a fast path for the numeric patterns."""
    pattern = NUMERIC_PATTERNS.get(format)
    if pattern is None or not isinstance(value, datetime) or not rebase:
        return format_datetime(value, format, rebase)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_timezone()).strftime(pattern)


def age(delta: timedelta) -> str:
    """How long ago, in words of the reader's language ("3 hours", "2 days")."""
    return format_timedelta(delta, granularity="minute", threshold=1.0)


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po into messages.mo (done by the set-up command, never committed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["age"] = age

    @app.context_processor
    def _languages():
        return {"languages": app.config["LANGUAGES"], "current_locale": str(get_locale())}


def language_of(person) -> str:
    """The language to write to a person in: the first of the languages they speak that the product
    has, else the default (English outside the application, e.g. a script loading data)."""
    if not has_app_context():
        return "en"
    languages = current_app.config["LANGUAGES"]
    return next(
        (code for code in (person.languages or []) if code in languages),
        current_app.config["BABEL_DEFAULT_LOCALE"],
    )
