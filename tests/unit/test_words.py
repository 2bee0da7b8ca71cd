"""The one vocabulary (`selector.scoring.words`) and the audit trail's sentences.

The action codes and detail keys are read from the services' source (ast), so an action a
service starts writing without a sentence, or a detail without a name, fails here.
"""

from __future__ import annotations

import ast
import re
import string

import pytest

from selector import PROJECT_ROOT
from selector.files.criteria import load_template
from selector.scoring import values
from selector.scoring.model import CHOICE_KINDS, METHODS, RULE_KINDS
from selector.scoring.words import (
    AUDIT_SENTENCES,
    DETAIL_NAMES,
    FLAG_KIND_NAMES,
    METHOD_NAMES,
    RULE_KIND_NAMES,
    TRANSITION_NAMES,
    VOCABULARY,
    word,
)
from selector.services.history import describe
from selector.services.lifecycle import TRANSITIONS
from selector.store.models import Role, SheetState, TenderState

SERVICES = PROJECT_ROOT / "selector" / "services"
CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_DETAIL = {"actor", "tender", "ends_transaction"}  # audit()'s own parameters


def _function_dict_keys(function: ast.AST, name: str) -> set[str]:
    """The keys a function puts in the dict `name`: `name = {...}` and `name["k"] = ...`."""
    keys: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id == name:
                    keys |= _dict_keys(node.value)
                if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                        and target.value.id == name and isinstance(target.slice, ast.Constant)):
                    keys.add(str(target.slice.value))
    return keys


def _dict_keys(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.Dict):
        return {str(k.value) for k in node.keys if isinstance(k, ast.Constant)}
    return set()


