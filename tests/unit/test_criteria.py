"""The criteria loader: the bundled templates, and every rule it refuses a file for."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from selector.files.criteria import (
    TemplateError,
    load_template,
    load_template_text,
    template_to_json,
)
from selector.scoring.model import ScoringError, Template

CRITERIA_DIR = Path(__file__).resolve().parents[2] / "criteria"
BUNDLED = ["crm_selection.yaml", "crm_selection_ratio.yaml", "crm_poc_review.yaml"]
FILE = "criteria/x.yaml"


def text(zh: str = "中文", en: str = "English") -> dict[str, str]:
    return {"zh": zh, "en": en}


def make_template(**overrides: Any) -> dict[str, Any]:
    """A small valid template (weights 60 + 40) as the dict a YAML file would hold."""
    data: dict[str, Any] = {
        "id": "x",
        "title": text("测试", "Test"),
        "currency": "CNY",
        "groups": [
            {
                "id": "qualification",
                "title": text(),
                "criteria": [{"id": "licence_valid", "kind": "gate", "title": text()}],
            },
            {
                "id": "functional",
                "title": text(),
                "weight": 60,
                "criteria": [
                    {"id": "mobile", "kind": "tiered", "max": 5, "title": text()},
                    {"id": "erp_oa", "kind": "binary", "max": 2, "title": text()},
                    {"id": "solution", "kind": "scale", "max": 5, "step": 0.5, "title": text()},
                    {
                        "id": "usability",
                        "kind": "grade",
                        "levels": [
                            {"key": "excellent", "points": 10, "label": text("优", "Excellent")},
                            {"key": "poor", "points": 2, "label": text("差", "Poor")},
                        ],
                        "title": text(),
                    },
                ],
            },
            {
                "id": "price",
                "title": text(),
                "weight": 40,
                "criteria": [
                    {"id": "licence", "kind": "price_rank", "tiers": [5, 4, 3], "title": text()},
                    {"id": "total_cost", "kind": "price_ratio", "max": 40, "title": text()},
                ],
            },
        ],
    }
    data.update(overrides)
    return data


def load(data: dict[str, Any]) -> Template:
    return load_template_text(yaml.safe_dump(data, allow_unicode=True), FILE)


def problems(data: dict[str, Any] | str) -> list[str]:
    """The loader's messages for a file it must refuse."""
    source = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(TemplateError) as caught:
        load_template_text(source, FILE)
    assert caught.value.problems, "a TemplateError must carry at least one message"
    return caught.value.problems


