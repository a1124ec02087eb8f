"""A4 PDF documents (fpdf2, pure Python): a title, a table of facts, a sanitised HTML body and tables,
with the classification marking in the header and footer of every page and "n / N" page numbers.

The font is Roboto (Apache License 2.0, fonts/LICENSE-Roboto.txt), cut down to the Latin, punctuation
and euro glyphs that Dutch, French and German names and texts need, so that the document needs nothing
from the system. Characters the font lacks are replaced, never fatal."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path

FONT = "Roboto"
FONTS = Path(__file__).parent / "fonts"
MEDIA_TYPE = "application/pdf"
_STYLES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}
_MARK_COLOUR = (170, 0, 0)


@dataclass(frozen=True)
class Table:
    heading: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[int] | None = None


@dataclass(frozen=True)
class Document:
    """What a printed item shows; every text already in the reader's language."""

    title: str
    marking: str
    kicker: str = ""
    facts: Sequence[tuple[str, str]] = ()
    body_html: str = ""
    tables: Sequence[Table] = field(default_factory=tuple)


@cache
def _page_class():
    """fpdf2 and its fonts weigh 20 MB: a process loads them when it first prints, not when it starts."""
    from fpdf import FPDF

    class _Page(FPDF):
        def __init__(self, doc: Document):
            super().__init__(orientation="portrait", unit="mm", format="A4")
            self.doc = doc
            # Each font added is embedded, which is a third of the work: italics only when the text has some.
            italic = "<em>" in doc.body_html or "<i>" in doc.body_html
            for style, name in _STYLES.items():
                if italic or "I" not in style:
                    self.add_font(FONT, style, str(FONTS / f"Roboto-{name}.ttf"))
            self.set_margins(18, 22, 18)
            self.set_auto_page_break(True, margin=20)
            self.set_title(doc.title)
            self.set_creator("Coordination")
            self.alias_nb_pages()

        def header(self):
            self.set_font(FONT, "B", 9)
            self.set_text_color(*_MARK_COLOUR)
            self.set_y(8)
            self.multi_cell(0, 4.5, self.doc.marking, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0)
            self.set_y(max(self.get_y() + 3, 22))

        def footer(self):
            self.set_y(-15)
            self.set_font(FONT, "B", 8)
            self.set_text_color(*_MARK_COLOUR)
            self.multi_cell(0, 4, self.doc.marking, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(90)
            self.set_font(FONT, "", 8)
            self.cell(0, 4, f"{self.page_no()} / {{nb}}", align="R")
            self.set_text_color(0)

    return _Page


def render(doc: Document) -> bytes:
    """The PDF of a document. A body fpdf2 cannot lay out as HTML is printed as plain text instead."""
    frozen = Document(
        title=doc.title,
        marking=doc.marking,
        kicker=doc.kicker,
        facts=tuple(tuple(fact) for fact in doc.facts),
        body_html=doc.body_html,
        tables=tuple(
            Table(t.heading, tuple(t.columns), tuple(tuple(r) for r in t.rows), t.widths and tuple(t.widths))
            for t in doc.tables
        ),
    )
    return _render_once(frozen)


@lru_cache(maxsize=128)
def _render_once(doc: Document) -> bytes:
    """Many readers open the same item: the same document is laid out once per process."""
    try:
        return _render(doc, html=True)
    except Exception:  # noqa: BLE001 - any layout failure of a person's text falls back to plain text
        return _render(doc, html=False)


def _render(doc: Document, *, html: bool) -> bytes:
    pdf = _page_class()(_printable(doc))
    pdf.add_page()
    if doc.kicker:
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(90)
        pdf.multi_cell(0, 5, pdf.doc.kicker, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(0, 8, pdf.doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 10)
    for label, value in pdf.doc.facts:
        top, page = pdf.get_y(), pdf.page
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(45, 5, label, new_x="RIGHT", new_y="TOP")
        below_label = pdf.get_y() + 5 if pdf.page == page else top
        pdf.set_y(top)
        pdf.set_x(pdf.l_margin + 45)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, value or "-", new_x="LMARGIN", new_y="NEXT")
        if pdf.page == page:
            pdf.set_y(max(pdf.get_y(), below_label))
    if pdf.doc.body_html:
        pdf.ln(4)
        if html:
            from fpdf.fonts import TextStyle

            pdf.write_html(
                pdf.doc.body_html,
                font_family=FONT,
                tag_styles={"pre": TextStyle(font_family=FONT), "code": TextStyle(font_family=FONT)},
                warn_on_tags_not_matching=False,
                ul_bullet_char="•",
            )
        else:
            pdf.multi_cell(0, 5, _plain(pdf.doc.body_html), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    for table in pdf.doc.tables:
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, table.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font(FONT, "", 9)
        _table(pdf, table)
        pdf.ln(4)
    return bytes(pdf.output())


def _table(pdf, table: Table) -> None:
    from fpdf.fonts import FontFace

    rows = [list(table.columns), *([str(cell) for cell in row] for row in table.rows)]
    with pdf.table(
        col_widths=table.widths,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=5,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
    ) as out:
        for row in rows:
            cells = out.row()
            for text in row:
                cells.cell(text)


# --- text the font can print --------------------------------------------------------------------------


@cache
def _glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS / "Roboto-Regular.ttf") as font:
        return frozenset(font.getBestCmap())


def printable_text(text: str) -> str:
    """The text with each character the font lacks replaced by its base letter ("ș" -> "s") or "?"."""
    glyphs = _glyphs()
    if all(ord(c) in glyphs or c in "\n\r" for c in text):
        return text
    out = []
    for c in text:
        if ord(c) in glyphs or c in "\n\r":
            out.append(c)
        elif c == "\t":
            out.append("    ")
        elif not unicodedata.combining(c):
            base = "".join(b for b in unicodedata.normalize("NFKD", c) if ord(b) in glyphs)
            out.append(base or "?")
    return "".join(out)


def _printable(doc: Document) -> Document:
    return Document(
        title=printable_text(doc.title),
        marking=printable_text(doc.marking),
        kicker=printable_text(doc.kicker),
        facts=[(printable_text(k), printable_text(v)) for k, v in doc.facts],
        body_html=printable_html(printable_text(doc.body_html)),
        tables=[
            Table(
                printable_text(t.heading),
                [printable_text(c) for c in t.columns],
                [[printable_text(str(cell)) for cell in row] for row in t.rows],
                t.widths,
            )
            for t in doc.tables
        ],
    )


def _plain(html: str) -> str:
    reader = _Rewriter()
    reader.feed(html)
    reader.close()
    return reader.plain()


def printable_html(html: str) -> str:
    """The sanitised HTML of a Markdown text reduced to what fpdf2 lays out well: headings one level
    down (the document's title is the only first-level heading), paragraphs, lists, emphasis, quotes,
    code and links; a table's rows become paragraphs of cells."""
    reader = _Rewriter()
    reader.feed(html)
    reader.close()
    return reader.html()


_KEPT = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "pre", "code", "hr"}
_VOID = {"br", "hr"}
_HEADINGS = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h5", "h5": "h6", "h6": "h6"}
_BLOCKS = {"p", "li", "tr", "blockquote", "pre", *_HEADINGS}


