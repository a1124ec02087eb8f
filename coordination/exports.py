"""Streamed exports as CSV and JSON Lines: rows come in batches from an area's queries (read by keyset,
never the whole result at once) and leave as one chunk of text per batch, so that a million rows export
in the memory of one batch.

The serialisers read no database; `streamed` wraps them in a streaming response for the views.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import Response, stream_with_context
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.standards.hxl import hxl_chunks

BATCH = 1000  # rows read per query and written per chunk

# a spreadsheet runs a cell that starts with one of these as a formula: the export quotes it with '
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = Mapping[str, Any]


def spreadsheet_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula is quoted with '."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601 (UTC as stored), enumerations by their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    """A value as one CSV cell: lists joined with "; ", a nested record as "key: value, ..."."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def spreadsheet_writer(out: io.StringIO, **options: Any):
    """A csv writer whose every cell is safe for a spreadsheet (for exports built in one piece)."""
    writer = csv.writer(out, **options)

    class _Writer:
        def writerow(self, row: Iterable[Any]) -> Any:
            return writer.writerow([spreadsheet_cell(_cell(value)) for value in row])

    return _Writer()


def csv_chunks(columns: Sequence[str], batches: Iterable[Sequence[Row]]) -> Iterator[str]:
    """The header, then one chunk of CSV lines per batch of rows; every cell safe for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    yield out.getvalue()
    for rows in batches:
        out.seek(0)
        out.truncate()
        for row in rows:
            writer.writerow([spreadsheet_cell(_cell(row.get(name))) for name in columns])
        yield out.getvalue()


def jsonl_chunks(columns: Sequence[str], batches: Iterable[Sequence[Row]]) -> Iterator[str]:
    """One chunk of JSON Lines (one object per row, keys in the order of `columns`) per batch of rows."""
    for rows in batches:
        yield "".join(
            json.dumps({name: _plain(row.get(name)) for name in columns}, ensure_ascii=False) + "\n"
            for row in rows
        )


FORMATS: dict[str, tuple[str, Callable[[Sequence[str], Iterable[Sequence[Row]]], Iterator[str]]]] = {
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "jsonl": ("application/jsonl; charset=utf-8", jsonl_chunks),
    # CSV with a row of HXL hashtags under the header row: its columns are standards.hxl.HxlColumn
    "hxl.csv": ("text/csv; charset=utf-8", hxl_chunks),
}


class Tally:
    """Counts the rows of batches as they stream past, and how many are classified (for the one audit
    event that records the export when it ends)."""

    def __init__(self, batches: Iterable[Sequence[Row]]):
        self._batches = batches
        self.rows = 0
        self.classified = 0

    def __iter__(self) -> Iterator[Sequence[Row]]:
        for rows in self._batches:
            self.rows += len(rows)
            self.classified += sum(1 for r in rows if r.get("classification") not in (None, "unclassified"))
            yield rows


def streamed(
    *,
    session: Session,
    fmt: str,
    columns: Sequence[str],
    batches: Iterable[Sequence[Row]],
    filename: str,
    on_end: Callable[[Tally, bool], None] | None = None,
) -> Response:
    """A streaming download of the batches as CSV, JSON Lines or HXL-tagged CSV (`fmt`).
    `on_end(tally, complete)` runs once the last chunk left, or the reader went away (complete False),
    while the request's context and database session are still there: where the export is audited. The
    stream reads with `session`, the request's (`db.session_for_stream`), and closes it when it ends."""
    content_type, chunks = FORMATS[fmt]
    tally = Tally(batches)

    def body() -> Iterator[str]:
        complete = False
        try:
            yield from chunks(columns, tally)
            complete = True
        finally:
            try:
                if on_end is not None:
                    on_end(tally, complete)
            finally:
                session.close()

    response = Response(
        stream_with_context(body()),
        content_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename={filename}.{fmt}",
            "Cache-Control": "no-store",
        },
    )
    response.call_on_close(session.close)  # also when the stream never started
    return response


def audited(
    session: Session,
    *,
    actor_id: int,
    action: str,
    object_type: str,
    filters: Mapping[str, Any],
    always: bool = False,
) -> Callable[[Tally, bool], None]:
    """`streamed`'s `on_end` that audits the export as a whole, one event with its filters and counts: an
    export that held classified items (as an opening of one is), or every export when `always`."""

    def on_end(tally: Tally, complete: bool) -> None:
        if always or tally.classified:
            audit.record_export(
                session,
                actor_id=actor_id,
                action=action,
                object_type=object_type,
                filters={k: _plain(v) for k, v in filters.items() if v not in (None, "", False)},
                count=tally.rows,
                classified=tally.classified,
                complete=complete,
            )

    return on_end


def openapi_response(fmt: str, what: str) -> dict:
    """The OpenAPI description of a streamed export's 200 answer."""
    media_type = FORMATS[fmt][0].split(";")[0]
    kind = "CSV (cells that start like a formula quoted with ')" if fmt == "csv" else "JSON Lines"
    return {
        "description": f"{what}, streamed as {kind}",
        "content": {media_type: {"schema": {"type": "string"}}},
    }
