"""Criteria templates: a YAML file becomes a frozen `selector.scoring.model.Template`.

Reading goes in three steps, and every problem found is reported, not just the first:

1. YAML, through a `yaml.SafeLoader` subclass that also refuses duplicate keys (which plain
   `safe_load` silently overwrites) and anchors/aliases (a template never needs them, and an
   uploaded file must not be able to expand into a billion nodes). Syntax errors carry the
   line and column.
2. The file's shape, checked by pydantic models with `extra="forbid"`: unknown fields,
   missing fields, a text without both languages, a value of the wrong type.
3. The rules of docs/contract.md (§1–§3): rule kinds and their fields, `partial` ≤ `max`,
   tiers, steps, grade levels, unique ids, and group weights that add up to 100 (or, where no
   group gives a weight, group maxima that do).

Each message names the file, the template / group / criterion / band, the field and the fix,
for example ``criteria/x.yaml: criterion 'sla' field 'partial': 3 exceeds max 2; ...``.
Numbers become `Decimal` through `str()`, so ``0.5`` in the file is ``Decimal("0.5")``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml

# Selector uses no pydantic plugin; looking for them scans every installed package's entry
# points as the models are built, a third of what this module costs `selector score` to
# import. Set the variable yourself to load plugins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import (  # noqa: E402
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
)
from pydantic import ValidationError as PydanticValidationError  # noqa: E402

from selector.scoring.limits import (
    CURRENCY_PATTERN,
    ID_PATTERN,
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_DEPTH,
    MAX_TEMPLATE_NUMBER,
    MAX_TEMPLATE_NUMBER_CHARS,
    MIN_STEP,
    TEMPLATE_PLACES,
    decimal_places,
    forbidden_character,
)
from selector.scoring.model import (
    DEFAULT_PARTIAL,
    DEFAULT_STEP,
    RULE_KINDS,
    Band,
    Criterion,
    Group,
    Level,
    ScoringError,
    Template,
    Text,
)
from selector.scoring.numbers import json_number, plain

TOTAL_WEIGHT = Decimal(100)

# The fields that belong to one rule kind only, and the kind each belongs to.
_KIND_FIELDS: dict[str, str] = {
    "partial": "tiered",
    "step": "scale",
    "levels": "grade",
    "tiers": "price_rank",
}


class TemplateError(ScoringError):
    """A template file the loader refuses; `problems` holds one message per fault."""


# --- the file's shape (pydantic) --------------------------------------------------------------


class _BilingualValueError(ValueError):
    """A field validator's refusal, with its message in both languages for `_shape_problem`."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def _to_decimal(value: object) -> Decimal:
    """A YAML number as an exact Decimal (through `str`, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _BilingualValueError(
            Text(
                zh=f"{value!r} 不是数字；请写普通数字，例如 5 或 0.5",
                en=f"{value!r} is not a number; write a plain number such as 5 or 0.5",
            )
        )
    number = Decimal(str(value))
    if not number.is_finite():
        raise _BilingualValueError(
            Text(
                zh=f"{value!r} 不是有限数字；请写普通数字，例如 5",
                en=f"{value!r} is not a finite number; write a plain number such as 5",
            )
        )
    if abs(number) > MAX_TEMPLATE_NUMBER or decimal_places(number) > TEMPLATE_PLACES:
        limit = plain(MAX_TEMPLATE_NUMBER)
        raise _BilingualValueError(
            Text(
                zh=f"{plain(number)} 超出模板数字的范围；请使用 -{limit} 到 {limit} 之间、"
                f"最多 {TEMPLATE_PLACES} 位小数的数字",
                en=f"{plain(number)} is beyond what a template number may be; use a number "
                f"from -{limit} to {limit} with at most {TEMPLATE_PLACES} decimal places",
            )
        )
    return number


def _printable(value: str) -> str:
    """A text of the template (a title, a label) without control characters."""
    char = forbidden_character(value, multiline=True)
    if char is not None:
        raise _BilingualValueError(
            Text(
                zh=f"含有控制字符 {char}，无法保存或打印；请删除它（检查 \\ 转义）",
                en=f"holds the control character {char}, which cannot be stored or printed; "
                "remove it (check for \\ escapes)",
            )
        )
    return value


Number = Annotated[Decimal, PlainValidator(_to_decimal)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Words = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable)
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class TextSpec(_Spec):
    zh: Words
    en: Words


class LevelSpec(_Spec):
    key: Id
    points: Number
    label: TextSpec
    descriptor: TextSpec | None = None


class CriterionSpec(_Spec):
    id: Id
    kind: str
    title: TextSpec
    description: TextSpec | None = None
    max: Number | None = None
    partial: Number | None = None
    step: Number | None = None
    levels: list[LevelSpec] | None = None
    tiers: list[Number] | None = None
    source: Literal["seed", "added"] | None = None


class GroupSpec(_Spec):
    id: Id
    title: TextSpec
    description: TextSpec | None = None
    weight: Number | None = None
    criteria: list[CriterionSpec]


class BandSpec(_Spec):
    key: Id
    min: Number
    label: TextSpec


class TemplateSpec(_Spec):
    id: Id
    title: TextSpec
    description: TextSpec | None = None
    currency: Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)] = "CNY"
    bands: list[BandSpec] = Field(default_factory=list)
    method_notes: TextSpec | None = None
    groups: list[GroupSpec]


# --- public functions ----------------------------------------------------------------------


def load_template(path: str | Path) -> Template:
    """Read a template file; raise `TemplateError` listing every problem in it."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        raise TemplateError(
            Text(
                zh=f"{name}: 无法读取文件（{reason}）；请检查路径",
                en=f"{name}: cannot read the file ({reason}); check the path",
            )
        ) from exc
    return load_template_text(data, name)


