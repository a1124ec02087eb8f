"""The form embassy staff, platform members and the intelligence service post reports with."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from coordination.attachments import service as attachments
from coordination.formchecks import CountryField, Form, within_years
from coordination.labels import LABELS
from coordination.places.coordinates import CoordinateError, parse_point

THEME_CHOICES = [
    ("diplomacy", _l("Diplomacy")),
    ("development", _l("Development")),
    ("defence", _l("Defence")),
    ("law", _l("Law")),
    ("order", _l("Order")),
    ("humanitarian", _l("Humanitarian")),
    ("economic", _l("Economic")),
    ("consular", _l("Consular")),
]
SEVERITY_CHOICES = [
    ("info", _l("Information")),
    ("low", _l("Low")),
    ("medium", _l("Medium")),
    ("high", _l("High")),
    ("critical", _l("Critical")),
]
CLASSIFICATION_CHOICES = [
    ("unclassified", _l("Unclassified")),
    ("confidential", _l("Confidential")),
    ("secret", _l("Secret")),
    ("top_secret", _l("Top secret")),
]
RELIABILITY_CHOICES = [
    ("", _l("Not graded")),
    ("A", _l("A: completely reliable")),
    ("B", _l("B: usually reliable")),
    ("C", _l("C: fairly reliable")),
    ("D", _l("D: not usually reliable")),
    ("E", _l("E: unreliable")),
    ("F", _l("F: reliability cannot be judged")),
]
CREDIBILITY_CHOICES = [
    ("", _l("Not graded")),
    ("1", _l("1: confirmed by other sources")),
    ("2", _l("2: probably true")),
    ("3", _l("3: possibly true")),
    ("4", _l("4: doubtful")),
    ("5", _l("5: improbable")),
    ("6", _l("6: truth cannot be judged")),
]
KIND_CHOICES = [("field_report", _l("Field report")), ("intelligence_brief", _l("Intelligence brief"))]
INTELLIGENCE_CHOICES = [("", "—"), ("strategic", _l("Strategic")), ("tactical", _l("Tactical"))]
STATUS_LABELS = LABELS["report_status"]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReportForm(Form):
    mission_code = SelectField(_l("Posting mission"), choices=[], validate_choice=True)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="field_report")
    intelligence_level = SelectField(_l("Intelligence level"), choices=INTELLIGENCE_CHOICES, default="")
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    body = TextAreaField(_l("Report (Markdown)"), validators=[Length(max=50_000)])
    country_code = CountryField(_l("Country"), choices=[])
    themes = MultiCheckboxField(_l("Themes"), choices=THEME_CHOICES)
    severity = SelectField(_l("Severity"), choices=SEVERITY_CHOICES, default="info")
    early_warning = BooleanField(_l("Early warning"))
    classification = SelectField(_l("Classification"), choices=CLASSIFICATION_CHOICES, default="unclassified")
    restricted_distribution = BooleanField(_l("Restricted distribution (no forwarding)"))
    source_reliability = SelectField(_l("Source reliability"), choices=RELIABILITY_CHOICES, default="")
    information_credibility = SelectField(
        _l("Information credibility"), choices=CREDIBILITY_CHOICES, default=""
    )
    updates_report_id = IntegerField(_l("Updates report number"), validators=[Optional(), NumberRange(min=1)])
    place = StringField(
        _l("Place"),
        description=_l("A town or an admin area of the report's country, e.g. Goma"),
        validators=[Length(max=200)],
    )
    coordinates = StringField(
        _l("Coordinates"),
        description=_l("Latitude, longitude in decimal degrees, e.g. -1.68, 29.22"),
        validators=[Length(max=60)],
    )
    event_at = DateTimeLocalField(
        _l("Time of the event (Brussels time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), within_years],
    )
    attachments = MultipleFileField(
        _l("Photos and documents"),
        description=_l("Optional. Location metadata is removed from photos unless you keep it."),
    )
    keep_location = BooleanField(_l("Keep location metadata (GPS) in photos"))
    # drawn when the page is rendered: posting the same form twice stores one report (see new_report)
    idempotency_key = HiddenField(validators=[Optional(), Length(max=200)])
    checked_files: tuple = ()  # what validate_attachments found, stored once the report is posted

    def validate_attachments(self, field) -> None:
        """Files are checked before the report is posted: a refused file posts nothing."""
        try:
            self.checked_files = tuple(
                attachments.check_uploads(
                    field.data or [],
                    keep_location=self.keep_location.data,
                    limits=attachments.Limits.from_config(current_app.config),
                )
            )
        except attachments.FileRefused as refused:
            raise ValidationError(str(refused)) from None

    def validate_coordinates(self, field) -> None:
        if field.data:
            try:
                parse_point(field.data)
            except CoordinateError as error:
                raise ValidationError(str(error)) from None

    def point(self) -> tuple[float, float] | tuple[None, None]:
        """The typed coordinates as latitude and longitude (after validation), or none."""
        return parse_point(self.coordinates.data) if self.coordinates.data else (None, None)


class TriageForm(Form):
    """One receiving body's triage step; the page shows one per body the person triages for (the
    form's prefix is the body's slug)."""

    status = SelectField(_l("New status"), choices=list(STATUS_LABELS.items()))
    comment = TextAreaField(
        _l("Comment (the reporter and the other receiving bodies see it)"), validators=[Length(max=10_000)]
    )


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=10_000)])


class ForwardForm(Form):
    body = SelectField(_l("Forward to"), choices=[])
