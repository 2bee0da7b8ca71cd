"""The previews' rounding in the browser (static/app.js) is the server's rounding."""

from __future__ import annotations

import random
from typing import Any

from selector.scoring.numbers import round_number

# Ties and near-ties that plain Math.round(x * 100) / 100 gets wrong, then random values.
TRICKY = [1.005, 0.125, 2.675, 98.125, 79.99499999999999, -0.001, -1.005, 0.0, 12345.675, 1e16]


def test_the_preview_rounds_half_up_as_numbers_does(live_server: str, browser: Any) -> None:
    rng = random.Random(20261202)
    values = TRICKY + [round(rng.uniform(-1000, 1000), rng.randint(0, 4)) for _ in range(400)]
    values += [rng.uniform(0, 100) for _ in range(200)]
    page = browser.new_page()
    try:
        page.goto(f"{live_server}/login")
        shown = page.evaluate(
            "values => values.map(v => window.Selector.roundHalfUp(v, 2))", values
        )
    finally:
        page.close()
    expected = [round_number(v, 2) for v in values]
    wrong = [(v, s, e) for v, s, e in zip(values, shown, expected, strict=True) if s != e]
    assert not wrong, wrong[:10]
