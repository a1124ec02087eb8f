"""Lines a test wants printed at the end of the run (figures such as how many triples were checked).

A test adds them with `add`; `tests/conftest.py` moves them onto the test's report (its user properties),
which pytest-xdist carries from a worker process to the controller that prints the summary.
"""

LINES: list[str] = []
"""Lines added by tests running in this process, not yet attached to a report."""

PRINTED: list[str] = []
"""Lines that reached the process that prints the summary."""

PROPERTY = "coordination-summary"


def add(*lines: str) -> None:
    LINES.extend(lines)


def drain() -> list[str]:
    lines = LINES[:]
    LINES.clear()
    return lines
