"""Letters to the bidders: one page per vendor with its total, group scores, rank among N,
the winner's name and total, and the reason of a disqualification (pypdf's text)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.reports.letters import MANIFEST, letter_from_zip, letter_pdfs, letters_zip
from selector.scoring.model import Result
from selector.scoring.numbers import points
from tests.reports.conftest import CRITERIA, EXAMPLE, pdf_pages, save_artifact

EXTRAS = {"tender_name": "CRM 系统选型 2026", "state": "finalised",
          "chair": {"name": "Chair Person", "username": "chair"}}


def _flat(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages(pdf)).split())


@pytest.fixture(scope="module")
def letters(example_result: Result) -> dict[str, dict[str, str]]:
    """vendor -> the text of its letter, per language; every letter is one page."""
    out: dict[str, dict[str, str]] = {}
    for lang in ("zh", "en"):
        out[lang] = {}
        for number, (vendor, pdf) in enumerate(letter_pdfs(example_result, lang, EXTRAS)):
            assert len(pdf_pages(pdf)) == 1, (lang, vendor)
            save_artifact(f"letter-{lang}-{number + 1}.pdf", pdf)
            out[lang][vendor] = _flat(pdf)
    return out


def test_every_vendor_gets_a_one_page_letter_in_each_language(
    letters: dict[str, dict[str, str]], example_result: Result
) -> None:
    for lang in ("zh", "en"):
        assert set(letters[lang]) == set(example_result.input.vendors)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_ranked_bidder_reads_its_total_groups_rank_and_the_winner(
    letters: dict[str, dict[str, str]], example_result: Result, lang: str
) -> None:
    winner = example_result.ranking[0]
    second = example_result.ranking[1]
    text = letters[lang][second.vendor]
    n = len(example_result.ranking)
    if lang == "zh":
        bare = "".join(text.split())  # a line may break inside a Chinese phrase
        assert f"总分为{points(second.total)}分" in bare
        assert f"在{n}家有效投标人中排名第{second.rank}" in bare
        assert f"中标候选人为{winner.vendor}，总分{points(winner.total)}分" in bare
    else:
        assert f"scored {points(second.total)} points out of 100" in text
        assert f"ranked {second.rank} of {n} qualified bids" in text
        assert f"awarded to {winner.vendor}, whose bid scored {points(winner.total)}" in text
    for group in example_result.template.groups:
        if group.weight > 0:
            assert group.title.get(lang) in text
            assert points(second.groups[group.id]) in text
    assert "Chair Person" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_winner_is_told_it_ranked_first(
    letters: dict[str, dict[str, str]], example_result: Result, lang: str
) -> None:
    winner = example_result.ranking[0]
    text = letters[lang][winner.vendor]
    assert ("排名第 1" in text) if lang == "zh" else ("ranked first of" in text)
    assert points(winner.total) in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_disqualified_bidder_is_told_why_and_who_won(
    letters: dict[str, dict[str, str]], example_result: Result, lang: str
) -> None:
    dq = example_result.disqualified[0]
    gate = example_result.template.criterion(dq.criterion)
    assert gate is not None
    text = letters[lang][dq.vendor]
    assert gate.title.get(lang) in text
    assert ("未参与排名" in text) if lang == "zh" else ("was not ranked" in text)
    bare = "".join(text.split())  # a line may break inside a Chinese name
    assert "".join(example_result.ranking[0].vendor.split()) in bare
    assert f"{dq.fails}" in text and f"{dq.of}" in text


def test_a_draft_letter_says_so(example_result: Result) -> None:
    vendor, pdf = letter_pdfs(example_result, "en", {**EXTRAS, "state": "closed"})[0]
    assert "DRAFT" in _flat(pdf)


def test_the_zip_holds_every_letter_and_a_manifest(example_result: Result) -> None:
    data = letters_zip(example_result, "zh", EXTRAS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        assert set(manifest) == set(example_result.input.vendors)
        assert all(name.endswith("-zh.pdf") and "/" not in name for name in manifest.values())
    found = letter_from_zip(data, "华云软件")
    assert found is not None and found[1][:5] == b"%PDF-"
    assert letter_from_zip(data, "nobody") is None


def test_selector_report_letters_writes_a_directory_of_letters(tmp_path: Path) -> None:
    out = tmp_path / "letters"
    outcome = CliRunner().invoke(main, [
        "report", "--criteria", str(CRITERIA), "--bids", str(EXAMPLE / "bids.csv"),
        "--scores", str(EXAMPLE / "scores.csv"), "--consensus", str(EXAMPLE / "consensus.csv"),
        "--rates", str(EXAMPLE / "rates.csv"), "--lang", "en", "--letters", str(out), "-q"])
    assert outcome.exit_code == 0, outcome.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 5 and (out / "letters.zip").exists()
    assert any("Dear Aurora Cloud," in _flat(p.read_bytes()) for p in pdfs)


def test_selector_report_needs_an_output_or_letters(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(main, ["report", "--criteria", str(CRITERIA)])
    assert outcome.exit_code == 2 and "-o" in outcome.stderr
