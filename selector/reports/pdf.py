"""Render the ranked report: a Jinja template to HTML, then WeasyPrint to PDF bytes.

WeasyPrint would otherwise fetch any URL a document names — `file:///etc/passwd` as an
image, `<link rel=attachment>` as an embedded file, `http://` for a stylesheet. The report
only ever needs its own `static/` files and `data:` URLs, so `StaticOnlyFetcher` serves those
and refuses everything else, counting each refusal so tests can prove nothing leaked.
All user text reaches the page through autoescaped templates; none of it goes into CSS.
"""

from __future__ import annotations

import io
import mimetypes
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pypdf
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from selector.reports.html import STATIC_DIR, render_html
from selector.runtime import cyclic_gc_paused

if TYPE_CHECKING:
    from selector.reports.context import ReportContext

Progress = Callable[[str], None]


class FetchRefused(ValueError):
    """A URL the report is not allowed to fetch."""


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serve `data:` URLs and files under `static_dir`; refuse and record everything else.

    `served` and `refused` list the URLs in the order they were asked for, so a test can spy
    on what a document tried to load.
    """

    def __init__(self, static_dir: Path = STATIC_DIR, **kwargs: Any) -> None:
        kwargs.setdefault("allowed_protocols", ("data", "file"))
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)
        self.static_dir = static_dir.resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            self.served.append(url[:64])
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._static_path(url)
            if path is not None:
                self.served.append(url)
                mime, _ = mimetypes.guess_type(path.name)
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(),
                    {"Content-Type": mime or "application/octet-stream"},
                )
        self.refused.append(url)
        raise FetchRefused(f"the report may not load {url!r}")

    def _static_path(self, url: str) -> Path | None:
        """The file a `file:` URL names, if it is a regular file inside the static directory."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            return None
        return path


def html_to_pdf(
    html: str, fetcher: StaticOnlyFetcher | None = None, progress: Progress | None = None
) -> bytes:
    """Lay out finished HTML with WeasyPrint through the restricted fetcher; PDF bytes.

    Relative URLs (the stylesheet `report.css`) resolve against the static directory.
    """
    say = progress or (lambda _stage: None)
    fetcher = fetcher or StaticOnlyFetcher()
    # WeasyPrint's box tree of every page lives until the PDF is written: a fifth of a large
    # report's layout time went to the collector walking it (the peak memory is the same).
    with cyclic_gc_paused():
        document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        rendered = document.render()
        say(f"writing {len(rendered.pages)} pages")
        pdf: bytes = rendered.write_pdf()
    return pdf


def render_pages(html: str) -> list[bytes]:
    """Lay `html` out and write it once, then split it into one PDF per page (the bidders'
    letters, a page each). Written once, the fonts are subset once: writing each page
    through WeasyPrint would subset the CJK font again for every page."""
    whole = html_to_pdf(html)
    reader = pypdf.PdfReader(io.BytesIO(whole))
    pages = []
    for page in reader.pages:
        writer = pypdf.PdfWriter()
        writer.add_page(page)
        writer.add_metadata(reader.metadata or {})
        out = io.BytesIO()
        writer.write(out)
        pages.append(out.getvalue())
    return pages


def render_pdf(
    context: ReportContext,
    fetcher: StaticOnlyFetcher | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Render the report context to PDF bytes, telling `progress` what stage it is in."""
    say = progress or (lambda _stage: None)
    started = time.perf_counter()
    say("html")
    html = render_html(context)
    say("layout")
    pdf = html_to_pdf(html, fetcher, say)
    say(f"done in {time.perf_counter() - started:.2f} s")
    return pdf
