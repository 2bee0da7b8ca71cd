"""The Markdown table of a load run (`bench/load/run.sh`), with each page beside hello's."""

from __future__ import annotations

import json
import sys
from pathlib import Path

PAGES = {"hello": "minimal Flask hello", "sheet": "evaluator sheet page (GET)",
         "results": "results page, demo tender (GET)", "save": "sheet saves (POST, draft)"}


def main() -> None:
    runs = [json.loads(line) for line in Path(sys.argv[1]).read_text().splitlines() if line]
    database = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    by_label = {run["label"]: run for run in runs}
    print(f"| page ({database}) | connections | req/s | % of hello | p50 ms | p95 ms | p99 ms "
          "| errors (status / socket) | conflicts |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        mode, connections = run["label"].split()
        hello = by_label.get(f"hello {connections}")
        share = f"{100 * run['rps'] / hello['rps']:.1f} %" if hello else "—"
        print(f"| {PAGES[mode]} | {connections} | {run['rps']:.0f} | {share} | "
              f"{run['p50_ms']:.0f} | {run['p95_ms']:.0f} | {run['p99_ms']:.0f} | "
              f"{run['unexpected_status']} / {run['socket_errors']} | {run['conflicts']} |")


if __name__ == "__main__":
    main()
