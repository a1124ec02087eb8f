"""Memory of the streamed field-report export (issue 18): rows, seconds and the process's peak RSS.

    .venv/bin/python bench/export_memory.py                                   # bench/data/bench.db, CSV
    .venv/bin/python bench/export_memory.py --database-url sqlite:///bench/data/bench-0.1.db --format jsonl
    .venv/bin/python bench/export_memory.py --database-url postgresql+psycopg://.../coordination_bench
    .venv/bin/python bench/export_memory.py --database-url sqlite:///copy.db --seat-everywhere  # ~all

On a generated database (bench/generate.py), signs in through the login form as the person whose bodies
received the most reports (or `--email`), and reads `GET /reports/export.<format>` through the
application (test client, unbuffered), chunk by chunk, keeping nothing: the same path as a download.
Prints the rows and bytes exported, the seconds, the process's peak RSS before and after the export
(resource.getrusage: a high-water mark, which the application itself and the sign-in's argon2 hash, 64 MB,
already set), and the resident set before the export and its maximum while streaming (sampled at each
chunk, Linux): their difference is what the export holds. The target is under 100 MB at 1M reports.
If the export holds classified reports, it adds one audit event ("report.export") to the database, as
any export does.
"""

import argparse
import csv
import io
import json
import resource
import sys
import time

from sqlalchemy import text

from coordination import create_app, db

DEFAULT_URL = "sqlite:///bench/data/bench.db"
DEMO_PASSWORD = "demo-coordination"
# the person whose current seats received the most reports
BUSIEST_READER = """
SELECT p.email FROM membership m JOIN delivery d ON d.body_id = m.body_id JOIN person p ON p.id = m.person_id
GROUP BY p.id, p.email ORDER BY count(*) DESC LIMIT 1
"""


def peak_rss_mb() -> float:
    """The process's peak resident set so far, in MB (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def rss_mb() -> float | None:
    """The process's resident set now, in MB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / (1024 * 1024)
    except OSError:
        return None


SEAT_EVERYWHERE = """
INSERT INTO membership (body_id, person_id, role, reason, started_at, end_reason)
SELECT b.id, p.id, 'member', 'bench: a reader of every report', '2000-01-01 00:00:00', ''
FROM body b, person p
WHERE p.email = :email AND NOT EXISTS (
    SELECT 1 FROM membership m WHERE m.body_id = b.id AND m.person_id = p.id AND m.ended_at IS NULL
)
"""


def seat_everywhere(engine, email: str) -> int:
    """Seat the reader in every body, cleared top secret: no one person receives all the generated
    reports (they are spread over 400 bodies), so this makes one whose export holds nearly every report.
    Changes the database: use it on a copy."""
    with engine.begin() as connection:
        seated = connection.execute(text(SEAT_EVERYWHERE), {"email": email}).rowcount
        connection.execute(
            text("UPDATE person SET clearance = 'top_secret' WHERE email = :email"), {"email": email}
        )
        connection.execute(text("UPDATE organisationrevision SET revision = revision + 1"))
    return seated


def measure(
    database_url: str, fmt: str, email: str | None, upgrade: bool = True, everywhere: bool = False
) -> dict:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    engine = db.engine_of(app)
    if upgrade:  # as a deployment would, before the export runs
        db.upgrade(engine)
    with engine.connect() as connection:
        reports = connection.execute(text("SELECT count(*) FROM fieldreport")).scalar_one()
        email = email or connection.execute(text(BUSIEST_READER)).scalar_one()
    seated = seat_everywhere(engine, email) if everywhere else 0
    client = app.test_client()
    signed_in = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    if signed_in.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {signed_in.status_code}")
    before, resident_before = peak_rss_mb(), rss_mb()
    resident_max = resident_before
    started = time.perf_counter()
    response = client.get(f"/reports/export.{fmt}", buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"export answered {response.status_code}")
    size = rows = chunks = 0
    along: list[tuple[int, float]] = []
    counting = 0.0
    for chunk in response.response:
        chunks += 1
        size += len(chunk)
        counted = time.perf_counter()
        # each chunk is whole rows (one batch); a report's text may hold line breaks inside a CSV cell
        rows += (
            sum(1 for _row in csv.reader(io.StringIO(chunk.decode()))) if fmt == "csv" else chunk.count(b"\n")
        )
        counting += time.perf_counter() - counted
        if resident_max is not None:
            resident = rss_mb()
            resident_max = max(resident_max, resident)
            if chunks % 100 == 0:  # the resident set along the export: flat if it holds one batch
                along.append((rows, round(resident, 1)))
    response.close()
    seconds = time.perf_counter() - started - counting
    rows -= 1 if fmt == "csv" else 0  # the header
    return {
        "database_reports": reports,
        "reader": email,
        "seats_added": seated,
        "format": fmt,
        "rows": rows,
        "chunks": chunks,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "peak_rss_mb_before": round(before, 1),
        "peak_rss_mb_after": round(peak_rss_mb(), 1),
        "rss_mb_before_export": round(resident_before, 1) if resident_before else None,
        "rss_mb_max_during_export": round(resident_max, 1) if resident_max else None,
        "rss_mb_every_100_chunks": along,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--email", help="whose export (default: the reader with the most deliveries)")
    parser.add_argument("--no-upgrade", action="store_true", help="do not migrate the database first")
    parser.add_argument(
        "--seat-everywhere",
        action="store_true",
        help="seat the reader in every body, cleared top secret, first (changes the database: use a copy)",
    )
    args = parser.parse_args(argv)
    figures = measure(
        args.database_url,
        args.format,
        args.email,
        upgrade=not args.no_upgrade,
        everywhere=args.seat_everywhere,
    )
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
