"""The live workbook: formulas that a spreadsheet program recalculates to the app's totals,
sheets in the workbook's language, and inputs that `selector score --workbook` reads back.

LibreOffice (Debian's libreoffice-calc-nogui, installed by `make test`) recalculates the
workbooks headless: `soffice --convert-to xlsx` loads a file whose formulas have no cached
values, computes them and writes the values, which openpyxl then reads with data_only.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.reports.workbook import build_workbook, formula_cells, safe_slug, workbook_filename
from selector.scoring.engine import evaluate
from selector.scoring.model import Result
from selector.scoring.serialize import display, result_to_json
from tests.reports.conftest import (
    CRITERIA,
    EXAMPLE,
    HOSTILE_COMMENTS,
    HOSTILE_NAME,
    _rewrite,
    example_files,
    save_artifact,
    score_files,
)

FORMULA_NAME = "=2+3 Systems"  # a vendor whose name a spreadsheet would run


def recalculate(data: bytes, directory: Path) -> Any:
    """The workbook after LibreOffice has recalculated it: openpyxl with cached values."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    source = directory / "in" / "book.xlsx"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    out = directory / "out"
    subprocess.run(
        [soffice, "--headless", "--norestore",
         f"-env:UserInstallation={(directory / 'lo').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return openpyxl.load_workbook(out / "book.xlsx", data_only=True)


def rows(sheet: Any) -> list[dict[str, Any]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:] if any(row)]


@pytest.fixture(scope="module")
def formula_named_result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The example tender with one vendor named like a formula, and hostile comments."""
    directory = tmp_path_factory.mktemp("formula-named")
    shutil.copytree(EXAMPLE, directory, dirs_exist_ok=True)

    def rename(row: dict[str, str]) -> dict[str, str]:
        if row.get("vendor") == "Everbright":
            row["vendor"] = FORMULA_NAME
            if "comment" in row:
                row["comment"] = HOSTILE_COMMENTS[2]
        if row.get("vendor") == "Aurora Cloud" and "comment" in row:
            row["comment"] = HOSTILE_NAME
        return row

    for name in ("bids.csv", "consensus.csv", "scores.csv"):
        _rewrite(directory / name, rename)
    return score_files(example_files(directory))


@pytest.fixture(scope="module")
def recalculated(example_result: Result, formula_named_result: Result,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example in both languages and the formula-named tender, recalculated."""
    books = {}
    for key, result, lang in (("zh", example_result, "zh"), ("en", example_result, "en"),
                              ("hostile", formula_named_result, "zh")):
        _name, _mime, data = build_workbook(result, lang, {"title": "CRM 选型 2026"})
        save_artifact(f"workbook-{key}.xlsx", data)
        books[key] = recalculate(data, tmp_path_factory.mktemp(f"lo-{key}"))
    return books


# --- formulas -----------------------------------------------------------------------------


def test_totals_ranks_group_scores_and_bid_totals_are_formulas(example_result: Result) -> None:
    data = build_workbook(example_result, "en")[2]
    book = openpyxl.load_workbook(io.BytesIO(data))
    summary = book["Summary"]
    header = [c.value for c in summary[1]]
    for row in range(2, 2 + len(example_result.ranking)):
        record = {h: summary.cell(row=row, column=i).value for i, h in enumerate(header, 1)}
        assert str(record["Rank"]).startswith("=1+SUMPRODUCT(")
        assert str(record["Total"]).startswith("=ROUND(ROUND(SUM(")
        assert str(record["Total bid (CNY)"]).startswith("=ROUND(SUMIFS('Bids'!")
        assert str(record["Price"]).startswith("='Groups'!")
    groups = book["Groups"]
    assert str(groups["E2"].value).startswith("=IF($D2=0,0,$C2*SUM('Points'!")
    assert groups["C2"].value == "='Weights'!$C$2"
    weights = [row[2] for row in book["Weights"].iter_rows(min_row=2, values_only=True)
               if row[0]]
    assert all(isinstance(w, int | float) for w in weights) and sum(weights) == 100


def test_the_recalculated_totals_ranks_and_bids_equal_the_json(
    recalculated: dict[str, Any], example_result: Result
) -> None:
    expected = result_to_json(example_result)
    for lang, sheet in (("zh", "汇总"), ("en", "Summary")):
        summary = list(recalculated[lang][sheet].iter_rows(min_row=2, values_only=True))
        ranked = summary[: len(expected["ranking"])]
        assert [(r[0], r[1], r[2]) for r in ranked] == [
            (row["rank"], row["vendor"], row["total"]) for row in expected["ranking"]]
        assert [r[3] for r in ranked] == [float(row["bid_total"]) for row in expected["ranking"]]
        groups = [g for g in example_result.template.groups if g.weight > 0]
        for r, row in zip(ranked, expected["ranking"], strict=True):
            assert [round(v, 2) for v in r[4:4 + len(groups)]] == [
                row["groups"][g.id] for g in groups]
        disqualified = summary[len(expected["ranking"]):]
        assert [(r[0], r[1], r[2]) for r in disqualified] == [
            (None, d["vendor"], None) for d in expected["disqualified"]]
        assert disqualified[0][-1]  # the reason


def test_a_changed_weight_moves_the_totals_as_the_app_would_score_them(
    example_result: Result, tmp_path: Path
) -> None:
    data = build_workbook(example_result, "en")[2]
    book = openpyxl.load_workbook(io.BytesIO(data))
    weights = book["Weights"]
    changed = {"price": Decimal(20), "functional": Decimal(45)}
    for row in range(2, weights.max_row + 1):
        group = weights.cell(row=row, column=1).value
        if group in changed:
            weights.cell(row=row, column=3).value = float(changed[group])
    assert set(changed) <= {weights.cell(row=r, column=1).value
                            for r in range(2, weights.max_row + 1)}
    buffer = io.BytesIO()
    book.save(buffer)
    recalculated = recalculate(buffer.getvalue(), tmp_path)
    template = example_result.template
    reweighted = dataclasses.replace(template, groups=tuple(
        dataclasses.replace(g, weight=changed.get(g.id, g.weight)) for g in template.groups))
    again = evaluate(dataclasses.replace(example_result.input, template=reweighted))
    by_vendor = {r[1]: r for r in recalculated["Summary"].iter_rows(min_row=2, values_only=True)}
    assert {v.vendor: (by_vendor[v.vendor][0], by_vendor[v.vendor][2]) for v in again.ranking} == {
        v.vendor: (v.rank, float(v.total)) for v in again.ranking if v.total is not None}
    assert [v.vendor for v in again.ranking] != [v.vendor for v in example_result.ranking]


def test_no_formula_holds_a_text_a_person_typed(formula_named_result: Result) -> None:
    data = build_workbook(formula_named_result, "zh")[2]
    sheets = "|".join(re.escape(f"'{n}'") for n in ("汇总", "分组得分", "单项得分", "权重", "报价"))
    reference = rf"(?:(?:{sheets})!)?\$?[A-Z]{{1,3}}\$?[0-9]+(?::\$?[A-Z]{{1,3}}\$?[0-9]+)?"
    functions = "ROUND|SUM|SUMIFS|SUMPRODUCT|ISNUMBER|IF"
    allowed = re.compile(rf"^=(?:{reference}|{functions}|[-0-9.,()*/+<>=])+$")
    formulas = list(formula_cells(data))
    assert formulas
    for sheet, cell, formula in formulas:
        assert allowed.match(formula), (sheet, cell, formula)
        assert sheet in ("汇总", "分组得分", "权重", "报价"), (sheet, cell)
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = [cell.value for ws in book.worksheets for row in ws.iter_rows() for cell in row
             if cell.data_type == "s"]
    assert "'" + FORMULA_NAME in texts and FORMULA_NAME not in texts
    assert "'" + HOSTILE_COMMENTS[2] in texts
    assert HOSTILE_NAME in texts
    assert not [t for t in texts if re.match("^[=+\\-@\t\r＝＋－＠]", t)]


def test_the_formula_named_vendor_is_recalculated_as_text(recalculated: dict[str, Any],
                                                         formula_named_result: Result) -> None:
    summary = list(recalculated["hostile"]["汇总"].iter_rows(min_row=2, values_only=True))
    vendors = [r[1] for r in summary]
    assert "'" + FORMULA_NAME in vendors and 5 not in vendors
    expected = result_to_json(formula_named_result)["ranking"]
    assert [(r[0], r[2]) for r in summary[: len(expected)]] == [
        (row["rank"], row["total"]) for row in expected]


# --- the reading of a person ---------------------------------------------------------------


def test_a_chinese_workbook_has_chinese_sheets_headers_and_values(example_result: Result) -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(example_result, "zh")[2]))
    assert book.sheetnames == ["汇总", "分组得分", "单项得分", "权重", "评分录入", "报价", "共识",
                               "汇率", "提示", "计算方法"]
    assert [c.value for c in book["评分录入"][1]] == ["评委", "供应商", "评分项", "评分项名称",
                                                   "评分值", "备注"]
    values = {row[4] for row in book["评分录入"].iter_rows(min_row=2, values_only=True)}
    assert {"满足", "部分满足", "不满足", "通过", "不通过"} <= values
    assert not values & {"full", "partial", "pass", "fail"}
    points = {v for row in book["单项得分"].iter_rows(min_row=2, values_only=True) for v in row}
    assert {"通过", "不通过"} <= points
    assert not any(isinstance(v, str) and "fail" in v for v in points)
    assert {row[2] for row in book["共识"].iter_rows(min_row=2, values_only=True)} == {
        "部分满足", "能提供"}


