"""Bulk import and export of people and their seats, in one CSV shape.

Columns (the header names them, in any order; only `email` is required):

    email, name, department, directorate, mission, function, languages, skills, body, role, seat_reason

`department`, `directorate` and `mission` are codes (FA, DGB, KINSHASA); `languages` and `skills` are
separated by ';' inside their cell; `body` is a body's slug (task-force-great-lakes); `role` defaults to
member. A row names a person by e-mail: an e-mail new to the structure adds the person (name and department
required); an e-mail already there changes nothing about that person (their other columns are ignored: a
person is edited on their page). With a body, the row seats the person there, or changes their role. A
person takes one row per body, and a row without a body for someone without seats.

Every row is checked before anything is written. Each error comes back with its line and column, and
unless every row is valid nothing is written; a valid import is applied in one transaction, audited as one
`bulk.import` event plus the `person.create` and `seat.*` events of what it did.

Who may import what:
- adding people is for an administrator of the structure, as on the person form;
- every seat follows the seating rule of its body (`authority.seating_refusal`), administrators
  included: an import is no way around who seats whom. The rule is judged on the seats as they were
  before the import (a file cannot seat its importer as chair and then use that chair). So an
  administrator imports people, and a body's chair may import the seats of that body;
- a row for someone who already holds that role in that body changes nothing and needs no authority,
  so an export imports back cleanly.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.exports import FORMULA_START, spreadsheet_cell
from coordination.rules import Forbidden, RuleViolation
from coordination.structure import queries
from coordination.structure.enums import MembershipRole
from coordination.structure.models import Body, Person
from coordination.structure.service import (
    StructureError,
    add_checked_people,
    bump_revision,
    check_email,
    check_seat,
    open_seat,
    person_values,
    require_seating_authority,
)

COLUMNS = (
    "email",
    "name",
    "department",
    "directorate",
    "mission",
    "function",
    "languages",
    "skills",
    "body",
    "role",
    "seat_reason",
)
PERSON_COLUMNS = ("name", "department", "directorate", "mission", "function", "languages", "skills")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# the field a service names in a StructureError -> the CSV column it came from
_COLUMN_OF_FIELD = {
    "person_id": "email",
    "department_code": "department",
    "directorate_code": "directorate",
    "mission_code": "mission",
    "reason": "seat_reason",
}
# a spreadsheet runs a cell that starts with one of these as a formula: the export quotes it with '
_FORMULA_START = FORMULA_START


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: the line of the file (the header is line 1) and the column."""

    line: int | None
    column: str | None
    message: str


@dataclass
class ImportResult:
    """What an import found and did (or, in a dry run or with errors, would have done)."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    existing: int = 0
    seated: int = 0
    role_changed: int = 0
    unchanged: int = 0
    applied: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class _NewPerson:
    line: int
    email: str
    raw: dict[str, str]
    columns: dict  # as `person_values` checked them: the Person columns to set


@dataclass
class _Seat:
    line: int
    email: str
    body: Body
    role: MembershipRole
    reason: str
    outcome: str


# --- reading --------------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without a byte-order mark (as spreadsheets save it)."""
    if len(data) > MAX_BYTES:
        raise StructureError(too_big_message(), "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StructureError(
            f"the file is not UTF-8 text (byte {exc.start}): save it as 'CSV UTF-8'", "file"
        ) from exc


def too_big_message() -> str:
    return (
        f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into files of at most "
        f"{MAX_ROWS:,} rows"
    )


def _unquote(cell: str) -> str:
    """Undo the export's guard against formulas ('=x -> =x), so an export imports back unchanged."""
    cell = cell.strip()
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def _rows(text: str, result: ImportResult) -> list[tuple[int, dict[str, str]]] | None:
    """The data rows with the line each starts on, keyed by column. Problems go to `result`: None when the
    file as a whole cannot be read (its rows are not checked then); a malformed row is left out."""
    if len(text) > MAX_BYTES:
        result.errors.append(RowError(None, None, too_big_message()))
        return None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(name.strip() for name in header):
            result.errors.append(
                RowError(1, None, f"the first line names the columns, e.g. {','.join(COLUMNS)}")
            )
            return None
        names = [name.strip().lower() for name in header]
        if len(names) == 1 and ";" in names[0]:
            result.errors.append(
                RowError(
                    1,
                    None,
                    "separate the columns with commas; ';' separates languages and skills inside a cell",
                )
            )
            return None
        for name in names:
            if name not in COLUMNS:
                result.errors.append(
                    RowError(1, name or "(empty)", f"unknown column; the columns are {', '.join(COLUMNS)}")
                )
            elif names.count(name) > 1:
                result.errors.append(RowError(1, name, "this column is named twice"))
        if "email" not in names:
            result.errors.append(RowError(1, "email", "the email column is required"))
        if result.errors:
            return None
        rows = []
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            result.rows += 1
            if result.rows > MAX_ROWS:
                result.errors.append(
                    RowError(start, None, f"at most {MAX_ROWS:,} rows per file: split it into several files")
                )
                return None
            if len(cells) > len(names):
                result.errors.append(
                    RowError(
                        start, None, f"{len(cells)} cells, but the first line names {len(names)} columns"
                    )
                )
                continue
            rows.append((start, {name: _unquote(cell) for name, cell in zip(names, cells, strict=False)}))
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num or None, None, f"unreadable CSV: {exc}"))
        return None
    if not result.rows:
        result.errors.append(RowError(None, None, "the file names its columns but has no rows"))
        return None
    return rows


