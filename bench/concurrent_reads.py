"""Reads never fail for a write (issue 15): clients open reports over HTTP while others post.

    .venv/bin/python bench/concurrent_reads.py [--source bench/data/bench-0.1.db] [--readers 16]
                                               [--posters 16] [--duration 10] [--workers 2] [--threads 16]
                                               [--server gunicorn|werkzeug] [--json FILE] [--server-log FILE]
    .venv/bin/python bench/concurrent_reads.py --database-url postgresql+psycopg://.../coordination_bench
    .venv/bin/python bench/concurrent_reads.py --smoke   # a tiny generated database, 4 + 4 clients, 2 s

On SQLite it copies `--source` (a database from bench/generate.py) to a temporary folder and runs on the
copy; `--database-url` runs on that database itself (it gains the posted reports, reads and audit events).
The app runs under gunicorn (`--workers` processes of `--threads` threads; the werkzeug threaded server
when gunicorn is not installed) on a loopback port. Each reader signs in through the form (with its CSRF
token) and takes an API token, lists its inbox, then opens its visible reports in turn, alternating the
page (GET /reports/<id>) and the API (GET /api/v1/field-reports/<id>); each poster posts field reports
through the API (POST /api/v1/field-reports). It prints, per kind of request, the count, the rate, the
errors (any answer that is not 2xx or 3xx, or no answer; 500s also on their own) and p50/p95/max latency,
then checks the database: every (reader, report) opened has its read receipt, and every opening of a
classified report its own "report.open" audit event. The exit status is 1 on any error or missing row.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

try:  # run as `python bench/concurrent_reads.py` or imported as `bench.concurrent_reads`
    from bench import generate, run
except ImportError:  # pragma: no cover
    import generate  # type: ignore[no-redef]
    import run  # type: ignore[no-redef]

from coordination import db
from coordination.audit.models import AuditEvent
from coordination.reports.models import ReportRead
from coordination.structure.models import Body, Membership, Mission, Person

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "bench" / "data" / "bench-0.1.db"
KINDS = {"page": "report page GET", "api": "API report GET", "post": "API report POST"}


@dataclass
class Tally:
    """What one client saw: (kind, status, seconds) per request, and what it opened."""

    requests: list[tuple[str, int, float]] = field(default_factory=list)
    opened: set[int] = field(default_factory=set)  # report ids answered with 200
    classified_opens: int = 0


# --- database ---------------------------------------------------------------------------------------


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, its write-ahead log included (the backup API)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")


def choose(url: str, readers: int, posters: int, seed: int) -> dict:
    """Readers (people seated in task forces and the steering group, who receive reports), posters (chairs
    of mission platforms, who may post for their mission), and the last audit event before the run."""
    engine = db.make_engine(url)
    rng = Random(seed)
    try:
        with Session(engine) as session:
            signs_in = (Person.password_hash.is_not(None), Person.active)
            chairs = session.exec(
                select(Person.email, Mission.code, Mission.city)
                .join(Membership, Membership.person_id == Person.id)
                .join(Body, Body.id == Membership.body_id)
                .join(Mission, Mission.id == Body.mission_id)
                .where(Membership.role == "chair", Membership.ended_at.is_(None), *signs_in)
                .order_by(Mission.id)
            ).all()
            members = session.exec(
                select(Person.email)
                .join(Membership, Membership.person_id == Person.id)
                .join(Body, Body.id == Membership.body_id)
                .where(
                    Body.kind.in_(["task_force", "steering_group"]),
                    Membership.ended_at.is_(None),
                    *signs_in,
                )
                .distinct()
                .order_by(Person.email)
            ).all()
            last_event = session.exec(select(func.max(AuditEvent.id))).one() or 0
    finally:
        engine.dispose()
    if not chairs or not members:
        raise SystemExit(
            f"{url}: no platform chairs or task force members; use a database from bench/generate.py"
        )
    rng.shuffle(members)
    return {
        "posters": rng.sample(chairs, min(posters, len(chairs))),
        "readers": members[: readers * 3],  # some may have an empty inbox
        "last_event": last_event,
    }


def verify(url: str, opened: dict[str, set[int]], classified_opens: int, last_event: int) -> dict:
    """The receipts and the opening audit events the run should have left, against what it left."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            receipts = 0
            for email, ids in opened.items():
                person_id = session.exec(select(Person.id).where(Person.email == email)).one()
                for start in range(0, len(ids), 500):
                    chunk = sorted(ids)[start : start + 500]
                    receipts += session.exec(
                        select(func.count())
                        .select_from(ReportRead)
                        .where(ReportRead.person_id == person_id, ReportRead.report_id.in_(chunk))
                    ).one()
            audited = session.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.id > last_event, AuditEvent.action == "report.open")
            ).one()
    finally:
        engine.dispose()
    expected = sum(len(ids) for ids in opened.values())
    return {
        "receipts_expected": expected,
        "receipts_recorded": receipts,
        "open_audits_expected": classified_opens,
        "open_audits_recorded": audited,
    }


