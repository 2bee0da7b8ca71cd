"""Ledgers: bulk tables typeset as lines of monospaced text under a real, repeating header.

WeasyPrint spends roughly half a millisecond on every element it lays out, so a matrix of
50 vendors × 100 criteria drawn as table cells (or a per-vendor list of 5,000 criterion rows)
takes tens of seconds. A ledger instead writes each row as one line of text in the
monospaced report font (Noto Sans Mono CJK SC: every ASCII character one cell of half an
em, every ideograph two), its fields padded with spaces to fixed widths, grouped into
blocks of at most `BLOCK_LINES` lines. The header is an ordinary table row whose columns are
as wide as the fields, so the two line up to the point. That costs one line box per row,
whatever the number of fields. (CSS tab stops would be lighter still, but Pango rounds
them, and columns drift by a few points across a page.)

Fields hold numbers, codes and short labels, whose width in cells is exact. Free text of
any script — a criterion title, a vendor name — only ever comes last on a line, where the
stylesheet clips it with an ellipsis.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FONT_PT = 7.0  # the ledger font size: `td.lines` in static/report.css
CELL_PT = FONT_PT / 2  # one monospaced cell
WIDTH_PT = 510.0  # A4 (595 pt) less the page margins in static/report.css
LINE_CELLS = int(WIDTH_PT // CELL_PT)
BLOCK_LINES = 25  # rows per block: a block never splits across pages
GAP = 2  # blank cells before each field after the first

# Characters outside ASCII that the monospaced CJK font draws two cells wide.
_WIDE_SYMBOLS = frozenset("○×…·")


def cells(text: str) -> int:
    """The width of `text` in monospaced cells (ideographs and ○ × count two)."""
    total = 0
    for char in text:
        if char < "\x7f" or char in "\t\n":
            total += 1
        elif char in _WIDE_SYMBOLS or unicodedata.east_asian_width(char) in "WF":
            total += 2
        else:
            total += 1
    return total


def text_width(text: str, size: float = FONT_PT) -> float:
    """An estimate of `text`'s width in points in the proportional report font (ASCII
    exact for Noto Sans CJK SC, everything else one em), for labels drawn outside ledgers."""
    return sum(_PROPORTIONAL.get(char, 1000) for char in text) * size / 1000


# Advance widths (1/1000 em) of printable ASCII in Noto Sans CJK SC, from its hmtx table.
_ASCII_WIDTHS = (
    224, 323, 474, 555, 555, 921, 680, 278, 338, 338, 467, 555, 278, 347, 278, 392,
    555, 555, 555, 555, 555, 555, 555, 555, 555, 555, 278, 278, 555, 555, 555, 474,
    946, 608, 657, 638, 688, 589, 552, 689, 728, 293, 535, 646, 543, 812, 723, 742,
    633, 742, 635, 596, 599, 721, 575, 878, 573, 531, 603, 338, 392, 338, 555, 559,
    606, 563, 618, 510, 620, 554, 325, 564, 607, 275, 275, 552, 284, 926, 610, 606,
    620, 620, 388, 468, 377, 607, 521, 802, 498, 521, 475, 338, 270, 338, 555,
)
_PROPORTIONAL = {chr(32 + i): w for i, w in enumerate(_ASCII_WIDTHS)}


def cut(text: str, width: int) -> str:
    """`text` cut with "…" to at most `width` cells."""
    if cells(text) <= width:
        return text
    while text and cells(text) + 2 > width:
        text = text[:-1]
    return text + "…"


def field(text: str, width: int, align: str = ">") -> str:
    """`text` padded with spaces to `width` cells, right-aligned (">") or left ("<")."""
    text = cut(text, width)
    pad = " " * (width - cells(text))
    return pad + text if align == ">" else text + pad


@dataclass(frozen=True)
class Column:
    """A ledger column `width` cells wide (the gap before it included).

    `slots` label it on extra header rows. A column with an empty label widens the header
    cell of the column before it (fifteen evaluator columns under one heading).
    """

    label: str
    width: int
    align: str = ">"
    slots: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeadCell:
    """A header cell spanning `columns` ledger columns."""

    label: str
    columns: int
    align: str = ">"


@dataclass(frozen=True)
class Part:
    """A run of ledger rows under an optional heading, with an optional note (a rule in
    words) under the heading and free-text notes (comments) after the rows, which wrap."""

    heading: str
    blocks: tuple[str, ...]
    note: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ledger:
    """Header rows over fixed-width columns and a last free-text column; rows in parts.

    `widths` are the columns' widths in points (the free-text column takes the rest). One
    ledger is one table, however many parts it has: WeasyPrint lays out each table at a
    noticeable fixed cost, so a report section shares one.
    """

    head: tuple[tuple[HeadCell, ...], ...]
    widths: tuple[float, ...]
    text_label: str
    parts: tuple[Part, ...]

    @property
    def span(self) -> int:
        """Table columns a row spans: the fixed ones and the text column."""
        return len(self.widths) + 1


def make_ledger(columns: Sequence[Column], text_label: str, parts: Iterable[Part]) -> Ledger:
    """A ledger of `parts` (rows from `line`) under a header built from `columns`."""
    first: list[HeadCell] = []
    for column in columns:
        if column.label == "" and first:
            first[-1] = HeadCell(first[-1].label, first[-1].columns + 1, "<")
        else:
            first.append(HeadCell(column.label, 1, column.align))
    head = [tuple(first)]
    depth = max((len(c.slots) for c in columns), default=0)
    for index in range(depth):
        head.append(tuple(
            HeadCell(c.slots[index] if index < len(c.slots) else "", 1, c.align)
            for c in columns
        ))
    return Ledger(tuple(head), tuple(c.width * CELL_PT for c in columns), text_label,
                  tuple(parts))


def width_for(values: Iterable[str], minimum: int = 1, gap: int = GAP) -> int:
    """The cells a column needs so that none of `values` is cut, with `gap` before it."""
    return max(minimum, max((cells(v) for v in values), default=0)) + gap


def line(fields: Sequence[tuple[str, int]], text: str = "", align: Sequence[str] = ()) -> str:
    """One ledger row: each (value, width) field padded to its width, then the free text.

    Fields are right-aligned unless `align` says "<" for that field. Line breaks in the
    free text become spaces (a row is one line).
    """
    out = [
        field(value, width, align[i] if i < len(align) else ">")
        for i, (value, width) in enumerate(fields)
    ]
    if text:
        out.append("  " + " ".join(text.split()))
    return "".join(out)


def blocks(lines: Iterable[str], size: int = BLOCK_LINES) -> tuple[str, ...]:
    """Rows joined into blocks of at most `size` lines."""
    chunk: list[str] = []
    out: list[str] = []
    for row in lines:
        chunk.append(row)
        if len(chunk) == size:
            out.append("\n".join(chunk))
            chunk = []
    if chunk:
        out.append("\n".join(chunk))
    return tuple(out)
