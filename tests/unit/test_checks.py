"""The flags of docs/contract.md §11, each worked out by hand: divergence, outlier evaluator,
abnormally low bid and fragile result (including the rank-reversal example of issue 3)."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

from selector.scoring.checks import DecisionChecks, Flag, decision_checks, flag_id
from selector.scoring.engine import evaluate
from selector.scoring.model import Consensus, Entry, Text
from selector.scoring.serialize import result_to_json
from tests.unit.builders import bids, crit, group, make_input, template


def checked(inp):
    """The result of `inp` and its decision checks."""
    result = evaluate(inp)
    return result, decision_checks(result)


def checks_of(inp) -> DecisionChecks:
    return decision_checks(evaluate(inp))


def by_kind(checks, kind):
    return [f for f in checks.flags if f.kind == kind]


def scale_entries(criterion, scores):
    """{evaluator: {vendor: points}} -> entries on one scale criterion."""
    return [
        Entry(evaluator, vendor, criterion, Decimal(str(points)))
        for evaluator, row in scores.items()
        for vendor, points in row.items()
    ]


# --- divergence -----------------------------------------------------------------------------
# One flag per cell (docs/contract.md §11): the spread of its evaluators' points, highest −
# lowest, strictly above the threshold × the criterion's max. These tests replace the ones
# of the per-evaluator rule (one flag per evaluator against the others' mean), which issue 10
# retired: a split vote on a cell is now one flag naming every input.


def mobile_template():
    mobile = replace(crit("mobile", "scale", 5, step="0.5"), title=Text("移动端", "Mobile"))
    return template(group("functional", 100, mobile))


def test_a_cell_whose_points_spread_beyond_the_threshold_raises_one_flag_naming_every_input():
    # 5, 4, 0, 4.5, 4.5 on a 5-point item: the spread 5 − 0 = 5 is above 40% of 5 = 2.
    scores = {"e1": 5, "e2": 4, "evaluator3": 0, "e4": 4.5, "e5": 4.5}
    entries = [Entry(e, "VendorA", "mobile", Decimal(str(p))) for e, p in scores.items()]
    checks = checks_of(make_input(mobile_template(), entries))

    [flag] = by_kind(checks, "divergence")
    assert flag.id == "divergence:VendorA:mobile:"
    assert (flag.vendor, flag.criterion, flag.evaluator) == ("VendorA", "mobile", None)
    assert flag.detail["points"] == {"e1": 5, "e2": 4, "e4": 4.5, "e5": 4.5, "evaluator3": 0}
    assert (flag.detail["low"], flag.detail["high"], flag.detail["spread"]) == (0, 5, 5)
    assert (flag.detail["threshold"], flag.detail["max"]) == (2, 5)
    assert flag.detail["aggregate"] == 3.6  # the mean, 18 / 5
    # a single vendor: nothing can change who ranks first
    assert flag.decisive is False and flag.detail["decisive"] is False
    assert flag.message.en == (
        "Divergent scores for VendorA on “Mobile”: e1 5, e2 4, e4 4.5, e5 4.5, evaluator3 0 "
        "of 5, a spread of 5 (threshold 2, 40% of the maximum). Counted at the lowest or the "
        "highest score, the winner stays the same."
    )
    assert flag.message.zh == (
        "VendorA 的「移动端」评分分歧：e1 5 分、e2 4 分、e4 4.5 分、e5 4.5 分、evaluator3 0 分"
        "（满分 5），最高与最低相差 5 分，超过阈值 2 分（满分的 40%）。"
        "无论按最低分还是最高分计，第一名都不变。"
    )


def test_a_spread_exactly_at_the_threshold_is_not_divergent_and_a_lower_threshold_flags_it():
    # 5 and 3 on a 5-point item: a spread of 2 = 40% of 5.
    entries = [Entry("e1", "A", "mobile", Decimal(5)), Entry("e2", "A", "mobile", Decimal(3))]
    assert by_kind(checks_of(make_input(mobile_template(), entries)), "divergence") == []

    stricter = checks_of(make_input(mobile_template(), entries, divergence_threshold=0.3))
    [flag] = by_kind(stricter, "divergence")
    assert flag.detail["points"] == {"e1": 5, "e2": 3}
    assert flag.detail["threshold"] == 1.5


def test_a_cell_with_one_evaluator_cannot_diverge():
    checks = checks_of(make_input(mobile_template(), [Entry("e1", "A", "mobile", Decimal(0))]))
    assert checks.flags == ()


def test_tiered_points_diverge_on_the_points_they_earn():
    # full, full, full, none on a tiered 5: 5, 5, 5 and 0 points, a spread of 5.
    tmpl = template(group("functional", 100, crit("lead_to_cash", "tiered", 5)))
    values = {"e1": "full", "e2": "full", "e3": "full", "e4": "none"}
    entries = [Entry(e, "A", "lead_to_cash", v) for e, v in values.items()]
    [flag] = by_kind(checks_of(make_input(tmpl, entries)), "divergence")
    assert flag.id == "divergence:A:lead_to_cash:"
    assert flag.detail["points"] == {"e1": 5, "e2": 5, "e3": 5, "e4": 0}


def test_a_divergent_cell_settled_by_consensus_is_still_flagged_says_so_and_is_not_decisive():
    entries = [Entry(e, v, "mobile", Decimal(5)) for e in ("e1", "e2", "e3") for v in "AB"]
    entries += [Entry("e4", "A", "mobile", Decimal(0)), Entry("e4", "B", "mobile", Decimal(5))]
    # B leads 5 to A's 4 (the consensus); counted at its highest (5), A would tie B on points
    # and win by name — but a consensus value decides the cell, so it is not decisive.
    inp = make_input(
        mobile_template(), entries, consensus=(Consensus("A", "mobile", Decimal(4), "agreed"),)
    )
    [flag] = by_kind(checks_of(inp), "divergence")
    assert flag.detail["consensus"] is True and flag.decisive is False
    assert "consensus value" in flag.message.en


def test_disqualified_vendors_raise_no_divergence_flags():
    tmpl = template(
        group("qualification", 0, crit("licence", "gate", 0)),
        group("functional", 100, crit("mobile", "scale", 5)),
    )
    entries = [
        *(Entry(e, "A", "licence", "pass") for e in ("e1", "e2", "e3", "e4")),
        *(Entry(e, "B", "licence", "fail") for e in ("e1", "e2", "e3", "e4")),
        *(
            Entry(e, v, "mobile", Decimal(p))
            for v in "AB"
            for e, p in (("e1", 5), ("e2", 5), ("e3", 5), ("e4", 0))
        ),
    ]
    checks = checks_of(make_input(tmpl, entries))
    assert [f.id for f in by_kind(checks, "divergence")] == ["divergence:A:mobile:"]


# --- decisive divergence ------------------------------------------------------------------


def two_item_template():
    # one group of 100 with two 10-point items: a point of either is worth 100 / 20 = 5
    return template(group("quality", 100, crit("fit", "scale", 10), crit("plan", "scale", 10)))


def cells(scores):
    """{(vendor, criterion): (e1's points, e2's points)} -> entries."""
    return [
        Entry(evaluator, vendor, criterion, Decimal(str(p)))
        for (vendor, criterion), pair in scores.items()
        for evaluator, p in zip(("e1", "e2"), pair, strict=True)
    ]


def test_a_split_vote_that_cannot_change_the_winner_is_divergent_but_not_decisive():
    # A: fit 10/10, plan 10/10 -> 100. B: fit 10/0 (mean 5, a spread of 10 > 4), plan 5/5
    # -> (5 + 5) × 5 = 50. At its highest, B's fit gives (10 + 5) × 5 = 75 < 100.
    entries = cells({("A", "fit"): (10, 10), ("A", "plan"): (10, 10),
                     ("B", "fit"): (10, 0), ("B", "plan"): (5, 5)})
    result, checks = checked(make_input(two_item_template(), entries))
    assert [r.total for r in result.ranking] == [Decimal(100), Decimal(50)]
    [flag] = by_kind(checks, "divergence")
    assert (flag.vendor, flag.criterion, flag.detail["points"]) == ("B", "fit", {"e1": 10, "e2": 0})
    assert flag.decisive is False
    assert (flag.detail["winner_if_low"], flag.detail["winner_if_high"]) == (None, None)


def test_a_split_vote_that_can_change_the_winner_is_decisive_either_way_it_is_read():
    # A: fit 10/10, plan 10/2 (mean 6) -> (10 + 6) × 5 = 80.
    # B: fit 10/2 (mean 6), plan 9/9 -> (6 + 9) × 5 = 75.
    # A's plan at its lowest (2): (10 + 2) × 5 = 60 < 75, B ranks first; at its highest A wins.
    # B's fit at its highest (10): (10 + 9) × 5 = 95 > 80, B ranks first; at its lowest it loses.
    entries = cells({("A", "fit"): (10, 10), ("A", "plan"): (10, 2),
                     ("B", "fit"): (10, 2), ("B", "plan"): (9, 9)})
    result, checks = checked(make_input(two_item_template(), entries))
    assert [(r.vendor, r.total) for r in result.ranking] == [("A", 80), ("B", 75)]
    a_plan, b_fit = by_kind(checks, "divergence")
    assert (a_plan.vendor, a_plan.criterion, b_fit.vendor, b_fit.criterion) == (
        "A", "plan", "B", "fit")
    assert a_plan.decisive and b_fit.decisive
    assert (a_plan.detail["winner_if_low"], a_plan.detail["winner_if_high"]) == ("B", None)
    assert (b_fit.detail["winner_if_low"], b_fit.detail["winner_if_high"]) == (None, "B")
    assert b_fit.message.en.endswith(
        "Counted at the highest score (10), B would rank first instead of A.")
    assert "若该项按最高分（10 分）计，第一名将由 A 变为 B。" in b_fit.message.zh


def priced_tie_input(b_high, a_bid=125, b_bid=100):
    # quality 80 (fit, 10 points: 8 per point), price 20 (price_ratio of 10: 2 per point).
    tmpl = template(group("quality", 80, crit("fit", "scale", 10)),
                    group("price", 20, crit("cost", "price_ratio", 10)))
    entries = [Entry("e1", "A", "fit", Decimal(10)), Entry("e2", "A", "fit", Decimal(10)),
               Entry("e1", "B", "fit", Decimal(str(b_high))),
               Entry("e2", "B", "fit", Decimal("4.5"))]
    return make_input(tmpl, entries, bids=bids("cost", A=a_bid, B=b_bid))


def test_a_tie_at_the_highest_score_is_won_by_the_lower_total_bid_so_the_cell_is_decisive():
    # A: fit 10 -> 80, bid 125 -> 10 × 100 / 125 = 8 price points -> 16: total 96.
    # B: fit 9.5/4.5 (mean 7, spread 5 > 4) -> 56, bid 100 -> 20: total 76.
    # B's fit at its highest, 9.5: 76 + 20 = 96, equal to A's; B bids less and ranks first.
    inp = priced_tie_input(b_high="9.5")
    result, checks = checked(inp)
    assert [(r.vendor, r.total) for r in result.ranking] == [("A", 96), ("B", 76)]
    [flag] = by_kind(checks, "divergence")
    assert flag.detail["winner_if_high"] == "B" and flag.decisive
    # the same by scoring again with B's fit at its highest
    again = evaluate(replace(inp, entries=tuple(
        e._replace(value=Decimal("9.5")) if (e.vendor, e.criterion) == ("B", "fit") else e
        for e in inp.entries)))
    assert [(r.vendor, r.total) for r in again.ranking] == [("B", 96), ("A", 96)]


def test_the_same_tie_is_not_decisive_when_the_leader_bids_less():
    # Bids swapped: A bids 100 (price 20) and B 125 (16). A: 80 + 20 = 100. B at its highest
    # (9.5): 76 + 16 = 92 — short of A; and at 9.5 with equal totals A would keep it anyway.
    [flag] = by_kind(checks_of(priced_tie_input(b_high="9.5", a_bid=100, b_bid=125)),
                     "divergence")
    assert flag.decisive is False


def test_decisive_agrees_with_scoring_again_with_the_cell_at_its_lowest_and_highest():
    rng = random.Random(10)
    tmpl = template(
        group("quality", 60, crit("fit", "scale", 10), crit("plan", "tiered", 5)),
        group("service", 25, crit("sla", "scale", 5)),
        group("price", 15, crit("cost", "price_ratio", 15)),
    )
    kinds = {"fit": lambda: Decimal(rng.randint(0, 20)) / 2,
             "plan": lambda: rng.choice(["full", "partial", "none"]),
             "sla": lambda: Decimal(rng.randint(0, 10)) / 2}
    seen = {True: 0, False: 0}
    for method in ("mean", "median", "trimmed"):
        for _ in range(25):
            vendors = "ABCD"[: rng.randint(2, 4)]
            evaluators = [f"e{k}" for k in range(rng.randint(2, 5))]
            entries = [Entry(e, v, c, make()) for v in vendors for c, make in kinds.items()
                       for e in evaluators if e == "e0" or rng.random() < 0.9]
            amounts = {v: rng.choice([90, 100, 100, 110]) for v in vendors}
            inp = make_input(tmpl, entries, bids=bids("cost", **amounts), method=method,
                             divergence_threshold=0.2)
            result, checks = checked(inp)
            for flag in by_kind(checks, "divergence"):
                seen[flag.decisive] += 1
                cell = result.cells[(flag.vendor, flag.criterion)]
                key_of = (flag.vendor, flag.criterion)
                mine = [e for e in inp.entries if (e.vendor, e.criterion) == key_of]
                by_points = {cell.inputs[e.evaluator]: e.value for e in mine}
                for key, extreme in (("winner_if_low", min(cell.inputs.values())),
                                     ("winner_if_high", max(cell.inputs.values()))):
                    value = by_points[extreme]
                    changed = tuple(e._replace(value=value) if e in mine else e
                                    for e in inp.entries)
                    winner = evaluate(replace(inp, entries=changed)).winner
                    expected = None if winner == result.winner else winner
                    assert flag.detail[key] == expected, (method, flag.id, key)
    assert seen[True] >= 10 and seen[False] >= 10, seen


def test_a_divergence_flag_in_the_json_carries_vendor_criterion_points_and_decisive():
    entries = cells({("A", "fit"): (10, 10), ("A", "plan"): (10, 2),
                     ("B", "fit"): (10, 0), ("B", "plan"): (5, 5)})
    result = evaluate(make_input(two_item_template(), entries))
    payload = result_to_json(result, decision_checks(result))
    # Compact data (issue 10): what the rest of the JSON says (the aggregate is the cell's
    # points; lowest, highest and spread follow from the evaluators' points; the threshold from
    # the tender) is not repeated in each flag; a decisive cell names the new winner.
    assert [f for f in payload["flags"] if f["kind"] == "divergence"] == [
        {"id": "divergence:A:plan:", "kind": "divergence", "vendor": "A", "criterion": "plan",
         "evaluator": None, "points": {"e1": 10, "e2": 2}, "decisive": False, "detail": {}},
        {"id": "divergence:B:fit:", "kind": "divergence", "vendor": "B", "criterion": "fit",
         "evaluator": None, "points": {"e1": 10, "e2": 0}, "decisive": False, "detail": {}},
    ]
    assert payload["points"]["A"]["plan"] == 6 and payload["points"]["B"]["fit"] == 5
    assert all(isinstance(p, int) for f in payload["flags"] for p in f.get("points", {}).values())


def test_a_decisive_flag_in_the_json_names_the_winner_it_would_give():
    result, checks = checked(priced_tie_input(b_high="9.5"))
    [flag] = [f for f in result_to_json(result, checks)["flags"] if f["kind"] == "divergence"]
    assert flag["decisive"] is True
    assert flag["detail"] == {"winner_if_high": "B"}


# --- outlier evaluator ----------------------------------------------------------------------


def quality_template():
    return template(group("quality", 100, crit("q", "scale", 10)))


def test_an_evaluator_whose_total_is_far_from_the_panel_median_is_an_outlier():
    # Totals (out of 100): 80, 85, 75, 80, 20. Median 80; deviations 0, 5, 5, 0, 60 -> MAD 5.
    # z(e5) = 0.6745 × (20 − 80) / 5 = −8.09; z(e2) = 0.6745 × 5 / 5 = 0.67.
    scores = {"e1": 8, "e2": 8.5, "e3": 7.5, "e4": 8, "e5": 2}
    entries = [Entry(e, "A", "q", Decimal(str(p))) for e, p in scores.items()]
    checks = checks_of(make_input(quality_template(), entries))

    [flag] = by_kind(checks, "outlier_evaluator")
    assert flag.id == "outlier_evaluator:A::e5"
    assert flag.detail == {
        "total": 20.0,
        "scale": 100.0,
        "panel_median": 80.0,
        "mad": 5.0,
        "z": -8.09,
        "limit": 3.5,
        "evaluators": 5,
    }
    assert flag.message.en == (
        "e5's scores give A 20 of the 100 points the evaluators award; the median of the 5 "
        "evaluators is 80: a robust z-score of -8.09 (by median absolute deviation), "
        "beyond ±3.5."
    )
    assert "稳健 z 值 -8.09" in flag.message.zh


def test_three_evaluators_are_too_few_to_call_one_an_outlier():
    scores = {"e1": 8, "e2": 8, "e3": 1}
    entries = [Entry(e, "A", "q", Decimal(p)) for e, p in scores.items()]
    assert by_kind(checks_of(make_input(quality_template(), entries)), "outlier_evaluator") == []


def test_a_panel_in_full_agreement_flags_a_real_gap_but_not_a_small_one():
    # MAD is 0: it is taken as 1% of the 100 points. A 10-point gap: z = 0.6745 × 10 = 6.7;
    # a 5-point gap: z = 3.37, within 3.5.
    def flagged(last):
        scores = {"e1": 8, "e2": 8, "e3": 8, "e4": 8, "e5": last}
        entries = [Entry(e, "A", "q", Decimal(str(p))) for e, p in scores.items()]
        checks = checks_of(make_input(quality_template(), entries))
        return [(f.evaluator, f.detail["z"]) for f in by_kind(checks, "outlier_evaluator")]

    assert flagged(7) == [("e5", -6.75)]
    assert flagged(7.5) == []


def test_an_evaluator_who_scored_part_of_the_sheet_is_compared_on_what_they_scored():
    # Two 10-point items, weight 100: 5 points of total per item point. e5 scored only `a`
    # (1 of 10): their total is scaled to 1/10 × 100 = 10; the others give 16/20 -> 80.
    tmpl = template(group("quality", 100, crit("a", "scale", 10), crit("b", "scale", 10)))
    entries = [
        *(Entry(e, "A", c, Decimal(8)) for e in ("e1", "e2", "e3", "e4") for c in "ab"),
        Entry("e5", "A", "a", Decimal(1)),
    ]
    [flag] = by_kind(checks_of(make_input(tmpl, entries)), "outlier_evaluator")
    assert (flag.evaluator, flag.detail["total"], flag.detail["panel_median"]) == ("e5", 10, 80)


# --- abnormally low bid ---------------------------------------------------------------------


def priced_template():
    return template(
        group("qualification", 0, crit("licence", "gate", 0)),
        group("quality", 60, crit("q", "scale", 10)),
        group("price", 40, crit("cost", "price_ratio", 40)),
    )


def priced_input(amounts, failing=(), **fields):
    entries = [Entry("e1", v, "q", Decimal(5)) for v in amounts]
    entries += [Entry("e1", v, "licence", "fail" if v in failing else "pass") for v in amounts]
    return make_input(priced_template(), entries, bids=bids("cost", **amounts), **fields)


def test_a_bid_below_60_percent_of_the_median_is_abnormally_low():
    # Total bids 50, 90, 100, 110: median 95; 60% of it is 57; 50 is 52.63% of the median.
    # E (bid 10) is disqualified: neither flagged nor counted in the median.
    checks = checks_of(priced_input({"A": 100, "B": 90, "C": 50, "D": 110, "E": 10}, failing={"E"}))
    [flag] = by_kind(checks, "low_bid")
    assert flag.id == "low_bid:C::"
    assert flag.detail == {
        "bid_total": "50.00",
        "median": "95.00",
        "ratio": 0.5263,
        "threshold": 0.6,
        "currency": "CNY",
    }
    assert flag.message.en == (
        "C's total bid of 50.00 CNY is 52.63% of the median total bid (95.00 CNY), below the "
        "threshold of 60%."
    )
    assert flag.message.zh == (
        "C 的投标总价 50.00 CNY 仅为在评投标总价中位数（95.00 CNY）的 52.63%，"
        "低于 60% 的异常低价阈值。"
    )


def test_the_low_bid_threshold_is_the_tenders():
    amounts = {"A": 100, "B": 90, "C": 50, "D": 110}
    assert by_kind(checks_of(priced_input(amounts, low_bid_threshold=0.5)), "low_bid") == []
    # 57 is exactly 60% of 95: not below it.
    assert by_kind(checks_of(priced_input({**amounts, "C": 57})), "low_bid") == []


def test_a_sheet_without_price_criteria_has_no_low_bid_flags():
    entries = [Entry("e1", v, "q", Decimal(5)) for v in "AB"]
    assert by_kind(checks_of(make_input(quality_template(), entries)), "low_bid") == []


# --- fragile result -------------------------------------------------------------------------


def rank_reversal_input():
    """Issue 3: quality 60, 54 and 30 out of 60; bids 100, 80 and 50 under price_ratio 40."""
    tmpl = template(
        group("quality", 60, crit("quality", "scale", 60, step=1)),
        group("price", 40, crit("price", "price_ratio", 40)),
    )
    entries = [Entry("e1", v, "quality", Decimal(p)) for v, p in (("A", 60), ("B", 54), ("C", 30))]
    return make_input(tmpl, entries, bids=bids("price", A=100, B=80, C=50))


def test_the_rank_reversal_example_is_fragile_and_the_flag_names_a_b_and_bidder_c():
    result, checks = checked(rank_reversal_input())
    # With C, the lowest bid is 50: A 60 + 40×50/100 = 80, B 54 + 40×50/80 = 79, C 30 + 40.
    assert [(r.vendor, r.total) for r in result.ranking] == [
        ("A", Decimal("80.00")),
        ("B", Decimal("79.00")),
        ("C", Decimal("70.00")),
    ]
    # A and B alone: the lowest is 80: A 60 + 32 = 92, B 54 + 40 = 94.
    [flag] = by_kind(checks, "fragile")
    assert flag.id == "fragile:C::"
    assert flag.vendor == "C"
    assert flag.detail["left_out"] == "bidder"
    assert flag.detail["pair"] == ["A", "B"]
    assert (flag.detail["winner"], flag.detail["new_winner"]) == ("A", "B")
    assert flag.detail["totals"] == {"B": 94.0, "A": 92.0}
    assert flag.detail["reversed_pairs"] == [["A", "B"]]
    assert flag.message.en == (
        "Without C's bid, B would win instead of A (94 to 92): price points are relative to "
        "the other bids, so leaving C out reverses A and B."
    )
    assert flag.message.zh.startswith("若不计 C 的投标，第一名将由 A 变为 B（94 比 92）")


def test_leaving_out_the_runner_up_does_not_make_the_result_fragile():
    # Without B, A still leads C (lowest bid 50 either way); only C's absence flips the winner.
    checks = checks_of(rank_reversal_input())
    assert checks.sensitivity.without_bidder == {"A": "B", "B": "A", "C": "B"}
    assert [f.vendor for f in by_kind(checks, "fragile")] == ["C"]


def test_an_evaluator_whose_scores_decide_the_winner_makes_the_result_fragile():
    # e1, e2: A 6, B 8; e3: A 10, B 2. Means A 7.33, B 6: A wins 73.33 to 60.
    # Without e3: A 60, B 80. Without e1 (or e2): A 80, B 50.
    scores = {"e1": {"A": 6, "B": 8}, "e2": {"A": 6, "B": 8}, "e3": {"A": 10, "B": 2}}
    result, checks = checked(make_input(quality_template(), scale_entries("q", scores)))
    assert result.winner == "A"
    [flag] = by_kind(checks, "fragile")
    assert flag.id == "fragile:::e3"
    assert flag.evaluator == "e3" and flag.vendor is None
    assert flag.detail["totals"] == {"B": 80.0, "A": 60.0}
    assert flag.message.en == "Without e3's scores, B would win instead of A (80 to 60)."
    assert flag.message.zh == "若不计评委 e3 的评分，第一名将由 A 变为 B（80 比 60）。"
    assert checks.sensitivity.without_evaluator == {"e1": "A", "e2": "A", "e3": "B"}


def test_an_evaluator_whose_gate_vote_disqualifies_a_vendor_makes_the_result_fragile():
    # C fails the gate 2 of 3 and is out; without e1 it fails 1 of 2, not a majority, and
    # C, the best on quality, wins.
    tmpl = template(
        group("qualification", 0, crit("licence", "gate", 0)),
        group("quality", 100, crit("q", "scale", 10)),
    )
    entries = [
        *(
            Entry(e, v, "q", Decimal(p))
            for e in ("e1", "e2", "e3")
            for v, p in (("A", 7), ("B", 6), ("C", 9))
        ),
        *(Entry(e, v, "licence", "pass") for e in ("e1", "e2", "e3") for v in "AB"),
        Entry("e1", "C", "licence", "fail"),
        Entry("e2", "C", "licence", "fail"),
        Entry("e3", "C", "licence", "pass"),
    ]
    result, checks = checked(make_input(tmpl, entries))
    assert result.winner == "A" and [d.vendor for d in result.disqualified] == ["C"]
    assert checks.sensitivity.without_evaluator == {"e1": "C", "e2": "C", "e3": "A"}
    flags = by_kind(checks, "fragile")
    assert [f.id for f in flags] == ["fragile:::e1", "fragile:::e2"]
    assert flags[0].detail["requalified"] == ["C"]
    assert flags[0].message.en == (
        "Without e1's scores, C would win instead of A (90 to 70). Without their votes, a gate "
        "no longer disqualifies C."
    )
    assert flags[0].message.zh == (
        "若不计评委 e1 的评分，第一名将由 A 变为 C（90 比 70）。"
        "没有该评委的票，资格审查不再淘汰 C。"
    )


# --- the flags as a whole -------------------------------------------------------------------


def test_flag_ids_are_stable_and_escape_colons_in_names():
    assert flag_id("divergence", "VendorA", "mobile", "evaluator3") == (
        "divergence:VendorA:mobile:evaluator3"
    )
    assert flag_id("low_bid", "A:B", None, None) == "low_bid:A%3AB::"
    assert flag_id("low_bid", "A%3AB", None, None) == "low_bid:A%253AB::"


def test_the_same_input_gives_the_same_flags_in_the_same_order():
    scores = {"e1": 8, "e2": 8.5, "e3": 7.5, "e4": 8, "e5": 2}
    entries = [Entry(e, "A", "q", Decimal(str(p))) for e, p in scores.items()]
    first = checks_of(make_input(quality_template(), entries))
    again = checks_of(make_input(quality_template(), list(reversed(entries))))
    assert [f.id for f in first.flags] == [f.id for f in again.flags]
    assert [f.kind for f in first.flags] == ["outlier_evaluator", "divergence"]
    assert isinstance(first.flags[0], Flag) and hash(first.flags[0]) == hash(again.flags[0])


def test_a_result_carries_no_checks_and_its_json_alone_has_no_flags_and_no_sensitivity():
    result = evaluate(rank_reversal_input())
    assert not hasattr(result, "flags") and not hasattr(result, "sensitivity")
    payload = result_to_json(result)
    assert payload["flags"] == [] and payload["sensitivity"] is None


def test_the_json_gains_flags_and_sensitivity_in_the_shape_of_issue_3():
    result = evaluate(rank_reversal_input())
    payload = result_to_json(result, decision_checks(result))
    [flag] = payload["flags"]
    assert set(flag) >= {"id", "kind", "vendor", "criterion", "evaluator", "detail"}
    assert flag["kind"] == "fragile" and flag["vendor"] == "C" and flag["criterion"] is None
    # compact data: sentences are made where a page, the PDF or the CLI table shows them
    assert "message" not in flag
    sensitivity = payload["sensitivity"]
    assert sensitivity["margin"] == 1.0
    assert sensitivity["weights"]["quality"]["change"] == -4.44
    assert sensitivity["weights"]["quality"]["new_winner"] == "B"
    assert sensitivity["without_evaluator"] == {"e1": "A"}
    assert sensitivity["without_bidder"] == {"A": "B", "B": "A", "C": "B"}


def test_a_flags_sentence_names_evaluators_by_the_names_it_is_given_and_keeps_its_ids():
    entries = cells({("A", "fit"): (10, 10), ("A", "plan"): (10, 2),
                     ("B", "fit"): (10, 0), ("B", "plan"): (5, 5)})
    [flag, _] = by_kind(checks_of(make_input(two_item_template(), entries)), "divergence")
    named = flag.sentence({"e1": "Wang Fang", "e2": "Li Lei"})
    assert "Wang Fang 10, Li Lei 2 of 10" in named.en
    assert "Wang Fang 10 分、Li Lei 2 分" in named.zh
    assert flag.sentence() == flag.message and "e1 10, e2 2" in flag.message.en
    assert flag.id == "divergence:A:plan:" and set(flag.detail["points"]) == {"e1", "e2"}
