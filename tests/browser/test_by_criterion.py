"""Scoring one criterion across vendors in a real browser, at 390 px, in both languages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from selector.services import lifecycle, setup, users
from selector.store.db import get_session
from selector.store.models import Entry, User
from tests.browser.conftest import PHONE
from tests.web.conftest import DATA

pytestmark = pytest.mark.browser
PASSWORD = "browser-pass-1"


@pytest.fixture
def mini_tender(live_app: Any) -> dict[str, int]:
    """The mini template, vendors Alpha and Beta with bids, one evaluator, scoring open."""
    yaml_text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    with live_app.test_request_context():
        session = get_session()
        for username, role in (("chair", "chair"), ("eval1", "evaluator")):
            users.create_user(session, username=username, display_name=username.title(),
                              password=PASSWORD, role=role,
                              hash_method=live_app.config["PASSWORD_HASH_METHOD"])
        chair = session.scalar(select(User).where(User.username == "chair"))
        evaluator = session.scalar(select(User).where(User.username == "eval1"))
        tender = setup.create_tender(
            session, chair=chair, name="Mini 2026", organisation="Org",
            template_yaml=yaml_text, template_source="mini.yaml", base_currency=None,
            method="mean", divergence_threshold=Decimal("0.4"), low_bid_threshold=Decimal("0.6"),
        )
        vendors = {}
        for amount, name in ((100, "Alpha"), (110, "Beta")):
            vendors[name] = setup.add_vendor(session, tender.id, actor=chair, name=name).id
            setup.set_bid(session, tender.id, actor=chair, vendor_id=vendors[name],
                          component="fee", amount=Decimal(amount), currency=None)
        setup.assign_evaluator(session, tender.id, actor=chair, user_id=evaluator.id,
                               group_keys=[], can_see_prices=False)
        lifecycle.transition(session, tender.id, "open", actor=chair)
        return {"tender": tender.id, **vendors}


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page is {width}px wide at 390px"


def test_one_criterion_for_every_vendor_on_a_phone_in_english_and_chinese(
    browser, live_server, live_app, mini_tender, artifacts
):
    tender, alpha, beta = mini_tender["tender"], mini_tender["Alpha"], mini_tender["Beta"]
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/login")
    page.fill("#username", "eval1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"{live_server}/tenders/{tender}/evaluate")
    page.check("#no_conflict")
    page.click("#declaration button[type=submit]")
    page.wait_for_load_state()

    page.click("#by-criterion a:has-text('Functional fit')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Functional fit"
    page.check(f"fieldset#v-{alpha} input[value=partial]")
    assert page.locator(f"fieldset#v-{alpha} .comment-required-note").is_visible()
    assert not page.locator(f"fieldset#v-{beta} .comment-required-note").is_visible()
    page.fill(f"fieldset#v-{alpha} textarea", "no offline mode")
    page.check(f"fieldset#v-{beta} input[value=full]")
    save = page.locator("button[name=save]")
    assert save.bounding_box()["height"] >= 44
    fits(page)
    page.screenshot(path=str(artifacts / "by-criterion-390.png"), full_page=True)
    save.click()
    page.wait_for_load_state()
    assert "Drafts saved." in page.content()

    page.click("button.lang[value=zh]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "功能匹配"
    assert "保存草稿" in page.content()
    assert page.locator(f"fieldset#v-{alpha} input[value=partial]").is_checked()
    assert page.locator(f"fieldset#v-{beta} input[value=full]").is_checked()
    fits(page)
    page.screenshot(path=str(artifacts / "by-criterion-zh-390.png"), full_page=True)
    page.click("a:has-text('下一评分项')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "开放接口"
    fits(page)
    assert errors == []
    context.close()
    with live_app.test_request_context():
        stored = sorted((e.sheet.vendor.name, e.value, e.comment)
                        for e in get_session().scalars(select(Entry)))
    assert stored == [("Alpha", "partial", "no offline mode"), ("Beta", "full", "")]
