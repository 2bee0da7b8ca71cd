"""Ledgers: bulk tables typeset as lines of monospaced text, with their header repeated.

WeasyPrint spends roughly half a millisecond on every element it lays out, so a matrix of
50 vendors × 100 criteria drawn as table cells (or a per-vendor list of 5,000 criterion rows)
takes tens of seconds. A ledger instead writes each row as one line of text in the
monospaced report font (Noto Sans Mono CJK SC: every ASCII character one cell of half an
em, every ideograph two), its fields padded with spaces to fixed widths, grouped into
blocks of at most `BLOCK_LINES` lines that each start with the header lines, so the header
is on every page. That costs one line box per row, whatever the number of fields, and no
table (WeasyPrint's table layout roughly doubles the cost of the same lines). CSS tab stops
would be lighter still, but Pango rounds them and columns drift across a page.

Fields hold numbers, codes and short labels, whose width in cells is exact. Free text of
any script — a criterion title, a vendor name — only ever comes last on a line, where the
stylesheet clips it with an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

FONT_PT = 7.0  # the ledger font size: `div.ledger div.block` in static/report.css
CELL_PT = FONT_PT / 2  # one monospaced cell
WIDTH_PT = 510.0  # A4 portrait (595 pt) less the page margins in static/report.css
WIDE_PT = 756.0  # A4 landscape (842 pt) less the margins: the detail section's `wide` pages
LINE_CELLS = int(WIDTH_PT // CELL_PT)
WIDE_CELLS = int(WIDE_PT // CELL_PT)
# Rows per block (a block never splits across pages; lines are 9 pt apart): three blocks
# fill a portrait page, two a landscape one, so little of a page is left blank before a
# block that does not fit. A last block of a few rows joins the one before it (`blocks`).
BLOCK_LINES = 20
GAP = 2  # blank cells before each field after the first
PAIR_GAP = 4  # blank cells between the two halves of a two-up line

# Characters outside ASCII that the monospaced CJK font draws two cells wide.
_WIDE_SYMBOLS = frozenset("○×…·")


def cells(text: str) -> int:
    """The width of `text` in monospaced cells (ideographs and ○ × count two)."""
    if text.isascii():
        return len(text)
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


def pad(width: int) -> str:
    """`width` cells of blank: ideographic spaces (two cells each), then a space if odd.

    WeasyPrint draws every glyph, blanks included, so half as many glyphs for the padding
    is a tenth off the time of a large ledger.
    """
    return "\u3000" * (width // 2) + " " * (width % 2)


_BLANK_RUN = re.compile("[ \u3000]{2,}")


def tighten(text: str) -> str:
    """`text` with every run of blanks redrawn in the fewest glyphs (see `pad`): a field's
    trailing blank and the next field's padding become one run. WeasyPrint's drawing costs
    per glyph, and a large ledger is half blanks."""
    return _BLANK_RUN.sub(_repad, text)


def _repad(run: re.Match[str]) -> str:
    """A run of blanks as `pad` draws it: its width counted without `cells` (each ideographic
    space two cells, a space one)."""
    blanks = run.group()
    width = len(blanks) + blanks.count("\u3000")
    return "\u3000" * (width // 2) + " " * (width % 2)


def field(text: str, width: int, align: str = ">") -> str:
    """`text` padded to `width` cells, right-aligned (">") or left ("<")."""
    text = cut(text, width)
    blank = pad(width - cells(text))
    return blank + text if align == ">" else text + blank


@dataclass(frozen=True)
class Column:
    """A ledger column `width` cells wide (the gap before it included), its values aligned
    right (">") or left ("<"). `slots` label it on an extra header line (evaluator numbers).
    A column with an empty label lends its room to the label of the column before it."""

    label: str
    width: int
    align: str = ">"
    slots: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """At most `BLOCK_LINES` rows, under the header lines that name their columns."""

    head: str
    rows: str


@dataclass(frozen=True)
class Part:
    """A run of ledger rows under an optional heading, with an optional note (a rule in
    words) under the heading and free-text notes (comments) after the rows, which wrap."""

    heading: str
    blocks: tuple[Block | str, ...]
    note: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ledger:
    """Parts of monospaced rows. Every block repeats the header lines, so a reader never
    turns a page without the column names (a block never splits across pages)."""

    head: str
    parts: tuple[Part, ...]


def header_lines(columns: Sequence[Column], text_label: str = "") -> str:
    """The header of a ledger as lines of text aligned with its columns.

    A label too long for its column wraps at spaces onto a second line, then is cut.
    """
    spans: list[tuple[str, int, str]] = []
    for column in columns:
        if column.label == "" and spans:
            label, width, _align = spans[-1]
            spans[-1] = (label, width + column.width, "<")
        else:
            spans.append((column.label, column.width, column.align))
    wrapped = [_wrap(label, width - (GAP if i else 0)) for i, (label, width, _a) in
               enumerate(spans)]
    depth = max((len(w) for w in wrapped), default=1)
    lines = []
    for index in range(depth):
        cells_ = []
        for (_label, width, align), parts in zip(spans, wrapped, strict=True):
            # labels sit at the bottom, like a table header's
            shift = depth - len(parts)
            text = parts[index - shift] if index >= shift else ""
            cells_.append(field(text, width, align if align == ">" else "<"))
        last = text_label if index == depth - 1 else ""
        lines.append(tighten("".join(cells_) + ("\u3000" + last if last else "")).rstrip())
    slot_depth = max((len(c.slots) for c in columns), default=0)
    for index in range(slot_depth):
        row = "".join(field(c.slots[index] if index < len(c.slots) else "", c.width, c.align)
                      for c in columns)
        lines.append(tighten(row).rstrip())
    return "\n".join(lines)


def _wrap(label: str, width: int) -> list[str]:
    """`label` in at most two lines of `width` cells, broken at spaces where it can be."""
    width = max(width, 1)
    if cells(label) <= width:
        return [label]
    words = label.split()
    first = ""
    while words and cells((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    if not first and not label.isascii():  # CJK breaks between any two characters
        rest = label
        while rest and cells(first + rest[0]) <= width:
            first, rest = first + rest[0], rest[1:]
        return [first, cut(rest.strip(), width)] if rest.strip() else [first]
    if not first:
        return [cut(label, width)]
    return [first, cut(" ".join(words), width)] if words else [first]


def make_ledger(columns: Sequence[Column], text_label: str, parts: Iterable[Part],
                half: int | None = None) -> Ledger:
    """A ledger of `parts` (their blocks as text, from `blocks` or `two_up`) under the header
    named by `columns` and `text_label`, which every block repeats; with `half`, the blocks
    are two-up and the header stands over both halves."""
    head = header_lines(columns, text_label)
    if half is not None:
        head = "\n".join(pair(h, h, half) for h in head.split("\n"))
    return Ledger(head, tuple(
        replace(p, blocks=tuple(b if isinstance(b, Block) else Block(head, b)
                                for b in p.blocks))
        for p in parts
    ))


def width_for(values: Iterable[str], minimum: int = 1, gap: int = GAP) -> int:
    """The cells a column needs so that none of `values` is cut, with `gap` before it."""
    return max(minimum, max((cells(v) for v in values), default=0)) + gap


def line(fields: Sequence[tuple[str, int]], text: str = "", align: Sequence[str] = (),
         width: int = LINE_CELLS) -> str:
    """One ledger row: each (value, width) field padded to its width, then the free text,
    cut with "…" so that the row is at most `width` cells.

    Fields are right-aligned unless `align` says "<" for that field. Line breaks in the
    free text become spaces (a row is one line). Cutting here rather than with CSS
    `text-overflow` spares WeasyPrint a second Pango layout of every line when it draws.
    """
    out = [
        field(value, size, align[i] if i < len(align) else ">")
        for i, (value, size) in enumerate(fields)
    ]
    room = width - sum(size for _value, size in fields) - 2
    if text and room >= 2:
        out.append("\u3000" + cut(" ".join(text.split()), room))
    return tighten("".join(out))


def two_up(rows: Sequence[str], half: int, size: int = BLOCK_LINES) -> tuple[str, ...]:
    """Rows of at most `half` cells set two to a line, in blocks of `size` lines: each block
    takes the next 2 × `size` rows (see `blocks`), the first half of them down the left, the
    rest down the right, so that it reads as two short columns.

    WeasyPrint's cost is mostly per line box, so a large tender's ledger of 5,000 rows
    costs about a third less as 2,500 lines of twice the length.
    """
    out: list[str] = []
    for chunk in blocks(rows, 2 * size):
        lines = chunk.split("\n")
        down = (len(lines) + 1) // 2
        left, right = lines[:down], lines[down:]
        out.append("\n".join(
            pair(left[i], right[i] if i < len(right) else "", half) for i in range(down)))
    return tuple(out)


def pair(left: str, right: str, half: int) -> str:
    """Two lines of at most `half` cells side by side (the left one cut if longer)."""
    if not right:
        return left.rstrip()
    left = cut(left, half)
    return tighten(left + pad(half - cells(left) + PAIR_GAP) + right).rstrip()


def blocks(lines: Iterable[str], size: int = BLOCK_LINES) -> tuple[str, ...]:
    """Rows joined into chunks of `size` lines, the last one taking up to a fifth more
    rather than leaving a block of a line or two (a group's total line, say) that would
    repeat the header for itself."""
    rows = list(lines)
    out: list[str] = []
    start = 0
    while start < len(rows):
        left = len(rows) - start
        take = left if left <= size + size // 5 else size
        out.append("\n".join(rows[start:start + take]))
        start += take
    return tuple(out)


def grouped_blocks(groups: Iterable[Sequence[str]], size: int = BLOCK_LINES) -> tuple[str, ...]:
    """Blocks of at most `size` lines that keep each group of lines together where it fits
    (a component's title with its vendors); a longer group is cut into blocks of its own."""
    out: list[str] = []
    chunk: list[str] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > size:
            out.append("\n".join(chunk))
            chunk = []
        if len(group) > size:
            out.extend(blocks(group, size))
            continue
        chunk.extend(group)
    if chunk:
        out.append("\n".join(chunk))
    return tuple(out)
