"""Checks shared by the HTML forms, so that a page refuses what the API refuses: trimmed text, dates
within the years the platform records."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from coordination.types import FIRST_YEAR, LAST_YEAR


def strip_text(value):
    """A form filter: text trimmed, so a title of spaces only is empty (and the length counts the text)."""
    return value.strip() if isinstance(value, str) else value


def within_years(form, field) -> None:
    """A date or date-time field between FIRST_YEAR and LAST_YEAR."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l("Give a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        )
