"""The benchmark (issue 8): the app under gunicorn on loopback, against a database from bench/generate.py.

    .venv/bin/python bench/run.py [--database-url URL] [--workers 2] [--clients 32] [--duration 20]
                                  [--samples 40] [--json bench/results/<timestamp>.json] [--profile]
    .venv/bin/python bench/run.py --smoke        # a tiny generated database and a few seconds of load

Measures, in one run:
1. field-report ingest through the API (validation, routing, deliveries, audit) from `--clients` concurrent
   clients: requests per second, p50 and p99 latency; then the same load against the bare reference
   endpoint (coordination/benchref.py, one row of the same size), and the ratio of the two;
2. p50 and p95 of a task force chair's inbox, the steering group's dashboard, a report page, and search
   for a common and a rare word (time on loopback, and the `Server-Timing` header when the app sends one);
3. in process: `route_report` on the full organisation graph, and the fan-out of one decision addressed
   to every department (`decision_audience`, and `flows.adopt_and_notify` with its notifications; the
   decision is then withdrawn, as a chair would, and the notifications deleted);
4. peak RSS (VmHWM) of each gunicorn worker;
5. Eden-shaped (issue 19, to repeat the comparison with Sahana Eden): one small record per POST, by 1
   client and then by 8, `--eden-rounds` times in turn with `--eden-records` records each (3 x 2 x 170 =
   1,020): creates per second and p50/p95/p99 per client count; then p50/p95 of listing all of them;
6. cold start (after gunicorn has stopped): `coordination serve` (no seed, no scheduler) from spawn to
   its first 200 on /healthz, `--cold-starts` times, with the package's bytecode compiled beforehand (as
   installed); and where the time goes, from one more process.
It prints a table with the targets and writes the figures as JSON, so that runs can be compared. Ingest
adds reports to the database it runs on (about `duration` x rate), the Eden-shaped phase 1,020 more
(at the defaults).
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from random import Random

from sqlalchemy import delete, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

try:  # run as `python bench/run.py` or imported as `bench.run`
    from bench import generate
except ImportError:  # pragma: no cover
    import generate  # type: ignore[no-redef]

from coordination import db
from coordination.reports.models import Delivery, FieldReport
from coordination.structure.models import Body, Membership, Mission, Person

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = generate.DEMO_PASSWORD
CHAIR = "bart.heylen@diplobel.example"  # chairs the Great Lakes task force, sits in the steering group
SG_CHAIR = "annelies.vercammen@diplobel.example"
TARGETS = {  # (limit, unit, lower is better): issue 19's
    "ingest_ratio": (0.5, "x ceiling", False),
    "ingest_p99_ms": (100, "ms", True),
    "inbox_p95_ms": (100, "ms", True),
    "dashboard_p95_ms": (100, "ms", True),
    "report_page_p95_ms": (100, "ms", True),
    "search_common_p95_ms": (50, "ms", True),
    "search_rare_p95_ms": (50, "ms", True),
    "route_report_ms": (2, "ms", True),
    "fan_out_audience_ms": (500, "ms", True),
    "fan_out_adopt_ms": (500, "ms", True),
    "worker_peak_rss_mb": (200, "MB", True),
    "cold_start_s": (1.5, "s", True),
}


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- HTTP on loopback -------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with a cookie jar; reconnects when the server closes (sync workers do)."""

    def __init__(self, port: int, headers: dict | None = None, timeout: float = 900):
        self.port = port
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body, seconds) of one request; the time covers sending and reading it all."""
        merged = {**self.headers, **(headers or {})}
        if self.cookies:
            merged["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=merged)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.will_close:
                self.close()
            return response.status, response.headers, data, elapsed
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def sign_in(port: int, email: str, timeout: float = 900) -> Client:
    """A client signed in through the form (with its CSRF token), as a person in a browser."""
    client = Client(port, timeout=timeout)
    status, _h, page, _t = client.request("GET", "/login")
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if status != 200 or not match:
        raise RuntimeError(f"no sign-in form (HTTP {status})")
    form = urllib.parse.urlencode(
        {"csrf_token": match.group(1).decode(), "email": email, "password": PASSWORD}
    )
    status, _h, _b, _t = client.request(
        "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status != 302:
        raise RuntimeError(f"sign-in of {email} refused (HTTP {status})")
    return client


def api_token(port: int, email: str) -> str:
    client = Client(port)
    status, _h, data, _t = client.request(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"email": email, "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    client.close()
    if status != 201:
        raise RuntimeError(f"no API token for {email}: HTTP {status} {data[:200]!r}")
    return json.loads(data)["access_token"]


def server_timing(headers) -> float | None:
    """The total of the `dur` values of a Server-Timing header, in ms, if the app sent one."""
    values = re.findall(r"dur=([0-9.]+)", headers.get("Server-Timing", "") or "")
    return sum(float(v) for v in values) if values else None


# --- gunicorn ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            return [int(p) for p in children.read_text().split()]
        return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(database_url: str, workers: int, threads: int, log: Path, timeout: float) -> Server:
    """gunicorn on a free loopback port; its log (with an access line and duration per request) in `log`.
    A worker busy for longer than `timeout` is recycled by gunicorn, as in production."""
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [
        gunicorn,
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        str(int(timeout)),
    ]
    command += ["--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s %(M)sms"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command += ["--backlog", "2048", "coordination.wsgi:app"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "COORDINATION_ENV": "development",  # demo accounts are refused in production
        "COORDINATION_SECRET_KEY": "bench-secret-key",
        "COORDINATION_BENCH_REFERENCE": "1",
        "COORDINATION_BASE_URL": f"http://127.0.0.1:{port}",
        "SMTP_HOST": "",
    }
    handle = log.open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({process.returncode}); see {log}:\n{log.read_text()[-2000:]}"
            )
        try:
            status, *_ = Client(port).request("GET", "/login")
            if status == 200 and len(server.workers()) >= workers:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 90 s; see {log}")


def track_rss(server: Server, peaks: dict[int, float], resident: dict | None = None, phase: str = "") -> None:
    """Keep the peak RSS of every worker seen (a worker recycled after a timeout keeps its figure), and
    in `resident`, the largest worker's RSS at the end of `phase` (what a sign-in's hash comes on top of)."""
    for pid, mb in peak_rss_mb(server.workers()).items():
        peaks[pid] = max(peaks.get(pid, 0.0), mb)
    if resident is not None:
        now = peak_rss_mb(server.workers(), "VmRSS")
        resident[phase] = round(max(now.values()), 1) if now else None


def save(out: Path, results: dict) -> None:
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")


def peak_rss_mb(pids: list[int], field: str = "VmHWM") -> dict[int, float]:
    peaks = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(rf"{field}:\s+(\d+) kB", status)
        if match:
            peaks[pid] = int(match.group(1)) / 1024
    return peaks


# --- ingest -----------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def figures(self) -> dict:
        ms = [x * 1000 for x in self.latencies]
        return {
            "requests": self.requests,
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 2),
            "rps": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(ms, 50), 1) if ms else None,
            "p99_ms": round(percentile(ms, 99), 1) if ms else None,
        }


def report_bodies(count: int, missions: list[tuple[str, str]], seed: int) -> list[dict]:
    """Field reports as a platform member would post them, written like the generated ones."""
    rng = Random(seed)
    writer = generate.Writer(rng, sorted({city for _code, city in missions}))
    bodies = []
    for _ in range(count):
        code, city = rng.choice(missions)
        themes = sorted(set(rng.choices(generate.THEMES, generate.THEME_WEIGHTS, k=rng.choice((0, 1, 2)))))
        title, body, _html = writer.report(city, city, city, themes, False)
        severity = rng.choices(generate.SEVERITIES, generate.SEVERITY_WEIGHTS)[0]
        bodies.append(
            {
                "title": title,
                "body": body,
                "mission_code": code,
                "themes": themes,
                "severity": severity,
                "early_warning": severity in ("high", "critical") and rng.random() < 0.25,
            }
        )
    return bodies


def run_load(
    port: int, path: str, tokens: list[tuple[str, list[dict]]], clients: int, duration: float, warmup: float
) -> LoadResult:
    """`clients` threads post in a loop for `warmup` and then `duration` seconds; only the latter counts."""
    result = LoadResult()
    lock = threading.Lock()
    start_at = time.monotonic() + 0.5
    measure_from = start_at + warmup
    stop_at = measure_from + duration
    barrier = threading.Barrier(clients)

    def work(number: int) -> None:
        token, bodies = tokens[number % len(tokens)]
        client = Client(port, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait()
        i = number
        local: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while (now := time.monotonic()) < stop_at:
            payload = json.dumps(bodies[i % len(bodies)]).encode()
            i += clients
            try:
                status, _h, _b, elapsed = client.request("POST", path, payload)
            except OSError:
                status, elapsed = 0, 0.0
            if now >= measure_from:
                statuses[status] = statuses.get(status, 0) + 1
                if status in (200, 201):
                    local.append(elapsed)
                else:
                    errors += 1
        client.close()
        with lock:
            result.latencies.extend(local)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = duration
    result.requests = sum(result.statuses.values())
    return result


# --- pages ------------------------------------------------------------------------------------------


def time_page(client: Client, path, samples: int, budget: float, warmup: int = 1) -> dict:
    """p50/p95 of `samples` sequential GETs (fewer, but at least three, when they take over `budget` s).
    A request slower than the client's timeout ends the sampling of that page: it is reported as such.
    The warm-up request counts as a sample when it is slow anyway (over 5 s)."""
    loopback, server = [], []
    status = None
    started = time.monotonic()
    for n in range(warmup + samples):
        if n >= warmup + 3 and time.monotonic() - started > budget:
            break
        target = path(n) if callable(path) else path
        try:
            status, headers, _body, elapsed = client.request("GET", target)
        except TimeoutError:
            client.close()
            return {"status": None, "timeout_s": client.timeout, "path": target, "samples": len(loopback)}
        if status != 200:
            return {"status": status, "missing": status == 404, "path": target}
        if n >= warmup or elapsed > 5:
            loopback.append(elapsed * 1000)
            if (st := server_timing(headers)) is not None:
                server.append(st)
    figures = {
        "status": status,
        "samples": len(loopback),
        "p50_ms": round(percentile(loopback, 50), 1),
        "p95_ms": round(percentile(loopback, 95), 1),
        "max_ms": round(max(loopback), 1),
    }
    if server:
        figures["server_timing_p50_ms"] = round(percentile(server, 50), 1)
        figures["server_timing_p95_ms"] = round(percentile(server, 95), 1)
    return figures


# --- Eden-shaped records ----------------------------------------------------------------------------

EDEN_CLIENTS = (1, 8)
EDEN_PAGE = 100  # the search API's largest page


def eden_bodies(count: int, code: str, marker: str, start: int) -> list[dict]:
    """Records shaped like those of Eden's record-creation benchmark: only the required fields and a short
    body. The title carries `marker`, a word of this run only, so that the listing finds exactly these."""
    return [
        {"title": f"Eden {marker} {n}", "body": f"Short report {n}.", "mission_code": code}
        for n in range(start, start + count)
    ]


def post_records(port: int, token: str, bodies: list[dict], clients: int) -> LoadResult:
    """`clients` threads post the bodies, one request at a time each, until every one is posted: a fixed
    count of records rather than a duration, so that runs compare."""
    result = LoadResult()
    lock = threading.Lock()
    pending = iter(bodies)
    barrier = threading.Barrier(clients + 1)

    def work() -> None:
        client = Client(port, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        local: list[float] = []
        statuses: dict[int, int] = {}
        barrier.wait()
        while True:
            with lock:
                body = next(pending, None)
            if body is None:
                break
            try:
                status, _h, _b, elapsed = client.request(
                    "POST", "/api/v1/field-reports", json.dumps(body).encode()
                )
            except OSError:
                status, elapsed = 0, 0.0
            statuses[status] = statuses.get(status, 0) + 1
            if status == 201:
                local.append(elapsed)
        client.close()
        with lock:
            result.latencies.extend(local)
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    result.requests = sum(result.statuses.values())
    result.errors = result.requests - len(result.latencies)
    return result


def time_listing(client: Client, marker: str, samples: int, budget: float, warmup: int = 1) -> dict:
    """p50/p95 of reading the whole list of this run's records, page after page. The API lists a
    person's reports only through the inbox (500 at most, no paging) or search: the search for the
    run's marker word pages through exactly the records posted."""
    totals, pages_ms = [], []
    listed = pages = 0
    started = time.monotonic()
    for n in range(warmup + samples):
        if n >= warmup + 3 and time.monotonic() - started > budget:
            break
        listed = pages = 0
        seconds = 0.0
        while True:
            path = f"/api/v1/search?q={marker}&kind=report&limit={EDEN_PAGE}&offset={listed}"
            try:
                status, _h, data, elapsed = client.request("GET", path)
            except TimeoutError:
                client.close()
                return {"status": None, "timeout_s": client.timeout, "path": path, "samples": len(totals)}
            if status != 200:
                return {"status": status, "path": path}
            items = json.loads(data)["items"]
            listed += len(items)
            pages += 1
            seconds += elapsed
            if n >= warmup:
                pages_ms.append(elapsed * 1000)
            if len(items) < EDEN_PAGE:
                break
        if n >= warmup:
            totals.append(seconds * 1000)
    return {
        "records_listed": listed,
        "pages": pages,
        "page_size": EDEN_PAGE,
        "samples": len(totals),
        "p50_ms": round(percentile(totals, 50), 1),
        "p95_ms": round(percentile(totals, 95), 1),
        "max_ms": round(max(totals), 1),
        "page_p50_ms": round(percentile(pages_ms, 50), 1),
        "page_p95_ms": round(percentile(pages_ms, 95), 1),
    }


