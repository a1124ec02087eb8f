from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from coordination.formchecks import Form
from coordination.reports.forms import CLASSIFICATION_CHOICES

PROCEDURE_CHOICES = [("meeting", _l("In a meeting")), ("written", _l("By written procedure"))]
ACTION_STATUS_CHOICES = [
    ("open", _l("Open")),
    ("in_progress", _l("In progress")),
    ("done", _l("Done")),
    ("blocked", _l("Blocked")),
]
DECISION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "adopted": _l("Adopted"),
    "superseded": _l("Superseded"),
    "withdrawn": _l("Withdrawn"),
}
ACKNOWLEDGEMENT_LABELS = {
    "pending": _l("Not yet acknowledged"),
    "acknowledged": _l("Acknowledged"),
    "cannot_comply": _l("Cannot comply"),
}


class DecisionForm(Form):
    issuing_body = SelectField(_l("Issued by"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    text = TextAreaField(_l("Decision (Markdown)"), validators=[Length(max=50_000)])
    rationale = TextAreaField(_l("Rationale"), validators=[Length(max=20_000)])
    procedure = SelectField(_l("Procedure"), choices=PROCEDURE_CHOICES, default="meeting")
    classification = SelectField(_l("Classification"), choices=CLASSIFICATION_CHOICES, default="unclassified")
    acknowledgement_hours = IntegerField(
        _l("Acknowledge within (hours)"),
        default=48,
        validators=[DataRequired(), NumberRange(min=1, max=1440)],
    )
    task_forces = SelectMultipleField(_l("Task forces"), choices=[])
    missions = SelectMultipleField(_l("Missions"), choices=[])
    departments = SelectMultipleField(_l("Departments"), choices=[])
    report_ids = StringField(
        _l("Motivating field reports (numbers, comma-separated)"), validators=[Length(max=500)]
    )


class AcknowledgeForm(Form):
    unit = SelectField(_l("Answer for"), choices=[])
    answer = SelectField(
        _l("Answer"), choices=[("acknowledged", _l("Acknowledged")), ("cannot_comply", _l("Cannot comply"))]
    )
    comment = TextAreaField(
        _l("Comment (a reason is required if the unit cannot comply)"), validators=[Length(max=5000)]
    )


class ActionForm(Form):
    title = StringField(_l("Action"), validators=[DataRequired(), Length(min=3, max=200)])
    owner = SelectField(_l("Owner"), choices=[])
    due_on = DateField(_l("Due on"), validators=[DataRequired()])


class ActionUpdateForm(Form):
    status = SelectField(_l("Status"), choices=ACTION_STATUS_CHOICES)
    body = TextAreaField(_l("Progress (Markdown)"), validators=[Optional(), Length(max=20_000)])