def test_figures_have_number_formats_and_sheets_frozen_headers_filters_and_widths(
    example_result: Result,
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(example_result, "en")[2]))
    summary = book["Summary"]
    assert summary["C2"].number_format == "#,##0.00"
    assert summary["D2"].number_format == "#,##0.00"
    points = [cell for row in book["Points"].iter_rows(min_row=2, min_col=7) for cell in row
              if isinstance(cell.value, int | float)]
    assert points and {cell.number_format for cell in points} == {"#,##0.00"}
    assert book["Bids"]["C2"].number_format == "#,##0.00"
    for ws in book.worksheets:
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.column_dimensions["B"].width > 8, ws.title
    assert "Band" not in [c.value for c in summary[1]]  # the CRM template has no bands


def test_the_file_is_named_after_the_tender_and_its_language(example_result: Result) -> None:
    name, mimetype, _data = build_workbook(example_result, "zh", {"tender_name": "CRM 选型/2026"})
    assert name == "CRM-选型-2026-zh.xlsx"
    assert mimetype.startswith("application/vnd.openxmlformats")
    assert workbook_filename("../../etc/passwd", "en") == "etc-passwd-en.xlsx"
    assert safe_slug('a"b\r\nc') == "a-b-c"
    assert safe_slug("...") == "tender"


