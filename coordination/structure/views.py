"""Pages to browse the organisation: steering group, bodies, departments, missions, people, chart."""

from collections import defaultdict
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from coordination.auth import service as auth
from coordination.auth.throttle import SignInLimits
from coordination.countries import country_choices
from coordination.db import get_session
from coordination.labels import label
from coordination.rules import Forbidden, RuleViolation
from coordination.structure import bulk, service
from coordination.structure import queries as structure
from coordination.structure.chart import organisation_chart
from coordination.structure.enums import BodyKind
from coordination.structure.forms import (
    ADMIN_PERSON_FIELDS,
    ClearanceForm,
    EndSeatForm,
    ImportForm,
    MissionForm,
    ParticipationForm,
    PersonForm,
    ReasonForm,
    RepresentativeForm,
    RolesForm,
    SeatForm,
    UnlockForm,
)
from coordination.structure.graph import organisation_graph

bp = Blueprint("structure", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page of the organisation needs a signed-in person."""


@bp.get("/")
def home():
    person = structure.get_person(session=get_session(), person_id=current_user.id)
    memberships = sorted(
        person.memberships, key=lambda m: (m.body.kind != BodyKind.steering_group, m.body.name)
    )
    return render_template("structure/home.html", person=person, memberships=memberships)


@bp.get("/steering-group")
def steering_group():
    body = structure.get_steering_group(session=get_session())
    if body is None:
        abort(404)
    return redirect(url_for("structure.body", slug=body.slug))


@bp.get("/bodies")
def bodies():
    grouped = defaultdict(list)
    for body in structure.list_bodies(session=get_session()):
        grouped[body.kind].append(body)
    return render_template("structure/bodies.html", grouped=grouped, kinds=list(BodyKind))


@bp.get("/bodies/<slug>")
def body(slug: str):
    found = structure.get_body(session=get_session(), slug=slug)
    if found is None:
        abort(404)
    return render_template(
        "structure/body.html",
        body=found,
        memberships=structure.ordered_memberships(found),
        seating=seating_panel(found),
    )


@bp.get("/departments")
def departments():
    return render_template(
        "structure/departments.html", departments=structure.list_departments(session=get_session())
    )


@bp.get("/departments/<code>")
def department(code: str):
    session = get_session()
    found = structure.get_department(session=session, code=code)
    if found is None:
        abort(404)
    return _department_page(found)


@bp.get("/missions")
def missions():
    grouped = defaultdict(list)
    for mission in structure.list_missions(session=get_session()):
        key = "" if mission.kind == "permanent_representation" else (mission.host_country.region or "~")
        grouped[key].append(mission)
    return render_template("structure/missions.html", grouped=dict(sorted(grouped.items())))


@bp.get("/missions/<code>")
def mission(code: str):
    session = get_session()
    found = structure.get_mission(session=session, code=code)
    if found is None:
        abort(404)
    platform = structure.platform_of(session=session, mission=found)
    memberships = structure.ordered_memberships(platform) if platform else []
    return render_template(
        "structure/mission.html", mission=found, platform=platform, memberships=memberships
    )


@bp.get("/people")
def people():
    return render_template("structure/people.html", people=structure.list_people(session=get_session()))


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    return _person_page(_person_or_404(person_id))


@bp.get("/org-chart")
def org_chart():
    graph = organisation_graph(session=get_session())
    return render_template("structure/org_chart.html", chart=organisation_chart(graph))


# --- changing people, missions and departments --------------------------------------------------------
# The services decide who may do what: a refusal of the rules (Forbidden) is the 403 page, a refusal of
# the input (RuleViolation) an error on the form's field.


def _now() -> datetime:
    return datetime.now(UTC)


def _refused(form, error: RuleViolation, default: str) -> None:
    """Undo the failed change and show the refusal on the field it names (or on `default`)."""
    get_session().rollback()
    field = form._fields.get(error.field or "") or form[default]
    field.errors = [*field.errors, str(error)]


def _person_or_404(person_id: int):
    found = structure.get_person(session=get_session(), person_id=person_id)
    if found is None:
        abort(404)
    return found


def _person_page(found, status: int = 200, **forms):
    """The person page, with the forms the reader may use (those posted with errors passed in)."""
    forms.setdefault(
        "clearance_form",
        ClearanceForm(prefix="clearance", formdata=None, data={"clearance": found.clearance}),
    )
    forms.setdefault("status_form", ReasonForm(prefix="status", formdata=None))
    forms.setdefault("unlock_form", UnlockForm(prefix="unlock", formdata=None))
    locked_until = None
    if current_user.is_admin:
        locked_until = auth.account_locked_until(
            session=get_session(),
            email=found.email,
            now=_now(),
            limits=SignInLimits.from_config(current_app.config),
        )
    forms.setdefault(
        "roles_form",
        RolesForm(
            prefix="roles",
            formdata=None,
            data={"is_admin": found.is_admin, "is_security_officer": found.is_security_officer},
        ),
    )
    seats = structure.seats_held_by(session=get_session(), person_id=found.id)
    return render_template(
        "structure/person.html",
        person=found,
        seats=seats,
        locked_until=locked_until,
        seat_names=structure.people_by_id(
            session=get_session(), ids={s.seated_by_id for s in seats} | {s.ended_by_id for s in seats}
        ),
        **forms,
    ), status


def _person_form(session, found=None) -> PersonForm:
    """The person form with its choices: every department and directorate, the open missions (and the
    person's own, if closed since)."""
    data = None
    if found is not None:
        data = {
            "name": found.name,
            "function": found.function,
            "department_code": found.department.code,
            "directorate_code": found.directorate.code if found.directorate else "",
            "mission_code": found.mission.code if found.mission else "",
            "languages": ", ".join(found.languages),
            "skills": ", ".join(found.skills),
        }
    form = PersonForm(data=data)
    departments = structure.list_departments(session=session)
    form.department_code.choices = [(d.code, f"{d.code} · {d.name}") for d in departments]
    form.directorate_code.choices = [("", _("None"))] + [
        (x.code, f"{d.code} · {x.code} · {x.name}")
        for d in departments
        for x in sorted(d.directorates, key=lambda x: x.code)
    ]
    form.mission_code.choices = [("", _("None"))] + [
        (m.code, m.name)
        for m in structure.list_missions(session=session)
        if m.closed_at is None or (found is not None and m.id == found.mission_id)
    ]
    if found is not None:
        del form["email"]
    return form


def _person_values(form: PersonForm) -> dict:
    return {name: form[name].data or "" for name in service.PERSON_FIELDS if form._fields.get(name)}


@bp.route("/people/new", methods=["GET", "POST"])
def new_person():
    if not current_user.is_admin:
        raise Forbidden("only an administrator of the structure adds people")
    session = get_session()
    form = _person_form(session)
    if request.method == "GET" and request.args.get("department"):
        form.department_code.data = request.args["department"].upper()
    if form.validate_on_submit():
        try:
            person = service.create_person(
                session=session,
                actor=current_user,
                email=form.email.data,
                now=_now(),
                **_person_values(form),
            )
        except RuleViolation as error:
            _refused(form, error, "email")
        else:
            flash(
                _(
                    "%(name)s is added, unclassified until a security officer grants a clearance.",
                    name=person.name,
                ),
                "info",
            )
            return redirect(url_for("structure.person", person_id=person.id))
    return render_template("structure/person_form.html", form=form, person=None), (
        400 if request.method == "POST" else 200
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit_person(person_id: int):
    session = get_session()
    found = _person_or_404(person_id)
    if not current_user.is_admin and current_user.id != found.id:
        raise Forbidden(
            "only an administrator of the structure edits a person; you may edit your own function, "
            "languages and skills"
        )
    form = _person_form(session, found)
    before = {name: form[name].object_data or "" for name in service.PERSON_FIELDS}
    if not current_user.is_admin:
        for name in ADMIN_PERSON_FIELDS:
            del form[name]
    if form.validate_on_submit():
        # only what changed is sent: an unchanged mission that has closed since is not a new posting
        values = {name: value for name, value in _person_values(form).items() if value != before[name]}
        try:
            service.update_person(session=session, actor=current_user, person=found, values=values)
        except RuleViolation as error:
            _refused(form, error, "function")
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("structure.person", person_id=person_id))
    return render_template("structure/person_form.html", form=form, person=found), (
        400 if request.method == "POST" else 200
    )


@bp.post("/people/<int:person_id>/clearance")
def change_clearance(person_id: int):
    found = _person_or_404(person_id)
    form = ClearanceForm(prefix="clearance")
    if form.validate_on_submit():
        try:
            changed = service.change_clearance(
                session=get_session(),
                actor=current_user,
                person=found,
                clearance=form.clearance.data,
                reason=form.reason.data,
                now=_now(),
            )
        except RuleViolation as error:
            _refused(form, error, "reason")
        else:
            flash(_("Clearance changed.") if changed else _("The clearance was already that level."), "info")
            return redirect(url_for("structure.person", person_id=person_id))
    return _person_page(_person_or_404(person_id), 400, clearance_form=form)


@bp.post("/people/<int:person_id>/roles")
def set_roles(person_id: int):
    found = _person_or_404(person_id)
    form = RolesForm(prefix="roles")
    if form.validate_on_submit():
        service.set_person_roles(
            session=get_session(),
            actor=current_user,
            person=found,
            is_admin=form.is_admin.data,
            is_security_officer=form.is_security_officer.data,
        )
        flash(_("Roles saved."), "info")
        return redirect(url_for("structure.person", person_id=person_id))
    return _person_page(found, 400, roles_form=form)


@bp.post("/people/<int:person_id>/<any(deactivate, reactivate):change>")
def change_status(person_id: int, change: str):
    found = _person_or_404(person_id)
    form = ReasonForm(prefix="status")
    if form.validate_on_submit():
        command = service.deactivate_person if change == "deactivate" else service.reactivate_person
        try:
            command(
                session=get_session(), actor=current_user, person=found, reason=form.reason.data, now=_now()
            )
        except RuleViolation as error:
            _refused(form, error, "reason")
        else:
            flash(
                _("Deactivated: their sessions, API tokens and seats have ended.")
                if change == "deactivate"
                else _("Reactivated: seat them again where needed."),
                "info",
            )
            return redirect(url_for("structure.person", person_id=person_id))
    return _person_page(_person_or_404(person_id), 400, status_form=form)


@bp.post("/people/<int:person_id>/unlock")
def unlock(person_id: int):
    found = _person_or_404(person_id)
    form = UnlockForm(prefix="unlock")
    if not form.validate_on_submit():
        return _person_page(found, 400, unlock_form=form)
    auth.unlock(
        session=get_session(),
        actor=current_user,
        person=found,
        now=_now(),
        limits=SignInLimits.from_config(current_app.config),
    )
    flash(_("Sign-in lockout lifted: they can sign in again."), "info")
    return redirect(url_for("structure.person", person_id=person_id))


def _mission_or_404(code: str):
    found = structure.get_mission(session=get_session(), code=code)
    if found is None:
        abort(404)
    return found


def _require_admin(what: str) -> None:
    if not current_user.is_admin:
        raise Forbidden(f"only an administrator of the structure {what}")


def _with_countries(form: MissionForm) -> MissionForm:
    """The host country is chosen by name, in the reader's language."""
    countries = structure.list_countries(session=get_session())
    form.host_country_code.choices = [("", _("Choose a country"))] + country_choices(
        (c.code, c.name) for c in countries
    )
    return form


def _mission_form_page(form, found=None, status: int = 200, status_form=None):
    status_form = status_form or ReasonForm(prefix="status", formdata=None)
    return render_template(
        "structure/mission_form.html", form=form, mission=found, status_form=status_form
    ), status


@bp.route("/missions/new", methods=["GET", "POST"])
def new_mission():
    _require_admin("opens missions")
    form = _with_countries(MissionForm())
    if form.validate_on_submit():
        try:
            mission = service.open_mission(
                session=get_session(),
                actor=current_user,
                code=form.code.data,
                kind=form.kind.data,
                name=form.name.data,
                city=form.city.data,
                host_country_code=form.host_country_code.data,
                accredited=form.accredited.data or "",
                organisation=form.organisation.data or None,
                now=_now(),
            )
        except RuleViolation as error:
            _refused(form, error, "code")
        else:
            flash(_("Mission opened, with its consultation platform: seat its members there."), "info")
            return redirect(url_for("structure.mission", code=mission.code))
    return _mission_form_page(form, status=400 if request.method == "POST" else 200)


def _mission_edit_form(found) -> MissionForm:
    form = MissionForm(
        data={
            "name": found.name,
            "city": found.city,
            "host_country_code": found.host_country_code,
            "accredited": sorted(c.code for c in found.accredited_countries),
        }
    )
    _with_countries(form)
    for name in ("code", "kind", "organisation"):
        del form[name]
    return form


@bp.route("/missions/<code>/edit", methods=["GET", "POST"])
def edit_mission(code: str):
    _require_admin("edits missions")
    found = _mission_or_404(code)
    form = _mission_edit_form(found)
    if form.validate_on_submit():
        try:
            service.update_mission(
                session=get_session(),
                actor=current_user,
                mission=found,
                name=form.name.data,
                city=form.city.data,
                host_country_code=form.host_country_code.data,
                accredited=form.accredited.data or "",
            )
        except RuleViolation as error:
            _refused(form, error, "name")
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("structure.mission", code=found.code))
    return _mission_form_page(form, found, 400 if request.method == "POST" else 200)


@bp.post("/missions/<code>/<any(close, reopen):change>")
def change_mission_status(code: str, change: str):
    _require_admin("closes and reopens missions")
    found = _mission_or_404(code)
    form = ReasonForm(prefix="status")
    if form.validate_on_submit():
        command = service.close_mission if change == "close" else service.reopen_mission
        try:
            command(
                session=get_session(), actor=current_user, mission=found, reason=form.reason.data, now=_now()
            )
        except RuleViolation as error:
            _refused(form, error, "reason")
        else:
            flash(
                _("Mission closed: its platform is stood down and its seats have ended.")
                if change == "close"
                else _("Mission reopened: seat the platform's members again."),
                "info",
            )
            return redirect(url_for("structure.mission", code=found.code))
    found = _mission_or_404(code)
    return _mission_form_page(_mission_edit_form(found), found, 400, status_form=form)


def _may_name_representative(session) -> bool:
    if current_user.is_admin:
        return True
    steering_group_id = structure.steering_group_id(session=session)
    if steering_group_id is None:
        return False
    role = structure.role_in(session=session, person_id=current_user.id, body_id=steering_group_id)
    return role in service.STEERING_SEATERS


def _representative_form(found, people, formdata=None) -> RepresentativeForm:
    form = RepresentativeForm(
        prefix="representative", formdata=formdata, data={"person_id": found.representative_id}
    )
    form.person_id.choices = [
        (p.id, f"{p.name} · {p.function}" if p.function else p.name) for p in people if p.active
    ]
    return form


def _department_page(found, status: int = 200, **forms):
    session = get_session()
    people = structure.list_people(session=session, department_code=found.code)
    forms.setdefault(
        "participation_form",
        ParticipationForm(
            prefix="participation",
            formdata=None,
            data={"participating": "in" if found.participating else "out"},
        ),
    )
    forms.setdefault("representative_form", _representative_form(found, people))
    return render_template(
        "structure/department.html",
        department=found,
        people=people,
        representatives=structure.representatives_of(session=session, department_id=found.id),
        may_name_representative=_may_name_representative(session),
        **forms,
    ), status


def _department_or_404(code: str):
    found = structure.get_department(session=get_session(), code=code.upper())
    if found is None:
        abort(404)
    return found


@bp.post("/departments/<code>/participation")
def set_participation(code: str):
    found = _department_or_404(code)
    form = ParticipationForm(prefix="participation")
    if form.validate_on_submit():
        try:
            ended = service.set_participation(
                session=get_session(),
                actor=current_user,
                department=found,
                participating=form.participating.data == "in",
                reason=form.reason.data,
                now=_now(),
            )
        except RuleViolation as error:
            _refused(form, error, "reason")
        else:
            flash(_("Saved; %(count)d seats in the steering group ended.", count=ended), "info")
            return redirect(url_for("structure.department", code=found.code))
    return _department_page(_department_or_404(code), 400, participation_form=form)


@bp.post("/departments/<code>/representative")
def name_representative(code: str):
    session = get_session()
    found = _department_or_404(code)
    people = structure.list_people(session=session, department_code=found.code)
    form = _representative_form(found, people, formdata=request.form)
    if form.validate_on_submit():
        try:
            service.name_representative(
                session=session,
                actor=current_user,
                department=found,
                person=structure.get_person(session=session, person_id=form.person_id.data),
                now=_now(),
            )
        except RuleViolation as error:
            _refused(form, error, "person_id")
        else:
            flash(_("Representative named."), "info")
            return redirect(url_for("structure.department", code=found.code))
    found = _department_or_404(code)
    return _department_page(found, 400, representative_form=form)


# --- seats: who seats whom in a body, and the history of its seats ------------------------------------
# The seating rule (`authority.seating_refusal`) decides; a refusal comes back as a message on the page.

PICKER_LIMIT = 2_000  # above this many active people the seat form asks for an e-mail address instead


def seating_panel(body, back: str = "body") -> dict:
    """What a body's page shows about seats to this reader: the roles they may seat (and unseat), the seat
    form when there are any, and the seats that ended, with who ended them."""
    session = get_session()
    roles = [role.value for role in structure.seatable_roles(session=session, viewer=current_user, body=body)]
    form = None
    if roles:
        form = SeatForm(
            formdata=None, data={"back": back, "role": "member" if "member" in roles else roles[0]}
        )
        form.role.choices = [(role, label("role", role)) for role in roles]
        people = structure.active_people_choices(session=session)
        if len(people) <= PICKER_LIMIT:
            form.person_id.choices = [("", _("Choose a person"))] + [
                (str(pid), f"{name} · {department}") for pid, name, department in people
            ]
        else:
            del form.person_id
    ended = [seat for seat in structure.seat_history(session=session, body_id=body.id) if seat.ended_at]
    names = structure.people_by_id(
        session=session, ids={s.ended_by_id for s in ended} | {s.seated_by_id for s in ended}
    )
    return {"roles": roles, "form": form, "history": ended, "names": names, "back": back, "slug": body.slug}


def _back_to(slug: str):
    """Back to the page the seat form was on: the body's page, or the task force's."""
    if request.form.get("back") == "task_force":
        return redirect(url_for("taskforces.task_force", slug=slug) + "#members")
    return redirect(url_for("structure.body", slug=slug) + "#members")


def _flash_form_errors(form) -> None:
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{form[name].label.text}: {error}", "error")


def _seat_person_of(session, form: SeatForm):
    email = (form.email.data or "").strip()
    if email:
        return structure.get_person_by_email(session=session, email=email)
    pid = form.person_id.data or ""
    if not (pid.isdigit() and len(pid) < 10):
        return None
    return structure.get_person(session=session, person_id=int(pid))


SEAT_OUTCOMES = {
    "seated": _l("%(name)s is seated."),
    "role_changed": _l("%(name)s has a new role; the earlier seat is kept in the history."),
    "updated": _l("%(name)s's seat is updated."),
    "unchanged": _l("%(name)s already holds this seat: nothing changed."),
}


@bp.post("/bodies/<slug>/seats")
def seat(slug: str):
    session = get_session()
    found = structure.find_body(session=session, slug=slug)
    if found is None:
        abort(404)
    form = SeatForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to(slug)
    person = _seat_person_of(session, form)
    if person is None:
        flash(_("Choose a person, or type the e-mail address of someone in the structure."), "error")
        return _back_to(slug)
    try:
        _seat, outcome = service.seat_person(
            session=session,
            actor=current_user,
            body=found,
            person=person,
            role=form.role.data or "",
            reason=form.reason.data or "",
            now=_now(),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
    except (RuleViolation, Forbidden) as error:
        session.rollback()
        flash(str(error), "error")
    else:
        flash(SEAT_OUTCOMES[outcome] % {"name": person.name}, "info")
    return _back_to(slug)


@bp.post("/bodies/<slug>/seats/<int:person_id>/end")
def end_seat(slug: str, person_id: int):
    session = get_session()
    found = structure.find_body(session=session, slug=slug)
    if found is None:
        abort(404)
    form = EndSeatForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to(slug)
    try:
        service.end_seat(
            session=session,
            actor=current_user,
            body=found,
            person_id=person_id,
            reason=form.reason.data,
            now=_now(),
        )
    except (RuleViolation, Forbidden) as error:
        session.rollback()
        flash(str(error), "error")
    else:
        flash(_("The seat has ended; it stays in the seat history."), "info")
    return _back_to(slug)


# --- people and seats in bulk, as CSV ------------------------------------------------------------------


@bp.route("/people/import", methods=["GET", "POST"])
def import_people():
    """Check a CSV of people and seats (every error by line and column); import it only when all is valid."""
    form = ImportForm()
    result, status = None, 200
    if request.method == "POST" and (request.content_length or 0) > bulk.MAX_BYTES + 64 * 1024:
        form.file.errors = [bulk.too_big_message()]
        status = 413
    elif form.validate_on_submit():
        result = bulk.import_csv(
            session=get_session(),
            actor=current_user,
            text=form.file.data.read(bulk.MAX_BYTES + 1),
            dry_run=bool(form.dry_run.data),
            now=_now(),
        )
        if result.applied:
            flash(
                _(
                    "Imported %(rows)d rows: %(created)d people added, %(seated)d people seated, "
                    "%(changed)d roles changed.",
                    rows=result.rows,
                    created=result.created,
                    seated=result.seated,
                    changed=result.role_changed,
                ),
                "info",
            )
            return redirect(url_for("structure.people"))
        status = 200 if result.valid else 422
    elif request.method == "POST":
        status = 400
    return render_template(
        "structure/import.html",
        form=form,
        result=result,
        columns=bulk.COLUMNS,
        max_rows=bulk.MAX_ROWS,
        max_mb=bulk.MAX_BYTES // (1024 * 1024),
    ), status


@bp.get("/people/export.csv")
def export_people():
    return Response(
        bulk.export_csv(session=get_session()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="people-and-seats.csv"'},
    )