def criterion(data: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    for group in data["groups"]:
        for item in group["criteria"]:
            if item["id"] == criterion_id:
                return item
    raise KeyError(criterion_id)


def group(data: dict[str, Any], group_id: str) -> dict[str, Any]:
    return next(g for g in data["groups"] if g["id"] == group_id)


def only(messages: list[str], *fragments: str) -> str:
    """The single message, checked to name the file and every fragment."""
    assert len(messages) == 1, messages
    message = messages[0]
    assert message.startswith(f"{FILE}: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --- the bundled templates ---


@pytest.mark.parametrize("filename", BUNDLED)
def test_each_bundled_template_loads_and_its_weights_add_up_to_100(filename: str) -> None:
    template = load_template(CRITERIA_DIR / filename)
    assert template.id == filename.removesuffix(".yaml")
    assert sum(g.weight for g in template.groups) == Decimal(100)
    for g in template.groups:
        if all(c.is_gate for c in g.criteria):
            assert g.weight == 0
        else:
            assert g.weight > 0


@pytest.mark.parametrize("filename", BUNDLED)
def test_every_bundled_item_says_whether_it_is_from_the_source_sheet(filename: str) -> None:
    template = load_template(CRITERIA_DIR / filename)
    assert {c.source for c in template.criteria()} <= {"seed", "added"}
    assert all(c.source is not None for c in template.criteria())
    assert template.description is not None
    for lang in ("zh", "en"):
        assert "seed" in template.description.get(lang)
        assert "added" in template.description.get(lang)


def test_the_default_template_is_the_completed_sheet_of_seed_criteria() -> None:
    template = load_template(CRITERIA_DIR / "crm_selection.yaml")
    assert [(g.id, g.weight) for g in template.groups] == [
        ("qualification", 0),
        ("strength", 10),
        ("functional", 25),
        ("solution", 16),
        ("after_sales", 9),
        ("price", 40),
    ]
    kinds = {g.id: [(c.kind, c.max) for c in g.criteria] for g in template.groups}
    assert kinds["qualification"] == [("gate", 0), ("gate", 0)]
    assert kinds["strength"] == [("tiered", 5)] * 2
    assert kinds["functional"] == [("tiered", 5)] * 5
    assert kinds["solution"] == [
        ("tiered", 5),
        ("binary", 2),
        ("tiered", 5),
        ("binary", 2),
        ("binary", 2),
    ]
    assert kinds["after_sales"] == [("tiered", 5), ("binary", 2), ("binary", 2)]
    price = template.price_criteria()
    assert [c.id for c in price] == [
        "licence",
        "implementation",
        "dev_day_rate",
        "maintenance",
        "data_migration",
        "training",
        "integration",
        "hosting",
    ]
    assert all(c.kind == "price_rank" and c.tiers == (5, 4, 3) and c.max == 5 for c in price)
    seed = {c.id for c in template.criteria() if c.source == "seed"}
    assert seed == {
        "multi_level",
        "international",
        "mobile",
        "im",
        "understanding",
        "extensibility",
        "analytics",
        "supply_chain",
        "delivery_3m",
        "free_upgrades",
        "sla",
        "licence",
    }


def test_the_seed_sheets_2_point_items_are_binary_not_tiered() -> None:
    template = load_template(CRITERIA_DIR / "crm_selection.yaml")
    two_point = {c.id: c.kind for c in template.criteria() if c.max == 2}
    assert two_point == {
        "extensibility": "binary",
        "supply_chain": "binary",
        "delivery_3m": "binary",
        "free_upgrades": "binary",
        "sla": "binary",
    }


def test_tiered_items_get_the_default_partial_of_3_filled_in() -> None:
    template = load_template(CRITERIA_DIR / "crm_selection.yaml")
    tiered = [c for c in template.criteria() if c.kind == "tiered"]
    assert tiered and all(c.partial == Decimal(3) for c in tiered)
    assert all(c.partial is None for c in template.criteria() if c.kind != "tiered")


def test_the_ratio_template_prices_one_total_and_scales_the_solution_items() -> None:
    default = load_template(CRITERIA_DIR / "crm_selection.yaml")
    ratio = load_template(CRITERIA_DIR / "crm_selection_ratio.yaml")
    (total_cost,) = ratio.price_criteria()
    assert (total_cost.id, total_cost.kind, total_cost.max) == ("total_cost", "price_ratio", 40)
    solution = next(g for g in ratio.groups if g.id == "solution")
    assert [(c.id, c.kind, c.max, c.step) for c in solution.criteria] == [
        ("understanding", "scale", 5, Decimal("0.5")),
        ("extensibility", "scale", 2, Decimal("0.5")),
        ("analytics", "scale", 5, Decimal("0.5")),
        ("supply_chain", "scale", 2, Decimal("0.5")),
        ("delivery_3m", "scale", 2, Decimal("0.5")),
    ]
    same = ("qualification", "strength", "functional", "after_sales")
    assert [g for g in ratio.groups if g.id in same] == [g for g in default.groups if g.id in same]
    assert [(g.id, g.weight) for g in ratio.groups] == [(g.id, g.weight) for g in default.groups]


def test_the_poc_review_grades_five_dimensions_with_the_seeds_bands() -> None:
    template = load_template(CRITERIA_DIR / "crm_poc_review.yaml")
    assert [g.id for g in template.groups] == [
        "data_quality",
        "user_experience",
        "functional",
        "analytics",
        "security",
    ]
    for g in template.groups:
        assert 2 <= len(g.criteria) <= 4
        for c in g.criteria:
            assert c.kind == "grade"
            assert c.levels is not None
            assert [lv.key for lv in c.levels] == ["excellent", "good", "fair", "poor"]
            assert [lv.label.zh for lv in c.levels] == ["优", "良", "中", "差"]
            points = [lv.points for lv in c.levels]
            assert points == sorted(points, reverse=True) and c.max == points[0]
            assert all(lv.descriptor is not None for lv in c.levels)
    assert [(b.key, b.min, b.label.zh) for b in template.bands] == [
        ("excellent", 85, "优秀"),
        ("good", 70, "良好"),
        ("pass", 60, "合格"),
        ("fail", 0, "不合格"),
    ]


@pytest.mark.parametrize(
    ("total", "band"),
    [("79", "good"), ("85", "excellent"), ("84.99", "good"), ("60", "pass"), ("59.99", "fail")],
)
def test_the_poc_review_bands_follow_the_seed(total: str, band: str) -> None:
    template = load_template(CRITERIA_DIR / "crm_poc_review.yaml")
    found = template.band_for(Decimal(total))
    assert found is not None and found.key == band


# --- what a valid file becomes ---


def test_a_valid_file_becomes_frozen_model_objects_with_decimals() -> None:
    template = load(make_template())
    assert [(g.id, g.weight) for g in template.groups] == [
        ("qualification", 0),
        ("functional", 60),
        ("price", 40),
    ]
    solution = template.criterion("solution")
    assert solution is not None and solution.step == Decimal("0.5")
    assert isinstance(solution.max, Decimal)
    usability = template.criterion("usability")
    assert usability is not None and usability.max == 10  # the highest level's points
    licence = template.criterion("licence")
    assert licence is not None and licence.max == 5 and licence.tiers == (5, 4, 3)
    gate = template.criterion("licence_valid")
    assert gate is not None and gate.max == 0
    assert template.title.get("zh") == "测试"


def test_decimal_weights_are_exact_so_thirds_written_as_decimals_add_up() -> None:
    data = make_template()
    group(data, "functional")["weight"] = 33.3
    group(data, "price")["weight"] = 66.7
    template = load(data)
    assert [g.weight for g in template.groups] == [0, Decimal("33.3"), Decimal("66.7")]


def test_without_weights_a_group_weighs_its_max_points() -> None:
    data = make_template()
    for g in data["groups"]:
        g.pop("weight", None)
    functional = group(data, "functional")
    functional["criteria"] = [
        {"id": f"item{i}", "kind": "tiered", "max": 5, "title": text()} for i in range(12)
    ]
    price = group(data, "price")
    price["criteria"] = [{"id": "total_cost", "kind": "price_ratio", "max": 40, "title": text()}]
    template = load(data)
    assert [(g.id, g.weight) for g in template.groups] == [
        ("qualification", 0),
        ("functional", 60),
        ("price", 40),
    ]


def test_template_to_json_fills_in_effective_weights_and_uses_ints_where_integral() -> None:
    data = make_template()
    group(data, "functional")["weight"] = 59.5
    group(data, "price")["weight"] = 40.5
    out = template_to_json(load(data))
    assert out["id"] == "x" and out["currency"] == "CNY" and out["bands"] == []
    weights = [(g["id"], g["weight"]) for g in out["groups"]]
    assert weights == [("qualification", 0), ("functional", 59.5), ("price", 40.5)]
    assert type(out["groups"][0]["weight"]) is int
    criteria = {c["id"]: c for g in out["groups"] for c in g["criteria"]}
    assert {k: criteria["mobile"][k] for k in ("kind", "max", "partial", "tiers", "step")} == {
        "kind": "tiered",
        "max": 5,
        "partial": 3,
        "tiers": None,
        "step": None,
    }
    assert type(criteria["mobile"]["max"]) is int and type(criteria["mobile"]["partial"]) is int
    assert criteria["solution"]["step"] == 0.5 and type(criteria["solution"]["step"]) is float
    assert criteria["licence"]["tiers"] == [5, 4, 3]
    assert criteria["usability"]["levels"] == [
        {"key": "excellent", "points": 10, "label": text("优", "Excellent"), "descriptor": None},
        {"key": "poor", "points": 2, "label": text("差", "Poor"), "descriptor": None},
    ]


def test_a_template_error_is_a_scoring_error() -> None:
    assert issubclass(TemplateError, ScoringError)


def test_load_template_names_the_path_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    data = make_template()
    criterion(data, "erp_oa")["kind"] = "tiered"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    (message,) = caught.value.problems
    assert message.startswith(f"{path}: criterion 'erp_oa' field 'partial': ")


def test_a_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(tmp_path / "nowhere.yaml")
    assert str(tmp_path / "nowhere.yaml") in caught.value.problems[0]


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    data = make_template()
    criterion(data, "mobile")["partial"] = 6
    criterion(data, "licence")["tiers"] = [3, 4]
    messages = problems(data)
    assert len(messages) == 2
    assert "criterion 'mobile' field 'partial'" in messages[0]
    assert "criterion 'licence' field 'tiers'" in messages[1]


# --- one test per rule the loader enforces ---


def test_weights_that_do_not_add_up_to_100_are_refused() -> None:
    data = make_template()
    group(data, "price")["weight"] = 30
    only(
        problems(data),
        "template 'x' field 'groups[].weight'",
        "add up to 90",
        "functional 60 + price 30",
        "not 100",
    )


def test_maxima_that_do_not_add_up_to_100_are_refused_when_no_group_has_a_weight() -> None:
    data = make_template()
    for g in data["groups"]:
        g.pop("weight", None)
    only(
        problems(data),
        "template 'x' field 'groups[].weight'",
        "no group gives a weight",
        "add up to 67 (functional 22 + price 45)",  # 5 + 2 + 5 + 10 and 5 + 40
        "give every scoring group a weight",
    )


def test_a_weight_on_some_scoring_groups_only_is_refused() -> None:
    data = make_template()
    del group(data, "price")["weight"]
    only(problems(data), "group 'price' field 'weight'", "missing while 'functional'")


def test_a_weight_on_a_group_of_gates_only_is_refused() -> None:
    data = make_template()
    group(data, "qualification")["weight"] = 5
    only(problems(data), "group 'qualification' field 'weight'", "gates only", "set it to 0")


def test_a_weight_of_0_on_a_scoring_group_is_refused() -> None:
    data = make_template()
    group(data, "functional")["weight"] = 0
    group(data, "price")["weight"] = 100
    only(problems(data), "group 'functional' field 'weight'", "count for nothing")


def test_partial_above_max_is_refused_with_the_binary_fix() -> None:
    data = make_template()
    criterion(data, "mobile").update(max=2, partial=3)
    message = only(problems(data), "criterion 'mobile' field 'partial'", "3 exceeds max 2")
    assert "kind: binary" in message and "lower partial" in message


def test_a_2_point_tiered_item_without_partial_is_refused_because_the_default_is_3() -> None:
    data = make_template()
    criterion(data, "erp_oa")["kind"] = "tiered"
    only(
        problems(data),
        "criterion 'erp_oa' field 'partial'",
        "3 (the default when partial is not given) exceeds max 2",
        "kind: binary",
    )


def test_a_negative_partial_is_refused() -> None:
    data = make_template()
    criterion(data, "mobile")["partial"] = -1
    only(problems(data), "criterion 'mobile' field 'partial'", "below 0")


def test_a_criterion_id_used_twice_is_refused() -> None:
    data = make_template()
    criterion(data, "total_cost")["id"] = "mobile"
    only(
        problems(data),
        "criterion 'mobile' field 'id'",
        "used twice",
        "in group 'functional'",
        "in group 'price'",
    )


def test_a_group_id_used_again_by_a_criterion_is_refused() -> None:
    data = make_template()
    criterion(data, "total_cost")["id"] = "functional"
    only(problems(data), "criterion 'functional' field 'id'", "first by group 'functional'")


def test_a_group_id_used_twice_is_refused() -> None:
    data = make_template()
    group(data, "price")["id"] = "functional"
    only(problems(data), "group 'functional' field 'id'", "used twice")


@pytest.mark.parametrize(
    ("path", "where", "field"),
    [
        (("title",), "template 'x'", "title.en"),
        (("groups", 1, "title"), "group 'functional'", "title.en"),
        (("groups", 1, "criteria", 0, "title"), "criterion 'mobile'", "title.en"),
        (("groups", 1, "criteria", 3, "levels", 1, "label"), "criterion 'usability'", None),
    ],
)
def test_a_text_missing_its_english_is_refused(
    path: tuple[Any, ...], where: str, field: str | None
) -> None:
    data = make_template()
    node: Any = data
    for part in path:
        node = node[part]
    del node["en"]
    field = field or "levels[poor].label.en"
    only(problems(data), f"{where} field '{field}'", "English (en) text is missing", "zh: …")


def test_a_description_or_descriptor_missing_its_chinese_is_refused() -> None:
    data = make_template()
    criterion(data, "mobile")["description"] = {"en": "Apps for phones"}
    level = criterion(data, "usability")["levels"][0]
    level["descriptor"] = {"en": "Very good"}
    messages = problems(data)
    assert len(messages) == 2
    assert "criterion 'mobile' field 'description.zh': the Chinese (zh) text" in messages[0]
    assert "criterion 'usability' field 'levels[excellent].descriptor.zh'" in messages[1]


def test_a_band_label_missing_a_language_is_refused() -> None:
    data = make_template(bands=[{"key": "good", "min": 70, "label": {"zh": "良好"}}])
    only(problems(data), "band 'good' field 'label.en'", "English (en) text is missing")


def test_a_plain_string_where_a_text_is_expected_is_refused() -> None:
    data = make_template()
    group(data, "price")["title"] = "Price"
    only(problems(data), "group 'price' field 'title'", "got 'Price'", "{zh: …, en: …}")


def test_an_empty_text_is_refused() -> None:
    data = make_template()
    criterion(data, "mobile")["title"] = {"zh": "移动应用", "en": "  "}
    only(problems(data), "criterion 'mobile' field 'title.en'", "empty")


def test_an_unknown_rule_kind_is_refused() -> None:
    data = make_template()
    criterion(data, "erp_oa")["kind"] = "yes_no"
    only(
        problems(data),
        "criterion 'erp_oa' field 'kind'",
        "unknown rule kind 'yes_no'",
        "tiered, binary, scale, grade, price_rank, price_ratio, gate",
    )


@pytest.mark.parametrize("tiers", [[5, 5, 3], [3, 4, 5], [5, 3, 4]])
def test_tiers_that_do_not_strictly_decrease_are_refused(tiers: list[int]) -> None:
    data = make_template()
    criterion(data, "licence")["tiers"] = tiers
    only(problems(data), "criterion 'licence' field 'tiers'", "not strictly decreasing")


def test_empty_tiers_are_refused() -> None:
    data = make_template()
    criterion(data, "licence")["tiers"] = []
    only(problems(data), "criterion 'licence' field 'tiers'", "needs tiers", "[5, 4, 3]")


def test_negative_tiers_are_refused() -> None:
    data = make_template()
    criterion(data, "licence")["tiers"] = [5, 0, -1]
    only(problems(data), "criterion 'licence' field 'tiers'", "negative")


def test_a_price_rank_max_other_than_its_first_tier_is_refused() -> None:
    data = make_template()
    criterion(data, "licence")["max"] = 6
    only(problems(data), "criterion 'licence' field 'max'", "differs from tiers[0] = 5")


@pytest.mark.parametrize("step", [0, -0.5])
def test_a_step_of_0_or_less_is_refused(step: float) -> None:
    data = make_template()
    criterion(data, "solution")["step"] = step
    only(problems(data), "criterion 'solution' field 'step'", "not above 0")


def test_a_max_that_is_not_a_multiple_of_the_step_is_refused() -> None:
    data = make_template()
    criterion(data, "solution")["step"] = 2
    only(problems(data), "criterion 'solution' field 'step'", "max 5 is not a multiple of step 2")


def test_grade_levels_with_the_same_key_are_refused() -> None:
    data = make_template()
    criterion(data, "usability")["levels"][1]["key"] = "excellent"
    only(problems(data), "criterion 'usability' field 'levels[excellent].key'", "twice")


def test_a_grade_level_above_max_is_refused() -> None:
    data = make_template()
    criterion(data, "usability")["max"] = 8
    only(
        problems(data),
        "criterion 'usability' field 'levels[excellent].points'",
        "10 exceeds max 8",
    )


def test_a_grade_max_above_the_best_level_is_refused() -> None:
    data = make_template()
    criterion(data, "usability")["max"] = 12
    only(problems(data), "criterion 'usability' field 'max'", "highest level's points 10")


def test_a_grade_without_levels_is_refused() -> None:
    data = make_template()
    del criterion(data, "usability")["levels"]
    criterion(data, "usability")["max"] = 10
    only(problems(data), "criterion 'usability' field 'levels'", "needs levels")


def test_a_gate_with_points_is_refused() -> None:
    data = make_template()
    criterion(data, "licence_valid")["max"] = 5
    only(problems(data), "criterion 'licence_valid' field 'max'", "gate scores no points")


def test_a_missing_max_is_refused_for_kinds_that_need_one() -> None:
    data = make_template()
    del criterion(data, "total_cost")["max"]
    only(problems(data), "criterion 'total_cost' field 'max'", "required for kind 'price_ratio'")


def test_a_field_of_another_rule_kind_is_refused() -> None:
    data = make_template()
    criterion(data, "erp_oa")["step"] = 1
    only(
        problems(data),
        "criterion 'erp_oa' field 'step'",
        "does not apply to kind 'binary'",
        "kind: scale",
    )


@pytest.mark.parametrize(
    ("path", "key", "where", "allowed"),
    [
        ((), "colour", "template 'x'", "id, title, description"),
        (("groups", 2), "weigth", "group 'price'", "weight"),
        (("groups", 1, "criteria", 0), "partail", "criterion 'mobile'", "partial"),
        (("groups", 1, "criteria", 0, "title"), "fr", "criterion 'mobile'", "zh, en"),
        (("groups", 1, "criteria", 3, "levels", 0), "colour", "criterion 'usability'", "key"),
    ],
)
def test_an_unknown_field_is_refused_with_the_fields_allowed_there(
    path: tuple[Any, ...], key: str, where: str, allowed: str
) -> None:
    data = make_template()
    node: Any = data
    for part in path:
        node = node[part]
    node[key] = 1
    message = only(problems(data), where, f"{key}': unknown field", "allowed here:")
    assert allowed in message.split("allowed here:")[1]


def test_a_number_written_as_text_is_refused() -> None:
    data = make_template()
    criterion(data, "mobile")["max"] = "5"
    only(problems(data), "criterion 'mobile' field 'max'", "'5' is not a number")


def test_an_id_that_is_not_snake_case_is_refused() -> None:
    data = make_template()
    criterion(data, "mobile")["id"] = "Mobile App"
    only(problems(data), "criterion 'Mobile App' field 'id'", "not a usable id")


def test_a_source_other_than_seed_or_added_is_refused() -> None:
    data = make_template()
    criterion(data, "mobile")["source"] = "new"
    only(problems(data), "criterion 'mobile' field 'source'", "'seed' or 'added'")


def test_bands_with_the_same_key_or_min_are_refused() -> None:
    bands = [
        {"key": "good", "min": 70, "label": text()},
        {"key": "good", "min": 60, "label": text()},
        {"key": "ok", "min": 70, "label": text()},
    ]
    messages = problems(make_template(bands=bands))
    assert len(messages) == 2
    assert "band 'good' field 'key'" in messages[0]
    assert "band 'ok' field 'min'" in messages[1] and "band 'good'" in messages[1]


def test_a_group_without_criteria_is_refused() -> None:
    data = make_template()
    data["groups"].append({"id": "empty", "title": text(), "weight": 0, "criteria": []})
    only(problems(data), "group 'empty' field 'criteria'", "no criteria")


# --- files that are not templates ---


def test_a_yaml_syntax_error_is_reported_with_its_line_and_column() -> None:
    source = "id: x\ntitle: {zh: 测试, en: Test\ngroups: []\n"
    message = only(problems(source), "line 3, column 7", "YAML syntax error", "line 2")
    assert "unclosed" in message


def test_a_tab_indentation_is_reported_with_its_line() -> None:
    only(problems("id: x\n\tgroups: []\n"), "line 2, column 1", "tab")


def test_a_duplicate_key_is_refused_rather_than_silently_overwritten() -> None:
    source = yaml.safe_dump(make_template(), allow_unicode=True) + "id: y\n"
    only(problems(source), "duplicate key 'id' (first on line", "keep only one")


def test_yaml_aliases_are_refused() -> None:
    source = "id: x\ntitle: &t {zh: 测试, en: Test}\ndescription: *t\ngroups: []\n"
    only(problems(source), "line 3, column 14", "aliases")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [("", "the file is empty"), ("- a\n- b\n", "holds a list"), ("just text", "holds a text")],
)
def test_a_file_that_is_not_a_mapping_is_refused(source: str, fragment: str) -> None:
    only(problems(source), fragment, "id, title and groups")


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template_text("id: 测试".encode("gb18030"), FILE)
    assert "UTF-8" in caught.value.problems[0]


def test_a_huge_upload_is_refused_before_parsing() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template_text(b"#" * 2_000_000, FILE)
    assert "too large" in caught.value.problems[0]


def test_the_loader_does_not_mutate_or_depend_on_key_order() -> None:
    data = make_template()
    reordered = copy.deepcopy(data)
    reordered["groups"] = [dict(reversed(list(g.items()))) for g in reordered["groups"]]
    assert load(data) == load(reordered)
