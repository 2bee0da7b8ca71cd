"""Laws of the fast decision checks (issue 10), on random tenders (hypothesis):

- leaving one bidder out, worked out for all bidders at once from the price points alone,
  ranks exactly as scoring the tender again with that bidder removed does — with several
  price components of both kinds, equal amounts, tiers of one to four values, gates that
  disqualify some vendors;
- a divergent cell is decisive exactly when scoring the tender again with that cell's
  inputs all set to its lowest (or highest) evaluator's value changes who ranks first.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from selector.scoring.checks import decision_checks
from selector.scoring.engine import evaluate
from selector.scoring.model import Bid, Consensus, Entry, EvaluationInput
from selector.scoring.sensitivity import BidderRuns, analyse
from tests.unit.builders import crit, group, make_input, template


@st.composite
def priced_tenders(draw: st.DrawFn) -> EvaluationInput:
    """2–7 vendors, 1–3 price components (`price_rank` with 1–4 tiers, `price_ratio`) whose
    amounts come from a few values (so that bids are often equal), 1–3 scored criteria,
    1–4 evaluators, a gate now and then, a consensus value now and then."""
    vendors = tuple(f"V{i}" for i in range(draw(st.integers(2, 7))))
    evaluators = [f"e{i}" for i in range(draw(st.integers(1, 4)))]
    prices = []
    for k in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            tiers = draw(st.lists(st.integers(0, 10), min_size=1, max_size=4))
            tiers = sorted(tiers, reverse=True)
            prices.append(crit(f"p{k}", "price_rank", max(tiers), tiers=tuple(tiers)))
        else:
            prices.append(crit(f"p{k}", "price_ratio", draw(st.integers(1, 10))))
    scored = [crit(f"c{k}", "scale", 10) for k in range(draw(st.integers(1, 3)))]
    price_weight = draw(st.integers(0, 100))
    groups = [group("price", price_weight, *prices), group("quality", 100 - price_weight, *scored)]
    gated = draw(st.booleans())
    if gated:
        groups.append(group("qualification", 0, crit("licence", "gate", 0)))
    halves = st.integers(0, 20).map(lambda n: Decimal(n) / 2)
    entries = []
    for vendor in vendors:
        for c in scored:
            for evaluator in draw(st.lists(st.sampled_from(evaluators), min_size=1, unique=True)):
                entries.append(Entry(evaluator, vendor, c.id, draw(halves)))
        if gated:
            for evaluator in evaluators:
                vote = draw(st.sampled_from(["pass", "pass", "pass", "fail"]))
                entries.append(Entry(evaluator, vendor, "licence", vote))
    levels = draw(st.lists(st.integers(1, 9), min_size=1, max_size=4, unique=True))
    amounts = st.sampled_from(levels).map(lambda n: Decimal(n * 1000))
    bid_rows = tuple(Bid(v, p.id, draw(amounts), "CNY") for v in vendors for p in prices)
    consensus = ()
    if draw(st.booleans()):
        consensus = (Consensus(vendors[0], scored[0].id, draw(halves), "agreed"),)
    return make_input(
        template(*groups),
        entries,
        vendors=vendors,
        bids=bid_rows,
        consensus=consensus,
        method=draw(st.sampled_from(["mean", "trimmed", "median"])),
    )


def without_bidder(inp: EvaluationInput, vendor: str) -> EvaluationInput:
    """The tender as if `vendor` had never bid: its entries, bids and consensus gone."""
    return replace(
        inp,
        vendors=tuple(v for v in inp.vendors if v != vendor),
        entries=tuple(e for e in inp.entries if e.vendor != vendor),
        bids=tuple(b for b in inp.bids if b.vendor != vendor),
        consensus=tuple(c for c in inp.consensus if c.vendor != vendor),
    )


@settings(max_examples=300, deadline=None)
@given(priced_tenders())
def test_leaving_one_bidder_out_at_once_equals_scoring_again_without_that_bidder(inp):
    result = evaluate(inp)
    sensitivity = analyse(result)
    runs = sensitivity.bidder_runs
    assert isinstance(runs, BidderRuns)
    assert list(runs) == [r.vendor for r in result.ranking]
    before = [r.vendor for r in result.ranking]
    for vendor in before:
        again = evaluate(without_bidder(inp, vendor))
        # the winners read off all at once
        assert sensitivity.without_bidder[vendor] == again.winner, vendor
        # the whole ranking, made when read
        run = runs[vendor]
        assert run.left_out == vendor
        assert [(v, run.totals[v]) for v in run.ranking] == [
            (r.vendor, r.total) for r in again.ranking
        ]
        for ahead, behind in run.reversed_pairs:
            assert before.index(ahead) < before.index(behind)
            assert run.ranking.index(ahead) > run.ranking.index(behind)
    fragile = sensitivity.fragile_pairs
    for vendor, (old, new) in fragile.items():
        assert old == result.winner and new == evaluate(without_bidder(inp, vendor)).winner


@settings(max_examples=200, deadline=None)
@given(priced_tenders(), st.sampled_from([0.1, 0.2, 0.4]))
def test_a_divergent_cell_is_decisive_exactly_when_scoring_it_at_an_extreme_changes_the_winner(
    inp, threshold
):
    inp = replace(inp, divergence_threshold=threshold)
    result = evaluate(inp)
    flags = [f for f in decision_checks(result).flags if f.kind == "divergence"]
    for flag in flags:
        cell = result.cells[(flag.vendor, flag.criterion)]
        for key, extreme in (
            ("winner_if_low", min(cell.inputs.values())),
            ("winner_if_high", max(cell.inputs.values())),
        ):
            # every input of the cell set to that extreme: the cell's aggregate is it
            changed = tuple(
                e._replace(value=Decimal(str(extreme)))
                if (e.vendor, e.criterion) == (flag.vendor, flag.criterion)
                else e
                for e in inp.entries
            )
            winner = evaluate(replace(inp, entries=changed)).winner
            expected = None if winner == result.winner else winner
            assert flag.detail[key] == expected, (flag.id, key)
        assert flag.decisive == (
            flag.detail["winner_if_low"] is not None or flag.detail["winner_if_high"] is not None
        )