def load_template_text(text: str | bytes, name: str) -> Template:
    """Read a template from text (an upload, say); `name` stands for the file in messages."""
    if isinstance(text, bytes):
        if len(text) > MAX_TEMPLATE_BYTES:
            raise TemplateError(_too_large(name, len(text)))
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateError(
                Text(
                    zh=f"{name}: 第 {exc.start + 1} 个字节不是 UTF-8；请将文件另存为 UTF-8 文本",
                    en=f"{name}: byte {exc.start + 1} is not UTF-8; save the file as UTF-8 text",
                )
            ) from exc
    if len(text.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise TemplateError(_too_large(name, len(text.encode("utf-8"))))
    raw = _parse_yaml(text, name)
    try:
        spec = TemplateSpec.model_validate(raw)
    except PydanticValidationError as exc:
        raise TemplateError([_shape_problem(name, raw, error) for error in exc.errors()]) from None
    return _build(spec, name)


def template_to_json(template: Template) -> dict[str, Any]:
    """The normalised template as plain JSON values, effective weights filled in.

    Keys (more may be added, none renamed): id, title, description, currency, bands[],
    groups[] with id, weight, max_points, title, description and criteria[] with id, kind,
    max, partial, tiers, step, levels (each key, points, label, descriptor), title,
    description, source. Numbers are ints where integral, else floats; a field that does not
    apply to a rule kind is null.
    """
    return {
        "id": template.id,
        "title": template.title.to_json(),
        "description": _text_json(template.description),
        "currency": template.currency,
        "bands": [
            {"key": band.key, "min": json_number(band.min), "label": band.label.to_json()}
            for band in template.bands
        ],
        "groups": [
            {
                "id": group.id,
                "weight": json_number(group.weight),
                "max_points": json_number(group.max_points),
                "title": group.title.to_json(),
                "description": _text_json(group.description),
                "criteria": [_criterion_json(criterion) for criterion in group.criteria],
            }
            for group in template.groups
        ],
    }


# --- YAML ------------------------------------------------------------------------------------


class _YamlRefusal(yaml.MarkedYAMLError):
    """YAML that parses but that a template must not use; its message carries its own fix."""

    def __init__(self, *, problem: str, problem_mark: Any, problem_zh: str) -> None:
        super().__init__(problem=problem, problem_mark=problem_mark)
        self.problem_zh = problem_zh


# libyaml's C parser when PyYAML has it (several times faster on large templates); the
# constructor stays PyYAML's safe one, which builds plain dicts, lists, strings and numbers.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateYamlLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate mapping keys (aliases: see `_refuse_unsafe_yaml`)."""


_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_RESOLVER = yaml.resolver.Resolver()


def _refuse_unsafe_yaml(text: str) -> None:
    """One pass over the YAML events before anything is built, refusing what would make the
    loader slow or crash: anchors and aliases (*name, the way to a "billion laughs" file),
    nesting deeper than any template needs (300 nested lists overflow the stack), and numbers
    too long to be points or weights (Python refuses to read an int of 5000 digits)."""
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _YamlRefusal(
                problem="anchors and aliases (*name) are not supported in a template; "
                "write the value out in full",
                problem_mark=event.start_mark,
                problem_zh="模板不支持锚点和别名（*name）；请把值完整写出",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_TEMPLATE_DEPTH:
                raise _YamlRefusal(
                    problem=f"lists and mappings nested more than {MAX_TEMPLATE_DEPTH} deep; "
                    "a template needs 8 levels at most: check the brackets and indentation",
                    problem_mark=event.start_mark,
                    problem_zh=f"列表和映射嵌套超过 {MAX_TEMPLATE_DEPTH} 层；模板最多需要 8 层："
                    "请检查括号和缩进",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif (
            isinstance(event, yaml.ScalarEvent)
            and event.implicit[0]  # plain, so the resolver may read it as a number
            and len(event.value) > MAX_TEMPLATE_NUMBER_CHARS
            and _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False)) in _NUMBER_TAGS
        ):
            raise _YamlRefusal(
                problem=f"a number of {len(event.value)} characters; a template number has at "
                f"most {MAX_TEMPLATE_NUMBER_CHARS} (points and weights such as 5 or 0.5)",
                problem_mark=event.start_mark,
                problem_zh=f"数字长达 {len(event.value)} 个字符；模板中的数字最多 "
                f"{MAX_TEMPLATE_NUMBER_CHARS} 个字符（例如 5 或 0.5 这样的分值和权重）",
            )


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    first_line: dict[str, int] = {}
    for key_node, _value in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in first_line:
                first = first_line[key_node.value]
                raise _YamlRefusal(
                    problem=f"duplicate key '{key_node.value}' (first on line "
                    f"{first}); keep only one of them",
                    problem_mark=key_node.start_mark,
                    problem_zh=f"键“{key_node.value}”重复（首次出现在第 {first} 行）；只保留一个",
                )
            first_line[key_node.value] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


_TemplateYamlLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _parse_yaml(text: str, name: str) -> Any:
    try:
        _refuse_unsafe_yaml(text)
        raw = yaml.load(text, Loader=_TemplateYamlLoader)
    except _YamlRefusal as exc:
        mark = exc.problem_mark
        raise TemplateError(
            Text(
                zh=f"{name}: {_mark_zh(mark)}{exc.problem_zh}",
                en=f"{name}: {_mark(mark)}{exc.problem}",
            )
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = context_zh = exc.context or ""
        if context and exc.context_mark and exc.context_mark is not mark:
            context += f" (begun at {_mark(exc.context_mark).rstrip(': ')})"
            context_zh += f"（始于{_mark_zh(exc.context_mark).rstrip(': ')}）"
        problem = ": ".join(part for part in (context, exc.problem) if part)
        problem_zh = ": ".join(part for part in (context_zh, exc.problem) if part)
        raise TemplateError(
            Text(
                zh=f"{name}: {_mark_zh(mark)}YAML 语法错误: {problem_zh}；请修改该处的 YAML"
                "（缩进、缺少“:”或其后的空格、引号或括号未闭合）",
                en=f"{name}: {_mark(mark)}YAML syntax error: {problem}; fix the YAML there "
                "(indentation, a missing ':' or space after it, an unclosed quote or bracket)",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise TemplateError(
            Text(
                zh=f"{name}: 不是有效的 YAML: {exc}；请保存为 YAML 文本文件",
                en=f"{name}: not valid YAML: {exc}; save it as a YAML text file",
            )
        ) from None
    if raw is None:
        raise TemplateError(
            Text(
                zh=f"{name}: 文件为空；模板是一个包含 id、title 和 groups 的 YAML 映射",
                en=f"{name}: the file is empty; a template is a YAML mapping with id, title "
                "and groups",
            )
        )
    if not isinstance(raw, dict):
        raise TemplateError(
            Text(
                zh=f"{name}: 文件内容是{_type_name_zh(raw)}，不是模板；模板是一个包含 id、"
                "title 和 groups 的 YAML 映射（参见 criteria/crm_selection.yaml）",
                en=f"{name}: the file holds a {_type_name(raw)}, not a template; a template "
                "is a YAML mapping with id, title and groups (see criteria/crm_selection.yaml)",
            )
        )
    return raw


def _mark(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def _mark_zh(mark: Any) -> str:
    return f"第 {mark.line + 1} 行第 {mark.column + 1} 列: " if mark is not None else ""


def _too_large(name: str, size: int) -> Text:
    return Text(
        zh=f"{name}: {size} 字节，超出模板的大小上限（{MAX_TEMPLATE_BYTES}）；请上传评分模板本身",
        en=f"{name}: {size} bytes is too large for a template (limit {MAX_TEMPLATE_BYTES}); "
        "upload the criteria template itself",
    )


# --- shape errors -> messages ----------------------------------------------------------------

_ALLOWED_FIELDS: dict[str, tuple[str, ...]] = {
    "template": tuple(TemplateSpec.model_fields),
    "group": tuple(GroupSpec.model_fields),
    "criterion": tuple(CriterionSpec.model_fields),
    "level": tuple(LevelSpec.model_fields),
    "band": tuple(BandSpec.model_fields),
    "text": tuple(TextSpec.model_fields),
}
_TEXT_FIELDS = frozenset({"title", "description", "label", "descriptor", "method_notes"})


def _shape_problem(name: str, raw: dict[str, Any], error: Any) -> Text:
    """One pydantic error as a message naming the file, the item, the field and the fix."""
    loc: tuple[Any, ...] = tuple(error["loc"])
    where, field_path, owner = _locate(raw, loc)
    kind: str = error["type"]
    value = error.get("input")
    last = loc[-1] if loc else None
    parent = loc[-2] if len(loc) >= 2 else None
    shown, shown_zh = _shown(value), _shown_zh(value)

    if kind == "missing" and last in ("zh", "en"):
        fix = Text(
            zh=f"缺少{'中文（zh）' if last == 'zh' else '英文（en）'}文本；"
            f"每段文本都需要两种语言: {parent}: {{zh: …, en: …}}",
            en=f"the {'Chinese (zh)' if last == 'zh' else 'English (en)'} text is missing; "
            f"every text needs both languages: {parent}: {{zh: …, en: …}}",
        )
    elif kind == "missing":
        fix = Text(zh="为必填项；请添加", en="is required; add it")
    elif kind == "extra_forbidden":
        allowed = ", ".join(_ALLOWED_FIELDS[owner])
        fix = Text(
            zh=f"未知字段；请删除或更正拼写（此处允许: {allowed}）",
            en=f"unknown field; remove it or correct its spelling (allowed here: {allowed})",
        )
    elif kind == "string_too_short" and last in ("zh", "en"):
        fix = Text(
            zh="文本为空；请用两种语言填写", en="the text is empty; write it in both languages"
        )
    elif kind == "string_pattern_mismatch" and last == "currency":
        fix = Text(
            zh=f"{value!r} 不是币种代码；请使用三个字母的 ISO 4217 代码，例如 CNY",
            en=f"{value!r} is not a currency code; use a three-letter ISO 4217 code such as CNY",
        )
    elif kind == "string_pattern_mismatch":
        fix = Text(
            zh=f"{value!r} 不是可用的 id；请使用小写字母、数字和“_”，以字母开头"
            "（最多 64 个字符），例如 'total_cost'",
            en=f"{value!r} is not a usable id; use lowercase letters, digits and '_', "
            "starting with a letter (at most 64 characters), e.g. 'total_cost'",
        )
    elif kind in ("model_type", "dict_type") and last in _TEXT_FIELDS:
        fix = Text(
            zh=f"应为两种语言的文本，实际为{shown_zh}；请写成 {last}: {{zh: …, en: …}}",
            en=f"expected a text in both languages, got {shown}; write {last}: {{zh: …, en: …}}",
        )
    elif kind in ("model_type", "dict_type"):
        fix = Text(
            zh=f"应为映射（“键: 值”形式的行），实际为{shown_zh}",
            en=f"expected a mapping (key: value lines), got {shown}",
        )
    elif kind == "list_type":
        fix = Text(
            zh=f"应为列表（以“- ”开头的条目），实际为{shown_zh}",
            en=f"expected a list ('- ' items), got {shown}",
        )
    elif kind == "string_type":
        fix = Text(
            zh=f"应为文本，实际为{shown_zh}；如果它就是文本，请加上引号",
            en=f"expected text, got {shown}; put it in quotes if it is meant as text",
        )
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        fix = Text(
            zh=f"不允许使用{shown_zh}；请使用 {expected}",
            en=f"{shown} is not allowed; use {expected}",
        )
    elif kind == "value_error":
        refusal = error.get("ctx", {}).get("error", error["msg"])
        if isinstance(refusal, _BilingualValueError):
            fix = refusal.text
        else:
            fix = Text(zh=f"取值无效: {refusal}", en=str(refusal))
    else:
        fix = Text(
            zh=f"取值无效: {error['msg']}（实际为{shown_zh}）",
            en=f"{error['msg']} (got {shown})",
        )
    shown_path = "（整个条目）" if field_path == "(whole item)" else field_path
    return Text(
        zh=f"{name}: {where.zh}的字段“{shown_path}”: {fix.zh}",
        en=f"{name}: {where.en} field '{field_path}': {fix.en}",
    )


def _locate(raw: dict[str, Any], loc: tuple[Any, ...]) -> tuple[Text, str, str]:
    """Turn a pydantic location into (item, field path, owner of the last key).

    The item is named by its id as written in the raw file (or its position when the id
    itself is broken); the owner is the model whose fields the last key belongs to.
    """
    template_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    where = _item_name("template", template_id) if template_id else Text(zh="模板", en="template")
    rest = list(loc)
    if len(rest) >= 2 and rest[0] in ("groups", "bands") and isinstance(rest[1], int):
        section, index = rest[0], rest[1]
        item = _item(raw.get(section), index)
        where = _named(
            "band" if section == "bands" else "group",
            item,
            "key" if section == "bands" else "id",
            index,
        )
        rest = rest[2:]
        if section == "groups" and len(rest) >= 2 and rest[0] == "criteria":
            criterion = _item(item.get("criteria") if item else None, rest[1])
            where = _named("criterion", criterion, "id", rest[1])
            rest = rest[2:]
            if len(rest) >= 2 and rest[0] == "levels" and isinstance(rest[1], int):
                level = _item(criterion.get("levels") if criterion else None, rest[1])
                key = level.get("key") if level else None
                shown = key if isinstance(key, str) and key else str(rest[1] + 1)
                rest = [f"levels[{shown}]", *rest[2:]]
    path = ""
    for part in rest:
        path += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return where, path or "(whole item)", _owner(loc)


def _owner(loc: tuple[Any, ...]) -> str:
    """The model that holds the last key of `loc`: template, group, criterion, level, ..."""
    model, pending = "template", ""
    children = {
        ("template", "groups"): "group",
        ("template", "bands"): "band",
        ("group", "criteria"): "criterion",
        ("criterion", "levels"): "level",
    }
    for part in loc[:-1]:
        if isinstance(part, int):
            model, pending = (pending or model), ""
        elif part in _TEXT_FIELDS:
            model = "text"
        else:
            pending = children.get((model, part), "")
    return model


def _item(section: Any, index: Any) -> dict[str, Any] | None:
    if isinstance(section, list) and isinstance(index, int) and 0 <= index < len(section):
        entry = section[index]
        return entry if isinstance(entry, dict) else None
    return None


# What each item of a template is called in Chinese (the English is the key itself).
_ITEM_ZH = {"template": "模板", "group": "组", "criterion": "评分项", "band": "分档"}


def _item_name(what: str, item_id: str) -> Text:
    """ "criterion 'sla'" / 评分项“sla”: an item of the template named by its id."""
    return Text(zh=f"{_ITEM_ZH[what]}“{item_id}”", en=f"{what} '{item_id}'")


def _named(what: str, item: dict[str, Any] | None, key: str, index: int) -> Text:
    value = item.get(key) if item else None
    if isinstance(value, str) and value:
        return _item_name(what, value)
    return Text(zh=f"第 {index + 1} 个{_ITEM_ZH[what]}", en=f"{what} #{index + 1}")


def _type_name(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def _shown(value: object) -> str:
    if isinstance(value, dict | list):
        return f"a {_type_name(value)}"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _type_name_zh(value: object) -> str:
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, bool):
        return "布尔值（true/false）"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, str):
        return "文本"
    return type(value).__name__


def _shown_zh(value: object) -> str:
    """The value as `_shown` gives it, worded to follow 实际为 / 不允许使用 in Chinese."""
    if isinstance(value, dict | list):
        return f"一个{_type_name_zh(value)}"
    return f" {_shown(value)}"


# --- the rules of docs/contract.md ------------------------------------------------------------


class _Problems:
    """Collects messages of the form "<file>: <item> field '<field>': <problem>; <fix>".

    In Chinese: "<file>: <item>的字段“<field>”: <problem>；<fix>"; ids, field names and YAML
    keys stay as written in the file.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: list[Text] = []

    def add(self, where: Text, field: str, *, zh: str, en: str) -> None:
        self.messages.append(
            Text(
                zh=f"{self.name}: {where.zh}的字段“{field}”: {zh}",
                en=f"{self.name}: {where.en} field '{field}': {en}",
            )
        )


def _build(spec: TemplateSpec, name: str) -> Template:
    problems = _Problems(name)
    template_where = _item_name("template", spec.id)
    _check_unique_ids(spec, problems)
    if not spec.groups:
        problems.add(
            template_where,
            "groups",
            zh="模板中没有组；请至少添加一个",
            en="the template has no groups; add at least one",
        )
    groups: list[Group] = []
    for group_spec in spec.groups:
        criteria = [_build_criterion(c, problems) for c in group_spec.criteria]
        if not group_spec.criteria:
            problems.add(
                _item_name("group", group_spec.id),
                "criteria",
                zh="该组没有评分项；请添加评分项或删除该组",
                en="the group has no criteria; add some or remove the group",
            )
        groups.append(
            Group(
                id=group_spec.id,
                title=_text_required(group_spec.title),
                weight=Decimal(0),  # replaced below by the effective weight
                criteria=tuple(c for c in criteria if c is not None),
                description=_text(group_spec.description),
            )
        )
    weights = _effective_weights(spec, groups, problems)
    bands = _build_bands(spec, problems)
    if problems.messages:
        raise TemplateError(problems.messages)
    return Template(
        id=spec.id,
        title=_text_required(spec.title),
        groups=tuple(
            Group(
                id=g.id,
                title=g.title,
                weight=weights[g.id],
                criteria=g.criteria,
                description=g.description,
            )
            for g in groups
        ),
        currency=spec.currency,
        description=_text(spec.description),
        bands=bands,
        method_notes=_text(spec.method_notes),
    )


def _check_unique_ids(spec: TemplateSpec, problems: _Problems) -> None:
    """Group and criterion ids share one namespace: CSV files and forms name them alone."""
    seen: dict[str, Text] = {}
    for group in spec.groups:
        items: Iterable[tuple[str, str]] = [
            ("group", group.id),
            *(("criterion", c.id) for c in group.criteria),
        ]
        for what, item_id in items:
            named = _item_name(what, item_id)
            here = (
                Text(
                    zh=f"组“{group.id}”中的{named.zh}",
                    en=f"{named.en} in group '{group.id}'",
                )
                if what == "criterion"
                else named
            )
            if item_id in seen:
                first = seen[item_id]
                problems.add(
                    named,
                    "id",
                    zh=f"“{item_id}”被使用了两次（先由{first.zh}使用，又由{here.zh}使用）；"
                    "请为每个组和评分项分别指定不同的 id",
                    en=f"'{item_id}' is used twice (first by {first.en}, again by {here.en}); "
                    "give every group and criterion its own id",
                )
            else:
                seen[item_id] = here


def _build_criterion(spec: CriterionSpec, problems: _Problems) -> Criterion | None:
    where = _item_name("criterion", spec.id)
    if spec.kind not in RULE_KINDS:
        problems.add(
            where,
            "kind",
            zh=f"未知的规则类型“{spec.kind}”；请使用 {', '.join(RULE_KINDS)} 之一",
            en=f"unknown rule kind '{spec.kind}'; use one of {', '.join(RULE_KINDS)}",
        )
        return None
    count = len(problems.messages)
    for field, owner_kind in _KIND_FIELDS.items():
        if getattr(spec, field) is not None and spec.kind != owner_kind:
            problems.add(
                where,
                field,
                zh=f"不适用于类型“{spec.kind}”；请删除（“{field}”只属于类型: {owner_kind}）",
                en=f"does not apply to kind '{spec.kind}'; remove it "
                f"('{field}' belongs to kind: {owner_kind})",
            )
    builder = _KIND_BUILDERS[spec.kind]
    criterion = builder(spec, where, problems)
    return criterion if len(problems.messages) == count else None


def _positive_max(spec: CriterionSpec, where: Text, problems: _Problems) -> Decimal | None:
    if spec.max is None:
        problems.add(
            where,
            "max",
            zh=f"类型“{spec.kind}”必须填写；请给出该项的满分",
            en=f"is required for kind '{spec.kind}'; give the item's points",
        )
        return None
    if spec.max <= 0:
        problems.add(
            where,
            "max",
            zh=f"{plain(spec.max)} 不大于 0；请给出该项的满分",
            en=f"{plain(spec.max)} is not above 0; give the item's points",
        )
        return None
    return spec.max


def _criterion(spec: CriterionSpec, max_points: Decimal, **rule: Any) -> Criterion:
    return Criterion(
        id=spec.id,
        kind=spec.kind,  # type: ignore[arg-type]  # checked against RULE_KINDS
        max=max_points,
        title=_text_required(spec.title),
        description=_text(spec.description),
        source=spec.source,
        **rule,
    )


def _build_tiered(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    max_points = _positive_max(spec, where, problems)
    partial = DEFAULT_PARTIAL if spec.partial is None else spec.partial
    if partial < 0:
        problems.add(
            where,
            "partial",
            zh=f"{plain(partial)} 小于 0；请给出 0 或更多分",
            en=f"{plain(partial)} is below 0; give 0 or more points",
        )
    if max_points is None:
        return None
    if partial > max_points:
        given = spec.partial is not None
        implicit = "" if given else " (the default when partial is not given)"
        implicit_zh = " " if given else "（未给出 partial 时的默认值）"
        problems.add(
            where,
            "partial",
            zh=f"{plain(partial)}{implicit_zh}超过满分 max {plain(max_points)}；"
            f"{plain(max_points)} 分的评分项不能为部分满足给 {plain(partial)} 分——请使用 "
            "kind: binary（“能提供：满分”）或降低 partial",
            en=f"{plain(partial)}{implicit} exceeds max {plain(max_points)}; a "
            f"{plain(max_points)}-point item cannot give {plain(partial)} for partial — use "
            'kind: binary ("can provide: full") or lower partial',
        )
        return None
    return _criterion(spec, max_points, partial=partial)


def _build_binary(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    max_points = _positive_max(spec, where, problems)
    return None if max_points is None else _criterion(spec, max_points)


def _build_scale(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    max_points = _positive_max(spec, where, problems)
    step = DEFAULT_STEP if spec.step is None else spec.step
    if step <= 0:
        problems.add(
            where,
            "step",
            zh=f"{plain(step)} 不大于 0；请使用 0.5 或 1 这样的步长",
            en=f"{plain(step)} is not above 0; use a step such as 0.5 or 1",
        )
        return None
    if step < MIN_STEP:
        problems.add(
            where,
            "step",
            zh=f"{plain(step)} 小于最小步长 {plain(MIN_STEP)}；请使用 0.5 或 1 这样的步长",
            en=f"{plain(step)} is below the smallest step, {plain(MIN_STEP)}; use a step "
            "such as 0.5 or 1",
        )
        return None
    if max_points is None:
        return None
    if max_points % step != 0:
        problems.add(
            where,
            "step",
            zh=f"满分 max {plain(max_points)} 不是步长 step {plain(step)} 的整数倍；"
            "请选择能整除 max 的步长（例如 0.5 或 1）",
            en=f"max {plain(max_points)} is not a multiple of step {plain(step)}; "
            "choose a step that divides max (e.g. 0.5 or 1)",
        )
        return None
    return _criterion(spec, max_points, step=step)


def _build_grade(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    if not spec.levels:
        problems.add(
            where,
            "levels",
            zh="类型“grade”需要 levels；请逐条列出，例如 "
            "- {key: excellent, points: 10, label: {zh: 优, en: Excellent}}",
            en="kind 'grade' needs levels; list them, e.g. "
            "- {key: excellent, points: 10, label: {zh: 优, en: Excellent}}",
        )
        return None
    ok = True
    keys: set[str] = set()
    for level in spec.levels:
        field = f"levels[{level.key}]"
        if level.key in keys:
            problems.add(
                where,
                f"{field}.key",
                zh=f"等级“{level.key}”出现了两次；只保留一个",
                en=f"level '{level.key}' appears twice; keep one",
            )
            ok = False
        keys.add(level.key)
        if level.points < 0:
            problems.add(
                where,
                f"{field}.points",
                zh=f"{plain(level.points)} 小于 0；请给出 0 或更多分",
                en=f"{plain(level.points)} is below 0; give 0 or more",
            )
            ok = False
        elif spec.max is not None and level.points > spec.max:
            problems.add(
                where,
                f"{field}.points",
                zh=f"{plain(level.points)} 超过满分 max {plain(spec.max)}；"
                "请降低该等级的分数或提高 max",
                en=f"{plain(level.points)} exceeds max {plain(spec.max)}; lower the level's "
                "points or raise max",
            )
            ok = False
    top = max(level.points for level in spec.levels)
    if ok and spec.max is not None and spec.max != top:
        problems.add(
            where,
            "max",
            zh=f"{plain(spec.max)} 与最高等级的分数 {plain(top)} 不一致；"
            f"请将 max 设为 {plain(top)} 或省略",
            en=f"{plain(spec.max)} differs from the highest level's points {plain(top)}; "
            f"set max to {plain(top)} or leave it out",
        )
        ok = False
    if ok and top <= 0:
        problems.add(
            where,
            "levels",
            zh="没有任何等级给分；请为最高等级给出分数",
            en="no level gives any points; give the best level points",
        )
        ok = False
    if not ok:
        return None
    levels = tuple(
        Level(
            key=level.key,
            points=level.points,
            label=_text_required(level.label),
            descriptor=_text(level.descriptor),
        )
        for level in spec.levels
    )
    return _criterion(spec, top, levels=levels)


def _build_price_rank(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    tiers = spec.tiers
    if not tiers:
        problems.add(
            where,
            "tiers",
            zh="类型“price_rank”需要 tiers，即从最低报价到最高报价的得分；例如写 tiers: [5, 4, 3]",
            en="kind 'price_rank' needs tiers, the points from lowest to highest bid; "
            "write e.g. tiers: [5, 4, 3]",
        )
        return None
    listed = f"[{', '.join(plain(t) for t in tiers)}]"
    if any(t < 0 for t in tiers):
        problems.add(
            where,
            "tiers",
            zh=f"{listed} 中有负数；请给出 0 或更多分",
            en=f"{listed} has a negative value; give 0 or more points",
        )
        return None
    if any(a <= b for a, b in zip(tiers, tiers[1:], strict=False)):
        problems.add(
            where,
            "tiers",
            zh=f"{listed} 不是严格递减的；请按从最低报价到最高报价的顺序列出得分，"
            "每一项都低于前一项，例如 [5, 4, 3]",
            en=f"{listed} is not strictly decreasing; list the "
            "points from the lowest bid to the highest, each below the one before, "
            "e.g. [5, 4, 3]",
        )
        return None
    if tiers[0] <= 0:
        problems.add(
            where,
            "tiers",
            zh="最低报价得不到分数；请使 tiers[0] 大于 0",
            en="the lowest bid gets no points; give tiers[0] above 0",
        )
        return None
    if spec.max is not None and spec.max != tiers[0]:
        problems.add(
            where,
            "max",
            zh=f"{plain(spec.max)} 与最低报价的得分 tiers[0] = {plain(tiers[0])} 不一致；"
            f"请将 max 设为 {plain(tiers[0])} 或省略",
            en=f"{plain(spec.max)} differs from tiers[0] = {plain(tiers[0])}, the points of the "
            f"lowest bid; set max to {plain(tiers[0])} or leave it out",
        )
        return None
    return _criterion(spec, tiers[0], tiers=tuple(tiers))


def _build_price_ratio(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    max_points = _positive_max(spec, where, problems)
    return None if max_points is None else _criterion(spec, max_points)


def _build_gate(spec: CriterionSpec, where: Text, problems: _Problems) -> Criterion | None:
    if spec.max is not None and spec.max != 0:
        problems.add(
            where,
            "max",
            zh=f"给出了 {plain(spec.max)}，但门槛项不计分（只有通过/不通过）；请删除 max 或设为 0",
            en=f"{plain(spec.max)} given, but a gate scores no points (pass/fail only); "
            "remove max or set it to 0",
        )
        return None
    return _criterion(spec, Decimal(0))


_KIND_BUILDERS: dict[str, Callable[[CriterionSpec, Text, _Problems], Criterion | None]] = {
    "tiered": _build_tiered,
    "binary": _build_binary,
    "scale": _build_scale,
    "grade": _build_grade,
    "price_rank": _build_price_rank,
    "price_ratio": _build_price_ratio,
    "gate": _build_gate,
}


def _effective_weights(
    spec: TemplateSpec, groups: Sequence[Group], problems: _Problems
) -> dict[str, Decimal]:
    """Each group's percent of the total: its weight, or its max points when none is given.

    A group of gates only scores nothing and weighs 0. Either every scoring group gives a
    weight or none does; the weights (or maxima) must add up to exactly 100.
    """
    weights: dict[str, Decimal] = {}
    template_where = _item_name("template", spec.id)
    scoring: list[tuple[GroupSpec, Group]] = []
    for group_spec, group in zip(spec.groups, groups, strict=True):
        gate_only = bool(group_spec.criteria) and all(c.kind == "gate" for c in group_spec.criteria)
        where = _item_name("group", group_spec.id)
        if not group_spec.criteria:  # reported by _build; it cannot score
            weights[group_spec.id] = Decimal(0)
            continue
        if group_spec.weight is not None and group_spec.weight < 0:
            problems.add(
                where,
                "weight",
                zh=f"{plain(group_spec.weight)} 是负数；请给出百分比",
                en=f"{plain(group_spec.weight)} is negative; give a percent",
            )
        if gate_only:
            if group_spec.weight:
                problems.add(
                    where,
                    "weight",
                    zh=f"给只含门槛项的组设了 {plain(group_spec.weight)}，而该组不计分；"
                    "请删除权重或设为 0",
                    en=f"{plain(group_spec.weight)} given to a group of gates only, which scores "
                    "no points; remove the weight or set it to 0",
                )
            weights[group_spec.id] = Decimal(0)
        else:
            scoring.append((group_spec, group))
    if not scoring:
        if spec.groups:
            problems.add(
                template_where,
                "groups",
                zh="没有任何组计分；请添加计分的评分项",
                en="no group scores points; add scored criteria",
            )
        return weights

    weighted = [g for g, _ in scoring if g.weight is not None]
    if weighted and len(weighted) < len(scoring):
        named = ", ".join(f"'{g.id}'" for g in weighted)
        for group_spec, _ in scoring:
            if group_spec.weight is None:
                problems.add(
                    _item_name("group", group_spec.id),
                    "weight",
                    zh=f"缺失，而 {named} 给出了权重；请为每个计分的组都给出权重（合计 100），"
                    "或都不给（此时组的权重等于其满分）",
                    en=f"missing while {named} give one; give every scoring group a weight "
                    "(adding up to 100), or none (then a group weighs its max points)",
                )
        return weights

    if weighted:
        for group_spec, _ in scoring:
            assert group_spec.weight is not None
            if group_spec.weight == 0:
                problems.add(
                    _item_name("group", group_spec.id),
                    "weight",
                    zh="含计分评分项的组权重为 0，这些评分项将不起作用；请给出百分比或删除其评分项",
                    en="0 for a group with scored criteria, which would then count for nothing; "
                    "give it a percent or remove its criteria",
                )
            weights[group_spec.id] = group_spec.weight
        total = sum((g.weight for g, _ in scoring if g.weight is not None), Decimal(0))
        if total != TOTAL_WEIGHT:
            parts = " + ".join(f"{g.id} {plain(g.weight or Decimal(0))}" for g, _ in scoring)
            problems.add(
                template_where,
                "groups[].weight",
                zh=f"各组权重合计为 {plain(total)}（{parts}），不是 100；请调整使其合计为 100",
                en=f"the group weights add up to {plain(total)} ({parts}), not 100; "
                f"change them so that they add up to 100",
            )
        return weights

    for group_spec, group in scoring:
        weights[group_spec.id] = group.max_points
    total = sum((group.max_points for _, group in scoring), Decimal(0))
    incomplete = any(len(group.criteria) < len(g.criteria) for g, group in scoring)
    if total != TOTAL_WEIGHT and not incomplete:
        parts = " + ".join(f"{g.id} {plain(group.max_points)}" for g, group in scoring)
        problems.add(
            template_where,
            "groups[].weight",
            zh=f"没有组给出权重，因此每组的权重等于其满分，而这些满分合计为 "
            f"{plain(total)}（{parts}），不是 100；请调整各评分项的分数使其合计为 100，"
            "或为每个计分的组给出权重",
            en=f"no group gives a weight, so each weighs its max points, and these add up to "
            f"{plain(total)} ({parts}), not 100; change the items' points so that they add up "
            "to 100, or give every scoring group a weight",
        )
    return weights


def _build_bands(spec: TemplateSpec, problems: _Problems) -> tuple[Band, ...]:
    bands: list[Band] = []
    keys: set[str] = set()
    mins: dict[Decimal, str] = {}
    for band in spec.bands:
        where = _item_name("band", band.key)
        if band.key in keys:
            problems.add(
                where,
                "key",
                zh=f"分档“{band.key}”出现了两次；只保留一个",
                en=f"band '{band.key}' appears twice; keep one",
            )
        keys.add(band.key)
        if not 0 <= band.min <= TOTAL_WEIGHT:
            problems.add(
                where,
                "min",
                zh=f"{plain(band.min)} 超出 0–100；请给出一个总分",
                en=f"{plain(band.min)} is outside 0–100; give a total",
            )
        elif band.min in mins:
            problems.add(
                where,
                "min",
                zh=f"{plain(band.min)} 也是分档“{mins[band.min]}”的 min；"
                "请为每个分档设置不同的 min",
                en=f"{plain(band.min)} is also the min of band '{mins[band.min]}'; "
                "give every band its own min",
            )
        else:
            mins[band.min] = band.key
        bands.append(Band(key=band.key, min=band.min, label=_text_required(band.label)))
    return tuple(bands)


def _text(spec: TextSpec | None) -> Text | None:
    return None if spec is None else Text(zh=spec.zh, en=spec.en)


def _text_required(spec: TextSpec) -> Text:
    return Text(zh=spec.zh, en=spec.en)


def _criterion_json(criterion: Criterion) -> dict[str, Any]:
    return {
        "id": criterion.id,
        "kind": criterion.kind,
        "max": json_number(criterion.max),
        "partial": None if criterion.partial is None else json_number(criterion.partial),
        "tiers": None if criterion.tiers is None else [json_number(t) for t in criterion.tiers],
        "step": None if criterion.step is None else json_number(criterion.step),
        "levels": None
        if criterion.levels is None
        else [
            {
                "key": level.key,
                "points": json_number(level.points),
                "label": level.label.to_json(),
                "descriptor": _text_json(level.descriptor),
            }
            for level in criterion.levels
        ],
        "title": criterion.title.to_json(),
        "description": _text_json(criterion.description),
        "source": criterion.source,
    }


def _text_json(text: Text | None) -> dict[str, str] | None:
    return None if text is None else text.to_json()
