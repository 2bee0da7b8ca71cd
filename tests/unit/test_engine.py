"""The scoring contract of docs/contract.md, one rule at a time, with the seed's test vectors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from selector.scoring import rules
from selector.scoring.engine import evaluate
from selector.scoring.model import Band, Bid, Consensus, Entry, ScoringError, Text
from selector.scoring.numbers import round_decimal
from selector.scoring.serialize import fingerprint, result_to_json
from tests.unit.builders import bids, crit, grade_levels, group, make_input, template

SEED_BANDS = (
    Band("excellent", Decimal(85), Text("优秀", "Excellent")),
    Band("good", Decimal(70), Text("良好", "Good")),
    Band("pass", Decimal(60), Text("合格", "Pass")),
    Band("fail", Decimal(0), Text("不合格", "Fail")),
)


def test_seed_weighted_total_is_79_and_in_the_good_band():
    tmpl = template(
        group("a", 40, crit("a1", "scale", 100, step=1)),
        group("b", 30, crit("b1", "scale", 100, step=1)),
        group("c", 20, crit("c1", "scale", 100, step=1)),
        group("d", 10, crit("d1", "scale", 100, step=1)),
        bands=SEED_BANDS,
    )
    entries = [
        Entry("e1", "V", c, Decimal(v)) for c, v in [("a1", 80), ("b1", 70), ("c1", 85), ("d1", 90)]
    ]
    result = evaluate(make_input(tmpl, entries))
    (only,) = result.ranking
    assert only.total == Decimal("79.00")
    assert only.band is not None and only.band.key == "good"


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ({"A": 100, "B": 120, "C": 150}, {"A": 5, "B": 4, "C": 3}),
        ({"A": 100, "B": 100, "C": 150}, {"A": 5, "B": 5, "C": 3}),
        ({"A": 100, "B": 150}, {"A": 5, "B": 3}),
        ({"A": 100}, {"A": 5}),
        ({"A": 100, "B": 110, "C": 120, "D": 150}, {"A": 5, "B": 4, "C": 4, "D": 3}),
        ({"A": 100, "B": 100}, {"A": 5, "B": 5}),
    ],
)
def test_price_rank_follows_the_seed_licence_fee_vectors(amounts, expected):
    tiers = (Decimal(5), Decimal(4), Decimal(3))
    points = rules.price_rank_points({v: Decimal(a) for v, a in amounts.items()}, tiers)
    assert points == {v: Decimal(p) for v, p in expected.items()}


def _tiered_tender(values, method="mean", **fields):
    tmpl = template(group("g", 100, crit("c", "tiered", 5)))
    entries = [Entry(f"e{i}", "V", "c", v) for i, v in enumerate(values)]
    return make_input(tmpl, entries, method=method, **fields)


def test_tiered_full_partial_none_by_three_evaluators_averages_to_2_67():
    result = evaluate(_tiered_tender(["full", "partial", "none"]))
    assert result.points("V", "c") == pytest.approx(8 / 3)
    assert result_to_json(result)["points"]["V"]["c"] == 2.67
    assert result.cells[("V", "c")].inputs == {"e0": 5.0, "e1": 3.0, "e2": 0.0}


def test_tiered_partial_uses_the_criterion_partial_points():
    tmpl = template(group("g", 100, crit("c", "tiered", 10, partial=6)))
    result = evaluate(make_input(tmpl, [Entry("e", "V", "c", "partial")]))
    assert result.points("V", "c") == 6.0
    assert result.ranking[0].total == Decimal("60.00")


def test_binary_can_provide_gives_full_points_else_zero():
    tmpl = template(group("g", 100, crit("c", "binary", 2)))
    result = evaluate(
        make_input(
            tmpl,
            [
                Entry("e1", "V", "c", "yes"),
                Entry("e2", "V", "c", "no"),
                Entry("e1", "W", "c", "yes"),
            ],
        )
    )
    assert result.points("V", "c") == 1.0
    assert result.points("W", "c") == 2.0


def test_scale_points_are_the_number_entered():
    tmpl = template(group("g", 100, crit("c", "scale", 5, step=0.5)))
    result = evaluate(
        make_input(
            tmpl, [Entry("e1", "V", "c", Decimal("3.5")), Entry("e2", "V", "c", Decimal("4.5"))]
        )
    )
    assert result.points("V", "c") == 4.0


def test_grade_points_are_the_level_points():
    levels = grade_levels(("excellent", 10), ("good", 8), ("fair", 6), ("poor", 2))
    tmpl = template(group("g", 100, crit("c", "grade", 10, levels=levels)))
    result = evaluate(
        make_input(tmpl, [Entry("e1", "V", "c", "good"), Entry("e2", "V", "c", "poor")])
    )
    assert result.points("V", "c") == 5.0


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        (["full", "full", "partial", "none", "none"], "mean", 13 / 5),
        (["full", "full", "partial", "none", "none"], "median", 3.0),
        # trimmed drops one 5 and one 0: (5 + 3 + 0) / 3
        (["full", "full", "partial", "none", "none"], "trimmed", 8 / 3),
        # fewer than 5 evaluators: trimmed is the mean
        (["full", "partial", "none", "none"], "trimmed", 8 / 4),
        (["full", "partial", "none", "none"], "median", 1.5),
    ],
)
def test_aggregation_methods(values, method, expected):
    result = evaluate(_tiered_tender(values, method=method))
    assert result.points("V", "c") == pytest.approx(expected)


def test_consensus_overrides_the_aggregate_and_is_kept_on_the_cell():
    inp = _tiered_tender(
        ["none", "none", "none"], consensus=(Consensus("V", "c", "full", "seen in demo"),)
    )
    cell = evaluate(inp).cells[("V", "c")]
    assert cell.aggregate == 0.0
    assert cell.points == 5.0
    assert cell.consensus is not None and cell.consensus.reason == "seen in demo"


def _gated_tender(gate_values: dict[str, list[str]], consensus=(), prices=None):
    tmpl = template(
        group("q", 0, crit("licence_ok", "gate", 0)),
        group("f", 60, crit("c", "tiered", 5)),
        group("p", 40, crit("fee", "price_rank", 5, tiers=(5, 4, 3))),
    )
    entries = []
    for vendor, values in gate_values.items():
        for i, value in enumerate(values):
            entries.append(Entry(f"e{i}", vendor, "licence_ok", value))
            entries.append(Entry(f"e{i}", vendor, "c", "full"))
    prices = prices or {v: 100 + 10 * i for i, v in enumerate(gate_values)}
    return make_input(tmpl, entries, bids=bids("fee", **prices), consensus=tuple(consensus))


def test_gate_fails_a_vendor_only_on_a_strict_majority():
    result = evaluate(
        _gated_tender(
            {"A": ["fail", "fail", "pass", "pass"], "B": ["fail", "fail", "fail", "pass", "pass"]}
        )
    )
    assert [r.vendor for r in result.ranking] == ["A"]
    (out,) = result.disqualified
    assert (out.vendor, out.criterion, out.fails, out.of) == ("B", "licence_ok", 3, 5)
    assert result.vendors["B"].rank is None and result.vendors["B"].total is None


def test_gate_consensus_decides_instead_of_the_majority():
    inp = _gated_tender(
        {"A": ["fail", "fail", "fail"], "B": ["pass", "pass", "pass"]},
        consensus=[
            Consensus("A", "licence_ok", "pass", "licence re-checked"),
            Consensus("B", "licence_ok", "fail", "licence expired"),
        ],
    )
    result = evaluate(inp)
    assert [r.vendor for r in result.ranking] == ["A"]
    assert (
        result.disqualified[0].by_consensus and result.disqualified[0].reason == "licence expired"
    )


def test_disqualified_vendor_is_left_out_of_the_price_benchmark():
    # C bids lowest but is disqualified: A (lowest of those left) gets 5 points, not 4.
    inp = _gated_tender(
        {"A": ["pass"] * 3, "B": ["pass"] * 3, "C": ["fail"] * 3},
        prices={"A": 100, "B": 150, "C": 50},
    )
    result = evaluate(inp)
    assert result.points("A", "fee") == 5.0
    assert result.points("B", "fee") == 3.0
    assert ("C", "fee") not in result.cells


def test_disqualified_vendor_needs_no_bid():
    tmpl = template(
        group("q", 0, crit("ok", "gate", 0)), group("p", 100, crit("fee", "price_ratio", 10))
    )
    inp = make_input(
        tmpl, [Entry("e", "A", "ok", "pass"), Entry("e", "B", "ok", "fail")], bids=bids("fee", A=10)
    )
    result = evaluate(inp)
    assert [r.vendor for r in result.ranking] == ["A"]


def test_price_ratio_gives_max_times_lowest_over_amount():
    tmpl = template(group("p", 100, crit("cost", "price_ratio", 40)))
    inp = make_input(tmpl, [], bids=bids("cost", A=100, B=80, C=50))
    result = evaluate(inp)
    assert result.points("C", "cost") == 40.0
    assert result.points("B", "cost") == pytest.approx(25.0)
    assert result.points("A", "cost") == pytest.approx(20.0)


def test_bids_are_converted_to_the_base_currency_before_ranking():
    tmpl = template(group("p", 100, crit("fee", "price_rank", 5, tiers=(5, 4, 3))))
    inp = make_input(
        tmpl,
        [],
        bids=(Bid("A", "fee", Decimal(100), "USD"), Bid("B", "fee", Decimal(650), "CNY")),
        rates={"USD": Decimal("7.1")},
    )
    result = evaluate(inp)
    # 100 USD = 710 CNY > 650 CNY: B is the lower bid.
    assert result.points("B", "fee") == 5.0
    assert result.vendors["A"].bid_total == Decimal("710.00")


def test_equal_totals_rank_the_lower_bid_first_and_equal_bids_share_a_rank():
    tmpl = template(
        group("f", 60, crit("c", "tiered", 5)), group("p", 40, crit("fee", "price_ratio", 40))
    )
    entries = [Entry("e", v, "c", "full") for v in "ABCD"]
    # identical scores; price points equal only when amounts equal: give all the same fee
    inp = make_input(tmpl, entries, bids=bids("fee", A=100, B=100, C=100, D=100))
    result = evaluate(inp)
    assert [(r.rank, r.vendor) for r in result.ranking] == [(1, "A"), (1, "B"), (1, "C"), (1, "D")]


def test_rank_tie_break_by_total_bid_then_shared_rank_1_1_3():
    tmpl = template(
        group("f", 90, crit("c", "tiered", 5)),
        group("p", 10, crit("fee", "price_rank", 5, tiers=(5, 5, 5))),
        group("x", 0, crit("ok", "gate", 0)),
    )
    entries = [Entry("e", v, "c", "full") for v in "ABCD"]
    # every fee earns 5 (flat tiers), so totals tie; bid totals decide: A=B < D < C
    inp = make_input(
        tmpl,
        entries + [Entry("e", v, "ok", "pass") for v in "ABCD"],
        bids=bids("fee", B=100, A=100, C=300, D=200),
    )
    result = evaluate(inp)
    assert [(r.rank, r.vendor) for r in result.ranking] == [(1, "A"), (1, "B"), (3, "D"), (4, "C")]


def test_total_is_rounded_half_up_once_at_the_end():
    # two groups of 50 scoring 1 of 3 points: 16.666… each, 33.333… in all -> 33.33
    # (rounding each group first would give 16.67 + 16.67 = 33.34)
    tmpl = template(
        group("a", 50, crit("a1", "scale", 3, step=1)),
        group("b", 50, crit("b1", "scale", 3, step=1)),
    )
    entries = [Entry("e", "V", "a1", Decimal(1)), Entry("e", "V", "b1", Decimal(1))]
    assert evaluate(make_input(tmpl, entries)).ranking[0].total == Decimal("33.33")


def test_round_total_is_half_up_not_bankers():
    assert round_decimal(0.625) == Decimal("0.63")
    assert round_decimal(2.675) == Decimal("2.68")  # 2.675 is 2.67499999… as a float
    # float noise far below 1e-9 is settled first: this is 79.995 computed inexactly
    assert round_decimal(79.99499999999999) == Decimal("80.00")
    assert round_decimal(79.994999) == Decimal("79.99")


def test_a_total_on_a_half_cent_rounds_up_not_to_even():
    tmpl = template(group("a", 100, crit("a1", "scale", 100, step=0.01)))
    entries = [Entry("e1", "V", "a1", Decimal("89.12")), Entry("e2", "V", "a1", Decimal("89.13"))]
    result = evaluate(make_input(tmpl, entries))
    assert result.ranking[0].total_exact == 89.125  # a tie even in binary: round() gives 89.12
    assert result.ranking[0].total == Decimal("89.13")


def test_band_is_the_highest_min_not_above_the_total():
    tmpl = template(group("a", 100, crit("a1", "scale", 100, step=1)), bands=SEED_BANDS)
    for value, band in [(85, "excellent"), (84, "good"), (70, "good"), (69, "pass"), (59, "fail")]:
        result = evaluate(make_input(tmpl, [Entry("e", "V", "a1", Decimal(value))]))
        assert result.ranking[0].band.key == band


# --- errors --------------------------------------------------------------------------------


def _problems(inp) -> str:
    with pytest.raises(ScoringError) as caught:
        evaluate(inp)
    return "\n".join(caught.value.problems)


def test_a_cell_nobody_scored_is_an_error_naming_vendor_and_criterion():
    tmpl = template(group("g", 100, crit("c", "tiered", 5), crit("d", "tiered", 5)))
    message = _problems(make_input(tmpl, [Entry("e", "V", "c", "full")]))
    assert "vendor 'V'" in message and "criterion 'd'" in message


def test_unknown_criterion_and_bad_value_and_duplicate_are_reported_together():
    tmpl = template(group("g", 100, crit("c", "tiered", 5)))
    message = _problems(
        make_input(
            tmpl,
            [
                Entry("e1", "V", "c", "full"),
                Entry("e1", "V", "c", "none"),
                Entry("e2", "V", "nope", "full"),
                Entry("e3", "V", "c", "excellent"),
            ],
        )
    )
    assert "unknown criterion 'nope'" in message
    assert "criterion 'c': value 'excellent': not a value of this criterion" in message
    assert "more than once" in message


def test_missing_bid_unknown_currency_and_non_positive_amount_are_errors():
    tmpl = template(
        group(
            "p",
            100,
            crit("fee", "price_rank", 5, tiers=(5, 4, 3)),
            crit("fee2", "price_rank", 5, tiers=(5, 4, 3)),
        )
    )
    inp = make_input(
        tmpl,
        [],
        bids=(
            Bid("A", "fee", Decimal(1), "XYZ"),
            Bid("A", "fee2", Decimal(-3), "CNY"),
            Bid("B", "fee", Decimal(0), "CNY"),
        ),
    )
    message = _problems(inp)
    assert "no exchange rate for currency 'XYZ'" in message
    assert "amount -3 must be a positive number" in message
    assert "amount 0 must be a positive number" in message
    assert "vendor 'B' has no bid for price criterion 'fee2'" in message


def test_scale_value_out_of_range_is_an_error():
    tmpl = template(group("g", 100, crit("c", "scale", 5)))
    assert "out of range" in _problems(make_input(tmpl, [Entry("e", "V", "c", Decimal(6))]))


def test_comment_is_required_below_the_top_only():
    tiered = crit("c", "tiered", 5)
    assert not rules.comment_required(tiered, "full")
    assert rules.comment_required(tiered, "partial") and rules.comment_required(tiered, "none")
    grade = crit("g", "grade", 10, levels=grade_levels(("excellent", 10), ("good", 8)))
    assert not rules.comment_required(grade, "excellent")
    assert rules.comment_required(grade, "good")
    assert rules.comment_required(crit("q", "gate", 0), "fail")


def test_fingerprint_ignores_row_order_and_number_spelling():
    tmpl = template(group("g", 100, crit("c", "scale", 5)))
    one = make_input(tmpl, [Entry("a", "V", "c", Decimal("4")), Entry("b", "V", "c", Decimal("3"))])
    two = make_input(
        tmpl, [Entry("b", "V", "c", Decimal("3.0")), Entry("a", "V", "c", Decimal("4.00"))]
    )
    three = make_input(
        tmpl, [Entry("b", "V", "c", Decimal("3.5")), Entry("a", "V", "c", Decimal("4"))]
    )
    assert fingerprint(one) == fingerprint(two) != fingerprint(three)


def test_the_fast_canonical_json_is_exactly_json_dumps_of_the_canonical_input():
    import json

    from selector.scoring.serialize import canonical_input, canonical_json

    tmpl = template(group("g", 100, crit("c", "scale", 5), crit("t", "tiered", 5)))
    names = ["A", "A!", "A B", 'quote"d', "back\\slash", "tab\tnew\nline", "评委一", "Ω", ""]
    entries = [
        Entry(name, vendor, "c", value)
        for name in names
        for vendor, value in (("V", Decimal("4.50")), ('V"2', 3), ("V 3", 2.5))
    ] + [Entry(name, "V", "t", "partial") for name in names[:3]]
    inp = make_input(tmpl, list(reversed(entries)))
    expected = json.dumps(canonical_input(inp), ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(inp) == expected
    empty = make_input(tmpl, [])
    assert canonical_json(empty) == json.dumps(
        canonical_input(empty), ensure_ascii=False, separators=(",", ":")
    )