# --- server -----------------------------------------------------------------------------------------


def start_werkzeug(url: str, log: Path) -> run.Server:
    """The werkzeug development server, threaded, in a process of its own."""
    port = run.free_port()
    code = (  # stopped by SIGTERM: exit as gunicorn workers do, so that deferred writes are done first
        "import signal, sys\n"
        "from werkzeug.serving import run_simple\n"
        "from coordination.wsgi import app\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
        f"run_simple('127.0.0.1', {port}, app, threaded=True, use_reloader=False)\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "COORDINATION_ENV": "development",  # demo accounts are refused in production
        "COORDINATION_SECRET_KEY": "bench-secret-key",
        "COORDINATION_BASE_URL": f"http://127.0.0.1:{port}",
        "SMTP_HOST": "",
    }
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )
    server = run.Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited ({process.returncode}); see {log}:\n{log.read_text()[-2000:]}"
            )
        try:
            if run.Client(port).request("GET", "/login")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not answer within 60 s; see {log}")


def start(args, url: str, log: Path) -> tuple[run.Server, str]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if args.server == "werkzeug" or (args.server == "auto" and gunicorn is None):
        return start_werkzeug(url, log), "werkzeug, threaded"
    server = run.start_server(url, args.workers, args.threads, log, timeout=120)
    return server, f"gunicorn, {args.workers} workers x {args.threads} threads"


# --- clients ----------------------------------------------------------------------------------------


def readable(port: int, emails: list[str], wanted: int) -> list[tuple[str, dict[int, bool]]]:
    """Up to `wanted` people with the reports their inbox lists (id -> whether classified)."""
    found = []
    for email in emails:
        if len(found) == wanted:
            break
        api = run.Client(port, {"Authorization": f"Bearer {run.api_token(port, email)}"})
        status, _h, data, _t = api.request("GET", "/api/v1/inbox?limit=200")
        api.close()
        if status != 200:
            raise RuntimeError(f"inbox of {email}: HTTP {status} {data[:200]!r}")
        items = json.loads(data)["items"]
        if items:
            found.append(
                (email, {i["report"]["id"]: i["report"]["classification"] != "unclassified" for i in items})
            )
    if not found:
        raise RuntimeError("no reader has a report in their inbox")
    return found


def reader(port: int, email: str, reports: dict) -> tuple[str, run.Client, run.Client, dict]:
    """A reader's own connections: signed in through the form, and with an API token."""
    api = run.Client(port, {"Authorization": f"Bearer {run.api_token(port, email)}"}, timeout=120)
    return email, run.sign_in(port, email, timeout=120), api, reports