def _codes(node: ast.AST) -> set[str]:
    """The action codes an argument can be: a string, either side of `a if c else b`, or
    `f"tender.{action}"` (one per transition)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes(node.body) | _codes(node.orelse)
    if isinstance(node, ast.JoinedStr):
        prefix = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        return {prefix + action for action in TRANSITIONS}
    raise AssertionError(f"an audit action that is not a literal: {ast.dump(node)}")


def audit_calls() -> dict[str, set[str]]:
    """Every action code the services record -> the detail keys recorded with it."""
    found: dict[str, set[str]] = {}
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                func = call.func
                if isinstance(func, ast.Name) and func.id == "audit" and len(call.args) >= 2:
                    action = call.args[1]
                elif isinstance(func, ast.Attribute) and func.attr == "audit" and call.args:
                    action = call.args[0]
                else:
                    continue
                if isinstance(action, ast.Name) and action.id in {
                    a.arg for a in function.args.args
                }:
                    continue  # a helper that passes its caller's action on
                keys: set[str] = set()
                for keyword in call.keywords:
                    if keyword.arg is None and isinstance(keyword.value, ast.Name):
                        keys |= _function_dict_keys(function, keyword.value.id)
                    elif keyword.arg not in NOT_DETAIL:
                        keys.add(str(keyword.arg))
                        keys |= _dict_keys(keyword.value)
                        if isinstance(keyword.value, ast.Name):
                            keys |= _function_dict_keys(function, keyword.value.id)
                for code in _codes(action):
                    found.setdefault(code, set()).update(keys)
    return found


AUDITED = audit_calls()


def test_the_services_record_the_actions_we_expect_to_find() -> None:
    assert {"consensus.set", "tender.open", "tender.reopen", "sheet.submit", "sheet.save",
            "user.enable", "user.disable", "login.failed", "flag.review"} <= set(AUDITED)
    assert {"from", "to", "winner", "submitted"} <= AUDITED["tender.close"] | AUDITED[
        "tender.finalise"]
    assert {"name", "method", "low_bid", "before", "after"} <= AUDITED["tender.settings"]


@pytest.mark.parametrize("action", sorted(AUDITED))
def test_every_action_the_services_record_has_a_sentence_in_both_languages(action: str) -> None:
    sentence = AUDIT_SENTENCES.get(action)
    assert sentence is not None, f"no sentence for the audit action '{action}'"
    assert CJK.search(sentence.zh) and not CJK.search(sentence.en)
    for text in (sentence.zh, sentence.en):
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert fields <= AUDITED[action] | {"actor"}, (action, fields - AUDITED[action])
        assert action not in text
    zh_fields = {n for _, n, _, _ in string.Formatter().parse(sentence.zh) if n}
    en_fields = {n for _, n, _, _ in string.Formatter().parse(sentence.en) if n}
    assert zh_fields == en_fields


def test_every_detail_the_services_record_has_a_name_in_both_languages() -> None:
    keys = set().union(*AUDITED.values())
    missing = keys - set(DETAIL_NAMES)
    assert not missing, f"audit details without a name in words.DETAIL_NAMES: {missing}"
    for key in keys:
        assert CJK.search(DETAIL_NAMES[key].zh), key


def test_every_code_of_the_domain_has_a_word_in_both_languages() -> None:
    assert set(RULE_KIND_NAMES) == set(RULE_KINDS)
    assert set(METHOD_NAMES) == set(METHODS)
    # and the opening of the price envelope, a confirmed step of its own (lifecycle.open_prices)
    assert set(TRANSITION_NAMES) == {*TRANSITIONS, "prices"}
    assert set(VOCABULARY["tender_state"]) == {s.value for s in TenderState}
    assert set(VOCABULARY["sheet_state"]) >= {s.value for s in SheetState}
    assert set(VOCABULARY["role"]) == {r.value for r in Role}
    assert set(FLAG_KIND_NAMES) == {"divergence", "outlier_evaluator", "low_bid", "fragile"}
    for table in VOCABULARY.values():
        for text in table.values():
            assert CJK.search(text.zh), text
            assert not CJK.search(text.en), text


def test_an_unknown_code_stands_for_itself() -> None:
    assert word("tender_state", "archived", "zh") == "archived"


# --- sentences -------------------------------------------------------------------------------

CRM = load_template(PROJECT_ROOT / "criteria" / "crm_selection.yaml")
MINI = load_template(PROJECT_ROOT / "tests" / "web" / "data" / "mini.yaml")


def test_a_consensus_change_reads_as_a_sentence_with_the_value_it_replaced() -> None:
    detail = {"vendor": "华云软件", "criterion": "international", "value": "partial",
              "before": "full", "reason": "演示时仅支持两种语言"}
    sentence, details = describe("consensus.set", detail, "张三", CRM)
    assert sentence.en == (
        "张三 set the consensus of 华云软件 · International product to Partially meets "
        "(was Meets the requirement)")
    assert sentence.zh == "张三 将 华云软件 · 国际化产品 的共识值设为 部分满足(原为 满足)"
    assert [d.zh for d in details] == ["理由:演示时仅支持两种语言"]
    assert [d.en for d in details] == ["reason: 演示时仅支持两种语言"]


def test_a_first_consensus_value_has_no_was() -> None:
    sentence, _ = describe("consensus.set", {"vendor": "A", "criterion": "international",
                                             "value": "none", "before": None}, "张三", CRM)
    assert sentence.zh.endswith("设为 不满足")


def test_settings_list_what_changed_before_and_after_in_words() -> None:
    before = {"name": "T", "base_currency": "CNY", "method": "mean", "divergence": "0.4",
              "low_bid": "0.6"}
    after = {**before, "method": "median", "low_bid": "0.5"}
    sentence, details = describe("tender.settings", {"before": before, "after": after},
                                 "张三", CRM)
    assert sentence.zh == "张三 修改了项目设置"
    assert [d.zh for d in details] == ["汇总方法:评委评分平均值 → 评委评分中位数",
                                       "异常低价阈值:60% → 50%"]
    assert [d.en for d in details] == [
        "aggregation: Mean of the evaluators → Median of the evaluators",
        "low-bid threshold: 60% → 50%"]


def test_a_transition_names_the_states_and_an_assignment_its_groups() -> None:
    opened, _ = describe("tender.open", {"from": "draft", "to": "open"}, "李四", CRM)
    assert opened.zh == "李四 开放评分(草稿 → 评分中)"
    assert opened.en == "李四 opened scoring (Draft → Open for scoring)"
    assigned, _ = describe("assignment.set", {"evaluator": "eval1", "groups": "all",
                                              "can_see_prices": False}, "李四", CRM)
    assert assigned.zh == "李四 指派 eval1 评审:全部分组;不可查看报价"
    group = CRM.groups[1]
    some, _ = describe("assignment.set", {"evaluator": "eval1", "groups": [group.id],
                                          "can_see_prices": True}, "李四", CRM)
    assert some.en == f"李四 assigned eval1 to {group.title.en}; prices shown"


def test_a_flag_review_names_the_flag_by_its_kind_and_whom_it_concerns() -> None:
    sentence, details = describe(
        "flag.review", {"flag": "divergence:华云软件:international:eval3", "note": "已核实"},
        "张三", CRM)
    assert sentence.zh == "张三 复核了提示事项 评分分歧 · 华云软件 · 国际化产品 · eval3"
    assert [d.zh for d in details] == ["复核意见:已核实"]


def test_an_event_without_its_actor_says_so() -> None:
    sentence, _ = describe("vendor.add", {"vendor": "Acme"}, None, None)
    assert sentence.en == "(a deleted user) added the vendor Acme"


# --- values in the criterion's own words --------------------------------------------------


@pytest.mark.parametrize(("criterion", "value", "zh", "en"), [
    ("fit", "partial", "部分满足", "Partially meets"),
    ("api", "yes", "能提供", "Can provide"),
    ("licence_ok", "fail", "不通过", "Fail"),
    ("ux", "excellent", "优", "Excellent"),
    ("plan", "4.50", "4.5", "4.5"),
])
def test_a_value_shows_in_the_criterions_own_words(criterion: str, value: str, zh: str,
                                                  en: str) -> None:
    label = values.label(MINI.criterion(criterion), value)
    assert (label.zh, label.en) == (zh, en)


def test_every_choice_kind_names_each_of_its_values() -> None:
    for criterion in (*CRM.criteria(), *MINI.criteria()):
        if criterion.kind in CHOICE_KINDS:
            for option in values.options(criterion):
                label = values.label(criterion, option.key)
                assert label.zh != option.key and CJK.search(label.zh), (criterion.id, option)


def test_a_value_without_its_criterion_stands_for_itself() -> None:
    assert values.label(None, "partial").zh == "partial"
    assert values.label(MINI.criterion("fit"), "maybe").en == "maybe"
