"""The scheduler recovers (issue 16): two scheduler processes on one SQLite database, one killed -9.

    .venv/bin/python bench/scheduler_soak.py [--minutes 30] [--speed 60] [--kill-after 10] [--json FILE]
    .venv/bin/python bench/scheduler_soak.py --short     # 12 minutes at 30 times: 24 s of running

It seeds a temporary SQLite database (the seed and the demo scenario), starts a loopback SMTP server
that takes `--smtp-delay` seconds per message (so that sending holds a lease for a while), and two
`coordination scheduler --clock-speed` processes sharing one injected clock that starts at 06:50
Europe/Brussels (the daily jobs fall at 07:00). While they run, this process posts notifications for
e-mail every injected minute (more work, and a third writer). After `--kill-after` injected minutes it
kill -9s the first scheduler while that one holds a job's lease; the other runs on until `--minutes`.

Then it checks, from the database and both schedulers' logs (each run logs its job, slot and time):
every job ran in every slot (no gap between two starts longer than its interval, or its interval plus
the lease after the kill), no slot ran twice, the daily jobs once, no lease of the dead scheduler
outlived its expiry (it was taken over), every notification posted was e-mailed, no job failed, and no
"database is locked" anywhere. It prints runs per job, the largest gap and the takeover time; the exit
status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from sqlalchemy import func
from sqlmodel import Session, select

from coordination import create_app, db
from coordination.jobs import tasks
from coordination.jobs.clock import InjectedClock
from coordination.jobs.lock import LEASE
from coordination.jobs.models import JobLock
from coordination.jobs.scheduler import FREQUENTLY
from coordination.notifications import service as notifications
from coordination.notifications.enums import EmailState
from coordination.notifications.models import Notification
from coordination.seed import load_scenario, load_seed
from coordination.structure.models import Person

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Europe/Brussels")
READY = "scheduler ready"
STARTED = re.compile(r"job (\w+) started \(as of (\S+)\) for the slot at (\S+)")
ENDED = re.compile(r"^(\S+ \S+) \w+ \S+: job (\w+) (?:finished|failed)")
LOCKED = "database is locked"
LOG_RESOLUTION = timedelta(seconds=1)  # of the times the schedulers log


@dataclass
class Soak:
    """What was seen: runs per (job, process), the kill, the takeover, errors."""

    runs: dict[str, list[tuple[datetime, datetime, str]]] = field(default_factory=dict)  # (start, slot, who)
    boot_s: float = 0.0  # real seconds until both schedulers had started
    killed_at: datetime | None = None
    killed_holding: dict[str, datetime] = field(default_factory=dict)  # job -> its lease's expiry
    posted: int = 0
    feeder_errors: list[str] = field(default_factory=list)


class SlowInbox:
    """An SMTP server that takes `delay` seconds per message and counts them by (subject, body, recipients):
    a message received twice was sent twice."""

    def __init__(self, delay: float):
        self.delay, self.messages = delay, Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body().get_content() if message.get_body() is not None else ""
        self.messages[(str(message["Subject"]), body, ",".join(envelope.rcpt_tos))] += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seeded_database(path: Path, source: Path | None) -> str:
    """A migrated, seeded database: a copy of `source` (already seeded), or seeded here."""
    url = f"sqlite:///{path}"
    if source is not None:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(path)) as dst:
            src.backup(dst)
        return url
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            load_seed(session=session, demo_password="demo-coordination")
    finally:
        engine.dispose()
    return url


def load_work(database_url: str, start: datetime) -> None:
    """The demo scenario, posted five hours before the start: its early warnings are due to escalate, and
    their notifications to be e-mailed, in the first minute."""
    engine = db.make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            load_scenario(session=session, now=start - timedelta(hours=5))
    finally:
        engine.dispose()


def start_scheduler(
    env: dict, log: Path, *, speed: float, start: datetime, until: datetime
) -> subprocess.Popen:
    """A scheduler on the injected clock; it waits for the clock's anchor on its stdin once started."""
    command = [
        sys.executable,
        "-m",
        "coordination.cli",
        "scheduler",
        f"--clock-speed={speed}",
        f"--start-at={start.isoformat()}",
        "--clock-anchor=stdin",
        f"--until={until.isoformat()}",
    ]
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )


