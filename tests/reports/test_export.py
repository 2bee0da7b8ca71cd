"""The spreadsheet export: no formula cells, numbers as numbers, sheets that re-import."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.reports.export import SHEETS, export_csv, export_xlsx, neutralise
from selector.scoring.model import Result
from selector.scoring.serialize import result_to_json
from tests.reports.conftest import CRITERIA, HOSTILE_COMMENTS, HOSTILE_NAME, save_artifact


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  "＝1", "＋1", "－1", "＠x"])
def test_a_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "5 = five", "", 3, -2.5, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def _sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"}


def test_the_workbook_has_every_sheet_and_no_formula_cell(hostile_result: Result) -> None:
    name, mimetype, data = export_xlsx(hostile_result, "zh")
    save_artifact("export.xlsx", data)
    assert name.endswith(".xlsx")
    assert mimetype.startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == list(SHEETS)
    parts = _sheet_xml(data)
    for part, xml in parts.items():
        assert "<f>" not in xml and "<f " not in xml, part
        assert 't="str"' not in xml, part
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not re.match("^[=+\\-@\t\r＝＋－＠]", cell.value), cell.value


def test_hostile_text_is_kept_but_inert(hostile_result: Result) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(export_xlsx(hostile_result, "en")[2]))
    comments = {row[4] for row in workbook["Entries"].iter_rows(min_row=2, values_only=True)}
    formula = next(c for c in HOSTILE_COMMENTS if c.startswith("="))
    assert "'" + formula in comments
    assert HOSTILE_COMMENTS[0] in comments
    vendors = {row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert HOSTILE_NAME in vendors


def test_numbers_stay_numbers(example_result: Result) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(export_xlsx(example_result, "en")[2]))
    summary = workbook["Summary"]
    header = [c.value for c in summary[1]]
    expected = result_to_json(example_result)["ranking"]
    for row, ranked in zip(summary.iter_rows(min_row=2, values_only=True), expected,
                           strict=False):
        record = dict(zip(header, row, strict=True))
        assert record["rank"] == ranked["rank"]
        assert isinstance(record["total"], float) and record["total"] == ranked["total"]
        assert record["vendor"] == ranked["vendor"]
    bids = workbook["Bids"]
    amounts = [row[2] for row in bids.iter_rows(min_row=2, values_only=True)]
    assert amounts and all(isinstance(amount, int | float) for amount in amounts)


def test_csv_is_utf8_with_a_byte_order_mark(example_result: Result) -> None:
    name, mimetype, data = export_csv(example_result, "Summary", "zh")
    assert name.endswith("-summary.csv")
    assert mimetype.startswith("text/csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "华云软件" in data.decode("utf-8-sig")


def test_an_unknown_sheet_is_refused(example_result: Result) -> None:
    with pytest.raises(ValueError, match="unknown sheet"):
        export_csv(example_result, "Secrets")


def test_the_entries_and_bids_sheets_re_import_to_the_same_ranking(
    example_result: Result, tmp_path: Path
) -> None:
    files = {}
    for sheet in ("Entries", "Bids", "Consensus", "Rates"):
        path = tmp_path / f"{sheet.lower()}.csv"
        path.write_bytes(export_csv(example_result, sheet, "zh")[2])
        files[sheet] = path
    outcome = CliRunner().invoke(main, [
        "score", "--criteria", str(CRITERIA), "--scores", str(files["Entries"]),
        "--bids", str(files["Bids"]), "--consensus", str(files["Consensus"]),
        "--rates", str(files["Rates"]), "--json",
    ])
    assert outcome.exit_code == 0, outcome.output
    again = json.loads(outcome.stdout)
    original = result_to_json(example_result)
    assert again["ranking"] == original["ranking"]
    assert again["disqualified"] == original["disqualified"]
    assert again["points"] == original["points"]
    assert again["fingerprint"] == original["fingerprint"]
