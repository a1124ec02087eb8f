"""The forms administrators, security officers and the steering group's chairs change the organisation with.
The services check the rules; the forms only check the shape of what is typed."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from coordination.formchecks import CountryField, CountryListField, Form
from coordination.labels import LABELS

CLEARANCE_CHOICES = list(LABELS["clearance"].items())
MISSION_KIND_CHOICES = list(LABELS["mission_kind"].items())

# what only an administrator edits; people edit their own function, languages and skills
ADMIN_PERSON_FIELDS = ("name", "department_code", "directorate_code", "mission_code")


class PersonForm(Form):
    """Add a person (with e-mail) or edit one (the view drops the fields the editor may not change)."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    function = StringField(_l("Function"), validators=[Length(max=200)])
    department_code = SelectField(_l("Department"), choices=[])
    directorate_code = SelectField(_l("Directorate"), choices=[], validate_choice=False)
    mission_code = SelectField(_l("Posted at mission"), choices=[], validate_choice=False)
    languages = StringField(
        _l("Languages (codes, comma-separated: nl, fr, en)"), validators=[Length(max=400)]
    )
    skills = StringField(_l("Skills (comma-separated)"), validators=[Length(max=2000)])


class ClearanceForm(Form):
    clearance = SelectField(_l("Clearance"), choices=CLEARANCE_CHOICES)
    reason = StringField(
        _l("Why (e.g. the security investigation)"), validators=[DataRequired(), Length(max=300)]
    )


class ReasonForm(Form):
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=300)])


class UnlockForm(Form):
    """Lift a sign-in lockout: nothing to type, the CSRF token only."""


class RolesForm(Form):
    is_admin = BooleanField(_l("Administrator of the structure"))
    is_security_officer = BooleanField(_l("Security officer (changes clearances)"))


class MissionForm(Form):
    """Open a mission, or edit one (the view drops the code, kind and organisation, which stay)."""

    code = StringField(
        _l("Code (capital letters, digits, hyphens: e.g. KINSHASA)"),
        validators=[DataRequired(), Length(min=2, max=30)],
    )
    kind = SelectField(_l("Kind"), choices=MISSION_KIND_CHOICES)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(min=2, max=100)])
    host_country_code = CountryField(_l("Host country"), choices=[], validators=[DataRequired()])
    accredited = CountryListField(
        _l("Also accredited to (country names, separated by commas)"), validators=[Length(max=400)]
    )
    organisation = StringField(
        _l("Organisation, for a permanent representation (e.g. NATO)"),
        validators=[Optional(), Length(max=20)],
    )


class ParticipationForm(Form):
    participating = SelectField(
        _l("Takes part"),
        choices=[("in", _l("Opted in: takes part")), ("out", _l("Opted out: does not take part"))],
    )
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=300)])


class RepresentativeForm(Form):
    person_id = SelectField(_l("Representative in the steering group"), choices=[], coerce=int)


class SeatForm(Form):
    """Seat a person in a body (or change their role or planned end): chosen in the list or by e-mail."""

    person_id = SelectField(_l("Person"), choices=[], validate_choice=False)
    email = EmailField(_l("or their e-mail address"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    reason = StringField(_l("Why they take this seat"), validators=[DataRequired(), Length(max=300)])
    starts_on = DateField(_l("Starts on (today if empty)"), validators=[Optional()])
    ends_on = DateField(_l("Planned end (optional)"), validators=[Optional()])
    back = HiddenField()


class EndSeatForm(Form):
    reason = StringField(_l("Why the seat ends"), validators=[DataRequired(), Length(max=300)])
    back = HiddenField()


class ImportForm(Form):
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Dry run: check every row and write nothing"), default=True)
