"""Tables: a CSV or Excel sheet read as columns of text, and the problems found in one.

The readers of bids, scores, consensus and rates (`selector.files.readers`) take a `Table`
and collect their faults in `Problems`, which names the file, the line, the column and the
value of each, in both languages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import IO, Any

from selector.scoring.limits import (
    COMMAND_LINE_TABLE,
    FORBIDDEN_IN_TEXT,
    MAX_PROBLEMS,
    TableLimits,
    search_forbidden,
)
from selector.scoring.model import ScoringError, Text


class InputError(ScoringError):
    """A file the scoring rules cannot read; `.problems` holds one message per fault."""


@dataclass
class Problems:
    """Collects `file:line: column 'name': value 'x': message` lines, capped for humans.

    In Chinese the same place reads `file:第N行: 列“name”: 值“x”: message`. A reader adds
    every problem it finds, then calls `raise_any`, so nothing is half-read.
    """

    source: str
    messages: list[Text] = field(default_factory=list)

    def add(self, line: int | None, column: str | None, value: object, message: Text) -> None:
        zh = self.source if line is None else f"{self.source}:第{line}行"
        en = self.source if line is None else f"{self.source}:{line}"
        if column is not None:
            zh += f": 列“{column}”"
            en += f": column '{column}'"
        if value is not None:
            zh += f": 值“{value}”"
            en += f": value '{value}'"
        self.messages.append(Text(zh=f"{zh}: {message.zh}", en=f"{en}: {message.en}"))

    def raise_any(self) -> None:
        """Raise InputError with the problems found (the first MAX_PROBLEMS), if any."""
        if self.messages:
            shown = self.messages[:MAX_PROBLEMS]
            if len(self.messages) > MAX_PROBLEMS:
                more = len(self.messages) - MAX_PROBLEMS
                shown.append(
                    Text(
                        zh=f"{self.source}: ……另有 {more} 个问题",
                        en=f"{self.source}: … and {more} more problems",
                    )
                )
            raise InputError(shown)


class Table:
    """A sheet read as text: its columns by lower-case header, and where each row came from.

    A reader takes a Table where it takes a file, so a command can read its files while
    something else (the template) loads.

    `columns` maps a header to one string per data row ('' for a blank cell). `line(i)` is
    the line in the file of data row `i` (the header is line 1), for messages.
    """

    def __init__(
        self,
        name: str,
        columns: dict[str, Sequence[str]],
        length: int,
        lines: list[int] | None,
    ) -> None:
        self.name = name
        self.columns = columns
        self.length = length
        self._lines = lines

    def __len__(self) -> int:
        return self.length

    def __contains__(self, column: str) -> bool:
        return column in self.columns

    def __getitem__(self, column: str) -> Sequence[str]:
        return self.columns[column]

    def get(self, column: str) -> Sequence[str]:
        """The column, or a blank cell per row where the file has no such column."""
        return self.columns.get(column) or [""] * self.length

    def line(self, row: int) -> int:
        return row + 2 if self._lines is None else self._lines[row]

    def lines(self) -> list[int]:
        return list(range(2, self.length + 2)) if self._lines is None else self._lines

    def lines_only(self) -> Table:
        """The table without its columns: its length and each row's line, for messages."""
        return Table(self.name, {}, self.length, self._lines)


Source = str | Path | IO[bytes] | Table


def name_of(source: Source, source_name: str | None = None) -> str:
    """The name that messages give the file: as given, else the path or the upload's name."""
    if source_name:
        return source_name
    if isinstance(source, Table):
        return source.name
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "upload"))


