"""The decision checks of a result (docs/contract.md §11): `decision_checks(result)` gives the
flags a committee must see before it finalises and the result's sensitivity.

- **divergence**: one flag per cell (vendor × criterion, gates excluded) with at least two
  inputs whose evaluators' points spread, highest − lowest, by strictly more than the
  tender's threshold (default 40%) of the criterion's max. The flag names every
  evaluator's points and says whether the cell is *decisive*: counting it at its lowest
  evaluator's points, or at its highest, every other cell unchanged, changes who ranks
  first (worked out from the cell's effect on its vendor's total, not by scoring again).
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
criterion, evaluator), the figures behind it in `detail` (compact data: what the JSON
carries) and a sentence in both languages, made only when a page, the PDF or the CLI
shows it.
"""

from __future__ import annotations

import statistics
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

import numpy as np

from selector.scoring.model import Result, Template, Text
from selector.scoring.numbers import (
    figure,
    money,
    percent,
    round_array,
    round_decimal,
    round_number,
)
from selector.scoring.sensitivity import Panel, Sensitivity, analyse
from selector.scoring.words import FLAG_KIND_NAMES

FlagKind = str  # "divergence" | "outlier_evaluator" | "low_bid" | "fragile"
KINDS: tuple[FlagKind, ...] = ("fragile", "low_bid", "outlier_evaluator", "divergence")

OUTLIER_LIMIT = 3.5
OUTLIER_MIN_EVALUATORS = 4
OUTLIER_MAD_FLOOR = 0.01  # share of the evaluator-scored points
_CONSISTENCY = 0.6745  # makes the MAD estimate the standard deviation of a normal sample
_EPS = 1e-9


@dataclass(frozen=True)
class Flag:
    """Something the committee must review before it finalises.

    `id` is stable across runs on the same data: kind, vendor, criterion and evaluator joined
    by ':' (empty where they do not apply), e.g. `divergence:VendorA:mobile:` (a divergence
    flag is a cell's: no evaluator). `detail` holds the figures behind the flag (JSON
    values); `message` says it in both languages, with those figures, when asked.
    """

    id: str
    kind: FlagKind
    vendor: str | None
    criterion: str | None
    evaluator: str | None
    detail: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)

    @property
    def title(self) -> Text:
        """The name of the flag's kind."""
        return FLAG_KIND_NAMES[self.kind]

    @cached_property
    def message(self) -> Text:
        """A sentence a committee member understands, in both languages (made on first use:
        a tender can raise thousands of flags)."""
        return _SENTENCES[self.kind](self, _NO_NAMES)

    def sentence(self, names: Mapping[str, str] | None = None) -> Text:
        """The flag said in both languages, each evaluator by the name `names` gives their
        id (the people's display names, passed as plain facts: the checks stay id-based);
        an id it does not name stays as it is."""
        return self.message if not names else _SENTENCES[self.kind](self, names)

    @property
    def decisive(self) -> bool:
        """A divergence flag whose cell, at its lowest or highest input, changes the winner."""
        return bool(self.detail.get("decisive"))

    def to_json(self) -> dict[str, object]:
        """The flag as compact data (no sentences: a large tender raises thousands of flags).

        A divergence flag carries `points` (evaluator -> points; an integral figure as an
        integer) and `decisive`; its `detail` holds only what the rest of the JSON does not
        say: `winner_if_low` / `winner_if_high` where the cell is decisive that way, and
        `consensus: true` where a consensus value decides the cell. The aggregate is the
        cell's `points` in the result, the lowest, the highest and the spread follow from the
        evaluators' points, the threshold from the tender and the criterion: repeated in each
        of thousands of flags they made the JSON of a 75,000-entry tender 31 MB (issue 10).
        """
        detail = self.detail
        if self.kind != "divergence":
            return {
                "id": self.id,
                "kind": self.kind,
                "vendor": self.vendor,
                "criterion": self.criterion,
                "evaluator": self.evaluator,
                "detail": dict(detail),
            }
        given = detail["points"]
        assert isinstance(given, Mapping)
        compact = {key: detail[key] for key in _DIVERGENCE_JSON if detail.get(key)}
        return {
            "id": self.id,
            "kind": self.kind,
            "vendor": self.vendor,
            "criterion": self.criterion,
            "evaluator": None,
            "detail": compact,
            "points": given,  # integral figures are ints already (divergence_flags)
            "decisive": self.decisive,
        }