def eden(
    port: int, token: str, code: str, marker: str, *, records: int, rounds: int, samples: int, budget: float
) -> dict:
    """Eden's benchmark, repeated here: `records` small records posted by 1 client and then by 8,
    `rounds` times in turn; then the listing of all of them."""
    runs: dict[int, list[LoadResult]] = {clients: [] for clients in EDEN_CLIENTS}
    posted = 0
    for _ in range(rounds):
        for clients in EDEN_CLIENTS:
            bodies = eden_bodies(records, code, marker, posted)
            runs[clients].append(post_records(port, token, bodies, clients))
            posted += records
    figures: dict = {"marker": marker, "records_per_phase": records, "rounds": rounds, "records": posted}
    for clients, results in runs.items():
        ms = [x * 1000 for r in results for x in r.latencies]
        seconds = sum(r.seconds for r in results)
        statuses: dict[str, int] = {}
        for r in results:
            for status, n in r.statuses.items():
                statuses[str(status)] = statuses.get(str(status), 0) + n
        figures[f"clients_{clients}"] = {
            "created": len(ms),
            "errors": sum(r.errors for r in results),
            "statuses": dict(sorted(statuses.items())),
            "seconds": round(seconds, 2),
            "creates_per_s": round(len(ms) / seconds, 1) if seconds else 0.0,
            "creates_per_s_each_phase": [
                round(len(r.latencies) / r.seconds, 1) if r.seconds else 0.0 for r in results
            ],
            "p50_ms": round(percentile(ms, 50), 1) if ms else None,
            "p95_ms": round(percentile(ms, 95), 1) if ms else None,
            "p99_ms": round(percentile(ms, 99), 1) if ms else None,
        }
    lister = Client(port, {"Authorization": f"Bearer {token}"})
    figures["listing"] = time_listing(lister, marker, samples, budget)
    figures["listing"]["all_listed"] = figures["listing"].get("records_listed") == posted
    lister.close()
    return figures


