"""Sensitivity (docs/contract.md §12): the margin, weight break-evens worked out by hand, and the
laws that tie them to `evaluate`: the reported break-even really changes the winner, no smaller
change does, and the fast leave-one-out rankings are what scoring the reduced input gives."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selector.scoring.engine import evaluate
from selector.scoring.model import Bid, Consensus, Entry, EvaluationInput
from selector.scoring.sensitivity import (
    WeightFlip,
    analyse,
    normalised_weights,
    reweighted,
    scaled_weights,
    weight_flips,
)
from tests.unit.builders import bids, crit, group, make_input, template


def winner_with(inp: EvaluationInput, group_id: str, change: float | Decimal) -> str | None:
    """The winner `evaluate` names when one group's weight moves by `change` (the others
    rescaled in proportion)."""
    tmpl = inp.template
    weight = next(g.weight for g in tmpl.groups if g.id == group_id)
    weights = scaled_weights(tmpl, group_id, weight + Decimal(str(change)))
    return evaluate(replace(inp, template=reweighted(tmpl, weights))).winner


def two_group_input(a_scores, b_scores, weights=(50, 50), amounts=None):
    """Vendors A and B on two 10-point items in groups g1 and g2 (one evaluator); with
    `amounts`, a price group of weight 0 whose bids only break ties."""
    groups = [
        group("g1", weights[0], crit("a", "scale", 10)),
        group("g2", weights[1], crit("b", "scale", 10)),
    ]
    if amounts:
        groups.append(group("price", 0, crit("cost", "price_ratio", 10)))
    entries = [
        Entry("e1", vendor, cid, Decimal(str(points)))
        for vendor, scores in (("A", a_scores), ("B", b_scores))
        for cid, points in zip("ab", scores, strict=True)
    ]
    return make_input(template(*groups), entries, bids=bids("cost", **amounts) if amounts else ())


# --- hand-computed ----------------------------------------------------------------------------


def test_the_rank_reversal_example_breaks_even_at_a_quality_weight_of_55_56():
    # Quality weight x, price 100 − x: A = x + 0.5(100 − x), B = 0.9x + 0.625(100 − x).
    # They cross at 0.225x = 12.5, x = 55.56. At x = 55.56 both round to 77.78 and B's lower
    # bid wins the tie; at 55.57, A 77.79 (77.785 half-up) beats B 77.78.
    tmpl = template(
        group("quality", 60, crit("quality", "scale", 60, step=1)),
        group("price", 40, crit("price", "price_ratio", 40)),
    )
    entries = [Entry("e1", v, "quality", Decimal(p)) for v, p in (("A", 60), ("B", 54), ("C", 30))]
    inp = make_input(tmpl, entries, bids=bids("price", A=100, B=80, C=50))
    sensitivity = analyse(evaluate(inp))

    assert sensitivity.margin == 1.0
    assert (sensitivity.winner, sensitivity.runner_up) == ("A", "B")
    assert sensitivity.weights["quality"] == WeightFlip("quality", 60.0, -4.44, "B")
    assert sensitivity.weights["quality"].new_weight == 55.56
    assert sensitivity.weights["price"] == WeightFlip("price", 40.0, 4.44, "B")
    assert winner_with(inp, "quality", "-4.44") == "B"
    assert winner_with(inp, "quality", "-4.43") == "A"


@pytest.mark.parametrize(
    ("amounts", "change"),
    [({"A": 100, "B": 90}, -10.0), ({"A": 90, "B": 100}, -10.01)],
    ids=["lower-bid-wins-the-tie", "higher-bid-needs-one-more-step"],
)
def test_an_exact_tie_goes_to_the_lower_total_bid(amounts, change):
    # A: 10 and 5, B: 5 and 10; g1 weight x, g2 100 − x: A = 50 + x/2, B = 100 − x/2, equal
    # (75) at x = 50, a change of −10. If A bids lower it keeps the tie, and B needs x = 49.99:
    # A 74.995 -> 75.00, B 75.005 -> 75.01.
    inp = two_group_input((10, 5), (5, 10), weights=(60, 40), amounts=amounts)
    result = evaluate(inp)
    sensitivity = analyse(result)
    assert (result.winner, sensitivity.margin) == ("A", 10.0)
    assert sensitivity.weights["g1"] == WeightFlip("g1", 60.0, change, "B")
    assert sensitivity.weights["g2"] == WeightFlip("g2", 40.0, -change, "B")
    assert winner_with(inp, "g1", change) == "B"
    assert winner_with(inp, "g1", round(change + 0.01, 2)) == "A"


def test_a_group_of_weight_zero_can_be_raised():
    # The price group (weight 0): A earns 9 of 10 (10 × 90/100), B 10. Raising it to x:
    # A = 0.9x + 0.8(100 − x) = 80 + 0.1x, B = x + 0.7(100 − x) = 70 + 0.3x: equal (85) at
    # x = 50. One step earlier, at 49.99, A 84.999 and B 84.997 both round to 85.00 and B's
    # lower bid wins; at 49.98, B's 84.994 rounds to 84.99.
    inp = two_group_input((10, 5), (5, 10), weights=(60, 40), amounts={"A": 100, "B": 90})
    assert analyse(evaluate(inp)).weights["price"] == WeightFlip("price", 0.0, 49.99, "B")
    assert winner_with(inp, "price", "49.98") == "A"


def test_a_vendor_ahead_in_every_group_cannot_be_overtaken_by_any_weight():
    inp = two_group_input((9, 9), (5, 5))
    sensitivity = analyse(evaluate(inp))
    assert sensitivity.weights == {"g1": None, "g2": None}
    assert sensitivity.margin == 40.0


def test_a_flip_that_would_need_a_weight_outside_0_to_100_is_none():
    # A: 10 and 8, B: 5 and 7.5. With g1 at x: A = 80 + 0.2x, B = 75 − 0.25x; the lines
    # cross at x = −11.1 (g2 at 111.1): outside 0–100, so no break-even for either group.
    inp = two_group_input((10, 8), (5, 7.5))
    sensitivity = analyse(evaluate(inp))
    assert sensitivity.weights == {"g1": None, "g2": None}
    assert winner_with(inp, "g1", -50) == "A"
    assert winner_with(inp, "g2", 50) == "A"


def test_one_vendor_has_no_margin_and_no_break_even():
    inp = make_input(
        template(group("g1", 100, crit("a", "scale", 10))), [Entry("e1", "A", "a", Decimal(3))]
    )
    sensitivity = analyse(evaluate(inp))
    assert (sensitivity.margin, sensitivity.runner_up, sensitivity.weights) == (
        None,
        None,
        {"g1": None},
    )
    assert sensitivity.without_bidder == {"A": None}
    assert sensitivity.without_evaluator == {"e1": "A"}


def test_a_group_holding_all_the_weight_has_no_break_even():
    inp = two_group_input((10, 0), (5, 10), weights=(100, 0))
    sensitivity = analyse(evaluate(inp))
    assert sensitivity.weights["g1"] is None
    # g2 from 0 to x: A = 100 − x, B = 50 + 0.5x, equal at x = 33.33.. -> 33.34 (A 66.66,
    # B 66.67); at 33.33, A 66.67 and B 66.665 -> 66.67 tie, A wins by name.
    assert sensitivity.weights["g2"] == WeightFlip("g2", 0.0, 33.34, "B")


def test_a_cell_only_the_left_out_evaluator_scored_keeps_its_points():
    # e2 alone scored B on `b`; leaving e2 out keeps that cell (nobody else can stand in).
    entries = [
        Entry("e1", "A", "a", Decimal(6)),
        Entry("e2", "A", "a", Decimal(10)),
        Entry("e1", "A", "b", Decimal(6)),
        Entry("e1", "B", "a", Decimal(7)),
        Entry("e2", "B", "b", Decimal(9)),
    ]
    inp = make_input(
        template(group("g1", 50, crit("a", "scale", 10)), group("g2", 50, crit("b", "scale", 10))),
        entries,
    )
    run = analyse(evaluate(inp)).evaluator_runs["e2"]
    # A: a 6 (e1 only now), b 6 -> 60; B: a 7, b 9 (kept) -> 80.
    assert run.ranking == ("B", "A")
    assert run.totals == {"A": Decimal("60.00"), "B": Decimal("80.00")}


def test_the_what_if_weights_are_normalised_to_100():
    assert normalised_weights({"a": 1, "b": 3}) == {"a": Decimal(25), "b": Decimal(75)}
    assert normalised_weights({"a": 0, "b": 0}) == {"a": Decimal(0), "b": Decimal(0)}
    with pytest.raises(ValueError, match="negative"):
        normalised_weights({"a": -1, "b": 3})


# --- properties -------------------------------------------------------------------------------

STEP = Decimal("0.01")


@st.composite
def tenders(draw: st.DrawFn, *, gates: bool = False) -> EvaluationInput:
    """Small random tenders: 2–4 vendors, 2–3 weighted groups of scale items (one may be a
    price_ratio or price_rank group), 1–5 evaluators who each score part of the sheet."""
    vendors = tuple(f"V{i}" for i in range(draw(st.integers(2, 4))))
    evaluators = [f"e{i}" for i in range(draw(st.integers(1, 5)))]
    n_groups = draw(st.integers(2, 3))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n_groups - 1, max_size=n_groups - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    price_kind = draw(st.sampled_from([None, "price_ratio", "price_rank"]))
    groups, scored = [], []
    for index, weight in enumerate(weights):
        if index == 0 and price_kind is not None:
            price = (
                crit("price", price_kind, 10, tiers=(10, 7, 4))
                if price_kind == "price_rank"
                else crit("price", "price_ratio", 10)
            )
            groups.append(group("g0", weight, price))
            continue
        items = [crit(f"c{index}{k}", "scale", 10) for k in range(draw(st.integers(1, 2)))]
        scored += [c.id for c in items]
        groups.append(group(f"g{index}", weight, *items))
    if gates:
        groups.append(group("qualification", 0, crit("licence", "gate", 0)))
    entries = []
    halves = st.integers(0, 20).map(lambda n: Decimal(n) / 2)
    for vendor in vendors:
        for cid in scored + (["licence"] if gates else []):
            scorers = draw(st.lists(st.sampled_from(evaluators), min_size=1, unique=True))
            for evaluator in scorers:
                if cid == "licence":
                    value = draw(st.sampled_from(["pass", "pass", "fail"]))
                else:
                    value = draw(halves)
                entries.append(Entry(evaluator, vendor, cid, value))
    amounts = st.integers(1, 50).map(lambda n: Decimal(n * 1000))
    bid_rows = tuple(Bid(v, "price", draw(amounts), "CNY") for v in vendors)
    consensus = ()
    if scored and draw(st.booleans()):
        consensus = (Consensus(vendors[0], scored[0], draw(halves), "agreed"),)
    method = draw(st.sampled_from(["mean", "trimmed", "median"]))
    return make_input(
        template(*groups),
        entries,
        vendors=vendors,
        bids=bid_rows if price_kind else (),
        consensus=consensus,
        method=method,
    )


@settings(max_examples=150, deadline=None)
@given(tenders(), st.data())
def test_the_break_even_changes_the_winner_and_no_smaller_change_does(inp, data):
    result = evaluate(inp)
    winner = result.winner
    sensitivity = analyse(result)
    assert weight_flips(result) == sensitivity.weights  # what the "what if" page reads alone
    for g in inp.template.groups:
        flip = sensitivity.weights[g.id]
        if flip is None:
            # No multiple of 0.01 within 0–100 flips the winner: try both ends and one between.
            room_down, room_up = int(g.weight / STEP), int((100 - g.weight) / STEP)
            between = data.draw(st.integers(-room_down, room_up))
            for steps in {-room_down, room_up, between}:
                assert winner_with(inp, g.id, steps * STEP) == winner
            continue
        change = Decimal(str(flip.change))
        assert 0 <= g.weight + change <= 100
        assert flip.new_winner != winner
        assert winner_with(inp, g.id, change) == flip.new_winner
        steps = int(abs(change) / STEP)
        sign = 1 if change > 0 else -1
        smaller = data.draw(st.integers(0, steps - 1))
        for k in {steps - 1, smaller}:
            assert winner_with(inp, g.id, sign * k * STEP) == winner
        # An increase is reported only when the same decrease does not flip the winner.
        if change > 0 and g.weight - change >= 0:
            assert winner_with(inp, g.id, -change) == winner


def without_evaluator(inp: EvaluationInput, evaluator: str) -> EvaluationInput:
    """The input with the evaluator's entries left out, except on cells nobody else scored."""
    scorers: dict[tuple[str, str], set[str]] = {}
    for e in inp.entries:
        scorers.setdefault((e.vendor, e.criterion), set()).add(e.evaluator)
    entries = tuple(
        e
        for e in inp.entries
        if e.evaluator != evaluator or scorers[(e.vendor, e.criterion)] == {evaluator}
    )
    return replace(inp, entries=entries)