def read_table(
    source: Source, source_name: str | None = None, *, limits: TableLimits = COMMAND_LINE_TABLE
) -> Table:
    """A CSV (UTF-8, with or without BOM) or Excel sheet as text cells; blank cells are ''.

    CSV is read without pandas (`selector score` starts faster without it): split with
    `str.split`, or by the `csv` module when it has quotes or spaces after commas; blank
    lines are skipped and every row keeps its line in the file. An Excel file's first sheet
    is read the same way (`open_workbook`, `sheet_rows`). A row with more cells than the
    header is refused, one with fewer is padded with ''. A file over `limits` is refused.
    """
    if isinstance(source, Table):
        return source
    name = name_of(source, source_name)
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            return _read_excel(source, name, limits)
        return _read_csv(source, name, limits)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(Text(zh=f"{name}: 文件不存在", en=f"{name}: no such file")) from None
    except UnicodeDecodeError:
        raise InputError(
            Text(
                zh=f"{name}: 不是 UTF-8 文本；请将文件另存为 CSV UTF-8",
                en=f"{name}: not UTF-8 text; save the file as CSV UTF-8",
            )
        ) from None
    except (ValueError, csv.Error, OSError, zipfile.BadZipFile, KeyError) as error:
        raise InputError(
            Text(
                zh=f"{name}: 无法作为表格读取（{error}）",
                en=f"{name}: cannot be read as a table ({error})",
            )
        ) from None


def _read_csv(source: str | Path | IO[bytes], name: str, limits: TableLimits) -> Table:
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    else:
        data = source.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else str(data)
    if not text.strip():
        raise ValueError("the file is empty; its first line must be the header")
    _refuse_control_characters(name, text)
    _check_csv_size(name, text, limits)
    if '"' in text or ", " in text:  # quoted cells, or spaces to skip: the csv module
        return _check_cells(name, _columns(name, *_records(text)), limits)
    # Without quotes a record is a line and a cell is what lies between two commas: a large
    # file is split in a few C calls, five times faster than the csv module.
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = rows[0].split(",")
    body = rows[1:]
    while body and not body[-1]:
        body.pop()
    lines = None
    if "" in body:  # blank lines are skipped; the others keep their line numbers
        lines = [number for number, row in enumerate(body, 2) if row]
        body = [row for row in body if row]
    width = len(header)
    if max(map(len, body), default=0) > limits.cell_chars:  # a line that long: split it
        return _check_cells(name, _columns(name, header, [r.split(",") for r in body], lines),
                            limits)
    if set(map(methodcaller("count", ","), body)) <= {width - 1}:
        cells = ",".join(body).split(",") if body else []
        return _table(name, header, [cells[i::width] for i in range(width)], len(body), lines)
    return _columns(name, header, [row.split(",") for row in body], lines)


def _check_csv_size(name: str, text: str, limits: TableLimits) -> None:
    """Refuse a CSV text with more lines than `limits.rows` or a header wider than
    `limits.columns`, before it is split."""
    if text.count("\n") > limits.rows and (rows := text.rstrip().count("\n")) > limits.rows:
        raise too_many_rows(name, rows, limits)
    header = text[: text.find("\n")] if "\n" in text else text
    if header.count(",") + 1 > limits.columns:
        raise too_many_columns(name, header.count(",") + 1, limits)


def _check_cells(name: str, table: Table, limits: TableLimits) -> Table:
    """`table`, unless a cell is longer than `limits.cell_chars` (refused, naming it)."""
    for column, cells in table.columns.items():
        longest = max(map(len, cells), default=0)
        if longest > limits.cell_chars:
            row = next(i for i, cell in enumerate(cells) if len(cell) == longest)
            raise cell_too_long(name, table.line(row), column, longest, limits)
    return table


def _refuse_control_characters(name: str, text: str) -> None:
    """Refuse a file with a control character in it (NUL, vertical tab…), naming its lines:
    such a character cannot be stored or exported. One scan of the whole text."""
    found = search_forbidden(text)
    if found is None:
        return
    problems = Problems(name)
    for match in FORBIDDEN_IN_TEXT.finditer(text, found.start()):
        if len(problems.messages) > MAX_PROBLEMS:
            break
        char = f"U+{ord(match.group()):04X}"
        problems.add(
            text.count("\n", 0, match.start()) + 1,
            None,
            None,
            Text(
                zh=f"含有控制字符 {char},无法保存;请删除它后重新保存文件",
                en=f"holds the control character {char}, which cannot be stored; remove it "
                "and save the file again",
            ),
        )
    problems.raise_any()