# --- cold start -------------------------------------------------------------------------------------

# Where a cold start's time goes, in one child process: the interpreter, `import coordination`,
# create_app (the first call imports every area; the second only builds), the checks `serve` makes
# before it listens, and the first /healthz answered in process.
COLD_START_PARTS = """
import json, sys, time
started = time.time()
clock = time.perf_counter()
import coordination
imported = time.perf_counter()
from coordination import create_app, db, startup
app = create_app()
built = time.perf_counter()
create_app()
built_again = time.perf_counter()
startup.check_ready(db.engine_of(app), require_head=False)
db.upgrade(db.engine_of(app))
checked = time.perf_counter()
status = app.test_client().get("/healthz").status_code
answered = time.perf_counter()
print(json.dumps({
    "interpreter_s": started - float(sys.argv[1]),
    "import_coordination_s": imported - clock,
    "create_app_s": built - imported,
    "create_app_again_s": built_again - built,
    "serve_checks_s": checked - built_again,
    "first_healthz_s": answered - checked,
    "healthz_status": status,
}))
"""


def serve_environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "COORDINATION_ENV": "development",
        "COORDINATION_SECRET_KEY": "bench-secret-key",
        "SMTP_HOST": "",
    }


def cold_start_once(database_url: str, log: Path, deadline: float = 60.0) -> float | None:
    """Seconds from spawning `coordination serve` (no seed, no scheduler) to its first 200 on /healthz,
    polled every 10 ms; None when it never answered 200 within `deadline`."""
    port = free_port()
    command = [sys.executable, "-m", "coordination.cli", "serve", "--port", str(port)]
    command += ["--no-seed", "--no-scheduler"]
    with log.open("w") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=serve_environment(database_url), stdout=handle, stderr=subprocess.STDOUT
        )
        try:
            while time.perf_counter() - started < deadline and process.poll() is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    connection.request("GET", "/healthz")
                    if connection.getresponse().status == 200:
                        return time.perf_counter() - started
                except OSError:
                    pass
                finally:
                    connection.close()
                time.sleep(0.01)
            return None
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def slowest_imports(database_url: str, count: int = 10) -> dict[str, float]:
    """The imports of create_app taking the longest (cumulative ms, outermost only), from -X importtime."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from coordination import create_app; create_app()"],
        cwd=ROOT,
        env=serve_environment(database_url),
        capture_output=True,
        text=True,
    )
    outermost = []
    for line in run.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if match:
            outermost.append((int(match.group(1)) / 1000, match.group(2)))
    return {name: round(ms, 1) for ms, name in sorted(outermost, reverse=True)[:count]}


def cold_start(database_url: str, runs: int, log: Path, *, imports: bool = True) -> dict:
    """`coordination serve` started `runs` times, to its first 200; and, from one more process each,
    where the time goes and (with `imports`) which imports weigh most. The package's bytecode is compiled
    first, as an installed package has it (pip compiles at install): where PYTHONDONTWRITEBYTECODE is set,
    as on our CI machines, each start would otherwise compile its 200-odd modules from source again."""
    compileall.compile_dir(ROOT / "coordination", quiet=1)
    seconds = []
    for _ in range(runs):
        took = cold_start_once(database_url, log)
        if took is None:
            return {"error": "no 200 from /healthz within 60 s", "log": log.read_text()[-2000:]}
        seconds.append(took)
    figures = {
        "runs": runs,
        "min_s": round(min(seconds), 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
    }
    parts = subprocess.run(
        [sys.executable, "-c", COLD_START_PARTS, repr(time.time())],
        cwd=ROOT,
        env=serve_environment(database_url),
        capture_output=True,
        text=True,
    )
    if parts.returncode == 0:
        figures["parts"] = {k: round(v, 3) for k, v in json.loads(parts.stdout.splitlines()[-1]).items()}
    else:
        figures["parts"] = {"error": parts.stderr[-2000:]}
    if imports:
        figures["slowest_imports_ms"] = slowest_imports(database_url)
    return figures


# --- in process -------------------------------------------------------------------------------------


def in_process(database_url: str, rounds: int) -> dict:
    """Routing on the full graph and the fan-out of one decision to every department."""
    from coordination import create_app
    from coordination.decisions import flows
    from coordination.decisions import service as decisions
    from coordination.notifications.models import Notification
    from coordination.routing.rules import ReportFacts, Unit, decision_audience, route_report, routing_index
    from coordination.structure.graph import build_organisation_graph
    from coordination.structure.models import Department

    figures: dict = {}
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            started = time.perf_counter()
            graph = build_organisation_graph(session=session)
            figures["graph_build_ms"] = round((time.perf_counter() - started) * 1000, 1)
            figures["graph_nodes"] = graph.number_of_nodes()
            figures["graph_edges"] = graph.number_of_edges()
            started = time.perf_counter()
            routing_index(graph)
            figures["routing_index_ms"] = round((time.perf_counter() - started) * 1000, 2)
            rows = session.exec(
                select(
                    FieldReport.country_code,
                    FieldReport.themes,
                    FieldReport.severity,
                    FieldReport.early_warning,
                    Mission.code,
                    FieldReport.kind,
                    FieldReport.intelligence_level,
                )
                .outerjoin(Mission, Mission.id == FieldReport.mission_id)
                .order_by(FieldReport.id.desc())
                .limit(2000)
            ).all()
            facts = [ReportFacts(r[0], tuple(r[1] or ()), r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]
            timings = []
            for i in range(rounds):
                fact = facts[i % len(facts)]
                started = time.perf_counter()
                route_report(fact, graph)
                timings.append((time.perf_counter() - started) * 1000)
            figures["route_report_mean_ms"] = round(statistics.fmean(timings), 4)
            figures["route_report_p99_ms"] = round(percentile(timings, 99), 4)
            figures["route_report_rounds"] = rounds

            # the widest decision the organisation allows: every department, every open mission and every
            # active body, so that its audience is everyone seated anywhere (and the departments' answerers)
            codes = list(session.exec(select(Department.code).order_by(Department.code)))
            missions = list(
                session.exec(select(Mission.code).where(Mission.closed_at.is_(None)).order_by(Mission.code))
            )
            slugs = list(
                session.exec(
                    select(Body.slug)
                    .where(Body.status == "active", Body.kind != "steering_group")
                    .order_by(Body.slug)
                )
            )
            addressees = (
                [("department", c) for c in codes]
                + [("mission", c) for c in missions]
                + [("body", s) for s in slugs]
            )
            units = [Unit(kind, key) for kind, key in addressees]
            seated = session.exec(
                select(func.count(func.distinct(Membership.person_id))).where(Membership.ended_at.is_(None))
            ).one()
            figures["fan_out_seated_people"] = seated
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                reached = decision_audience(graph, units, "unclassified")
                runs.append((time.perf_counter() - started) * 1000)
            figures["fan_out_people"] = len(reached)
            figures["fan_out_audience_ms"] = round(statistics.median(runs), 1)

        # the whole adoption as the app does it: audience from the database and the cached graph, one
        # notification per person, committed
        app = create_app(
            {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "bench", "SMTP_HOST": ""}
        )
        app_engine = db.engine_of(app)
        with app.app_context(), Session(app_engine, expire_on_commit=False) as session:
            chair = session.exec(select(Person).where(Person.email == SG_CHAIR)).one()
            now = datetime.now(UTC)
            decision = decisions.draft_decision(
                session=session,
                author=chair,
                issuing_body="steering-group",
                title="Benchmark: fan-out to the whole organisation",
                text="Every department, mission and body takes note.",
                addressees=addressees,
                now=now,
            )
            flows.audience(session=session, decision=decision)  # the graph is cached, as in a worker
            started = time.perf_counter()
            flows.adopt_and_notify(
                session=session, person=chair, decision=decision, now=now, config=app.config
            )
            figures["fan_out_adopt_ms"] = round((time.perf_counter() - started) * 1000, 1)
            figures["fan_out_adopt_notifications"] = session.exec(
                select(func.count(Notification.id)).where(Notification.link == f"/decisions/{decision.id}")
            ).one()
            # withdrawn again (audited: deleting it and its audit events broke the audit log's chain), its
            # acknowledgements no longer awaited; the notifications, which the chain does not hold, deleted
            decisions.withdraw(session=session, person=chair, decision=decision)
            session.exec(delete(Notification).where(Notification.link == f"/decisions/{decision.id}"))
            session.commit()
        app_engine.dispose()
    finally:
        engine.dispose()
    return figures


def profile_pages(
    database_url: str, paths: dict[str, tuple[str, str]], folder: Path, slow: set[str]
) -> dict[str, str]:
    """One pyinstrument profile per page, in process through the test client (the slow ones are the
    interesting ones); written as text next to the JSON."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"error": "pip install pyinstrument (the bench extra) to profile"}
    from coordination import create_app

    app = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    written = {}
    folder.mkdir(parents=True, exist_ok=True)
    for name, (email, path) in paths.items():
        client = app.test_client()
        if path.startswith("/api/"):
            token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).json[
                "access_token"
            ]
            headers = {"Authorization": f"Bearer {token}"}
        else:
            client.post("/login", data={"email": email, "password": PASSWORD})
            headers = {}
        if name not in slow:
            client.get(path, headers=headers)  # warm caches (graph, templates)
        profiler = Profiler(interval=0.001)
        profiler.start()
        for _ in range(1 if name in slow else 3):
            client.get(path, headers=headers)
        profiler.stop()
        out = folder / f"profile-{name}.txt"
        out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        written[name] = str(out)
    db.engine_of(app).dispose()
    return written


