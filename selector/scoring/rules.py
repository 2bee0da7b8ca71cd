"""Points for each rule kind of DESIGN §1, and the reading of what a person typed.

Evaluator-entered kinds (`tiered`, `binary`, `scale`, `grade`, `gate`) turn one normalised
value into points; price kinds (`price_rank`, `price_ratio`) turn every bidding vendor's
base-currency amount into points at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from selector.scoring.model import DEFAULT_PARTIAL, DEFAULT_STEP, Criterion, ScoringError, Text

# What a person may type for each choice kind, folded to lower case: alias -> normalised key.
TIERED_VALUES = {
    "full": "full",
    "满足": "full",
    "partial": "partial",
    "部分满足": "partial",
    "none": "none",
    "不满足": "none",
}
BINARY_VALUES = {
    "yes": "yes",
    "能提供": "yes",
    "能": "yes",
    "是": "yes",
    "no": "no",
    "不能提供": "no",
    "不能": "no",
    "否": "no",
}
GATE_VALUES = {
    "pass": "pass",
    "通过": "pass",
    "fail": "fail",
    "不通过": "fail",
}

_LABELS = {
    "full": Text("满足", "Meets the requirement"),
    "partial": Text("部分满足", "Partially meets"),
    "none": Text("不满足", "Does not meet"),
    "yes": Text("能提供", "Can provide"),
    "no": Text("不能提供", "Cannot provide"),
    "pass": Text("通过", "Pass"),
    "fail": Text("不通过", "Fail"),
}


@dataclass(frozen=True)
class Choice:
    """One option of a choice criterion, as a form shows it: its key, points and texts."""

    key: str
    points: Decimal
    label: Text
    descriptor: Text | None = None


def partial_points(criterion: Criterion) -> Decimal:
    return DEFAULT_PARTIAL if criterion.partial is None else criterion.partial


def scale_step(criterion: Criterion) -> Decimal:
    return DEFAULT_STEP if criterion.step is None else criterion.step


def choices(criterion: Criterion) -> tuple[Choice, ...]:
    """The options of a choice criterion, best first; empty for `scale` and price kinds."""
    kind = criterion.kind
    if kind == "tiered":
        return (
            Choice("full", criterion.max, _LABELS["full"]),
            Choice("partial", partial_points(criterion), _LABELS["partial"]),
            Choice("none", Decimal(0), _LABELS["none"]),
        )
    if kind == "binary":
        return (
            Choice("yes", criterion.max, _LABELS["yes"]),
            Choice("no", Decimal(0), _LABELS["no"]),
        )
    if kind == "gate":
        return (
            Choice("pass", Decimal(0), _LABELS["pass"]),
            Choice("fail", Decimal(0), _LABELS["fail"]),
        )
    if kind == "grade":
        levels = sorted(criterion.levels or (), key=lambda level: level.points, reverse=True)
        return tuple(Choice(lv.key, lv.points, lv.label, lv.descriptor) for lv in levels)
    return ()


def parse_value(criterion: Criterion, raw: str | Decimal | float | int) -> str | Decimal:
    """Normalise what a person entered for `criterion`, or raise ScoringError naming the fix.

    Choice kinds accept their keys in English or Chinese (满足 / 部分满足 / 不满足, 能提供 /
    不能提供, 通过 / 不通过) and, for `grade`, a level's key or label. `scale` accepts a
    finite number in [0, max] on the criterion's step.
    """
    kind = criterion.kind
    if kind == "scale":
        return _parse_scale(criterion, raw)
    text = str(raw).strip()
    folded = text.lower()
    if kind == "tiered":
        table = TIERED_VALUES
    elif kind == "binary":
        table = BINARY_VALUES
    elif kind == "gate":
        table = GATE_VALUES
    elif kind == "grade":
        table = {}
        for level in criterion.levels or ():
            for alias in (level.key, level.label.zh, level.label.en):
                table[alias.lower()] = level.key
    else:
        raise ScoringError(
            Text(
                zh=f"评分项“{criterion.id}”是价格规则：其得分来自报价，而非评委打分",
                en=f"criterion '{criterion.id}' is a price rule: its points come from the bids, "
                "not from an evaluator",
            )
        )
    if folded in table:
        return table[folded]
    accepted = " / ".join(c.key for c in choices(criterion))
    raise ScoringError(
        Text(
            zh=f"“{text}”不是评分项“{criterion.id}”（{kind}）可接受的值；请使用 {accepted} 之一",
            en=f"'{text}' is not a value for criterion '{criterion.id}' ({kind}); "
            f"use one of {accepted}",
        )
    )


def _parse_scale(criterion: Criterion, raw: str | Decimal | float | int) -> Decimal:
    step = scale_step(criterion)
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ScoringError(
            Text(
                zh=f"“{raw}”不是评分项“{criterion.id}”的数字；"
                f"请输入 0 到 {criterion.max} 之间、步长为 {step} 的数字",
                en=f"'{raw}' is not a number for criterion '{criterion.id}'; "
                f"enter a number from 0 to {criterion.max} in steps of {step}",
            )
        ) from None
    if not number.is_finite():
        raise ScoringError(
            Text(
                zh=f"“{raw}”不是评分项“{criterion.id}”的有限数字；"
                f"请输入 0 到 {criterion.max} 之间的数字",
                en=f"'{raw}' is not a finite number for criterion '{criterion.id}'; "
                f"enter a number from 0 to {criterion.max}",
            )
        )
    if number < 0 or number > criterion.max:
        raise ScoringError(
            Text(
                zh=f"{raw} 超出评分项“{criterion.id}”的范围；"
                f"请输入 0 到 {criterion.max} 之间的数字",
                en=f"{raw} is out of range for criterion '{criterion.id}'; "
                f"enter a number from 0 to {criterion.max}",
            )
        )
    if number % step != 0:
        raise ScoringError(
            Text(
                zh=f"{raw} 不符合评分项“{criterion.id}”的步长；"
                f"请使用 {step} 的整数倍（例如 {number - number % step}）",
                en=f"{raw} is not on the step of criterion '{criterion.id}'; "
                f"use a multiple of {step} (for example {number - number % step})",
            )
        )
    return number


def points_for(criterion: Criterion, value: str | Decimal) -> Decimal | None:
    """The points one normalised value earns; None for a gate (gates give no points)."""
    kind = criterion.kind
    if kind == "scale":
        return Decimal(value)
    if kind == "gate":
        return None
    for choice in choices(criterion):
        if choice.key == value:
            return choice.points
    raise ScoringError(
        Text(
            zh=f"“{value}”不是评分项“{criterion.id}”（{kind}）可接受的值",
            en=f"'{value}' is not a value for criterion '{criterion.id}' ({kind})",
        )
    )


def comment_required(criterion: Criterion, value: str | Decimal) -> bool:
    """A comment must justify anything below the top: partial, none, no, fail, a lower grade."""
    kind = criterion.kind
    if kind in ("tiered", "binary", "gate"):
        return value in ("partial", "none", "no", "fail")
    if kind == "grade":
        options = choices(criterion)
        return bool(options) and value != options[0].key
    return False


def price_rank_points(
    amounts: Mapping[str, Decimal], tiers: tuple[Decimal, ...]
) -> dict[str, Decimal]:
    """Points by position among the distinct amounts, sorted low to high.

    The lowest gets tiers[0], the highest tiers[-1], the one at 0-based position r between
    them tiers[min(r, len(tiers) - 2)]; equal amounts share points; a single bidder (or all
    bidding the same) gets tiers[0].
    """
    distinct = sorted(set(amounts.values()))
    last = len(distinct) - 1

    def tier(position: int) -> Decimal:
        if position == 0:
            return tiers[0]
        if position == last:
            return tiers[-1]
        return tiers[min(position, len(tiers) - 2)]

    position_of = {amount: position for position, amount in enumerate(distinct)}
    return {vendor: tier(position_of[amount]) for vendor, amount in amounts.items()}


def price_ratio_points(amounts: Mapping[str, Decimal], maximum: Decimal) -> dict[str, float]:
    """Low-price priority: max × lowest / amount (the World Bank's Sf = 100·Fm/F)."""
    if not amounts:
        return {}
    lowest = min(amounts.values())
    return {vendor: float(maximum * lowest / amount) for vendor, amount in amounts.items()}
