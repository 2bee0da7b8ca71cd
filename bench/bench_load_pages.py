"""The load run's pages in-process: CPU per request of the same GETs as `bench/load/run.sh`.

    .venv/bin/python bench/bench_load_pages.py [--repeat 200] [--keep DIR] [--profile PAGE]

Builds the load run's database (`bench/load/setup_db.py`: the demo tenders, and an open
tender of 5 vendors × the CRM template with 50 evaluators holding drafts) in a file SQLite
database, builds the app on the production settings (CSRF on, rate limits in memory),
logs the people in through the login form, and times each page through Flask's test
client: the median CPU ms of --repeat warm requests and the SQL statements of one.
Pages: a trivial logged-in request (`/`, a redirect: the fixed per-request cost), the
evaluator's sheet and the chair's results page of the closed demo tender (issue 12: on 2
cores, 10 % of hello is ≈ 2–2.5 ms CPU a sheet request, 5 % ≈ 5 ms a results request).
`--profile PAGE` (trivial, sheet, results) prints pyinstrument's tree (cProfile's top
functions when pyinstrument is not installed) of --repeat warm requests instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def build(folder: Path) -> dict[str, Any]:
    facts = folder / "facts.json"
    if not facts.exists():
        subprocess.run([sys.executable, str(HERE / "load" / "setup_db.py"), str(facts)],
                       check=True)
    return dict(json.loads(facts.read_text()))


def login(app: Any, username: str, password: str) -> Any:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = TOKEN.search(page)
    assert token, "the login page has a CSRF token"
    response = client.post("/login", data={"csrf_token": token.group(1),
                                            "username": username, "password": password})
    assert response.status_code == 302, (username, response.status_code)
    client.get("/tenders/")  # the welcome message is shown and gone
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", default="", help="a folder to keep (and reuse) the database in")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="")
    parser.add_argument("--html", default="", help="write each page's HTML into this folder")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="selector-bench-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/selector.db"
    os.environ.setdefault("SECRET_KEY", "bench-load-" * 6)
    os.environ["SELECTOR_REPORT_CACHE_DIR"] = str(folder / "reports")
    os.environ["SELECTOR_QUEUE_URL"] = f"sqlite:///{folder}/queue.db"
    started = time.perf_counter()
    facts = build(folder)
    built_s = time.perf_counter() - started

    sys.path.insert(0, str(HERE))
    from page_tenders import PASSWORD
    from sqlalchemy import event

    from selector import create_app
    from selector.store.db import get_database

    app = create_app({"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(get_database(app).engine, "before_cursor_execute", count)
    chair = login(app, facts["demo_chair"], facts["demo_password"])
    evaluator = login(app, facts["evaluators"][0], PASSWORD)
    pages = {
        "trivial": (evaluator, "/", 302),
        "sheet": (evaluator, f"/tenders/{facts['load_tender']}/evaluate/{facts['vendor']}", 200),
        "results": (chair, f"/tenders/{facts['demo_tender']}/results", 200),
    }
    for name, (client, path, status) in pages.items():
        response = client.get(path)  # warm: templates compiled, the demo's result kept
        assert response.status_code == status, (name, response.status_code)
        if args.html:
            Path(args.html).mkdir(parents=True, exist_ok=True)
            (Path(args.html) / f"{name}.html").write_bytes(response.get_data())
            again = client.get(path)  # served from the page cache, where it keeps the page
            (Path(args.html) / f"{name}.again.html").write_bytes(again.get_data())
    if args.profile:
        client, path, _status = pages[args.profile]
        try:
            from pyinstrument import Profiler
        except ImportError:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(50)
            return
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.repeat):
            client.get(path)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False,
                                   show_all=bool(os.environ.get("SHOW_ALL"))))
        return
    print(f"`.venv/bin/python bench/bench_load_pages.py --repeat {args.repeat}` — "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{os.getloadavg()[0]:.1f}; database built in {built_s:.0f} s\n")
    print("| page | CPU ms median | lowest round median | SQL statements (first) | KiB |")
    print("|---|---:|---:|---:|---:|")
    first: dict[str, tuple[int, int]] = {}
    for name, (client, path, _status) in pages.items():
        statements[0] = 0
        size = len(client.get(path).get_data())
        first[name] = (statements[0], size)
    # Interleaved rounds: the machine is shared, so a page's lowest round median is the
    # figure least disturbed by others.
    rounds: dict[str, list[list[float]]] = {name: [] for name in pages}
    for _round in range(args.rounds):
        for name, (client, path, status) in pages.items():
            runs = []
            for _ in range(args.repeat // args.rounds):
                cpu = time.process_time()
                response = client.get(path)
                response.get_data()
                runs.append((time.process_time() - cpu) * 1000)
                assert response.status_code == status, (name, response.status_code)
            rounds[name].append(runs)
    for name in pages:
        every = [run for runs in rounds[name] for run in runs]
        lowest = min(statistics.median(runs) for runs in rounds[name])
        queries, size = first[name]
        print(f"| {name} | **{statistics.median(every):.2f}** | {lowest:.2f} | {queries} | "
              f"{size / 1024:.0f} |")


if __name__ == "__main__":
    main()