# --- the run ----------------------------------------------------------------------------------------


def choose(database_url: str) -> dict:
    """Who posts (platform chairs of missions with many reports), which reports the chair opens."""
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            posters = session.exec(
                select(Person.email, Mission.code, Mission.city)
                .join(Membership, Membership.person_id == Person.id)
                .join(Body, Body.id == Membership.body_id)
                .join(Mission, Mission.id == Body.mission_id)
                .where(Membership.role == "chair", Person.password_hash.is_not(None), Person.active)
                .order_by(Mission.id)
            ).all()
            rng = Random(7)
            posters = rng.sample(posters, min(8, len(posters)))
            great_lakes = session.exec(select(Body.id).where(Body.slug == "task-force-great-lakes")).one()
            chair = session.exec(select(Person).where(Person.email == CHAIR)).one()
            reports = session.exec(
                select(FieldReport.id)
                .join(Delivery, Delivery.report_id == FieldReport.id)
                .where(
                    Delivery.body_id == great_lakes,
                    FieldReport.classification.in_(["unclassified", "confidential", "secret"]),
                )
                .order_by(FieldReport.id.desc())
                .limit(60)
            ).all()
            counts = {
                "fieldreport": session.exec(select(func.count(FieldReport.id))).one(),
                "person": session.exec(select(func.count(Person.id))).one(),
                "delivery": session.exec(select(func.count(Delivery.id))).one(),
            }
            dialect = engine.dialect.name
            if dialect == "sqlite":
                size = Path(engine.url.database).stat().st_size
            else:
                size = session.exec(text("SELECT pg_database_size(current_database())")).one()[0]
    finally:
        engine.dispose()
    return {
        "posters": [(email, code, city) for email, code, city in posters],
        "reports": list(reports),
        "chair_id": chair.id,
        "counts": counts,
        "dialect": dialect,
        "database_bytes": size,
    }


