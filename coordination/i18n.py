"""English, Dutch and French, chosen by the person (kept in the session) or by their browser."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import Babel, force_locale, format_datetime, format_timedelta, get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

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


BRUSSELS = ZoneInfo("Europe/Brussels")
"""The zone every time is shown in (BABEL_DEFAULT_TIMEZONE); also outside a request, e.g. in a script."""


def datetimeformat(value=None, format=None, rebase=True) -> str:
    """Flask-Babel's `datetimeformat` filter, with a fast path for the numeric patterns."""
    pattern = NUMERIC_PATTERNS.get(format)
    if pattern is None or not isinstance(value, datetime) or not rebase:
        return format_datetime(value, format, rebase)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_timezone() if has_app_context() else BRUSSELS).strftime(pattern)


def local_time(value: datetime, format: str = "yyyy-MM-dd HH:mm", *, language: str | None = None) -> str:
    """A time for text read away from the page (notification, e-mail, message): the page's local time,
    labelled with its zone ("2026-11-04 10:02 Brussels time") in the current or the given language."""
    if language is not None:
        with force_locale(language):
            return local_time(value, format)
    return _("%(time)s Brussels time", time=datetimeformat(value, format))


def time_element(value: datetime | None, format: str = "yyyy-MM-dd HH:mm") -> Markup:
    """A time on a page: short local text, the UTC instant for machines, the zone on hover."""
    if value is None:
        return Markup("")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    instant = value.astimezone(UTC).isoformat(timespec="seconds")
    return Markup(
        f'<time datetime="{instant}" title="{_zone_name()}">{escape(datetimeformat(value, format))}</time>'
    )


def _zone_name() -> Markup:
    """The zone's name in the page's language, looked up once per request: a list shows hundreds of times."""
    names = g.setdefault("zone_names", {}) if has_app_context() else {}
    locale = str(get_locale())
    if locale not in names:
        names[locale] = escape(_("Brussels time"))
    return names[locale]


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
    app.jinja_env.filters["time"] = time_element
    app.jinja_env.filters["age"] = age

    @app.context_processor
    def _languages():
        return {"languages": app.config["LANGUAGES"], "current_locale": str(get_locale())}


def language_of(person) -> str:
    """The language to write to a person in: the first of the languages they speak that the product
    has, else the default (English outside the application, e.g. a script loading data)."""
    return language_for(person.languages)


def language_for(spoken: list[str] | None) -> str:
    """`language_of` a person who speaks these languages."""
    if not has_app_context():
        return "en"
    languages = current_app.config["LANGUAGES"]
    return next(
        (code for code in (spoken or []) if code in languages), current_app.config["BABEL_DEFAULT_LOCALE"]
    )
