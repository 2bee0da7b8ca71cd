"""The one rounding and formatting of Selector's numbers (docs/contract.md §8).

The results page, the JSON of the API and of `selector score --json`, the command line's
table, the PDF, the workbook and the flags' sentences all round and write their numbers
here, so that they cannot disagree.

The rule: a number is rounded half-up — a tie goes away from zero: 0.125 -> 0.13,
2.675 -> 2.68, -0.005 -> -0.01 — once, at the end. The core keeps points as binary floats,
whose sums carry noise far below 1e-9 (79.995 may come out as 79.99499999999999), so a float
is first settled to 9 decimals: it then rounds as exact decimal arithmetic would. A `Decimal`
(an amount, a weight, a rate) is exact already and is rounded as it stands.

Pure and light: no numpy import (`round_array` takes the arrays the checks already hold), so
that the command line's `criteria check` and the web's filters load nothing they do not use.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Number = float | int | Decimal | str  # str: a figure kept as text in a flag's JSON detail

CENT = Decimal("0.01")
_SETTLE = Decimal("1e-9")
_WIDE = Context(prec=1000)  # room for every float's digits (the default 28 refuses 1e28)
_SETTLED_BELOW = 1e15  # a float this large has no digits left at 1e-9 to settle
# The float fast paths leave to `round_decimal` every value within a hair of a tie, and every
# value of 1e4 or more: the settling moves a value by 5e-10 at the most and the float error
# of scaling one below 1e4 is below 1e-12, both far inside the hair.
_HAIR = 1e-8
_FAST_BELOW = 1e4


def exact(value: Number) -> Decimal:
    """The decimal a number stands for: a float settled half-up to 9 decimals (its binary
    noise gone), a `Decimal`, an int or a numeric text as it is."""
    if isinstance(value, float):
        number = Decimal(repr(value))
        if abs(value) < _SETTLED_BELOW:
            return number.quantize(_SETTLE, ROUND_HALF_UP)
        return number
    return Decimal(value)


def round_decimal(value: Number, places: int = 2) -> Decimal:
    """`value` rounded half-up to `places` decimals after settling float noise (the rule of
    this module's docstring): 0.125 -> 0.13, 79.99499999999999 -> 80.00, -0.001 -> 0.00.

    Never a negative zero; an infinity or NaN comes back as it is."""
    number = exact(value)
    if not number.is_finite():
        return number
    rounded = number.quantize(_quantum(places), ROUND_HALF_UP, _WIDE)
    return rounded if rounded else rounded.copy_abs()


def round_number(value: Number, places: int = 2) -> float:
    """`round_decimal` as a float, for JSON and spreadsheet cells: 98.125 -> 98.13.

    A float is rounded in float arithmetic unless it lies within a hair of a tie, where the
    decimal rule decides; both give the same number (tested), the first far faster (a
    tender's flags hold tens of thousands of figures)."""
    if isinstance(value, float) and abs(value) < _FAST_BELOW:
        scale = 10.0**places
        if abs(abs(value) * scale % 1.0 - 0.5) > _HAIR * scale:
            return round(value, places) + 0.0  # + 0.0 turns -0.0 into 0.0
    return float(round_decimal(value, places))


def round_array(values: np.ndarray, places: int = 2) -> np.ndarray:
    """`round_number` for every float of a numpy array, as a new array: the totals of the
    sensitivity's weight grid, the figures of thousands of flags at once.

    The array arithmetic decides every value that is not within a hair of a tie; those few
    go through `round_decimal` one by one, so that the result agrees with it exactly."""
    scale = 10.0**places
    scaled = values * scale
    rounded: np.ndarray = scaled.round() / scale + 0.0  # the nearest; ties are redone below
    size = abs(values)
    fast = (size < _FAST_BELOW) & (abs(abs(scaled) % 1.0 - 0.5) > _HAIR * scale)
    slow = ~fast & (size < math.inf)  # NaN (a cell nobody scored) stays NaN
    for index in zip(*slow.nonzero(), strict=True):
        rounded[index] = float(round_decimal(float(values[index]), places))
    return rounded


# --- text -----------------------------------------------------------------------------------


def points(value: Number, places: int = 2) -> str:
    """A score with exactly `places` decimals, half-up: 98.125 -> "98.13", 40 -> "40.00"."""
    return f"{round_decimal(value, places):f}"


@lru_cache(maxsize=4096)
def figure(value: Number, places: int = 2) -> str:
    """A figure for a page or a sentence: half-up to at most `places` decimals, trailing
    zeros dropped: 4.5, 2, 0.33, 98.13.

    Cached: a tender's flags repeat the same few figures thousands of times."""
    return plain(round_decimal(value, places))


def plain(value: Number) -> str:
    """A number exactly as it stands, without trailing zeros or an exponent: 7.1000 -> "7.1",
    1E+2 -> "100", 0.50 -> "0.5", -0 -> "0" (a weight, a maximum, a rate; never rounded)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text


def money(amount: Number) -> str:
    """An amount with thousands separators and 2 decimals, half-up: 1234.565 -> "1,234.57"."""
    return f"{round_decimal(amount):,f}"


@lru_cache(maxsize=1024)
def percent(share: Number, places: int = 2) -> str:
    """A share as a percent, half-up to at most `places` decimals: 0.4 -> "40%",
    0.123456 -> "12.35%"."""
    return f"{figure(exact(share) * 100, places)}%"


def signed(value: Number, places: int = 2) -> str:
    """A change with its sign and exactly `places` decimals: 0.345 -> "+0.35", -1.2 -> "-1.20",
    0 -> "+0.00"."""
    return f"{round_decimal(value, places):+f}"


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an int where it is integral (5, not 5.0), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


@lru_cache(maxsize=16)
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)