def feed(
    app, clock: InjectedClock, soak: Soak, stop: threading.Event, per_minute: int, until: datetime
) -> None:
    """Post `per_minute` notifications for e-mail each injected minute until `until`, as requests would."""
    engine = db.engine_of(app).execution_options(write_lock=True)
    with Session(engine) as session:
        people = session.exec(
            select(Person.id).where(Person.active).order_by(Person.id).limit(per_minute)
        ).all()
    minute = 0
    while not stop.wait(clock.real_seconds(FREQUENTLY) / 2):
        now = clock.now()
        if now >= until:
            return
        if now < clock.start or now.minute == minute:
            continue
        minute = now.minute
        try:
            with Session(engine) as session:
                created = notifications.notify(
                    session=session, person_ids=set(people), kind="soak", title=f"Soak {now:%H:%M}", now=now
                )
                soak.posted += sum(1 for n in created if n.email_state == EmailState.pending)
        except Exception as error:  # noqa: BLE001
            soak.feeder_errors.append(f"{type(error).__name__}: {error}")


def _running(session: Session, holder: str, now: datetime) -> dict[str, datetime]:
    """The jobs this holder runs now under an unexpired lease, with the lease's expiry."""
    return {
        lease.name: lease.expires_at
        for lease in session.exec(select(JobLock).where(JobLock.holder == holder)).all()
        if lease.expires_at > now
        and (lease.last_finished_at is None or lease.last_finished_at < lease.last_started_at)
    }


def kill_while_holding(
    database_url: str, victim: subprocess.Popen, holder: str, clock: InjectedClock, soak: Soak
) -> None:
    """kill -9 the victim as soon as it holds a job's lease mid-run (else after five injected minutes),
    then note from the database which leases it held."""
    engine = db.make_engine(database_url)
    deadline = clock.now() + 5 * FREQUENTLY
    try:
        while clock.now() < deadline:
            with Session(engine) as session:
                if _running(session, holder, clock.now()):
                    break
            time.sleep(0.002)
        victim.send_signal(signal.SIGKILL)
        soak.killed_at = clock.now()
        victim.wait()
        with Session(engine) as session:
            soak.killed_holding = _running(session, holder, soak.killed_at)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Run:
    """One run of a job as a scheduler's log tells it, on the injected clock."""

    job: str
    who: str
    slot: datetime
    started: datetime
    finished: datetime | None  # None: its scheduler was killed while it ran


