"""The History page tells each audit event as a sentence in the page's language, and the
consensus page shows values in the criterion's own words."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from selector.scoring.words import AUDIT_SENTENCES, DETAIL_NAMES
from tests.web.conftest import login


def _text(page: str) -> str:
    """What a reader sees of a page: its <main> without tags, entities decoded."""
    main = page[page.index("<main"):page.index("</main>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def chair(app: Any, make_tender: Any) -> Any:
    """The chair of a closed tender who set a consensus value, then changed it, and reviewed
    a flag, then reopened scoring (every kind of event the chair's page can show)."""
    setup = make_tender(state="closed", evaluators=2)
    client = app.test_client()
    login(client, setup.chair)
    for value in ("full", "partial"):
        response = client.post(f"/tenders/{setup.id}/consensus", data={
            "vendor": setup.vendors["Alpha"], "criterion": "fit", "value": value,
            "reason": "演示后议定"})
        assert response.status_code == 302
    client.post(f"/tenders/{setup.id}/reopen", data={"reason": "eval2 评错了供应商"})
    client.get(f"/tenders/{setup.id}/history")  # shows the flashed messages (in English)
    client.setup = setup
    return client


def test_history_in_chinese_shows_sentences_without_codes_or_english_keys(chair: Any) -> None:
    chair.post("/language", data={"lang": "zh", "next": "/"})
    page = _text(chair.get(f"/tenders/{chair.setup.id}/history").get_data(as_text=True))
    assert "Chair 将 Alpha · 功能匹配 的共识值设为 部分满足(原为 满足)" in page
    assert "Chair 将 Alpha · 功能匹配 的共识值设为 满足" in page
    assert "Chair 重新开放评分(评分已关闭 → 评分中)" in page
    assert "理由:eval2 评错了供应商" in page
    assert "Chair 指派 Eval1 评审:全部分组;不可查看报价" in page  # display names
    assert "Eval1 声明与各投标人均无利益冲突" in page
    for code in AUDIT_SENTENCES:
        assert code not in page, code
    for key in DETAIL_NAMES:
        assert not re.search(rf"\b{key}\s*:", page), key
    for english in ("False", "True", "partial", "closed", "open"):
        assert not re.search(rf"\b{english}\b", page), english


def test_history_in_english_reads_the_same_events(chair: Any) -> None:
    chair.post("/language", data={"lang": "en", "next": "/"})
    page = _text(chair.get(f"/tenders/{chair.setup.id}/history").get_data(as_text=True))
    assert ("Chair set the consensus of Alpha · Functional fit to Partially meets "
            "(was Meets the requirement)") in page
    assert "Chair reopened scoring (Scoring closed → Open for scoring)" in page
    assert "Chair added the vendor Beta" in page
    assert not re.search(r"[\u4e00-\u9fff]", page.replace("演示后议定", "").replace(
        "eval2 评错了供应商", "").replace("小型测试模板", ""))


def test_the_consensus_page_shows_values_in_the_criterions_words(
    app: Any, make_tender: Any
) -> None:
    setup = make_tender(state="closed", evaluators=2)
    client = app.test_client()
    login(client, setup.chair)
    client.post(f"/tenders/{setup.id}/consensus", data={
        "vendor": setup.vendors["Alpha"], "criterion": "fit", "value": "partial",
        "reason": "r"})
    client.post(f"/tenders/{setup.id}/consensus", data={
        "vendor": setup.vendors["Beta"], "criterion": "ux", "value": "good", "reason": "r"})
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/consensus").get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert "部分满足" in cells and "良" in cells
    assert "partial" not in cells and "good" not in cells
    results = _text(client.get(f"/tenders/{setup.id}/results").get_data(as_text=True))
    assert "部分满足" in results and not re.search(r"\bpartial\b", results)
