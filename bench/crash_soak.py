"""Crash soak: no field report is lost or stored twice when the server dies in the middle of posts.

    .venv/bin/python bench/crash_soak.py [--clients 64] [--posts 3000] [--kills 5] [--workers 2] [--threads 4]
    .venv/bin/python bench/crash_soak.py --database-url postgresql+psycopg://.../coordination_soak
    .venv/bin/python bench/crash_soak.py --short      # 8 clients, 150 posts, 2 kills, well under 30 s

Without `--database-url` it migrates and seeds a temporary SQLite database; with it, it runs on that
database (migrated and seeded first when empty), which keeps the posted reports. The app runs under
gunicorn on a loopback port. `--clients` threads post `--posts` field reports in all through the API
(POST /api/v1/field-reports), each with its own Idempotency-Key, as the demo accounts. `--kills` times,
spread over the run, the gunicorn master and its workers are killed at once with SIGKILL while posts are
in flight, and gunicorn is started again on the same port. A client sends each post again, with the same
key and body, until it is answered 200 or 201 (a refused connection, a cut answer or a 5xx is retried).

At the end it counts in the database, by idempotency key: reports lost (a key with no report), reports
duplicated (more reports than keys for this run), and answers that named another report than the one
stored. Any of these, or an answer other than 200, 201 or a retried failure, makes the exit status 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

try:  # run as `python bench/crash_soak.py` or imported as `bench.crash_soak`
    from bench import run
except ImportError:  # pragma: no cover
    import run  # type: ignore[no-redef]

from coordination import db
from coordination.reports.models import FieldReport
from coordination.seed import load_seed
from coordination.structure.models import Person

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/field-reports"
SHORT = {"clients": 8, "posts": 150, "kills": 2}
RETRY_PAUSE = 0.05  # seconds between two sends of the same post while the server is down
GIVE_UP_AFTER = 120  # seconds one post may keep failing before the run is declared broken


# --- database ---------------------------------------------------------------------------------------


def prepare(url: str) -> None:
    """Migrate, and seed the demo when nobody is there yet (a database from the test suite already is)."""
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        with Session(engine) as session:
            if not session.exec(select(func.count()).select_from(Person)).one():
                load_seed(session=session, demo_password=run.PASSWORD)
    finally:
        engine.dispose()


def posters() -> list[str]:
    """The demo accounts: each may post a field report about any country."""
    accounts = yaml.safe_load((ROOT / "seed" / "demo_accounts.yaml").read_text())
    return [account["email"] for account in accounts]


def count(url: str, prefix: str, keys: set[str], answered: dict[str, int]) -> dict:
    """What the database holds of this run's posts."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(FieldReport.id, FieldReport.idempotency_key, FieldReport.title).where(
                    FieldReport.idempotency_key.startswith(prefix)
                )
            ).all()
            integrity = None
            if engine.dialect.name == "sqlite":
                integrity = session.exec(text("PRAGMA integrity_check")).one()[0]
    finally:
        engine.dispose()
    stored = Counter(key for _id, key, _title in rows)
    titles = Counter(title for _id, _key, title in rows)
    ids = {key: report_id for report_id, key, _title in rows}
    return {
        "reports_stored": len(rows),
        "lost": len(keys - set(stored)),
        "duplicated": sum(n - 1 for n in stored.values()) + sum(n - 1 for n in titles.values()),
        "answered_another_report": sum(1 for key, rid in answered.items() if ids.get(key) != rid),
        "sqlite_integrity": integrity,
    }


# --- gunicorn ---------------------------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn in a process group of its own, so that master and workers die together."""

    url: str
    port: int
    workers: int
    threads: int
    log: Path
    process: subprocess.Popen | None = None
    starts: list[float] = field(default_factory=list)  # seconds until each start answered
    cpu_seconds: float = 0.0  # user + system time of the master and workers, summed over every start

    def start(self) -> None:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        command = [
            gunicorn,
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "60",
            "coordination.wsgi:app",
        ]
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "COORDINATION_ENV": "development",  # demo accounts are refused in production
            "COORDINATION_SECRET_KEY": "crash-soak-secret-key",
            "COORDINATION_BASE_URL": f"http://127.0.0.1:{self.port}",
            "SMTP_HOST": "",
        }
        started = time.monotonic()
        with self.log.open("a") as handle:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = started + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, *_ = run.Client(self.port, timeout=5).request("GET", "/login")
                if status == 200:
                    self.starts.append(time.monotonic() - started)
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 90 s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        """The end of gunicorn's log (the log itself goes with the temporary folder)."""
        return self.log.read_text(errors="replace")[-2000:]

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no graceful shutdown, no cleanup."""
        self.cpu_seconds += group_cpu_seconds(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.cpu_seconds += group_cpu_seconds(self.process.pid)
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def group_cpu_seconds(group: int) -> float:
    """CPU time used so far by the processes of a process group (from /proc; 0 where there is none)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- clients ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    sends: int = 0
    created: int = 0  # 201
    replayed: int = 0  # 200: the key was stored before the answer was lost
    failures: Counter = field(default_factory=Counter)  # retried: "no answer" or a 5xx status
    unexpected: Counter = field(default_factory=Counter)  # any other status: the run fails
    answered: dict[str, int] = field(default_factory=dict)  # key -> report id in the answer


