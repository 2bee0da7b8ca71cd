"""The flags a committee must see before it finalises (DESIGN §1), and `apply_checks`.

- **divergence**: an evaluator's points on a cell differ from the mean of the other
  evaluators of that cell by more than the tender's threshold (default 40%) of the
  criterion's max.
- **outlier_evaluator**: for one vendor, an evaluator's total sits far from the panel's:
  robust z-score 0.6745 · (total − median) / MAD, |z| > 3.5, with at least 4 evaluators.
  An evaluator's total for a vendor is what their own scores give the evaluator-scored part
  of the sheet (weighted as the template weights it, scaled to the points the evaluators
  award so that an evaluator who left cells blank is compared fairly). The MAD is taken as
  at least 1% of those points, so that a panel in near-perfect agreement does not flag
  differences of a fraction of a point.
- **low_bid**: a vendor's total bid is below the tender's threshold (default 60%) of the
  median total bid of the vendors still in the race.
- **fragile**: the winner changes when one evaluator's scores are left out, or when one
  losing bidder is left out (relative price rules can reverse two others' order; the flag
  names the pair).

Only vendors still in the race are checked. Every flag has a stable id (kind, vendor,
criterion, evaluator), the figures behind it in `detail` and a sentence in both languages.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from selector.scoring.model import Result, Template, Text
from selector.scoring.sensitivity import Evaluate, Sensitivity, analyse

FlagKind = str  # "divergence" | "outlier_evaluator" | "low_bid" | "fragile"
KINDS: tuple[FlagKind, ...] = ("fragile", "low_bid", "outlier_evaluator", "divergence")

KIND_TITLES: Mapping[str, Text] = {
    "divergence": Text("评分分歧", "Divergent score"),
    "outlier_evaluator": Text("评委评分异常", "Outlier evaluator"),
    "low_bid": Text("异常低价", "Abnormally low bid"),
    "fragile": Text("结果不稳定", "Fragile result"),
}

OUTLIER_LIMIT = 3.5
OUTLIER_MIN_EVALUATORS = 4
OUTLIER_MAD_FLOOR = 0.01  # share of the evaluator-scored points
_CONSISTENCY = 0.6745  # makes the MAD estimate the standard deviation of a normal sample
_EPS = 1e-9


@dataclass(frozen=True)
class Flag:
    """Something the committee must review before it finalises.

    `id` is stable across runs on the same data: kind, vendor, criterion and evaluator joined
    by ':' (empty where they do not apply), e.g. `divergence:VendorA:mobile:evaluator3`.
    `detail` holds the figures behind the flag (JSON values); `message` says it in both
    languages.
    """

    id: str
    kind: FlagKind
    vendor: str | None
    criterion: str | None
    evaluator: str | None
    detail: Mapping[str, object] = field(hash=False, compare=False)
    message: Text = field(hash=False, compare=False)

    @property
    def title(self) -> Text:
        return KIND_TITLES[self.kind]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "vendor": self.vendor,
            "criterion": self.criterion,
            "evaluator": self.evaluator,
            "detail": dict(self.detail),
            "message": self.message.to_json(),
        }


def flag_id(kind: str, vendor: str | None, criterion: str | None, evaluator: str | None) -> str:
    """The stable id of a flag; ':' and '%' inside a name are escaped so ids never collide."""
    parts = (kind, vendor or "", criterion or "", evaluator or "")
    return ":".join(p.replace("%", "%25").replace(":", "%3A") for p in parts)


def _flag(
    kind: str,
    detail: Mapping[str, object],
    message: Text,
    *,
    vendor: str | None = None,
    criterion: str | None = None,
    evaluator: str | None = None,
) -> Flag:
    return Flag(
        flag_id(kind, vendor, criterion, evaluator),
        kind,
        vendor,
        criterion,
        evaluator,
        detail,
        message,
    )


def apply_checks(result: Result, reevaluate: Evaluate) -> Result:
    """The result with its flags and sensitivity filled in.

    `reevaluate` scores an input without checks (`engine.evaluate(inp, checks=False)`); the
    leave-one-evaluator-out analysis needs it when an evaluator's absence changes a gate.
    """
    sensitivity = analyse(result, reevaluate)
    flags = (
        fragile_flags(result, sensitivity)
        + low_bid_flags(result)
        + outlier_flags(result)
        + divergence_flags(result)
    )
    return replace(result, flags=tuple(flags), sensitivity=sensitivity)


# --- divergence -----------------------------------------------------------------------------


def divergence_flags(result: Result) -> list[Flag]:
    """A flag for each evaluator whose points on a cell stray from the others' mean by more
    than the threshold (a share of the criterion's max)."""
    share = result.input.divergence_threshold
    flags: list[Flag] = []
    for ranked in result.ranking:
        vendor = ranked.vendor
        for criterion in result.template.criteria():
            if not criterion.is_scored_by_evaluators or criterion.is_gate:
                continue
            cell = result.cells.get((vendor, criterion.id))
            if cell is None or len(cell.inputs) < 2:
                continue
            maximum = float(criterion.max)
            threshold = share * maximum
            n = len(cell.inputs)
            total = sum(cell.inputs.values())
            for evaluator in sorted(cell.inputs):
                points = cell.inputs[evaluator]
                others = (total - points) / (n - 1)
                gap = abs(points - others)
                if gap <= threshold + _EPS:
                    continue
                detail: dict[str, object] = {
                    "points": _round(points),
                    "others_mean": _round(others),
                    "others": n - 1,
                    "difference": _round(gap),
                    "threshold": _round(threshold),
                    "share": share,
                    "max": _round(maximum),
                    "consensus": cell.consensus is not None,
                }
                title = criterion.title
                message = Text(
                    zh=f"评委 {evaluator} 给 {vendor} 的「{title.zh}」打了 {_fmt(points)} 分"
                    f"（满分 {_fmt(maximum)}）；其他 {n - 1} 位评委平均 {_fmt(others)} 分，"
                    f"相差 {_fmt(gap)} 分，超过阈值 {_fmt(threshold)} 分"
                    f"（满分的 {_pct(share)}）。",
                    en=f"{evaluator} gave {vendor} {_fmt(points)} of {_fmt(maximum)} on "
                    f"“{title.en}”; the other {_plural(n - 1, 'evaluator')} averaged "
                    f"{_fmt(others)}, a gap of {_fmt(gap)} (threshold {_fmt(threshold)}, "
                    f"{_pct(share)} of the maximum).",
                )
                flags.append(
                    _flag(
                        "divergence",
                        detail,
                        message,
                        vendor=vendor,
                        criterion=criterion.id,
                        evaluator=evaluator,
                    )
                )
    return flags


# --- outlier evaluator ----------------------------------------------------------------------


def evaluator_totals(result: Result, vendor: str) -> tuple[dict[str, float], float]:
    """evaluator -> the total their own scores give `vendor` on the evaluator-scored part,
    and the points that part is worth (the scale of those totals).

    Each criterion weighs as in the template (group weight / group max points); an evaluator
    who scored only some criteria is scaled up from what they scored.
    """
    template = result.template
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    scale = 0.0
    for group in template.groups:
        if group.max_points == 0:
            continue
        factor = float(group.weight) / float(group.max_points)
        for criterion in group.criteria:
            if criterion.is_price or criterion.is_gate:
                continue
            scale += factor * float(criterion.max)
            cell = result.cells.get((vendor, criterion.id))
            if cell is None:
                continue
            for evaluator, points in cell.inputs.items():
                earned[evaluator] = earned.get(evaluator, 0.0) + factor * points
                possible[evaluator] = possible.get(evaluator, 0.0) + factor * float(criterion.max)
    totals = {e: earned[e] / possible[e] * scale for e in earned if possible[e] > 0}
    return totals, scale


def outlier_flags(result: Result) -> list[Flag]:
    """A flag for each (vendor, evaluator) whose total sits more than 3.5 robust z-scores
    from the panel's median for that vendor (at least 4 evaluators)."""
    flags: list[Flag] = []
    for ranked in result.ranking:
        vendor = ranked.vendor
        totals, scale = evaluator_totals(result, vendor)
        if len(totals) < OUTLIER_MIN_EVALUATORS or scale <= 0:
            continue
        median = statistics.median(totals.values())
        mad = statistics.median(abs(t - median) for t in totals.values())
        spread = max(mad, OUTLIER_MAD_FLOOR * scale)
        for evaluator in sorted(totals):
            total = totals[evaluator]
            z = _CONSISTENCY * (total - median) / spread
            if abs(z) <= OUTLIER_LIMIT:
                continue
            detail: dict[str, object] = {
                "total": _round(total),
                "scale": _round(scale),
                "panel_median": _round(median),
                "mad": _round(mad),
                "z": _round(z),
                "limit": OUTLIER_LIMIT,
                "evaluators": len(totals),
            }
            message = Text(
                zh=f"评委 {evaluator} 对 {vendor} 的评分合计 {_fmt(total)} 分"
                f"（评委评分部分满分 {_fmt(scale)}），而全体 {len(totals)} 位评委的中位数为 "
                f"{_fmt(median)} 分：稳健 z 值 {_fmt(z)}（按中位数绝对偏差计算），"
                f"超出 ±{_fmt(OUTLIER_LIMIT)}。",
                en=f"{evaluator}'s scores give {vendor} {_fmt(total)} of the "
                f"{_fmt(scale)} points the evaluators award; the median of the "
                f"{len(totals)} evaluators is {_fmt(median)}: a robust z-score of "
                f"{_fmt(z)} (by median absolute deviation), beyond ±{_fmt(OUTLIER_LIMIT)}.",
            )
            flags.append(
                _flag("outlier_evaluator", detail, message, vendor=vendor, evaluator=evaluator)
            )
    return flags


# --- abnormally low bid ---------------------------------------------------------------------


def low_bid_flags(result: Result) -> list[Flag]:
    """A flag for each vendor in the race whose total bid is below the threshold share of
    the median total bid of the vendors in the race."""
    if not result.template.price_criteria() or len(result.ranking) < 2:
        return []
    share = Decimal(str(result.input.low_bid_threshold))
    bids = [r.bid_total for r in result.ranking]
    median = Decimal(statistics.median(bids))
    if median <= 0:
        return []
    currency = result.input.base_currency
    flags: list[Flag] = []
    for ranked in sorted(result.ranking, key=lambda r: (r.bid_total, r.vendor)):
        bid = ranked.bid_total
        if bid >= share * median:
            continue
        ratio = float(bid / median)
        detail: dict[str, object] = {
            "bid_total": str(bid),
            "median": str(median.quantize(Decimal("0.01"))),
            "ratio": _round(ratio, 4),
            "threshold": float(share),
            "currency": currency,
        }
        message = Text(
            zh=f"{ranked.vendor} 的投标总价 {_money(bid)} {currency} 仅为在评投标总价中位数"
            f"（{_money(median)} {currency}）的 {_pct(ratio)}，低于 {_pct(float(share))} "
            "的异常低价阈值。",
            en=f"{ranked.vendor}'s total bid of {_money(bid)} {currency} is {_pct(ratio)} of "
            f"the median total bid ({_money(median)} {currency}), below the threshold of "
            f"{_pct(float(share))}.",
        )
        flags.append(_flag("low_bid", detail, message, vendor=ranked.vendor))
    return flags


# --- fragile result -------------------------------------------------------------------------


def fragile_flags(result: Result, sensitivity: Sensitivity) -> list[Flag]:
    """A flag for each evaluator, and each losing bidder, whose absence changes the winner."""
    winner = result.winner
    if winner is None:
        return []
    flags: list[Flag] = []
    for evaluator, new in sorted(sensitivity.fragile_evaluators.items()):
        run = sensitivity.evaluator_runs[evaluator]
        old_total, new_total = run.totals.get(winner), run.totals[new]
        detail: dict[str, object] = {
            "left_out": "evaluator",
            "winner": winner,
            "new_winner": new,
            "pair": [winner, new],
            "totals": {new: float(new_total)}
            | ({} if old_total is None else {winner: float(old_total)}),
        }
        versus_zh = "" if old_total is None else f"（{_fmt(new_total)} 比 {_fmt(old_total)}）"
        versus_en = "" if old_total is None else f" ({_fmt(new_total)} to {_fmt(old_total)})"
        message = Text(
            zh=f"若不计评委 {evaluator} 的评分，第一名将由 {winner} 变为 {new}{versus_zh}。",
            en=f"Without {evaluator}'s scores, {new} would win instead of {winner}{versus_en}.",
        )
        flags.append(_flag("fragile", detail, message, evaluator=evaluator))
    order = {r.vendor: i for i, r in enumerate(result.ranking)}
    for bidder, (old, new) in sorted(
        sensitivity.fragile_pairs.items(), key=lambda item: order[item[0]]
    ):
        run = sensitivity.bidder_runs[bidder]
        detail = {
            "left_out": "bidder",
            "winner": old,
            "new_winner": new,
            "pair": [old, new],
            "totals": {new: float(run.totals[new]), old: float(run.totals[old])},
            "reversed_pairs": [list(p) for p in run.reversed_pairs],
        }
        message = Text(
            zh=f"若不计 {bidder} 的投标，第一名将由 {old} 变为 {new}"
            f"（{_fmt(run.totals[new])} 比 {_fmt(run.totals[old])}）：价格分按各家报价相对计算，"
            f"去掉 {bidder} 会使 {old} 与 {new} 的名次互换。",
            en=f"Without {bidder}'s bid, {new} would win instead of {old} "
            f"({_fmt(run.totals[new])} to {_fmt(run.totals[old])}): price points are relative "
            f"to the other bids, so leaving {bidder} out reverses {old} and {new}.",
        )
        flags.append(_flag("fragile", detail, message, vendor=bidder))
    return flags


# --- formatting -----------------------------------------------------------------------------


def _round(value: float, places: int = 2) -> float:
    return round(float(value), places) + 0.0  # + 0.0 turns -0.0 into 0.0


def _fmt(value: float | Decimal) -> str:
    """A figure for a sentence: at most 2 decimals, no trailing zeros (4.5, 2, 0.33)."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pct(share: float) -> str:
    return f"{_fmt(share * 100)}%"


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def kind_title(kind: str, lang: str) -> str:
    """The name of a flag kind in `lang`."""
    return KIND_TITLES[kind].get(lang)


def criterion_title(template: Template, criterion_id: str | None, lang: str) -> str:
    """A criterion's title in `lang`, or its id if the template does not know it."""
    if criterion_id is None:
        return ""
    criterion = template.criterion(criterion_id)
    return criterion_id if criterion is None else criterion.title.get(lang)
