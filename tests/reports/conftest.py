"""Fixtures for the report and export tests: the bundled example tender, scored once, and
helpers that turn a PDF into text and a tender's files into a hostile copy."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest

from selector import PROJECT_ROOT
from selector.files.readers import load_evaluation_input
from selector.scoring.engine import evaluate
from selector.scoring.model import Result

EXAMPLE = PROJECT_ROOT / "examples" / "crm-tender"
CRITERIA = PROJECT_ROOT / "criteria" / "crm_selection.yaml"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"

# What a vendor or an evaluator could type to make the renderer fetch or embed something.
HOSTILE_NAME = "<img src=file:///etc/passwd>"
HOSTILE_COMMENTS = (
    "<link rel=attachment href=file:///etc/hostname>",
    "@import url(http://127.0.0.1:9/);",
    "=HYPERLINK(\"http://127.0.0.1:9/\",\"click\")",
    "</td></tr></table><style>*{display:none}</style>",
)


def example_files(directory: Path = EXAMPLE) -> dict[str, Any]:
    """The `selector score` options of the example tender, as keyword arguments."""
    return {
        "criteria": CRITERIA,
        "bids": directory / "bids.csv",
        "scores": directory / "scores.csv",
        "consensus": directory / "consensus.csv",
        "rates_file": directory / "rates.csv",
    }


def score_files(files: dict[str, Any]) -> Result:
    return evaluate(load_evaluation_input(
        files["criteria"], files["bids"], files["scores"], files.get("consensus"),
        rates_file=files.get("rates_file"),
    ))


@pytest.fixture(scope="session")
def example_result() -> Result:
    """The bundled example tender (5 vendors, 5 evaluators), scored with flags."""
    return score_files(example_files())


def _rewrite(path: Path, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = [change(row) for row in reader]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def hostile_copy(directory: Path, vendor: str = "Everbright") -> Path:
    """The example tender with `vendor` renamed to HOSTILE_NAME and hostile comments."""
    shutil.copytree(EXAMPLE, directory, dirs_exist_ok=True)

    def rename(row: dict[str, str]) -> dict[str, str]:
        if row.get("vendor") == vendor:
            row["vendor"] = HOSTILE_NAME
        return row

    counter = {"n": 0}

    def comment(row: dict[str, str]) -> dict[str, str]:
        row = rename(row)
        if row["vendor"] == HOSTILE_NAME:
            row["comment"] = HOSTILE_COMMENTS[counter["n"] % len(HOSTILE_COMMENTS)]
            counter["n"] += 1
        return row

    for name in ("bids.csv", "consensus.csv"):
        _rewrite(directory / name, rename)
    _rewrite(directory / "scores.csv", comment)
    return directory


@pytest.fixture(scope="session")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The example tender with a vendor named like an HTML tag and comments like CSS."""
    return score_files(example_files(hostile_copy(tmp_path_factory.mktemp("hostile"))))


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, as pypdf extracts it."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() or "" for page in reader.pages]


def save_artifact(name: str, data: bytes) -> Path:
    """Keep a file for a person to look at (tests/artifacts/ is git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(data)
    return path
