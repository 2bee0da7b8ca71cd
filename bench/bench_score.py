"""Benchmark of the whole `selector score --json` process on any shape (issue 10).

    .venv/bin/python bench/bench_score.py [--repeat 7] [--only main|entries|vendors]

Against a bare pandas script that reads the same CSV files, maps the values to points,
averages each cell over its evaluators and weights the groups (the mapping and the weights
handed to it as a small JSON file, so that it pays neither YAML nor our template loader).
Both run as processes, alternating in one loop; medians. Printed as Markdown for
bench/RESULTS.md:

- **main**: 75,000 entries on the CRM template (`criteria/crm_selection.yaml`: 15 evaluated
  criteria, 2 gates, 8 `price_rank` components) with 294 vendors × 15 evaluators, on two
  kinds of input: *panel* (each cell has a level that 80 % of the evaluators give, the
  others one level off — the project's own panel-like data) and *uniform* (every scored
  value and every amount drawn at random: the worst case for divergence flags; gate votes
  pass 95 % of the time, else most vendors would be disqualified). Goal: ratio ≤ 1.2 on
  each, the JSON ≤ 2 MB.
- **entries**: uniform inputs on the CRM template at 5,000 → 150,000 entries (vendors grow,
  15 evaluators): time linear in entries.
- **vendors**: uniform inputs at a fixed 75,000 entries, 15 evaluators and 8 price
  components, 5 → 300 vendors (a synthetic template whose criteria make up the rest:
  1,000 criteria for 5 vendors, 17 for 300): time at most linear in vendors.

Ours runs as a user's second run on the same template does: the template read back from the
folder where the command line keeps loaded templates (`selector/files/loaded.py`; a folder
of the benchmark's own, filled by the warm-up run). The *first run* column is ours loading
the template afresh (`SELECTOR_CACHE_DIR=`, nothing kept), in the same alternating loop.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRM = ROOT / "criteria" / "crm_selection.yaml"
PRICE = ["licence", "implementation", "dev_day_rate", "maintenance", "data_migration",
         "training", "integration", "hosting"]  # fmt: skip
VALUES = {"tiered": ["none", "partial", "full"], "binary": ["no", "yes"]}


def crm_shape() -> tuple[list[tuple[str, str, str]], dict[str, object]]:
    """The CRM template's criteria as (id, kind, group) and the baseline's mapping."""
    import yaml  # the bench only: the CRM template's shape

    data = yaml.safe_load(CRM.read_text(encoding="utf-8"))
    criteria, mapping = [], {}
    for group in data["groups"]:
        maximum = sum(c.get("max", 5) for c in group["criteria"] if c["kind"] != "gate")
        weight = group.get("weight", maximum)
        for c in group["criteria"]:
            criteria.append((c["id"], c["kind"], group["id"]))
            if c["kind"] in ("tiered", "binary"):
                top = c["max"]
                partial = c.get("partial", 3)
                points = (
                    {"full": top, "partial": partial, "none": 0}
                    if c["kind"] == "tiered"
                    else {"yes": top, "no": 0}
                )
                mapping[c["id"]] = {"factor": weight / maximum, "points": points}
    return criteria, mapping


def synthetic_shape(n_criteria: int) -> tuple[str, list[tuple[str, str, str]], dict[str, object]]:
    """A template of `n_criteria` tiered/binary criteria in 4 groups of 15 % and the CRM
    template's 8 price components (40 %): its YAML, its criteria and the baseline's map."""
    criteria, mapping = [], {}
    lines = ["id: shape", "title: {zh: 形状, en: Shape}", "currency: CNY", "groups:"]
    members: list[list[tuple[str, str]]] = [[] for _ in range(4)]
    for index in range(n_criteria):
        members[index % 4].append((f"c{index}", "tiered" if index % 2 == 0 else "binary"))
    for number, group in enumerate(members):
        maximum = sum(5 for _ in group)
        lines += [f"  - id: g{number}", f"    title: {{zh: 组{number}, en: G{number}}}",
                  "    weight: 15", "    criteria:"]  # fmt: skip
        for cid, kind in group:
            title = f"{{zh: {cid}, en: {cid}}}"
            lines.append(f"      - {{id: {cid}, kind: {kind}, max: 5, title: {title}}}")
            criteria.append((cid, kind, f"g{number}"))
            points = (
                {"full": 5, "partial": 3, "none": 0} if kind == "tiered" else {"yes": 5, "no": 0}
            )
            mapping[cid] = {"factor": 15 / maximum, "points": points}
    lines += ["  - id: price", "    title: {zh: 价格, en: Price}", "    weight: 40",
              "    criteria:"]  # fmt: skip
    for component in PRICE:
        lines.append(
            f"      - {{id: {component}, kind: price_rank, tiers: [5, 4, 3], "
            f"title: {{zh: {component}, en: {component}}}}}"
        )
        criteria.append((component, "price_rank", "price"))
    return "\n".join(lines) + "\n", criteria, mapping


def write_tender(
    folder: Path,
    criteria: list[tuple[str, str, str]],
    vendors: int,
    evaluators: int,
    uniform: bool,
    seed: int,
) -> dict[str, Path]:
    rnd = random.Random(seed)
    paths = {"bids": folder / "bids.csv", "scores": folder / "scores.csv"}
    names = [f"Vendor {v:03d}" for v in range(vendors)]
    with paths["bids"].open("w", encoding="utf-8") as out:
        out.write("vendor,component,amount,currency\n")
        base = {component: rnd.randint(100, 900) for component in PRICE}
        for name in names:
            for component in PRICE:
                if uniform:
                    amount = rnd.randint(10_000, 999_999)
                else:  # bids cluster around a market price
                    amount = int(base[component] * 1000 * rnd.uniform(0.8, 1.25))
                out.write(f"{name},{component},{amount}.00,CNY\n")
    with paths["scores"].open("w", encoding="utf-8") as out:
        out.write("evaluator,vendor,criterion,value,comment\n")
        for name in names:
            for cid, kind, _group in criteria:
                if kind == "price_rank":
                    continue
                if kind == "gate":
                    for e in range(evaluators):
                        value = "pass" if rnd.random() < 0.95 else "fail"
                        out.write(f"evaluator{e},{name},{cid},{value},\n")
                    continue
                options = VALUES[kind]
                level = rnd.randrange(len(options))
                for e in range(evaluators):
                    if uniform:
                        pick = rnd.randrange(len(options))
                    else:
                        pick = level
                        if rnd.random() < 0.2:
                            pick = min(len(options) - 1, max(0, level + rnd.choice((-1, 1))))
                    out.write(f"evaluator{e},{name},{cid},{options[pick]},\n")
    return paths


BASELINE = """
import json, sys
import pandas as pd
scores = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
bids = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
shape = json.load(open(sys.argv[3], encoding="utf-8"))
points = pd.Series({(c, v): p for c, m in shape.items() for v, p in m["points"].items()})
factor = pd.Series({c: m["factor"] for c, m in shape.items()})
scored = scores[scores["criterion"].isin(factor.index)]
keys = pd.MultiIndex.from_arrays([scored["criterion"], scored["value"]])
scored = scored.assign(points=points.reindex(keys).to_numpy())
cells = scored.groupby(["vendor", "criterion"])["points"].mean().reset_index()
cells["weighted"] = cells["points"] * cells["criterion"].map(factor)
totals = cells.groupby("vendor")["weighted"].sum().sort_values(ascending=False)
bids["amount"] = bids["amount"].astype(float)
print(totals.head(3).to_string(), bids.groupby("vendor")["amount"].sum().min())
"""


# Both processes run as deployed: with Python's bytecode cache. This VM's environment sets
# PYTHONDONTWRITEBYTECODE, which made every run of ours compile selector's 37 modules again
# (~0.1 s) while pandas read the .pyc files pip wrote at install; the warm-up run writes ours.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(argv: list[str], env: dict[str, str] = ENV) -> tuple[float, int, float]:
    """Wall time (s), the size of stdout (bytes) and the CPU time (s, user + system, with
    the processes it forked and waited for) of one child process. On a loaded machine the
    CPU time is the steadier figure (it does not count the time spent waiting for a core)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            error = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"{argv[:3]} failed: {error}")
        if process.stderr:
            process.stderr.close()
        size = out.tell()
    return elapsed, size, usage.ru_utime + usage.ru_stime