def runs_from(log: Path, who: str, clock: InjectedClock) -> list[Run]:
    """Each run's start (the time it logs) and end (its log line's wall-clock time, on the injected clock)."""
    runs: list[Run] = []
    open_runs: dict[str, Run] = {}
    for line in log.read_text().splitlines():
        if started := STARTED.search(line):
            job, at, slot = started.group(1), *map(datetime.fromisoformat, started.group(2, 3))
            open_runs[job] = Run(job, who, slot, at, None)
        elif ended := ENDED.search(line):
            job = ended.group(2)
            if job in open_runs:
                wall = datetime.strptime(ended.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                at = clock.start + timedelta(seconds=(wall - clock.anchor) * clock.speed)
                runs.append(replace(open_runs.pop(job), finished=at))
    return runs + list(open_runs.values())


def check(
    soak: Soak,
    *,
    clock: InjectedClock,
    end: datetime,
    logs: dict[str, Path],
    database_url: str,
    victim: str,
    inbox: SlowInbox,
    jitter: timedelta,
) -> tuple[dict, list[str]]:
    """Every frequent job waits at most its interval (plus the machine's `jitter`) after a run ends (or its
    slot begins) before the next starts, and at most its interval plus the lease after the kill; each
    slot runs once; the daily jobs once; the dead scheduler's leases expired and were taken over."""
    start = clock.start
    failures: list[str] = []
    figures: dict = {"jobs": {}, "jitter_s": jitter.total_seconds()}
    runs: dict[str, list[Run]] = defaultdict(list)
    for who, log in logs.items():
        for run in runs_from(log, who, clock):
            runs[run.job].append(run)
        text = log.read_text()
        if LOCKED in text:
            failures.append(f"{who}: {text.count(LOCKED)} x {LOCKED!r} in its log")
        if " failed after " in text:
            failures.append(f"{who}: a job failed (see {log})")
        if lost := text.count("lease lost to another scheduler"):
            failures.append(f"{who}: {lost} heartbeats found the lease taken while the job ran")
    if soak.feeder_errors:
        failures.append(
            f"the notification feeder failed {len(soak.feeder_errors)} times: {soak.feeder_errors[0]}"
        )
    killed = soak.killed_at
    for name in tasks.FREQUENT_JOBS:
        ordered = sorted(runs[name], key=lambda run: run.started)
        slots = Counter(run.slot for run in ordered)
        twice = [slot for slot, n in slots.items() if n > 1]
        if twice:
            failures.append(f"{name}: ran twice in the slots {[s.isoformat() for s in twice]}")
        overlaps = [
            (a.who, b.who, b.started)
            for a, b in zip(ordered, ordered[1:], strict=False)
            if a.finished is not None and b.started < a.finished
        ]
        if overlaps:  # its lease was lost while it ran (a heartbeat that could not renew it in time)
            failures.append(f"{name}: {len(overlaps)} runs began while another ran, e.g. at {overlaps[0][2]}")
        if not ordered or ordered[0].slot > start + FREQUENTLY:
            failures.append(f"{name}: no run in the first minute")
            continue
        waits, after_kill = [ordered[0].started - start], timedelta(0)
        for run, following in zip(ordered, [*ordered[1:], None], strict=True):
            next_start = following.started if following is not None else end
            # killed while it ran (or between taking the lease and logging the start): the lease expires,
            # then the next slot
            unlogged = name in soak.killed_holding and run.finished is not None
            if run.finished is None or (unlogged and max(run.started, run.finished) <= killed < next_start):
                after_kill = next_start - killed
                if after_kill > LEASE + FREQUENTLY + jitter:
                    failures.append(f"{name}: next run {after_kill} after the kill (> lease + interval)")
                continue
            waits.append(next_start - max(run.started, run.finished))
        longest = max(waits)
        if longest > FREQUENTLY + jitter:
            failures.append(f"{name}: waited {longest} between two runs (> {FREQUENTLY} + {jitter})")
        gaps = [b.started - a.started for a, b in zip(ordered, ordered[1:], strict=False)]
        durations = [
            (run.finished or killed) - run.started for run in ordered
        ]  # a killed run: until the kill
        expected = -((ordered[0].slot - end) // FREQUENTLY)
        figures["jobs"][name] = {
            "runs": len(ordered),
            "by": dict(Counter(run.who for run in ordered)),
            "slots": expected,
            "slots_without_run": expected - len(slots),
            "max_gap_s": round(max(gaps, default=timedelta(0)).total_seconds(), 1),
            "max_wait_s": round(longest.total_seconds(), 1),
            "max_run_s": round(max(durations, default=timedelta(0)).total_seconds(), 1),
            "after_kill_s": round(after_kill.total_seconds(), 1) if after_kill else None,
            "overlapping_runs": len(overlaps),
        }
    for name in tasks.DAILY_JOBS:
        done = runs[name]
        figures["jobs"][name] = {"runs": len(done), "by": dict(Counter(run.who for run in done))}
        digest = start.astimezone(ZONE).replace(hour=7, minute=0, second=0, microsecond=0)
        if start <= digest < end and len(done) != 1:
            failures.append(f"{name}: ran {len(done)} times, expected once at {digest:%H:%M}")
    takeover = {}
    for name, expires in soak.killed_holding.items():
        after = sorted(run.started for run in runs[name] if run.who != victim and run.started > killed)
        if not after:
            failures.append(f"{name}: the dead scheduler's lease was never taken over")
            continue
        takeover[name] = {
            "lease_expired_s": round((expires - killed).total_seconds(), 1),
            "taken_over_s": round((after[0] - killed).total_seconds(), 1),
        }
        if after[0] + LOG_RESOLUTION < expires:
            failures.append(f"{name}: run by another scheduler before the dead one's lease expired")
    figures["boot_s"] = round(soak.boot_s, 1)
    figures["killed_at"] = killed.isoformat(timespec="seconds") if killed else None
    figures["killed_holding"] = sorted(soak.killed_holding)
    figures["takeover"] = takeover
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            leases = session.exec(select(JobLock)).all()
            held = [lease.name for lease in leases if lease.expires_at > end]
            dead = [
                lease.name for lease in leases if lease.holder == victim and lease.expires_at > killed + LEASE
            ]
            if held:
                failures.append(f"leases still held after the run: {held}")
            if dead:
                failures.append(f"leases of the dead scheduler past their expiry: {dead}")
            states = dict(
                session.exec(
                    select(Notification.email_state, func.count())
                    .where(Notification.kind == "soak")
                    .group_by(Notification.email_state)
                ).all()
            )
            sending = [run.started for run in runs["send_pending_email"] if run.finished is not None]
            due = max(sending, default=start) - jitter  # posted before the last complete sending began
            missed = session.exec(
                select(func.count()).where(
                    Notification.kind == "soak",
                    Notification.email_state == EmailState.pending,
                    Notification.created_at < due,
                )
            ).one()
    finally:
        engine.dispose()
    sent = states.get(EmailState.sent, 0)
    pending = states.get(EmailState.pending, 0)
    figures["notifications"] = {"posted": soak.posted, "emailed": sent, "pending_at_end": pending}
    if missed:
        failures.append(f"{missed} notifications posted before the last sending were not e-mailed")
    figures["mails_received"] = sum(inbox.messages.values())
    figures["mails_twice"] = sum(n - 1 for n in inbox.messages.values() if n > 1)
    figures["mails_twice_examples"] = [key[0] for key, n in inbox.messages.items() if n > 1][:5]
    return figures, failures


def soak(args) -> int:
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="scheduler-soak-"))
    day = datetime.now(ZONE).date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 6, 50, tzinfo=ZONE)
    end = start + timedelta(minutes=args.minutes)
    database_url = seeded_database(work / "soak.db", args.source)
    inbox = SlowInbox(args.smtp_delay)
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "COORDINATION_SECRET_KEY": "scheduler-soak-" + "x" * 32,
        "PYTHONUNBUFFERED": "1",
    }
    logs = {"first": work / "first.log", "second": work / "second.log"}
    first = start_scheduler(env, logs["first"], speed=args.speed, start=start, until=end)
    second = start_scheduler(env, logs["second"], speed=args.speed, start=start, until=end)
    host = socket.gethostname()
    victim = f"{host}:{first.pid}"
    names = {"first": victim, "second": f"{host}:{second.pid}"}
    result, stop, app = Soak(), threading.Event(), None
    try:
        booting = time.monotonic()
        load_work(database_url, start)  # while the schedulers start
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "soak", "SMTP_HOST": ""})
        while not all(READY in log.read_text() for log in logs.values()):
            if first.poll() is not None or second.poll() is not None:
                raise SystemExit(f"a scheduler ended early; see {work}")
            time.sleep(0.01)
        result.boot_s = time.monotonic() - booting
        clock = InjectedClock(start=start, speed=args.speed, anchor=time.time() + 0.2)
        for process in (first, second):  # one clock for both
            process.stdin.write(f"{clock.anchor!r}\n")
            process.stdin.flush()
        feeder = threading.Thread(
            target=feed, args=(app, clock, result, stop, args.per_minute, end), daemon=True
        )
        feeder.start()
        while clock.now() < start + timedelta(minutes=args.kill_after):
            time.sleep(0.01)
        kill_while_holding(database_url, first, victim, clock, result)
        second.wait(timeout=clock.real_seconds(end - clock.now()) + 60)
        stop.set()
        feeder.join()
    finally:
        stop.set()
        for process in (first, second):
            if process.poll() is None:
                process.kill()
        smtp.stop()
        if app is not None:
            db.engine_of(app).dispose()
    figures, failures = check(
        result,
        clock=clock,
        end=end,
        logs={names[who]: path for who, path in logs.items()},
        database_url=database_url,
        victim=victim,
        inbox=inbox,
        jitter=timedelta(seconds=args.jitter * args.speed),
    )
    if second.returncode != 0:
        failures.append(f"the surviving scheduler exited with {second.returncode}")
    figures.update(
        injected_minutes=args.minutes,
        speed=args.speed,
        real_seconds=round(time.monotonic() - began, 1),
        logs=str(work),
        failures=failures,
    )
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 1 if failures else 0