# --- checking -------------------------------------------------------------------------------------------


class _Checker:
    """Checks every row against the structure as it is, remembering lookups shared by many rows."""

    def __init__(self, session: Session, actor: Person, now: datetime, result: ImportResult):
        self.session, self.actor, self.now, self.result = session, actor, now, result
        self.people: dict[str, Person] = {}
        self.bodies: dict[str, Body] = {}
        self.roles: dict[tuple[int, int], MembershipRole] = {}
        self.new_people: dict[str, _NewPerson] = {}
        self.existing: set[str] = set()
        self.seats: list[_Seat] = []
        self._seat_lines: dict[tuple[str, int], int] = {}
        self._refusals: dict[tuple[int, MembershipRole], str | None] = {}
        self._codes: dict[tuple, dict | StructureError] = {}

    def fail(self, line: int, column: str | None, message: str) -> None:
        self.result.errors.append(RowError(line, column, message))

    def fail_with(self, line: int, error: StructureError, default: str) -> None:
        column = _COLUMN_OF_FIELD.get(error.field or "", error.field) or default
        self.fail(line, column, str(error))

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        self.people = queries.people_by_email(
            session=self.session, emails=[row.get("email", "") for _, row in rows]
        )
        slugs = {row.get("body", "") for _, row in rows} - {""}
        self.bodies = queries.bodies_by_slug(session=self.session, slugs=slugs)
        self.roles = queries.current_roles(
            session=self.session, person_ids=[p.id for p in self.people.values()]
        )
        for line, row in rows:
            self._row(line, row)

    def _row(self, line: int, row: dict[str, str]) -> None:
        email = None
        try:
            email = check_email(row.get("email"))
        except StructureError as error:
            self.fail_with(line, error, "email")
        person = self.people.get(email) if email else None
        if email and person is None:
            self._new_person(line, email, row)
        elif person is not None:
            self.existing.add(email)
        self._seat(line, email, person, row)

    def _new_person(self, line: int, email: str, row: dict[str, str]) -> None:
        first = self.new_people.get(email)
        if first is not None:
            for column in PERSON_COLUMNS:
                if row.get(column) and row[column] != first.raw.get(column, ""):
                    self.fail(
                        line,
                        column,
                        f"differs from line {first.line}: give {email}'s details once, or the same each time",
                    )
            return
        raw = {column: row.get(column, "") for column in PERSON_COLUMNS}
        plan = _NewPerson(line, email, raw, columns={})
        self.new_people[email] = plan
        if not self.actor.is_admin:
            self.fail(
                line,
                "email",
                f"{email} is not in the structure: only an administrator of the structure adds people",
            )
            return
        # one check per group of columns, so that every wrong column of the row is named; the codes of
        # departments, directorates and missions are looked up once per file
        for column in ("name", "function", "languages", "skills"):
            try:
                plan.columns |= person_values(
                    session=self.session, values={column: raw[column]}, partial=True
                )
            except StructureError as error:
                self.fail_with(line, error, column)
        department, directorate, mission = (raw[c].upper() for c in ("department", "directorate", "mission"))
        for key, codes in (
            (
                ("department", department, directorate),
                {"department_code": department, "directorate_code": directorate},
            ),
            (("mission", mission), {"mission_code": mission}),
        ):
            if key not in self._codes:
                try:
                    self._codes[key] = person_values(session=self.session, values=codes, partial=True)
                except StructureError as error:
                    self._codes[key] = error
            found = self._codes[key]
            if isinstance(found, StructureError):
                self.fail_with(line, found, key[0])
            else:
                plan.columns |= found

    def _refusal(self, body: Body, role: MembershipRole) -> str | None:
        key = (body.id, role)
        if key not in self._refusals:
            try:
                require_seating_authority(session=self.session, actor=self.actor, body=body, role=role)
                self._refusals[key] = None
            except Forbidden as refusal:
                self._refusals[key] = str(refusal)
        return self._refusals[key]

    def _seat(self, line: int, email: str | None, person: Person | None, row: dict[str, str]) -> None:
        slug = row.get("body", "")
        if not slug:
            if row.get("role") or row.get("seat_reason"):
                self.fail(line, "body", "a role or a seat reason needs a body (its slug)")
            return
        body = self.bodies.get(slug)
        if body is None:
            self.fail(line, "body", f"unknown body {slug!r}")
            return
        if email:
            earlier = self._seat_lines.setdefault((email, body.id), line)
            if earlier != line:
                self.fail(line, "body", f"{email} is already seated in {slug} on line {earlier}")
                return
        try:
            role, reason = check_seat(
                body=body,
                person=person,
                role=row.get("role") or "member",
                reason=row.get("seat_reason"),
                now=self.now,
            )
        except StructureError as error:
            self.fail_with(line, error, "role")
            return
        held = self.roles.get((person.id, body.id)) if person is not None else None
        if held == role:
            outcome = "unchanged"
        else:
            outcome = "role_changed" if held is not None else "seated"
            for needed in (role, held) if held is not None else (role,):
                refusal = self._refusal(body, needed)
                if refusal:
                    self.fail(line, "role", refusal)
                    break
            if not reason:
                self.fail(line, "seat_reason", "say why the person takes this seat")
        self.seats.append(_Seat(line, email or "", body, role, reason, outcome))


