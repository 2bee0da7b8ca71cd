"""The CSV export: formula-like texts made inert, sheets that re-import.

The workbook (formulas, LibreOffice recalculation, --workbook) is tested in test_workbook.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.reports.export import export_csv, neutralise
from selector.scoring.model import Result
from selector.scoring.serialize import result_to_json
from tests.reports.conftest import CRITERIA


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  "＝1", "＋1", "－1", "＠x"])
def test_a_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "5 = five", "", 3, -2.5, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


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
