"""Laws of the scoring rules, checked on random tenders (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from selector.scoring.engine import evaluate
from selector.scoring.model import Bid, Consensus, Entry, EvaluationInput
from tests.unit.builders import crit, grade_levels, group, template

TEMPLATE = template(
    group("q", 0, crit("ok", "gate", 0)),
    group(
        "t",
        30,
        crit("t1", "tiered", 5),
        crit("t2", "tiered", 10, partial=4),
        crit("b1", "binary", 2),
    ),
    group(
        "s",
        20,
        crit("s1", "scale", 5, step=0.5),
        crit(
            "g1",
            "grade",
            10,
            levels=grade_levels(("excellent", 10), ("good", 7), ("fair", 4), ("poor", 0)),
        ),
    ),
    group("p", 50, crit("fee", "price_rank", 5, tiers=(5, 4, 3)), crit("cost", "price_ratio", 20)),
)
VALUES = {
    "ok": ["pass", "pass", "pass", "fail"],
    "t1": ["full", "partial", "none"],
    "t2": ["full", "partial", "none"],
    "b1": ["yes", "no"],
    "s1": [Decimal(x) / 2 for x in range(11)],
    "g1": ["excellent", "good", "fair", "poor"],
}
# The order in which each criterion's values rise in points.
ASCENDING = {
    "t1": ["none", "partial", "full"],
    "t2": ["none", "partial", "full"],
    "b1": ["no", "yes"],
    "s1": VALUES["s1"],
    "g1": ["poor", "fair", "good", "excellent"],
}


@st.composite
def tenders(draw: st.DrawFn) -> EvaluationInput:
    vendors = tuple(f"V{i}" for i in range(draw(st.integers(1, 5))))
    evaluators = [f"e{i}" for i in range(draw(st.integers(1, 5)))]
    entries = []
    for vendor in vendors:
        for criterion, options in VALUES.items():
            scorers = draw(st.lists(st.sampled_from(evaluators), min_size=1, unique=True))
            for evaluator in scorers:
                entries.append(Entry(evaluator, vendor, criterion, draw(st.sampled_from(options))))
    amounts = st.integers(1, 50).map(lambda n: Decimal(n * 1000))
    bids = tuple(Bid(v, c, draw(amounts), "CNY") for v in vendors for c in ("fee", "cost"))
    method = draw(st.sampled_from(["mean", "trimmed", "median"]))
    return EvaluationInput(TEMPLATE, vendors, tuple(entries), bids, method=method)


def standings(result):
    return [(r.rank, r.vendor, r.total, r.bid_total) for r in result.ranking], [
        d.vendor for d in result.disqualified
    ]


@settings(max_examples=60, deadline=None)
@given(tenders(), st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_the_order_of_rows_vendors_or_evaluators(inp, rnd):
    entries = list(inp.entries)
    rnd.shuffle(entries)
    bids = list(inp.bids)
    rnd.shuffle(bids)
    vendors = list(inp.vendors)
    rnd.shuffle(vendors)
    names = sorted({e.evaluator for e in entries})
    renamed = dict(zip(names, rnd.sample(names, len(names)), strict=True))
    entries = [e._replace(evaluator=renamed[e.evaluator]) for e in entries]
    shuffled = replace(inp, entries=tuple(entries), bids=tuple(bids), vendors=tuple(vendors))
    assert standings(evaluate(shuffled))[0] == standings(evaluate(inp))[0]


@settings(max_examples=60, deadline=None)
@given(tenders(), st.data())
def test_raising_one_evaluator_score_never_lowers_that_vendors_total(inp, data):
    raisable = [i for i, e in enumerate(inp.entries) if e.criterion in ASCENDING]
    index = data.draw(st.sampled_from(raisable))
    entry = inp.entries[index]
    scale = ASCENDING[entry.criterion]
    higher = data.draw(st.sampled_from(scale[scale.index(entry.value) :]))
    entries = list(inp.entries)
    entries[index] = entry._replace(value=higher)
    before = evaluate(inp).vendors[entry.vendor]
    after = evaluate(replace(inp, entries=tuple(entries))).vendors[entry.vendor]
    assert after.total_exact >= before.total_exact - 1e-9


@settings(max_examples=60, deadline=None)
@given(tenders())
def test_totals_stay_within_0_and_100(inp):
    for vendor in evaluate(inp).ranking:
        assert Decimal(0) <= vendor.total <= Decimal(100)


@settings(max_examples=60, deadline=None)
@given(tenders(), st.integers(1, 1000))
def test_price_points_do_not_change_when_every_bid_is_scaled_alike(inp, factor):
    scaled = replace(inp, bids=tuple(replace(b, amount=b.amount * factor) for b in inp.bids))
    before, after = evaluate(inp), evaluate(scaled)
    for (vendor, criterion), cell in before.cells.items():
        if criterion in ("fee", "cost"):
            assert (
                after.cells[(vendor, criterion)].points == cell.points
                or abs(after.cells[(vendor, criterion)].points - cell.points) < 1e-9
            )


@settings(max_examples=60, deadline=None)
@given(tenders(), st.data())
def test_a_consensus_value_always_wins_over_the_aggregate(inp, data):
    vendor = data.draw(st.sampled_from(inp.vendors))
    criterion = data.draw(st.sampled_from(sorted(ASCENDING)))
    value = data.draw(st.sampled_from(VALUES[criterion]))
    agreed = replace(inp, consensus=(Consensus(vendor, criterion, value, "agreed"),))
    result = evaluate(agreed)
    expected = {
        "t1": {"full": 5, "partial": 3, "none": 0},
        "t2": {"full": 10, "partial": 4, "none": 0},
        "b1": {"yes": 2, "no": 0},
        "g1": {"excellent": 10, "good": 7, "fair": 4, "poor": 0},
    }
    points = float(value) if criterion == "s1" else expected[criterion][value]
    assert result.points(vendor, criterion) == points
