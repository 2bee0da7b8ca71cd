"""Hostile names and comments reach the PDF as text: no fetch, no attachment, no markup."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from selector.reports.context import build_context
from selector.reports.html import STATIC_DIR, render_html
from selector.reports.pdf import FetchRefused, StaticOnlyFetcher, html_to_pdf, render_pdf
from selector.scoring.model import Result
from tests.reports.conftest import HOSTILE_COMMENTS, HOSTILE_NAME, pdf_pages


class SpyFetcher(StaticOnlyFetcher):
    """Counts every URL WeasyPrint asks for, whether served or refused."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        self.asked.append(url)
        return super().fetch(url, headers)


@pytest.fixture(scope="module", params=["zh", "en", "zh-appendix", "en-appendix"])
def hostile(request: pytest.FixtureRequest, hostile_result: Result) -> tuple[bytes, SpyFetcher]:
    """The leadership report and its appendix (where the comments are), in both languages."""
    lang, _, appendix = request.param.partition("-")
    spy = SpyFetcher()
    pdf = render_pdf(build_context(hostile_result, lang, appendix=bool(appendix)), spy)
    return pdf, spy


def _flat(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages(pdf)).split())


def test_a_vendor_named_like_an_img_tag_appears_as_text(hostile: tuple[bytes, SpyFetcher]) -> None:
    pdf, _spy = hostile
    assert HOSTILE_NAME in _flat(pdf)


def test_hostile_comments_appear_as_text_in_the_appendix(hostile_result: Result) -> None:
    # Text extraction may split a line where the PDF draws it in two runs: compare without
    # whitespace. The comments are evidence: the appendix shows them, the decision does not.
    for lang in ("zh", "en"):
        appendix = render_pdf(build_context(hostile_result, lang, appendix=True))
        bare = "".join(_flat(appendix).split())
        for comment in HOSTILE_COMMENTS:
            assert "".join(comment.split()) in bare


def test_nothing_outside_static_is_fetched(hostile: tuple[bytes, SpyFetcher]) -> None:
    _pdf, spy = hostile
    static = STATIC_DIR.resolve().as_uri() + "/"
    assert spy.refused == []
    assert spy.asked and all(url.startswith(static) for url in spy.asked), spy.asked


def test_no_file_is_attached_to_the_pdf(hostile: tuple[bytes, SpyFetcher]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(hostile[0]))
    names = reader.trailer["/Root"].get("/Names", {})
    assert "/EmbeddedFiles" not in names
    assert reader.attachments == {}
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"


def test_the_html_holds_the_hostile_text_escaped(hostile_result: Result) -> None:
    html = render_html(build_context(hostile_result, "en"))
    assert "<img src=file:" not in html
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "<link rel=attachment" not in html
    assert "<style>*{display:none}" not in html


# --- the fetcher itself, should markup ever get through --------------------------------------


def test_the_fetcher_refuses_local_files_and_the_network_and_counts_them() -> None:
    spy = SpyFetcher()
    html = (
        '<link rel="stylesheet" href="report.css">'
        '<link rel="attachment" href="file:///etc/hostname">'
        '<style>@import url(http://127.0.0.1:9/x.css);</style>'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/a.png">'
        '<img src="../pyproject.toml"><p>text</p>'
    )
    pdf = html_to_pdf(html, spy)
    assert pdf[:5] == b"%PDF-"
    assert set(spy.refused) >= {
        "file:///etc/passwd",
        "http://127.0.0.1:9/a.png",
        "http://127.0.0.1:9/x.css",
        (STATIC_DIR.parent / "pyproject.toml").resolve().as_uri(),
    }
    assert spy.served == [(STATIC_DIR / "report.css").resolve().as_uri()]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}


def test_the_fetcher_serves_data_urls_and_static_files() -> None:
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    css = fetcher.fetch((STATIC_DIR / "report.css").as_uri())
    assert b"@page" in css.read()
    assert css.content_type == "text/css"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "file://otherhost/static/report.css",
    "https://example.com/report.css",
    "ftp://example.com/x",
    "FILE:///etc/shadow",
    "javascript:alert(1)",
])
def test_the_fetcher_refuses(url: str) -> None:
    fetcher = StaticOnlyFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_refuses_a_path_that_climbs_out_of_static() -> None:
    fetcher = StaticOnlyFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(STATIC_DIR.as_uri() + "/../pyproject.toml")
    with pytest.raises(FetchRefused):
        fetcher.fetch(STATIC_DIR.as_uri() + "/%2e%2e/pyproject.toml")


def test_the_fetcher_refuses_a_symlink_that_leads_out_of_static(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p{}")
    (static / "escape.css").symlink_to("/etc/hostname")
    fetcher = StaticOnlyFetcher(static)
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p{}"
    with pytest.raises(FetchRefused):
        fetcher.fetch((static / "escape.css").as_uri())
