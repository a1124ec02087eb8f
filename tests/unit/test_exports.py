"""The export serialisers: spreadsheet-safe CSV cells, nested records, one chunk per batch."""

import csv
import io
import json
from datetime import UTC, datetime

from coordination.exports import csv_chunks, jsonl_chunks, spreadsheet_cell, spreadsheet_writer

ROWS = [
    [
        {
            "id": 1,
            "title": '=HYPERLINK("http://x")',
            "at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
            "tags": ["a", "b"],
            "acks": [{"unit": "body:tf", "status": "pending"}],
        },
        {"id": 2, "title": "-2+3", "at": None, "tags": [], "acks": []},
    ],
    [{"id": 3, "title": "@SUM(A1)", "at": None, "tags": [], "acks": []}],
]
COLUMNS = ("id", "title", "at", "tags", "acks")


def test_cells_that_start_like_a_formula_are_quoted():
    assert [spreadsheet_cell(v) for v in ("=1", "+1", "-1", "@x", "\tx", "plain", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "plain",
        "",
    ]


def test_csv_is_a_header_then_one_chunk_per_batch_with_safe_cells():
    chunks = list(csv_chunks(COLUMNS, iter(ROWS)))
    assert len(chunks) == 3
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert rows[0] == list(COLUMNS)
    assert rows[1] == [
        "1",
        '\'=HYPERLINK("http://x")',
        "2026-01-02T03:04:00+00:00",
        "a; b",
        "unit: body:tf, status: pending",
    ]
    assert [r[1] for r in rows[2:]] == ["'-2+3", "'@SUM(A1)"]


def test_json_lines_keep_types_and_nesting():
    lines = "".join(jsonl_chunks(COLUMNS, iter(ROWS))).splitlines()
    first = json.loads(lines[0])
    assert first["title"] == '=HYPERLINK("http://x")' and first["acks"] == [
        {"unit": "body:tf", "status": "pending"}
    ]
    assert first["at"] == "2026-01-02T03:04:00+00:00" and len(lines) == 3


def test_exports_built_in_one_piece_use_the_same_safe_cells():
    out = io.StringIO()
    spreadsheet_writer(out).writerow([1, None, "=1+1", "plain"])
    assert out.getvalue() == "1,,'=1+1,plain\r\n"
