"""Benchmark of the scoring core and of the whole `selector score` process.

    .venv/bin/python bench/bench_engine.py [--repeat 7] [--skip-largest]

Synthetic tenders of V vendors × C criteria × E evaluators (every evaluator scores every
cell; tiered, binary, scale and grade criteria in five groups of 12%, and a 40% price group of
two components). It measures, and prints as a Markdown table for bench/RESULTS.md:

- `evaluate` in-process — the scoring rules alone (median of --repeat runs; goal for 75,000
  entries: ≤ 150 ms) — and `evaluate` then `decision_checks` (flags and sensitivity, as
  `selector score --json` computes them);
- the whole `selector score --json` process on the CSVs, side by side in the same run with a
  bare pandas script that only reads the same CSVs and averages and weights them (goal: ours
  ≤ 1.5× the baseline), each run alternating so that both see the same machine state;
- peak memory (max RSS) of both processes and of the in-process evaluation, and the CPU
  time of both processes (`selector score` loads its template in a second process);
- time per entry, to show that time grows no faster than linearly.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from selector.files.readers import load_evaluation_input
from selector.scoring.checks import decision_checks
from selector.scoring.engine import evaluate

SIZES = [(5, 30, 5), (50, 100, 15), (200, 200, 30)]
KINDS = ["tiered", "binary", "scale", "grade"]
VALUES = {
    "tiered": ["full", "partial", "none"],
    "binary": ["yes", "no"],
    "scale": ["0", "1.5", "2.5", "4", "5"],
    "grade": ["excellent", "good", "fair", "poor"],
}
POINTS = {
    "tiered": {"full": 5, "partial": 3, "none": 0},
    "binary": {"yes": 5, "no": 0},
    "grade": {"excellent": 5, "good": 4, "fair": 2, "poor": 0},
}


def text(value: str) -> str:
    return f"{{zh: '{value}', en: '{value}'}}"


def write_tender(folder: Path, vendors: int, criteria: int, evaluators: int) -> dict[str, Path]:
    """Write template, bids and scores for one synthetic tender; returns their paths."""
    rnd = random.Random(vendors * 1_000_003 + criteria * 1009 + evaluators)
    groups: list[list[tuple[str, str]]] = [[] for _ in range(5)]
    for index in range(criteria):
        groups[index % 5].append((f"c{index}", KINDS[index % 4]))
    lines = ["id: synthetic", f"title: {text('Synthetic tender')}", "currency: CNY", "groups:"]
    for number, members in enumerate(groups):
        lines += [
            f"  - id: g{number}",
            f"    title: {text(f'Group {number}')}",
            "    weight: 12",
            "    criteria:",
        ]
        for cid, kind in members:
            extra = ""
            if kind == "grade":
                levels = ", ".join(
                    f"{{key: {k}, points: {p}, label: {text(k)}}}"
                    for k, p in POINTS["grade"].items()
                )
                extra = f", levels: [{levels}]"
            elif kind == "scale":
                extra = ", step: 0.5"
            lines.append(f"      - {{id: {cid}, kind: {kind}, max: 5, title: {text(cid)}{extra}}}")
    lines += [
        "  - id: price",
        f"    title: {text('Price')}",
        "    weight: 40",
        "    criteria:",
        f"      - {{id: licence, kind: price_rank, tiers: [5, 4, 3], title: {text('L')}}}",
        f"      - {{id: services, kind: price_ratio, max: 5, title: {text('S')}}}",
    ]
    paths = {
        name: folder / f"{name}.{ext}"
        for name, ext in [("criteria", "yaml"), ("bids", "csv"), ("scores", "csv")]
    }
    paths["criteria"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    names = [f"Vendor {v:03d}" for v in range(vendors)]
    with paths["bids"].open("w", encoding="utf-8") as out:
        out.write("vendor,component,amount,currency\n")
        for name in names:
            for component in ("licence", "services"):
                out.write(f"{name},{component},{rnd.randint(100, 900) * 1000}.00,CNY\n")
    with paths["scores"].open("w", encoding="utf-8") as out:
        out.write("evaluator,vendor,criterion,value,comment\n")
        for name in names:
            for index in range(criteria):
                options = VALUES[KINDS[index % 4]]
                # A panel mostly agrees: each cell has a level that 80% of evaluators give,
                # the others one level off.
                level = rnd.randrange(len(options))
                for evaluator in range(evaluators):
                    pick = level
                    if rnd.random() < 0.2:
                        pick = min(len(options) - 1, max(0, level + rnd.choice((-1, 1))))
                    out.write(f"evaluator{evaluator},{name},c{index},{options[pick]},\n")
    return paths


BASELINE = """
import sys
import pandas as pd
scores = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
bids = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
points = {"full": 5, "partial": 3, "none": 0, "yes": 5, "no": 0,
          "excellent": 5, "good": 4, "fair": 2, "poor": 0}
