"""The Quick start's run command: `coordination serve --seed` migrates, seeds and answers HTTP."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_creates_the_database_seeds_it_and_answers(tmp_path: Path):
    port = _free_port()
    database = tmp_path / "first-run.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "COORDINATION_SECRET_KEY": "x" * 32}
    command = [sys.executable, "-m", "coordination.cli", "serve", "--seed", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    status = response.status
                    server = response.headers["Server"]
                    page = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        assert status == 200, process.stdout.read() if process.poll() is not None else "no answer"
        assert "annelies.vercammen@diplobel.example" in page  # demo accounts listed outside production
        assert database.exists()
        assert server == "Coordination"  # neither Werkzeug's version nor Python's (issue 16)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def test_the_run_command_starts_the_scheduler_beside_the_server_and_stops_it_with_the_server(tmp_path: Path):
    """`python3 dev.py run` serves with --with-scheduler: reminders and digests run out of the box, in a
    process of their own, which ends with the server."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'with-scheduler.db'}",
        "COORDINATION_SECRET_KEY": "x" * 32,
    }
    command = [
        sys.executable,
        "-m",
        "coordination.cli",
        "serve",
        "--seed",
        "--with-scheduler",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        scheduler = []
        while time.monotonic() < deadline and process.poll() is None and not scheduler:
            scheduler = [
                pid
                for pid in _children(process.pid)
                if b"scheduler" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            time.sleep(0.3)
        assert scheduler, "no scheduler process beside the server"
    finally:
        process.terminate()
        process.wait(timeout=15)
    # the server waited for its scheduler before exiting: the process is gone, not left behind
    assert not Path(f"/proc/{scheduler[0]}").exists()
