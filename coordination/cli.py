"""The `coordination` command: serve, db upgrade, seed, create-user, compile-translations."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlmodel import Session
from werkzeug.serving import WSGIRequestHandler, run_simple

from coordination import create_app, db
from coordination.audit import service as audit
from coordination.classification import Clearance


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its version or Python's in the Server header ("Coordination")."""

    server_version = "Coordination"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version


def _session() -> Session:
    return Session(db.engine_of(current_app), expire_on_commit=False)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main() -> None:
    """Coordination: whole-of-government crisis coordination."""


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or migrate the database schema."""
    db.upgrade(db.engine_of(current_app), revision)
    click.echo(f"database at {revision}")
    if revision == "head":
        _upgrade_exercises()


def _upgrade_exercises() -> None:
    from coordination.exercises import service as exercises

    with _session() as session:
        for key in exercises.upgrade_stores(session=session):
            click.echo(f"exercise {key}: its database at head")


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the whole database to PATH (SQLite backup API or pg_dump), while it may be in use."""
    from coordination import backup

    summary = backup.backup(db.engine_of(current_app), path)
    click.echo(f"backup written and verified: {summary.describe()}")


@main.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH (verified first)."""
    from coordination import backup, startup

    engine = db.engine_of(current_app)
    backup.verify(engine, path)
    where = startup.safe_url(engine.url)
    if not yes:
        if not sys.stdin.isatty():
            raise click.ClickException(f"restore replaces everything in {where}: pass --yes to confirm")
        click.confirm(f"Replace everything in {where} with {path}?", abort=True)
    summary = backup.restore(engine, path)
    click.echo(f"restored {where} from {summary.describe()}")
    current, head = startup.revisions(engine)
    if current != head:
        click.echo(
            f"schema revision {current or 'none'}, the code needs {head}: run `coordination db upgrade`"
        )
    else:
        click.echo(f"schema at head ({head})")


@main.group("search-index")
def search_index_group() -> None:
    """The full-text search index."""


@search_index_group.command("rebuild")
@with_appcontext
def search_index_rebuild() -> None:
    """Index every report, decision, minutes, situation report and lesson again (after a bulk load)."""
    from coordination.search import index

    with db.engine_of(current_app).begin() as connection:
        click.echo(f"search index rebuilt: {index.rebuild(connection)} records read")


@main.group("audit")
def audit_group() -> None:
    """The audit log."""


SHOWN_PROBLEMS = 100


@audit_group.command("verify")
@click.option("--head", "head", default=None, metavar="SEQ:HASH", help="A head printed by an earlier verify.")
@with_appcontext
def audit_verify(head: str | None) -> None:
    """Walk the audit log's hash chain and name every event edited, deleted or inserted around it."""
    from coordination.audit.chain import Verification, check_head, verify

    seq, _colon, recorded = (head or "").partition(":")
    if head is not None and not (seq.isdigit() and len(recorded) == 64):
        raise click.BadParameter("give the head as SEQ:HASH, as verify prints it", param_hint="--head")
    result = Verification()
    with _session() as session:
        for problem in verify(session, result):
            if result.problems <= SHOWN_PROBLEMS:
                click.echo(str(problem), err=True)
        wrong = check_head(session, seq=int(seq), hash_=recorded) if head is not None else None
    if wrong:
        result.problems += 1
        click.echo(wrong, err=True)
    if result.problems:
        more = result.problems - SHOWN_PROBLEMS
        if more > 0:
            click.echo(f"... and {more} more", err=True)
        click.echo(f"audit log NOT intact: {result.problems} problem(s) in {result.events} events", err=True)
        raise SystemExit(1)
    click.echo(f"audit log verified: {result.events} events, chain intact")
    click.echo(f"head: {result.head_seq}:{result.head_hash} (keep it elsewhere; check later with --head)")


def _load_seed(scenario: bool = True) -> None:
    from coordination.classification import NeedToKnow
    from coordination.seed import load_scenario, load_seed

    with _session() as session:
        report = load_seed(session=session, demo_password=current_app.config["DEMO_PASSWORD"])
        summary = (
            ", ".join(f"{n} {kind}" for kind, n in sorted(report.changed.items())) or "nothing to change"
        )
        click.echo(f"seed loaded: {summary}")
        if scenario:
            policy = NeedToKnow.from_config(current_app.config)
            posted = load_scenario(session=session, policy=policy)
            click.echo(f"demo scenario: {posted} field reports posted")