def verdict(name: str, value) -> str:
    if value is None:
        return "n/a"
    limit, _unit, lower = TARGETS[name]
    ok = value < limit if lower else value >= limit
    return "PASS" if ok else "MISS"


def table(results: dict) -> str:
    ingest, ref = results["ingest"], results["reference"]
    pages, proc = results["pages"], results["in_process"]
    rows = [
        ("ingest, requests/s", ingest.get("rps"), "", ""),
        ("ingest p50", ingest.get("p50_ms"), "ms", ""),
        ("ingest p99", ingest.get("p99_ms"), "ms", "ingest_p99_ms"),
        ("reference (ceiling), requests/s", ref.get("rps"), "", ""),
        ("reference p50 / p99", f"{ref.get('p50_ms')} / {ref.get('p99_ms')}", "ms", ""),
        ("ingest / ceiling", results.get("ingest_ratio"), "", "ingest_ratio"),
    ]
    for key, label in (
        ("inbox", "inbox (task force chair) p50 / p95"),
        ("dashboard", "dashboard (steering group chair) p50 / p95"),
        ("report_page", "report page p50 / p95"),
        ("search_common", f"search {results['words']['common']!r} p50 / p95"),
        ("search_rare", f"search {results['words']['rare']!r} p50 / p95"),
    ):
        page = pages.get(key, {})
        if "p95_ms" in page:
            rows.append((label, f"{page['p50_ms']} / {page['p95_ms']}", "ms", f"{key}_p95_ms"))
        elif "timeout_s" in page:
            rows.append((label, f"> {page['timeout_s'] * 1000:.0f} (timeout)", "ms", f"{key}_p95_ms"))
        else:
            rows.append(
                (label, f"HTTP {page.get('status')}" + (" (missing)" if page.get("missing") else ""), "", "")
            )
    rows += [
        (
            "route_report, mean (p99)",
            f"{proc.get('route_report_mean_ms')} ({proc.get('route_report_p99_ms')})",
            "ms",
            "route_report_ms",
        ),
        (
            f"fan-out audience, {proc.get('fan_out_people')} of {proc.get('fan_out_seated_people')} seated",
            proc.get("fan_out_audience_ms"),
            "ms",
            "fan_out_audience_ms",
        ),
        ("fan-out adopt + notify", proc.get("fan_out_adopt_ms"), "ms", "fan_out_adopt_ms"),
        ("worker peak RSS (max)", results.get("worker_peak_rss_mb"), "MB", "worker_peak_rss_mb"),
        (
            "  resident after ingest / after pages",
            " / ".join(str(v) for v in results.get("worker_rss_mb_after", {}).values()) or None,
            "MB",
            "",
        ),
    ]
    rows += eden_rows(results.get("eden", {})) + cold_start_rows(results.get("cold_start", {}))
    lines = [f"{'measure':<46} {'value':>18} {'unit':<5} {'target':>14}  result", "-" * 96]
    for label, value, unit, key in rows:
        target, result = "", ""
        if key:
            limit, tunit, lower = TARGETS[key]
            target = f"{'<' if lower else '>='} {limit} {tunit if tunit != unit else ''}".strip()
            score = results["checks"].get(key)
            result = score or ""
        lines.append(f"{label:<46} {value!s:>18} {unit:<5} {target:>14}  {result}")
    return "\n".join(lines)


