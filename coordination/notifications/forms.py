"""The form of a person's notification settings."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from coordination.formchecks import Form


class PreferencesForm(Form):
    email = SelectField(
        _l("E-mail me"),
        choices=[
            ("immediately", _l("Immediately")),
            ("daily_digest", _l("In a daily digest")),
            ("off", _l("Never")),
        ],
    )