def soak(server: Server, tokens: list[str], prefix: str, clients: int, posts: int, kills: int) -> dict:
    """Post `posts` reports from `clients` threads; kill and restart the server `kills` times meanwhile."""
    lock = threading.Lock()
    next_post = [0]
    confirmed = [0]
    tallies = [Tally() for _ in range(clients)]

    def take() -> int | None:
        with lock:
            if next_post[0] >= posts:
                return None
            next_post[0] += 1
            return next_post[0] - 1

    def post(number: int) -> None:
        tally = tallies[number]
        client = run.Client(
            server.port,
            {"Authorization": f"Bearer {tokens[number % len(tokens)]}", "Content-Type": "application/json"},
            timeout=60,
        )
        while (n := take()) is not None:
            key = f"{prefix}{n}"
            payload = json.dumps(
                {"title": f"Crash soak {key}", "body": f"Post {n} of client {number}.", "country_code": "COD"}
            ).encode()
            first = time.monotonic()
            while True:
                tally.sends += 1
                try:
                    status, _headers, data, _seconds = client.request(
                        "POST", PATH, payload, {"Idempotency-Key": key}
                    )
                except (OSError, http.client.HTTPException):
                    client.close()
                    status, data = 0, b""
                if status in (200, 201):
                    tally.answered[key] = json.loads(data)["id"]
                    if status == 201:
                        tally.created += 1
                    else:
                        tally.replayed += 1
                    with lock:
                        confirmed[0] += 1
                    break
                if status and status < 500:
                    tally.unexpected[status] += 1
                    break
                tally.failures["no answer" if not status else str(status)] += 1
                if time.monotonic() - first > GIVE_UP_AFTER:
                    tally.unexpected["gave up"] += 1
                    break
                time.sleep(RETRY_PAUSE)
        client.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for k in range(1, kills + 1):
        # Kill when the k-th share of the posts has been sent, so that clients are mid-post.
        while next_post[0] < posts * k // (kills + 1) and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        server.kill()
        server.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started

    failures: Counter = Counter()
    unexpected: Counter = Counter()
    answered: dict[str, int] = {}
    for tally in tallies:
        failures.update(tally.failures)
        unexpected.update(tally.unexpected)
        answered.update(tally.answered)
    return {
        "seconds": round(seconds, 2),
        "sends": sum(t.sends for t in tallies),
        "created_201": sum(t.created for t in tallies),
        "replayed_200": sum(t.replayed for t in tallies),
        "retried": dict(failures),
        "unexpected": dict(unexpected),
        "answered": answered,
    }


# --- main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite database, migrated and seeded")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--short", action="store_true", help="8 clients, 150 posts, 2 kills")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--server-log", help="keep gunicorn's log in this file")
    args = parser.parse_args(argv)
    if args.short:
        for name, value in SHORT.items():
            setattr(args, name, min(getattr(args, name), value))
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="coordination-soak-"))
    url = args.database_url or f"sqlite:///{scratch / 'soak.db'}"
    log = Path(args.server_log) if args.server_log else scratch / "gunicorn.log"
    prefix = f"soak-{uuid.uuid4().hex[:8]}-"
    try:
        prepare(url)
        server = Server(url, run.free_port(), args.workers, args.threads, log)
        server.start()
        try:
            tokens = [run.api_token(server.port, email) for email in posters()[: args.clients]]
            figures = soak(server, tokens, prefix, args.clients, args.posts, args.kills)
        finally:
            server.stop()
        answered = figures.pop("answered")
        figures.update(count(url, prefix, {f"{prefix}{n}" for n in range(args.posts)}, answered))
        figures["server_starts_s"] = [round(s, 2) for s in server.starts]
        figures["server_cpu_s"] = round(server.cpu_seconds, 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {
        "database": make_url(url).render_as_string(hide_password=True)
        if args.database_url
        else "temporary SQLite",
        "settings": {k: getattr(args, k) for k in ("clients", "posts", "kills", "workers", "threads")},
        **figures,
    }
    results["ok"] = (
        figures["lost"] == 0
        and figures["duplicated"] == 0
        and figures["answered_another_report"] == 0
        and not figures["unexpected"]
        and figures["sqlite_integrity"] in (None, "ok")
    )
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
