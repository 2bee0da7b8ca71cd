"""A real browser walks the committee's main path, in Chinese, at desktop and phone width.

An evaluator logs in, switches to 中文, declares no conflict, fills a vendor's sheet (a
`partial` without a comment is refused, then accepted with one) and submits; the chair
closes scoring, opens the price envelope and sees the ranking. Screenshots: tests/artifacts/*.png.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from selector import PROJECT_ROOT
from selector.services import lifecycle, setup, templates, users
from selector.store.db import get_session
from selector.store.models import User
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser
PASSWORD = "browser-pass-1"
VENDORS = {"Aurora Cloud": 700800, "华云软件": 650000}


@pytest.fixture
def crm_tender(live_app: Any) -> int:
    """The seed's CRM template, two vendors with bids, one evaluator, scoring open."""
    yaml_path = PROJECT_ROOT / "criteria" / "crm_selection.yaml"
    yaml_text = yaml_path.read_text(encoding="utf-8")
    with live_app.test_request_context():
        session = get_session()
        for username, role in (("chair", "chair"), ("evaluator1", "evaluator")):
            users.create_user(
                session,
                username=username,
                display_name=username.title(),
                password=PASSWORD,
                role=role,
                hash_method=live_app.config["PASSWORD_HASH_METHOD"],
            )
        chair = session.scalar(select(User).where(User.username == "chair"))
        evaluator = session.scalar(select(User).where(User.username == "evaluator1"))
        tender = setup.create_tender(
            session,
            chair=chair,
            name="CRM系统选型 2025",
            organisation="演示公司",
            template_yaml=yaml_text,
            template_source=yaml_path.name,
            base_currency=None,
            method="mean",
            divergence_threshold=Decimal("0.4"),
            low_bid_threshold=Decimal("0.6"),
        )
        template = templates.template_of(tender)
        for offset, (name, amount) in enumerate(VENDORS.items()):
            vendor = setup.add_vendor(session, tender.id, actor=chair, name=name)
            for index, criterion in enumerate(template.price_criteria()):
                setup.set_bid(
                    session,
                    tender.id,
                    actor=chair,
                    vendor_id=vendor.id,
                    component=criterion.id,
                    amount=Decimal(amount + 1000 * index * (offset + 1)),
                    currency=None,
                )
        setup.assign_evaluator(
            session,
            tender.id,
            actor=chair,
            user_id=evaluator.id,
            group_keys=[],
            can_see_prices=True,
        )
        lifecycle.transition(session, tender.id, "open", actor=chair)
        return tender.id


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def choose_best(page: Any) -> None:
    """Tick the best option of every radio group on the sheet (full, yes, pass)."""
    for fieldset in page.locator("fieldset.criterion").all():
        radios = fieldset.locator("input[type=radio]")
        if radios.count():
            radios.first.check()


def test_an_evaluator_scores_in_chinese_and_the_chair_sees_the_ranking(
    browser, live_server, crm_tender, artifacts
):
    base = live_server
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Submit this sheet?" confirmation
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, base, "evaluator1")
    assert "Tenders" in page.content()
    page.click("button.lang[value=zh]")
    page.wait_for_load_state()
    assert "评审项目" in page.content()

    page.click("text=CRM系统选型 2025")
    page.wait_for_load_state()
    assert "利益冲突声明" in page.content()
    page.screenshot(path=str(artifacts / "evaluator-declaration-desktop.png"), full_page=True)
    page.check("#no_conflict")
    page.click("button:has-text('提交声明')")
    page.wait_for_load_state()
    assert "您已声明无利益冲突" in page.content()

    # The first vendor: a partial without a comment is refused, then accepted with one.
    page.click("a:has-text('Aurora Cloud')")
    page.wait_for_load_state()
    choose_best(page)
    page.check("fieldset#c-mobile input[value=partial]")
    assert page.locator("fieldset#c-mobile .comment-required-note").is_visible()
    total_before = page.locator("[data-running-total]").inner_text()
    page.click("button[name=submit_sheet]")
    page.wait_for_load_state()
    content = page.content()
    assert "选择此项须填写说明" in content
    assert "请更正以下评分项" in content
    page.screenshot(path=str(artifacts / "evaluator-sheet-refused-desktop.png"), full_page=True)
    # the refused form kept every choice
    assert page.locator("fieldset#c-mobile input[value=partial]").is_checked()
    page.fill("fieldset#c-mobile textarea", "iPad可用,微信端缺失 / no WeChat app yet")
    page.click("button[name=submit_sheet]")
    page.wait_for_load_state()
    assert "评分表已提交" in page.content()
    assert total_before  # the running total was shown

    # The second vendor, on a phone-sized screen.
    page.set_viewport_size(PHONE)
    page.click("a:has-text('华云软件')")
    page.wait_for_load_state()
    choose_best(page)
    page.screenshot(path=str(artifacts / "evaluator-sheet-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the sheet is {width}px wide at 390px"
    page.click("button[name=submit_sheet]")
    page.wait_for_load_state()
    assert "评分表已提交" in page.content()
    assert "2 / 2" in page.content() or "已提交 2 / 2" in page.content()
    context.close()

    # The chair closes scoring, opens the price envelope and sees the ranking.
    chair_context = browser.new_context(viewport=DESKTOP)
    chair = chair_context.new_page()
    chair.on("pageerror", lambda error: errors.append(str(error)))
    log_in(chair, base, "chair")
    chair.goto(f"{base}/tenders/{crm_tender}")
    assert "1 of 2 score sheets submitted" not in chair.content()
    assert "2 of 2 score sheets submitted." in chair.content()
    chair.screenshot(path=str(artifacts / "chair-tender-desktop.png"), full_page=True)
    chair.click("a:has-text('Close scoring')")
    chair.wait_for_load_state()
    assert "Evaluators will no longer be able to change their sheets" in chair.content()
    chair.click("button.primary:has-text('Close scoring')")
    chair.wait_for_load_state()
    # Two envelopes: the bids are sealed until the chair opens the price envelope.
    content = chair.content()
    assert "Open the price envelope to see the results." in content
    assert "The bids are sealed" in content
    chair.screenshot(path=str(artifacts / "chair-sealed-desktop.png"), full_page=True)
    chair.click("a:has-text('Open the price envelope')")
    chair.wait_for_load_state()
    assert "This cannot be undone" in chair.content()
    chair.click("button.primary:has-text('Open the price envelope')")
    chair.wait_for_load_state()
    content = chair.content()
    assert "The price envelope is open: the results are ready." in content
    assert "Ranking" in content
    rows = chair.locator("#ranking tbody tr")
    assert rows.count() == 2
    first = rows.first.inner_text()
    assert "1" in first
    chair.screenshot(path=str(artifacts / "chair-results-desktop.png"), full_page=True)
    chair.set_viewport_size(PHONE)
    chair.reload()
    chair.screenshot(path=str(artifacts / "chair-results-390.png"), full_page=True)
    chair.click("button.lang[value=zh]")
    chair.wait_for_load_state()
    assert "排名" in chair.content()
    chair.screenshot(path=str(artifacts / "chair-results-zh-390.png"), full_page=True)
    chair_context.close()
    assert not errors, errors


def test_the_login_page_fits_a_phone_and_switches_language(browser, live_server, artifacts):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.screenshot(path=str(artifacts / "login-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.click("button.lang[value=zh]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "登录"
    page.screenshot(path=str(artifacts / "login-zh-390.png"), full_page=True)
    context.close()