numbers = pd.to_numeric(scores["value"], errors="coerce")
scores["points"] = scores["value"].map(points).fillna(numbers)
cells = scores.groupby(["vendor", "criterion"])["points"].mean().reset_index()
cells["group"] = cells["criterion"].str[1:].astype(int) % 5
by_group = cells.groupby(["vendor", "group"])["points"]
per_group = by_group.sum() / by_group.count() / 5 * 12
totals = per_group.groupby("vendor").sum().sort_values(ascending=False)
bids["amount"] = bids["amount"].astype(float)
print(totals.head(3).to_string(), bids.groupby("vendor")["amount"].sum().min())
"""


def run_process(argv: list[str]) -> tuple[float, int, float]:
    """Wall time (s), peak RSS (KiB) and CPU time (s, user + system, with the processes it
    started and waited for) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"{argv[:3]} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_size(size: tuple[int, int, int], repeat: int, folder: Path) -> dict[str, object]:
    vendors, criteria, evaluators = size
    paths = write_tender(folder, vendors, criteria, evaluators)
    inp = load_evaluation_input(paths["criteria"], paths["bids"], paths["scores"])
    entries = len(inp.entries)

    in_process, with_checks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        evaluate(inp)
        in_process.append(time.perf_counter() - start)
    for _ in range(max(1, repeat // 2)):
        start = time.perf_counter()
        decision_checks(evaluate(inp))
        with_checks.append(time.perf_counter() - start)
    tracemalloc.start()
    evaluate(inp)
    _, peak_in_process = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    selector = [
        str(Path(sys.executable).with_name("selector")),
        "score",
        "--criteria",
        str(paths["criteria"]),
        "--bids",
        str(paths["bids"]),
        "--scores",
        str(paths["scores"]),
        "--json",
    ]
    baseline_script = folder / "baseline.py"
    baseline_script.write_text(BASELINE, encoding="utf-8")
    baseline = [sys.executable, str(baseline_script), str(paths["scores"]), str(paths["bids"])]
    ours, theirs, ours_rss, theirs_rss, ours_cpu, theirs_cpu = [], [], 0, 0, [], []
    process_repeat = repeat if entries < 500_000 else max(3, repeat // 2)
    for _ in range(process_repeat):  # alternate, so both see the same machine state
        elapsed, rss, cpu = run_process(selector)
        ours.append(elapsed)
        ours_cpu.append(cpu)
        ours_rss = max(ours_rss, rss)
        elapsed, rss, cpu = run_process(baseline)
        theirs.append(elapsed)
        theirs_cpu.append(cpu)
        theirs_rss = max(theirs_rss, rss)
    return {
        "size": f"{vendors} × {criteria} × {evaluators}",
        "entries": entries,
        "evaluate_ms": median_ms(in_process),
        "evaluate_peak_mib": peak_in_process / 2**20,
        "checked_ms": median_ms(with_checks),
        "process_ms": median_ms(ours),
        "baseline_ms": median_ms(theirs),
        "ratio": statistics.median(ours) / statistics.median(theirs),
        "process_cpu_ms": median_ms(ours_cpu),
        "baseline_cpu_ms": median_ms(theirs_cpu),
        "process_rss_mib": ours_rss / 1024,
        "baseline_rss_mib": theirs_rss / 1024,
        "us_per_entry": median_ms(in_process) * 1000 / entries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-largest", action="store_true")
    args = parser.parse_args()
    sizes = SIZES[:-1] if args.skip_largest else SIZES
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp, "x".join(map(str, size)))
            folder.mkdir()
            print(f"benchmarking {size} …", file=sys.stderr, flush=True)
            rows.append(bench_size(size, args.repeat, folder))
    print(
        f"Machine: {platform.node()} — {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"date {time.strftime('%Y-%m-%d')}; median of {args.repeat} runs\n"
    )
    print(
        "| tender (V × C × E) | entries | scoring ms | µs/entry | scoring peak MiB "
        "| scoring + checks ms | `selector score` ms | bare pandas ms | ratio "
        "| score CPU ms | pandas CPU ms | score RSS MiB | pandas RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['size']} | {r['entries']:,} | {r['evaluate_ms']:.1f} | "
            f"{r['us_per_entry']:.2f} | {r['evaluate_peak_mib']:.1f} | "
            f"{r['checked_ms']:.0f} | {r['process_ms']:.0f} | {r['baseline_ms']:.0f} | "
            f"{r['ratio']:.2f} | {r['process_cpu_ms']:.0f} | {r['baseline_cpu_ms']:.0f} | "
            f"{r['process_rss_mib']:.0f} | {r['baseline_rss_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
