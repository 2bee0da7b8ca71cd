"""Hostile files and arguments on the command line: a clean error (exit 1 or 2, the problem
named, no traceback), never a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "crm-tender"
CRM = ROOT / "criteria" / "crm_selection.yaml"
MINI = (ROOT / "tests" / "web" / "data" / "mini.yaml").read_text(encoding="utf-8")


def _clean_failure(result, named: str, codes=(1, 2)) -> None:
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert named in result.output
    assert "Traceback" not in result.output


TEMPLATES = {
    "300 nested sequences": ("[" * 300 + "]" * 300, "nested more than 20 deep"),
    "an integer of 5000 digits": (
        MINI.replace("max: 5\n", "max: " + "9" * 5000 + "\n", 1),
        "a number of 5000 characters",
    ),
    "a step of 1e-31": (MINI.replace("step: 0.5", "step: 1.0e-31"), "template number"),
    "a NUL escape": (MINI.replace("en: Functional fit", 'en: "F\\0"'), "U+0000"),
}


@pytest.mark.parametrize("what", sorted(TEMPLATES))
def test_criteria_check_refuses_a_hostile_template_cleanly(tmp_path, what):
    text, named = TEMPLATES[what]
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    _clean_failure(CliRunner().invoke(main, ["criteria", "check", str(path)]), named)


@pytest.fixture
def tender(tmp_path: Path) -> Path:
    folder = tmp_path / "tender"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _score(folder: Path):
    return CliRunner().invoke(
        main,
        [
            "score",
            "--criteria",
            str(CRM),
            "--bids",
            str(folder / "bids.csv"),
            "--scores",
            str(folder / "scores.csv"),
            "--rates",
            str(folder / "rates.csv"),
        ],
    )


@pytest.mark.parametrize(
    ("file", "edit", "named"),
    [
        ("scores.csv", lambda t: t.replace(",", ",\x00", 1).replace("\n", "\n", 1), "U+0000"),
        ("scores.csv", lambda t: t + "e1,Acme,x\x0by,full\n", "U+000B"),
        ("bids.csv", lambda t: t.replace("\n", "\nA\x1bB,software,5\n", 1), "U+001B"),
        ("rates.csv", lambda t: t + "EUR,1e-999999999999\n", "rate"),
        ("bids.csv", lambda t: t + "Zed,x," + "9" * 5000 + "\n", "bids.csv"),
        ("bids.csv", lambda t: t.replace("700800.00", "1e999999999"), "bids.csv"),
        ("bids.csv", lambda t: t.replace("700800.00", "9" * 5000), "bids.csv"),
    ],
)
def test_score_refuses_hostile_files_cleanly(tender, file, edit, named):
    path = tender / file
    path.write_text(edit(path.read_text(encoding="utf-8-sig")), encoding="utf-8")
    _clean_failure(_score(tender), named, codes=(2,))


def test_user_create_refuses_a_control_character_in_the_name(runner):
    result = runner.invoke(
        [
            "user",
            "create",
            "erin",
            "--role",
            "chair",
            "--name",
            "Er\x00in",
            "--password",
            "correct-horse-1",
        ]
    )
    _clean_failure(result, "control character U+0000")


def test_user_create_refuses_a_malformed_username(runner):
    result = runner.invoke(
        ["user", "create", "er\x00in", "--role", "chair", "--password", "correct-horse-1"]
    )
    _clean_failure(result, "U+0000")
