"""Every main page of the demo, for each role, fits a 390 px phone (tables scroll inside
their own box, never the page) and runs without a script error. Screenshots of each page
at 390 px and desktop width go to tests/artifacts/tour-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from selector import PROJECT_ROOT
from selector.services.demo import load_demo
from selector.store.db import get_session
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser
PASSWORD = "tour-password"

TOUR = {
    "chair": [
        "/tenders/",
        "/tenders/1",
        "/tenders/2",
        "/tenders/1/results",
        "/tenders/1/consensus",
        "/tenders/new",
        "/tenders/2/close",
        "/tenders/1/history",
    ],
    "evaluator1": [
        "/tenders/",
        "/tenders/2/evaluate",
        "/tenders/1/evaluate",
        "/tenders/1/evaluate/1",
    ],
    "admin": ["/admin/users"],
}


@pytest.fixture
def demo(live_app: Any) -> None:
    with live_app.test_request_context():
        load_demo(
            get_session(),
            examples_dir=PROJECT_ROOT / "examples" / "crm-tender",
            criteria_dir=Path(live_app.config["CRITERIA_DIR"]),
            password=PASSWORD,
            hash_method=live_app.config["PASSWORD_HASH_METHOD"],
        )


@pytest.mark.parametrize("username", sorted(TOUR))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_fits_a_phone(browser, live_server, demo, artifacts, username, lang):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.click(f"button.lang[value={lang}]")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    for path in TOUR[username]:
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        name = f"tour-{username}-{lang}-{path.strip('/').replace('/', '-') or 'home'}"
        if lang == "zh" or path.endswith(("/results", "/evaluate/1")):
            page.screenshot(path=str(artifacts / f"{name}-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{path} is {width}px wide at 390px"
        if lang == "en" and username == "chair":
            page.set_viewport_size(DESKTOP)
            page.screenshot(path=str(artifacts / f"{name}-desktop.png"), full_page=True)
            page.set_viewport_size(PHONE)
    context.close()
    assert not errors, errors
