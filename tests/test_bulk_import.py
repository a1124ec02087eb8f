"""Bulk import and export of people and seats as CSV: every row checked before anything is written, each
error named by line and column, one transaction, the seating rule per body, and an export that imports
back."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from coordination.audit.models import AuditEvent
from coordination.structure import bulk
from coordination.structure import queries as structure
from coordination.structure.models import Membership, Person
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, JUSTICE_MEMBER, SG_SECRETARY

NOW = datetime.now(UTC)
HEADER = ",".join(bulk.COLUMNS)


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def person_row(n: int, *, body: str = "", role: str = "", reason: str = "", **cells) -> str:
    values = {
        "email": f"bulk.person{n}@diplobel.example",
        "name": f"Bulk Person {n}",
        "department": "FA",
        "directorate": "DGB",
        "mission": "",
        "function": "Desk officer",
        "languages": "nl;fr;en",
        "skills": "mediation;french",
        "body": body,
        "role": role,
        "seat_reason": reason,
        **cells,
    }
    return ",".join(values[column] for column in bulk.COLUMNS)


def csv_text(rows: list[str]) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def counts(session) -> tuple[int, int, int]:
    session.rollback()  # a fresh read
    return (
        session.exec(select(func.count()).select_from(Person)).one(),
        session.exec(select(func.count()).select_from(Membership)).one(),
        session.exec(select(func.count()).select_from(AuditEvent)).one(),
    )


def run(session, actor_email, text, dry_run=False):
    return bulk.import_csv(
        session=session, actor=who(session, actor_email), text=text, dry_run=dry_run, now=NOW
    )


def test_a_thousand_rows_with_three_bad_ones_write_nothing_and_name_the_three(session):
    rows = [
        person_row(n, body="steering-group", role="observer", reason="Liaison")
        if n % 4 == 0
        else person_row(n)
        for n in range(1000)
    ]
    rows[10] = person_row(10, department="NOPE")  # line 12
    rows[500] = person_row(500, email="not-an-address")  # line 502
    rows[998] = person_row(998, body="task-force-atlantis", reason="x")  # line 1000
    before = counts(session)

    result = run(session, SG_SECRETARY, csv_text(rows))

    assert not result.valid and not result.applied and result.rows == 1000
    assert [(e.line, e.column) for e in result.errors] == [(12, "department"), (502, "email"), (1000, "body")]
    assert "NOPE" in result.errors[0].message and "atlantis" in result.errors[2].message
    assert counts(session) == before


def test_a_valid_import_adds_people_and_seats_in_one_audited_transaction(session):
    rows = [person_row(n) for n in range(5)] + [
        person_row(n, body="steering-group", role="observer", reason="Liaison officer") for n in range(5, 8)
    ]
    # someone already in the structure: nothing about them changes, the row may seat them (here: unchanged)
    rows.append(f"{DGB_DIRECTOR},Someone Else,DEF,,,,,,task-force-great-lakes,chair,")
    people, seats, _events = counts(session)

    result = run(session, SG_SECRETARY, csv_text(rows))

    assert result.valid and result.applied, result.errors
    assert (result.created, result.existing, result.seated, result.unchanged) == (8, 1, 3, 1)
    assert counts(session)[:2] == (people + 8, seats + 3)
    added = who(session, "bulk.person6@diplobel.example")
    assert added.department.code == "FA" and added.directorate.code == "DGB"
    assert added.languages == ["en", "fr", "nl"] and added.skills == ["french", "mediation"]
    steering = structure.get_steering_group(session=session)
    assert structure.role_in(session=session, person_id=added.id, body_id=steering.id) == "observer"
    assert who(session, DGB_DIRECTOR).name == "Bart Heylen"
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.actor_id == who(session, SG_SECRETARY).id)
    )
    actions = list(actions)
    assert actions.count("bulk.import") == 1 and actions.count("person.create") == 8
    assert actions.count("seat.seated") == 3


def test_a_dry_run_checks_everything_and_writes_nothing(session):
    rows = [person_row(n, body="steering-group", role="member", reason="Representative") for n in range(20)]
    before = counts(session)
    result = run(session, SG_SECRETARY, csv_text(rows), dry_run=True)
    assert result.valid and not result.applied and (result.created, result.seated) == (20, 20)
    assert counts(session) == before


def test_seats_follow_the_seating_rule_of_each_body_for_administrators_too(session):
    rows = [
        person_row(1, body="task-force-great-lakes", role="member", reason="Desk"),  # the TF's officers seat
        person_row(2, body="task-force-great-lakes", role="co_chair", reason="Defence"),  # the SG's officers
    ]
    result = run(session, SG_SECRETARY, csv_text(rows))
    assert [(e.line, e.column) for e in result.errors] == [(2, "role")]
    assert "only the task force's chair, a co-chair or its secretary" in result.errors[0].message


def test_a_chair_imports_seats_of_people_already_there_but_adds_nobody(session):
    justice = who(session, JUSTICE_MEMBER)
    rows = [
        f"{justice.email},,,,,,,,platform-kinshasa,member,Judicial cooperation",
        person_row(1, body="platform-kinshasa", role="member", reason="New attaché"),
    ]
    result = run(session, AMBASSADOR_KINSHASA, csv_text(rows))
    assert [(e.line, e.column) for e in result.errors] == [(3, "email")]
    assert "only an administrator" in result.errors[0].message

    result = run(session, AMBASSADOR_KINSHASA, csv_text(rows[:1]))
    assert result.valid and result.applied and result.seated == 1
    platform = structure.get_body(session=session, slug="platform-kinshasa")
    assert structure.role_in(session=session, person_id=justice.id, body_id=platform.id) == "member"


def test_every_error_of_a_row_and_duplicates_within_the_file_are_named(session):
    rows = [
        person_row(1, name="X", directorate="NOPE", mission="ATLANTIS", languages="a" * 61),  # line 2
        person_row(2, body="steering-group", role="observer", reason="Liaison"),  # line 3
        person_row(2, body="steering-group", role="member", reason="Again"),  # line 4: same seat twice
        person_row(2, name="Another Name"),  # line 5: the same new person, told differently
        person_row(3, role="member"),  # line 6: a role without a body
        person_row(4, body="steering-group", role="boss", reason="x"),  # line 7
        person_row(5, body="steering-group", role="member"),  # line 8: no reason
        "only-one-cell",  # line 9
        person_row(6) + ",extra",  # line 10
    ]
    result = run(session, SG_SECRETARY, csv_text(rows))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "name"),
        (2, "languages"),
        (2, "directorate"),
        (2, "mission"),
        (4, "body"),
        (5, "name"),
        (6, "body"),
        (7, "role"),
        (8, "seat_reason"),
        (9, "email"),
        (10, None),
    ]
    assert "line 3" in result.errors[4].message and "line 3" in result.errors[5].message


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("", 1, None),
        ("email;name;department\nx@y.example;X;FA\n", 1, None),
        ("email,nickname\nx@y.example,X\n", 1, "nickname"),
        ("name,department\nXavier,FA\n", 1, "email"),
        (HEADER + "\n", None, None),
        (HEADER + '\n"unterminated,\n', 2, None),
    ],
)
def test_the_shape_of_the_file_is_checked_first(session, text, line, column):
    result = run(session, SG_SECRETARY, text)
    assert not result.valid and (result.errors[0].line, result.errors[0].column) == (line, column)


def test_huge_files_are_refused_with_a_clear_message(session, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ROWS", 5)
    result = run(session, SG_SECRETARY, csv_text([person_row(n) for n in range(6)]))
    assert [(e.line, e.message) for e in result.errors] == [
        (7, "at most 5 rows per file: split it into several files")
    ]
    result = run(session, SG_SECRETARY, b"x" * (bulk.MAX_BYTES + 1))
    assert "larger than 5 MB" in result.errors[0].message
    result = run(session, SG_SECRETARY, HEADER.encode() + b"\n\xff\xfe")
    assert "not UTF-8" in result.errors[0].message


def test_the_export_imports_back_unchanged_and_guards_against_formulas(session):
    added = run(session, SG_SECRETARY, csv_text([person_row(1, function="=HYPERLINK(1)", skills="@risk")]))
    assert added.applied
    exported = bulk.export_csv(session=session)
    rows = list(csv.DictReader(io.StringIO(exported)))
    mine = next(r for r in rows if r["email"] == "bulk.person1@diplobel.example")
    assert mine["function"] == "'=HYPERLINK(1)" and mine["skills"] == "'@risk"
    seats = session.exec(
        select(func.count()).select_from(Membership).where(Membership.ended_at.is_(None))
    ).one()
    assert len([r for r in rows if r["body"]]) == seats

    again = run(session, SG_SECRETARY, exported)
    assert again.valid and again.applied, again.errors[:3]
    assert (again.created, again.seated, again.role_changed, again.unchanged) == (0, 0, 0, seats)

    # the same rows under new addresses make the same people
    copied = exported.replace("bulk.person1@diplobel.example", "bulk.copy1@diplobel.example")
    result = run(session, SG_SECRETARY, copied)
    assert result.created == 1 and result.applied
    copy, original = (
        who(session, "bulk.copy1@diplobel.example"),
        who(session, "bulk.person1@diplobel.example"),
    )
    fields = ("name", "department_id", "directorate_id", "mission_id", "function", "languages", "skills")
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    assert copy.function == "=HYPERLINK(1)"


# --- API and pages ----------------------------------------------------------------------------------


def test_api_import_dry_run_then_import_and_422_listing_errors(client, api_token, session):
    headers = {**api_token(SG_SECRETARY), "Content-Type": "text/csv"}
    text = csv_text([person_row(1), person_row(2, body="steering-group", role="observer", reason="Liaison")])

    response = client.post("/api/v1/people/import?dry_run=true", data=text, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["valid"] and not response.json["applied"] and response.json["created"] == 2
    assert who(session, "bulk.person1@diplobel.example") is None

    response = client.post("/api/v1/people/import", data=text, headers=headers)
    assert response.status_code == 200 and response.json["applied"] and response.json["seated"] == 1

    bad = csv_text([person_row(3, department="NOPE"), person_row(4)])
    response = client.post("/api/v1/people/import", data=bad, headers=headers)
    assert response.status_code == 422 and not response.json["valid"]
    assert response.json["errors"] == [
        {"line": 2, "column": "department", "message": "unknown department 'NOPE'"}
    ]
    session.rollback()
    assert who(session, "bulk.person4@diplobel.example") is None

    upload = client.post(
        "/api/v1/people/import?dry_run=true",
        data={"file": (io.BytesIO(text.encode()), "people.csv")},
        headers={"Authorization": headers["Authorization"]},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 200 and upload.json["unchanged"] == 1

    too_big = client.post("/api/v1/people/import", data=b"x" * (bulk.MAX_BYTES + 10), headers=headers)
    assert too_big.status_code == 413 and "5 MB" in too_big.json["detail"]


def test_api_export_is_csv_for_any_signed_in_caller(client, api_token):
    response = client.get("/api/v1/people/export.csv", headers=api_token(JUSTICE_MEMBER))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header, *rows = response.get_data(as_text=True).splitlines()
    assert header == HEADER and any(row.startswith(f"{DGB_DIRECTOR},Bart Heylen,FA,DGB") for row in rows)


def test_import_page_shows_errors_by_line_and_column_and_imports_when_valid(client, auth, session):
    auth.login(SG_SECRETARY)
    assert "Import people and seats" in client.get("/people/import").get_data(as_text=True)
    people_page = client.get("/people").get_data(as_text=True)
    assert "/people/export.csv" in people_page and "/people/import" in people_page

    bad = csv_text([person_row(1), person_row(2, email="nope")])
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(bad.encode()), "people.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was imported" in page
    assert "<td>3</td><td>email</td>" in page

    good = csv_text([person_row(1), person_row(2)])
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(good.encode()), "people.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "Every row is valid" in response.get_data(as_text=True)
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(good.encode("utf-8-sig")), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/people")
    session.rollback()
    assert who(session, "bulk.person2@diplobel.example") is not None

    export = client.get("/people/export.csv")
    assert export.status_code == 200 and "bulk.person2@diplobel.example" in export.get_data(as_text=True)
