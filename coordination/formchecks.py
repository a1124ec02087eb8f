"""Checks shared by the HTML forms, so that a page refuses what the API refuses: trimmed text, dates
within the years the platform records."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from coordination.types import FIRST_YEAR, LAST_YEAR


def strip_text(value):
    """A form filter: text trimmed, so a title of spaces only is empty (and the length counts the text)."""
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every form: one-line text fields are trimmed before they are checked (a title of
    spaces is empty, and a length limit counts the text), as the API's `Title` type does. Passwords and
    multi-line texts (Markdown, where leading spaces mean something) are kept as typed. No text field
    gets a `maxlength` attribute: a browser silently cuts a longer paste to it, where the server refuses
    the text with an error naming the limit and keeps it for the writer to shorten."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField | TextAreaField):
                filters = unbound_field.kwargs.get("filters", [])
                if strip_text not in filters:
                    unbound_field.kwargs["filters"] = [strip_text, *filters]
            return unbound_field.bind(form=form, **options)

        def render_field(self, field, render_kw):
            if isinstance(field, StringField):
                render_kw = {"maxlength": False, **render_kw}
            return super().render_field(field, render_kw)


def confirmed(formdata) -> bool:
    """Whether a destructive one-click action's "I confirm" box (`confirm=yes`) was ticked. The page's
    box is `required`, so a browser asks for it first; the view refuses a post without it, so no
    stray click or replayed form loses anything."""
    return formdata.get("confirm") == "yes"


def within_years(form, field) -> None:
    """A date or date-time field between FIRST_YEAR and LAST_YEAR."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l("Give a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        )