def without_bidder(inp: EvaluationInput, vendor: str) -> EvaluationInput:
    return replace(
        inp,
        vendors=tuple(v for v in inp.vendors if v != vendor),
        entries=tuple(e for e in inp.entries if e.vendor != vendor),
        bids=tuple(b for b in inp.bids if b.vendor != vendor),
        consensus=tuple(c for c in inp.consensus if c.vendor != vendor),
    )


def standings(result):
    return [(r.vendor, r.total) for r in result.ranking]


@settings(max_examples=150, deadline=None)
@given(tenders(gates=True))
def test_leaving_one_evaluator_out_ranks_as_scoring_without_them_does(inp):
    result = evaluate(inp)
    sensitivity = analyse(result)
    runs = sensitivity.evaluator_runs
    assert set(runs) == {e.evaluator for e in inp.entries}
    for evaluator, run in runs.items():
        again = evaluate(without_evaluator(inp, evaluator))
        assert [(v, run.totals[v]) for v in run.ranking] == standings(again)
        assert sensitivity.without_evaluator[evaluator] == again.winner


@settings(max_examples=150, deadline=None)
@given(tenders(gates=True))
def test_leaving_one_bidder_out_ranks_as_scoring_without_them_does(inp):
    result = evaluate(inp)
    runs = analyse(result).bidder_runs
    assert set(runs) == {r.vendor for r in result.ranking}
    for vendor, run in runs.items():
        again = evaluate(without_bidder(inp, vendor))
        assert [(v, run.totals[v]) for v in run.ranking] == standings(again)
        before = [r.vendor for r in result.ranking]
        for ahead, behind in run.reversed_pairs:
            assert before.index(ahead) < before.index(behind)
            assert run.ranking.index(ahead) > run.ranking.index(behind)
