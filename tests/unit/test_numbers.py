"""The one rounding and formatting (selector/scoring/numbers.py): half-up, once, at the end."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from selector.scoring import numbers


def half_up(value: Fraction, places: int = 2) -> Decimal:
    """Exact arithmetic: `value` rounded half-up (away from zero) to `places` decimals."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    return Decimal(whole if value >= 0 else -whole).scaleb(-places)


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (0.125, "0.13"),  # exactly a tie in binary too: half-even would give 0.12
        (98.125, "98.13"),
        (2.675, "2.68"),  # 2.67499999999999982236431605997495353221893310546875 as a float
        (1.005, "1.01"),
        (79.99499999999999, "80.00"),  # float noise below 1e-9 is settled first
        (79.994999, "79.99"),
        (-0.005, "-0.01"),  # a tie goes away from zero
        (-0.001, "0.00"),  # never a negative zero
        (Decimal("1234.565"), "1234.57"),
        (Decimal("1234.5649999999999"), "1234.56"),  # a Decimal is exact: nothing to settle
        (5, "5.00"),
    ],
)
def test_rounding_is_half_up_after_settling_float_noise(value, rounded):
    assert str(numbers.round_decimal(value)) == rounded
    assert numbers.round_number(value) == float(rounded)


def test_other_places_round_by_the_same_rule():
    assert numbers.round_decimal(0.00005, 4) == Decimal("0.0001")
    assert numbers.round_decimal(2.5, 0) == Decimal(3)
    assert numbers.round_decimal(0.54325, 4) == Decimal("0.5433")


def test_infinities_and_nan_come_back_as_they_are():
    assert numbers.round_decimal(math.inf) == Decimal("Infinity")
    assert math.isnan(numbers.round_number(math.nan))


# --- the fast paths agree with the decimal rule ------------------------------------------------

TIE_OFFSETS = [0.0, 1e-13, -1e-13, 4e-10, -4e-10, 6e-10, -6e-10, 1e-8, -1e-8, 3e-8, -3e-8]


@st.composite
def near_ties(draw: st.DrawFn, places: int = 2) -> float:
    """A float at, or a hair from, a tie of `places` decimals."""
    whole = draw(st.integers(-(10**6), 10**6))
    return (whole + 0.5) / 10**places + draw(st.sampled_from(TIE_OFFSETS))


floats = st.floats(-1e6, 1e6) | near_ties() | st.floats(-1e300, 1e300)


@given(floats | st.floats(allow_nan=False), st.integers(0, 4))
@example(0.0000499996, 4)
@example(1e4 - 0.005, 2)
@example(-0.0, 2)
def test_the_float_rounding_agrees_with_the_decimal_rule(value, places):
    assert numbers.round_number(value, places) == float(numbers.round_decimal(value, places))


@given(st.lists(floats, max_size=40), st.integers(0, 4))
@example([0.125, 98.125, 79.99499999999999, -0.005, 1e4 - 0.005, 2.675, 1e300, -0.0], 2)
@example([0.0000499996, 0.54325], 4)
def test_the_rounding_of_an_array_agrees_with_the_scalar_rule(values, places):
    rounded = numbers.round_array(np.array(values, dtype=float), places).tolist()
    assert rounded == [float(numbers.round_decimal(v, places)) for v in values]
    assert rounded == [numbers.round_number(v, places) for v in values]


def test_the_rounding_of_an_array_keeps_its_shape_and_leaves_it_unchanged():
    totals = np.array([[0.125, 1.0], [2.675, 98.125]])
    assert numbers.round_array(totals).tolist() == [[0.13, 1.0], [2.68, 98.13]]
    assert numbers.round_array(totals.T).tolist() == [[0.13, 2.68], [1.0, 98.13]]
    assert totals.tolist() == [[0.125, 1.0], [2.675, 98.125]]


# --- float sums round as exact arithmetic does ------------------------------------------------

simple_fractions = st.builds(
    Fraction,
    st.integers(0, 10_000),
    st.sampled_from([1, 2, 3, 4, 5, 6, 8, 10, 20, 25, 40, 100, 400, 1000]),
)


@given(st.lists(simple_fractions, min_size=1, max_size=8))
@example([Fraction(98125, 1000)])
@example([Fraction(1, 3), Fraction(1, 6), Fraction(5, 1000)])
def test_a_float_sum_of_simple_fractions_rounds_as_exact_arithmetic_does(terms):
    as_floats = math.fsum(t.numerator / t.denominator for t in terms)
    naive = sum(t.numerator / t.denominator for t in terms)
    exact = half_up(sum(terms, Fraction(0)))
    assert numbers.round_decimal(as_floats) == exact
    assert numbers.round_decimal(naive) == exact
    assert numbers.round_number(naive) == float(exact)


@given(st.lists(st.tuples(simple_fractions, st.integers(1, 100), st.integers(1, 100)),
                min_size=1, max_size=6))
def test_weighted_group_scores_round_as_exact_arithmetic_does(groups):
    """Each group scores weight × earned / max in floats (as the engine computes it)."""
    total = sum(float(w) * (e.numerator / e.denominator) / float(m) for e, w, m in groups)
    exact = sum((w * e / m for e, w, m in groups), Fraction(0))
    assert numbers.round_decimal(total) == half_up(exact)
    assert numbers.round_array(np.array([total]))[0] == float(half_up(exact))


# --- text --------------------------------------------------------------------------------------


def test_points_have_two_decimals_half_up():
    assert numbers.points(98.125) == "98.13"
    assert numbers.points(40) == "40.00"
    assert numbers.points(Decimal("79.995")) == "80.00"
    assert numbers.points(58.125, 4) == "58.1250"


def test_a_figure_drops_trailing_zeros_after_rounding():
    assert [numbers.figure(v) for v in (4.5, 2.0, 1 / 3, 98.125, -0.001, Decimal("98.10"))] == [
        "4.5", "2", "0.33", "98.13", "0", "98.1"
    ]


def test_money_has_thousands_separators_and_rounds_half_up():
    assert numbers.money(Decimal("1234.565")) == "1,234.57"
    assert numbers.money(Decimal("1234567.5")) == "1,234,567.50"
    assert numbers.money("980.1") == "980.10"


def test_a_plain_number_is_exact_without_trailing_zeros_or_exponent():
    assert numbers.plain(Decimal("7.1000")) == "7.1"
    assert numbers.plain(Decimal("1E+2")) == "100"
    assert numbers.plain(Decimal("-0.0")) == "0"
    assert numbers.plain(Decimal("7.123456")) == "7.123456"  # never rounded
    assert numbers.plain(0.1) == "0.1"
    assert numbers.plain(12) == "12"


def test_percent_and_signed_changes():
    assert numbers.percent(0.4) == "40%"
    assert numbers.percent(Decimal("0.123456")) == "12.35%"
    assert numbers.percent(0.000125) == "0.01%"
    assert numbers.signed(0.345) == "+0.35"
    assert numbers.signed(-1.2) == "-1.20"
    assert numbers.signed(-0.001) == "+0.00"


def test_a_json_number_is_an_int_where_it_is_integral():
    assert numbers.json_number(Decimal("5.0")) == 5
    assert isinstance(numbers.json_number(Decimal("5.0")), int)
    assert numbers.json_number(Decimal("0.5")) == 0.5
