"""What a bid document is, read from its bytes: never from its name or the browser's word.

A committee stores what vendors submitted — PDFs, Office files (docx, xlsx, pptx) and
images (PNG, JPEG) — and hands them to evaluators' browsers, so a file is accepted only when
its content is one of these: a PDF starts with ``%PDF-`` and ends with ``%%EOF``; a PNG and
a JPEG start with their signatures; an Office file is a zip holding ``[Content_Types].xml``
and the main part of its kind (``word/document.xml``, ``xl/workbook.xml``,
``ppt/presentation.xml``) and no macros (``vbaProject.bin``). Only the zip's directory is
read, never its members, so a zip bomb costs nothing. An HTML page named ``bid.pdf`` is
none of these and is refused.

`kind_of(data)` names the type or gives a `Problem`; `safe_name(name, kind)` makes a stored
display name of what the browser sent: the last part of any path, no control characters,
no leading dots, and the extension of the type the content really is.
"""

from __future__ import annotations

import io
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass

from selector.scoring.limits import FORBIDDEN_IN_LINE, MAX_DOCUMENT_NAME
from selector.scoring.model import Text


@dataclass(frozen=True)
class DocumentType:
    """A type of bid document: its key, MIME type, file extensions (the first is the one a
    stored name gets) and whether a browser may show it inline (PDF and images only)."""

    key: str
    mimetype: str
    extensions: tuple[str, ...]
    inline: bool
    label: Text


TYPES: dict[str, DocumentType] = {
    t.key: t
    for t in (
        DocumentType("pdf", "application/pdf", (".pdf",), True, Text("PDF", "PDF")),
        DocumentType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            False,
            Text("Word 文档", "Word document"),
        ),
        DocumentType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            False,
            Text("Excel 工作簿", "Excel workbook"),
        ),
        DocumentType(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
            False,
            Text("PowerPoint 演示文稿", "PowerPoint presentation"),
        ),
        DocumentType("png", "image/png", (".png",), True, Text("PNG 图片", "PNG image")),
        DocumentType(
            "jpeg", "image/jpeg", (".jpg", ".jpeg"), True, Text("JPEG 图片", "JPEG image")
        ),
    )
}

ACCEPTED = Text(
    zh="PDF、Word(.docx)、Excel(.xlsx)、PowerPoint(.pptx)、PNG 或 JPEG",
    en="PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG or JPEG",
)

_EXTENSIONS = frozenset(e for t in TYPES.values() for e in t.extensions)
_OOXML_MAIN = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
_MACROS = ("word/vbaProject.bin", "xl/vbaProject.bin", "ppt/vbaProject.bin")
_MAX_ZIP_MEMBERS = 10_000


@dataclass(frozen=True)
class Problem:
    """Why the bytes are not an accepted document, in both languages."""

    sentence: Text


def kind_of(data: bytes) -> DocumentType | Problem:
    """The type `data` really is, or the Problem saying why it is refused."""
    if not data:
        return Problem(Text(zh="文件是空的。", en="The file is empty."))
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            return Problem(
                Text(
                    zh="该 PDF 不完整(缺少文件结尾 %%EOF):请重新导出或重新下载。",
                    en="The PDF is incomplete (it has no %%EOF end): export or download "
                    "it again.",
                )
            )
        return TYPES["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    return Problem(_not_accepted())


def _not_accepted() -> Text:
    return Text(
        zh=f"文件内容不是可接受的类型:请上传 {ACCEPTED.zh} 文件(按文件内容判断,而非文件名)。",
        en=f"The file's content is not an accepted type: upload a {ACCEPTED.en} file "
        "(the content decides, not the name).",
    )


def _office(data: bytes) -> DocumentType | Problem:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem(_not_accepted())
    if len(infos) > _MAX_ZIP_MEMBERS:
        return Problem(_not_accepted())
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        return Problem(_not_accepted())
    kinds = {kind for part, kind in _OOXML_MAIN.items() if part in names}
    if len(kinds) != 1:
        return Problem(_not_accepted())
    if any(part in names for part in _MACROS):
        return Problem(
            Text(
                zh="该 Office 文件含有宏:请另存为不含宏的 .docx、.xlsx 或 .pptx 后上传。",
                en="The Office file holds macros: save it as a .docx, .xlsx or .pptx "
                "without macros and upload that.",
            )
        )
    return TYPES[kinds.pop()]


def safe_name(name: str, kind: DocumentType) -> str | Problem:
    """The display name to keep for an upload called `name` whose content is `kind`.

    Only the last part of a path is kept (``../../etc/passwd.pdf`` → ``passwd.pdf``; a
    Windows path too), leading dots and spaces are dropped, and the name is cut to
    `MAX_DOCUMENT_NAME` characters. A name without the extension of an accepted type gets
    the type's (``offer.html`` holding a PDF is kept as ``offer.html.pdf``); a name whose
    extension is of another accepted type is a Problem (the content and the name disagree).
    Control characters are refused. The name is never used on disk: files are stored under
    their SHA-256.
    """
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    base = posixpath.basename(base).strip().lstrip(". ").strip()
    found = FORBIDDEN_IN_LINE.search(base)
    if found is not None:
        char = f"U+{ord(found.group()):04X}"
        return Problem(
            Text(
                zh=f"文件名含有控制字符 {char}:请重命名后上传。",
                en=f"The file name holds the control character {char}: rename the file "
                "and upload it again.",
            )
        )
    stem, extension = posixpath.splitext(base)
    extension = extension.lower()
    if not stem:
        stem, extension = "document", ""
    if extension not in _EXTENSIONS:  # "offer.v2", "bid.html": the type's extension is added
        stem, extension = stem + extension, ""
    if extension and extension not in kind.extensions:
        return Problem(
            Text(
                zh=f"文件名为 {extension},但内容是 {kind.label.zh}:请改正文件名,"
                "或上传名称所示的文件。",
                en=f"The name says {extension} but the content is a {kind.label.en}: "
                "correct the name, or upload the file it names.",
            )
        )
    extension = extension or kind.extensions[0]
    stem = stem[: MAX_DOCUMENT_NAME - len(extension)].rstrip()
    return stem + extension