def load(port: int, readers: list, posters: list, duration: float, seed: int) -> dict[str, Tally]:
    """Every client in its own thread, all starting together, for `duration` seconds."""
    tallies: dict[str, Tally] = {}
    clients = len(readers) + len(posters)
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def read(number: int, email: str, page: run.Client, api: run.Client, reports: dict) -> None:
        tally = tallies[f"reader {number} {email}"] = Tally()
        ids = sorted(reports)
        Random(seed + number).shuffle(ids)
        i = 0
        barrier.wait()
        while time.monotonic() < stop_at[0]:
            report_id = ids[i % len(ids)]
            kind, client = ("page", page) if i % 2 == 0 else ("api", api)
            path = f"/reports/{report_id}" if kind == "page" else f"/api/v1/field-reports/{report_id}"
            i += 1
            try:
                status, _h, _b, elapsed = client.request("GET", path)
            except OSError:
                client.close()
                status, elapsed = 0, 0.0
            tally.requests.append((kind, status, elapsed))
            if status == 200:
                tally.opened.add(report_id)
                tally.classified_opens += reports[report_id]

    def post(number: int, token: str, bodies: list[dict]) -> None:
        tally = tallies[f"poster {number}"] = Tally()
        client = run.Client(port, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        i = 0
        barrier.wait()
        while time.monotonic() < stop_at[0]:
            payload = json.dumps(bodies[i % len(bodies)]).encode()
            i += 1
            try:
                status, _h, _b, elapsed = client.request("POST", "/api/v1/field-reports", payload)
            except OSError:
                client.close()
                status, elapsed = 0, 0.0
            tally.requests.append(("post", status, elapsed))
        client.close()

    threads = [threading.Thread(target=read, args=(n, *one)) for n, one in enumerate(readers)]
    threads += [threading.Thread(target=post, args=(n, *poster)) for n, poster in enumerate(posters)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + 0.2 + duration  # set before anyone passes the barrier
    barrier.wait()
    for thread in threads:
        thread.join()
    return tallies


def figures(tallies: dict[str, Tally], duration: float) -> dict:
    by_kind: dict[str, list[tuple[int, float]]] = {kind: [] for kind in KINDS}
    for tally in tallies.values():
        for kind, status, elapsed in tally.requests:
            by_kind[kind].append((status, elapsed))
    out = {}
    everything = [answer for answers in by_kind.values() for answer in answers]
    for kind, answers in [*by_kind.items(), ("all", everything)]:
        statuses = Counter(status for status, _e in answers)
        ms = [elapsed * 1000 for status, elapsed in answers if status]
        out[kind] = {
            "requests": len(answers),
            "per_second": round(len(answers) / duration, 1),
            "errors": sum(n for status, n in statuses.items() if not 200 <= status < 400),
            "status_500": statuses.get(500, 0),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "p50_ms": round(run.percentile(ms, 50), 1) if ms else None,
            "p95_ms": round(run.percentile(ms, 95), 1) if ms else None,
            "max_ms": round(max(ms), 1) if ms else None,
        }
    return out


def table(results: dict) -> str:
    lines = [
        f"{'requests':<18} {'count':>7} {'per s':>7} {'errors':>7} {'500':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8}  statuses",
        "-" * 96,
    ]
    for kind, label in [*KINDS.items(), ("all", "all")]:
        f = results["requests"][kind]
        lines.append(
            f"{label:<18} {f['requests']:>7} {f['per_second']:>7} {f['errors']:>7} {f['status_500']:>5} "
            f"{f['p50_ms']!s:>8} {f['p95_ms']!s:>8} {f['max_ms']!s:>8}  {f['statuses']}"
        )
    check = results["recorded"]
    lines.append(
        f"read receipts {check['receipts_recorded']} of {check['receipts_expected']} (reader, report) pairs; "
        f"'report.open' audit events {check['open_audits_recorded']} of {check['open_audits_expected']} "
        f"classified openings; 'database is locked' in the server log: {results['locked_in_log']}"
    )
    return "\n".join(lines)


# --- the run ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=str(DEFAULT_SOURCE), help="SQLite database to copy and run on")
    parser.add_argument(
        "--database-url", help="run on this database itself (PostgreSQL or SQLite), not a copy"
    )
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--posters", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--server", choices=("auto", "gunicorn", "werkzeug"), default="auto")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--no-upgrade", action="store_true", help="do not migrate the database first")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--server-log", help="keep the server's log (access lines, errors) in this file")
    parser.add_argument("--smoke", action="store_true", help="tiny generated database, 4 + 4 clients, 2 s")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="coordination-reads-"))
    try:
        if args.database_url:
            url = args.database_url
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and not Path(parsed.database).is_absolute():
                url = parsed.set(database=str(ROOT / parsed.database)).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{scratch / 'reads.db'}"
            if args.smoke:
                args.readers, args.posters = min(args.readers, 4), min(args.posters, 4)
                args.duration = min(args.duration, 2.0)
                args.threads = min(args.threads, 4)
                generate.main(["--database-url", url, "--scale", "0.0005", "--no-progress"])
            elif Path(args.source).exists():
                copy_sqlite(Path(args.source), scratch / "reads.db")
            else:
                raise SystemExit(
                    f"no database at {args.source}: run bench/generate.py --scale 0.1 --database-url "
                    f"sqlite:///{args.source} first, pass --source, or --smoke"
                )
        if not args.no_upgrade:
            engine = db.make_engine(url)
            try:
                db.upgrade(engine)
            finally:
                engine.dispose()
        chosen = choose(url, args.readers, args.posters, args.seed)
        log = scratch / "server.log"
        server, kind = start(args, url, log)
        shown = make_url(url).render_as_string(hide_password=True)
        print(
            f"{shown}; {kind}; {args.readers} readers + {args.posters} posters, {args.duration:g} s",
            flush=True,
        )
        try:
            port = server.port
            people = readable(port, chosen["readers"], args.readers)
            # with fewer people than readers, some sign in more than once (each thread its own session)
            readers = [reader(port, *people[n % len(people)]) for n in range(args.readers)]
            posters = []
            for n in range(args.posters):
                email, code, city = chosen["posters"][n % len(chosen["posters"])]
                bodies = run.report_bodies(20, [(code, city)], seed=args.seed + n)
                posters.append((run.api_token(port, email), bodies))
            # one request of each kind first, so that no client pays for the caches the first one fills
            email, page, api, reports = readers[0]
            for client, path in ((page, "/reports/"), (api, "/api/v1/field-reports/")):
                status = client.request("GET", f"{path}{min(reports)}")[0]
                if status != 200:
                    raise RuntimeError(f"warm-up GET {path}{min(reports)}: HTTP {status}")
            tallies = load(port, readers, posters, args.duration, args.seed)
            for _email, page, api, _reports in readers:
                page.close()
                api.close()
        finally:
            server.stop()  # gracefully: the requests under way finish first
        text = log.read_text(errors="replace")
        if args.server_log:
            shutil.copyfile(log, args.server_log)
        opened: dict[str, set[int]] = {}
        classified = 0
        for name, tally in tallies.items():
            if name.startswith("reader "):
                opened.setdefault(name.split(" ", 2)[2], set()).update(tally.opened)
                classified += tally.classified_opens
        warm_email, warm_reports = readers[0][0], readers[0][3]
        opened.setdefault(warm_email, set()).add(min(warm_reports))
        classified += 2 * warm_reports[min(warm_reports)]
        results = {
            "database": shown,
            "server": kind,
            "settings": {
                k: getattr(args, k) for k in ("readers", "posters", "duration", "workers", "threads")
            },
            "requests": figures(tallies, args.duration),
            "recorded": verify(url, opened, classified, chosen["last_event"]),
            "locked_in_log": text.count("database is locked"),
            "server_errors_in_log": text.count("Traceback"),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    recorded = results["recorded"]
    results["ok"] = (
        results["requests"]["all"]["errors"] == 0
        and recorded["receipts_recorded"] == recorded["receipts_expected"]
        and recorded["open_audits_recorded"] == recorded["open_audits_expected"]
    )
    print(table(results))
    print("OK: no errors, every receipt and audit event recorded" if results["ok"] else "FAILED")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