def bench(
    folder: Path,
    yaml_path: Path,
    criteria: list[tuple[str, str, str]],
    mapping: dict[str, object],
    vendors: int,
    evaluators: int,
    uniform: bool,
    repeat: int,
) -> dict[str, object]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_tender(folder, criteria, vendors, evaluators, uniform, seed=vendors * 31 + 7)
    shape = folder / "shape.json"
    shape.write_text(json.dumps(mapping), encoding="utf-8")
    script = folder / "baseline.py"
    script.write_text(BASELINE, encoding="utf-8")
    with paths["scores"].open(encoding="utf-8") as f:
        entries = sum(1 for _ in f) - 1
    ours = [str(Path(sys.executable).with_name("selector")), "score", "--criteria",
            str(yaml_path), "--bids", str(paths["bids"]), "--scores", str(paths["scores"]),
            "--json"]  # fmt: skip
    theirs = [sys.executable, str(script), str(paths["scores"]), str(paths["bids"]), str(shape)]
    kept = {**ENV, "SELECTOR_CACHE_DIR": str(folder / "kept")}
    first = {**ENV, "SELECTOR_CACHE_DIR": ""}
    mine, base, size, mine_cpu, base_cpu, cold = [], [], 0, [], [], []
    run_process(ours, kept), run_process(theirs)  # warm the page cache; keep the template
    for _ in range(repeat):
        elapsed, size, cpu = run_process(ours, kept)
        mine.append(elapsed)
        mine_cpu.append(cpu)
        elapsed, _, cpu = run_process(theirs)
        base.append(elapsed)
        base_cpu.append(cpu)
        cold.append(run_process(ours, first)[0])
    out = json.loads(subprocess.run(ours, capture_output=True, env=kept).stdout)
    kinds: dict[str, int] = {}
    decisive = 0
    for flag in out["flags"]:
        kinds[flag["kind"]] = kinds.get(flag["kind"], 0) + 1
        decisive += bool(flag.get("decisive"))
    return {
        "vendors": vendors,
        "criteria": len(criteria),
        "evaluators": evaluators,
        "entries": entries,
        "ours_ms": statistics.median(mine) * 1000,
        "base_ms": statistics.median(base) * 1000,
        "ratio": statistics.median(mine) / statistics.median(base),
        "cold_ms": statistics.median(cold) * 1000,
        "cold_ratio": statistics.median(cold) / statistics.median(base),
        "cpu_ratio": statistics.median(mine_cpu) / statistics.median(base_cpu),
        "ours_cpu_ms": statistics.median(mine_cpu) * 1000,
        "base_cpu_ms": statistics.median(base_cpu) * 1000,
        "json_mb": size / 1e6,
        "flags": len(out["flags"]),
        "divergence": kinds.get("divergence", 0),
        "decisive": decisive,
        "ranked": len(out["ranking"]),
    }


