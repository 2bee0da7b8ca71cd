"""The font guard: without a font that has the report's glyphs, no PDF is written.

An empty fontconfig (a configuration that names no font directory) stands for a machine
without fonts-noto-cjk; the commands run in a subprocess that sees only that configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from selector import PROJECT_ROOT
from selector.reports import fonts
from tests.reports.conftest import CRITERIA, EXAMPLE

FILE_ARGS = [
    "--criteria", str(CRITERIA), "--bids", str(EXAMPLE / "bids.csv"),
    "--scores", str(EXAMPLE / "scores.csv"), "--consensus", str(EXAMPLE / "consensus.csv"),
    "--rates", str(EXAMPLE / "rates.csv"),
]


@pytest.fixture
def empty_fontconfig(tmp_path: Path) -> Path:
    return write_empty_fontconfig(tmp_path)


def write_empty_fontconfig(directory: Path) -> Path:
    """A fontconfig configuration with no font directory: fontconfig finds no font."""
    config = directory / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{directory / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return config


def _selector(args: list[str], fontconfig: Path | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if fontconfig is not None:
        env["FONTCONFIG_FILE"] = str(fontconfig)
    return subprocess.run([sys.executable, "-m", "selector", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_chinese_report_without_a_cjk_font_exits_2_naming_the_font_and_the_package(
    empty_fontconfig: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    run = _selector(["report", *FILE_ARGS, "--lang", "zh", "-q", "-o", str(out)],
                    empty_fontconfig)
    assert run.returncode == 2, run.stderr
    assert "Noto Sans CJK SC" in run.stderr and "fonts-noto-cjk" in run.stderr
    assert "请安装" in run.stderr and "错误" in run.stderr
    assert not out.exists()


def test_an_english_report_with_chinese_vendor_names_is_refused_in_english(
    empty_fontconfig: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    run = _selector(["report", *FILE_ARGS, "--lang", "en", "-q", "-o", str(out)],
                    empty_fontconfig)
    assert run.returncode == 2, run.stderr
    assert "Install the Noto Sans CJK SC font (Debian package fonts-noto-cjk)" in run.stderr
    assert "请安装" not in run.stderr
    assert not out.exists()


def test_with_the_fonts_installed_the_same_command_writes_the_pdf(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    run = _selector(["report", *FILE_ARGS, "--lang", "zh", "-q", "-o", str(out)], None)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes()[:5] == b"%PDF-"


def test_the_guard_tells_which_reports_need_cjk_glyphs() -> None:
    assert fonts.needs_cjk("zh")
    assert not fonts.needs_cjk("en", "Acme Ltd, Beta GmbH")
    assert fonts.needs_cjk("en", "Acme Ltd, 华云软件")
    assert fonts.missing_font("zh", "") is None  # this machine has fonts-noto-cjk


def test_the_guard_asks_fontconfig_and_finds_nothing_in_an_empty_configuration(
    empty_fontconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty_fontconfig))
    for lang, text in (("zh", ""), ("en", "Acme")):
        problem = fonts.missing_font(lang, text)
        assert problem is not None
        assert "fonts-noto-cjk" in problem.zh and "fonts-noto-cjk" in problem.en
    monkeypatch.delenv("FONTCONFIG_FILE")
    assert fonts.missing_font("en", "Acme") is None


def test_without_fc_list_the_guard_asks_the_fontconfig_library(empty_fontconfig: Path) -> None:
    code = ("from selector.reports import fonts; "
            "print(fonts._has_font_by_library('zh'), fonts._has_font_by_library('en'))")
    found = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                           text=True, timeout=60, check=True).stdout.split()
    env = {**os.environ, "FONTCONFIG_FILE": str(empty_fontconfig)}
    empty = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert found == ["True", "True"]
    assert empty == ["False", "False"]
