"""Excel files written byte by byte (a zip of a few XML parts), for the tests of the table
limits: a test can declare a size the rows do not have, leave the size out, or pack a zip
bomb, which no spreadsheet program would write."""

from __future__ import annotations

import io
import zipfile

from openpyxl.utils import get_column_letter

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _workbook_xml(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _cell(column: int, row: int, value: object, refs: bool) -> str:
    ref = f' r="{get_column_letter(column + 1)}{row}"' if refs else ""
    if isinstance(value, int | float):
        return f"<c{ref}><v>{value}</v></c>"
    return f'<c{ref} t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(rows, *, dimension: str | None = "auto", title: str = "Sheet1",
         extra: dict[str, bytes] | None = None, refs: bool = True) -> bytes:
    """An .xlsx file of `rows` (lists of cells); `dimension` as declared ("auto": the real
    one, None: left out); without `refs` the cells and rows carry no address (Excel reads
    them in order), so that repeated rows pack to almost nothing."""
    rows = list(rows)
    if dimension == "auto":
        width = max((len(r) for r in rows), default=1)
        dimension = f"A1:{get_column_letter(width)}{len(rows)}"
    body = "".join(
        (f'<row r="{n}">' if refs else "<row>")
        + "".join(_cell(c, n, v, refs) for c, v in enumerate(row))
        + "</row>"
        for n, row in enumerate(rows, start=1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{body}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part, text in _PARTS.items():
            archive.writestr(part, text)
        archive.writestr("xl/workbook.xml", _workbook_xml(title))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for part, data in (extra or {}).items():
            archive.writestr(part, data)
    return buffer.getvalue()


HEADER = ["vendor", "component", "amount"]


def bids_rows(count: int) -> list[list[object]]:
    return [HEADER] + [["V", "fee", 1]] * count
