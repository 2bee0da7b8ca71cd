"""Every problem of the readers, the template loader and the engine also reads in Chinese.

The English message stays as it was; its Chinese twin names the same file, line, column and
value (`bids.csv:第3行: 列“amount”: 值“-5”: …`), with ids and field names untranslated.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.files.criteria import TemplateError, load_template, load_template_text
from selector.files.readers import (
    InputError,
    parse_rate_options,
    read_bids_table,
    read_consensus_table,
    read_rates_table,
    read_scores_table,
    read_table,
)
from selector.scoring import engine, values
from selector.scoring.model import EvaluationInput, ScoringError, Text
from tests.bilingual import CJK, lacks_chinese

ROOT = Path(__file__).resolve().parents[2]
CRM = load_template(ROOT / "criteria" / "crm_selection.yaml")
RATIO = load_template(ROOT / "criteria" / "crm_selection_ratio.yaml")
EXAMPLE = ROOT / "examples" / "crm-tender"

PLACE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+): column '(?P<column>[^']*)': value '(?P<value>.*?)': "
)


def problems_of(call, *args, **kwargs) -> list[Text]:
    with pytest.raises(ScoringError) as caught:
        call(*args, **kwargs)
    texts = caught.value.texts
    assert [t.en for t in texts] == caught.value.problems
    assert not [t for t in texts if lacks_chinese(t)]
    return texts


def assert_same_place(text: Text) -> None:
    """The Chinese names the same file, line, column and value as the English."""
    place = PLACE.match(text.en)
    assert place, text.en
    expected = f"{place['file']}:第{place['line']}行: 列“{place['column']}”: 值“{place['value']}”: "
    assert text.zh.startswith(expected), (text.zh, expected)
    assert CJK.search(text.zh[len(expected) :]), text.zh


def csv(text: str) -> BytesIO:
    return BytesIO(text.encode("utf-8"))


BIDS = "vendor,component,amount,currency\nAlpha,licence,100,CNY\n"


@pytest.mark.parametrize(
    ("row", "english", "chinese"),
    [
        (" ,licence,100,CNY", "a vendor name is required", "必须填写供应商名称"),
        (
            "Zeta,licenc,100,CNY",
            "not a price criterion of template",
            "不是模板“crm_selection”的价格评分项",
        ),
        ("Zeta,licence,abc,CNY", "not a number", "不是数字"),
        ("Zeta,licence,nan,CNY", "not a number", "不是数字"),
        ("Zeta,licence,-5,CNY", "greater than zero", "金额必须大于零"),
        ("Zeta,licence,100,GBP", "no exchange rate for GBP", "缺少 GBP 的汇率"),
        ("Alpha,licence,120,CNY", "already bid for it on line 2", "已在第 2 行为该项报价"),
    ],
)
def test_each_bids_problem_reads_in_chinese_at_the_same_place(row, english, chinese):
    (text,) = problems_of(read_bids_table, csv(BIDS + row + "\n"), CRM, source_name="bids.csv")
    assert english in text.en and chinese in text.zh
    assert text.en.startswith("bids.csv:3: ")
    assert_same_place(text)


SCORES = "evaluator,vendor,criterion,value\ne1,A,mobile,full\n"


@pytest.mark.parametrize(
    ("template", "row", "chinese"),
    [
        (CRM, " ,A,mobile,full", "必须填写评委名称"),
        (CRM, "e2, ,mobile,full", "必须填写供应商名称"),
        (CRM, "e1,A,mobiel,full", "不是模板“crm_selection”的评分项"),
        (CRM, "e1,A,licence,full", "是价格规则"),
        (CRM, "e1,A,team,excellent", "不是该评分项可接受的值；请使用 满足 / 部分满足 / 不满足"),
        (CRM, "e1,A,mobile,none", "评委“e1”已对供应商“A”的该项打过分"),
        (RATIO, "e1,A,understanding,7", "超出范围；请输入 0 到 5 之间、步长为 0.5 的数字"),
        (RATIO, "e1,A,understanding,nan", "不是有限数字"),
        (RATIO, "e1,A,understanding,abc", "不是数字"),
        (RATIO, "e1,A,understanding,0.3", "不符合步长"),
    ],
)
def test_each_scores_problem_reads_in_chinese_at_the_same_place(template, row, chinese):
    problems = problems_of(
        read_scores_table, csv(SCORES + row + "\n"), template, source_name="scores.csv"
    )
    (text,) = [t for t in problems if t.en.startswith("scores.csv:3: ")]
    assert chinese in text.zh
    assert_same_place(text)


CONSENSUS = "vendor,criterion,value,reason\nA,mobile,full,why\n"


@pytest.mark.parametrize(
    ("row", "chinese"),
    [
        ("Nobody,mobile,full,why", "未知供应商"),
        ("A,licence,full,why", "不是本模板中由评委打分的评分项"),
        ("A,team,full, ", "共识值需要填写理由"),
        ("A,mobile,none,why", "该单元格已有共识值"),
        ("A,team,3,why", "值“3”: 不是该评分项可接受的值"),
    ],
)
def test_each_consensus_problem_reads_in_chinese_at_the_same_place(row, chinese):
    (text,) = problems_of(
        read_consensus_table,
        csv(CONSENSUS + row + "\n"),
        CRM,
        ["A"],
        source_name="consensus.csv",
    )
    assert chinese in text.zh
    assert_same_place(text)


@pytest.mark.parametrize(
    ("row", "chinese"),
    [
        (" ,7", "必须填写币种代码"),
        ("EUR,-1", "请以正数给出 1 EUR 折合多少 CNY"),
        ("USD,7", "该币种重复给出"),
    ],
)
def test_each_rates_problem_reads_in_chinese_at_the_same_place(row, chinese):
    content = "currency,rate\nUSD,7.1\n" + row + "\n"
    (text,) = problems_of(read_rates_table, csv(content), "CNY", source_name="rates.csv")
    assert chinese in text.zh
    assert_same_place(text)


def test_whole_file_problems_read_in_chinese(tmp_path):
    (missing,) = problems_of(read_table, str(tmp_path / "none.csv"))
    assert missing.zh == f"{tmp_path / 'none.csv'}: 文件不存在"
    (binary,) = problems_of(read_table, BytesIO(b"\xff\xfe\x00a,b\n"), "x.csv")
    assert "不是 UTF-8 文本" in binary.zh
    (header,) = problems_of(read_bids_table, csv("vendor,amount\nA,1\n"), CRM, source_name="b.csv")
    assert header.zh == "b.csv:第1行: 缺少列 component；表头必须为 vendor,component,amount"
    (option,) = problems_of(parse_rate_options, ["USD=-1"], "CNY")
    assert option.zh.startswith("--rate“USD=-1”: 请写成 币种=汇率")


def test_a_long_list_of_problems_ends_with_how_many_more_in_both_languages():
    rows = "".join(f"V{i},licence,-1,CNY\n" for i in range(60))
    problems = problems_of(read_bids_table, csv("vendor,component,amount,currency\n" + rows), CRM)
    assert problems[-1].en.endswith("… and 10 more problems")
    assert problems[-1].zh.endswith("……另有 10 个问题")


def test_value_refusals_read_in_chinese():
    team = CRM.criterion("team")
    understanding = RATIO.criterion("understanding")
    cases = [
        (team, "great", "不是该评分项可接受的值；请使用 满足 / 部分满足 / 不满足 之一"),
        (understanding, "x", "不是数字；请输入 0 到 5 之间、步长为 0.5 的数字"),
        (understanding, "inf", "不是有限数字；请输入 0 到 5 之间"),
        (understanding, "99", "超出范围；请输入 0 到 5 之间"),
        (understanding, "0.3", "不符合步长；请输入 0 到 5 之间、步长为 0.5 的数字（例如 0）"),
        (CRM.criterion("licence"), "full", "是价格规则"),
    ]
    for criterion, raw, chinese in cases:
        problem = values.read(criterion, raw)
        assert isinstance(problem, values.Problem)
        assert problem.text.zh.startswith(chinese), problem.text.zh
        assert not lacks_chinese(problem.text)


def test_engine_problems_read_in_chinese():
    inp = EvaluationInput(template=CRM, vendors=("A",), entries=(), bids=())
    problems = problems_of(engine.evaluate, inp)
    zh = "\n".join(t.zh for t in problems)
    assert "没有评委对供应商“A”的评分项“mobile”打分，也没有该项的共识值" in zh
    assert "供应商“A”没有价格评分项“licence”的报价" in zh


def test_template_problems_name_the_file_item_and_field_in_chinese():
    bad = (ROOT / "criteria" / "crm_selection.yaml").read_text(encoding="utf-8")
    bad = bad.replace("kind: tiered", "kind: tiered\n        partial: 9", 1)
    problems = problems_of(load_template_text, bad, "bad.yaml")
    (text,) = problems
    assert re.match(r"bad\.yaml: 评分项“\w+”的字段“partial”: 9 超过满分 max \d+；", text.zh)
    assert "kind: binary" in text.zh


def test_a_plain_string_problem_stands_for_both_languages_and_a_text_keeps_both():
    error = ScoringError(["plain", Text(zh="中文", en="English")])
    assert error.problems == ["plain", "English"]
    assert error.in_language("zh") == ["plain", "中文"]
    assert str(error) == "plain\nEnglish"
    assert ScoringError(Text(zh="甲", en="a")).problems == ["a"]
    assert TemplateError("x").texts == [Text(zh="x", en="x")]
    assert InputError("y").problems == ["y"]


@pytest.fixture
def tender(tmp_path: Path) -> Path:
    folder = tmp_path / "tender"
    shutil.copytree(EXAMPLE, folder)
    return folder


def score_args(folder: Path) -> list[str]:
    return [
        "score",
        "--criteria",
        str(ROOT / "criteria" / "crm_selection.yaml"),
        "--bids",
        str(folder / "bids.csv"),
        "--scores",
        str(folder / "scores.csv"),
        "--consensus",
        str(folder / "consensus.csv"),
        "--rates",
        str(folder / "rates.csv"),
    ]


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_score_lang_zh_prints_chinese_errors_on_stderr_and_exits_2(tender, extra):
    with (tender / "bids.csv").open("a", encoding="utf-8") as bids:
        bids.write("Zeta,licence,-5,CNY\n")
    result = CliRunner().invoke(main, [*score_args(tender), "--lang", "zh", *extra])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(r"错误：.*bids\.csv:第\d+行: 列“amount”: 值“-5”: 金额必须大于零", line), (
        line
    )


def test_score_in_english_by_default_keeps_the_english_errors(tender):
    with (tender / "bids.csv").open("a", encoding="utf-8") as bids:
        bids.write("Zeta,licence,-5,CNY\n")
    result = CliRunner().invoke(main, score_args(tender))
    assert result.exit_code == 2
    assert "column 'amount': value '-5': an amount must be greater than zero" in result.stderr
    assert not CJK.search(result.stderr.replace(str(tender), ""))


def test_the_bilingual_check_flags_a_problem_without_chinese():
    assert lacks_chinese(Text(zh="same", en="same"))
    assert lacks_chinese(Text(zh="no chinese here", en="other"))
    assert not lacks_chinese(Text(zh="x.csv: 文件不存在", en="x.csv: no such file"))


def test_amounts_stay_exact_in_both_languages():
    (text,) = problems_of(
        read_bids_table, csv("vendor,component,amount\nA,licence,0.00\n"), CRM, source_name="b"
    )
    assert "值“0.00”" in text.zh and "value '0.00'" in text.en
    assert Decimal("0.00") == 0
