"""Points for each rule kind of docs/contract.md §2.

Evaluator-entered kinds (`tiered`, `binary`, `scale`, `grade`, `gate`) turn one canonical
value (as `selector.scoring.values` reads it) into points; price kinds (`price_rank`,
`price_ratio`) turn every bidding vendor's base-currency amount into points at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from selector.scoring import values
from selector.scoring.model import DEFAULT_PARTIAL, Criterion, Level, ScoringError, Text

# One option of a choice criterion as a form shows it has what a grade's level has: its key,
# points, label and (grades only) descriptor.
Choice = Level


def partial_points(criterion: Criterion) -> Decimal:
    return DEFAULT_PARTIAL if criterion.partial is None else criterion.partial


def choices(criterion: Criterion) -> tuple[Choice, ...]:
    """The options of a choice criterion with their points, best first (`values.options`);
    empty for `scale` and price kinds."""
    points = _option_points(criterion)
    return tuple(
        Choice(option.key, points[option.key], option.label, option.descriptor)
        for option in values.options(criterion)
    )


def _option_points(criterion: Criterion) -> dict[str, Decimal]:
    kind = criterion.kind
    if kind == "tiered":
        return {"full": criterion.max, "partial": partial_points(criterion), "none": Decimal(0)}
    if kind == "binary":
        return {"yes": criterion.max, "no": Decimal(0)}
    if kind == "gate":
        return {"pass": Decimal(0), "fail": Decimal(0)}
    return {level.key: level.points for level in criterion.levels or ()}


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
            zh=f"评分项“{criterion.id}”: 值“{value}”: {values.NOT_AN_OPTION.zh}",
            en=f"criterion '{criterion.id}': value '{value}': {values.NOT_AN_OPTION.en}",
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
