"""The one reading of a typed value: what a person may enter for a criterion, and why not.

Whatever takes a value from a person reads it here: the CSV and Excel readers, the score
sheet and consensus forms, the services behind them, and the engine when it checks its
input. So a value means the same everywhere, and a refusal reads the same everywhere.

`read(criterion, raw)` returns the canonical value — a choice key (`full`, `yes`, `pass`,
a grade level's key) or, for `scale`, a Decimal — or a `Problem`: what is wrong and what
to enter instead, in both languages. The caller adds only where the value was: a file's
line and column, a form field, an evaluator's entry.

What is accepted (docs/contract.md §2):

- `tiered`: full / partial / none, or 满足 / 部分满足 / 不满足;
- `binary`: yes / no, or 能提供 / 不能提供 (also 能 / 不能, 是 / 否);
- `gate`: pass / fail, or 通过 / 不通过;
- `grade`: a level's key, or its label in either language;
- `scale`: a finite number from 0 to the criterion's max, on its step (default 0.5).

Choice words are matched as typed, then without surrounding spaces and in lower case; the
English labels of the fixed choices (`Meets the requirement`…) are accepted too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from selector.scoring.limits import (
    AMOUNT_PLACES,
    MAX_AMOUNT,
    MAX_VALUE,
    MIN_AMOUNT,
    decimal_places,
)
from selector.scoring.model import DEFAULT_STEP, PRICE_KINDS, Criterion, Level, Text
from selector.scoring.numbers import plain
from selector.scoring.words import CHOICE_NAMES

Value = str | Decimal


class Option(NamedTuple):
    """One value of a choice criterion: its key, label and (grades only) descriptor."""

    key: str
    label: Text
    descriptor: Text | None = None


# The fixed choices of each kind, best first, named by the vocabulary (`words.CHOICE_NAMES`).
OPTIONS: dict[str, tuple[Option, ...]] = {
    "tiered": (
        Option("full", CHOICE_NAMES["full"]),
        Option("partial", CHOICE_NAMES["partial"]),
        Option("none", CHOICE_NAMES["none"]),
    ),
    "binary": (
        Option("yes", CHOICE_NAMES["yes"]),
        Option("no", CHOICE_NAMES["no"]),
    ),
    "gate": (
        Option("pass", CHOICE_NAMES["pass"]),
        Option("fail", CHOICE_NAMES["fail"]),
    ),
}
# Shorter words people type for a binary answer, besides the key and the labels.
_MORE_WORDS = {"yes": ("能", "是"), "no": ("不能", "否")}


class Problem(NamedTuple):
    """Why a typed value is refused: `fault` (what is wrong) and `fix` (what to enter)."""

    fault: Text
    fix: Text

    @property
    def text(self) -> Text:
        """`fault; fix`, to follow a place: `scores.csv:3: column 'value': value '7': …`."""
        return Text(zh=f"{self.fault.zh}；{self.fix.zh}", en=f"{self.fault.en}; {self.fix.en}")

    @property
    def sentence(self) -> Text:
        """The same words as a sentence of their own, for a form field: `Fault; fix.`"""
        text = self.text
        return Text(zh=f"{text.zh}。", en=f"{text.en[:1].upper()}{text.en[1:]}.")


# A number as people type it: digits, one point, an exponent (ASCII, after NFKC).
NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_NON_FINITE = {"inf", "infinity", "nan", "snan"}

NO_VALUE = Text(zh="未填写", en="no value")
TOO_LONG = Text(zh="过长", en="too long")
NOT_A_NUMBER = Text(zh="不是数字", en="not a number")
NOT_FINITE = Text(zh="不是有限数字", en="not finite")
OUT_OF_RANGE = Text(zh="超出范围", en="out of range")
OFF_STEP = Text(zh="不符合步长", en="not on the step")
NOT_AN_OPTION = Text(zh="不是该评分项可接受的值", en="not a value of this criterion")
PRICE_RULE = Problem(
    Text(zh="是价格规则，评委不对其打分", en="is a price rule, which evaluators do not score"),
    Text(zh="其得分来自报价", en="its points come from the bids"),
)


def options(criterion: Criterion) -> tuple[Option, ...]:
    """The values of a choice criterion, best first (grades by points); empty otherwise."""
    if criterion.kind == "grade":
        return _grade_options(criterion.levels or ())
    return OPTIONS.get(criterion.kind, ())


def label(criterion: Criterion | None, value: object) -> Text:
    """A value in the criterion's own words, as pages and reports show it: 部分满足 /
    Partially meets for `partial`, a grade level's label for its key, a scale's number
    plainly (7.50 -> 7.5). A value the criterion does not know stands for itself."""
    text = "" if value is None else str(value)
    if criterion is not None and criterion.kind == "scale":
        number = _decimal(text)
        if number is not None and number.is_finite():
            text = plain(number)
    elif criterion is not None:
        for option in options(criterion):
            if option.key == text:
                return option.label
    return Text(text, text)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def step(criterion: Criterion) -> Decimal:
    """The step of a `scale` criterion's numbers (0.5 unless the template says otherwise)."""
    return DEFAULT_STEP if criterion.step is None else criterion.step


def hint(criterion: Criterion) -> Text:
    """What to enter for `criterion`, as the second half of a problem says it."""
    if criterion.kind == "scale":
        return _scale_hint(criterion)
    if criterion.kind in PRICE_KINDS:
        return PRICE_RULE.fix
    choices = options(criterion)
    return Text(
        zh=f"请使用 {' / '.join(o.label.zh for o in choices)} 之一",
        en=f"use one of {' / '.join(o.key for o in choices)}",
    )


