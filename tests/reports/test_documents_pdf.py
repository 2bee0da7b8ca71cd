"""The PDF's detail lists each vendor's bid documents with their SHA-256 and upload time."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

from selector.reports.context import build_context
from selector.reports.pdf import StaticOnlyFetcher, render_pdf
from selector.scoring.model import Result
from tests.reports.conftest import pdf_pages, save_artifact

SHA = hashlib.sha256(b"the technical proposal").hexdigest()


@pytest.mark.parametrize("lang,title,envelope", [("en", "Bid documents", "technical"),
                                                 ("zh", "投标文件", "技术")])
def test_the_detail_lists_each_vendors_documents_with_hash_and_time(
    example_result: Result, lang: str, title: str, envelope: str
) -> None:
    vendor = example_result.input.vendors[0]
    extras = {"documents": [{
        "vendor": vendor, "name": "technical-proposal.pdf", "envelope": "technical",
        "kind": "pdf", "size": 1234, "sha256": SHA,
        "uploaded_at": dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
    }]}
    context = build_context(example_result, lang, extras)
    assert context.documents == ((vendor, (("technical-proposal.pdf", envelope, SHA,
                                            "2026-12-01 09:30"),)),)
    pdf = render_pdf(context, StaticOnlyFetcher())
    save_artifact(f"report-documents-{lang}.pdf", pdf)
    page = next(p for p in pdf_pages(pdf) if title in p and "technical-proposal" in p)
    assert SHA in re.sub(r"\s+", "", page)  # a hash set small may wrap
    assert "2026-12-01 09:30" in page and envelope in page


def test_without_documents_the_detail_has_no_documents_table(example_result: Result) -> None:
    assert build_context(example_result, "en", {}).documents == ()