HEADER = (
    "| data | V × C × E | entries | `selector score --json` ms | bare pandas ms | ratio "
    "| CPU ms ours / pandas | CPU ratio | first run ms (ratio) | JSON MB "
    "| flags (divergence, decisive) | ranked |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
)


def row(label: str, r: dict[str, object]) -> str:
    return (
        f"| {label} | {r['vendors']} × {r['criteria']} × {r['evaluators']} | {r['entries']:,} "
        f"| {r['ours_ms']:.0f} | {r['base_ms']:.0f} | **{r['ratio']:.2f}** "
        f"| {r['ours_cpu_ms']:.0f} / {r['base_cpu_ms']:.0f} | {r['cpu_ratio']:.2f} "
        f"| {r['cold_ms']:.0f} ({r['cold_ratio']:.2f}) | {r['json_mb']:.2f} "
        f"| {r['flags']:,} ({r['divergence']:,}, {r['decisive']}) "
        f"| {r['ranked']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["main", "entries", "vendors"])
    args = parser.parse_args()
    crm_criteria, crm_mapping = crm_shape()
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}; date {time.strftime('%Y-%m-%d %H:%M')}; "
        f"medians of {args.repeat} alternating runs\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "main"):
            print(HEADER)
            for label, uniform in (("panel", False), ("uniform", True)):
                r = bench(Path(tmp, label), CRM, crm_criteria, crm_mapping, 294, 15, uniform,
                          args.repeat)  # fmt: skip
                print(row(label, r), flush=True)
            print()
        if args.only in (None, "entries"):
            print(HEADER)
            for vendors in (20, 98, 294, 588):
                r = bench(Path(tmp, f"e{vendors}"), CRM, crm_criteria, crm_mapping, vendors,
                          15, True, max(3, args.repeat // 2))  # fmt: skip
                print(row("uniform", r), flush=True)
            print()
        if args.only in (None, "vendors"):
            print(HEADER)
            for vendors in (5, 25, 100, 300):
                n = 75_000 // (15 * vendors)
                text, criteria, mapping = synthetic_shape(n)
                folder = Path(tmp, f"v{vendors}")
                folder.mkdir()
                yaml_path = folder / "criteria.yaml"
                yaml_path.write_text(text, encoding="utf-8")
                r = bench(folder, yaml_path, criteria, mapping, vendors, 15, True,
                          max(3, args.repeat // 2))  # fmt: skip
                print(row("uniform", r), flush=True)


if __name__ == "__main__":
    main()
