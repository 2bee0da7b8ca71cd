"""Benchmark of the decision checks: flags and sensitivity of a 50 × 100 × 15 tender.

    .venv/bin/python bench/bench_checks.py [--repeat 7] [--size 50x100x15]

Goal (issue 3): sensitivity and flags for the 50 vendors × 100 criteria × 15 evaluators
tender (75,000 entries) in ≤ 1 s in-process, i.e. `decision_checks` on a scored result.

Two synthetic tenders of the same shape as `bench_engine.py` (tiered, binary, scale and grade
criteria in five groups of 12%, a 40% price group of a `price_rank` and a `price_ratio`
component), built straight from the model:

- **panel**: each vendor has a true level per criterion and the evaluators mostly agree (one
  score in twenty a step off, one harsh evaluator a step lower on graded items) — a
  realistic number of flags;
- **uniform**: every value drawn at random, the worst case for divergence (tens of
  thousands of flags).

Each is checked under the three aggregation methods. Printed as a Markdown table for
bench/RESULTS.md: `evaluate` for reference, `decision_checks` (sensitivity and flags), the
sensitivity alone, and the rendering of every flag's sentences (done on first use).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal

from selector.scoring.checks import decision_checks
from selector.scoring.engine import evaluate
from selector.scoring.model import (
    Bid,
    Criterion,
    Entry,
    EvaluationInput,
    Group,
    Level,
    Template,
    Text,
)
from selector.scoring.sensitivity import analyse

KINDS = ["tiered", "binary", "scale", "grade"]
# The values of each kind, worst first, so that a "level" indexes them.
VALUES: dict[str, list[str | Decimal]] = {
    "tiered": ["none", "partial", "full"],
    "binary": ["no", "yes"],
    "scale": [Decimal(x) for x in ("0", "1.5", "2.5", "4", "5")],
    "grade": ["poor", "fair", "good", "excellent"],
}
GRADES = (("excellent", 5), ("good", 4), ("fair", 2), ("poor", 0))


def text(value: str) -> Text:
    return Text(zh=value, en=value)


def synthetic_template(criteria: int) -> Template:
    members: list[list[Criterion]] = [[] for _ in range(5)]
    for index in range(criteria):
        kind = KINDS[index % 4]
        extra: dict[str, object] = {}
        if kind == "grade":
            extra["levels"] = tuple(Level(k, Decimal(p), text(k)) for k, p in GRADES)
        elif kind == "scale":
            extra["step"] = Decimal("0.5")
        members[index % 5].append(
            Criterion(f"c{index}", kind, Decimal(5), text(f"c{index}"), **extra)  # type: ignore[arg-type]
        )
    groups = [
        Group(f"g{n}", text(f"Group {n}"), Decimal(12), tuple(m)) for n, m in enumerate(members)
    ]
    price = (
        Criterion(
            "licence",
            "price_rank",
            Decimal(5),
            text("Licence"),
            tiers=(Decimal(5), Decimal(4), Decimal(3)),
        ),
        Criterion("services", "price_ratio", Decimal(5), text("Services")),
    )
    groups.append(Group("price", text("Price"), Decimal(40), price))
    return Template("synthetic", text("Synthetic tender"), tuple(groups))


def synthetic_input(size: tuple[int, int, int], panel: bool, method: str) -> EvaluationInput:
    vendors, criteria, evaluators = size
    rnd = random.Random(vendors * 1_000_003 + criteria * 1009 + evaluators + panel)
    template = synthetic_template(criteria)
    names = tuple(f"Vendor {v:03d}" for v in range(vendors))
    entries = []
    for name in names:
        for index in range(criteria):
            options = VALUES[KINDS[index % 4]]
            truth = rnd.randrange(len(options))
            for evaluator in range(evaluators):
                if not panel:
                    level = rnd.randrange(len(options))
                else:
                    level = truth + (rnd.choice((-1, 1)) if rnd.random() < 0.05 else 0)
                    if evaluator == 0 and len(options) > 2:  # a harsh evaluator
                        level -= 1
                    level = min(max(level, 0), len(options) - 1)
                entries.append(Entry(f"evaluator{evaluator}", name, f"c{index}", options[level]))
    bids = tuple(
        Bid(name, component, Decimal(rnd.randint(100, 900) * 1000), "CNY")
        for name in names
        for component in ("licence", "services")
    )
    return EvaluationInput(template, names, tuple(entries), bids, method=method)  # type: ignore[arg-type]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(function, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    samples, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        samples.append(time.perf_counter() - start)
    return median_ms(samples), value


def bench(size: tuple[int, int, int], panel: bool, method: str, repeat: int) -> dict[str, object]:
    inp = synthetic_input(size, panel, method)
    plain = evaluate(inp)
    evaluate_ms, _ = timed(lambda: evaluate(inp), repeat)
    checks_ms, checked = timed(lambda: decision_checks(plain), repeat)
    sensitivity_ms, _ = timed(lambda: analyse(plain), repeat)
    flags = checked.flags  # type: ignore[attr-defined]
    start = time.perf_counter()
    for flag in flags:
        flag.message  # noqa: B018 - rendered on first use
    sentences_ms = (time.perf_counter() - start) * 1000
    kinds = {
        k: sum(1 for f in flags if f.kind == k)
        for k in ("divergence", "outlier_evaluator", "low_bid", "fragile")
    }
    return {
        "tender": "panel" if panel else "uniform",
        "method": method,
        "entries": len(inp.entries),
        "evaluate_ms": evaluate_ms,
        "checks_ms": checks_ms,
        "sensitivity_ms": sensitivity_ms,
        "sentences_ms": sentences_ms,
        "flags": len(flags),
        "kinds": kinds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--size", default="50x100x15")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    assert len(size) == 3
    print(
        f"Machine: {platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {sys.version.split()[0]} · {platform.system()}"
    )
    print(
        f"Date: {date.today().isoformat()} · median of {args.repeat} runs · "
        f"{size[0]} × {size[1]} × {size[2]}\n"
    )
    print(
        "| tender | method | entries | evaluate (no checks) | checks: sensitivity + flags "
        "| of which sensitivity | sentences of all flags | flags (div / outlier / low bid / "
        "fragile) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for panel in (True, False):
        for method in ("mean", "median", "trimmed"):
            row = bench(size, panel, method, args.repeat)  # type: ignore[arg-type]
            k = row["kinds"]
            assert isinstance(k, dict)
            print(
                f"| {row['tender']} | {method} | {row['entries']:,} | "
                f"{row['evaluate_ms']:.0f} ms | **{row['checks_ms']:.0f} ms** | "
                f"{row['sensitivity_ms']:.0f} ms | {row['sentences_ms']:.0f} ms | "
                f"{row['flags']:,} ({k['divergence']:,} / {k['outlier_evaluator']} / "
                f"{k['low_bid']} / {k['fragile']}) |"
            )


if __name__ == "__main__":
    main()
