"""`selector criteria check`: the summary table, the JSON shape of issue 2 and exit codes."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main

CRITERIA_DIR = Path(__file__).resolve().parents[2] / "criteria"
DEFAULT = str(CRITERIA_DIR / "crm_selection.yaml")
RATIO = str(CRITERIA_DIR / "crm_selection_ratio.yaml")
POC = str(CRITERIA_DIR / "crm_poc_review.yaml")

BAD = """\
id: bad
title: {zh: 坏模板, en: Bad template}
groups:
  - id: after_sales
    title: {zh: 售后服务, en: After-sales service}
    criteria:
      - {id: sla, kind: tiered, max: 2, title: {zh: SLA, en: SLA}}
      - {id: upgrades, kind: binary, max: 98, title: {zh: 升级}}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def check(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, ["criteria", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_check_prints_groups_weights_criteria_kinds_and_max_points(runner: CliRunner) -> None:
    code, out, err = check(runner, DEFAULT)
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "Template crm_selection: CRM system selection (currency CNY; 6 groups, 25 criteria)"
    )
    assert re.match(r"^Group / criterion\s+Title\s+Kind\s+Points\s+Max\s+Weight$", lines[2])
    for group_line in (
        r"qualification\s+Qualification check\s+0\s+0",
        r"strength\s+Vendor strength\s+10\s+10",
        r"functional\s+Functional requirements\s+25\s+25",
        r"solution\s+System solution\s+16\s+16",
        r"after_sales\s+After-sales service\s+9\s+9",
        r"price\s+Price\s+40\s+40",
        r"Total\s+100\s+100",
    ):
        assert any(re.fullmatch(group_line, line) for line in lines), group_line
    for criterion_line in (
        r"  licence_valid\s+Valid business licence and software copyright\s+gate\s+pass / fail\s+0",
        r"  mobile\s+Mobile apps\s+tiered\s+5 / 3 / 0\s+5",
        r"  sla\s+SLA and support-quality audits\s+binary\s+2 / 0\s+2",
        r"  licence\s+Software licence fee\s+price_rank\s+5 / 4 / 3\s+5",
    ):
        assert any(re.fullmatch(criterion_line, line) for line in lines), criterion_line
    assert lines[-1] == "OK: the weights add up to 100."


def test_check_shows_scale_and_ratio_rules_and_grade_levels_with_bands(runner: CliRunner) -> None:
    code, out, _ = check(runner, RATIO)
    assert code == 0
    assert re.search(r"  understanding\s+.+\s+scale\s+0–5, step 0\.5\s+5\n", out)
    assert re.search(r"  total_cost\s+Total cost\s+price_ratio\s+40 × lowest / bid\s+40\n", out)
    code, out, _ = check(runner, POC)
    assert code == 0
    assert "excellent 10 / good 8 / fair 6 / poor 3" in out
    assert "Bands: excellent Excellent ≥ 85, good Good ≥ 70, pass Pass ≥ 60, fail Fail ≥ 0" in out


def test_check_in_chinese_uses_the_chinese_titles_and_headings(runner: CliRunner) -> None:
    code, out, _ = check(runner, DEFAULT, "--lang", "zh")
    assert code == 0
    assert out.startswith("评分模板 crm_selection: CRM系统选型评分")
    assert re.search(r"分组 / 评分项\s+名称\s+规则\s+计分\s+满分\s+权重", out)
    assert re.search(r"\n  extensibility\s+扩展性与标准数据接口\s+binary\s+2 / 0\s+2\n", out)
    assert "通过 / 不通过" in out
    assert out.rstrip().endswith("检查通过:权重合计为 100。")


def test_the_table_aligns_columns_under_wide_chinese_characters(runner: CliRunner) -> None:
    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    _, out, _ = check(runner, DEFAULT, "--lang", "zh")
    starts = set()
    for line in out.splitlines():
        found = re.search(r"  (tiered|binary|gate|price_rank)  ", line)
        if line.startswith("  ") and found:
            starts.add(width(line[: found.start(1)]))
    assert len(starts) == 1, starts


def test_json_has_the_shape_of_issue_2(runner: CliRunner) -> None:
    code, out, err = check(runner, DEFAULT, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"id", "currency", "bands", "groups"} <= set(data)
    assert (data["id"], data["currency"], data["bands"]) == ("crm_selection", "CNY", [])
    assert [(g["id"], g["weight"]) for g in data["groups"]] == [
        ("qualification", 0),
        ("strength", 10),
        ("functional", 25),
        ("solution", 16),
        ("after_sales", 9),
        ("price", 40),
    ]
    for g in data["groups"]:
        assert {"id", "weight", "title", "criteria"} <= set(g)
        assert set(g["title"]) == {"zh", "en"}
        assert type(g["weight"]) is int
        for c in g["criteria"]:
            assert {"id", "kind", "max", "partial", "tiers", "step", "levels"} <= set(c)
    functional = next(g for g in data["groups"] if g["id"] == "functional")
    assert functional["title"] == {"zh": "功能需求", "en": "Functional requirements"}
    mobile = next(c for c in functional["criteria"] if c["id"] == "mobile")
    assert {k: mobile[k] for k in ("id", "kind", "max", "partial", "tiers", "step", "levels")} == {
        "id": "mobile",
        "kind": "tiered",
        "max": 5,
        "partial": 3,
        "tiers": None,
        "step": None,
        "levels": None,
    }
    price = next(g for g in data["groups"] if g["id"] == "price")
    assert all(c["tiers"] == [5, 4, 3] and c["partial"] is None for c in price["criteria"])


def test_json_gives_steps_as_floats_and_levels_and_bands_as_lists(runner: CliRunner) -> None:
    ratio = json.loads(check(runner, RATIO, "--json")[1])
    solution = next(g for g in ratio["groups"] if g["id"] == "solution")
    assert [(c["kind"], c["max"], c["step"]) for c in solution["criteria"]] == [
        ("scale", 5, 0.5),
        ("scale", 2, 0.5),
        ("scale", 5, 0.5),
        ("scale", 2, 0.5),
        ("scale", 2, 0.5),
    ]
    assert all(type(c["step"]) is float for c in solution["criteria"])
    poc = json.loads(check(runner, POC, "--json")[1])
    assert poc["bands"] == [
        {"key": "excellent", "min": 85, "label": {"zh": "优秀", "en": "Excellent"}},
        {"key": "good", "min": 70, "label": {"zh": "良好", "en": "Good"}},
        {"key": "pass", "min": 60, "label": {"zh": "合格", "en": "Pass"}},
        {"key": "fail", "min": 0, "label": {"zh": "不合格", "en": "Fail"}},
    ]
    first = poc["groups"][0]["criteria"][0]
    assert first["kind"] == "grade" and first["max"] == 10
    assert [(lv["key"], lv["points"], lv["label"]["zh"]) for lv in first["levels"]] == [
        ("excellent", 10, "优"),
        ("good", 8, "良"),
        ("fair", 6, "中"),
        ("poor", 3, "差"),
    ]
    assert sum(g["weight"] for g in poc["groups"]) == 100


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_bad_file_exits_2_with_every_error_on_stderr_and_nothing_on_stdout(
    runner: CliRunner, tmp_path: Path, extra: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = check(runner, str(path), *extra)
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"error: {path}: criterion 'upgrades' field 'title.en': ")


def test_rule_errors_are_reported_once_the_shape_is_right(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD.replace("{zh: 升级}", "{zh: 升级, en: Upgrades}"), encoding="utf-8")
    code, out, err = check(runner, str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {path}: criterion 'sla' field 'partial': 3 (the default when partial is not "
        "given) exceeds max 2; a 2-point item cannot give 3 for partial — use kind: binary "
        '("can provide: full") or lower partial'
    ]


def test_a_yaml_syntax_error_exits_2_naming_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ngroups:\n  - id: a\n   title: b\n", encoding="utf-8")
    code, out, err = check(runner, str(path), "--json")
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {path}: line 4, column 4: YAML syntax error")


def test_a_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = check(runner, str(tmp_path / "nowhere.yaml"))
    assert (code, out) == (2, "")
    assert "cannot read the file" in err


def test_criteria_is_listed_among_the_selector_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert re.search(r"^\s+criteria\s", result.stdout, re.MULTILINE)


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_with_lang_zh_a_bad_file_exits_2_with_its_errors_in_chinese_on_stderr(
    runner: CliRunner, tmp_path: Path, extra: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = check(runner, str(path), "--lang", "zh", *extra)
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"错误：{path}: 评分项“upgrades”的字段“title.en”: ")
    assert "缺少英文（en）文本" in line
