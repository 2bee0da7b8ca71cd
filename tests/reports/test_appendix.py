"""The leadership report is the decision; the per-input evidence ledger is its appendix,
rendered on request. Both read in both languages (pypdf's text)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.reports.context import build_context
from selector.reports.ledger import Column, header_lines
from selector.reports.pdf import render_pdf
from selector.scoring.engine import evaluate
from selector.scoring.model import Band, Result, Text
from tests.reports.conftest import CRITERIA, EXAMPLE, pdf_pages, save_artifact

COMMITTEE = [{"name": "Evaluator 1 / 评委1", "username": "evaluator1", "role": "evaluator"}]
TITLES = {
    "zh": ("评审结论摘要", "稳定性摘要", "分组与评分项明细", "价格评审", "评分方法附录", "签字页"),
    "en": ("Executive summary", "Stability summary", "Group and criterion detail",
           "Price evaluation", "Method appendix", "Sign-off"),
}
INPUTS = {"zh": "各评委评分", "en": "Evaluators' inputs"}
APPENDIX = {"zh": "附录:逐项评分证据", "en": "Appendix: evidence ledger"}
POINTER = {"zh": "见附录", "en": "is in an appendix"}


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages(pdf)).split())


@pytest.fixture(scope="module")
def rendered(example_result: Result) -> dict[tuple[str, bool], bytes]:
    out = {}
    for lang in ("zh", "en"):
        for appendix in (False, True):
            pdf = render_pdf(build_context(example_result, lang, {"committee": COMMITTEE},
                                           appendix=appendix))
            save_artifact(f"{'appendix' if appendix else 'leadership'}-{lang}.pdf", pdf)
            out[(lang, appendix)] = pdf
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_leadership_report_is_the_decision_without_the_evidence_ledger(
    rendered: dict[tuple[str, bool], bytes], example_result: Result, lang: str
) -> None:
    pages = pdf_pages(rendered[(lang, False)])
    text = _text(rendered[(lang, False)])
    for title in TITLES[lang]:
        assert title in text, title
    assert not any(INPUTS[lang] in page.split("\n")[1:3] for page in pages)
    first = example_result.input.entries[0]
    legend = f"1 = {first.evaluator}"
    assert legend not in text  # the evaluators' legend belongs to the ledger
    assert POINTER[lang] in text  # the cover says where the evidence is


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_appendix_holds_every_evaluators_input_comments_and_consensus_reasons(
    rendered: dict[tuple[str, bool], bytes], example_result: Result, lang: str
) -> None:
    text = _text(rendered[(lang, True)])
    assert APPENDIX[lang] in text and INPUTS[lang] in text
    for vendor in example_result.input.vendors:
        assert vendor in text
    comment = next(e.comment for e in example_result.input.entries if e.comment)
    assert " ".join(comment.split())[:20] in text
    for agreed in example_result.input.consensus:
        assert " ".join(agreed.reason.split())[:30] in text
    assert len(pdf_pages(rendered[(lang, True)])) < len(pdf_pages(rendered[(lang, False)]))


def test_the_committee_line_is_the_name_and_the_role(
    rendered: dict[tuple[str, bool], bytes]
) -> None:
    cover = " ".join(pdf_pages(rendered[("en", False)])[0].split())
    assert "Evaluator 1 / 评委1 (Evaluator)" in cover
    assert "(evaluator1)" not in cover
    cover_zh = " ".join(pdf_pages(rendered[("zh", False)])[0].split())
    assert "Evaluator 1 / 评委1 (评委)" in cover_zh


def test_long_group_names_are_not_hyphenated_in_the_summary_header(
    rendered: dict[tuple[str, bool], bytes]
) -> None:
    summary = next(p for p in pdf_pages(rendered[("en", False)])[1:] if "Executive summary" in p)
    words = summary.split()
    assert "Functional" in words and "requirements" in words
    assert "\u2010" not in summary and "Func-" not in summary and "‐" not in summary


def test_no_band_column_without_bands_and_one_with_them(
    rendered: dict[tuple[str, bool], bytes], example_result: Result
) -> None:
    summary = next(p for p in pdf_pages(rendered[("en", False)])[1:] if "Executive summary" in p)
    assert "Band" not in summary
    template = dataclasses.replace(example_result.template, bands=(
        Band("good", Decimal(75), Text(zh="良好", en="Good")),
        Band("fair", Decimal(0), Text(zh="一般", en="Fair"))))
    banded = evaluate(dataclasses.replace(example_result.input, template=template))
    pdf = render_pdf(build_context(banded, "en"))
    summary = next(p for p in pdf_pages(pdf)[1:] if "Executive summary" in p)
    assert "Band" in summary and "Good" in summary and "Fair" in summary


def test_selector_report_appendix_writes_the_appendix(tmp_path: Path) -> None:
    out = tmp_path / "appendix.pdf"
    outcome = CliRunner().invoke(main, [
        "report", "--criteria", str(CRITERIA), "--bids", str(EXAMPLE / "bids.csv"),
        "--scores", str(EXAMPLE / "scores.csv"), "--consensus", str(EXAMPLE / "consensus.csv"),
        "--rates", str(EXAMPLE / "rates.csv"), "--lang", "en", "--appendix", "-q",
        "-o", str(out)])
    assert outcome.exit_code == 0, outcome.output
    text = _text(out.read_bytes())
    assert APPENDIX["en"] in text and INPUTS["en"] in text
    assert "Executive summary" not in text


def test_a_ledger_header_breaks_a_chinese_name_between_characters_over_two_lines() -> None:
    # a large tender's matrices name each vendor in a narrow column, over two header lines
    head = header_lines([Column("#", 4, "<"), Column("华为技术有限公司", 10),
                         Column("Vendor 047", 10)], "评分项")
    first, second = head.split("\n")
    assert "华为技术" in first and "有限公司" in second
    assert "Vendor" in first and "047" in second
