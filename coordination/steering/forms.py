from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from coordination.countries import find_country
from coordination.formchecks import Form


class PriorityForm(Form):
    subject_kind = SelectField(
        _l("Country, theme or region"),
        choices=[("country", _l("Country")), ("theme", _l("Theme")), ("region", _l("Region"))],
    )
    subject = StringField(
        _l("Country (name or code, e.g. Burundi) or theme (e.g. humanitarian), or a region's name"),
        validators=[DataRequired(), Length(max=60)],
    )
    countries = StringField(
        _l("Countries of the region (names separated by commas, or codes, e.g. BDI COD RWA)"),
        validators=[Length(max=400)],
    )
    tier = SelectField(_l("Tier"), choices=[("1", "1"), ("2", "2"), ("3", "3")])
    rationale = TextAreaField(_l("Rationale"), validators=[Length(max=10_000)])
    reason = StringField(_l("Why this change"), validators=[Length(max=500)])
    review_every_months = IntegerField(
        _l("Review every (months)"), validators=[Optional(), NumberRange(1, 36)]
    )

    def country_codes(self) -> list[str] | None:
        """The countries typed: names (or codes) separated by commas, codes also by spaces; None when
        none (a change keeps a region's)."""
        codes = []
        for part in (self.countries.data or "").replace(";", ",").split(","):
            codes += [part.strip()] if find_country(part) else part.split()
        return [code for code in codes if code] or None


class ReviewForm(Form):
    reason = TextAreaField(_l("What the review found"), validators=[Length(max=500)])