# --- reading it back -----------------------------------------------------------------------


def _score_json(args: list[str]) -> dict[str, Any]:
    outcome = CliRunner().invoke(main, ["score", "--criteria", str(CRITERIA), *args, "--json"])
    assert outcome.exit_code == 0, outcome.output
    payload: dict[str, Any] = json.loads(outcome.stdout)
    return payload


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_score_workbook_reproduces_the_ranking_and_the_fingerprint(
    example_result: Result, tmp_path: Path, lang: str
) -> None:
    book = tmp_path / "tender.xlsx"
    book.write_bytes(build_workbook(example_result, lang)[2])
    again = _score_json(["--workbook", str(book)])
    original = result_to_json(example_result)
    for key in ("ranking", "disqualified", "points", "fingerprint", "method", "currency"):
        assert again[key] == original[key], key


def test_a_formula_named_vendor_and_its_comments_come_back_as_typed(
    formula_named_result: Result, tmp_path: Path
) -> None:
    book = tmp_path / "tender.xlsx"
    book.write_bytes(build_workbook(formula_named_result, "zh")[2])
    again = _score_json(["--workbook", str(book)])
    assert again["fingerprint"] == result_to_json(formula_named_result)["fingerprint"]
    assert FORMULA_NAME in {row["vendor"] for row in again["ranking"]}


def test_a_trimmed_mean_tender_keeps_its_method_through_the_workbook(
    example_result: Result, tmp_path: Path
) -> None:
    trimmed = evaluate(dataclasses.replace(example_result.input, method="trimmed"))
    book = tmp_path / "tender.xlsx"
    book.write_bytes(build_workbook(trimmed, "en")[2])
    again = _score_json(["--workbook", str(book)])
    assert again["method"] == "trimmed"
    assert again["fingerprint"] == result_to_json(trimmed)["fingerprint"]
    assert [r["total"] for r in again["ranking"]] == [display(r.total) for r in trimmed.ranking]


def test_a_workbook_without_the_input_sheets_is_refused_naming_them(tmp_path: Path) -> None:
    book = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(book)
    outcome = CliRunner().invoke(main, ["score", "--criteria", str(CRITERIA), "--workbook",
                                        str(book), "--lang", "zh"])
    assert outcome.exit_code == 2
    assert "评分录入" in outcome.stderr and "报价" in outcome.stderr
    assert outcome.stdout == ""


def test_workbook_and_the_csv_files_are_not_given_together(tmp_path: Path,
                                                           example_result: Result) -> None:
    book = tmp_path / "tender.xlsx"
    book.write_bytes(build_workbook(example_result, "en")[2])
    outcome = CliRunner().invoke(main, ["score", "--criteria", str(CRITERIA), "--workbook",
                                        str(book), "--bids", str(EXAMPLE / "bids.csv")])
    assert outcome.exit_code == 2
    assert "--bids" in outcome.stderr
    outcome = CliRunner().invoke(main, ["score", "--criteria", str(CRITERIA)])
    assert outcome.exit_code == 2
    assert "--workbook" in outcome.stderr