_DIVERGENCE_JSON = ("winner_if_low", "winner_if_high", "consensus")


def flag_id(kind: str, vendor: str | None, criterion: str | None, evaluator: str | None) -> str:
    """The stable id of a flag; ':' and '%' inside a name are escaped so ids never collide."""
    parts: tuple[str, ...] = (kind, vendor or "", criterion or "", evaluator or "")
    joined = ":".join(parts)
    if joined.count(":") == 3 and "%" not in joined:  # no part holds ':' or '%'
        return joined
    return ":".join(p.replace("%", "%25").replace(":", "%3A") for p in parts)


def _flag(
    kind: str,
    detail: Mapping[str, object],
    *,
    vendor: str | None = None,
    criterion: str | None = None,
    evaluator: str | None = None,
) -> Flag:
    return Flag(
        flag_id(kind, vendor, criterion, evaluator), kind, vendor, criterion, evaluator, detail
    )


@dataclass(frozen=True)
class DecisionChecks:
    """What the committee reviews beside a result: its flags, most serious kind first, and
    its sensitivity (margin, weight break-evens, leave-one-out winners)."""

    flags: tuple[Flag, ...]
    sensitivity: Sensitivity


def decision_checks(result: Result) -> DecisionChecks:
    """The flags and the sensitivity of `result` (a `Result` of `engine.evaluate`).

    Flags are listed most serious first: fragile, low_bid, outlier_evaluator, divergence;
    within a kind by vendor (rank order), criterion (template order) and evaluator.
    """
    panel = Panel(result)
    sensitivity = analyse(result, panel)
    flags = (
        fragile_flags(result, sensitivity)
        + low_bid_flags(result)
        + outlier_flags(result, panel)
        + divergence_flags(result, panel)
    )
    return DecisionChecks(tuple(flags), sensitivity)


# --- divergence -----------------------------------------------------------------------------


def divergence_flags(result: Result, panel: Panel | None = None) -> list[Flag]:
    """A flag for each cell whose evaluators' points spread (highest − lowest) by more than
    the threshold (a share of the criterion's max), with at least two inputs; each flag
    says whether the cell is decisive (`decisive_cells`)."""
    panel = Panel(result) if panel is None else panel
    share = result.input.divergence_threshold
    scores, present, count = panel.scores, panel.present, panel.count
    if scores.size == 0:
        return []
    low = np.where(present, scores, np.inf).min(axis=0)
    high = np.where(present, scores, -np.inf).max(axis=0)
    maxima = np.array([float(c.max) for c in panel.criteria])
    thresholds = share * maxima
    with np.errstate(invalid="ignore"):
        spread = high - low
        hits = (count >= 2) & (spread > thresholds + _EPS)
    where = np.argwhere(hits)  # vendors in rank order, criteria in template order
    if where.size == 0:
        return []
    rows, columns = where.T
    counted = _counted_points(result, panel)
    if_low, if_high = decisive_cells(result, panel, rows, columns, low, high, counted)
    figures = zip(
        where.tolist(),
        round_array(low[rows, columns]).tolist(),
        round_array(high[rows, columns]).tolist(),
        round_array(spread[rows, columns]).tolist(),
        round_array(counted[rows, columns]).tolist(),
        if_low,
        if_high,
        strict=True,
    )
    threshold, maximum = round_array(thresholds).tolist(), round_array(maxima).tolist()
    # Each flagged cell's inputs as flags × evaluators lists, read in one pass (a uniformly
    # random tender flags thousands of cells): an integral figure as an int, for the JSON.
    scored = present[:, rows, columns].T
    rounded = round_array(np.where(scored, scores[:, rows, columns].T, 0.0))
    whole = rounded.astype(np.int64)
    inputs = zip(
        scored.tolist(), rounded.tolist(), whole.tolist(), (rounded == whole).tolist(), strict=True
    )
    evaluators, titles = panel.evaluators, [c.title.to_json() for c in panel.criteria]
    flags: list[Flag] = []
    for (i, j), lowest, highest, gap, aggregate, new_low, new_high in figures:
        criterion = panel.criteria[j]
        mask, exact, integers, integral = next(inputs)
        given = {
            e: n if is_int else x
            for e, there, x, n, is_int in zip(
                evaluators, mask, exact, integers, integral, strict=True
            )
            if there
        }
        detail: dict[str, object] = {
            "points": given,
            "low": lowest,
            "high": highest,
            "spread": gap,
            "threshold": threshold[j],
            "share": share,
            "max": maximum[j],
            "aggregate": aggregate,
            "consensus": bool(panel.fixed[i, j]),
            "decisive": new_low is not None or new_high is not None,
            "winner": result.winner,
            "winner_if_low": new_low,
            "winner_if_high": new_high,
            "criterion_title": titles[j],
        }
        flags.append(_flag("divergence", detail, vendor=panel.vendors[i], criterion=criterion.id))
    return flags