def read(criterion: Criterion, raw: str | Decimal | float | int) -> Value | Problem:
    """The canonical value of what a person entered for `criterion`, or why it is refused.

    An empty text is a Problem too: a caller that allows a blank (a draft sheet) checks
    for it first.
    """
    kind = criterion.kind
    if kind == "scale":
        return _read_number(criterion, raw)
    if kind in PRICE_KINDS:
        return PRICE_RULE
    words = aliases(criterion)
    if isinstance(raw, str):
        key = words.get(raw)
        if key is not None:
            return key
        text = raw.strip()
        key = words.get(text.lower())
        if key is not None:
            return key
        if not text:
            return Problem(NO_VALUE, hint(criterion))
        if len(text) > MAX_VALUE:
            return Problem(TOO_LONG, hint(criterion))
    return Problem(NOT_AN_OPTION, hint(criterion))


def as_text(value: Value) -> str:
    """A canonical value as text, as a sheet or a consensus keeps it: `full`, `3.5`."""
    return plain(value) if isinstance(value, Decimal) else value


def aliases(criterion: Criterion) -> Mapping[str, str]:
    """Every word accepted for a choice criterion, in lower case -> its key."""
    if criterion.kind == "grade":
        return _grade_aliases(criterion.levels or ())
    return _FIXED_ALIASES.get(criterion.kind, {})


def _words(choices: tuple[Option, ...]) -> dict[str, str]:
    words: dict[str, str] = {}
    for option in choices:
        more = _MORE_WORDS.get(option.key, ())
        for word in (option.key, option.label.zh, option.label.en, *more):
            words.setdefault(word.strip().lower(), option.key)
    return words


_FIXED_ALIASES = {kind: _words(choices) for kind, choices in OPTIONS.items()}


@lru_cache(maxsize=256)
def _grade_options(levels: tuple[Level, ...]) -> tuple[Option, ...]:
    best_first = sorted(levels, key=lambda level: level.points, reverse=True)
    return tuple(Option(lv.key, lv.label, lv.descriptor) for lv in best_first)


@lru_cache(maxsize=256)
def _grade_aliases(levels: tuple[Level, ...]) -> dict[str, str]:
    # A level's own key wins over another level's label that happens to read the same.
    words = {level.key.lower(): level.key for level in levels}
    for word, key in _words(_grade_options(levels)).items():
        words.setdefault(word, key)
    return words


def _read_number(criterion: Criterion, raw: str | Decimal | float | int) -> Decimal | Problem:
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return Problem(NOT_A_NUMBER, _scale_hint(criterion))
    else:
        text = str(raw).strip()
        if not text:
            return Problem(NO_VALUE, _scale_hint(criterion))
        if len(text) > MAX_VALUE:
            return Problem(TOO_LONG, _scale_hint(criterion))
        text = unicodedata.normalize("NFKC", text)  # full-width ３.５ from a Chinese IME
        if not NUMBER_RE.match(text):  # Decimal would also take 1_0 and other scripts' digits
            fault = NOT_FINITE if text.lower().lstrip("+-") in _NON_FINITE else NOT_A_NUMBER
            return Problem(fault, _scale_hint(criterion))
        try:
            number = Decimal(text)
        except InvalidOperation:
            return Problem(NOT_A_NUMBER, _scale_hint(criterion))
    if not number.is_finite():
        return Problem(NOT_FINITE, _scale_hint(criterion))
    if not 0 <= number <= criterion.max:
        return Problem(OUT_OF_RANGE, _scale_hint(criterion))
    if decimal_places(number) > decimal_places(step(criterion)):
        # Finer than the step: refused before any arithmetic, which would round 1e-999999999
        # to 0 (it underflows the context) instead of seeing it is off the step.
        unit = step(criterion)
        coarse = number.quantize(Decimal(1).scaleb(-decimal_places(unit)), rounding=ROUND_DOWN)
        return Problem(OFF_STEP, _scale_hint(criterion, example=coarse - coarse % unit))
    remainder = number % step(criterion)
    if remainder:
        return Problem(OFF_STEP, _scale_hint(criterion, example=number - remainder))
    return number.copy_abs()  # -0 reads as 0


def _scale_hint(criterion: Criterion, example: Decimal | None = None) -> Text:
    maximum, by = plain(criterion.max), plain(step(criterion))
    hint = Text(
        zh=f"请输入 0 到 {maximum} 之间、步长为 {by} 的数字",
        en=f"enter a number from 0 to {maximum} in steps of {by}",
    )
    if example is None:
        return hint
    return Text(
        zh=f"{hint.zh}（例如 {plain(example)}）", en=f"{hint.en} (for example {plain(example)})"
    )


def amount_problem(amount: Decimal) -> Text | None:
    """Why a bid amount cannot be a bid (the allowed range in the message), or None: the one
    rule of the bids reader, the bid form's service and the upload, so a file `selector score`
    ranks holds only amounts the app could store."""
    if amount.is_finite() and MIN_AMOUNT <= amount < MAX_AMOUNT:
        if decimal_places(amount) <= AMOUNT_PLACES:
            return None
    return Text(
        zh=f"金额须在 {plain(MIN_AMOUNT)} 到 {plain(MAX_AMOUNT)} 之间(不含上限),"
        f"最多 {AMOUNT_PLACES} 位小数。",
        en=f"An amount must be from {plain(MIN_AMOUNT)} up to (not including) "
        f"{plain(MAX_AMOUNT)}, with at most {AMOUNT_PLACES} decimal places.",
    )
