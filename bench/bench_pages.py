"""Benchmark of the web pages, in-process (Flask's test client on a file SQLite database).

    .venv/bin/python bench/bench_pages.py [--repeat 9] [--vendors 50] [--evaluators 15]

Builds a tender of V vendors × the CRM template (`criteria/crm_selection.yaml`: 17
criteria the evaluators score, two of them gates, and eight price components) × E
evaluators through the services (`bench/page_tenders.py`), closes scoring, and times each
page: the first request (the results page then scores the tender) and the median of
--repeat later ones (the result of the same input is kept), wall and CPU time, the HTML's
size and the number of SQL statements.
Goal (issue 10): the results page of 50 vendors × 15 evaluators answers in ≤ 300 ms.
Prints a Markdown table for bench/RESULTS.md; `--profile PAGE` prints cProfile's top
functions of one warm request instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_tenders import PASSWORD, BuiltTender, build_tender  # noqa: E402
from sqlalchemy import event  # noqa: E402

from selector import create_app  # noqa: E402
from selector.store.db import get_database  # noqa: E402
from selector.store.models import Base  # noqa: E402


def make_app(folder: str) -> Any:
    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench-" * 8,
        "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "QUEUE_URL": "immediate",
        "REPORT_CACHE_DIR": folder, "RATELIMIT_ENABLED": False,
    })
    Base.metadata.create_all(get_database(app).engine)
    return app


def timed(client: Any, path: str) -> tuple[float, float, int, int]:
    """(wall ms, CPU ms, bytes, status) of one GET."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    data = response.get_data()
    return ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000,
            len(data), response.status_code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--evaluators", type=int, default=15)
    parser.add_argument("--profile", default="")
    parser.add_argument("--keep", default="", help="a folder to keep the database in (and "
                        "reuse: the tenders are built once)")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="selector-bench-pages-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    saved = Path(folder) / "tenders.json"
    app = make_app(folder)
    started = time.perf_counter()
    if args.keep and saved.exists():
        closed, opened = (BuiltTender(**t) for t in json.loads(saved.read_text()))
    else:
        closed = build_tender(app, vendors=args.vendors, evaluators=args.evaluators)
        opened = build_tender(app, vendors=args.vendors, evaluators=args.evaluators,
                              state="open", prefix="open")
        saved.write_text(json.dumps([asdict(closed), asdict(opened)]))
    built_s = time.perf_counter() - started
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(get_database(app).engine, "before_cursor_execute", count)
    chair = app.test_client()
    chair.post("/login", data={"username": closed.chair, "password": PASSWORD})
    ochair = app.test_client()
    ochair.post("/login", data={"username": opened.chair, "password": PASSWORD})
    evaluator = app.test_client()
    evaluator.post("/login", data={"username": opened.evaluators[0], "password": PASSWORD})
    first_vendor = next(iter(opened.vendors.values()))
    pages = [
        ("results page", chair, f"/tenders/{closed.id}/results"),
        ("a vendor's inputs", chair, f"/tenders/{closed.id}/results/inputs/1"),
        ("decisions page", chair, f"/tenders/{closed.id}/decisions"),
        ("API result", chair, f"/api/tenders/{closed.id}/result"),
        ("tender page (closed)", chair, f"/tenders/{closed.id}"),
        ("tender page, progress grid (open)", ochair, f"/tenders/{opened.id}"),
        ("evaluator workspace", evaluator, f"/tenders/{opened.id}/evaluate"),
        ("evaluator sheet", evaluator, f"/tenders/{opened.id}/evaluate/{first_vendor}"),
    ]
    if args.profile:
        _name, client, path = next(p for p in pages if p[0] == args.profile)
        client.get(path)
        profile = cProfile.Profile()
        profile.enable()
        client.get(path)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    criteria = closed.scored_criteria
    entries = args.vendors * criteria * args.evaluators
    print(f"`.venv/bin/python bench/bench_pages.py --repeat {args.repeat} --vendors "
          f"{args.vendors} --evaluators {args.evaluators}` — {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f}; tender "
          f"{args.vendors} vendors × {criteria} evaluator criteria × {args.evaluators} evaluators "
          f"({entries:,} entries) built in {built_s:.0f} s\n")
    print("| page | first request ms (CPU) | later requests: median ms | CPU ms | KiB | "
          "SQL statements |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, client, path in pages:
        statements[0] = 0
        first_wall, first_cpu, size, status = timed(client, path)
        assert status == 200, (name, status)
        queries = statements[0]
        runs = [timed(client, path) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| {name} | {first_wall:.0f} ({first_cpu:.0f}) | **{wall:.0f}** | {cpu:.0f} | "
              f"{size / 1024:.0f} | {queries} |")


if __name__ == "__main__":
    main()