def _counted_points(result: Result, panel: Panel) -> np.ndarray:
    """vendors × criteria of the panel: the points each cell counts in its vendor's total
    (NaN where there is no cell), read once when the panel was laid out."""
    return panel.counted


def criterion_factors(result: Result, panel: Panel) -> np.ndarray:
    """The panel's criteria: what one point of each is worth in its vendor's total (its
    group's weight / the group's max points)."""
    column = {c.id: j for j, c in enumerate(panel.criteria)}
    factor = np.zeros(len(panel.criteria))
    for group in result.template.groups:
        if group.max_points == 0:
            continue
        weight = float(group.weight) / float(group.max_points)
        for criterion in group.criteria:
            if criterion.id in column:
                factor[column[criterion.id]] = weight
    return factor


def decisive_cells(
    result: Result,
    panel: Panel,
    rows: np.ndarray,
    columns: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    counted: np.ndarray | None = None,
) -> tuple[list[str | None], list[str | None]]:
    """For each cell (rows[n], columns[n]) of the panel: who would rank first if the points
    it counts were its lowest evaluator's (`low`), and if they were its highest (`high`),
    every other cell unchanged — None where the winner stays the same.

    Not re-scored: the cell moves only its own vendor's total, by the change of its points
    × its group's weight / the group's max points (docs/contract.md §11). The ranking's own
    rule then decides: totals rounded half-up to 2 decimals, an equal total won by the
    lower total bid, then by name. A cell a consensus value decides never changes (its
    aggregate does not count), nor does any cell with fewer than two vendors in the race.
    """
    n = len(rows)
    unchanged: list[str | None] = [None] * n
    ranking = result.ranking
    if len(ranking) < 2 or n == 0:
        return unchanged, list(unchanged)
    counted = _counted_points(result, panel) if counted is None else counted
    factor = criterion_factors(result, panel)[columns]
    exact_totals = np.array([r.total_exact for r in ranking])
    rounded = round_array(exact_totals)
    order = sorted(range(len(ranking)), key=lambda i: (ranking[i].bid_total, ranking[i].vendor))
    position = np.empty(len(ranking), dtype=np.int64)
    position[order] = np.arange(len(ranking))
    movable = ~panel.fixed[rows, columns]
    now = counted[rows, columns]
    mine = position[rows]
    outcomes: list[list[str | None]] = []
    for extreme in (low, high):
        moved = round_array(exact_totals[rows] + (extreme[rows, columns] - now) * factor)
        # The winner (row 0) moved: it keeps first place unless the runner-up now beats it.
        # Any other vendor moved: it takes first place if it now beats the winner.
        rival = np.where(rows == 0, 1, 0)
        beats = (moved > rounded[rival]) | ((moved == rounded[rival]) & (mine < position[rival]))
        changes = movable & np.where(rows == 0, ~beats, beats)
        new = np.where(rows == 0, 1, rows)
        outcomes.append(
            [ranking[int(v)].vendor if c else None for v, c in zip(new, changes, strict=True)]
        )
    return outcomes[0], outcomes[1]


