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
                    page = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        assert status == 200, process.stdout.read() if process.poll() is not None else "no answer"
        assert "annelies.vercammen@diplobel.example" in page  # demo accounts listed outside production
        assert database.exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
