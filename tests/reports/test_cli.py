"""`selector report` and `selector export`, from files and from the database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from selector.cli import main
from tests.reports.conftest import CRITERIA, EXAMPLE, pdf_pages

FILE_ARGS = [
    "--criteria", str(CRITERIA), "--bids", str(EXAMPLE / "bids.csv"),
    "--scores", str(EXAMPLE / "scores.csv"), "--consensus", str(EXAMPLE / "consensus.csv"),
    "--rates", str(EXAMPLE / "rates.csv"),
]


def _json_ranking() -> list[dict[str, Any]]:
    outcome = CliRunner().invoke(main, ["score", *FILE_ARGS, "--json"])
    assert outcome.exit_code == 0, outcome.output
    ranking: list[dict[str, Any]] = json.loads(outcome.stdout)["ranking"]
    return ranking


def test_report_from_files_writes_the_pdf_and_says_what_it_is_doing(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    outcome = CliRunner().invoke(main, ["report", *FILE_ARGS, "--lang", "en",
                                        "--title", "CRM tender 2026", "-o", str(out)])
    assert outcome.exit_code == 0, outcome.output
    assert "laying out the pages" in outcome.stderr
    assert f"wrote {out}" in outcome.stderr
    assert outcome.stdout == ""
    pages = pdf_pages(out.read_bytes())
    assert "CRM tender 2026" in pages[0]
    summary = next(p for p in pages[1:] if "Executive summary" in p)
    for row in _json_ranking():
        assert f"{row['rank']} {row['vendor']} {row['total']:.2f}" in summary


def test_report_quiet_prints_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    outcome = CliRunner().invoke(main, ["report", *FILE_ARGS, "-q", "-o", str(out)])
    assert outcome.exit_code == 0
    assert outcome.output == ""
    assert out.read_bytes()[:5] == b"%PDF-"


def test_report_needs_a_tender_or_the_files(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "r.pdf")])
    assert outcome.exit_code == 2
    assert "--criteria" in outcome.stderr and "TENDER_ID" in outcome.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_report_on_bad_input_exits_2_naming_the_problem(tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text("evaluator,vendor,criterion,value\ne1,Acme,no_such_criterion,full\n")
    args = ["report", "--criteria", str(CRITERIA), "--bids", str(EXAMPLE / "bids.csv"),
            "--rates", str(EXAMPLE / "rates.csv"), "--scores", str(scores),
            "-o", str(tmp_path / "r.pdf")]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 2
    assert "no_such_criterion" in outcome.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_export_writes_a_workbook_and_a_csv_sheet(tmp_path: Path) -> None:
    book = tmp_path / "tender.xlsx"
    outcome = CliRunner().invoke(main, ["export", *FILE_ARGS, "-q", "-o", str(book)])
    assert outcome.exit_code == 0, outcome.output
    workbook = openpyxl.load_workbook(io.BytesIO(book.read_bytes()))
    assert workbook.sheetnames[:8] == ["Summary", "Groups", "Points", "Weights", "Entries",
                                       "Bids", "Consensus", "Rates"]
    sheet = tmp_path / "entries.csv"
    outcome = CliRunner().invoke(main, ["export", *FILE_ARGS, "-q", "--sheet", "entries",
                                        "-o", str(sheet)])
    assert outcome.exit_code == 0, outcome.output
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbfevaluator,vendor,criterion,value,comment")


def test_export_to_csv_needs_a_sheet(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(main, ["export", *FILE_ARGS, "-o", str(tmp_path / "x.csv")])
    assert outcome.exit_code == 2
    assert "--sheet" in outcome.stderr


# --- from the database ---------------------------------------------------------------------


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An empty SQLite database with the demo tenders loaded by `selector demo`."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'selector.db'}",
           "SECRET_KEY": "test-secret-key",
           "SELECTOR_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    for args in (["init-db"], ["demo", "--password", "demo-password-1"]):
        outcome = runner.invoke(main, args)
        assert outcome.exit_code == 0, outcome.output
    return env


def test_report_from_the_database_matches_the_files(demo_db: dict[str, str],
                                                    tmp_path: Path) -> None:
    out = tmp_path / "db.pdf"
    outcome = CliRunner().invoke(main, ["report", "1", "--lang", "zh", "-o", str(out)])
    assert outcome.exit_code == 0, outcome.output
    assert "reading tender 1 from the database" in outcome.stderr
    pages = pdf_pages(out.read_bytes())
    assert "CRM system selection" in pages[0] or "CRM" in pages[0]
    summary = next(p for p in pages[1:] if "评审结论摘要" in p)
    for row in _json_ranking():
        assert f"{row['rank']} {row['vendor']} {row['total']:.2f}" in summary
    signoff = " ".join(next(p for p in reversed(pages) if "签字页" in p).split())
    assert "无利益冲突" in signoff


def test_report_and_export_of_an_unknown_tender_exit_2(demo_db: dict[str, str],
                                                       tmp_path: Path) -> None:
    for command, name in (("report", "r.pdf"), ("export", "t.xlsx")):
        outcome = CliRunner().invoke(main, [command, "999", "-o", str(tmp_path / name)])
        assert outcome.exit_code == 2
        assert "999" in outcome.stderr


def test_export_from_the_database(demo_db: dict[str, str], tmp_path: Path) -> None:
    book = tmp_path / "tender.xlsx"
    outcome = CliRunner().invoke(main, ["export", "1", "-q", "-o", str(book)])
    assert outcome.exit_code == 0, outcome.output
    workbook = openpyxl.load_workbook(io.BytesIO(book.read_bytes()))
    vendors = [row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)]
    assert vendors[: len(_json_ranking())] == [row["vendor"] for row in _json_ranking()]


def test_reading_a_tender_from_the_database_does_not_build_the_web_app(
    demo_db: dict[str, str],
) -> None:
    script = (
        "import sys\n"
        "from selector.commands.report import load_result\n"
        "result, extras = load_result(1, {}, lambda message: None, lang='en')\n"
        "print(result.winner, extras['tender_name'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('selector.web', 'flask_'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        env={**os.environ, **demo_db},
    )
    winner_line, modules = done.stdout.strip().splitlines()
    assert "CRM" in winner_line
    assert modules == "[]"
