"""Lines a test wants printed at the end of the run (figures such as how many triples were checked)."""

LINES: list[str] = []


def add(*lines: str) -> None:
    LINES.extend(lines)