@main.command("seed")
@click.option("--scenario/--no-scenario", default=True, help="Also post the demo scenario's field reports.")
@with_appcontext
def seed_command(scenario: bool) -> None:
    """Load the seed data (idempotent: loading twice changes nothing)."""
    db.upgrade(db.engine_of(current_app))
    _load_seed(scenario)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--seed/--no-seed", default=False, help="Load the seed data before serving.")
@click.option(
    "--with-scheduler/--no-scheduler",
    default=False,
    help="Also run the one scheduler process beside the server, and stop it with the server.",
)
@with_appcontext
def serve(host: str, port: int, seed: bool, with_scheduler: bool) -> None:
    """Migrate the database, optionally seed it, and serve the app (use gunicorn in production)."""
    from coordination import startup

    startup.check_ready(db.engine_of(current_app), require_head=False)  # opens and writes, or one line
    db.upgrade(db.engine_of(current_app))
    _upgrade_exercises()
    if seed:
        _load_seed()
    scheduler = None
    if with_scheduler:
        # its own process, never inside the web server; started after the migration, so never racing it
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "coordination.cli", "scheduler", "--exit-with-parent"]
        )
    # stopped by SIGTERM: exit cleanly (stopping the scheduler, finishing the writes `db.write_soon` deferred)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(
        f"Coordination on http://{host}:{port}/ (demo password: {current_app.config['DEMO_PASSWORD']})"
        + (" with its scheduler" if scheduler else "")
    )
    try:
        # Flask refuses app.run() inside its own CLI; run_simple is what it would call.
        run_simple(
            host,
            port,
            current_app._get_current_object(),
            threaded=True,
            use_reloader=False,
            request_handler=_RequestHandler,
        )
    finally:
        if scheduler is not None:
            scheduler.terminate()
            try:
                scheduler.wait(timeout=10)
            except subprocess.TimeoutExpired:
                scheduler.kill()