def _divergence_sentence(flag: Flag, names: Mapping[str, str]) -> Text:
    d = flag.detail
    title = _text(d["criterion_title"])
    given = d["points"]
    assert isinstance(given, Mapping)
    maximum, threshold, share = _fmt(d["max"]), _fmt(d["threshold"]), _pct(d["share"])
    spread = _fmt(d["spread"])
    zh_points = "、".join(f"{names.get(e, e)} {_fmt(p)} 分" for e, p in given.items())
    en_points = ", ".join(f"{names.get(e, e)} {_fmt(p)}" for e, p in given.items())
    winner = str(d["winner"])
    outcome_zh, outcome_en = [], []
    for key, zh_which, en_which, extreme in (
        ("winner_if_low", "最低分", "lowest", d["low"]),
        ("winner_if_high", "最高分", "highest", d["high"]),
    ):
        new = d.get(key)
        if new is not None:
            outcome_zh.append(
                f"若该项按{zh_which}（{_fmt(extreme)} 分）计，第一名将由 {winner} 变为 {new}。"
            )
            outcome_en.append(
                f"Counted at the {en_which} score ({_fmt(extreme)}), {new} would rank first "
                f"instead of {winner}."
            )
    if not outcome_zh:
        outcome_zh = ["无论按最低分还是最高分计，第一名都不变。"]
        outcome_en = ["Counted at the lowest or the highest score, the winner stays the same."]
    if d.get("consensus"):
        outcome_zh = ["该项已由评审委员会商定分值。"]
        outcome_en = ["The committee has recorded a consensus value for it."]
    return Text(
        zh=f"{flag.vendor} 的「{title.zh}」评分分歧：{zh_points}（满分 {maximum}），"
        f"最高与最低相差 {spread} 分，超过阈值 {threshold} 分（满分的 {share}）。"
        + "".join(outcome_zh),
        en=f"Divergent scores for {flag.vendor} on “{title.en}”: {en_points} of {maximum}, "
        f"a spread of {spread} (threshold {threshold}, {share} of the maximum). "
        + " ".join(outcome_en),
    )


# --- outlier evaluator ----------------------------------------------------------------------


def evaluator_totals(result: Result, panel: Panel | None = None) -> tuple[np.ndarray, float]:
    """evaluators × vendors: the total each evaluator's own scores give each ranked vendor on
    the evaluator-scored part (NaN where they scored none of it), and the points that part
    is worth (the scale of those totals).

    Each criterion weighs as in the template (group weight / group max points); an evaluator
    who scored only some criteria is scaled up from what they scored.
    """
    panel = Panel(result) if panel is None else panel
    factor = criterion_factors(result, panel)
    worth = factor * np.array([float(c.max) for c in panel.criteria])
    scale = float(worth.sum())
    earned = (panel.filled * factor).sum(axis=2)
    possible = (panel.present * worth).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        totals = np.where(possible > 0, earned / possible * scale, np.nan)
    return totals, scale


