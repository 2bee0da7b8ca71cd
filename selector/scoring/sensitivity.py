"""How solid is the ranking? The winner's margin, weight break-evens and leave-one-out winners.

docs/contract.md §12. Everything here starts from a `Result` and recomputes only what a
question changes, so that a 50 × 100 × 15 tender is analysed in well under a second:

- **Weights.** A group's weight moves from w to x and the other groups are rescaled in
  proportion so that the weights still add up to 100. The aggregated cell points do not
  change, so a vendor's total is linear in x::

      T(x) = x · f + (100 − x) / (100 − w) · R

  where f is the share of the group's maximum the vendor earned and R the vendor's score in
  the other groups. Each competitor's crossing with the winner is solved for analytically;
  near a crossing the ranking rule itself (totals rounded half-up to 2 decimals, equal totals
  won by the lower total bid, then by name) is applied on the 0.01 grid of weight changes,
  so the change reported is the smallest multiple of 0.01 percentage points, up or down,
  at which `evaluate` on the reweighted template names another winner — and no smaller
  multiple does. A decrease wins a tie of sizes. Changes that would take the weight outside
  0–100 are not considered; then the break-even is None ("none within 0–100%").
- **Leaving one evaluator out** re-aggregates only the cells that evaluator scored, from the
  per-cell sums and counts (`mean`), or the remaining inputs (`median`, `trimmed`), all cells
  at once. A cell that only that evaluator scored keeps its points (nobody else can stand in
  for it), and a consensus value keeps deciding its cell. When leaving the evaluator out
  would change a gate's outcome, the whole input is scored again by `engine.evaluate`.
- **Leaving one bidder out**, for all bidders at once, without scoring again per bidder:
  the evaluators' points do not change, only the price points of the others do, and those
  follow from each vendor's position among the distinct amounts (`price_rank`: a bidder
  whose amount nobody else bid shifts the positions above it down by one) or from the
  lowest amount (`price_ratio`: it moves only when the bidder left out alone bid it). Every
  vendor's total without every bidder is then one array operation, and the winners are read
  off together; a whole ranking is made only when it is read. Relative price rules can
  reverse two other vendors' order: those pairs are kept.

This module is pure: no Flask, no database.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np

from selector.scoring import rules
from selector.scoring.engine import evaluate
from selector.scoring.model import Entry, Result, Template
from selector.scoring.numbers import round_array, round_decimal, round_number

STEP = 0.01  # the grid of weight changes, in percentage points
_EPS = 1e-9


# --- the values the pages and the report read -----------------------------------------------


@dataclass(frozen=True)
class WeightFlip:
    """The smallest change of one group's weight that changes the winner.

    `change` is in percentage points (negative: a decrease), a multiple of 0.01; the other
    groups are rescaled in proportion so that the weights add up to 100. `new_winner` is the
    vendor that wins at `weight + change`.
    """

    group: str
    weight: float
    change: float
    new_winner: str

    @property
    def new_weight(self) -> float:
        return round_number(self.weight + self.change)


@dataclass(frozen=True)
class LeaveOneOut:
    """The ranking when one evaluator's scores, or one bidder, are left out.

    `ranking` lists the vendors in rank order, `totals` their totals (rounded as in the
    result). `reversed_pairs` holds each pair (ahead, behind) of vendors that were both
    ranked before and whose order is now reversed. `requalified` and `disqualified` name the
    vendors a gate lets back into the race, or now keeps out, when an evaluator's votes are
    left out.
    """

    left_out: str
    ranking: tuple[str, ...]
    totals: Mapping[str, Decimal] = field(hash=False)
    reversed_pairs: tuple[tuple[str, str], ...] = ()
    requalified: tuple[str, ...] = ()
    disqualified: tuple[str, ...] = ()

    @property
    def winner(self) -> str | None:
        return self.ranking[0] if self.ranking else None


@dataclass(frozen=True)
class Sensitivity:
    """The stability summary of a result (docs/contract.md §12).

    `margin` is the winner's total minus the runner-up's (None with fewer than two ranked
    vendors). `weights[group id]` is the group's break-even (`WeightFlip`) or None when no
    weight within 0–100 changes the winner. `without_evaluator[evaluator]` and
    `without_bidder[vendor]` name the winner when that evaluator's scores, or that bidder, are
    left out; `evaluator_runs` / `bidder_runs` hold the whole rankings behind them.
    """

    winner: str | None
    runner_up: str | None
    margin: float | None
    weights: Mapping[str, WeightFlip | None] = field(hash=False)
    evaluator_runs: Mapping[str, LeaveOneOut] = field(hash=False)
    bidder_runs: Mapping[str, LeaveOneOut] = field(hash=False)  # a BidderRuns from analyse

    @property
    def nearest_flip(self) -> WeightFlip | None:
        """The break-even of smallest size over all groups (the first group on a tie)."""
        flips = [flip for flip in self.weights.values() if flip is not None]
        return min(flips, key=lambda flip: abs(flip.change)) if flips else None

    @property
    def without_evaluator(self) -> dict[str, str | None]:
        return _winners(self.evaluator_runs)

    @property
    def without_bidder(self) -> dict[str, str | None]:
        return _winners(self.bidder_runs)

    @property
    def fragile_evaluators(self) -> dict[str, str]:
        """evaluator -> the other winner, for each evaluator whose scores decide the winner."""
        return {
            name: new
            for name, new in _winners(self.evaluator_runs).items()
            if new is not None and new != self.winner
        }

    @property
    def fragile_pairs(self) -> dict[str, tuple[str, str]]:
        """losing bidder -> (winner, new winner), for each bidder whose absence flips them."""
        winner = self.winner
        return {
            name: (winner, new)
            for name, new in _winners(self.bidder_runs).items()
            if winner is not None and name != winner and new is not None and new != winner
        }


def _winners(runs: Mapping[str, LeaveOneOut]) -> dict[str, str | None]:
    """left out -> the winner without it (read off at once for `BidderRuns` and
    `EvaluatorRuns`, without making each whole ranking)."""
    if isinstance(runs, BidderRuns | EvaluatorRuns):
        return dict(runs.winners)
    return {name: run.winner for name, run in runs.items()}


# --- the ranking rule, as the engine applies it ---------------------------------------------


def scaled_weights(template: Template, group_id: str, new_weight: Decimal) -> dict[str, Decimal]:
    """Every group's weight when `group_id` gets `new_weight` and the others are rescaled
    in proportion, so that the weights still add up to 100."""
    old = next(g.weight for g in template.groups if g.id == group_id)
    rest = Decimal(100) - old
    factor = (Decimal(100) - new_weight) / rest if rest else Decimal(0)
    return {g.id: new_weight if g.id == group_id else g.weight * factor for g in template.groups}


def normalised_weights(weights: Mapping[str, Decimal | float | int]) -> dict[str, Decimal]:
    """Weights scaled in proportion so that they add up to 100 (all zero stays all zero)."""
    values = {gid: Decimal(str(w)) for gid, w in weights.items()}
    if any(w < 0 for w in values.values()):
        raise ValueError("a weight cannot be negative")
    total = sum(values.values(), Decimal(0))
    if total == 0:
        return values
    return {gid: w * 100 / total for gid, w in values.items()}


def reweighted(template: Template, weights: Mapping[str, Decimal]) -> Template:
    """The template with new group weights (groups not named keep theirs)."""
    return replace(
        template,
        groups=tuple(replace(g, weight=weights.get(g.id, g.weight)) for g in template.groups),
    )


# --- the analysis ---------------------------------------------------------------------------


def analyse(result: Result, panel: Panel | None = None) -> Sensitivity:
    """The sensitivity of `result` (of `engine.evaluate`, which scores the input again only
    when leaving an evaluator out changes a gate's outcome). `panel` is the result's
    `Panel`, when the caller has built it already."""
    board = _Board(result)
    panel = Panel(result) if panel is None else panel
    winner = result.winner
    runner_up = result.ranking[1].vendor if len(result.ranking) > 1 else None
    margin = None
    if runner_up is not None:
        first, second = result.ranking[0].total, result.ranking[1].total
        assert first is not None and second is not None
        margin = float(first - second)
    return Sensitivity(
        winner=winner,
        runner_up=runner_up,
        margin=margin,
        weights=board.weight_flips(),
        evaluator_runs=_without_evaluators(board, panel),
        bidder_runs=board.without_bidders(),
    )


def weight_flips(result: Result) -> dict[str, WeightFlip | None]:
    """Each group's break-even (`Sensitivity.weights`) alone, for a page that shows only
    those: the leave-one-out rankings are not computed."""
    return _Board(result).weight_flips()


class Panel:
    """The evaluators' own points on the ranked vendors' evaluator-scored cells (gates left
    out), as one array: `scores[evaluator, vendor, criterion]`, NaN where that evaluator did
    not score the cell. Vendors are in rank order, criteria in template order, evaluators
    (everyone with an entry) by name. `fixed[vendor, criterion]` marks consensus cells,
    `counted[vendor, criterion]` holds the points each cell counts (NaN: no cell).
    """

    def __init__(self, result: Result) -> None:
        self.vendors = [r.vendor for r in result.ranking]
        self.criteria = [
            c for c in result.template.criteria() if c.is_scored_by_evaluators and not c.is_gate
        ]
        self.evaluators = sorted({e.evaluator for e in result.input.entries})
        index = {e: k for k, e in enumerate(self.evaluators)}
        n_vendors, n_criteria = len(self.vendors), len(self.criteria)
        self.fixed = np.zeros((n_vendors, n_criteria), dtype=bool)
        # the points each cell counts in its vendor's total (NaN where there is no cell)
        self.counted = np.full((n_vendors, n_criteria), np.nan)
        who: list[int] = []
        where: list[int] = []
        given: list[float] = []
        cells = result.cells
        for i, vendor in enumerate(self.vendors):
            for j, criterion in enumerate(self.criteria):
                cell = cells.get((vendor, criterion.id))
                if cell is None:
                    continue
                self.fixed[i, j] = cell.consensus is not None
                if cell.points is not None:
                    self.counted[i, j] = cell.points
                inputs = cell.inputs
                who.extend(map(index.__getitem__, inputs))
                where.extend([i * n_criteria + j] * len(inputs))
                given.extend(inputs.values())
        scores = np.full((len(self.evaluators), n_vendors * n_criteria), np.nan)
        scores[who, where] = given
        self.scores = scores.reshape(len(self.evaluators), n_vendors, n_criteria)
        self.present = ~np.isnan(self.scores)
        self.count = self.present.sum(axis=0)
        self.filled = np.where(self.present, self.scores, 0.0)
        self.total = self.filled.sum(axis=0)


class _Board:
    """The ranked vendors' points as arrays: vendors × criteria, criteria × groups."""

    def __init__(self, result: Result) -> None:
        self.result = result
        template = result.template
        self.vendors = [r.vendor for r in result.ranking]
        self.row = {v: i for i, v in enumerate(self.vendors)}
        self.groups = list(template.groups)
        self.group_index = {g.id: i for i, g in enumerate(self.groups)}
        self.criteria = [c for g in self.groups for c in g.criteria if not c.is_gate]
        self.column = {c.id: j for j, c in enumerate(self.criteria)}
        self.weights = np.array([float(g.weight) for g in self.groups])
        self.maxima = np.array([float(g.max_points) for g in self.groups])
        self.member = np.zeros((len(self.criteria), len(self.groups)))
        for gi, g in enumerate(self.groups):
            for c in g.criteria:
                if not c.is_gate:
                    self.member[self.column[c.id], gi] = 1.0
        self.points = np.zeros((len(self.vendors), len(self.criteria)))
        for i, vendor in enumerate(self.vendors):
            for j, criterion in enumerate(self.criteria):
                cell = result.cells.get((vendor, criterion.id))
                if cell is not None and cell.points is not None:
                    self.points[i, j] = cell.points
        self.bids = [result.vendors[v].bid_total for v in self.vendors]
        # Position of each vendor when ordered by (total bid, name): the tie-break of equal
        # totals. A lower position wins.
        order = sorted(range(len(self.vendors)), key=lambda i: (self.bids[i], self.vendors[i]))
        self.tiebreak = np.empty(len(self.vendors), dtype=np.int64)
        self.tiebreak[order] = np.arange(len(self.vendors))

    # totals and ranking

    def earned(self, points: np.ndarray) -> np.ndarray:
        """vendors × groups: the sum of each group's criteria points."""
        result: np.ndarray = points @ self.member
        return result

    def totals(self, points: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        weights = self.weights if weights is None else weights
        factor = np.divide(weights, self.maxima, out=np.zeros_like(weights), where=self.maxima > 0)
        result: np.ndarray = self.earned(points) @ factor
        return result

    def ranking(self, rows: Iterable[int], totals: np.ndarray) -> LeaveOneOut:
        """The ranked vendors of `rows` (rank order) and their rounded totals."""
        rounded = {self.vendors[i]: round_decimal(float(totals[i])) for i in rows}
        order = sorted(rounded, key=lambda v: (-rounded[v], self.bids[self.row[v]], v))
        return LeaveOneOut("", tuple(order), rounded, _reversed(self.vendors, order))

    # weights

    def weight_flips(self) -> dict[str, WeightFlip | None]:
        return {g.id: self.weight_flip(g.id) for g in self.groups}

    def weight_flip(self, group_id: str) -> WeightFlip | None:
        """The smallest change of the group's weight (on the 0.01 grid) that changes the
        winner, or None. See the module docstring for the method."""
        gi = self.group_index[group_id]
        w = float(self.weights[gi])
        if len(self.vendors) < 2 or self.maxima[gi] == 0:
            return None
        earned = self.earned(self.points)
        share = earned[:, gi] / self.maxima[gi]
        current = self.totals(self.points)
        rest = current - w * share
        # T(x) = a + b·x for each vendor. A group holding all the weight leaves the others
        # at 0 whatever x is: T(x) = share · x.
        if w >= 100.0:
            a, b = np.zeros_like(share), share
        else:
            b = share - rest / (100.0 - w)
            a = rest * 100.0 / (100.0 - w)
        best: tuple[int, int] | None = None  # (steps, direction)
        for direction in (-1, 1):
            room = w if direction < 0 else 100.0 - w
            max_steps = math.floor(room / STEP + _EPS)
            steps = self._first_flip(a, b, w, direction, max_steps)
            if steps is not None and (best is None or steps < best[0]):
                best = (steps, direction)
        if best is None:
            return None
        steps, direction = best
        x = w + direction * steps * STEP
        totals = a + b * x
        new = self._winner_at(totals)
        return WeightFlip(group_id, w, round_number(direction * steps * STEP), self.vendors[new])

    def _first_flip(
        self, a: np.ndarray, b: np.ndarray, w: float, direction: int, max_steps: int
    ) -> int | None:
        """The first step k ≥ 1 at which some vendor beats the winner (row 0), or None."""
        if max_steps < 1:
            return None
        best: int | None = None
        d0 = (a - a[0]) + (b - b[0]) * w  # each vendor's lead over the winner now
        slope = (b - b[0]) * direction * STEP  # its change per step
        for i in range(1, len(self.vendors)):
            # The rounded totals can only tie or cross where the exact lead exceeds -0.01;
            # beyond a lead of +0.01 the vendor certainly ranks ahead.
            low, high = -STEP - _EPS, STEP + _EPS
            if abs(slope[i]) < 1e-15:
                if d0[i] <= low:
                    continue
                first, last = 1, max_steps
            elif slope[i] > 0:
                first = max(1, math.ceil((low - d0[i]) / slope[i]))
                last = min(max_steps, math.ceil((high - d0[i]) / slope[i]))
            else:
                if d0[i] <= low:
                    continue
                first, last = 1, min(max_steps, math.floor((low - d0[i]) / slope[i]))
            if best is not None:
                last = min(last, best - 1)
            if first > last:
                continue
            k = np.arange(first, last + 1)
            x = w + direction * k * STEP
            mine = round_array(a[i] + b[i] * x)
            winners = round_array(a[0] + b[0] * x)
            ahead = (mine > winners) | ((mine == winners) & (self.tiebreak[i] < self.tiebreak[0]))
            hits = np.flatnonzero(ahead)
            if hits.size:
                best = int(k[hits[0]])
        return best

    def _winner_at(self, totals: np.ndarray) -> int:
        rounded = round_array(totals)
        top = rounded.max()
        candidates = np.flatnonzero(rounded == top)
        return int(candidates[np.argmin(self.tiebreak[candidates])])

    # bidders

    def without_bidders(self) -> BidderRuns:
        """For each ranked vendor: the ranking of the others when it does not bid (see
        `BidderRuns`: the winners of all at once, each whole ranking when it is read)."""
        return BidderRuns(self)

    def price_changes(self, left_out: np.ndarray) -> np.ndarray:
        """len(left_out) × vendors × groups: how much each vendor's earned points in each
        group change when the vendor at each row of `left_out` does not bid.

        Only price rules move, and only through the amounts of the vendors still in the race:
        - `price_rank`: each vendor's position among the distinct amounts shifts down by one
          when the bidder left out held an amount nobody else bid and stood below it, and
          the highest position is one less; the points are the tiers at those positions.
        - `price_ratio`: max × lowest / amount moves only when the bidder left out alone bid
          the lowest amount; then the second lowest is the benchmark (scored by the rule
          itself, once).
        The row of the bidder left out is meaningless (it is not ranked).
        """
        n = len(self.vendors)
        delta = np.zeros((len(left_out), n, len(self.groups)))
        amounts_of = self.result.base_amounts
        for criterion in self.criteria:
            if not criterion.is_price:
                continue
            column = self.column[criterion.id]
            gi = int(np.flatnonzero(self.member[column])[0])
            now = self.points[:, column]
            amounts = [amounts_of[(v, criterion.id)] for v in self.vendors]
            if criterion.kind == "price_rank":
                new = _price_rank_without(amounts, criterion.tiers or (criterion.max,), left_out)
            else:
                new = np.broadcast_to(now, (len(left_out), n)).copy()
                lowest = min(amounts) if amounts else None
                alone = [i for i, a in enumerate(amounts) if a == lowest]
                if len(alone) == 1 and n > 1:
                    sole = alone[0]
                    others = {self.vendors[i]: amounts[i] for i in range(n) if i != sole}
                    points = rules.price_ratio_points(others, criterion.max)
                    again = np.array([float(points.get(v, 0.0)) for v in self.vendors])
                    new[left_out == sole] = again
            delta[:, :, gi] += new - now
        return delta

    def totals_without(self, left_out: np.ndarray) -> np.ndarray:
        """len(left_out) × vendors: every vendor's total when the vendor of each row does not
        bid (as `totals`; the column of the bidder left out is -inf)."""
        factor = np.divide(
            self.weights, self.maxima, out=np.zeros_like(self.weights), where=self.maxima > 0
        )
        earned = self.earned(self.points)[np.newaxis] + self.price_changes(left_out)
        totals: np.ndarray = earned @ factor
        totals[np.arange(len(left_out)), left_out] = -np.inf
        return totals

    def winners_without(self, left_out: np.ndarray) -> np.ndarray:
        """For each row of `left_out`: the row of the vendor ranked first without that
        bidder (-1 when nobody is left), by the ranking's rule: rounded totals, then the
        lower total bid, then the name (`tiebreak`)."""
        if len(self.vendors) < 2:
            return np.full(len(left_out), -1)
        with np.errstate(invalid="ignore"):  # the -inf of each bidder left out
            rounded = round_array(self.totals_without(left_out))
        top = rounded.max(axis=1)
        candidates = rounded == top[:, np.newaxis]
        ranked_by = np.where(candidates, self.tiebreak[np.newaxis], len(self.vendors))
        winners: np.ndarray = ranked_by.argmin(axis=1)
        return winners


def _price_rank_without(
    amounts: list[Decimal], tiers: tuple[Decimal, ...], left_out: np.ndarray
) -> np.ndarray:
    """len(left_out) × vendors: `rules.price_rank_points` of every vendor when the vendor
    of each row does not bid, from the positions among the distinct amounts (no sorting
    per bidder)."""
    distinct = sorted(set(amounts))
    where = {amount: k for k, amount in enumerate(distinct)}
    position = np.array([where[a] for a in amounts], dtype=np.int64)
    bidders = np.bincount(position, minlength=len(distinct))
    alone = bidders[position[left_out]] == 1  # the bidder's amount leaves with it
    shift = alone[:, np.newaxis] & (position[np.newaxis] > position[left_out][:, np.newaxis])
    mine = position[np.newaxis] - shift
    last = len(distinct) - 1 - alone[:, np.newaxis]
    values = np.array([float(t) for t in tiers])
    between = values[np.minimum(mine, len(values) - 2)]
    points: np.ndarray = np.where(
        mine == 0, values[0], np.where(mine == last, values[-1], between)
    )
    return points


class BidderRuns(Mapping[str, LeaveOneOut]):
    """Leave-one-bidder-out for every ranked vendor, without scoring again per bidder.

    Leaving a bidder out changes only the price points of the others (`_Board.price_changes`),
    so every vendor's total without every bidder is one array operation, and the winners of
    all of them are read off at once (`winners`). A whole ranking — the totals, the order,
    the reversed pairs — is made only when a run is read (a fragile flag, a test), in
    blocks that keep the arrays to about a million numbers whatever the number of vendors.
    """

    _BLOCK = 1 << 20  # numbers per block of bidders × vendors

    def __init__(self, board: _Board) -> None:
        self._board = board
        self._runs: dict[str, LeaveOneOut] = {}
        vendors = board.vendors
        rows = max(1, self._BLOCK // max(1, len(vendors) * max(1, len(board.groups))))
        winners: dict[str, str | None] = {}
        for start in range(0, len(vendors), rows):
            left_out = np.arange(start, min(start + rows, len(vendors)))
            for i, w in zip(left_out.tolist(), board.winners_without(left_out).tolist(),
                            strict=True):
                winners[vendors[i]] = None if w < 0 else vendors[w]
        self.winners = winners

    def __getitem__(self, vendor: str) -> LeaveOneOut:
        run = self._runs.get(vendor)
        if run is None:
            board = self._board
            i = board.row[vendor]  # a KeyError for a vendor not ranked
            totals = board.totals_without(np.array([i]))[0]
            rows = [k for k in range(len(board.vendors)) if k != i]
            run = replace(board.ranking(rows, totals), left_out=vendor)
            self._runs[vendor] = run
        return run

    def __iter__(self) -> Iterator[str]:
        return iter(self.winners)

    def __len__(self) -> int:
        return len(self.winners)


def _reversed(before: list[str], after: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Pairs (ahead before, behind before) whose order `after` reverses (output-sensitive:
    a ranking that barely moves costs about V log V)."""
    position = {v: i for i, v in enumerate(before)}
    seen: list[int] = []  # positions (in `before`) of the vendors met so far, sorted
    pairs: list[tuple[str, str]] = []
    for vendor in after:
        if vendor not in position:
            continue
        mine = position[vendor]
        cut = bisect.bisect_right(seen, mine)
        # every vendor already met that stood behind this one before is now ahead of it
        pairs.extend((vendor, before[other]) for other in seen[cut:])
        seen.insert(cut, mine)
    return tuple(sorted(pairs, key=lambda p: (position[p[0]], position[p[1]])))


# --- leaving one evaluator out ----------------------------------------------------------------


def _without_evaluators(board: _Board, panel: Panel) -> EvaluatorRuns:
    """For each evaluator: the ranking when that evaluator's scores are left out (the
    winners at once; each whole ranking when it is read, `EvaluatorRuns`)."""
    result = board.result
    inp = result.input
    evaluators = panel.evaluators
    runs = EvaluatorRuns(board)
    if not evaluators:
        return runs
    scored = [board.column[c.id] for c in panel.criteria]
    inputs, present, count = panel.scores, panel.present, panel.count
    filled, total, fixed = panel.filled, panel.total, panel.fixed
    base = board.points[:, scored]
    order = _SortedInputs(inputs, count) if inp.method != "mean" else None
    disqualified = {d.vendor for d in result.disqualified}
    gates = _gate_tallies(result)

    for k, evaluator in enumerate(evaluators):
        if _gates_change(gates, evaluator, disqualified):
            runs.add_run(evaluator, _rescored_without(result, evaluator))
            continue
        mine = present[k]
        rest = count - mine
        if inp.method == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                again = (total - filled[k]) / rest
        else:
            assert order is not None
            again = order.without(k, total - filled[k], rest, inp.method)
        # Only cells this evaluator scored, with someone else left to score them, change.
        changed = mine & (rest > 0) & ~fixed
        points = board.points.copy()
        points[:, scored] = np.where(changed, again, base)
        runs.add_totals(evaluator, board.totals(points))
    return runs


class EvaluatorRuns(Mapping[str, LeaveOneOut]):
    """Leave-one-evaluator-out for every evaluator: each one's totals (exact, as before) and
    winner are kept; the whole ranking — rounded totals, order, reversed pairs — is made when
    a run is read (a page, a fragile flag), not for every evaluator of every tender."""

    def __init__(self, board: _Board) -> None:
        self._board = board
        self._totals: dict[str, np.ndarray] = {}
        self._runs: dict[str, LeaveOneOut] = {}
        self.winners: dict[str, str | None] = {}

    def add_run(self, evaluator: str, run: LeaveOneOut) -> None:
        """A run scored again by the engine (a gate's outcome changed)."""
        self._runs[evaluator] = run
        self.winners[evaluator] = run.winner

    def add_totals(self, evaluator: str, totals: np.ndarray) -> None:
        """The ranked vendors' totals without `evaluator`; the winner by the ranking's rule."""
        board = self._board
        self._totals[evaluator] = totals
        winner = board.vendors[board._winner_at(totals)] if board.vendors else None
        self.winners[evaluator] = winner

    def __getitem__(self, evaluator: str) -> LeaveOneOut:
        run = self._runs.get(evaluator)
        if run is None:
            board = self._board
            totals = self._totals[evaluator]  # a KeyError for an evaluator with no entry
            run = replace(board.ranking(range(len(board.vendors)), totals), left_out=evaluator)
            self._runs[evaluator] = run
        return run

    def __iter__(self) -> Iterator[str]:
        return iter(self.winners)

    def __len__(self) -> int:
        return len(self.winners)


class _SortedInputs:
    """Each cell's inputs sorted once, so that the median or the trimmed mean of a cell
    without one evaluator is read off by position instead of sorting again (as
    `engine._aggregate` computes them: the median averages the two middle values; the trimmed
    mean drops one highest and one lowest when 5 or more scored, else it is the mean)."""

    def __init__(self, inputs: np.ndarray, count: np.ndarray) -> None:
        self.sorted = np.sort(inputs, axis=0)  # NaN (not scored) sorts last
        order = np.argsort(inputs, axis=0, kind="stable")
        self.position = np.empty_like(order)
        np.put_along_axis(
            self.position, order, np.arange(inputs.shape[0]).reshape(-1, 1, 1), axis=0
        )
        self.count = count

    def _at(self, index: np.ndarray, skipped: np.ndarray) -> np.ndarray:
        """The value at `index` among a cell's sorted inputs once the one at `skipped` is
        taken out."""
        shifted = index + (index >= skipped)
        shifted = np.clip(shifted, 0, self.sorted.shape[0] - 1)
        picked: np.ndarray = np.take_along_axis(self.sorted, shifted[np.newaxis], axis=0)[0]
        return picked

    def without(
        self, evaluator: int, total: np.ndarray, rest: np.ndarray, method: str
    ) -> np.ndarray:
        """Each cell's aggregate without `evaluator` (`total` and `rest`: the sum and count
        of the other inputs). Cells the evaluator did not score are not read."""
        skipped = self.position[evaluator]
        with np.errstate(invalid="ignore", divide="ignore"):
            if method == "median":
                low = np.maximum(rest - 1, 0) // 2
                high = rest // 2
                result: np.ndarray = (self._at(low, skipped) + self._at(high, skipped)) / 2
                return result
            lowest = self._at(np.zeros_like(rest), skipped)
            highest = self._at(np.maximum(rest - 1, 0), skipped)
            trimmed = (total - lowest - highest) / (rest - 2)
            result = np.where(rest >= 5, trimmed, total / rest)
            return result


_GateTally = dict[tuple[str, str], tuple[Mapping[str, float], object]]


def _gate_tallies(result: Result) -> _GateTally:
    """(vendor, gate) -> (evaluator -> 1.0 for fail / 0.0 for pass, the consensus value)."""
    tallies: _GateTally = {}
    for gate in (c for c in result.template.criteria() if c.is_gate):
        for vendor in result.input.vendors:
            cell = result.cells.get((vendor, gate.id))
            if cell is not None:
                agreed = None if cell.consensus is None else cell.consensus.value
                tallies[(vendor, gate.id)] = (cell.inputs, agreed)
    return tallies


def _gates_change(gates: _GateTally, evaluator: str, disqualified: set[str]) -> bool:
    """Would leaving `evaluator` out change which vendors the gates disqualify?

    A consensus pass or fail decides its gate whatever the evaluators said; a gate only this
    evaluator scored keeps its entry (as `_rescored_without` does).
    """
    failing: set[str] = set()
    for (vendor, _gate), (inputs, agreed) in gates.items():
        if agreed is not None:
            if agreed == "fail":
                failing.add(vendor)
            continue
        fails, of = sum(inputs.values()), len(inputs)
        if evaluator in inputs and of > 1:
            fails -= inputs[evaluator]
            of -= 1
        if 2 * fails > of:
            failing.add(vendor)
    return failing != disqualified


def _rescored_without(result: Result, evaluator: str) -> LeaveOneOut:
    """The ranking from the engine, with the evaluator's entries left out (except on cells
    nobody else scored)."""
    alone = {key for key, cell in result.cells.items() if set(cell.inputs) == {evaluator}}
    entries: tuple[Entry, ...] = tuple(
        e
        for e in result.input.entries
        if e.evaluator != evaluator or (e.vendor, e.criterion) in alone
    )
    again = evaluate(replace(result.input, entries=entries))
    ranking = tuple(r.vendor for r in again.ranking)
    totals = {r.vendor: r.total for r in again.ranking if r.total is not None}
    before = [r.vendor for r in result.ranking]
    out_before = {d.vendor for d in result.disqualified}
    out_now = {d.vendor for d in again.disqualified}
    return LeaveOneOut(
        evaluator,
        ranking,
        totals,
        _reversed(before, ranking),
        requalified=tuple(v for v in result.input.vendors if v in out_before - out_now),
        disqualified=tuple(v for v in result.input.vendors if v in out_now - out_before),
    )


def sensitivity_to_json(sensitivity: Sensitivity) -> dict[str, object]:
    """The `sensitivity` key of `selector score --json` (issue 3's shape, keys only added)."""
    return {
        "margin": sensitivity.margin,
        "weights": {
            group: None
            if flip is None
            else {
                "change": flip.change,
                "new_winner": flip.new_winner,
                "weight": round_number(flip.weight),
                "new_weight": flip.new_weight,
            }
            for group, flip in sensitivity.weights.items()
        },
        "without_evaluator": sensitivity.without_evaluator,
        "without_bidder": sensitivity.without_bidder,
    }
