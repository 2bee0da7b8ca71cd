"""evaluate(input) -> Result: aggregate evaluators, apply gates and price rules, weight, rank.

The rules are those of docs/contract.md; `evaluate`'s docstring states them where they are
applied.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from operator import itemgetter

from selector.scoring import rules, values
from selector.scoring.limits import MAX_PROBLEMS
from selector.scoring.model import (
    METHODS,
    Cell,
    Consensus,
    Criterion,
    Disqualification,
    Entry,
    EvaluationInput,
    Result,
    ScoringError,
    Template,
    Text,
    VendorResult,
)
from selector.scoring.numbers import round_decimal

# A gate entry counts as 1.0 when it says fail, so that the sum over a cell is its fails.
_GATE_POINTS: dict[object, float] = {"pass": 0.0, "fail": 1.0}


def evaluate(inp: EvaluationInput) -> Result:
    """Score and rank the vendors of a tender.

    Rules, in the order they are applied (docs/contract.md):

    1. Each evaluator entry earns points by its criterion's rule: tiered full/partial/none ->
       max / partial (default 3) / 0; binary yes/no -> max / 0; scale -> the number; grade ->
       the level's points. Gates earn no points.
    2. One cell (vendor × criterion) aggregates the evaluators who scored it: `mean`,
       `trimmed` (drop one highest and one lowest when 5 or more scored, else the mean) or
       `median`. A consensus value recorded by the chair replaces the aggregate.
    3. A gate disqualifies a vendor when strictly more than half of the evaluators who scored
       it say fail; a consensus pass or fail decides instead. A disqualified vendor is never
       ranked and is left out of the price benchmarks.
    4. Bids are converted to the base currency (amount × rate). For each price criterion,
       over the vendors still in the race: `price_rank` gives the lowest distinct amount
       tiers[0], the highest tiers[-1], the r-th between tiers[min(r, len(tiers) - 2)], equal
       amounts equal points, a single bidder tiers[0]; `price_ratio` gives max × lowest /
       amount.
    5. A group scores weight × (sum of its criteria's points) / (sum of their max points).
       A vendor's total is the sum of its group scores, unrounded all the way, then rounded
       half-up to 2 decimals once (`numbers.round_decimal`: float noise settled at 1e-9 first,
       so 79.995 -> 80.00). Its total bid is the sum of its base-currency amounts, rounded
       half-up to cents.
    6. Rank by total, highest first; equal totals rank the lower total bid first; equal total
       and total bid share a rank (1, 1, 3) and are listed by vendor name.
    7. A vendor's band is the template's band with the highest `min` not above its total.

    The decision checks (flags, sensitivity) are not computed here: they take the Result
    (`selector.scoring.checks.decision_checks`).

    Raises ScoringError listing every problem found (unknown vendor or criterion, a value the
    rule does not accept, a duplicate entry or bid, a cell nobody scored, a missing bid, an
    unknown currency, an amount that is not positive).
    """
    template = inp.template
    criteria = {c.id: c for c in template.criteria()}
    problems: list[Text] = []
    if inp.method not in METHODS:
        problems.append(
            Text(
                zh=f"未知的汇总方法“{inp.method}”；请使用 {METHODS} 之一",
                en=f"unknown aggregation method '{inp.method}'; use one of {METHODS}",
            )
        )
    if len(set(inp.vendors)) != len(inp.vendors):
        problems.append(
            Text(
                zh="供应商名称重复；每个供应商需要一个不同的名称",
                en="vendor names repeat; every vendor needs a distinct name",
            )
        )

    inputs = _cell_inputs(inp.entries, criteria, set(inp.vendors), problems)
    consensus = _consensus_by_cell(inp.consensus, criteria, set(inp.vendors), problems)

    cells: dict[tuple[str, str], Cell] = {}
    for vendor in inp.vendors:
        for criterion in criteria.values():
            if criterion.is_price:
                continue
            key = (vendor, criterion.id)
            agreed = consensus.get(key)
            if key not in inputs and agreed is None:
                problems.append(
                    Text(
                        zh=f"没有评委对供应商“{vendor}”的评分项“{criterion.id}”打分，"
                        "也没有该项的共识值",
                        en=f"no evaluator scored vendor '{vendor}' on criterion '{criterion.id}' "
                        "and there is no consensus value for it",
                    )
                )
                continue
            cell_inputs = inputs.get(key, {})
            cell_aggregate = (
                None
                if criterion.is_gate or not cell_inputs
                else _aggregate(list(cell_inputs.values()), inp.method)
            )
            if criterion.is_gate:
                points = None
            elif agreed is not None:
                agreed_points = rules.points_for(criterion, agreed.value)
                points = None if agreed_points is None else float(agreed_points)
            else:
                points = cell_aggregate
            cells[key] = Cell(vendor, criterion.id, points, cell_aggregate, cell_inputs, agreed)

    disqualified = _disqualifications(inp.vendors, template, inputs, consensus)
    in_race = [v for v in inp.vendors if v not in disqualified]
    base_amounts = _base_amounts(inp, criteria, problems)
    _check_bids_complete(in_race, template, base_amounts, problems)

    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            shown.append(Text(zh=f"……另有 {more} 个问题", en=f"… and {more} more problems"))
        raise ScoringError(shown)

    for criterion in template.price_criteria():
        amounts = {v: base_amounts[(v, criterion.id)] for v in in_race}
        price_points: Mapping[str, float | Decimal]
        if criterion.kind == "price_rank":
            price_points = rules.price_rank_points(amounts, criterion.tiers or (criterion.max,))
        else:
            price_points = rules.price_ratio_points(amounts, criterion.max)
        for vendor, earned in price_points.items():
            cells[(vendor, criterion.id)] = Cell(vendor, criterion.id, float(earned), None, {})

    vendors = _vendor_results(inp, cells, base_amounts, disqualified)
    ranking = tuple(sorted((r for r in vendors.values() if r.rank is not None), key=_rank_key))
    return Result(
        input=inp,
        ranking=ranking,
        disqualified=tuple(disqualified[v] for v in inp.vendors if v in disqualified),
        vendors=vendors,
        cells=cells,
        base_amounts=base_amounts,
    )


def _points_tables(criteria: Mapping[str, Criterion]) -> dict[str, dict[object, float] | None]:
    """criterion id -> {normalised value: points}; None for `scale` (the value is the points)."""
    tables: dict[str, dict[object, float] | None] = {}
    for cid, criterion in criteria.items():
        if criterion.is_price:
            continue
        if criterion.kind == "scale":
            tables[cid] = None
        elif criterion.is_gate:
            tables[cid] = dict(_GATE_POINTS)
        else:
            tables[cid] = {choice.key: float(choice.points) for choice in rules.choices(criterion)}
    return tables


def _cell_inputs(
    entries: Iterable[Entry],
    criteria: Mapping[str, Criterion],
    vendors: set[str],
    problems: list[Text],
) -> dict[tuple[str, str], dict[str, float]]:
    """(vendor, criterion) -> {evaluator: points}; faults are appended to `problems`.

    One pass over the entries (a large tender has a million): the common case of good input
    takes the fast path, and only bad input pays for the messages.
    """
    entries = tuple(entries)
    tables = _points_tables(criteria)
    try:
        # A million entries repeat a few hundred (criterion, value) pairs: each pair is
        # scored once, and the entries look theirs up in C.
        pairs = list(zip(map(itemgetter(2), entries), map(itemgetter(3), entries), strict=True))
        by_pair = {pair: _fast_points(tables, criteria, *pair) for pair in dict.fromkeys(pairs)}
        points: list[float | None] = list(map(by_pair.__getitem__, pairs))
    except (KeyError, ValueError, ArithmeticError, TypeError):
        points = _checked_points(entries, tables, criteria, problems)
    inputs: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for entry, earned in zip(entries, points, strict=True):
        if earned is None:
            continue
        cell = inputs[(entry.vendor, entry.criterion)]
        if entry.evaluator in cell:
            problems.append(
                Text(
                    zh=f"评委“{entry.evaluator}”对供应商“{entry.vendor}”的评分项"
                    f"“{entry.criterion}”打了不止一次分",
                    en=f"evaluator '{entry.evaluator}' scored vendor '{entry.vendor}' on "
                    f"criterion '{entry.criterion}' more than once",
                )
            )
        cell[entry.evaluator] = earned
    for vendor in sorted({vendor for vendor, _ in inputs} - vendors):
        problems.append(
            Text(
                zh=f"评分记录中的供应商“{vendor}”未参与本次招标",
                en=f"entries name vendor '{vendor}', which is not bidding in this tender",
            )
        )
    return inputs


def _fast_points(
    tables: Mapping[str, dict[object, float] | None],
    criteria: Mapping[str, Criterion],
    criterion: str,
    value: str | Decimal,
) -> float:
    table = tables[criterion]
    if table is not None:
        return table[value]
    number = values.read(criteria[criterion], value)
    if isinstance(number, values.Problem):
        raise ValueError(value)
    return float(number)


def _checked_points(
    entries: tuple[Entry, ...],
    tables: Mapping[str, dict[object, float] | None],
    criteria: Mapping[str, Criterion],
    problems: list[Text],
) -> list[float | None]:
    """The slow path, taken only when some entry is bad: say what is wrong with each one."""
    points: list[float | None] = []
    for entry in entries:
        criterion = criteria.get(entry.criterion)
        if criterion is None:
            problems.append(
                Text(
                    zh=f"评委“{entry.evaluator}”对供应商“{entry.vendor}”的评分记录中"
                    f"有未知评分项“{entry.criterion}”",
                    en=f"unknown criterion '{entry.criterion}' in an entry of "
                    f"evaluator '{entry.evaluator}' for vendor '{entry.vendor}'",
                )
            )
            points.append(None)
            continue
        if criterion.is_price:
            problems.append(
                Text(
                    zh=f"评分项“{entry.criterion}”是价格规则，评委不对其打分"
                    f"（评委“{entry.evaluator}”，供应商“{entry.vendor}”）",
                    en=f"criterion '{entry.criterion}' is a price rule: evaluators do not "
                    f"score it (evaluator '{entry.evaluator}', vendor '{entry.vendor}')",
                )
            )
            points.append(None)
            continue
        try:
            points.append(_fast_points(tables, criteria, entry.criterion, entry.value))
        except (KeyError, ValueError, ArithmeticError, TypeError):
            reading = values.read(criterion, entry.value)
            message = (
                reading.text
                if isinstance(reading, values.Problem)
                else Text(zh=f"请写作规范值 {reading}", en=f"write it as the canonical {reading}")
            )
            problems.append(
                Text(
                    zh=f"评委“{entry.evaluator}”，供应商“{entry.vendor}”，"
                    f"评分项“{entry.criterion}”: 值“{entry.value}”: {message.zh}",
                    en=f"evaluator '{entry.evaluator}', vendor '{entry.vendor}', "
                    f"criterion '{entry.criterion}': value '{entry.value}': {message.en}",
                )
            )
            points.append(None)
    return points


def _aggregate(points: list[float], method: str) -> float:
    """One cell's evaluator points aggregated by `method` (mean, trimmed or median)."""
    count = len(points)
    if method == "median":
        return float(statistics.median(points))
    if method == "trimmed" and count >= 5:
        return (math.fsum(points) - max(points) - min(points)) / (count - 2)
    return math.fsum(points) / count


def _consensus_by_cell(
    consensus: Iterable[Consensus],
    criteria: Mapping[str, Criterion],
    vendors: set[str],
    problems: list[Text],
) -> dict[tuple[str, str], Consensus]:
    by_cell: dict[tuple[str, str], Consensus] = {}
    for agreed in consensus:
        criterion = criteria.get(agreed.criterion)
        where = Text(
            zh=f"供应商“{agreed.vendor}”评分项“{agreed.criterion}”的共识值",
            en=f"consensus for vendor '{agreed.vendor}' on criterion '{agreed.criterion}'",
        )
        if agreed.vendor not in vendors:
            problems.append(
                _at(
                    where,
                    zh=f"供应商“{agreed.vendor}”未参与本次招标",
                    en=f"vendor '{agreed.vendor}' is not bidding in this tender",
                )
            )
        elif criterion is None:
            problems.append(
                _at(
                    where,
                    zh=f"未知评分项“{agreed.criterion}”",
                    en=f"unknown criterion '{agreed.criterion}'",
                )
            )
        elif criterion.is_price:
            problems.append(
                _at(
                    where,
                    zh="价格规则的得分来自报价",
                    en="a price rule's points come from the bids",
                )
            )
        elif (agreed.vendor, agreed.criterion) in by_cell:
            problems.append(_at(where, zh="重复记录", en="recorded more than once"))
        else:
            value = values.read(criterion, agreed.value)
            if isinstance(value, values.Problem):
                problem = value.text
                problems.append(
                    _at(
                        where,
                        zh=f"值“{agreed.value}”: {problem.zh}",
                        en=f"value '{agreed.value}': {problem.en}",
                    )
                )
                continue
            by_cell[(agreed.vendor, agreed.criterion)] = Consensus(
                agreed.vendor, agreed.criterion, value, agreed.reason
            )
    return by_cell


def _disqualifications(
    vendors: Iterable[str],
    template: Template,
    inputs: Mapping[tuple[str, str], Mapping[str, float]],
    consensus: Mapping[tuple[str, str], Consensus],
) -> dict[str, Disqualification]:
    """Each vendor failed by a gate, with the first gate (in template order) that failed it."""
    gates = [c for c in template.criteria() if c.is_gate]
    result: dict[str, Disqualification] = {}
    for vendor in vendors:
        for gate in gates:
            said = inputs.get((vendor, gate.id), {})
            fails, of = int(sum(said.values())), len(said)
            agreed = consensus.get((vendor, gate.id))
            if agreed is not None:
                if agreed.value == "fail":
                    result[vendor] = Disqualification(
                        vendor, gate.id, fails, of, by_consensus=True, reason=agreed.reason
                    )
                    break
            elif 2 * fails > of:
                result[vendor] = Disqualification(vendor, gate.id, fails, of)
                break
    return result


def _base_amounts(
    inp: EvaluationInput, criteria: Mapping[str, Criterion], problems: list[Text]
) -> dict[tuple[str, str], Decimal]:
    rates = {inp.base_currency: Decimal(1), **inp.rates}
    amounts: dict[tuple[str, str], Decimal] = {}
    vendors = set(inp.vendors)
    for bid in inp.bids:
        where = Text(
            zh=f"供应商“{bid.vendor}”对“{bid.component}”的报价",
            en=f"bid of vendor '{bid.vendor}' for '{bid.component}'",
        )
        criterion = criteria.get(bid.component)
        rate = rates.get(bid.currency)
        if bid.vendor not in vendors:
            problems.append(
                _at(
                    where,
                    zh=f"供应商“{bid.vendor}”未参与本次招标",
                    en=f"vendor '{bid.vendor}' is not bidding in this tender",
                )
            )
        elif criterion is None or not criterion.is_price:
            problems.append(
                _at(
                    where,
                    zh=f"“{bid.component}”不是模板中的价格评分项",
                    en=f"'{bid.component}' is not a price criterion of the template",
                )
            )
        elif (bid.vendor, bid.component) in amounts:
            problems.append(_at(where, zh="重复给出", en="given more than once"))
        elif not bid.amount.is_finite() or bid.amount <= 0:
            problems.append(
                _at(
                    where,
                    zh=f"金额 {bid.amount} 必须是正数",
                    en=f"amount {bid.amount} must be a positive number",
                )
            )
        elif rate is None:
            problems.append(
                _at(
                    where,
                    zh=f"缺少币种“{bid.currency}”的汇率"
                    f"（请给出 1 {bid.currency} = 多少 {inp.base_currency}）",
                    en=f"no exchange rate for currency '{bid.currency}' "
                    f"(give 1 {bid.currency} = rate {inp.base_currency})",
                )
            )
        else:
            amounts[(bid.vendor, bid.component)] = bid.amount * rate
    return amounts


def _check_bids_complete(
    in_race: Iterable[str],
    template: Template,
    amounts: Mapping[tuple[str, str], Decimal],
    problems: list[Text],
) -> None:
    for vendor in in_race:
        for criterion in template.price_criteria():
            if (vendor, criterion.id) not in amounts:
                problems.append(
                    Text(
                        zh=f"供应商“{vendor}”没有价格评分项“{criterion.id}”的报价",
                        en=f"vendor '{vendor}' has no bid for price criterion '{criterion.id}'",
                    )
                )


def _at(where: Text, *, zh: str, en: str) -> Text:
    """A problem of one consensus value or bid: "<where>: <problem>" in both languages."""
    return Text(zh=f"{where.zh}: {zh}", en=f"{where.en}: {en}")


def _vendor_results(
    inp: EvaluationInput,
    cells: Mapping[tuple[str, str], Cell],
    base_amounts: Mapping[tuple[str, str], Decimal],
    disqualified: Mapping[str, Disqualification],
) -> dict[str, VendorResult]:
    template = inp.template
    bid_totals: dict[str, Decimal] = defaultdict(Decimal)
    for (vendor, _component), amount in base_amounts.items():
        bid_totals[vendor] += amount

    unranked: list[VendorResult] = []
    for vendor in inp.vendors:
        groups: dict[str, float] = {}
        for group in template.groups:
            if group.weight == 0 or group.max_points == 0:
                continue
            earned = 0.0
            for criterion in group.criteria:
                cell = cells.get((vendor, criterion.id))
                if cell is not None and cell.points is not None:
                    earned += cell.points
            groups[group.id] = float(group.weight) * earned / float(group.max_points)
        total_exact = sum(groups.values())
        out = disqualified.get(vendor)
        total = None if out else round_decimal(total_exact)
        unranked.append(
            VendorResult(
                vendor=vendor,
                rank=None if out else 0,
                total=total,
                total_exact=total_exact,
                groups=groups,
                bid_total=round_decimal(bid_totals[vendor]),
                band=None if total is None else template.band_for(total),
                disqualification=out,
            )
        )

    ranked = sorted((r for r in unranked if r.rank is not None), key=_rank_key)
    ranks: dict[str, int] = {}
    for position, current in enumerate(ranked):
        previous = ranked[position - 1] if position else None
        if previous is not None and _standing(previous) == _standing(current):
            ranks[current.vendor] = ranks[previous.vendor]
        else:
            ranks[current.vendor] = position + 1
    return {r.vendor: r if r.rank is None else _with_rank(r, ranks[r.vendor]) for r in unranked}


def _standing(result: VendorResult) -> tuple[Decimal, Decimal]:
    assert result.total is not None
    return (-result.total, result.bid_total)


def _rank_key(result: VendorResult) -> tuple[Decimal, Decimal, str]:
    return (*_standing(result), result.vendor)


def _with_rank(result: VendorResult, rank: int) -> VendorResult:
    return replace(result, rank=rank)
