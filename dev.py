#!/usr/bin/env python3
"""Set up and run Coordination on a fresh machine that has only Python 3.11+.

    python3 dev.py run    # create .venv, install, compile translations, migrate, seed, serve on :5000
                          # with the scheduler process beside it (Ctrl-C stops both)
    python3 dev.py test   # the same set-up, then the whole test suite, one process per core

Standard library only: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".coordination-installed"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_environment() -> None:
    """Create the virtual environment and install the project when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036  (this file runs on whatever python3 is)
        sys.exit("Coordination needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        say("installing Coordination and its test tools (first run takes a minute)")
        subprocess.run(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--editable",
                f"{ROOT}[test,prod]",
            ],
            check=True,
        )
        STAMP.write_text(wanted)
    subprocess.run([str(BIN / "coordination"), "compile-translations"], check=True, cwd=ROOT)


def parallel(rest: list[str]) -> list[str]:
    """Spread the tests over one process per core (pytest-xdist) unless told otherwise (`-n 0`)."""
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) or arg == "no:xdist" for arg in rest):
        return []
    return ["--numprocesses", os.environ.get("COORDINATION_TEST_PROCESSES", "auto")]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "run":
        args = [str(BIN / "coordination"), "serve", "--seed", "--with-scheduler", *rest]
    else:
        args = [str(PYTHON), "-m", "pytest", *parallel(rest), *rest]
    os.chdir(ROOT)
    return subprocess.call(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