def eden_rows(eden: dict) -> list[tuple]:
    """The Eden-shaped phase's rows: informative, without a target."""
    if not eden or "skipped" in eden:
        return []
    rows = []
    for clients in EDEN_CLIENTS:
        figures = eden[f"clients_{clients}"]
        label = f"eden, {clients} client{'s' if clients > 1 else ''}"
        rows.append((f"{label}: creates/s ({figures['created']} records)", figures["creates_per_s"], "", ""))
        rows.append(
            (
                f"{label}: p50 / p95 / p99",
                f"{figures['p50_ms']} / {figures['p95_ms']} / {figures['p99_ms']}",
                "ms",
                "",
            )
        )
    listing = eden["listing"]
    if "p95_ms" in listing:
        label = f"eden, list {listing['records_listed']} ({listing['pages']} pages) p50 / p95"
        rows.append((label, f"{listing['p50_ms']} / {listing['p95_ms']}", "ms", ""))
    else:
        rows.append(("eden, list", f"HTTP {listing.get('status')}", "", ""))
    return rows


def cold_start_rows(cold: dict) -> list[tuple]:
    if not cold or "skipped" in cold:
        return []
    if "error" in cold:
        return [("cold start to first 200", "no 200", "", "cold_start_s")]
    rows = [
        (
            f"cold start to 1st 200 ({cold['runs']}) min / med / max",
            f"{cold['min_s']} / {cold['median_s']} / {cold['max_s']}",
            "s",
            "cold_start_s",
        )
    ]
    parts = cold.get("parts", {})
    if "create_app_s" in parts:
        rows.append(
            (
                "  import coordination / create_app / again",
                f"{parts['import_coordination_s']} / {parts['create_app_s']} / {parts['create_app_again_s']}",
                "s",
                "",
            )
        )
        rows.append(
            (
                "  interpreter / serve checks / 1st healthz",
                f"{parts['interpreter_s']} / {parts['serve_checks_s']} / {parts['first_healthz_s']}",
                "s",
                "",
            )
        )
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help=f"default {generate.DEFAULT_URL}")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread workers")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per ingest phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--samples", type=int, default=40, help="requests timed per page")
    parser.add_argument(
        "--page-budget", type=float, default=60.0, help="seconds per page before sampling stops"
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=180.0,
        help="a page slower than this is reported as timed out",
    )
    parser.add_argument("--routing-rounds", type=int, default=20_000)
    parser.add_argument(
        "--eden-records",
        type=int,
        default=170,
        help="records posted per Eden-shaped phase (0: no such phase)",
    )
    parser.add_argument(
        "--eden-rounds",
        type=int,
        default=3,
        help="rounds of Eden-shaped phases, each 1 client then 8 clients",
    )
    parser.add_argument(
        "--cold-starts", type=int, default=3, help="times `coordination serve` is started (0: not measured)"
    )
    parser.add_argument("--json", help="where to write the figures (default bench/results/<timestamp>.json)")
    parser.add_argument("--no-upgrade", action="store_true", help="do not migrate the database first")
    parser.add_argument("--profile", action="store_true", help="also profile each page (pyinstrument)")
    parser.add_argument("--smoke", action="store_true", help="tiny database and load: checks that it runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    scratch = None
    if args.smoke:
        args.clients = min(args.clients, 4)
        args.duration = min(args.duration, 2.0)
        args.warmup = min(args.warmup, 0.5)
        args.samples = min(args.samples, 3)
        args.routing_rounds = min(args.routing_rounds, 500)
        args.workers = min(args.workers, 2)
        args.eden_records = min(args.eden_records, 8)
        args.eden_rounds = min(args.eden_rounds, 1)
        args.cold_starts = min(args.cold_starts, 1)
    if args.database_url is None:
        if args.smoke:
            scratch = Path(tempfile.mkdtemp(prefix="coordination-bench-"))
            args.database_url = f"sqlite:///{scratch / 'smoke.db'}"
            generate.main(["--database-url", args.database_url, "--scale", "0.0005", "--no-progress"])
        else:
            args.database_url = generate.DEFAULT_URL
    url = args.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_absolute():
        url = parsed.set(database=str(ROOT / parsed.database)).render_as_string(hide_password=False)
        if not Path(parsed.database).exists() and not (ROOT / parsed.database).exists():
            raise SystemExit(f"no database at {parsed.database}: run bench/generate.py first")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.json) if args.json else ROOT / "bench" / "results" / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    if not args.no_upgrade:  # as a deployment would: `coordination db upgrade` before starting gunicorn
        engine = db.make_engine(url)
        try:
            db.upgrade(engine)
        finally:
            engine.dispose()
    chosen = choose(url)
    results: dict = {
        "when": stamp,
        "database": make_url(url).render_as_string(hide_password=True),
        "dialect": chosen["dialect"],
        "database_bytes": chosen["database_bytes"],
        "rows": chosen["counts"],
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "settings": {
            k: getattr(args, k)
            for k in (
                "workers",
                "threads",
                "clients",
                "duration",
                "warmup",
                "samples",
                "eden_records",
                "eden_rounds",
                "cold_starts",
            )
        },
        "commit": _git_commit(),
        "words": {"common": generate.COMMON_WORD, "rare": generate.RARE_WORD},
        "targets": {k: {"limit": v[0], "unit": v[1], "lower_is_better": v[2]} for k, v in TARGETS.items()},
    }
    print(
        f"{results['database']} ({chosen['dialect']}, {chosen['counts']['fieldreport']:,} reports, "
        f"{chosen['database_bytes'] / 1e6:,.0f} MB); gunicorn {args.workers} workers, {args.clients} clients",
        flush=True,
    )
    log = out.with_suffix(".gunicorn.log")
    server = start_server(url, args.workers, args.threads, log, args.request_timeout + 10)
    try:
        port = server.port
        tokens = []
        for n, (email, code, city) in enumerate(chosen["posters"]):
            tokens.append((api_token(port, email), report_bodies(50, [(code, city)], seed=n)))
        print(f"ingest: {args.clients} clients, {args.duration:g} s ...", flush=True)
        ingest = run_load(port, "/api/v1/field-reports", tokens, args.clients, args.duration, args.warmup)
        results["ingest"] = ingest.figures()
        print(f"reference: {args.clients} clients, {args.duration:g} s ...", flush=True)
        reference = run_load(port, "/bench/reference", tokens, args.clients, args.duration, args.warmup)
        results["reference"] = reference.figures()
        ceiling = results["reference"]["rps"]
        results["ingest_ratio"] = round(results["ingest"]["rps"] / ceiling, 3) if ceiling else None

        peaks: dict[int, float] = {}
        resident = results["worker_rss_mb_after"] = {}
        track_rss(server, peaks, resident, "ingest")
        save(out, results)

        pages = results["pages"] = {}
        chair = sign_in(port, CHAIR, args.request_timeout)
        sg_chair = sign_in(port, SG_CHAIR, args.request_timeout)
        api = Client(port, {"Authorization": f"Bearer {api_token(port, CHAIR)}"}, args.request_timeout)
        report_ids = chosen["reports"] or [1]
        plan = [
            ("inbox", chair, "/inbox"),
            ("dashboard", sg_chair, "/dashboard"),
            ("report_page", chair, lambda n: f"/reports/{report_ids[n % len(report_ids)]}"),
            ("search_common", api, f"/api/v1/search?q={generate.COMMON_WORD}"),
            ("search_rare", api, f"/api/v1/search?q={generate.RARE_WORD}"),
        ]
        for key, client, path in plan:
            print(f"page {key} ...", end=" ", flush=True)
            pages[key] = time_page(client, path, args.samples, args.page_budget)
            print(pages[key].get("p95_ms", pages[key]), flush=True)
            track_rss(server, peaks)
            save(out, results)
        pages["report_page"]["reports_cycled"] = len(report_ids)
        pages["search_common"]["word"] = generate.COMMON_WORD
        pages["search_rare"]["word"] = generate.RARE_WORD
        for client in (chair, sg_chair, api):
            client.close()
        track_rss(server, peaks, resident, "pages")
        results["worker_peak_rss_mb_each"] = {str(k): round(v, 1) for k, v in peaks.items()}
        results["worker_peak_rss_mb"] = round(max(peaks.values()), 1) if peaks else None
        save(out, results)

        if args.eden_records > 0 and args.eden_rounds > 0:
            total = args.eden_records * args.eden_rounds * len(EDEN_CLIENTS)
            print(f"eden: {total} records, 1 and 8 clients in turn, then their listing ...", flush=True)
            _email, code, _city = chosen["posters"][0]
            results["eden"] = eden(
                port,
                tokens[0][0],
                code,
                f"eden{stamp.lower()}",
                records=args.eden_records,
                rounds=args.eden_rounds,
                samples=args.samples,
                budget=args.page_budget,
            )
        else:
            results["eden"] = {"skipped": True}
        save(out, results)
    finally:
        server.stop()

    if args.cold_starts > 0:
        print(f"cold start: `coordination serve` {args.cold_starts} times ...", flush=True)
        serve_log = out.with_suffix(".serve.log")
        # --smoke leaves out the -X importtime process: seconds of CI for a figure the smoke test never reads
        results["cold_start"] = cold_start(url, args.cold_starts, serve_log, imports=not args.smoke)
        serve_log.unlink(missing_ok=True)
    else:
        results["cold_start"] = {"skipped": True}

    print("in process: routing and fan-out ...", flush=True)
    results["in_process"] = in_process(url, args.routing_rounds)
    if args.profile:
        print("profiling pages ...", flush=True)
        report_id = (chosen["reports"] or [1])[0]
        timed_out = {k for k, page in results["pages"].items() if "timeout_s" in page}
        results["profiles"] = profile_pages(
            url,
            {
                k: v
                for k, v in {
                    "inbox": (CHAIR, "/inbox"),
                    "dashboard": (SG_CHAIR, "/dashboard"),
                    "report_page": (CHAIR, f"/reports/{report_id}"),
                    "search_common": (CHAIR, f"/api/v1/search?q={generate.COMMON_WORD}"),
                    "search_rare": (CHAIR, f"/api/v1/search?q={generate.RARE_WORD}"),
                }.items()
                if k not in timed_out
            },
            out.parent / f"{out.stem}-profiles",
            slow={k for k, page in results["pages"].items() if (page.get("p50_ms") or 1e9) > 5000},
        )
    proc = results["in_process"]
    measured = {
        "ingest_ratio": results["ingest_ratio"],
        "ingest_p99_ms": results["ingest"]["p99_ms"],
        "route_report_ms": proc.get("route_report_p99_ms"),
        "fan_out_audience_ms": proc.get("fan_out_audience_ms"),
        "fan_out_adopt_ms": proc.get("fan_out_adopt_ms"),
        "worker_peak_rss_mb": results["worker_peak_rss_mb"],
        # a server that never answered misses the target rather than going unmeasured
        "cold_start_s": results["cold_start"].get(
            "median_s", math.inf if "error" in results["cold_start"] else None
        ),
    }
    for key in ("inbox", "dashboard", "report_page", "search_common", "search_rare"):
        page = results["pages"][key]
        measured[f"{key}_p95_ms"] = page.get("p95_ms") or (
            page["timeout_s"] * 1000 if "timeout_s" in page else None
        )
    results["checks"] = {key: verdict(key, value) for key, value in measured.items()}
    print()
    print(table(results))
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nfigures written to {out}")
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
        log.unlink(missing_ok=True)
    return results


def _git_commit() -> str | None:
    """The commit measured, with "+dirty" when tracked files had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


if __name__ == "__main__":
    main()
