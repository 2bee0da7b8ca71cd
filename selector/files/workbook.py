"""The tender workbook as an input: its Entries, Bids, Consensus and Rates sheets.

The workbook that `selector export` writes (`selector.reports.workbook`) carries the inputs
of the tender in four sheets whose names and headers are in the workbook's language;
`read_workbook` finds them by either language's name, maps either language's headers to
the column names the readers take (`evaluator, vendor, criterion, value, comment`, ...),
takes off the apostrophe that neutralised a formula-like text, and returns one `Table` per
sheet, so `selector score --workbook tender.xlsx` scores exactly what was exported (the same
ranking and fingerprint). The Method sheet gives the aggregation method and base currency.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from selector.files.codec import read_name
from selector.files.tables import InputError, Table, cell_text, open_workbook, sheet_rows
from selector.scoring.limits import COMMAND_LINE_TABLE, TableLimits
from selector.scoring.model import Text
from selector.scoring.words import EXPORT_SHEET_NAMES


@dataclass(frozen=True)
class SheetShape:
    """One input sheet: its name, and each column's key with its header, in zh and en."""

    key: str
    name: Text
    columns: tuple[tuple[str, Text], ...]

    def header(self, column: str, lang: str) -> str:
        return dict(self.columns)[column].get(lang)


def _columns(*pairs: tuple[str, str, str]) -> tuple[tuple[str, Text], ...]:
    return tuple((key, Text(zh=zh, en=en)) for key, zh, en in pairs)


ENTRIES = SheetShape("entries", EXPORT_SHEET_NAMES["entries"], _columns(
    ("evaluator", "评委", "Evaluator"),
    ("vendor", "供应商", "Vendor"),
    ("criterion", "评分项", "Criterion"),
    ("title", "评分项名称", "Title"),
    ("value", "评分值", "Value"),
    ("comment", "备注", "Comment"),
))
BIDS = SheetShape("bids", EXPORT_SHEET_NAMES["bids"], _columns(
    ("vendor", "供应商", "Vendor"),
    ("component", "价格项", "Component"),
    ("amount", "金额", "Amount"),
    ("currency", "币种", "Currency"),
    ("rate", "汇率", "Rate"),
    ("amount_base", "折合本位币金额", "Amount in base currency"),
    ("points", "得分", "Points"),
))
CONSENSUS = SheetShape("consensus", EXPORT_SHEET_NAMES["consensus"], _columns(
    ("vendor", "供应商", "Vendor"),
    ("criterion", "评分项", "Criterion"),
    ("value", "共识值", "Value"),
    ("reason", "理由", "Reason"),
))
RATES = SheetShape("rates", EXPORT_SHEET_NAMES["rates"], _columns(
    ("currency", "币种", "Currency"),
    ("rate", "汇率", "Rate"),
))
METHOD = SheetShape("method", EXPORT_SHEET_NAMES["method"], _columns(
    ("item", "项目", "Item"),
    ("value", "取值", "Value"),
    ("detail", "说明", "Detail"),
))
INPUT_SHEETS: tuple[SheetShape, ...] = (ENTRIES, BIDS, CONSENSUS, RATES)


@dataclass(frozen=True)
class WorkbookInput:
    """The input sheets of a workbook as tables, and the settings its Method sheet records."""

    scores: Table
    bids: Table
    consensus: Table | None
    rates: Table | None
    settings: Mapping[str, str]


