"""The results page printed: no navigation or buttons, and the whole ranking (every vendor,
every column) on the paper, not clipped by its scrolling box."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from selector import PROJECT_ROOT
from selector.services.demo import load_demo
from selector.store.db import get_session
from tests.reports.conftest import pdf_pages

pytestmark = pytest.mark.browser
PASSWORD = "print-password"


@pytest.fixture
def demo(live_app: Any) -> None:
    with live_app.test_request_context():
        load_demo(
            get_session(),
            examples_dir=PROJECT_ROOT / "examples" / "crm-tender",
            criteria_dir=Path(live_app.config["CRITERIA_DIR"]),
            password=PASSWORD,
        )


def test_the_printed_results_page_has_no_navigation_and_the_full_ranking(
    browser: Any, live_server: str, demo: None, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", "chair")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"{live_server}/tenders/1/results")
    ranking = page.locator("#ranking table")
    vendors = ranking.locator("tbody tr").count()
    assert page.locator("nav.nav").is_visible()
    headers = [h.strip() for h in ranking.locator("thead th").all_inner_texts()]
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1030, "height": 700})  # A4 landscape less the margins
    for hidden in ("nav.nav", ".site-header", ".actions", ".site-footer"):
        assert page.locator(hidden).first.is_hidden(), hidden
    right = ranking.evaluate("table => table.getBoundingClientRect().right")
    width = page.evaluate("document.documentElement.clientWidth")
    assert right <= width + 1, f"the ranking ends at {right}px on a {width}px page"
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (artifacts / "results-print.pdf").write_bytes(pdf)
    text = " ".join(" ".join(pdf_pages(pdf)).split())
    assert vendors >= 4
    for row in range(vendors):
        assert ranking.locator("tbody tr").nth(row).locator("td").nth(1).inner_text() in text
    for header in headers:
        assert " ".join(header.split()) in text, header
    assert "Log out" not in text and "退出" not in text
    context.close()
