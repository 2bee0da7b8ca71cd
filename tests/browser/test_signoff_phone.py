"""The sign-off page at 390 px, in both languages: no horizontal scrolling, and every tap target
at least 44 px in both dimensions - the password field, the buttons, the chair's "did not
sign" summary, and the approve/dissent radios through their labels (a click on the label
chooses the radio)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.web.conftest import PASSWORD, make_tender, make_user  # noqa: F401  (fixtures re-used)

pytestmark = pytest.mark.browser

MIN_TARGET = 44

# Each visible control of the page's own content with its box; a radio or checkbox is
# measured by its label's box (a click on the label chooses it).
MEASURE = """() => [...document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea, main button, main .button, '
    + 'main summary')]
  .filter(e => e.offsetParent !== null)
  .map(e => {
    const box = (['radio', 'checkbox'].includes(e.type) && e.labels && e.labels[0]) || e;
    const r = box.getBoundingClientRect();
    return [e.tagName + '[' + (e.name || e.type || '') + ']:'
            + (box.textContent || '').trim().slice(0, 30), r.width, r.height];
  })"""


@pytest.fixture
def app(live_app: Any) -> Any:
    """make_tender builds its tender in the live server's database."""
    return live_app


def log_in(page: Any, live_server: str, username: str, lang: str) -> None:
    page.goto(f"{live_server}/login")
    page.click(f"button.lang[value={lang}]")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def check_fits(page: Any, what: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}: {width}px wide at 390 px"
    controls = page.evaluate(MEASURE)
    assert controls, f"{what}: no controls measured"
    small = [c for c in controls if c[1] < MIN_TARGET or c[2] < MIN_TARGET]
    assert not small, f"{what}: tap targets under {MIN_TARGET}px: {small}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sign_off_page_fits_a_phone(
    browser, live_server, make_tender, artifacts, lang  # noqa: F811
):
    setup = make_tender(state="finalised", evaluators=2)
    path = f"/tenders/{setup.id}/signoff"
    errors: list[str] = []
    for username in ("eval1", "chair"):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, live_server, username, lang)
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200
        if username == "chair":
            page.locator("details.absent summary").first.click()
        else:
            assert page.locator("input[type=radio][name=decision]").count() == 2
            page.click("label[for=decision-1]")
            assert page.locator("input[value=dissent]").is_checked()
        page.screenshot(path=str(artifacts / f"signoff-{username}-{lang}-390.png"),
                        full_page=True)
        check_fits(page, f"{username} {lang}")
        heading = "签字" if lang == "zh" else "Sign-off"
        assert page.locator("h1").inner_text().strip() == heading
        context.close()
        assert not errors, errors
