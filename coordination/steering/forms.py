from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class PriorityForm(FlaskForm):
    subject_kind = SelectField(
        _l("Country or theme"), choices=[("country", _l("Country")), ("theme", _l("Theme"))]
    )
    subject = StringField(
        _l("Country code (e.g. BDI) or theme (e.g. humanitarian)"),
        validators=[DataRequired(), Length(max=20)],
    )
    tier = SelectField(_l("Tier"), choices=[("1", "1"), ("2", "2"), ("3", "3")])
    rationale = TextAreaField(_l("Rationale"), validators=[Length(max=10_000)])
    reason = StringField(_l("Why this change"), validators=[Length(max=500)])
    review_every_months = IntegerField(
        _l("Review every (months)"), validators=[Optional(), NumberRange(1, 36)]
    )