class _Rewriter(HTMLParser):
    """Rebuilds HTML from allowed tags only, escaping all text again; counts what is open so that the
    output is always balanced whatever the input."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in {"td", "th"}:
            self.cell = []
            return
        if tag == "tr":
            self.row = []
            return
        if tag in {"table", "thead", "tbody"} or self.row is not None:
            return
        if tag in _BLOCKS:
            self.text.append("\n")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self._open("a", f'<a href="{escape(href)}">')
            return
        name = _HEADINGS.get(tag, tag)
        if name in _KEPT or name in _HEADINGS.values():
            if name in _VOID:
                self.out.append(f"<{name}>")
            else:
                self._open(name, f"<{name}>")

    def _open(self, name: str, markup: str) -> None:
        self.open.append(name)
        self.out.append(markup)

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self.cell is not None:
            if self.row is not None:
                self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
            return
        if tag == "tr" and self.row is not None:
            line = " | ".join(self.row)
            self.out.append(f"<p>{escape(line)}</p>")
            self.text.append("\n" + line + "\n")
            self.row = None
            return
        if tag in {"table", "thead", "tbody"} or self.row is not None:
            return
        name = "a" if tag == "a" else _HEADINGS.get(tag, tag)
        if name in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == name:
                    break
        if tag in _BLOCKS:
            self.text.append("\n")

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.row is not None:
            return
        self.out.append(escape(data, quote=False))
        self.text.append(data)

    def html(self) -> str:
        return "".join(self.out) + "".join(f"</{name}>" for name in reversed(self.open))

    def plain(self) -> str:
        lines = "".join(self.text).splitlines()
        return "\n".join(line.rstrip() for line in lines).strip()
