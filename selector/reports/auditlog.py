"""The audit log as a file: CSV (UTF-8 with BOM) or xlsx, one row per event, in one language.

Rows are plain: the sequence number, the time in UTC, the person, the kind, the sentence,
the details (one per line) and the address. Every text goes through the cell codec
(`selector.files.codec.neutralise`): a reason or a vendor name typed as `=HYPERLINK(…)`
stays text in Excel. An exporter returns `(filename, mimetype, bytes)`; the file is named
after the tender, made safe (`audit-log-<tender>-<lang>.csv`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook

from selector.files.codec import neutralise
from selector.reports.workbook import XLSX_MIME, safe_slug

CSV_MIME = "text/csv; charset=utf-8"

HEADERS = {
    "zh": ("序号", "时间(UTC)", "操作人", "类别", "事件", "详情", "来源地址"),
    "en": ("#", "Time (UTC)", "Person", "Kind", "Event", "Details", "From"),
}
SHEET = {"zh": "审计日志", "en": "Audit log"}


@dataclass(frozen=True)
class LogRow:
    """One event as the file has it, in the file's language."""

    seq: int
    at: datetime
    person: str
    kind: str
    sentence: str
    details: tuple[str, ...]
    remote_addr: str


def _cells(row: LogRow) -> list[object]:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    texts = [row.person, row.kind, row.sentence, "\n".join(row.details), row.remote_addr]
    return [row.seq, at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            *(neutralise(text) for text in texts)]


def filename(name: str, lang: str, suffix: str) -> str:
    """`audit-log-<tender name, made safe>-<lang><suffix>` (`audit-log-<lang>` for the
    system's log)."""
    middle = f"-{safe_slug(name)}" if name else ""
    return f"audit-log{middle}-{lang}{suffix}"


def log_csv(rows: Sequence[LogRow], lang: str, name: str) -> tuple[str, str, bytes]:
    """The log as CSV (UTF-8 with a BOM, so Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS[lang])
    for row in rows:
        writer.writerow(_cells(row))
    return filename(name, lang, ".csv"), CSV_MIME, "\ufeff".encode() + buffer.getvalue().encode()


def log_xlsx(rows: Sequence[LogRow], lang: str, name: str) -> tuple[str, str, bytes]:
    """The log as one xlsx sheet (written row by row: large logs stay small in memory)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET[lang])
    sheet.append(list(HEADERS[lang]))
    for row in rows:
        sheet.append(_cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return filename(name, lang, ".xlsx"), XLSX_MIME, buffer.getvalue()