def _number(value: str, option: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter(f"not a number: {value!r}", param_hint=option) from None


def _moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO time: {value!r}", param_hint=option) from None
    if at.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-11-23T09:00+01:00", param_hint=option)
    return at


@main.command("scheduler")
@click.option("--exit-with-parent", is_flag=True, help="Stop when the process that started this one ends.")
@click.option(
    "--clock-speed",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Testing only: run on an injected clock this many times faster than the wall clock.",
)
@click.option("--start-at", default=None, help="With --clock-speed: the injected clock's start (ISO time).")
@click.option(
    "--clock-anchor",
    default=None,
    help="With --clock-speed: the Unix time at which the clock reads --start-at (default: now), so that "
    "several schedulers share one clock; `stdin`: read it from stdin once started.",
)
@click.option("--until", "until_text", default=None, help="With --clock-speed: stop at this injected time.")
@with_appcontext
def scheduler(
    exit_with_parent: bool,
    clock_speed: float | None,
    start_at: str | None,
    clock_anchor: str | None,
    until_text: str | None,
) -> None:
    """Run the scheduler process (reminders, escalations, action follow-up, e-mail, daily digests).

    Run exactly one beside the web workers; a second one started by mistake finds every job's lease
    taken and does nothing. It refuses a database that is missing, read-only or not at the schema head
    (run `coordination db upgrade` first), like the web entry. --clock-speed runs it on an injected clock
    (bench/scheduler_soak.py), never in production.
    """
    from coordination import startup
    from coordination.jobs.clock import InjectedClock
    from coordination.jobs.scheduler import build_scheduler, run_on_clock

    if clock_speed is None and (start_at or clock_anchor is not None or until_text):
        raise click.UsageError("--start-at, --clock-anchor and --until go with --clock-speed")
    start, until = _moment(start_at, "--start-at"), _moment(until_text, "--until")
    startup.check_ready(db.engine_of(current_app))
    _log_to_stderr()
    if exit_with_parent:
        _exit_with(os.getppid())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = current_app._get_current_object()
    try:
        if clock_speed is None:
            click.echo("scheduler started; Ctrl-C stops it")
            build_scheduler(app).start()
        else:
            if clock_anchor == "stdin":
                click.echo("scheduler ready; the clock's anchor on stdin starts it")
                clock_anchor = sys.stdin.readline()
            clock = InjectedClock(
                start=start or datetime.now(UTC),
                speed=clock_speed,
                anchor=_number(clock_anchor, "--clock-anchor") if clock_anchor else time.time(),
            )
            click.echo(f"scheduler started on an injected clock, {clock_speed:g} times the wall clock")
            run_on_clock(app, clock, until=until)
    except (KeyboardInterrupt, SystemExit):
        pass
    click.echo("scheduler stopped")


def _log_to_stderr() -> None:
    """INFO and above to stderr (each job's start, end and errors), APScheduler's own only from WARNING."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(logging.INFO)  # also when something configured logging before
    logging.getLogger("coordination").setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _exit_with(parent: int) -> None:
    """End this process when its parent has gone (killed without a chance to stop its children)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


@main.group("jobs")
def jobs_group() -> None:
    """Run the scheduler's jobs by hand (for cron, or to catch up)."""


@jobs_group.command("run")
@click.option("--now", "now_text", default=None, help="ISO time to run as (default: the current time).")
@click.option("--daily/--no-daily", default=False, help="Also send the daily digests.")
@with_appcontext
def jobs_run(now_text: str | None, daily: bool) -> None:
    """Run every job once, under the same leases as the scheduler."""
    from coordination.jobs.scheduler import run_all

    now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    if now.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-11-23T09:00+01:00", param_hint="--now")
    failed = False
    for name, done in run_all(current_app._get_current_object(), now=now, daily=daily).items():
        if isinstance(done, Exception):
            failed = True
            click.echo(f"{name}: failed: {type(done).__name__}: {done}")
        else:
            click.echo(f"{name}: {'held by another scheduler' if done is None else done}")
    if failed:
        raise SystemExit(1)


def _when(at) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if at is not None else "-"


@jobs_group.command("status")
@with_appcontext
def jobs_status() -> None:
    """Each job's last run (its result or error), its lease and its next run; starts nothing."""
    from coordination.jobs.status import job_statuses

    now = datetime.now(UTC)
    with _session() as session:
        rows = job_statuses(session=session, config=current_app.config, now=now)
    for row in rows:
        lease = row.lease
        click.echo(f"{row.name} ({'daily' if row.daily else 'every minute'})")
        if lease is None or lease.last_started_at is None:
            click.echo("  last run: never")
        elif row.finished:
            started, finished = _when(lease.last_started_at), _when(lease.last_finished_at)
            click.echo(f"  last run: started {started}, finished {finished}")
        else:
            click.echo(f"  last run: started {_when(lease.last_started_at)}, not finished")
        if lease is not None and lease.last_result == "error":
            click.echo(f"  last result: error: {lease.last_error}")
        elif lease is not None and lease.last_result == "ok":
            click.echo(f"  last result: ok, {lease.last_count}")
        if lease is not None:
            state = "held" if row.running else "free"
            click.echo(f"  lease: {state}, holder {lease.holder}, expires {_when(lease.expires_at)}")
        click.echo(f"  next run: {_when(row.next_run_at)}")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--department", "department_code", required=True, help="Department code, e.g. FA or DEF.")
@click.option("--directorate", "directorate_code", default=None, help="Directorate code, e.g. DGB.")
@click.option("--function", default="", help="e.g. ambassador, defence attaché.")
@click.option("--clearance", type=click.Choice([c.value for c in Clearance]), default="unclassified")
@click.option("--language", "languages", multiple=True, help="ISO 639-1 code; repeat for several.")
@click.option("--admin", is_flag=True, default=False)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def create_user(
    email, name, department_code, directorate_code, function, clearance, languages, admin, password_stdin
):
    """Create a person who can sign in (or reset an existing person's password)."""
    from coordination.auth.service import MIN_PASSWORD_LENGTH, set_password
    from coordination.structure import service as structure_service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password")
    db.upgrade(db.engine_of(current_app))
    with _session() as session:
        try:
            person, _changed = structure_service.upsert_person(
                session=session,
                email=email,
                name=name,
                department_code=department_code,
                directorate_code=directorate_code,
                function=function,
                clearance=clearance,
                languages=languages,
            )
        except structure_service.StructureError as error:
            raise click.ClickException(str(error)) from error
        set_password(session=session, person=person, password=password)  # ends their sessions and tokens
        person.is_admin = admin
        person.is_demo = False
        structure_service.bump_revision(session=session)
        audit.record(
            session,
            actor_id=None,
            action="person.create",
            object_type="person",
            object_id=person.id,
            via="cli",
        )
        session.commit()
        click.echo(f"person {person.id} <{person.email}> can sign in")


@main.command("compile-translations")
def compile_translations() -> None:
    """Compile the Dutch and French catalogs (run by the set-up command)."""
    from coordination.i18n import compile_catalogs

    for path in compile_catalogs():
        click.echo(f"compiled {path.parent.parent.name}")


if __name__ == "__main__":
    main()