def read_workbook(source: str | Path | IO[bytes], source_name: str | None = None, *,
                  limits: TableLimits = COMMAND_LINE_TABLE) -> WorkbookInput:
    """The Entries, Bids, Consensus and Rates sheets of an exported workbook (either
    language), as the tables the readers take, each within `limits`. Raises InputError
    naming the file and what is missing when it is not such a workbook."""
    name = source_name or (str(source) if isinstance(source, str | Path)
                           else str(getattr(source, "name", "upload.xlsx")))
    try:
        book = open_workbook(source, name, limits)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(Text(zh=f"{name}: 文件不存在", en=f"{name}: no such file")) from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise InputError(Text(zh=f"{name}: 无法作为 Excel 工作簿读取（{error}）",
                              en=f"{name}: cannot be read as an Excel workbook ({error})")
                         ) from None
    try:
        sheets = {sheet.title: sheet for sheet in book.worksheets}
        tables: dict[str, Table | None] = {}
        for shape in (*INPUT_SHEETS, METHOD):
            title = next((t for t in (shape.name.zh, shape.name.en) if t in sheets), None)
            tables[shape.key] = (None if title is None else
                                 _table(f"{name}[{title}]", sheets[title], shape, limits))
    finally:
        book.close()
    missing = [shape for shape in (ENTRIES, BIDS) if tables[shape.key] is None]
    if missing:
        zh = "、".join(f"“{s.name.zh}”" for s in missing)
        en = ", ".join(f"'{s.name.en}'" for s in missing)
        raise InputError(Text(
            zh=f"{name}: 缺少工作表 {zh}；请使用 selector export 导出的工作簿",
            en=f"{name}: no {en} sheet; use a workbook that selector export wrote",
        ))
    scores, bids = tables["entries"], tables["bids"]
    assert scores is not None and bids is not None
    return WorkbookInput(scores=scores, bids=bids, consensus=tables["consensus"],
                         rates=tables["rates"], settings=_settings(tables["method"]))


def exported_sheet(stream: IO[bytes], shape: SheetShape, source_name: str,
                   limits: TableLimits = COMMAND_LINE_TABLE) -> Table | None:
    """The `shape` sheet (e.g. BIDS) of an uploaded workbook that selector export wrote, as
    a Table within `limits` (else InputError naming the limit); None for a CSV file or any
    other workbook (read as a plain table then). The stream is left at its start either
    way."""
    if not source_name.lower().endswith((".xlsx", ".xlsm")):
        return None
    start = stream.tell()
    try:
        book = open_workbook(stream, source_name, limits)
    except InputError:
        stream.seek(start)
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        stream.seek(start)
        return None  # the table reader reports what is wrong with it
    try:
        title = next((t for t in (shape.name.zh, shape.name.en) if t in book.sheetnames), None)
        if title is None:
            return None
        return _table(f"{source_name}[{title}]", book[title], shape, limits)
    finally:
        book.close()
        stream.seek(start)


def _table(name: str, sheet: Any, shape: SheetShape, limits: TableLimits) -> Table:
    """A sheet as a Table of text cells, its headers (zh or en) turned into column keys."""
    headers = {header.get(lang).strip().lower(): key
               for key, header in shape.columns for lang in ("zh", "en")}
    header_row, rows = sheet_rows(sheet, name, limits)
    keys = [headers.get(str(h or "").strip().lower(), str(h or "").strip().lower())
            for h in header_row]
    positions: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key:
            positions.setdefault(key, position)  # a repeated header: the first one counts
    columns: dict[str, list[str]] = {key: [] for key in positions}
    lines: list[int] = []
    for number, row in rows:
        cells = [_text(value) for value in row]
        lines.append(number)
        for key, position in positions.items():
            columns[key].append(cells[position] if position < len(cells) else "")
    full: dict[str, Sequence[str]] = dict(columns)
    return Table(name, full, len(lines), lines)


def _text(value: Any) -> str:
    """A cell as the text a CSV file would hold; a neutralised text as it was typed."""
    if isinstance(value, str):
        return read_name(value) if value.strip() == value else value
    return cell_text(value)


def _settings(method: Table | None) -> dict[str, str]:
    """item -> value of the Method sheet (method, base_currency, template, ...)."""
    if method is None or "item" not in method or "value" not in method:
        return {}
    return {item.strip(): value.strip()
            for item, value in zip(method["item"], method["value"], strict=True) if item}
