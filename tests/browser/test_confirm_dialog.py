"""With JavaScript, a destructive button asks in the browser's own dialog: dismissed, nothing
happens; accepted, the action is done at once (app.js marks the form confirmed, so the
server's confirmation page is not shown as well)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_signoff_phone import app, log_in  # noqa: F401  (fixture re-used)
from tests.web.conftest import make_tender, make_user  # noqa: F401  (fixtures re-used)

pytestmark = pytest.mark.browser


def test_the_remove_button_asks_in_a_dialog(browser, live_server, make_tender):  # noqa: F811
    setup = make_tender()
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server, setup.chair, "en")
    page.goto(f"{live_server}/tenders/{setup.id}")
    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    remove = "#vendors button.danger[data-confirm]"
    page.once("dialog", answer(False))
    page.locator(remove).first.click()
    assert asked == ["Remove this vendor with its bids and documents?"]
    assert page.locator(remove).count() == 2
    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.locator(remove).first.click()
    assert len(asked) == 2
    assert "Nothing has changed yet." not in page.content()
    assert "Vendor 'Alpha' removed." in page.inner_text("main")
    assert page.locator(remove).count() == 1
    context.close()
