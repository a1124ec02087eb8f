"""Timings of the people-and-seats CSV import (coordination/structure/bulk.py) on the seeded demo database.

    .venv/bin/python bench/bulk_import.py

Builds a fresh seeded SQLite database in a temporary folder, then prints, for the steering group's
secretary (an administrator):
  (a) importing 1,000 rows of which 3 are bad: nothing is written, and the 3 rows are named;
  (b) a dry run of 10,000 valid rows, in the service and through POST /api/v1/people/import;
  (c) importing 1,000 valid rows for real (people added, a quarter seated in the steering group);
  (d) exporting everything again.
Run by hand; no test runs it.
"""

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, func, select

from coordination import create_app, db
from coordination.seed import load_seed
from coordination.structure import bulk
from coordination.structure import queries as structure
from coordination.structure.models import Membership, Person

DEMO_PASSWORD = "demo-coordination"
ADMIN = "thomas.delvaux@diplobel.example"
BAD_ROWS = {
    17: {"department": "NOPE"},
    480: {"email": "not-an-address"},
    999: {"body": "task-force-atlantis"},
}


def row(n: int, **cells) -> str:
    seated = n % 4 == 0
    values = {
        "email": f"bench.person{n}@diplobel.example",
        "name": f"Bench Person {n}",
        "department": "FA",
        "directorate": "DGB" if n % 2 else "DGD",
        "mission": "KINSHASA" if n % 10 == 0 else "",
        "function": "Desk officer",
        "languages": "nl;fr;en",
        "skills": "mediation;logistics",
        "body": "steering-group" if seated else "",
        "role": "observer" if seated else "",
        "seat_reason": "Liaison officer" if seated else "",
        **cells,
    }
    return ",".join(values[column] for column in bulk.COLUMNS)


def csv_text(count: int, bad: dict[int, dict] | None = None, start: int = 0) -> str:
    bad = bad or {}
    lines = [",".join(bulk.COLUMNS)]
    lines += [row(start + i, **bad.get(i, {})) for i in range(count)]
    return "\r\n".join(lines) + "\r\n"


def counts(session: Session) -> tuple[int, int]:
    session.rollback()
    return (
        session.exec(select(func.count()).select_from(Person)).one(),
        session.exec(select(func.count()).select_from(Membership)).one(),
    )


def timed(function, rounds: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="coordination-bench-bulk-"))
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "TESTING": True, "SECRET_KEY": "bench"}
    )
    engine = db.engine_of(app)
    db.upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session=session, demo_password=DEMO_PASSWORD)
        admin = structure.get_person_by_email(session=session, email=ADMIN)
        before = counts(session)

        def run(text: str, dry_run: bool):
            return bulk.import_csv(session=session, actor=admin, text=text, dry_run=dry_run, now=now)

        bad = csv_text(1_000, BAD_ROWS)
        ms, result = timed(lambda: run(bad, dry_run=False))
        assert counts(session) == before, "an invalid file wrote something"
        print(
            f"(a) 1,000 rows, 3 bad, not a dry run: {ms:.0f} ms (median of 3); "
            f"valid={result.valid}, applied={result.applied}, people and seats unchanged "
            f"({before[0]} people, {before[1]} seats)"
        )
        for error in result.errors:
            print(f"      line {error.line}, column {error.column}: {error.message}")

        big = csv_text(10_000)
        ms, result = timed(lambda: run(big, dry_run=True))
        assert result.valid and not result.applied and counts(session) == before
        print(
            f"(b) dry run of 10,000 rows ({len(big.encode()) / 1e6:.1f} MB): {ms:.0f} ms in the service "
            f"(median of 3); would add {result.created} people and {result.seated} seats"
        )

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": ADMIN, "password": DEMO_PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['access_token']}", "Content-Type": "text/csv"}

    def post_dry_run():
        response = client.post("/api/v1/people/import?dry_run=true", data=big, headers=headers)
        assert response.status_code == 200, response.json
        return response

    ms, _response = timed(post_dry_run)
    print(
        f"    the same through POST /api/v1/people/import?dry_run=true, in-process: {ms:.0f} ms (median of 3)"
    )

    with Session(engine, expire_on_commit=False) as session:
        admin = structure.get_person_by_email(session=session, email=ADMIN)
        good = csv_text(1_000, start=20_000)
        started = time.perf_counter()
        result = bulk.import_csv(session=session, actor=admin, text=good, dry_run=False, now=now)
        ms = (time.perf_counter() - started) * 1000
        assert result.applied, result.errors[:3]
        after = counts(session)
        print(
            f"(c) 1,000 valid rows imported: {ms:.0f} ms, one transaction; "
            f"+{after[0] - before[0]} people, +{after[1] - before[1]} seats"
        )
        ms, text = timed(lambda: bulk.export_csv(session=session))
        print(f"(d) export of {text.count(chr(10)) - 1:,} rows: {ms:.0f} ms (median of 3)")


if __name__ == "__main__":
    main()
