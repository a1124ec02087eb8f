"""Checks shared by the HTML forms, so that a page refuses what the API refuses: trimmed text, dates
within the years the platform records."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from coordination.countries import country_name, find_countries, find_country, sort_key
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


class CountryField(SelectField):
    """A country chosen by name from a list in the reader's language (the view sets `choices`, e.g. with
    `countries.country_choices`), stored as its alpha-3 code. A name typed in English, Dutch or French, or
    an ISO code, is taken too (a script or a browser filling the form in); a country not in the list is
    refused in words a person understands."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.typed = ""

    def process_formdata(self, valuelist):
        if valuelist:
            self.typed = (valuelist[0] or "").strip()
            self.data = find_country(self.typed) if self.typed else ""

    def pre_validate(self, form):
        if not self.typed:
            return
        listed = {str(value) for value, _label in self.choices if value}
        if self.data is None:  # a name as the list shows it, e.g. the platform's own "DR Congo"
            plain = sort_key(self.typed)
            named = {sort_key(str(label)): str(value) for value, label in self.choices if value}
            self.data = named.get(plain)
        if self.data not in listed:
            raise ValidationError(
                _l("“%(typed)s” is not a country in the list: choose one from the list.", typed=self.typed)
            )


class CountryListField(StringField):
    """Several countries typed by name (in English, Dutch or French) or ISO code, separated by commas;
    `data` is the list of alpha-3 codes, shown back as names in the reader's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.unknown: list[str] = []

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        if valuelist:
            self.raw_data = valuelist
            self.data, self.unknown = find_countries(valuelist[0])

    def _value(self):
        if getattr(self, "raw_data", None):
            return self.raw_data[0]
        return ", ".join(country_name(code) for code in self.data or [])

    def pre_validate(self, form):
        if self.unknown:
            raise ValidationError(
                _l(
                    "Not a country name we know: %(names)s. Write the names of the countries as in an atlas,"
                    " separated by commas.",
                    names=", ".join(self.unknown),
                )
            )
