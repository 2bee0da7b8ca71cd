"""A tiny PDF writer: pages of plain ASCII lines in Helvetica, the same bytes every time.

For the demo's bid documents and the tests: a real PDF (header, objects, cross-reference
table, trailer, ``%%EOF``) that any viewer opens, with no date, no id and no compression,
so the same pages always give the same SHA-256. Characters outside printable ASCII are
written as ``?``: Helvetica has no CJK glyphs, and the demo's texts are English.
"""

from __future__ import annotations

from collections.abc import Sequence

_PAGE = (595, 842)  # A4 in points
_MARGIN = 56
_LEADING = 16


def _escape(line: str) -> str:
    printable = "".join(ch if " " <= ch <= "~" else "?" for ch in line)
    return printable.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(title: str, lines: Sequence[str], number: int, count: int) -> bytes:
    width, height = _PAGE
    y = height - _MARGIN
    parts = [f"BT /F1 16 Tf {_MARGIN} {y} Td ({_escape(title)}) Tj ET"]
    y -= 2 * _LEADING
    for line in lines:
        parts.append(f"BT /F1 11 Tf {_MARGIN} {y} Td ({_escape(line)}) Tj ET")
        y -= _LEADING
    footer = f"Page {number} of {count}"
    parts.append(f"BT /F1 9 Tf {width - _MARGIN - 60} {_MARGIN // 2} Td ({footer}) Tj ET")
    return "\n".join(parts).encode("ascii")


def pdf(pages: Sequence[tuple[str, Sequence[str]]], *, title: str = "") -> bytes:
    """A PDF of `pages`, each a (heading, lines) pair; `title` goes into the document info."""
    count = len(pages)
    objects: list[bytes] = []
    # 1 catalog, 2 page tree, 3 font, 4 info, then a page and its content per page
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode("ascii"))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(f"<< /Title ({_escape(title)}) /Producer (Selector) >>".encode("ascii"))
    for index, (heading, lines) in enumerate(pages):
        content = _content(heading, lines, index + 1, count)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE[0]} {_PAGE[1]}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {6 + 2 * index} 0 R >>".encode(
                "ascii"
            )
        )
        objects.append(
            f"<< /Length {len(content)} >>\nstream\n".encode("ascii") + content
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)
