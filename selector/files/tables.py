"""Tables: a CSV or Excel sheet read as columns of text, and the problems found in one.

The readers of bids, scores, consensus and rates (`selector.files.readers`) take a `Table`
and collect their faults in `Problems`, which names the file, the line, the column and the
value of each, in both languages.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import IO

from selector.scoring.limits import FORBIDDEN_IN_TEXT, MAX_PROBLEMS
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


def read_table(source: Source, source_name: str | None = None) -> Table:
    """A CSV (UTF-8, with or without BOM) or Excel sheet as text cells; blank cells are ''.

    CSV is read without pandas (`selector score` starts faster without it): split with
    `str.split`, or by the `csv` module when it has quotes or spaces after commas; blank
    lines are skipped and every row keeps its line in the file.
    A row with more cells than the header is refused, one with fewer is padded with ''.
    """
    if isinstance(source, Table):
        return source
    name = name_of(source, source_name)
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            return _read_excel(source, name)
        return _read_csv(source, name)
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


def _read_csv(source: str | Path | IO[bytes], name: str) -> Table:
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    else:
        data = source.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else str(data)
    if not text.strip():
        raise ValueError("the file is empty; its first line must be the header")
    _refuse_control_characters(name, text)
    if '"' in text or ", " in text:  # quoted cells, or spaces to skip: the csv module
        return _columns(name, *_records(text))
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
    if set(map(methodcaller("count", ","), body)) <= {width - 1}:
        cells = ",".join(body).split(",") if body else []
        return _table(name, header, [cells[i::width] for i in range(width)], len(body), lines)
    return _columns(name, header, [row.split(",") for row in body], lines)


def _refuse_control_characters(name: str, text: str) -> None:
    """Refuse a file with a control character in it (NUL, vertical tab…), naming its lines:
    such a character cannot be stored or exported. One scan of the whole text."""
    found = FORBIDDEN_IN_TEXT.search(text)
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


def _read_excel(source: str | Path | IO[bytes], name: str) -> Table:
    import pandas as pd  # only for Excel: a CSV is read without it

    frame = pd.read_excel(source, dtype=str, keep_default_na=False, engine="openpyxl")
    columns: dict[str, Sequence[str]] = {}
    problems = Problems(name)
    for column in frame.columns:
        cells = frame[column].astype(object).tolist()
        for row, cell in enumerate(cells):
            found = FORBIDDEN_IN_TEXT.search(cell) if isinstance(cell, str) else None
            if found is not None and len(problems.messages) <= MAX_PROBLEMS:
                char = f"U+{ord(found.group()):04X}"
                problems.add(
                    row + 2,
                    str(column),
                    None,
                    Text(
                        zh=f"含有控制字符 {char},无法保存;请删除它",
                        en=f"holds the control character {char}, which cannot be stored; "
                        "remove it",
                    ),
                )
        columns.setdefault(str(column).strip().lower(), cells)
    problems.raise_any()
    return Table(name, columns, len(frame), None)


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
