"""The one reading of a typed value (`selector.scoring.values`): what is accepted, in both
languages, and how a refusal reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from selector.scoring import rules, values
from selector.scoring.model import Level, Text
from tests.bilingual import lacks_chinese
from tests.unit.builders import crit

TIERED = crit("c", "tiered", 5)
BINARY = crit("c", "binary", 5)
GATE = crit("c", "gate", 0)
SCALE = crit("c", "scale", 5, step=0.5)
GRADE = crit(
    "c",
    "grade",
    10,
    levels=(
        Level("good", Decimal(7), Text("良", "Good")),
        Level("excellent", Decimal(10), Text("优", "Excellent")),
        Level("poor", Decimal(0), Text("差", "Poor")),
    ),
)


@pytest.mark.parametrize(
    ("criterion", "raw", "expected"),
    [
        (TIERED, "full", "full"),
        (TIERED, "满足", "full"),
        (TIERED, "Meets the requirement", "full"),
        (TIERED, "partial", "partial"),
        (TIERED, "部分满足", "partial"),
        (TIERED, " Partial ", "partial"),
        (TIERED, "none", "none"),
        (TIERED, "不满足", "none"),
        (TIERED, "NONE", "none"),
        (BINARY, "yes", "yes"),
        (BINARY, "能提供", "yes"),
        (BINARY, "能", "yes"),
        (BINARY, "是", "yes"),
        (BINARY, "Can provide", "yes"),
        (BINARY, "no", "no"),
        (BINARY, "不能提供", "no"),
        (BINARY, "不能", "no"),
        (BINARY, "否", "no"),
        (GATE, "pass", "pass"),
        (GATE, "通过", "pass"),
        (GATE, "fail", "fail"),
        (GATE, "不通过", "fail"),
        (GATE, "FAIL", "fail"),
        (GRADE, "excellent", "excellent"),
        (GRADE, "优", "excellent"),
        (GRADE, "Excellent", "excellent"),
        (GRADE, "良", "good"),
        (GRADE, " poor ", "poor"),
        (GRADE, "差", "poor"),
    ],
)
def test_every_word_in_either_language_reads_as_its_key(criterion, raw, expected):
    assert values.read(criterion, raw) == expected


@pytest.mark.parametrize("criterion", [TIERED, BINARY, GATE, GRADE])
def test_each_option_key_and_label_reads_back_as_the_option(criterion):
    for option in values.options(criterion):
        for typed in (option.key, option.label.zh, option.label.en, f"  {option.key.upper()} "):
            assert values.read(criterion, typed) == option.key


def test_options_are_best_first_and_grades_go_by_their_points():
    assert [o.key for o in values.options(TIERED)] == ["full", "partial", "none"]
    assert [o.key for o in values.options(BINARY)] == ["yes", "no"]
    assert [o.key for o in values.options(GATE)] == ["pass", "fail"]
    assert [o.key for o in values.options(GRADE)] == ["excellent", "good", "poor"]
    assert values.options(SCALE) == () and values.options(crit("p", "price_ratio", 5)) == ()
    assert [c.key for c in rules.choices(GRADE)] == ["excellent", "good", "poor"]
    assert [c.points for c in rules.choices(TIERED)] == [Decimal(5), Decimal(3), Decimal(0)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", Decimal(0)),
        ("5", Decimal(5)),
        ("4.5", Decimal("4.5")),
        (" 2.50 ", Decimal("2.5")),
        ("-0", Decimal(0)),
        ("1e0", Decimal(1)),
        (Decimal("3.5"), Decimal("3.5")),
        (3, Decimal(3)),
        (0.5, Decimal("0.5")),
    ],
)
def test_a_scale_takes_numbers_from_0_to_max_on_its_step(raw, expected):
    value = values.read(SCALE, raw)
    assert isinstance(value, Decimal) and value == expected
    assert not value.is_signed()


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        ("abc", values.NOT_A_NUMBER),
        ("3,5", values.NOT_A_NUMBER),
        (True, values.NOT_A_NUMBER),
        ("nan", values.NOT_FINITE),
        ("-inf", values.NOT_FINITE),
        (Decimal("Infinity"), values.NOT_FINITE),
        ("-0.5", values.OUT_OF_RANGE),
        ("5.5", values.OUT_OF_RANGE),
        ("1e3", values.OUT_OF_RANGE),
        ("2.25", values.OFF_STEP),
        ("0.1", values.OFF_STEP),
        ("", values.NO_VALUE),
        ("   ", values.NO_VALUE),
        ("1" * 65, values.TOO_LONG),
    ],
)
def test_a_scale_refuses_what_is_not_a_number_on_its_range_and_step(raw, fault):
    problem = values.read(SCALE, raw)
    assert isinstance(problem, values.Problem)
    assert problem.fault == fault
    assert problem.fix.en.startswith("enter a number from 0 to 5 in steps of 0.5")


def test_the_step_and_its_example_come_from_the_criterion():
    coarse = crit("c", "scale", 10, step=2)
    assert values.read(coarse, "8") == Decimal(8)
    problem = values.read(coarse, "7")
    assert isinstance(problem, values.Problem)
    assert problem.text == Text(
        zh="不符合步长；请输入 0 到 10 之间、步长为 2 的数字（例如 6）",
        en="not on the step; enter a number from 0 to 10 in steps of 2 (for example 6)",
    )
    assert values.step(crit("c", "scale", 5)) == Decimal("0.5")


def test_a_value_a_choice_does_not_take_names_the_options_in_each_language():
    problem = values.read(TIERED, "3")
    assert problem == values.Problem(
        values.NOT_AN_OPTION,
        Text(zh="请使用 满足 / 部分满足 / 不满足 之一", en="use one of full / partial / none"),
    )
    grade = values.read(GRADE, "fair")
    assert isinstance(grade, values.Problem)
    assert grade.fix == Text(zh="请使用 优 / 良 / 差 之一", en="use one of excellent / good / poor")
    assert values.read(GATE, Decimal(1)) == values.Problem(values.NOT_AN_OPTION, values.hint(GATE))
    assert values.read(BINARY, "").fault == values.NO_VALUE  # type: ignore[union-attr]


def test_a_price_criterion_takes_no_typed_value():
    assert values.read(crit("p", "price_rank", 5, tiers=(5, 3)), "full") is values.PRICE_RULE
    assert values.hint(crit("p", "price_ratio", 5)) == values.PRICE_RULE.fix


def test_a_problem_reads_as_a_fragment_after_a_place_and_as_a_sentence_on_its_own():
    problem = values.read(SCALE, "7")
    assert isinstance(problem, values.Problem)
    assert problem.text == Text(
        zh="超出范围；请输入 0 到 5 之间、步长为 0.5 的数字",
        en="out of range; enter a number from 0 to 5 in steps of 0.5",
    )
    assert problem.sentence == Text(
        zh="超出范围；请输入 0 到 5 之间、步长为 0.5 的数字。",
        en="Out of range; enter a number from 0 to 5 in steps of 0.5.",
    )


@pytest.mark.parametrize(
    ("criterion", "raw"),
    [
        (SCALE, "x"),
        (SCALE, "nan"),
        (SCALE, "9"),
        (SCALE, "0.3"),
        (SCALE, ""),
        (SCALE, "9" * 100),
        (TIERED, "great"),
        (TIERED, ""),
        (BINARY, "x" * 100),
        (GRADE, "fair"),
        (crit("p", "price_ratio", 5), "3"),
    ],
)
def test_every_problem_reads_in_both_languages(criterion, raw):
    problem = values.read(criterion, raw)
    assert isinstance(problem, values.Problem)
    for text in (problem.fault, problem.fix, problem.text, problem.sentence):
        assert text.zh and text.en and text.zh != text.en
        assert not lacks_chinese(text)
        assert text.en.isascii()