# --- importing ------------------------------------------------------------------------------------------


def import_csv(
    *, session: Session, actor: Person, text: str | bytes, dry_run: bool, now: datetime
) -> ImportResult:
    """Check every row of a people-and-seats CSV, then, unless it is a dry run or a row is wrong, add the
    people and seats in one transaction. Nothing is written unless every row is valid."""
    result = ImportResult(dry_run=dry_run)
    if isinstance(text, bytes):
        try:
            text = decode(text)
        except StructureError as error:
            result.errors.append(RowError(None, None, str(error)))
            return result
    rows = _rows(text, result)
    if rows is None:
        return result
    checker = _Checker(session, actor, now, result)
    checker.check(rows)
    result.errors.sort(key=lambda error: error.line or 0)  # by line; stable: a line keeps its order
    result.created = len(checker.new_people)
    result.existing = len(checker.existing)
    result.unchanged = sum(seat.outcome == "unchanged" for seat in checker.seats)
    result.seated = sum(seat.outcome == "seated" for seat in checker.seats)
    result.role_changed = sum(seat.outcome == "role_changed" for seat in checker.seats)
    if dry_run or result.errors:
        session.rollback()  # only reads happened: end the transaction
        return result
    _apply(session, actor, checker, now, result)
    return result


def _apply(session: Session, actor: Person, checker: _Checker, now: datetime, result: ImportResult) -> None:
    line = None
    try:
        people = dict(checker.people)
        people |= add_checked_people(
            session=session,
            actor=actor,
            people={plan.email: plan.columns for plan in checker.new_people.values()},
            now=now,
        )
        # open_seat flushes each seat itself; the lookups in between need not flush again
        with session.no_autoflush:
            for seat in checker.seats:
                if seat.outcome == "unchanged":
                    continue
                line = seat.line
                person = people[seat.email]
                opened, outcome = open_seat(
                    session=session,
                    body=seat.body,
                    person=person,
                    role=seat.role,
                    reason=seat.reason,
                    seated_by=actor,
                    now=now,
                )
                audit.record(
                    session,
                    actor_id=actor.id,
                    action=f"seat.{outcome}",
                    object_type="body",
                    object_id=seat.body.slug,
                    person=person.id,
                    role=seat.role.value,
                    reason=opened.reason,
                    ends_on=None,
                    bulk=True,
                )
        bump_revision(session=session)
        audit.record(
            session,
            actor_id=actor.id,
            action="bulk.import",
            object_type="person",
            object_id="csv",
            rows=result.rows,
            created=result.created,
            seated=result.seated,
            role_changed=result.role_changed,
            unchanged=result.unchanged,
        )
        session.commit()
    except RuleViolation as error:
        # the structure changed between the check and the writing (someone added the same person)
        session.rollback()
        result.errors.append(RowError(line, _COLUMN_OF_FIELD.get(error.field or "", error.field), str(error)))
        return
    except IntegrityError:
        session.rollback()
        result.errors.append(
            RowError(
                line, None, "the structure changed while importing (a person or seat was added): try again"
            )
        )
        return
    except Exception:
        session.rollback()
        raise
    result.applied = True


# --- exporting ------------------------------------------------------------------------------------------


def _safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula is quoted with '."""
    return spreadsheet_cell(value)


def export_csv(*, session: Session) -> str:
    """Every active person with each current seat, one row per seat (and one row for people without a
    seat), in the shape `import_csv` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for person, seat in queries.people_and_current_seats(session=session):
        row = [
            person.email,
            person.name,
            person.department.code,
            person.directorate.code if person.directorate else "",
            person.mission.code if person.mission else "",
            person.function,
            ";".join(person.languages or []),
            ";".join(person.skills or []),
            seat.body.slug if seat else "",
            str(seat.role) if seat else "",
            seat.reason if seat else "",
        ]
        writer.writerow([_safe(str(value)) for value in row])
    return out.getvalue()