def report(figures: dict) -> None:
    held = figures["killed_holding"] or "no lease"
    print(
        f"{figures['injected_minutes']:g} injected minutes at {figures['speed']:g}x in "
        f"{figures['real_seconds']} s real (the schedulers started in {figures['boot_s']} s); "
        f"the first killed -9 at {figures['killed_at']} holding {held}"
    )
    print("injected seconds; wait: from a run's end (or its slot) to the next start")
    print(
        f"{'job':34} {'runs':>4} {'first/second':>12} {'no run':>6} {'max gap':>8} {'max wait':>8} "
        f"{'max run':>8} {'after kill':>10}"
    )
    for name, row in figures["jobs"].items():
        by = "/".join(str(row["by"].get(who, 0)) for who in sorted(row["by"]))
        print(
            f"{name:34} {row['runs']:>4} {by:>12} {row.get('slots_without_run', '-'):>6} "
            f"{row.get('max_gap_s', '-'):>8} {row.get('max_wait_s', '-'):>8} {row.get('max_run_s', '-'):>8} "
            f"{row.get('after_kill_s') or '-':>10}"
        )
    for name, row in figures["takeover"].items():
        print(
            f"takeover of {name}: the dead scheduler's lease expired {row['lease_expired_s']} s after the "
            f"kill, the other scheduler ran it {row['taken_over_s']} s after the kill"
        )
    n = figures["notifications"]
    print(
        f"notifications posted {n['posted']}, e-mailed {n['emailed']}, pending at the end "
        f"{n['pending_at_end']}; messages received {figures['mails_received']}, "
        f"twice {figures['mails_twice']} {figures['mails_twice_examples']}"
    )
    print("PASS" if not figures["failures"] else "FAIL:\n  " + "\n  ".join(figures["failures"]))
    print(f"logs: {figures['logs']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30, help="injected minutes to run (default 30)")
    parser.add_argument(
        "--speed", type=float, default=60, help="injected seconds per real second (default 60)"
    )
    parser.add_argument("--kill-after", type=float, default=10, help="injected minutes before the kill")
    parser.add_argument("--per-minute", type=int, default=8, help="notifications posted per injected minute")
    parser.add_argument("--smtp-delay", type=float, default=0.01, help="real seconds per message received")
    parser.add_argument(
        "--jitter", type=float, default=1.0, help="real seconds a run may start late (a loaded machine)"
    )
    parser.add_argument("--source", type=Path, default=None, help="a seeded SQLite database to copy")
    parser.add_argument("--short", action="store_true", help="12 injected minutes at 30x, the kill after 4")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    if args.short:
        args.minutes, args.kill_after, args.speed = 12, 4, 30
    return soak(args)


if __name__ == "__main__":
    raise SystemExit(main())
