"""Bid documents' types are read from their bytes; names are made safe."""

from __future__ import annotations

import io
import zipfile

import pytest

from selector.files import sniff
from selector.files.tinypdf import pdf


def office(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in ("[Content_Types].xml", *parts):
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data,kind",
    [
        (pdf([("A", ["b"])]), "pdf"),
        (office("word/document.xml"), "docx"),
        (office("xl/workbook.xml"), "xlsx"),
        (office("ppt/presentation.xml"), "pptx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\0" * 20, "png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpeg"),
    ],
)
def test_each_accepted_type_is_recognised_by_its_content(data: bytes, kind: str) -> None:
    found = sniff.kind_of(data)
    assert isinstance(found, sniff.DocumentType) and found.key == kind


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>%PDF-1.4</body></html>",
        b"  %PDF-1.4 with a space first",
        office(),  # a zip, but no main part
        office("word/document.xml", "xl/workbook.xml"),  # two kinds at once
        office("word/document.xml", "word/vbaProject.bin"),  # macros
        b"GIF89a",
    ],
)
def test_anything_else_is_a_problem(data: bytes) -> None:
    assert isinstance(sniff.kind_of(data), sniff.Problem)


@pytest.mark.parametrize(
    "name,kept",
    [
        ("..\\..\\windows\\system32\\offer.pdf", "offer.pdf"),
        ("C:\\Users\\me\\Desktop\\bid.PDF", "bid.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("...", "document.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_a_name_keeps_only_its_last_part_and_the_types_extension(name: str, kept: str) -> None:
    assert sniff.safe_name(name, sniff.TYPES["pdf"]) == kept


def test_a_name_that_contradicts_the_content_or_holds_control_characters_is_refused() -> None:
    assert isinstance(sniff.safe_name("offer.docx", sniff.TYPES["pdf"]), sniff.Problem)
    assert isinstance(sniff.safe_name("off\u202eer.pdf", sniff.TYPES["pdf"]), sniff.Problem)


def test_the_tiny_pdf_writer_gives_the_same_bytes_every_time() -> None:
    pages = [("Title", ["line 1", "华云 (not ASCII)"]), ("Two", [])]
    assert pdf(pages, title="x") == pdf(pages, title="x")
    assert b"/Count 2" in pdf(pages)
