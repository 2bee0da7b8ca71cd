"""The moderation view and the decision checks at 390 px, in both languages (issue 10): no
horizontal scrolling, no table wider than the screen (the leave-one-out tables included),
tap targets of at least 44 px, the review bar not covering the page; and a consensus value
recorded from the select, replaced only once the replacement is ticked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_page_tour import PASSWORD, demo  # noqa: F401  (fixture re-used)

pytestmark = pytest.mark.browser

MIN_TARGET = 44

# Every table, link and control in the page's own content, measured in the browser.
MEASURE = """() => {
  const width = window.innerWidth;
  const tables = [...document.querySelectorAll('main table')]
    .filter(t => !t.closest('.table-wrap'))
    .map(t => [t.className || t.parentElement.className, t.getBoundingClientRect().width])
    .filter(([, w]) => w > width + 1);
  const small = [...document.querySelectorAll(
      'main .button, main button, main select, main textarea, main label.check, '
      + 'main .moderation-index a, main a.tap')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.tagName + '.' + e.className + ':' + (e.textContent || '').trim().slice(0, 30),
               e.getBoundingClientRect().height])
    .filter(([, h]) => h < MIN_TARGET);
  const bar = document.querySelector('.review-bar');
  const style = bar ? getComputedStyle(bar) : null;
  return {
    scroll: document.scrollingElement.scrollWidth, width,
    tables, small,
    covering: style && ['sticky', 'fixed'].includes(style.position)
      ? bar.getBoundingClientRect().height : 0,
  };
}""".replace("MIN_TARGET", str(MIN_TARGET))


def log_in(page: Any, live_server: str, lang: str) -> None:
    page.goto(f"{live_server}/login")
    page.click(f"button.lang[value={lang}]")
    page.fill("#username", "chair")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def check_fits(page: Any, path: str) -> None:
    seen = page.evaluate(MEASURE)
    assert seen["scroll"] <= seen["width"], f"{path}: {seen['scroll']}px wide at 390 px"
    assert not seen["tables"], f"{path}: tables wider than the screen: {seen['tables']}"
    assert not seen["small"], f"{path}: tap targets under {MIN_TARGET}px: {seen['small']}"
    assert seen["covering"] <= PHONE["height"] * 0.25, f"{path}: the review bar covers the page"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_moderation_and_decisions_fit_a_phone(browser, live_server, demo, artifacts, lang):  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, lang)
    for path in ("/tenders/1/moderation", "/tenders/1/moderation?criterion=mobile",
                 "/tenders/1/decisions"):
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        page.screenshot(path=str(artifacts / f"moderation-{lang}-{path.split('/')[-1]}-390.png"),
                        full_page=True)
        check_fits(page, path)
    heading = "评审协调" if lang == "zh" else "Moderation"
    page.goto(live_server + "/tenders/1/moderation")
    assert page.locator("h1").inner_text().strip() == heading
    context.close()
    assert not errors, errors


def test_a_consensus_is_chosen_from_the_select_and_replaced_only_when_ticked(
    browser, live_server, demo  # noqa: F811
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server, "en")
    page.goto(live_server + "/tenders/1/moderation?criterion=references")
    cell = page.locator("article.moderation-cell").first
    vendor = cell.locator("h3").inner_text().split("\n")[0].strip()
    assert cell.locator("select[name=value]").count() == 1
    assert cell.locator("input[type=text][name=value]").count() == 0
    cell.locator("select[name=value]").select_option("partial")
    cell.locator("textarea[name=reason]").fill("Agreed at the moderation meeting")
    cell.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Consensus value recorded." in page.content()
    cell = page.locator("article.moderation-cell", has_text=vendor).first
    assert "Partially meets" in cell.locator(".cell-figures").inner_text()
    # a second value without ticking the replacement is refused, the first one kept
    cell.locator("select[name=value]").select_option("full")
    cell.locator("textarea[name=reason]").fill("Second look")
    cell.locator("button[type=submit]").click()
    page.wait_for_load_state()
    cell = page.locator("article.moderation-cell", has_text=vendor).first
    assert "already has the consensus value" in cell.inner_text()
    assert "Partially meets" in cell.locator(".cell-figures").inner_text()
    check_fits(page, "the refused replacement")
    cell.locator("input[name=replace]").check()
    cell.locator("button[type=submit]").click()
    page.wait_for_load_state()
    cell = page.locator("article.moderation-cell", has_text=vendor).first
    assert "Meets the requirement" in cell.locator(".cell-figures").inner_text()
    context.close()
