"""HXL (Humanitarian Exchange Language 1.1): CSV with a row of hashtags under the header row.

Writing: `hxl_csv` puts each column's hashtag under its header. Reading: `read_hxl` finds the hashtag row
with the csv module alone (libhxl is for tests), and `HxlTable.value` picks a cell by a tag pattern such
as "#date+start", matching columns that carry the tag and at least those attributes, as HXL does.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

TAG = re.compile(r"^#([a-z][a-z0-9_]*)((?:\s*\+\s*[a-z][a-z0-9_]*)*)$", re.IGNORECASE)
HASHTAG_ROW_SEARCH = 25
"""How many rows may stand above the hashtag row (titles, a header row or two)."""


class HxlError(ValueError):
    """The text is not an HXL table."""


class NoHashtags(HxlError):
    """No row of hashtags near the top: a plain CSV, not HXL."""


@dataclass(frozen=True)
class HxlColumn:
    header: str
    hashtag: str  # e.g. "#country+code"


@dataclass(frozen=True)
class TagSpec:
    tag: str
    attributes: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> "TagSpec | None":
        """A hashtag and its attributes, lower-cased; None when the text is no hashtag."""
        found = TAG.match((text or "").strip())
        if found is None:
            return None
        attributes = {a.strip().lower() for a in found.group(2).split("+") if a.strip()}
        return cls(found.group(1).lower(), frozenset(attributes))

    def matches(self, pattern: "TagSpec") -> bool:
        return self.tag == pattern.tag and pattern.attributes <= self.attributes


@dataclass(frozen=True)
class HxlRow:
    line: int  # where the row starts in the file, counting from 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class HxlTable:
    columns: tuple[TagSpec | None, ...]
    rows: tuple[HxlRow, ...]
    hashtag_line: int = 1

    def has(self, pattern: str) -> bool:
        return self._column(pattern) is not None

    def value(self, row: HxlRow, pattern: str) -> str:
        """The cell of the column matching the pattern with the fewest other attributes ("#org" picks
        "#org" over "#org+type"), stripped; "" when none matches."""
        index = self._column(pattern)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index].strip()

    def _column(self, pattern: str) -> int | None:
        wanted = TagSpec.parse(pattern)
        if wanted is None:
            raise ValueError(f"not a hashtag pattern: {pattern}")
        matching = [
            (len(spec.attributes), i)
            for i, spec in enumerate(self.columns)
            if spec is not None and spec.matches(wanted)
        ]
        return min(matching)[1] if matching else None


def _is_hashtag_row(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return bool(filled) and all(TagSpec.parse(c) is not None for c in filled)


def read_hxl(text: str) -> HxlTable:
    """The rows under the hashtag row, each with its line number; HxlError when there is no hashtag
    row near the top."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    columns: tuple[TagSpec | None, ...] | None = None
    rows: list[HxlRow] = []
    line = hashtag_line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if columns is None:
                if _is_hashtag_row(cells):
                    columns, hashtag_line = tuple(TagSpec.parse(c) for c in cells), start
                elif reader.line_num >= HASHTAG_ROW_SEARCH:
                    break
                continue
            if any(c.strip() for c in cells):
                rows.append(HxlRow(start, tuple(cells)))
    except csv.Error as error:
        raise HxlError(f"line {line}: {error}") from error
    if columns is None:
        raise NoHashtags("no row of HXL hashtags")
    return HxlTable(columns, tuple(rows), hashtag_line)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Empty for None; text a spreadsheet would run as a formula quoted with ' (numbers untouched)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def hxl_chunks(
    columns: Sequence[HxlColumn], batches: Iterable[Iterable[Mapping[str, object]]]
) -> Iterator[str]:
    """The header row and the hashtag row, then one chunk of CSV per batch of rows (each a mapping
    from a column's header to its value): what a streamed export sends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    writer.writerow([c.hashtag for c in columns])
    yield out.getvalue()
    for rows in batches:
        out.seek(0)
        out.truncate()
        for row in rows:
            writer.writerow([_cell(row.get(c.header)) for c in columns])
        yield out.getvalue()


def hxl_csv(columns: Sequence[HxlColumn], rows: Iterable[Mapping[str, object]]) -> str:
    """HXL-tagged CSV of these rows in one piece."""
    return "".join(hxl_chunks(columns, [rows]))
