"""The web download of a report on a machine without the report's font."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.reports.test_fonts import write_empty_fontconfig
from tests.reports.web.test_downloads import client_as


def test_the_web_download_shows_the_message_on_an_error_page_not_a_broken_pdf(
    app: Any, make_tender: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_fontconfig = write_empty_fontconfig(tmp_path)
    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty_fontconfig))
    for accept, words in (("zh-CN", "请安装"), ("en", "Install the")):
        response = chair.get(f"/tenders/{setup.id}/report.pdf?lang=zh",
                             headers={"Accept-Language": accept})
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert words in page
        assert "Noto Sans CJK SC" in page and "fonts-noto-cjk" in page
        assert "%PDF" not in page
