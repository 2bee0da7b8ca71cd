"""The ranked PDF report: what a reader finds in it, in both languages."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from typing import Any

import pypdf
import pytest

from selector.reports import context
from selector.reports.context import build_context
from selector.reports.html import render_html
from selector.reports.pdf import StaticOnlyFetcher, html_to_pdf, render_pdf
from selector.scoring.checks import DecisionChecks, decision_checks
from selector.scoring.model import Result
from selector.scoring.numbers import points
from selector.scoring.serialize import result_to_json
from tests.reports.conftest import ARTIFACTS, pdf_pages, save_artifact

ZH_TITLES = ("评审结论摘要", "稳定性摘要", "分组与评分项明细", "价格评审", "评分方法附录", "签字页")
EN_TITLES = ("Executive summary", "Stability summary", "Group and criterion detail",
             "Price evaluation", "Method appendix", "Sign-off")


class Rendered:
    """A rendered report with what the renderer logged and fetched."""

    def __init__(self, result: Result, lang: str, extras: dict[str, Any] | None = None,
                 caplog: pytest.LogCaptureFixture | None = None,
                 checks: DecisionChecks | None = None) -> None:
        self.fetcher = StaticOnlyFetcher()
        handler = _ListHandler()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            self.pdf = render_pdf(build_context(result, lang, extras, checks=checks),
                                  self.fetcher)
        finally:
            logger.removeHandler(handler)
        self.warnings = handler.messages
        self.pages = pdf_pages(self.pdf)
        self.text = "\n".join(self.pages)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def zh(example_result: Result) -> Rendered:
    rendered = Rendered(example_result, "zh")
    save_artifact("report-zh.pdf", rendered.pdf)
    return rendered


@pytest.fixture(scope="module")
def en(example_result: Result) -> Rendered:
    rendered = Rendered(example_result, "en")
    save_artifact("report-en.pdf", rendered.pdf)
    return rendered


def summary_page(rendered: Rendered, title: str) -> str:
    return next(page for page in rendered.pages[1:] if title in page)


def test_the_summary_lists_the_vendors_in_rank_order_with_the_json_totals(
    zh: Rendered, example_result: Result
) -> None:
    ranking = result_to_json(example_result)["ranking"]
    page = summary_page(zh, "评审结论摘要")
    table = [line for line in page.splitlines() if re.match(r"\d+ ", line)]
    assert len(table) == len(ranking)
    for line, row in zip(table, ranking, strict=True):
        assert line.startswith(f"{row['rank']} {row['vendor']} {row['total']:.2f} ")
        assert line.endswith(f"{float(row['bid_total']):,.2f}")


def test_every_vendor_has_a_worked_line_that_ends_in_its_total(
    en: Rendered, example_result: Result
) -> None:
    text = " ".join(en.text.split())
    for row in result_to_json(example_result)["ranking"]:
        assert re.search(re.escape(row["vendor"]) + r": .*?→ " + f"{row['total']:.2f}", text)


def test_a_chinese_report_has_chinese_titles_and_an_english_one_english_titles(
    zh: Rendered, en: Rendered
) -> None:
    for title in ZH_TITLES:
        assert title in zh.text
    for title in EN_TITLES:
        assert title in en.text
        assert title not in zh.text
    for title in ZH_TITLES:
        assert title not in en.text


def test_no_glyph_is_missing_and_every_font_is_embedded(zh: Rendered, en: Rendered) -> None:
    for rendered in (zh, en):
        assert "\ufffd" not in rendered.text
        assert not [w for w in rendered.warnings if ".notdef" in w or "font" in w.lower()]
        reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
        fonts = {}
        for page in reader.pages:
            for ref in page["/Resources"].get("/Font", {}).values():
                font = ref.get_object()
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                fonts[str(font["/BaseFont"])] = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert fonts and all(fonts.values()), fonts
        assert any("Noto-Sans-CJK-SC" in name for name in fonts)
        # One weight only: each embedded face is a subset of a 20 MB collection, and writing
        # it costs the example report about a tenth of its time (static/report.css).
        faces = {name.split("+", 1)[-1] for name in fonts}
        assert faces == {"Noto-Sans-CJK-SC", "Noto-Sans-Mono-CJK-SC"}, faces


def test_every_page_has_the_footer_and_the_draft_watermark(zh: Rendered, en: Rendered) -> None:
    for number, page in enumerate(zh.pages, start=1):
        assert f"第 {number} 页 / 共 {len(zh.pages)} 页" in " ".join(page.split())
        assert "草稿" in page
    for number, page in enumerate(en.pages, start=1):
        assert f"Page {number} of {len(en.pages)}" in " ".join(page.split())
        assert "DRAFT" in page


def test_pages_after_the_cover_carry_the_tender_name(en: Rendered, example_result: Result) -> None:
    title = example_result.template.title.get("en")
    assert all(title in page for page in en.pages[1:])


def test_a_finalised_tender_has_no_watermark(example_result: Result) -> None:
    rendered = Rendered(example_result, "en", {"state": "finalised", "title": "Board copy"})
    assert "DRAFT" not in rendered.text
    assert "Finalised" in rendered.pages[0]
    assert "Board copy" in rendered.pages[0]


def test_the_cover_shows_the_fingerprint_that_selector_score_prints(
    zh: Rendered, example_result: Result
) -> None:
    fingerprint = result_to_json(example_result)["fingerprint"]
    assert fingerprint in zh.pages[0].replace("\n", "")


def test_the_stability_page_shows_the_margin_and_the_flags(
    zh: Rendered, example_result: Result
) -> None:
    page = summary_page(zh, "稳定性摘要")
    first, second = example_result.ranking[0], example_result.ranking[1]
    assert first.total is not None and second.total is not None
    assert f"{first.total - second.total:.2f}" in page
    if decision_checks(example_result).flags:
        assert "尚未复核" in zh.text
    else:
        assert "没有提示事项" in page


def test_the_stability_page_shows_the_checks_it_is_given(example_result: Result) -> None:
    computed = decision_checks(example_result)
    assert computed.flags, "the example tender raises flags"
    rendered = Rendered(example_result, "en", checks=DecisionChecks((), computed.sensitivity))
    page = summary_page(rendered, "Stability summary")
    assert "No flags." in page
    assert "Weight break-even points" in page and "Winner without one evaluator" in page


def test_consensus_values_are_marked_and_their_reasons_shown(
    en: Rendered, example_result: Result
) -> None:
    reasons = [" ".join(c.reason.split()) for c in example_result.input.consensus]
    flat = " ".join(en.text.split())
    for reason in reasons:
        assert reason[:40] in flat
    assert "* consensus value" in flat


def test_only_the_stylesheet_and_static_images_are_fetched(zh: Rendered) -> None:
    assert zh.fetcher.refused == []
    assert zh.fetcher.served
    assert all(url.startswith("file://") and "/static/" in url for url in zh.fetcher.served)


def test_a_page_is_turned_into_a_png_for_a_person_to_look_at(zh: Rendered, en: Rendered) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for name, rendered in (("zh", zh), ("en", en)):
        pdf = save_artifact(f"report-{name}.pdf", rendered.pdf)
        for page in (1, 2, 3, 5):
            prefix = ARTIFACTS / f"report-{name}-page{page}"
            subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page),
                            "-l", str(page), str(pdf), str(prefix)], check=True)
            png = prefix.with_suffix(".png")
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_weasyprint_alone_renders_the_same_finished_html(example_result: Result) -> None:
    html = render_html(build_context(example_result, "en"))
    assert html_to_pdf(html)[:5] == b"%PDF-"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_many_vendors_get_ranking_and_worked_ledgers_and_one_line_for_bidders_changing_nothing(
    example_result: Result, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many vendors (over RANKING_TABLE_MAX, BIDDERS_LISTED): the example's five stand in.
    monkeypatch.setattr(context, "RANKING_TABLE_MAX", 2)
    monkeypatch.setattr(context, "BIDDERS_LISTED", 2)
    rendered = Rendered(example_result, lang)
    assert not rendered.warnings
    title = "评审结论摘要" if lang == "zh" else "Executive summary"
    lines = [" ".join(line.split()) for line in summary_page(rendered, title).splitlines()]
    ranking = result_to_json(example_result)["ranking"]
    rows = [line for line in lines if re.match(r"\d+ \d+\.\d\d ", line)]
    assert len(rows) == len(ranking)
    for line, row in zip(rows, ranking, strict=True):
        groups = " ".join(f"{row['groups'][g]:.2f}" for g in row["groups"])
        assert line == (f"{row['rank']} {row['total']:.2f} {groups} "
                        f"{float(row['bid_total']):,.2f} {row['vendor']}")
    # the worked lines as a ledger: each group's points and score, the sum, the total shown
    worked = [" ".join(line.split()) for page in rendered.pages for line in page.splitlines()]
    weighted = [g for g in example_result.template.groups if g.weight and g.max_points]
    for row in ranking:
        line = next(line for line in worked
                    if line.endswith(f"→ {row['total']:.2f} {row['vendor']}"))
        standing = example_result.vendors[row["vendor"]]
        scores = line.split()[1:2 * len(weighted):2]  # points earned, group score, ...
        assert scores == [points(standing.groups[g.id], 4) for g in weighted]
    checks = decision_checks(example_result)
    unchanged = [v for v, w in checks.sensitivity.without_bidder.items()
                 if w == example_result.winner]
    assert unchanged
    flat = " ".join(rendered.text.split())
    if lang == "zh":
        assert (f"去掉其余 {len(unchanged)} 家投标人中的任何一家，第一名仍为 "
                f"{example_result.winner}。") in flat
    else:
        assert (f"Leaving out any one of the other {len(unchanged)} bidders, "
                f"{example_result.winner} stays first.") in flat
