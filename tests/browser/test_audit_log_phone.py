"""The audit log at 390 px, in both languages: the chair's log of the demo tender (with its
filters, a refused filter too) and the admin's log fit the screen with 44 px tap targets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_moderation_phone import check_fits
from tests.browser.test_page_tour import PASSWORD, demo  # noqa: F401  (fixture re-used)

pytestmark = pytest.mark.browser


def log_in(page: Any, live_server: str, username: str, lang: str) -> None:
    page.goto(f"{live_server}/login")
    page.click(f"button.lang[value={lang}]")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_log_fits_a_phone(browser, live_server, demo, artifacts, lang):  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, "chair", lang)
    for path, status in (("/tenders/1/history", 200), ("/tenders/1/history?kind=scoring", 200),
                         ("/tenders/1/history?since=yesterday", 422)):
        response = page.goto(live_server + path)
        assert response is not None and response.status == status, path
        check_fits(page, path)
    page.goto(live_server + "/tenders/1/history")
    page.screenshot(path=str(artifacts / f"audit-log-{lang}-390.png"), full_page=True)
    assert page.locator("ol.log > li").count() > 10
    context.close()
    admin = browser.new_context(viewport=PHONE)
    page = admin.new_page()
    log_in(page, live_server, "admin", lang)
    response = page.goto(live_server + "/admin/log")
    assert response is not None and response.status == 200
    check_fits(page, "/admin/log")
    admin.close()
    assert not errors, errors