def _records(text: str) -> tuple[list[str], list[list[str]], list[int] | None]:
    """Header, records and the line each record starts on, by the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    records, ends = [], []
    for record in reader:
        records.append(record)
        ends.append(reader.line_num)  # a quoted cell may span lines: where the record ends
    starts = [end + 1 for end in ends[:-1]]  # each record starts after the one before
    body = [record for record in records[1:] if record]  # blank lines are []
    lines = [line for line, record in zip(starts, records[1:], strict=True) if record]
    return records[0], body, lines


def _columns(
    name: str, header: list[str], records: list[list[str]], lines: list[int] | None
) -> Table:
    """The records as columns; a record longer than the header is refused, a shorter one
    padded with blank cells."""
    width = len(header)
    if set(map(len, records)) - {width}:
        problems = Problems(name)
        for position, record in enumerate(records):
            if len(record) > width:
                problems.add(
                    position + 2 if lines is None else lines[position],
                    None,
                    None,
                    Text(
                        zh=f"有 {len(record)} 个单元格，而表头只有 {width} 列；"
                        "含逗号的值请用英文双引号括起来",
                        en=f"{len(record)} cells where the header has {width} columns; "
                        "put a value that contains a comma in double quotes",
                    ),
                )
        problems.raise_any()
        records = [record + [""] * (width - len(record)) for record in records]
    columns = [list(map(itemgetter(i), records)) for i in range(width)]
    return _table(name, header, columns, len(records), lines)


def _table(
    name: str,
    header: list[str],
    columns: list[list[str]],
    length: int,
    lines: list[int] | None,
) -> Table:
    named: dict[str, Sequence[str]] = {}
    for column, cells in zip(header, columns, strict=True):
        named.setdefault(column.strip().lower(), cells)
    return Table(name, named, length, lines)


def _read_excel(source: str | Path | IO[bytes], name: str, limits: TableLimits) -> Table:
    """The first sheet of an Excel file as text cells (`sheet_rows`), control characters
    refused cell by cell."""
    book = open_workbook(source, name, limits)
    try:
        header, rows = sheet_rows(book.worksheets[0], name, limits)
        keys = [cell_text(cell).strip().lower() for cell in header]
        columns: list[list[str]] = [[] for _ in keys]
        lines: list[int] = []
        problems = Problems(name)
        for line, row in rows:
            lines.append(line)
            for position, cell in enumerate(row):
                text = cell_text(cell)
                columns[position].append(text)
                found = FORBIDDEN_IN_TEXT.search(text) if isinstance(cell, str) else None
                if found is not None and len(problems.messages) <= MAX_PROBLEMS:
                    problems.add(
                        line,
                        keys[position],
                        None,
                        Text(
                            zh=f"含有控制字符 U+{ord(found.group()):04X},无法保存;请删除它",
                            en=f"holds the control character U+{ord(found.group()):04X}, "
                            "which cannot be stored; remove it",
                        ),
                    )
    finally:
        book.close()
    problems.raise_any()
    named: dict[str, Sequence[str]] = {}
    for key, cells in zip(keys, columns, strict=True):
        if key:
            named.setdefault(key, cells)  # a repeated header: the first one counts
    return Table(name, named, len(lines), lines)


class TooLarge(InputError):
    """A table over its `TableLimits`: refused before (or as soon as) the limit is reached.
    `.rows_read` says how many data rows were read before it was refused (0: the declared
    size or the file itself was enough)."""

    def __init__(self, message: Text, rows_read: int = 0) -> None:
        super().__init__(message)
        self.rows_read = rows_read


def too_many_rows(name: str, rows: int | str, limits: TableLimits, read: int = 0) -> TooLarge:
    shown = f"{rows:,}" if isinstance(rows, int) else rows
    return TooLarge(
        Text(
            zh=f"{name}: 有 {shown} 行数据,超过上限 {limits.rows:,} 行;请拆分文件后分别上传",
            en=f"{name}: {shown} rows of data, more than the {limits.rows:,} a table may have; "
            "split the file",
        ),
        read,
    )


def too_many_columns(name: str, columns: int | str, limits: TableLimits) -> TooLarge:
    shown = f"{columns:,}" if isinstance(columns, int) else columns
    return TooLarge(
        Text(
            zh=f"{name}: 有 {shown} 列,超过上限 {limits.columns} 列;只保留所需的列",
            en=f"{name}: {shown} columns, more than the {limits.columns} a table may have; "
            "keep only the columns it needs",
        )
    )


def cell_too_long(
    name: str, line: int, column: str | None, chars: int, limits: TableLimits, read: int = 0
) -> TooLarge:
    where_zh = f"{name}:第{line}行" + (f": 列“{column}”" if column else "")
    where_en = f"{name}:{line}" + (f": column '{column}'" if column else "")
    return TooLarge(
        Text(
            zh=f"{where_zh}: 一个单元格有 {chars:,} 个字符,超过上限 {limits.cell_chars:,} 个",
            en=f"{where_en}: a cell of {chars:,} characters, more than the "
            f"{limits.cell_chars:,} a cell may hold",
        ),
        read,
    )


def open_workbook(source: str | Path | IO[bytes], name: str, limits: TableLimits) -> Any:
    """An Excel file opened by openpyxl in read-only mode (cells read as the rows are), once
    its contents are known to unpack to at most `limits.unpacked_bytes` — the sizes the zip
    archive declares, which zipfile holds each member to as it unpacks it. A stream is left
    where it was."""
    import openpyxl  # only for an Excel file: `selector score` on CSV files never loads it

    start = None if isinstance(source, str | Path) else source.tell()
    with zipfile.ZipFile(source) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked <= limits.unpacked_bytes:
            _check_undeclared_sheets(archive, name, limits)
    if start is not None:
        source.seek(start)  # type: ignore[union-attr]
    if unpacked > limits.unpacked_bytes:
        mib, most = unpacked / 1024**2, limits.unpacked_bytes / 1024**2
        raise TooLarge(
            Text(
                zh=f"{name}: 解压后有 {mib:,.0f} MiB,超过上限 {most:,.0f} MiB;"
                "请只保留所需的工作表",
                en=f"{name}: unpacks to {mib:,.0f} MiB, more than the {most:,.0f} MiB an Excel "
                "file may; keep only the sheets it needs",
            )
        )
    return openpyxl.load_workbook(source, read_only=True, data_only=True)


_DIMENSION_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(dimension|sheetData)[\s/>]")


def _check_undeclared_sheets(archive: zipfile.ZipFile, name: str, limits: TableLimits) -> None:
    """Refuse a worksheet that declares no size and has more rows than `limits.rows`,
    counted before openpyxl opens the file: openpyxl looks for the size of every sheet,
    parsing the whole of a sheet that has none (minutes for a 2 MB file)."""
    for member in archive.infolist():
        if member.filename.endswith("sharedStrings.xml"):
            opener = lambda member=member: archive.open(member)  # noqa: E731
            strings = _count_tags(opener, _STRING_TAG, {b"si": limits.strings + 1})[b"si"]
            if strings > limits.strings:
                raise TooLarge(
                    Text(
                        zh=f"{name}: 含有超过 {limits.strings:,} 段不同的文字;"
                        "请只保留所需的工作表,或另存为 CSV",
                        en=f"{name}: more than {limits.strings:,} distinct texts, more than an "
                        "Excel file may hold; keep only the sheets it needs, or save it as CSV",
                    )
                )
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with archive.open(member) as source:
            opening = source.read(64 * 1024)
        found = _DIMENSION_TAG.search(opening)
        if found is not None and found.group(1) == b"dimension":
            continue  # the size comes before the rows: openpyxl reads no further
        opener = lambda member=member: archive.open(member)  # noqa: E731
        count = _count_tags(opener, _CELL_TAG, {b"row": limits.rows + 2})[b"row"]
        if count - 1 > limits.rows:
            raise too_many_rows(name, f"{limits.rows:,}+", limits)


def sheet_rows(
    sheet: Any, name: str, limits: TableLimits
) -> tuple[tuple[Any, ...], Iterator[tuple[int, tuple[Any, ...]]]]:
    """The header row of a read-only `sheet` (trailing blank cells dropped), and its data
    rows as (line, cells as wide as the header), blank rows skipped, read lazily.

    Refused (`TooLarge`) before any row is read when the sheet declares more rows or
    columns than `limits`, and while reading at the first row beyond `limits.rows`, the
    first cell longer than `limits.cell_chars`, or when reading takes longer than
    `limits.seconds`. The declared size only refuses: the rows are read to their real end,
    so a sheet that understates its size loses no row.
    """
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    if declared_rows is not None and declared_rows - 1 > limits.rows:
        raise too_many_rows(name, declared_rows - 1, limits)
    if declared_columns is not None and declared_columns > limits.columns:
        raise too_many_columns(name, declared_columns, limits)
    counted = _count_cells(sheet, limits)
    if counted is not None:
        if counted[b"row"] - 1 > limits.rows:
            raise too_many_rows(name, f"{limits.rows:,}+", limits)
        if counted[b"c"] > limits.cells:
            raise TooLarge(
                Text(
                    zh=f"{name}: 有超过 {limits.cells:,} 个单元格,超过上限;只保留所需的行和列",
                    en=f"{name}: more than {limits.cells:,} cells, more than a table may have; "
                    "keep only the rows and columns it needs",
                )
            )
    sheet.reset_dimensions()
    first = sheet.iter_rows(min_row=1, max_row=1, max_col=limits.columns + 1, values_only=True)
    header = tuple(next(first, ()))
    while header and header[-1] in (None, ""):
        header = header[:-1]
    if len(header) > limits.columns:
        raise too_many_columns(name, f"{limits.columns}+", limits)
    return header, _data_rows(sheet, name, max(len(header), 1), limits)


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(si)[\s/>]")


def _count_cells(sheet: Any, limits: TableLimits) -> dict[bytes, int] | None:
    """How many rows and cells the sheet's XML holds (its `<row>` and `<c>` tags, counted
    as it unpacks, up to the limits): far quicker than parsing them. None when the sheet is
    not a read-only sheet of a zip archive."""
    opener = getattr(sheet, "_get_source", None)
    if opener is None:
        return None
    return _count_tags(opener, _CELL_TAG, {b"row": limits.rows + 2, b"c": limits.cells + 1})


def _count_tags(opener: Any, tags: re.Pattern[bytes], stops: dict[bytes, int]) -> dict[bytes, int]:
    """Each tag of `tags` (its group 1, a key of `stops`) counted in the XML that `opener()`
    unpacks, in 1 MiB pieces, until the end or until a count reaches its stop."""
    counts = dict.fromkeys(stops, 0)
    tail = b""
    with opener() as source:
        while piece := source.read(1 << 20):
            data = tail + piece  # a tag cut in two by the pieces is found whole
            for tag in tags.finditer(data):
                if tag.end() > len(tail) and tag.group(1) in counts:
                    counts[tag.group(1)] += 1
            tail = data[-16:]
            if any(counts[key] >= stop for key, stop in stops.items()):
                break
    return counts


def _data_rows(
    sheet: Any, name: str, width: int, limits: TableLimits
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds
    read = 0
    rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
    for line, row in enumerate(rows, start=2):
        if line - 1 > limits.rows:  # blank rows too: the reading stops here
            raise too_many_rows(name, f"{limits.rows:,}+", limits, read)
        if deadline is not None and line % 512 == 0 and time.monotonic() > deadline:
            raise TooLarge(
                Text(
                    zh=f"{name}: 读取超过 {limits.seconds:g} 秒仍未完成(已读 {read:,} 行);"
                    "请拆分文件或另存为 CSV",
                    en=f"{name}: still reading after {limits.seconds:g} seconds ({read:,} rows "
                    "read); split the file or save it as CSV",
                ),
                read,
            )
        if not any(cell is not None and cell != "" for cell in row):
            continue
        read += 1
        for position, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) > limits.cell_chars:
                header = next(sheet.iter_rows(max_row=1, max_col=width, values_only=True), ())
                column = cell_text(header[position]) if position < len(header) else None
                raise cell_too_long(name, line, column or None, len(cell), limits, read)
        yield line, row


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV file would hold: '' for a blank cell, TRUE/FALSE,
    a whole number without a point, a date in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def require_columns(table: Table, name: str, required: Sequence[str]) -> None:
    """Refuse a table that lacks any of the `required` columns, naming them and the header."""
    missing = [c for c in required if c not in table]
    if missing:
        raise InputError(
            Text(
                zh=f"{name}:第1行: 缺少列 {', '.join(missing)}；表头必须为 {','.join(required)}",
                en=f"{name}:1: missing column(s) {', '.join(missing)}; the header must read "
                f"{','.join(required)}",
            )
        )