def outlier_flags(result: Result, panel: Panel | None = None) -> list[Flag]:
    """A flag for each (vendor, evaluator) whose total sits more than 3.5 robust z-scores
    from the panel's median for that vendor (at least 4 evaluators)."""
    panel = Panel(result) if panel is None else panel
    totals, scale = evaluator_totals(result, panel)
    if totals.size == 0 or scale <= 0:
        return []
    scored = ~np.isnan(totals)
    evaluators = scored.sum(axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # vendors nobody scored
        median = np.nanmedian(totals, axis=0)
        mad = np.nanmedian(np.abs(totals - median), axis=0)
    spread = np.maximum(mad, OUTLIER_MAD_FLOOR * scale)
    z = _CONSISTENCY * (totals - median) / spread
    hits = scored & (evaluators >= OUTLIER_MIN_EVALUATORS) & (np.abs(z) > OUTLIER_LIMIT)
    flags: list[Flag] = []
    rounded_totals, rounded_z = round_array(totals).tolist(), round_array(z).tolist()
    rounded_median, rounded_mad = round_array(median).tolist(), round_array(mad).tolist()
    for i, k in np.argwhere(hits.T).tolist():  # vendors in rank order, evaluators by name
        detail: dict[str, object] = {
            "total": rounded_totals[k][i],
            "scale": round_number(scale),
            "panel_median": rounded_median[i],
            "mad": rounded_mad[i],
            "z": rounded_z[k][i],
            "limit": OUTLIER_LIMIT,
            "evaluators": int(evaluators[i]),
        }
        flags.append(
            _flag(
                "outlier_evaluator",
                detail,
                vendor=panel.vendors[i],
                evaluator=panel.evaluators[k],
            )
        )
    return flags


def _outlier_sentence(flag: Flag, names: Mapping[str, str]) -> Text:
    who = _who(flag.evaluator, names)
    d = flag.detail
    total, scale, median = _fmt(d["total"]), _fmt(d["scale"]), _fmt(d["panel_median"])
    z, limit, n = _fmt(d["z"]), _fmt(d["limit"]), d["evaluators"]
    return Text(
        zh=f"评委 {who} 对 {flag.vendor} 的评分合计 {total} 分"
        f"（评委评分部分满分 {scale}），而全体 {n} 位评委的中位数为 {median} 分："
        f"稳健 z 值 {z}（按中位数绝对偏差计算），超出 ±{limit}。",
        en=f"{who}'s scores give {flag.vendor} {total} of the {scale} points "
        f"the evaluators award; the median of the {n} evaluators is {median}: a robust "
        f"z-score of {z} (by median absolute deviation), beyond ±{limit}.",
    )


# --- abnormally low bid ---------------------------------------------------------------------


def low_bid_flags(result: Result) -> list[Flag]:
    """A flag for each vendor in the race whose total bid is below the threshold share of
    the median total bid of the vendors in the race."""
    if not result.template.price_criteria() or len(result.ranking) < 2:
        return []
    share = Decimal(str(result.input.low_bid_threshold))
    median = Decimal(statistics.median(r.bid_total for r in result.ranking))
    if median <= 0:
        return []
    flags: list[Flag] = []
    for ranked in sorted(result.ranking, key=lambda r: (r.bid_total, r.vendor)):
        bid = ranked.bid_total
        if bid >= share * median:
            continue
        detail: dict[str, object] = {
            "bid_total": str(bid),
            "median": str(round_decimal(median)),
            "ratio": round_number(float(bid / median), 4),
            "threshold": float(share),
            "currency": result.input.base_currency,
        }
        flags.append(_flag("low_bid", detail, vendor=ranked.vendor))
    return flags


def _low_bid_sentence(flag: Flag, names: Mapping[str, str]) -> Text:
    d = flag.detail
    bid, median = _money(d["bid_total"]), _money(d["median"])
    ratio, threshold, currency = _pct(d["ratio"]), _pct(d["threshold"]), d["currency"]
    return Text(
        zh=f"{flag.vendor} 的投标总价 {bid} {currency} 仅为在评投标总价中位数"
        f"（{median} {currency}）的 {ratio}，低于 {threshold} 的异常低价阈值。",
        en=f"{flag.vendor}'s total bid of {bid} {currency} is {ratio} of the median total "
        f"bid ({median} {currency}), below the threshold of {threshold}.",
    )


# --- fragile result -------------------------------------------------------------------------


def fragile_flags(result: Result, sensitivity: Sensitivity) -> list[Flag]:
    """A flag for each evaluator, and each losing bidder, whose absence changes the winner."""
    winner = result.winner
    if winner is None:
        return []
    flags: list[Flag] = []
    for evaluator, new in sorted(sensitivity.fragile_evaluators.items()):
        run = sensitivity.evaluator_runs[evaluator]
        detail: dict[str, object] = {
            "left_out": "evaluator",
            "winner": winner,
            "new_winner": new,
            "pair": [winner, new],
            "totals": {v: float(run.totals[v]) for v in (new, winner) if v in run.totals},
            "requalified": list(run.requalified),
            "disqualified": list(run.disqualified),
        }
        flags.append(_flag("fragile", detail, evaluator=evaluator))
    order = {r.vendor: i for i, r in enumerate(result.ranking)}
    pairs = sorted(sensitivity.fragile_pairs.items(), key=lambda item: order[item[0]])
    for bidder, (old, new) in pairs:
        run = sensitivity.bidder_runs[bidder]
        detail = {
            "left_out": "bidder",
            "winner": old,
            "new_winner": new,
            "pair": [old, new],
            "totals": {new: float(run.totals[new]), old: float(run.totals[old])},
            "reversed_pairs": [list(p) for p in run.reversed_pairs],
        }
        flags.append(_flag("fragile", detail, vendor=bidder))
    return flags


def _fragile_sentence(flag: Flag, names: Mapping[str, str]) -> Text:
    who = _who(flag.evaluator, names)
    d = flag.detail
    old, new = str(d["winner"]), str(d["new_winner"])
    totals = d["totals"]
    assert isinstance(totals, Mapping)
    if old in totals:
        versus_zh = f"（{_fmt(totals[new])} 比 {_fmt(totals[old])}）"
        versus_en = f" ({_fmt(totals[new])} to {_fmt(totals[old])})"
    else:  # the winner itself left the race (a gate decided otherwise)
        versus_zh = versus_en = ""
    if d["left_out"] == "evaluator":
        gate_zh = gate_en = ""
        back, out = _names(d.get("requalified")), _names(d.get("disqualified"))
        if back:
            gate_zh += f"没有该评委的票，资格审查不再淘汰 {'、'.join(back)}。"
            gate_en += f" Without their votes, a gate no longer disqualifies {', '.join(back)}."
        if out:
            gate_zh += f"没有该评委的票，资格审查将淘汰 {'、'.join(out)}。"
            gate_en += f" Without their votes, a gate disqualifies {', '.join(out)}."
        return Text(
            zh=f"若不计评委 {who} 的评分，第一名将由 {old} 变为 {new}{versus_zh}。"
            f"{gate_zh}",
            en=f"Without {who}'s scores, {new} would win instead of {old}{versus_en}."
            f"{gate_en}",
        )
    bidder = flag.vendor
    return Text(
        zh=f"若不计 {bidder} 的投标，第一名将由 {old} 变为 {new}{versus_zh}：价格分按各家报价"
        f"相对计算，去掉 {bidder} 会使 {old} 与 {new} 的名次互换。",
        en=f"Without {bidder}'s bid, {new} would win instead of {old}{versus_en}: price points "
        f"are relative to the other bids, so leaving {bidder} out reverses {old} and {new}.",
    )


_NO_NAMES: Mapping[str, str] = {}


def _who(evaluator: str | None, names: Mapping[str, str]) -> str:
    return "" if evaluator is None else names.get(evaluator, evaluator)


_SENTENCES: Mapping[str, Callable[[Flag, Mapping[str, str]], Text]] = {
    "divergence": _divergence_sentence,
    "outlier_evaluator": _outlier_sentence,
    "low_bid": _low_bid_sentence,
    "fragile": _fragile_sentence,
}


# --- formatting -----------------------------------------------------------------------------


_NUMBERS = (float, int, Decimal, str)


def _number(value: object) -> float:
    if isinstance(value, _NUMBERS):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


@lru_cache(maxsize=4096)
def _fmt(value: object) -> str:
    """A figure of a flag's detail for its sentence (`numbers.figure`: 4.5, 2, 0.33).

    Cached: a tender's flags repeat the same few figures many times."""
    return figure(_number(value))


def _pct(share: object) -> str:
    return percent(_number(share))


def _money(amount: object) -> str:
    return money(str(amount))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _names(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _text(value: object) -> Text:
    if isinstance(value, dict):
        return _title(str(value["zh"]), str(value["en"]))
    return _title(str(value), str(value))


@lru_cache(maxsize=1024)
def _title(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def criterion_title(template: Template, criterion_id: str | None, lang: str) -> str:
    """A criterion's title in `lang`, or its id if the template does not know it."""
    if criterion_id is None:
        return ""
    criterion = template.criterion(criterion_id)
    return criterion_id if criterion is None else criterion.title.get(lang)
